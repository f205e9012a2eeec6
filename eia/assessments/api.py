"""The API for assessments: lists, one EIA with its sections, impacts, mitigations, evidence and
action links, writes through the same services as the pages, workflow transitions and history.

An EIA the token's owner may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eia import signals
from eia.accounts.models import User
from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import IF_MATCH, before_body, check_if_match, paginated, requires, respond
from eia.api.schemas import PageArgs, page_of
from eia.assessments import queries, services, workflow
from eia.assessments.models import Eia, Mitigation
from eia.assessments.schemas import (
    EiaListArgs,
    EiaSchema,
    EiaSummarySchema,
    EvidenceInputSchema,
    EvidenceSchema,
    FileEvidenceInputSchema,
    ImpactsInputSchema,
    MitigationInputSchema,
    MitigationSchema,
    NewEiaSchema,
    SectionInputSchema,
    SectionSchema,
    TransitionInputSchema,
    check_answers,
)
from eia.auditlog.models import AuditEntry
from eia.auditlog.schemas import HistoryEntrySchema
from eia.errors import NotFound, ValidationFailed
from eia.evidence import queries as evidence_queries
from eia.evidence import services as evidence_services
from eia.evidence.storage import store_for
from eia.extensions import db
from eia.permissions import can, permit
from eia.signals import values_from

bp = api_blueprint("eias", __name__, url_prefix="/eias", description="Equality impact assessments")


def _visible_eia(reference: str) -> Eia:
    if len(reference) > 40:
        raise NotFound(f"There is no equality impact assessment {reference[:40]}.")
    eia = queries.eia_or_404(reference)
    if not can(api_user(), "eia.view", eia):
        raise NotFound(f"There is no equality impact assessment {reference}.")
    # The people the EIA names, in one query: its author, lead, signer and mitigation owners are
    # then found in the session instead of one query each.
    people = {eia.author_id, eia.lead_officer_id, eia.signed_off_by_id, *(m.owner_id for m in eia.mitigations)}
    g.api_people = db.session.execute(select(User).where(User.id.in_(people - {None}))).scalars().all()
    return eia


def eia_first(action: str | None = None):
    """Load the EIA named in the URL (404 if the token's owner may not see it) and check *action*
    on it before the body is read; the view gets ``eia`` instead of ``reference``."""

    def check(reference: str, **kwargs: Any) -> dict[str, Any]:
        eia = _visible_eia(reference)
        if action is not None:
            permit(api_user(), action, eia)
        return {"eia": eia, **kwargs}

    return before_body(check)


def _transitions(eia: Eia) -> list[dict[str, Any]]:
    return [
        {"name": step.name, "label": step.label, "needs_comment": step.needs_comment}
        for step in workflow.available_transitions(eia, api_user())
    ]


def eia_data(eia: Eia) -> dict[str, Any]:
    """The whole EIA as the API returns it (and as its ETag covers)."""
    data = EiaSchema(exclude=("sections", "evidence", "action_links", "transitions")).dump(eia)
    titles = {s.key: s for s in eia.form.sections}
    data["sections"] = [_section_data(eia, key) for key in titles if eia.section(key) is not None]
    data["evidence"] = EvidenceSchema(many=True).dump(evidence_queries.for_subject(eia))
    data["action_links"] = []
    for extra in values_from(signals.eia_api_extras.send(None, eia=eia)):
        data.update(extra)
    data["transitions"] = _transitions(eia)
    return data


def _section_data(eia: Eia, key: str) -> dict[str, Any]:
    definition = eia.form.section(key)
    saved = eia.section(key)
    if definition is None or saved is None:
        raise NotFound(f"{eia.reference} has no section {key[:40]!r}.")
    return SectionSchema().dump(
        {
            "key": key,
            "title": definition.title,
            "kind": definition.kind,
            "status": saved.status.value,
            "answers": dict(saved.answers),
            "updated_at": saved.updated_at,
            "version": saved.version,
        }
    )


def _eia_url(eia: Eia) -> str:
    return url_for("eias.eia", reference=eia.reference)


@bp.get("/")
@bp.arguments(EiaListArgs, location="query", as_kwargs=True)
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(EiaSummarySchema))
def eias(page: int, per_page: int, **filters: Any):
    """Assessments the token's owner may see.

    Most recently changed first, with the list page's filters."""
    user = api_user()
    permit(user, "eia.list")
    negative = filters.get("negative")
    if negative and negative not in {c.key for c in queries.characteristics()}:
        raise ValidationFailed("Unknown characteristic", {"negative": "Choose a characteristic key from the register"})
    chosen = queries.EiaFilter(
        text=(filters.get("q") or "").strip() or None,
        service_area_id=filters.get("service_area"),
        state=filters.get("state"),
        proposal_type=filters.get("type"),
        year=filters.get("year"),
        negative_for=negative,
    )
    query = queries.with_list_details(queries.eias(user, chosen)).options(
        selectinload(Eia.author), selectinload(Eia.lead_officer)
    )
    result = paginated(query, {"page": page, "per_page": per_page})
    result["items"] = EiaSummarySchema(many=True).dump(result["items"])
    return respond(result, etag=False)


@bp.post("/")
@requires("eia.create")
@bp.arguments(NewEiaSchema, location="json")
@bp.response(201, EiaSchema)
def create(values: dict[str, Any]):
    """Start a draft assessment on the newest template of its kind."""
    eia = services.start_eia(
        kind=values["kind"], title=values["title"], service_area_id=values.get("service_area_id"), by=api_user()
    )
    db.session.commit()
    eia = queries.eia_or_404(eia.reference)
    return respond(eia_data(eia), 201, headers={"Location": _eia_url(eia)})


@bp.get("/<reference>")
@bp.response(200, EiaSchema)
def eia(reference: str):
    """One assessment, whole.

    Its answers by section, impacts, mitigations, evidence, action links and the workflow steps the
    token's owner may take now. The ETag goes in If-Match of a transition."""
    return respond(eia_data(_visible_eia(reference)))


@bp.get("/<reference>/sections/<key>")
@bp.response(200, SectionSchema)
def section(reference: str, key: str):
    """One section's answers and status.

    Its ETag goes in If-Match when saving it."""
    return respond(_section_data(_visible_eia(reference), key))


@bp.put("/<reference>/sections/<key>")
@eia_first("eia.edit")
@bp.arguments(SectionInputSchema, location="json")
@bp.response(200, SectionSchema)
@bp.doc(parameters=[IF_MATCH])
def save_section(values: dict[str, Any], eia: Eia, key: str):
    """Replace a section's answers.

    As "Save and continue" does; ``completed`` marks it done, which needs every required answer.
    For the impacts themselves use ``PUT .../impacts``."""
    current = _section_data(eia, key)
    check_if_match(current)
    definition = eia.form.section(key)
    people = {int(value) for value, _ in queries.people_choices()}
    answers = check_answers(definition, values["answers"], people)
    user = api_user()
    if definition.kind == "impacts":
        services.save_impacts(
            eia,
            _impacts_as_saved(eia),
            answers,
            completed=values["completed"],
            expected_version=current["version"],
            by=user,
        )
    else:
        services.save_section(
            eia, key, answers, completed=values["completed"], expected_version=current["version"], by=user
        )
    db.session.commit()
    return respond(_section_data(queries.eia_or_404(eia.reference), key))


def _impacts_as_saved(eia: Eia) -> dict[Any, dict[str, Any]]:
    saved = {impact.characteristic_id: impact for impact in eia.impacts}
    result = {}
    for characteristic in queries.characteristics_for(eia):
        impact = saved.get(characteristic.id)
        result[characteristic] = (
            {
                "direction": impact.direction.value if impact.direction else None,
                "severity": impact.severity.value if impact.severity else None,
                "description": impact.description,
                "who_affected": impact.who_affected,
                "evidence": impact.evidence,
            }
            if impact
            else {}
        )
    return result


@bp.put("/<reference>/impacts")
@eia_first("eia.edit")
@bp.arguments(ImpactsInputSchema, location="json")
@bp.response(200, SectionSchema)
@bp.doc(parameters=[IF_MATCH])
def save_impacts(values: dict[str, Any], eia: Eia):
    """Save the impact on each characteristic.

    Sets the characteristics named in ``impacts`` (by key; others stay as they are) and the
    section's own answers (intersectional and cumulative impacts, the three aims of the duty).
    If-Match takes the ETag of ``GET .../sections/impacts``."""
    definition = next((s for s in eia.form.sections if s.kind == "impacts"), None)
    if definition is None:
        raise NotFound(f"{eia.reference} has no impacts section.")
    current = _section_data(eia, definition.key)
    check_if_match(current)
    impacts = _impacts_as_saved(eia)
    by_key = {characteristic.key: characteristic for characteristic in impacts}
    unknown = sorted(set(values["impacts"]) - set(by_key))
    if unknown:
        raise ValidationFailed(
            "Unknown characteristics", {"impacts": f"Not in the register for this assessment: {', '.join(unknown)}"}
        )
    for key, given in values["impacts"].items():
        impacts[by_key[key]] = {
            name: (value.value if hasattr(value, "value") else value) for name, value in given.items()
        }
    people = {int(value) for value, _ in queries.people_choices()}
    answers = check_answers(definition, values["answers"], people)
    services.save_impacts(
        eia, impacts, answers, completed=values["completed"], expected_version=current["version"], by=api_user()
    )
    db.session.commit()
    return respond(_section_data(queries.eia_or_404(eia.reference), definition.key))


# Mitigations ---------------------------------------------------------------------------------------


def _mitigation(eia: Eia, mitigation_id: int) -> Mitigation:
    found = next((m for m in eia.mitigations if m.id == mitigation_id), None)
    if found is None:
        raise NotFound(f"{eia.reference} has no mitigation {mitigation_id}.")
    return found


def _mitigation_values(eia: Eia, values: dict[str, Any]) -> dict[str, Any]:
    key = values.pop("characteristic", None)
    characteristic_id = None
    if key:
        negatives = {i.characteristic.key: i.characteristic_id for i in eia.impacts if i.is_negative}
        if key not in negatives:
            raise ValidationFailed(
                "Not a negative impact", {"characteristic": "Choose a characteristic with a negative impact here"}
            )
        characteristic_id = negatives[key]
    if values["owner_id"] not in {int(value) for value, _ in queries.people_choices()}:
        raise ValidationFailed("Unknown owner", {"owner_id": "The owner must be a person with an enabled account"})
    return {**values, "characteristic_id": characteristic_id}


@bp.get("/<reference>/mitigations")
@bp.response(200, MitigationSchema(many=True))
def mitigations(reference: str):
    """The mitigations of an assessment."""
    return respond(MitigationSchema(many=True).dump(_visible_eia(reference).mitigations), etag=False)


@bp.post("/<reference>/mitigations")
@eia_first("eia.edit")
@bp.arguments(MitigationInputSchema, location="json")
@bp.response(201, MitigationSchema)
def add_mitigation(values: dict[str, Any], eia: Eia):
    """Add a mitigation.

    The negative impact it addresses, the action, its owner, due date, status and measure."""
    added = services.add_mitigation(eia, _mitigation_values(eia, values), by=api_user())
    db.session.commit()
    location = url_for("eias.mitigation", reference=eia.reference, mitigation_id=added.id)
    return respond(MitigationSchema().dump(added), 201, headers={"Location": location})


@bp.get("/<reference>/mitigations/<int:mitigation_id>")
@bp.response(200, MitigationSchema)
def mitigation(reference: str, mitigation_id: int):
    """One mitigation.

    Its ETag goes in If-Match to change or remove it."""
    return respond(MitigationSchema().dump(_mitigation(_visible_eia(reference), mitigation_id)))


@bp.put("/<reference>/mitigations/<int:mitigation_id>")
@eia_first("eia.edit")
@bp.arguments(MitigationInputSchema, location="json")
@bp.response(200, MitigationSchema)
@bp.doc(parameters=[IF_MATCH])
def change_mitigation(values: dict[str, Any], eia: Eia, mitigation_id: int):
    """Change a mitigation."""
    found = _mitigation(eia, mitigation_id)
    check_if_match(MitigationSchema().dump(found))
    services.update_mitigation(found, _mitigation_values(eia, values), expected_version=found.version, by=api_user())
    db.session.commit()
    return respond(MitigationSchema().dump(found))


@bp.delete("/<reference>/mitigations/<int:mitigation_id>")
@eia_first("eia.edit")
@bp.response(204)
@bp.doc(parameters=[IF_MATCH])
def remove_mitigation(eia: Eia, mitigation_id: int):
    """Remove a mitigation."""
    found = _mitigation(eia, mitigation_id)
    check_if_match(MitigationSchema().dump(found))
    services.remove_mitigation(found, expected_version=found.version, by=api_user())
    db.session.commit()
    return "", 204


# Evidence ------------------------------------------------------------------------------------------


@bp.get("/<reference>/evidence")
@bp.response(200, EvidenceSchema(many=True))
def evidence(reference: str):
    """The evidence on an assessment (files' metadata, links and notes)."""
    return respond(EvidenceSchema(many=True).dump(evidence_queries.for_subject(_visible_eia(reference))), etag=False)


#: Documented by name in the OpenAPI document (the evidence upload reads its body itself).
bp.extra_schemas = {"EvidenceInput": EvidenceInputSchema}


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
def add_evidence(eia: Eia):
    """Add evidence: a link, a note or a file.

    A link or a note as JSON, or a file as multipart/form-data with a ``file`` part and the other
    fields as form fields. Files are checked by their content and size, as on the pages."""
    services.check_editable(eia)
    user = api_user()
    if request.mimetype == "multipart/form-data":
        form = request.form
        values = FileEvidenceInputSchema().load(
            {
                **{
                    key: form[key]
                    for key in ("title", "description", "source", "evidence_date", "is_public")
                    if key in form
                },
                "sections": form.getlist("sections"),
                "characteristics": form.getlist("characteristics"),
            }
        )
        upload = request.files.get("file")
        item = evidence_services.add_file(
            eia,
            values,
            stream=upload.stream if upload and upload.filename else None,
            file_name=upload.filename if upload else None,
            characteristics=_chosen_characteristics(eia, values),
            by=user,
            store=store_for(),
            max_bytes=current_app.config["EIA_MAX_UPLOAD_MB"] * 1024 * 1024,
        )
    else:
        values = EvidenceInputSchema().load(_json_body())
        add = evidence_services.add_link if values["kind"] == "link" else evidence_services.add_note
        item = add(eia, values, characteristics=_chosen_characteristics(eia, values), by=user)
    db.session.commit()
    location = url_for("eias.evidence_item", reference=eia.reference, evidence_id=item.id)
    return respond(EvidenceSchema().dump(item), 201, headers={"Location": location})


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(
            "Send a JSON object", {"_schema": "Send a JSON object, or a file as multipart/form-data"}
        )
    return body


def _chosen_characteristics(eia: Eia, values: dict[str, Any]) -> list[Any]:
    sections = {s.key for s in eia.form.sections}
    register = {c.key: c for c in queries.characteristics_for(eia)}
    problems = {}
    wrong_sections = [key for key in values.get("sections", []) if key not in sections]
    if wrong_sections:
        problems["sections"] = f"Not sections of this assessment: {', '.join(wrong_sections)}"
    wrong = [key for key in values.get("characteristics", []) if key not in register]
    if wrong:
        problems["characteristics"] = f"Not in the register: {', '.join(wrong)}"
    if problems:
        raise ValidationFailed("Unknown sections or characteristics", problems)
    return [register[key] for key in dict.fromkeys(values.get("characteristics", []))]


@bp.get("/<reference>/evidence/<int:evidence_id>")
@bp.response(200, EvidenceSchema)
def evidence_item(reference: str, evidence_id: int):
    """One piece of evidence's metadata.

    The file itself downloads from the assessment's evidence page."""
    eia = _visible_eia(reference)
    return respond(EvidenceSchema().dump(evidence_queries.item_or_404(eia, evidence_id)))


# Workflow and history ------------------------------------------------------------------------------


@bp.post("/<reference>/transitions")
@eia_first()
@bp.arguments(TransitionInputSchema, location="json")
@bp.response(200, EiaSchema)
@bp.doc(parameters=[IF_MATCH])
def transition(values: dict[str, Any], eia: Eia):
    """Move the assessment along the workflow.

    submit, start_review, return (comment needed), approve, withdraw (comment needed), sign_off
    (comment and ``confirmed`` needed), publish, archive (comment needed). If-Match takes the ETag
    of ``GET /eias/{reference}``, so nobody approves or signs off something that changed after
    they read it."""
    check_if_match(eia_data(eia))
    workflow.transition(eia, values["name"], by=api_user(), comment=values["comment"], confirmed=values["confirmed"])
    db.session.commit()
    return respond(eia_data(queries.eia_or_404(eia.reference)))


@bp.post("/<reference>/versions")
@bp.response(201, EiaSchema)
def reopen(reference: str):
    """Start the next version of a finished assessment.

    For its review; the old version stays as it was."""
    eia = _visible_eia(reference)
    following = workflow.reopen(eia, by=api_user())
    db.session.commit()
    following = queries.eia_or_404(following.reference)
    return respond(eia_data(following), 201, headers={"Location": _eia_url(following)})


@bp.get("/<reference>/history")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(HistoryEntrySchema))
def history(reference: str, page: int, per_page: int):
    """Every change to the assessment from the audit log, newest first."""
    eia = _visible_eia(reference)
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(eia.id))
        .order_by(AuditEntry.seq.desc())
    )
    result = paginated(query, {"page": page, "per_page": per_page})
    result["items"] = HistoryEntrySchema(many=True).dump(result["items"])
    return respond(result, etag=False)
