"""My work, the accessibility statement and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from eia.extensions import db
from eia.permissions import can, permit

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    permit(current_user, "home.view")
    return render_template("main/home.html", user=current_user, can=can)


@bp.get("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/healthz")
def health():
    """For load balancers and monitoring: 200 when the database answers, else the 503 handler."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
