"""An Atom feed of newly published assessments, for residents, councillors and groups who follow
the council's decisions (RFC 4287)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template
from sqlalchemy import select

from eia.assessments import queries
from eia.assessments.models import EiaSection
from eia.extensions import db
from eia.page_cache import public_page

bp = Blueprint("register_feed", __name__, url_prefix="/register")

#: How many of the newest published assessments the feed holds.
FEED_SIZE = 50


def summaries(eia_ids: list[int]) -> dict[int, str]:
    """Each assessment's plain-English summary (form version 2), else its outcome's summary (one query)."""
    found: dict[int, dict[str, Any]] = {}
    for eia_id, key, answers in db.session.execute(
        select(EiaSection.eia_id, EiaSection.key, EiaSection.answers).where(
            EiaSection.eia_id.in_(eia_ids), EiaSection.key.in_(("about", "outcome"))
        )
    ):
        found.setdefault(eia_id, {})[key] = answers or {}
    return {
        eia_id: str(parts.get("about", {}).get("plain_summary") or parts.get("outcome", {}).get("summary") or "")
        for eia_id, parts in found.items()
    }


@bp.get("/feed.atom")
@public_page
def feed():
    eias = db.session.execute(queries.published().limit(FEED_SIZE)).scalars().all()
    base = current_app.config["EIA_BASE_URL"].rstrip("/")
    updated: datetime | None = max((e.published_at for e in eias if e.published_at), default=None)
    body = render_template(
        "register/feed.atom.xml", eias=eias, base=base, updated=updated, summaries=summaries([e.id for e in eias])
    )
    return Response(body, mimetype="application/atom+xml")
