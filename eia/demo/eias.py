"""Demo equality impact assessments, written as council officers write them.

Each scenario is a full assessment (answers, impacts on the characteristics it really touches,
mitigations, an outcome). ``load_demo_eias`` writes about forty of them through the same services as
the app, across service areas, two financial years and every state of the workflow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments import impacts as impacts_service
from eia.assessments import queries, services, workflow
from eia.assessments.models import Eia
from eia.demo.form_v2 import V2_STATES, v2_answers
from eia.demo.scenarios import NEUTRAL, SCENARIOS, Scenario
from eia.extensions import db


def _person(role: Role, area: ServiceArea | None = None) -> User:
    query = select(User).where(User.role == role, User.is_enabled.is_(True))
    if area is not None:
        query = query.where(User.service_area_id == area.id)
    return db.session.execute(query.order_by(User.id).limit(1)).scalar_one()


#: (scenario index, year, state, variant title) for the forty demo EIAs.
PLAN = [
    (i % len(SCENARIOS), year, state, variant)
    for i, (year, state, variant) in enumerate(
        [(2024, "published", "2024/25")] * 8
        + [(2024, "signed_off", "2024/25")] * 4
        + [(2025, "published", "2025/26")] * 6
        + [(2025, "approved", "2025/26")] * 4
        + [(2025, "in_review", "2025/26")] * 4
        + [(2025, "submitted", "2025/26")] * 4
        + [(2025, "returned", "2025/26")] * 4
        + [(2025, "draft", "2025/26")] * 6
    )
]


def _area(path: str) -> ServiceArea:
    from eia.accounts.queries import service_area_by_name

    area = service_area_by_name(path)
    if area is None:
        raise LookupError(f"demo service area {path} is missing")
    return area


def _write(scenario: Scenario, title: str, author: User, started: date, review: date, *, v2: bool) -> Eia:
    """One demo assessment: on version 2 of the form for the ones started most recently, version 1 for
    the older ones (as a council's would be)."""
    template = queries.template_of(scenario.kind, 2 if v2 else 1) or queries.latest_template(scenario.kind)
    if template is None:
        raise LookupError(f"no {scenario.kind} form template is loaded")
    eia = services.create_eia(
        kind=scenario.kind, title=title, service_area=_area(scenario.area), by=author, template=template
    )
    answers = {
        "about": {**scenario.about, "title": title, "lead_officer": str(author.id), "started_on": started},
        "screening": scenario.screening,
        "previous": scenario.previous,
        "evidence": scenario.evidence,
        "consultation": scenario.consultation,
        "impacts": scenario.aims,
        "armed_forces": scenario.armed_forces,
        "mitigations": {"monitoring": scenario.monitoring},
        "outcome": {**scenario.outcome, "review_date": review},
        "action_links": {},
    }
    if v2:
        for section_key, extra in v2_answers(scenario.title, author.id, started).items():
            answers[section_key] = {**answers.get(section_key, {}), **extra}
    for section in eia.form.sections:
        if section.needed_when is not None and not section.needed_when.holds(eia.answers):
            continue  # the Covenant section, when screening found no function it covers
        saved = eia.section(section.key)
        version = saved.version if saved else 0
        if section.kind == "impacts":
            impacts = {}
            for c in queries.characteristics_for(eia):
                direction, severity, effect, who, *finding_out = scenario.impacts.get(
                    c.key, ("neutral", None, NEUTRAL, "")
                )
                impacts[c] = {
                    "direction": direction,
                    "severity": severity,
                    "description": effect,
                    "who_affected": who,
                    "finding_out": finding_out[0] if finding_out else "",
                }
            impacts_service.save_impacts(
                eia, impacts, answers["impacts"], completed=True, expected_version=version, by=author
            )
        else:
            services.save_section(
                eia,
                section.key,
                answers.get(section.key, {}),
                completed=True,
                expected_version=version,
                by=author,
                today=started,
            )
    characteristic_ids = {i.characteristic.key: i.characteristic_id for i in eia.impacts}
    for key, action, measure in scenario.mitigations:
        services.add_mitigation(
            eia,
            {
                "characteristic_id": characteristic_ids.get(key) if key else None,
                "action": action,
                "owner_id": author.id,
                "due_on": started + timedelta(days=150),
                "status": "in_progress",
                "measure": measure,
            },
            by=author,
        )
    return eia


def load_demo_eias() -> int:
    """Write the forty demo EIAs unless there are already EIAs; returns how many were added."""
    if db.session.execute(select(func.count()).select_from(Eia)).scalar_one():
        return 0
    reviewer = _person(Role.EQUALITIES)
    decision_maker = _person(Role.DECISION_MAKER)
    authors = [u for u in db.session.execute(select(User).where(User.role == Role.AUTHOR)).scalars()]
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "in_review": ["submit", "start_review"],
        "returned": ["submit", "start_review", "return"],
        "approved": ["submit", "start_review", "approve"],
        "signed_off": ["submit", "start_review", "approve", "sign_off"],
        "published": ["submit", "start_review", "approve", "sign_off", "publish"],
    }
    count = 0
    for n, (index, year, state, variant) in enumerate(PLAN):
        scenario = SCENARIOS[index]
        author = authors[n % len(authors)]
        started = date(year, 4, 1) + timedelta(days=(n * 37) % 300)
        title = f"{scenario.title} {variant}" + (f" ({n // len(SCENARIOS) + 1})" if n >= len(SCENARIOS) else "")
        eia = _write(scenario, title, author, started, review=date(year + 2, 3, 31), v2=state in V2_STATES)
        for step in steps[state]:
            if step == "publish" and eia.is_individual:
                break
            signer = reviewer if (step == "sign_off" and eia.is_individual) else decision_maker
            by = {"submit": author, "sign_off": signer}.get(step, reviewer)
            comment = {
                "return": "Please add the borrower data by age for each branch, and say how the mitigation for older people will be measured.",
                "sign_off": "I have read the adverse impacts and accept the mitigations.",
            }.get(step)
            workflow.transition(eia, step, by=by, comment=comment, confirmed=True)
        created = datetime.combine(started, datetime.min.time(), tzinfo=UTC)
        eia.created_at = created
        for stamp in ("submitted_at", "approved_at", "signed_off_at", "published_at"):
            if getattr(eia, stamp) is not None:
                created += timedelta(days=9)
                setattr(eia, stamp, created)
        count += 1
    db.session.flush()
    return count
