"""My work, the accessibility statement and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from eia import signals
from eia.assessments import queries
from eia.db_types import utcnow
from eia.extensions import db
from eia.permissions import permit
from eia.signals import values_from

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
        drafts=_all(queries.my_drafts(current_user)),
        returned=_all(queries.returned_to(current_user)),
        review=None if review is None else _all(review),
        sign_off=None if sign_off is None else _all(sign_off),
        mitigations=db.session.execute(queries.my_mitigations(current_user)).all(),
        reviews_due=_all(queries.reviews_due(current_user, today)),
        extra_sections=values_from(signals.my_work.send(None, user=current_user)),
    )


def _all(query):
    return db.session.execute(query.limit(50)).scalars().all()


@bp.get("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/healthz")
def health():
    """For load balancers and monitoring: 200 when the database answers, else the 503 handler."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
