"""Signing in and out, and one's own account."""

from __future__ import annotations

import time

import requests
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from eia import metrics
from eia.accounts import links, provider, services, sessions, signing_in, tokens
from eia.accounts.models import LinkPurpose, TokenScope, User
from eia.accounts.provider import ProviderError, ProviderOutcome
from eia.accounts.signing_in import SignInOutcome
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.extensions import db
from eia.forms_support import attempt, bind_form, submit_form
from eia.logs import request_id
from eia.permissions import permit
from eia.template_filters import format_datetime
from eia.web import is_safe_next, safe_next
from forms.accounts import ChangePasswordForm, ForgottenPasswordForm, NewTokenForm, SetPasswordForm, SignInForm

bp = Blueprint("accounts", __name__)


def _start_session(user: User, token: str) -> None:
    # A fresh session on sign-in (no fixation), keeping only a pending restored form.
    keep = {key: session[key] for key in ("restore_form",) if key in session}
    session.clear()
    session.update(keep)
    session["sid"] = token
    login_user(user)
    session.permanent = True
    session["last_seen"] = session["signed_in_at"] = time.time()


def _sign_in_page(form: SignInForm, status: int = 200):
    config = current_app.config
    return (
        render_template(
            "accounts/sign_in.html",
            form=form,
            provider_name=config["EIA_OIDC_PROVIDER_NAME"] if provider.is_enabled(config) else None,
            local_sign_in=config["EIA_LOCAL_SIGN_IN"],
            next_url=safe_next(),
        ),
        status,
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_url = safe_next()
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit() and (signed_in := _check_password(form)) is not None:
        _start_session(*signed_in)
        if signed_in[0].must_change_password:
            flash("Choose a new password to finish signing in.", "important")
            return redirect(url_for("accounts.change_password", next=next_url))
        return redirect(next_url or url_for("main.home"))
    return _sign_in_page(form)


def _check_password(form: SignInForm) -> tuple[User, str] | None:
    """The person and their new session's token when the email and password are right; otherwise
    the form's errors say why not. The attempt is counted and committed before the slow password
    check, where every worker sees it, and the result committed after."""
    config = current_app.config
    form.password.data, password = "", form.password.data
    if signing_in.local_sign_in_refused(
        form.email.data, local_sign_in=config["EIA_LOCAL_SIGN_IN"], break_glass=config["EIA_BREAK_GLASS_EMAIL"]
    ):
        db.session.commit()
        metrics.SIGN_INS.labels(method="password", outcome="local_off").inc()
        form.form_errors.append(
            f"Sign in with {config['EIA_OIDC_PROVIDER_NAME']}: this council does not use passwords for this service."
        )
        return None
    limits = {"max_failures": config["EIA_MAX_FAILED_SIGN_INS"]}
    attempt = signing_in.begin_sign_in(form.email.data, **limits)
    db.session.commit()
    result = signing_in.finish_sign_in(
        attempt, password, **limits, lock_minutes=config["EIA_LOCK_MINUTES"], ip_address=request.remote_addr
    )
    db.session.commit()
    metrics.SIGN_INS.labels(method="password", outcome=result.outcome.value).inc()
    if result.outcome is SignInOutcome.OK and result.user and result.session_token:
        return result.user, result.session_token
    if result.outcome is SignInOutcome.LOCKED:
        form.form_errors.append(
            f"This account is locked after {config['EIA_MAX_FAILED_SIGN_INS']} failed sign-in "
            f"attempts. Try again after {format_datetime(result.locked_until)}, or ask an administrator "
            "to unlock it."
        )
    elif result.outcome is SignInOutcome.DISABLED:
        form.form_errors.append("This account has been disabled. Ask an administrator if you need it back.")
    else:
        form.email.errors = ["Enter a correct email address and password"]
    return None


@bp.get("/sign-in/oidc")
def sign_in_with_provider():
    """Send the browser to the council's provider, with a fresh state, nonce and PKCE challenge."""
    oidc = provider.client()
    if oidc is None:
        abort(404)
    session["oidc_next"] = safe_next()
    try:
        return oidc.authorize_redirect(provider.callback_url())
    except (requests.RequestException, ValueError) as exc:  # its discovery document could not be read
        current_app.logger.error("the provider's discovery document could not be read: %s", exc)
        return _provider_refusal("unreachable", f"discovery failed: {type(exc).__name__}")


#: What each refusal tells the person (the audit log keeps the technical reason).
PROVIDER_REFUSALS = {
    "state": (400, "This sign-in link has already been used or has expired", "Start signing in again."),
    "denied": (403, "You did not finish signing in", "Start again if you want to sign in."),
    "invalid": (
        400,
        "We could not check your sign-in",
        "The answer from {provider} could not be trusted, so you have not been signed in and nothing has been "
        "changed. Try again. If it keeps happening, contact the IT service desk and give them the reference below.",
    ),
    "unreachable": (
        503,
        "Sign-in is not working at the moment",
        "We cannot reach {provider}. Try again in a few minutes.",
    ),
    ProviderOutcome.DISABLED.value: (
        403,
        "Your account has been disabled",
        "You cannot sign in to this service. Ask an administrator if you need your account back.",
    ),
    ProviderOutcome.NO_EMAIL.value: (
        403,
        "We could not sign you in",
        "{provider} did not tell us your email address, which this service needs. Contact the IT service desk and "
        "give them the reference below.",
    ),
    ProviderOutcome.NO_SUBJECT.value: (
        403,
        "We could not sign you in",
        "{provider} did not tell us who you are. Contact the IT service desk and give them the reference below.",
    ),
    ProviderOutcome.NOT_CONNECTED.value: (
        403,
        "Your account is not connected to {provider}",
        "There is already an account with your email address in this service, and it cannot be connected to "
        "{provider} automatically. Ask an administrator to check your account, and give them the reference below.",
    ),
}


def _provider_refusal(kind: str, reason: str | None = None):
    """The GOV.UK page for a refused provider sign-in, with the request id as a reference."""
    if reason is not None:  # refusals found by the service are already in the audit log
        audit.record("sign_in_refused", entity_type="user", by=None, detail=f"provider: {reason}")
        db.session.commit()
    metrics.SIGN_INS.labels(method="oidc", outcome=kind).inc()
    status, title, text = PROVIDER_REFUSALS[kind]
    name = current_app.config["EIA_OIDC_PROVIDER_NAME"]
    return (
        render_template(
            "accounts/provider_refused.html",
            title=title.format(provider=name),
            text=text.format(provider=name),
            reference=request_id(),
        ),
        status,
    )


@bp.get("/sign-in/oidc/callback")
def provider_callback():
    """Where the provider sends the browser back: verify its answer, then sign the person in."""
    if provider.client() is None:
        abort(404)
    try:
        claims = provider.verified_claims()
    except ProviderError as exc:
        return _provider_refusal(exc.kind, str(exc))
    result = provider.sign_in_with_provider(claims, ip_address=request.remote_addr)
    db.session.commit()
    if result.outcome is not ProviderOutcome.OK or not (result.user and result.session_token):
        return _provider_refusal(result.outcome.value)
    return _provider_signed_in(result.user, result.session_token)


def _provider_signed_in(user: User, session_token: str) -> ResponseReturnValue:
    """Start the browser's session for a person the provider vouched for, and send them on."""
    metrics.SIGN_INS.labels(method="oidc", outcome="ok").inc()
    next_url = session.get("oidc_next")
    _start_session(user, session_token)
    return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))


@bp.get("/account/waiting")
@login_required
def waiting_for_role():
    """Where someone who signed in through the provider waits for an administrator to give them a role."""
    if current_user.role is not None:
        return redirect(url_for("main.home"))
    return render_template("accounts/waiting.html")


@bp.route("/sign-in/forgotten", methods=["GET", "POST"])
def forgotten_password():
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        done, asked = attempt(form, lambda: links.request_password_reset(email, client=request.remote_addr))
        if done and asked is not None:
            db.session.commit()  # the counts and the link, before the email goes
            if asked.user is not None and asked.secret is not None:
                links.send_link_after_answering(asked.user, LinkPurpose.PASSWORD_RESET, asked.secret)
            flash(
                f"If {email} is the address of an account that signs in with a password, we have sent it a link to "
                "reset the password. The link works for 1 hour. Check your email, including any junk folder.",
                "success",
            )
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgotten.html", form=form)


def _link_page(secret: str, purpose: LinkPurpose, template: str):
    state = links.link_state(secret, purpose)
    if state.problem or state.link is None:
        return _link_problem(state.problem or "unknown", purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            done = submit_form(
                form,
                lambda: links.use_link(secret, purpose, form.password.data),
                saved="Your password has been set and any other sessions have been signed out. Sign in with your "
                "new password.",
                then=url_for("accounts.sign_in"),
            )
        except links.LinkUnusable as exc:
            db.session.rollback()
            return _link_problem(exc.problem, purpose)
        if done is not None:
            if current_user.is_authenticated:  # whoever was signed in in this browser
                logout_user()
                session.pop("sid", None)
            return done
    return render_template(template, form=form, person=state.link.user, expires_at=state.link.expires_at)


LINK_PROBLEMS = {
    "unknown": (
        404,
        "This link does not work",
        "It may have been copied wrongly. Check that you used the whole link from the email.",
    ),
    "used": (
        410,
        "This link has already been used",
        "Each link works once. If you did not use it, or you need to set your password again, ask for a new one.",
    ),
    "expired": (410, "This link has expired", "Links work for a limited time. Ask for a new one."),
    "disabled": (410, "This account has been disabled", "Ask an administrator if you need your account back."),
}


def _link_problem(problem: str, purpose: LinkPurpose):
    status, title, text = LINK_PROBLEMS[problem]
    return render_template("accounts/link_problem.html", title=title, text=text, purpose=purpose.value), status


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
def invitation(secret: str):
    """An invitation's link: choose a password (the link works once, for 72 hours)."""
    return _link_page(secret, LinkPurpose.INVITATION, "accounts/invitation.html")


@bp.route("/sign-in/reset/<secret>", methods=["GET", "POST"])
def reset_password(secret: str):
    """A reset link: choose a new password (the link works once, for 1 hour)."""
    return _link_page(secret, LinkPurpose.PASSWORD_RESET, "accounts/reset.html")


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        signing_in.record_sign_out(current_user, session.get("sid"))
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.post("/session/extend")
@login_required
def extend_session():
    """ "Stay signed in" in the timeout warning: this request has already restarted the idle clock
    (and CSRF protection checked the token); answer how long is left now."""
    times = sessions.session_times()
    return jsonify(times.as_json() if times else {})


@bp.get("/session/status")
@login_required
def session_status():
    """How long this session has left, for a page left open in another tab (does not extend it)."""
    times = sessions.session_times()
    return jsonify(times.as_json() if times else {})


@bp.get("/account")
@login_required
def account():
    permit(current_user, "account.view", current_user)
    return render_template(
        "accounts/account.html",
        user=current_user,
        active_tokens=len(tokens.active_tokens(current_user)),
        provider_name=current_app.config["EIA_OIDC_PROVIDER_NAME"],
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
            then=safe_next() or url_for("accounts.account"),
        )
        if done is not None:
            return done
    return render_template("accounts/change_password.html", form=form)
