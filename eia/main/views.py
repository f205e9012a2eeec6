"""My work, the accessibility statement and the health and readiness checks."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from eia import accessibility as statement
from eia import signals
from eia.assessments import queries
from eia.db_types import utcnow
from eia.extensions import db
from eia.permissions import permit
from eia.signals import values_from
from eia.storage import storage_is_ready

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    permit(current_user, "home.view")
    today = utcnow().date()
    review, sign_off = queries.waiting_for_review(current_user), queries.waiting_for_sign_off(current_user)
    return render_template(
        "main/home.html",
        user=current_user,
        today=today,
        drafts=(drafts := _all(queries.my_drafts(current_user))),
        handed_over=[
            eia
            for eia in drafts
            if eia.author_id == current_user.id and eia.handed_over_by_id not in (None, current_user.id)
        ],
        names=queries.user_names({eia.handed_over_by_id for eia in drafts if eia.handed_over_by_id}),
        returned=_all(queries.returned_to(current_user)),
        review=None if review is None else _all(review),
        assigned=None if (mine := queries.assigned_reviews(current_user)) is None else _all(mine),
        sign_off=None if sign_off is None else _all(sign_off),
        mitigations=db.session.execute(queries.my_mitigations(current_user)).all(),
        reviews_due=_all(queries.reviews_due(current_user, today)),
        extra_sections=values_from(signals.my_work.send(None, user=current_user)),
    )


def _all(query):
    return db.session.execute(query.limit(50)).scalars().all()


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
