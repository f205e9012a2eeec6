"""My work, the accessibility statement and the health and readiness checks."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eia import accessibility as statement
from eia import signals
from eia.extensions import db
from eia.page_cache import signed_in_page
from eia.permissions import permit
from eia.signals import values_from
from eia.storage import storage_is_ready
from eia.work import groups_from, in_order
from eia.working_days import uk_today

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
@signed_in_page
def home():
    permit(current_user, "home.view")
    today = uk_today()
    return render_template("main/home.html", user=current_user, today=today, groups=_groups(today))


@bp.get("/my-work/<key>")
@login_required
def work_group(key: str):
    """Everything of one group of My work (its "See all")."""
    permit(current_user, "home.view")
    today = uk_today()
    group = next((g for g in _groups(today) if g.key == key), None)
    if group is None:
        abort(404)
    return render_template("main/work_group.html", group=group, today=today)


def _groups(today):
    return in_order(groups_from(values_from(signals.my_work.send(None, user=current_user, today=today))))


@bp.get("/accessibility")
def accessibility():
    return render_template(
        "main/accessibility.html",
        problems=statement.KNOWN_PROBLEMS,
        prepared_on=statement.PREPARED_ON,
        reviewed_on=statement.REVIEWED_ON,
        tested_on=statement.TESTED_ON,
    )


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except DBAPIError:
        db.session.rollback()
        return False
    return True


def _health(checks: dict[str, bool]):
    """JSON naming each check, 200 when all pass, else 503 with Retry-After."""
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: "ok" if passed else "unavailable" for name, passed in checks.items()
    }
    return body, 200 if healthy else 503, {} if healthy else {"Retry-After": "30"}


@bp.get("/healthz")
def health():
    """For load balancers and monitoring: whether the app answers and its database does (JSON,
    during an outage too)."""
    return _health({"database": _database_answers()})


@bp.get("/readyz")
def ready():
    """Whether this server can take traffic: the database answers and the store of evidence files
    and rendered PDFs (the local folders or the S3 bucket) can be written to."""
    return _health({"database": _database_answers(), "storage": storage_is_ready()})
