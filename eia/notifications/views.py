"""The in-app list of what is due (the same items the daily email carries), and the email setting."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.accounts import services as accounts
from eia.extensions import db
from eia.notifications import services
from eia.permissions import permit
from eia.working_days import uk_today

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    permit(current_user, "account.view", current_user)
    items = services.reminders(uk_today(), user_id=current_user.id).get(current_user.id, [])
    groups: dict[str, list[services.Reminder]] = {}
    for item in items:
        groups.setdefault(item.heading, []).append(item)
    return render_template("notifications/index.html", groups=groups, count=len(items))


@bp.post("/account/reminders")
@login_required
def set_emails():
    permit(current_user, "account.view", current_user)
    wanted = request.form.get("emails") == "on"
    accounts.set_reminder_emails(current_user, wanted, by=current_user)
    db.session.commit()
    flash("You will get a daily email of what is due." if wanted else "You will not get reminder emails.", "success")
    return redirect(url_for("accounts.account"))
