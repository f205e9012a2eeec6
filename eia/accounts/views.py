"""Signing in and out, and one's own account."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from eia.accounts import services
from eia.accounts.services import SignInOutcome
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.forms_support import bind_form, show_errors
from eia.permissions import permit
from eia.template_filters import format_datetime
from eia.web import is_safe_next
from forms.accounts import ChangePasswordForm, SignInForm

bp = Blueprint("accounts", __name__)


def _start_session(user, token: str) -> None:
    # A fresh session on sign-in (no fixation), keeping only a pending restored form.
    keep = {key: session[key] for key in ("restore_form",) if key in session}
    session.clear()
    session.update(keep)
    session["sid"] = token
    login_user(user)
    session.permanent = True
    session["last_seen"] = time.time()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        result = services.authenticate(
            form.email.data,
            form.password.data,
            max_failures=current_app.config["EIA_MAX_FAILED_SIGN_INS"],
            lock_minutes=current_app.config["EIA_LOCK_MINUTES"],
            ip_address=request.remote_addr,
        )
        db.session.commit()
        if result.outcome is SignInOutcome.OK:
            _start_session(result.user, result.session_token)
            if result.user.must_change_password:
                flash("Choose a new password to finish signing in.", "important")
                return redirect(url_for("accounts.change_password", next=next_url if is_safe_next(next_url) else None))
            return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
        form.password.data = ""
        if result.outcome is SignInOutcome.LOCKED:
            form.form_errors.append(
                f"This account is locked after {current_app.config['EIA_MAX_FAILED_SIGN_INS']} failed sign-in "
                f"attempts. Try again after {format_datetime(result.locked_until)}, or ask an administrator "
                "to unlock it."
            )
        elif result.outcome is SignInOutcome.DISABLED:
            form.form_errors.append("This account has been disabled. Ask an administrator if you need it back.")
        else:
            form.email.errors = ["Enter a correct email address and password"]
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        services.record_sign_out(current_user, session.get("sid"))
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.get("/account")
@login_required
def account():
    permit(current_user, "account.view", current_user)
    return render_template("accounts/account.html", user=current_user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    permit(current_user, "account.change_password", current_user)
    form = bind_form(ChangePasswordForm)
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                by=current_user,
                keep_session=session.get("sid"),
            )
        except ValidationFailed as exc:
            db.session.commit()  # keeps the audit entry of a failed attempt
            show_errors(form, exc)
        else:
            db.session.commit()
            flash("Your password has been changed. Other devices have been signed out.", "success")
            next_url = request.args.get("next")
            return redirect(next_url if is_safe_next(next_url) else url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)
