"""Signing in and out, and one's own account."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from eia.accounts import services, tokens
from eia.accounts.models import TokenScope
from eia.accounts.services import SignInOutcome
from eia.db_types import utcnow
from eia.extensions import db
from eia.forms_support import attempt, bind_form, submit_form
from eia.permissions import permit
from eia.template_filters import format_datetime
from eia.web import is_safe_next
from forms.accounts import ChangePasswordForm, NewTokenForm, SignInForm

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
        limits = {"max_failures": current_app.config["EIA_MAX_FAILED_SIGN_INS"]}
        attempt = services.begin_sign_in(form.email.data, **limits)
        db.session.commit()  # counted before the slow password check, where every worker sees it
        result = services.finish_sign_in(
            attempt,
            form.password.data,
            **limits,
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
    return render_template(
        "accounts/account.html", user=current_user, active_tokens=len(tokens.active_tokens(current_user))
    )


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """One's personal access tokens for the API; a new one is shown on this page once."""
    permit(current_user, "token.manage", current_user)
    form = bind_form(NewTokenForm)
    made = None
    if form.validate_on_submit():
        done, created = attempt(
            form,
            lambda: tokens.create_token(
                current_user,
                name=form.name.data,
                scope=TokenScope(form.scope.data),
                days=int(form.days.data),
                max_days=current_app.config["EIA_API_TOKEN_MAX_DAYS"],
                by=current_user,
            ),
        )
        if done and created is not None:  # shown on this page once, so no redirect
            db.session.commit()
            made = {"token": created[0], "secret": created[1]}
            form = NewTokenForm(formdata=None)
    return render_template(
        "accounts/tokens.html", form=form, made=made, tokens=tokens.tokens_of(current_user), now=utcnow()
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    token = tokens.token_or_none(token_id)
    if token is None:
        abort(404)
    permit(current_user, "token.revoke", token)
    tokens.revoke_token(token, by=current_user)
    db.session.commit()
    flash(f"The token '{token.name}' has been revoked: it no longer works.", "success")
    return redirect(url_for("accounts.api_tokens"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    permit(current_user, "account.change_password", current_user)
    form = bind_form(ChangePasswordForm)
    if form.validate_on_submit():
        next_url = request.args.get("next")
        done = submit_form(
            form,
            lambda: services.change_password(
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                by=current_user,
                keep_session=session.get("sid"),
            ),
            saved="Your password has been changed. Other devices have been signed out.",
            then=next_url if is_safe_next(next_url) else url_for("accounts.account"),
        )
        if done is not None:
            return done
    return render_template("accounts/change_password.html", form=form)
