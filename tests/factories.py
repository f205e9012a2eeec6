"""Builders for test data: ``make_user(role=...)`` and friends, each with sensible defaults.

Each commits, which in the test fixture only releases a SAVEPOINT: the data survives an error
handler's rollback during a later request and is still thrown away after the test.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from eia.accounts import passwords
from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import Eia
from eia.assessments.queries import latest_template, template_of
from eia.assessments.services import create_eia
from eia.assessments.states import EiaKind
from eia.db_types import utcnow
from eia.extensions import db
from forms.sections import part_of, section_parts

PASSWORD = "correct horse battery staple"
# Hashing once keeps the suite fast; every user made here shares this password.
_PASSWORD_HASH = passwords.FAST_FOR_TESTS.hash(PASSWORD)
_counter = itertools.count(1)


def make_service_area(name: str | None = None, parent: ServiceArea | None = None) -> ServiceArea:
    area = ServiceArea(name=name or f"Team {next(_counter)}", parent=parent, is_active=True)
    db.session.add(area)
    db.session.commit()
    return area


def make_user(role: Role = Role.AUTHOR, **overrides: Any) -> User:
    n = next(_counter)
    if "service_area" not in overrides and role is Role.AUTHOR:
        directorate = make_service_area(f"Directorate {n}")
        overrides["service_area"] = make_service_area(f"Team {n}", parent=directorate)
    values: dict[str, Any] = {
        "email": f"person{n}@council.example",
        "name": f"Person {n}",
        "role": role,
        "password_hash": _PASSWORD_HASH,
        "is_enabled": True,
        "password_changed_at": utcnow(),
    }
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


def make_plan(
    title: str = "Equality Strategy Action Plan 2020 - 2022", organisation: str = "Charnwood Borough Council"
):
    """A plan with one priority and two actions."""
    from tracker.models import Plan, PlanAction, Priority

    plan = Plan(title=title, organisation=organisation, is_active=True)
    priority = Priority(
        ref="PEO 1", text="To assess, consult and evaluate the equality impact of our policies", position=1
    )
    priority.actions.append(
        PlanAction(
            ref="1.1",
            text="Review and update the council's approach to EIAs",
            leads=["Improvement"],
            target_text="September 2021",
            success_measures=["Positive feedback"],
            position=1,
        )
    )
    priority.actions.append(
        PlanAction(
            ref="1.3",
            text="Audit EIA completion and publication rates",
            leads=["Improvement"],
            target_text="March 2022",
            success_measures=["Annual EIA report"],
            position=2,
        )
    )
    plan.priorities.append(priority)
    db.session.add(plan)
    db.session.commit()
    return plan


def make_planned(
    service_area_id: int, title: str = "Library opening hours", start: date = date(2025, 5, 1), eia: Eia | None = None
):
    from tracker.models import PlannedEia

    planned = PlannedEia(
        title=title, service_area_id=service_area_id, planned_start=start, eia_id=eia.id if eia else None
    )
    db.session.add(planned)
    db.session.commit()
    return planned


def make_eia(
    author: User | None = None,
    kind: EiaKind = EiaKind.STANDARD,
    title: str = "Library opening hours 2026",
    template_version: int | None = None,
    **fields: Any,
) -> Eia:
    """A draft EIA started by *author* (a new service manager by default) on the newest template, or
    on version *template_version* of it."""
    author = author or make_user(Role.AUTHOR)
    area = author.service_area or make_service_area(f"Team {next(_counter)}")
    template = latest_template(kind) if template_version is None else template_of(kind, template_version)
    eia = create_eia(kind=kind, title=title, service_area=area, by=author, template=template)
    for name, value in fields.items():
        setattr(eia, name, value)
    db.session.commit()
    return eia


#: Complete answers for every question section of the standard templates (v1 and v2; a section keeps
#: only the answers its version asks).
STANDARD_ANSWERS: dict[str, dict[str, Any]] = {
    "about": {
        "title": "Library opening hours 2026",
        "proposal_type": "service",
        "decision_maker": "Cabinet Member for Culture",
        "decision_route": "cabinet",
        "started_on": date(2026, 2, 3),
        "aims": "Keep all eight branch libraries open within a budget reduced by £180,000.",
        "changes": "Four branches move from 48 to 36 opening hours a week; Saturday mornings are kept.",
        "affects": "both",
        "plain_summary": "Four libraries will open fewer weekday hours. Older and disabled borrowers use weekday "
        "mornings most, so two branches keep them.",
    },
    "screening": {
        "numbers_affected": "About 41,000 active borrowers; 6.2 FTE library staff posts change rota.",
        "significance": "Moderate: reduced access on weekday evenings.",
        "covenant_functions": ["none"],
        "full_eia_needed": "yes",
    },
    "previous": {"revisits_previous": "no"},
    "evidence": {
        "known_data": "Library management system visits by hour, 2024-25; borrower profile by age and postcode."
    },
    "consultation": {
        "who_engaged": "Friends of the Libraries groups, the Disability Forum, library staff.",
        "how_and_when": "Online survey and four drop-in sessions, October 2025.",
        "what_they_said": "Older borrowers rely on weekday mornings; disabled borrowers on the home library service.",
        "consultation_duty": "voluntary",
        "consultation_weeks": "4 weeks",
        "gunning_consideration": "A summary of responses by age group goes to Cabinet with the report.",
        "gunning_formative": "yes",
        "gunning_information": "yes",
        "accessible_formats": ["easy_read", "large_print"],
    },
    "local_duties": {
        "corporate_parenting": "Care leavers' job clubs on weekday mornings stay at the two central branches.",
        "socio_economic": "Three of the four branches are in the most deprived fifth of areas; after-school hours stay.",
    },
    "rights": {"human_rights_engaged": "no", "personal_data": "none", "dpia": "not_applicable"},
    "impacts": {
        "aim_discrimination": "Opening hours apply equally; the home library service continues unchanged.",
        "aim_opportunity": "Saturday and after-school hours are kept for children and working parents.",
        "aim_relations": "Libraries stay community spaces in every ward.",
    },
    "armed_forces": {"relevant_functions": ["none"]},
    "mitigations": {
        "monitoring": "Visits by hour and home-delivery requests, reported quarterly.",
        "monitoring_frequency": "quarterly",
        "monitoring_reported_to": "Culture Services management team",
        "monitoring_indicators": "Weekday morning visits by people over 65; home library requests.",
        "post_implementation_review": date(2027, 4, 1),
    },
    "outcome": {
        "unlawful_discrimination": "no",
        "outcome": "adjust",
        "summary": "Hours adjusted to keep mornings at the two branches older borrowers use most.",
        "review_date": date(2099, 4, 1),
    },
    "action_links": {},
}


def complete_eia(eia: Eia, by: User, negative: tuple[str, ...] = ("age",), mitigate: bool = True) -> Eia:
    """Answer every section so *eia* can be submitted; *negative* characteristics get a negative impact,
    each with a mitigation unless *mitigate* is false."""
    from eia.assessments import impacts as impacts_service
    from eia.assessments import mitigations as eia_mitigations
    from eia.assessments import queries as eia_queries
    from eia.assessments import services as eia_services

    for section in eia.form.sections:
        if section.needed_when is not None and not section.needed_when.holds(eia.answers):
            continue  # a section a rule of the template leaves out (the Covenant, with no covered function)
        answers = dict(STANDARD_ANSWERS.get(section.key, {}))
        if section.key == "mitigations":
            answers |= {"monitoring_owner": str(by.id)}
        if section.key == "about":
            answers |= {"lead_officer": str(by.id), "title": eia.title}
            if eia.is_individual:
                answers |= {"action_type": "restructure", "affected": "Staff in the post room, grades 2 to 4."}
        version = eia.section(section.key).version
        if section.kind == "impacts":
            impacts = {
                c: {
                    "direction": "negative" if c.key in negative else "neutral",
                    "severity": "medium" if c.key in negative else None,
                    "description": f"Effect on {c.name.lower()}: fewer weekday hours."
                    if c.key in negative
                    else "No differential effect found.",
                }
                for c in eia_queries.characteristics_for(eia)
            }
            impacts_service.save_impacts(eia, impacts, answers, completed=True, expected_version=version, by=by)
        else:
            eia_services.save_section(eia, section.key, answers, completed=True, expected_version=version, by=by)
    if mitigate:
        for impact in eia.impacts:
            if impact.is_negative:
                eia_mitigations.add_mitigation(
                    eia,
                    {
                        "characteristic_id": impact.characteristic_id,
                        "action": "Keep Tuesday and Thursday mornings at the two branches older borrowers use most.",
                        "owner_id": by.id,
                        "due_on": date(2099, 6, 30),
                        "status": "not_started",
                        "measure": "Morning visits by over-65s, compared quarterly with 2024-25.",
                    },
                    by=by,
                )
    db.session.commit()
    return eia


def section_page(eia: Eia, key: str, question: str | None = None) -> str:
    """The address of the page of section *key* that asks *question* (its first page without one)."""
    number = part_of(eia.form.section(key), question) if question else 1
    return f"/eias/{eia.reference}/sections/{key}" + (f"/{number}" if number > 1 else "")


def post_section(client: Any, eia: Eia, key: str, data: dict[str, Any]) -> Any:
    """Answer section *key* as a person would, page after page, each page with the answers in *data*
    it asks (a date's boxes by its key) and the section's version as saved then; "completed" goes
    with the last page. The response of the first page that does not move on, or of the last."""
    parts = section_parts(eia.form.section(key))
    response = None
    for number, questions in enumerate(parts, start=1):
        asked = {q.key for q in questions}
        answers = {name: value for name, value in data.items() if name.split("-")[0] in asked}
        if number == len(parts) and "completed" in data:
            answers["completed"] = data["completed"]
        answers["version"] = str(eia.section(key).version)
        path = f"/eias/{eia.reference}/sections/{key}" + (f"/{number}" if number > 1 else "")
        response = client.post(path, data=answers)
        if response.status_code != 302:
            return response
    return response


def make_scored_sample(eia: Eia):
    """A frozen sample holding *eia* (made completed), scored once with one finding for its author."""
    from datetime import UTC, datetime

    from eia.assessments.states import EiaState
    from eia.quality import sampling, scoring

    eia.state = EiaState.APPROVED
    eia.approved_at = datetime(2025, 5, 1, tzinfo=UTC)
    auditor = make_user(Role.EQUALITIES)
    sample = sampling.draw_sample(
        period=sampling.parse_period("2025-Q1"),
        size="1",
        service_area_ids=[eia.service_area_id],
        exclude_months=0,
        by=auditor,
    )
    rubric = scoring.current_rubric()
    score = scoring.score_item(
        sample.items[0],
        rubric=rubric,
        scores={c["key"]: 1 for c in rubric.criteria},
        comments={},
        summary="",
        findings=[
            {"text": "Name the gaps", "criterion": "evidence", "owner_id": eia.author_id, "due_on": date(2026, 1, 1)}
        ],
        by=auditor,
    )
    db.session.commit()
    return sample, sample.items[0], score.findings[0]


def make_round(name: str = "Budget 2027/28", decision_on: date = date(2099, 2, 24)):
    """A budget round made by a new member of the equalities team."""
    from eia.rounds import services as round_services

    budget_round = round_services.create_round(name=name, decision_on=decision_on, by=make_user(Role.EQUALITIES))
    db.session.commit()
    return budget_round


class MatrixObjects(dict[str, Any]):
    """What the permission matrices' paths name, made when a path first names them (most paths name
    none, and a test then spends nothing on them): another service manager (``target``, ``user``), their
    assessment approved and in a scored sample with one finding (``eia``, ``template``, ``sample``,
    ``item``, ``score``, ``finding``), a plan and its first action, a planned EIA, a budget round; and
    ids that name nothing (a missing mitigation is a 404 behind the same permission). Use it with
    ``path.format_map(objects)``."""

    def __init__(self) -> None:
        super().__init__(mitigation=1, characteristic=10, evidence=1, link=1, coauthor=1, comment=1, checkpoint=1)
        self["year"] = 2025

    def __missing__(self, key: str) -> Any:
        build = _MATRIX_PARTS.get(key)
        if build is None:
            raise KeyError(key)
        self.update(build(self))
        return self[key]


def _matrix_person(objects: MatrixObjects) -> dict[str, Any]:
    target = make_user(Role.AUTHOR)
    return {"target": target, "user": target.id}


def _matrix_assessment(objects: MatrixObjects) -> dict[str, Any]:
    eia = make_eia(author=objects["target"])
    reference, template_id = eia.reference, eia.template_id
    sample, item, finding = make_scored_sample(eia)
    return {
        "eia": reference,
        "template": template_id,
        "sample": sample.id,
        "item": item.id,
        "score": finding.score_id,
        "finding": finding.id,
    }


def _matrix_plan(objects: MatrixObjects) -> dict[str, Any]:
    plan = make_plan()
    return {"plan": plan.id, "action": plan.priorities[0].actions[0].id}


_MATRIX_PARTS: dict[str, Any] = {
    **dict.fromkeys(("target", "user"), _matrix_person),
    **dict.fromkeys(("eia", "template", "sample", "item", "score", "finding"), _matrix_assessment),
    **dict.fromkeys(("plan", "action"), _matrix_plan),
    "planned": lambda objects: {"planned": make_planned(objects["target"].service_area_id).id},
    "round": lambda objects: {"round": make_round().id},
}


def matrix_objects() -> MatrixObjects:
    """The objects the permission matrices' paths name, each made when first named."""
    return MatrixObjects()
