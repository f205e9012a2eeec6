"""The API for an assessment's evidence: links, notes and files with their metadata, added through
the same service (and checks) as the evidence page, under an assessment's path."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.assessments import evidence_services, services
from eia.assessments.api import eia_first, visible_eia
from eia.assessments.models import Eia
from eia.assessments.schemas import EvidenceInputSchema, EvidenceSchema, FileEvidenceInputSchema
from eia.errors import ValidationFailed
from eia.evidence import queries as evidence_queries
from eia.evidence.models import EvidenceItem, EvidenceKind
from eia.evidence.storage import store_for
from eia.extensions import db
from eia.web import accepts_uploads

bp = api_blueprint("eia_evidence", __name__, url_prefix="/eias", description="The evidence on an assessment")


@bp.get("/<reference>/evidence")
@bp.response(200, EvidenceSchema(many=True))
def evidence(reference: str) -> list[EvidenceItem]:
    """The evidence on an assessment (files' metadata, links and notes)."""
    return evidence_queries.for_subject(visible_eia(reference))


#: Documented by name in the OpenAPI document (the evidence upload reads its body itself).
bp.extra_schemas["EvidenceInput"] = EvidenceInputSchema


@bp.post("/<reference>/evidence")
@bp.doc(
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/EvidenceInput"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "title"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "maxLength": 200},
                        "description": {"type": "string"},
                        "source": {"type": "string", "maxLength": 300},
                        "evidence_date": {"type": "string", "format": "date"},
                        "sections": {"type": "array", "items": {"type": "string"}},
                        "characteristics": {"type": "array", "items": {"type": "string"}},
                        "is_public": {"type": "boolean"},
                    },
                }
            },
        },
    }
)
@eia_first("eia.edit")
@bp.response(201, EvidenceSchema)
@accepts_uploads
def add_evidence(eia: Eia):
    """Add evidence: a link, a note or a file.

    A link or a note as JSON, or a file as multipart/form-data with a ``file`` part and the other
    fields as form fields. Files are checked by their content and size, as on the pages."""
    services.check_editable(eia)
    upload = None
    if request.mimetype == "multipart/form-data":
        form = request.form
        fields = ("title", "description", "source", "evidence_date", "is_public")
        values = FileEvidenceInputSchema().load(
            {key: form[key] for key in fields if key in form}
            | {"sections": form.getlist("sections"), "characteristics": form.getlist("characteristics")}
        )
        kind, upload = EvidenceKind.FILE, request.files.get("file")
    else:
        values = EvidenceInputSchema().load(_json_body())
        kind = EvidenceKind(values["kind"])
    item = evidence_services.add_evidence(
        eia,
        kind,
        values,
        by=api_user(),
        stream=upload.stream if upload and upload.filename else None,
        file_name=upload.filename if upload else None,
        store=store_for(),
        max_bytes=current_app.config["EIA_MAX_UPLOAD_MB"] * 1024 * 1024,
    )
    db.session.commit()
    return item, {"Location": url_for("eia_evidence.evidence_item", reference=eia.reference, evidence_id=item.id)}


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(
            "Send a JSON object", {"_schema": "Send a JSON object, or a file as multipart/form-data"}
        )
    return body


@bp.get("/<reference>/evidence/<int:evidence_id>")
@bp.etag
@bp.response(200, EvidenceSchema)
def evidence_item(reference: str, evidence_id: int) -> EvidenceItem:
    """One piece of evidence's metadata.

    The file itself downloads from the assessment's evidence page."""
    return evidence_queries.item_or_404(visible_eia(reference), evidence_id)
