"""The API for assessments: lists, one EIA with its sections, impacts, mitigations, evidence and
action links, writes through the same services as the pages, workflow transitions and history.

An EIA the token's owner may not see answers 404, as if it did not exist. The evidence operations
are in :mod:`eia.assessments.evidence_api`.
"""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eia import signals
from eia.accounts.models import User
from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import Shown, before_body, fields_named, requires
from eia.api.schemas import PageArgs, page_of
from eia.assessments import impacts as impacts_service
from eia.assessments import mitigations as mitigation_services
from eia.assessments import queries, services, workflow
from eia.assessments.models import Eia, Mitigation
from eia.assessments.queries import EiaFilter
from eia.assessments.schemas import (
    EiaListArgs,
    EiaSchema,
    EiaSummarySchema,
    ImpactsInputSchema,
    MitigationInputSchema,
    MitigationSchema,
    NewEiaSchema,
    SectionInputSchema,
    SectionSchema,
    TransitionInputSchema,
    check_answers,
)
from eia.assessments.submission import DECLARATION
from eia.auditlog.models import AuditEntry
from eia.auditlog.schemas import HistoryEntrySchema
from eia.errors import NotFound, ValidationFailed
from eia.evidence import queries as evidence_queries
from eia.extensions import db
from eia.page_cache import api_answer
from eia.permissions import can, permit
from eia.signals import values_from
from eia.web import paginate

bp = api_blueprint("eias", __name__, url_prefix="/eias", description="Equality impact assessments")


def visible_eia(reference: str) -> Eia:
    """The assessment *reference* names, if the token's owner may see it (404 otherwise, as if it did
    not exist), with the people it names loaded in one query."""
    if len(reference) > 40:
        raise NotFound(f"There is no equality impact assessment {reference[:40]}.")
    eia = queries.eia_or_404(reference)
    if not can(api_user(), "eia.view", eia):
        raise NotFound(f"There is no equality impact assessment {reference}.")
    # The people the EIA names, in one query: its author, lead, signer, reviewer and mitigation owners are
    # then found in the session instead of one query each.
    people = {eia.author_id, eia.lead_officer_id, eia.signed_off_by_id, eia.reviewer_id}
    people |= {m.owner_id for m in eia.mitigations}
    g.api_people = db.session.execute(select(User).where(User.id.in_(people - {None}))).scalars().all()
    return eia


def eia_first(action: str | None = None):
    """Load the EIA named in the URL (404 if the token's owner may not see it) and check *action*
    on it before the body is read; the view gets ``eia`` instead of ``reference``."""

    def check(reference: str, **kwargs: Any) -> dict[str, Any]:
        eia = visible_eia(reference)
        if action is not None:
            permit(api_user(), action, eia)
        return {"eia": eia, **kwargs}

    return before_body(check)


def _transitions(eia: Eia) -> list[dict[str, Any]]:
    return [
        {"name": step.name, "label": step.label, "needs_comment": step.needs_comment}
        for step in workflow.available_transitions(eia, api_user())
    ]


def shown_eia(eia: Eia) -> Shown:
    """The whole EIA as the API shows it (``EiaSchema`` dumps it; its ETag covers all of it)."""
    parts: dict[str, Any] = {"action_links": []}
    for extra in values_from(signals.eia_api_extras.send(None, eia=eia)):
        parts.update(extra)
    declared = [s for s in eia.snapshots if s.declaration]
    return Shown(
        eia,
        **parts,
        declaration=declared[-1] if declared else None,
        declaration_to_confirm=DECLARATION,
        sections=[shown_section(eia, s.key) for s in eia.form.sections if eia.section(s.key) is not None],
        evidence=evidence_queries.for_subject(eia),
        transitions=_transitions(eia),
    )


def shown_section(eia: Eia, key: str) -> dict[str, Any]:
    """One section as the API shows it (``SectionSchema`` dumps it)."""
    definition = eia.form.section(key)
    saved = eia.section(key)
    if definition is None or saved is None:
        raise NotFound(f"{eia.reference} has no section {key[:40]!r}.")
    task = next(t for t in services.task_list(eia) if t.key == key)
    return {
        "key": key,
        "title": definition.title,
        "kind": definition.kind,
        "status": saved.status.value,
        "needed": task.needed,
        "needed_reason": task.reason,
        "answers": dict(saved.answers),
        "updated_at": saved.updated_at,
        "version": saved.version,
    }


def _eia_url(eia: Eia) -> str:
    return url_for("eias.eia", reference=eia.reference)


@bp.get("/")
@requires("eia.list")
@api_answer
@bp.arguments(EiaListArgs, location="query")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(EiaSummarySchema))
def eias(filters: EiaFilter, page: int, per_page: int) -> Pagination:
    """Assessments the token's owner may see.

    Most recently changed first, with the list page's filters."""
    query = queries.with_list_details(queries.eias(api_user(), filters)).options(
        selectinload(Eia.author), selectinload(Eia.lead_officer)
    )
    return paginate(query, page=page, per_page=per_page)


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
    return shown_eia(eia), {"Location": _eia_url(eia)}


@bp.get("/<reference>")
@bp.etag
@bp.response(200, EiaSchema)
def eia(reference: str) -> Shown:
    """One assessment, whole.

    Its answers by section, impacts, mitigations, evidence, action links and the workflow steps the
    token's owner may take now. The ETag goes in If-Match of a transition."""
    return shown_eia(visible_eia(reference))


@bp.get("/<reference>/sections/<key>")
@bp.etag
@bp.response(200, SectionSchema)
def section(reference: str, key: str) -> dict[str, Any]:
    """One section's answers and status.

    Its ETag goes in If-Match when saving it."""
    return shown_section(visible_eia(reference), key)


@bp.put("/<reference>/sections/<key>")
@eia_first("eia.edit")
@bp.etag
@bp.arguments(SectionInputSchema, location="json")
@bp.response(200, SectionSchema)
def save_section(values: dict[str, Any], eia: Eia, key: str) -> dict[str, Any]:
    """Replace a section's answers.

    As "Save and continue" does; ``completed`` marks it done, which needs every required answer.
    For the impacts themselves use ``PUT .../impacts``."""
    current = shown_section(eia, key)
    bp.check_etag(current, SectionSchema)
    definition = eia.form.section(key)
    assert definition is not None  # _shown_section found it
    people = {int(value) for value, _ in queries.people_choices()}
    answers = check_answers(definition, values["answers"], people)
    user = api_user()
    if definition.kind == "impacts":
        impacts_service.save_impacts(
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
    return shown_section(queries.eia_or_404(eia.reference), key)


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
                "finding_out": impact.finding_out,
            }
            if impact
            else {}
        )
    return result


@bp.put("/<reference>/impacts")
@eia_first("eia.edit")
@bp.etag
@bp.arguments(ImpactsInputSchema, location="json")
@bp.response(200, SectionSchema)
def save_impacts(values: dict[str, Any], eia: Eia) -> dict[str, Any]:
    """Save the impact on each characteristic.

    Sets the characteristics named in ``impacts`` (by key; others stay as they are) and the
    section's own answers (intersectional and cumulative impacts, the three aims of the duty).
    If-Match takes the ETag of ``GET .../sections/impacts``."""
    definition = next((s for s in eia.form.sections if s.kind == "impacts"), None)
    if definition is None:
        raise NotFound(f"{eia.reference} has no impacts section.")
    current = shown_section(eia, definition.key)
    bp.check_etag(current, SectionSchema)
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
    impacts_service.save_impacts(
        eia, impacts, answers, completed=values["completed"], expected_version=current["version"], by=api_user()
    )
    db.session.commit()
    return shown_section(queries.eia_or_404(eia.reference), definition.key)


# Mitigations ---------------------------------------------------------------------------------------


def _mitigation(eia: Eia, mitigation_id: int) -> Mitigation:
    found = next((m for m in eia.mitigations if m.id == mitigation_id), None)
    if found is None:
        raise NotFound(f"{eia.reference} has no mitigation {mitigation_id}.")
    return found


def _mitigation_input(values: dict[str, Any]) -> dict[str, Any]:
    """The body as the services take it: the characteristic by its id in the register (whether the
    assessment has a negative impact on it is the service's rule)."""
    key = values.pop("characteristic", None)
    if not key:
        return {**values, "characteristic_id": None}
    found = next((c for c in queries.characteristics() if c.key == key), None)
    if found is None:
        raise ValidationFailed(
            "Not a negative impact", {"characteristic": "Choose a characteristic with a negative impact here"}
        )
    return {**values, "characteristic_id": found.id}


#: The service names the characteristic by its id; the API's body by its key.
_AS_SENT = {"characteristic_id": "characteristic"}


@bp.get("/<reference>/mitigations")
@bp.response(200, MitigationSchema(many=True))
def mitigations(reference: str) -> list[Mitigation]:
    """The mitigations of an assessment."""
    return visible_eia(reference).mitigations


@bp.post("/<reference>/mitigations")
@eia_first("eia.edit")
@bp.arguments(MitigationInputSchema, location="json")
@bp.response(201, MitigationSchema)
def add_mitigation(values: dict[str, Any], eia: Eia):
    """Add a mitigation.

    The negative impact it addresses, the action, its owner, due date, status and measure."""
    with fields_named(**_AS_SENT):
        added = mitigation_services.add_mitigation(eia, _mitigation_input(values), by=api_user())
    db.session.commit()
    return added, {"Location": url_for("eias.mitigation", reference=eia.reference, mitigation_id=added.id)}


@bp.get("/<reference>/mitigations/<int:mitigation_id>")
@bp.etag
@bp.response(200, MitigationSchema)
def mitigation(reference: str, mitigation_id: int) -> Mitigation:
    """One mitigation.

    Its ETag goes in If-Match to change or remove it."""
    return _mitigation(visible_eia(reference), mitigation_id)


@bp.put("/<reference>/mitigations/<int:mitigation_id>")
@eia_first("eia.edit")
@bp.etag
@bp.arguments(MitigationInputSchema, location="json")
@bp.response(200, MitigationSchema)
def change_mitigation(values: dict[str, Any], eia: Eia, mitigation_id: int) -> Mitigation:
    """Change a mitigation."""
    found = _mitigation(eia, mitigation_id)
    bp.check_etag(found, MitigationSchema)
    with fields_named(**_AS_SENT):
        mitigation_services.update_mitigation(
            found, _mitigation_input(values), expected_version=found.version, by=api_user()
        )
    db.session.commit()
    return found


@bp.delete("/<reference>/mitigations/<int:mitigation_id>")
@eia_first("eia.edit")
@bp.etag
@bp.response(204)
def remove_mitigation(eia: Eia, mitigation_id: int) -> None:
    """Remove a mitigation."""
    found = _mitigation(eia, mitigation_id)
    bp.check_etag(found, MitigationSchema)
    mitigation_services.remove_mitigation(found, expected_version=found.version, by=api_user())
    db.session.commit()


# Workflow and history ------------------------------------------------------------------------------


@bp.post("/<reference>/transitions")
@eia_first()
@bp.etag
@bp.arguments(TransitionInputSchema, location="json")
@bp.response(200, EiaSchema)
def transition(values: dict[str, Any], eia: Eia) -> Shown:
    """Move the assessment along the workflow.

    submit (``confirmed``: the author confirms ``declaration_to_confirm``), withdraw_submission
    (until the review starts), start_review, return (comment needed), approve, withdraw (comment
    needed), sign_off (comment and ``confirmed`` needed), send_back_to_review and send_back_to_author
    (the decision maker instead of signing off; the reason as the comment), publish, archive (comment needed),
    abandon (a draft; the reason as the comment), restore (the equalities team). If-Match takes the ETag
    of ``GET /eias/{reference}``, so nobody approves or signs off something that changed after
    they read it."""
    bp.check_etag(shown_eia(eia), EiaSchema)
    workflow.transition(eia, values["name"], by=api_user(), comment=values["comment"], confirmed=values["confirmed"])
    db.session.commit()
    return shown_eia(queries.eia_or_404(eia.reference))


@bp.post("/<reference>/versions")
@bp.response(201, EiaSchema)
def reopen(reference: str):
    """Start the next version of a finished assessment.

    For its review; the old version stays as it was."""
    eia = visible_eia(reference)
    following = workflow.reopen(eia, by=api_user())
    db.session.commit()
    following = queries.eia_or_404(following.reference)
    return shown_eia(following), {"Location": _eia_url(following)}


@bp.get("/<reference>/history")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(HistoryEntrySchema))
def history(reference: str, page: int, per_page: int) -> Pagination:
    """Every change to the assessment from the audit log, newest first."""
    eia = visible_eia(reference)
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(eia.id))
        .order_by(AuditEntry.seq.desc())
    )
    return paginate(query, page=page, per_page=per_page)
