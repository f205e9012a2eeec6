"""The API for the audit log, for the equalities team and administrators: the entries, filtered and a
page at a time, and the check of the hash chain (which is itself recorded in the log, as on the Audit
log page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import requires
from eia.api.schemas import PageArgs, page_of
from eia.auditlog import queries
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.auditlog.queries import AuditFilter
from eia.auditlog.schemas import AuditEntrySchema
from eia.db_types import utcnow
from eia.extensions import db
from eia.web import paginate

bp = api_blueprint(
    "audit_log", __name__, url_prefix="/audit-log", description="The tamper-evident audit log and its chain check"
)


def _text(limit: int, description: str) -> fields.String:
    # A null byte in a query string is refused for the whole app (eia/web.py) before this.
    return fields.String(validate=validate.Length(max=limit), metadata={"description": description})


def _day(description: str) -> fields.Date:
    return fields.Date(
        validate=validate.Range(min=date(1900, 1, 1), error="Enter a date from 1900, as YYYY-MM-DD"),
        metadata={"description": description},
    )


class AuditLogArgs(Schema):
    """The Audit log page's filters, and the order."""

    q = _text(200, "Words in the actor, action, detail, entity id or changes")
    action = _text(64, "An action, exactly: eia_created, sample_drawn, audit_log_exported ...")
    entity_type = _text(64, "What the entries are about: eia, sample, quality_score, user ...")
    entity_id = _text(64, "With entity_type: which one")
    since = _day("Entries on or after this day (UTC)")
    until = _day("Entries on or before this day (UTC), the whole day included")
    order = fields.String(
        load_default="newest",
        validate=validate.OneOf(["newest", "oldest"]),
        metadata={
            "description": "newest first (the default, as on the page), or oldest first: stable while entries are added"
        },
    )

    @validates_schema
    def dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError("The end date must be on or after the start", "until")


class ChainCheckSchema(Schema):
    """The outcome of recomputing every entry's hash and link, oldest first."""

    intact = fields.Boolean()
    entries = fields.Integer(metadata={"description": "Entries checked (up to the first broken one)"})
    head_id = fields.Integer(allow_none=True, metadata={"description": "The last entry found sound"})
    head_hash = fields.String(allow_none=True, metadata={"description": "Its hash: the chain's head when intact"})
    broken_at = fields.Integer(allow_none=True, metadata={"description": "The first entry where the chain breaks"})
    problem = fields.String(allow_none=True, metadata={"description": "What is wrong there"})
    checked_at = fields.DateTime()


@bp.get("/")
@requires("audit.view")
@bp.arguments(AuditLogArgs, location="query", as_kwargs=True)
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(AuditEntrySchema))
def entries(page: int, per_page: int, order: str, **filters: Any):
    """Entries of the whole log, newest first unless ``order=oldest``, with the page's filters
    (``until`` includes the whole of that day, in UTC)."""
    chosen = AuditFilter(
        text=(filters.get("q") or "").strip() or None,
        action=filters.get("action") or None,
        entity_type=filters.get("entity_type") or None,
        entity_id=filters.get("entity_id") or None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    query = queries.entries(chosen)
    if order == "newest":
        query = query.order_by(None).order_by(AuditEntry.id.desc())
    return paginate(query, page=page, per_page=per_page)


@bp.get("/verification")
@requires("audit.verify")
@bp.response(200, ChainCheckSchema)
def verification():
    """Check the whole chain now: recompute every entry's hash and its link to the entry before, and
    name the first entry altered or removed. The check is recorded in the log (after it, so it is
    not among the entries counted)."""
    report = audit.check_chain(by=api_user())
    db.session.commit()
    return {
        "intact": report.is_intact,
        "entries": report.entries,
        "head_id": report.head_id,
        "head_hash": report.head_hash,
        "broken_at": report.broken_at,
        "problem": report.problem,
        "checked_at": utcnow(),
    }
