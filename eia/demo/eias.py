"""Demo equality impact assessments, written as council officers write them.

Each scenario is a full assessment (answers, impacts on the characteristics it really touches,
mitigations, an outcome). ``load_demo_eias`` writes each one once through the same services as the
app, every date counted back from the day the demo is loaded: about two years of assessments, each
with the reference of the year it started, across service areas and every state of the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments import impacts as impacts_service
from eia.assessments import mitigations, queries, services, workflow
from eia.assessments.models import SCREENING_SECTIONS, Eia, MitigationStatus
from eia.db_types import utcnow
from eia.demo.form_v2 import V2_STATES, v2_answers
from eia.demo.scenarios import BY_TITLE, NEUTRAL, Scenario
from eia.demo.story import on_day, told_at, working_day
from eia.extensions import db
from eia.working_days import add_working_days


def _person(role: Role, area: ServiceArea | None = None) -> User:
    query = select(User).where(User.role == role, User.is_enabled.is_(True))
    if area is not None:
        query = query.where(User.service_area_id == area.id)
    return db.session.execute(query.order_by(User.id).limit(1)).scalar_one()


def author_for(scenario: Scenario) -> User:
    """The first service manager of the scenario's service area: a service manager writes and sees
    only their own service area's assessments."""
    return _person(Role.AUTHOR, _area(scenario.area))


@dataclass(frozen=True)
class Planned:
    """One demo assessment: its scenario, how many days before the demo was loaded it started, the
    state it reaches, how many days before the demo its last step was taken, and how long after it
    started its review falls due."""

    title: str
    started: int
    state: str
    finished: int = 0
    review_after: int = 730


#: The demo's assessments, oldest first. Last year's are finished (one due for review, one
#: archived, one stopped, one screened out); this year's are at every stage of the workflow.
PLAN = [
    Planned("Housing allocations policy", 700, "published", 600, review_after=730),
    Planned("Council Tax Support scheme", 650, "published", 540, review_after=560),
    Planned("Closure of Riverside Leisure Centre", 610, "published", 500),
    Planned("Withdrawal of free swimming for under-16s", 570, "signed_off", 480),
    Planned("Replacement of the payroll system", 530, "published", 500),
    Planned("Digital by default for bulky waste bookings", 500, "archived", 60),
    Planned("Guaranteed interview scheme for care leavers and veterans", 470, "signed_off", 380),
    Planned("Library opening hours", 330, "published", 230),
    Planned("Council tax exemption for care leavers", 290, "published", 150),
    Planned("Temporary accommodation placements policy", 240, "signed_off", 30),
    Planned("Redeployment after a change in health: finance assistant", 45, "signed_off", 1),
    Planned("Restructure of the revenues and benefits team", 130, "approved", 0),
    Planned("Transport to day opportunities: new charging policy", 100, "in_review", 6),
    Planned("Personal adviser service for care leavers: move to a hub model", 75, "submitted", 4),
    Planned("Charges for replacement wheeled bins", 70, "returned", 9),
    Planned("Closing the council tax phone line on Wednesdays", 64, "draft"),
    Planned("Removing overdue charges on children's library books", 40, "draft"),
    Planned("Tenancy strategy review", 30, "draft"),
    Planned("Housing register renewal letters", 21, "draft"),
]

#: Days after an assessment started that its author wrote each section (others: 40), as a council
#: officer would: what it is and whether it is needed first, the evidence, then the consultation's
#: results once it has closed (the stories' consultations end on day 63), the impacts and the rest.
WRITTEN_AFTER = {
    "about": 0,
    "screening": 1,
    "previous": 4,
    "evidence": 8,
    "consultation": 66,
    "impacts": 68,
    "armed_forces": 69,
    "rights": 69,
    "local_duties": 69,
    "mitigations": 70,
    "outcome": 71,
    "action_links": 71,
}

#: The assessments whose first mitigation is left overdue, so the dashboard shows a few (not dozens).
OVERDUE = {"Temporary accommodation placements policy", "Closure of Riverside Leisure Centre"}

#: Why the submitted assessment was once withdrawn.
WITHDRAWN_BECAUSE = (
    "The care leavers' forum met after I submitted: adding what they said about the hub's opening hours."
)
#: Why the archived assessment was archived.
ARCHIVED_BECAUSE = (
    "Bulky waste bookings moved to the new waste contract, which has an assessment of its own; this one is "
    "kept for the record."
)
SIGNED_OFF_BECAUSE = "I have read the adverse impacts and accept the mitigations."

STEPS = {
    "draft": [],
    # Withdrawn once, to add what the author had left out, before the review started.
    "submitted": ["submit", "withdraw_submission", "submit"],
    "in_review": ["submit", "start_review"],
    "returned": ["submit", "start_review", "return"],
    "approved": ["submit", "start_review", "approve"],
    "signed_off": ["submit", "start_review", "approve", "sign_off"],
    "published": ["submit", "start_review", "approve", "sign_off", "publish"],
    "archived": ["submit", "start_review", "return", "submit", "start_review", "approve", "sign_off", "publish"],
}
#: The moments each step records, dated by the scenario's story instead of the moment the demo loads.
STAMPS = {
    "submit": ("submitted_at",),
    "return": ("reviewed_at",),
    "approve": ("approved_at", "reviewed_at"),
    "sign_off": ("signed_off_at",),
    "publish": ("published_at",),
}


#: Working days from the step before to each step: the equalities team starts a review within two
#: days and ends it within the ten-day target; the decision maker signs off a fortnight later.
GAPS = {
    "submit": 0,
    "withdraw_submission": 1,
    "start_review": 2,
    "return": 7,
    "approve": 6,
    "sign_off": 10,
    "publish": 5,
}
#: Working days an author takes to answer a return before submitting again.
RESUBMIT = 12
#: The one assessment whose review overran the target, as one in a year does.
SLOW_REVIEW = "Closure of Riverside Leisure Centre"


def step_days(planned: Planned, started: date, finished: date) -> list[date]:
    """The day of each step of *planned*: its last step on *finished* (or as near as the gaps
    allow), the ones before it at the usual intervals, never before a fortnight after *started*."""
    steps = STEPS[planned.state]
    gaps = [
        (3 if steps[n - 1] == "withdraw_submission" else RESUBMIT) if step == "submit" and n else GAPS[step]
        for n, step in enumerate(steps)
    ]
    if planned.title == SLOW_REVIEW and "approve" in steps:
        gaps[steps.index("approve")] = 15
    span = sum(gaps) * 7 // 5 + 1  # working days as calendar days, roughly
    day = max(started + timedelta(days=14), finished - timedelta(days=span))
    days = []
    for gap in gaps:
        day = add_working_days(day, gap) if gap else working_day(day)
        days.append(min(day, finished))
    return days


def financial_year_label(on: date) -> str:
    year = on.year if on.month >= 4 else on.year - 1
    return f"{year}/{(year + 1) % 100:02d}"


def _when(started: date) -> dict[str, str]:
    """The dates a scenario's texts mention, counted from the day it started."""

    def day(d: date) -> str:
        return f"{d.day} {d:%B %Y}"

    return {
        "started": f"{started:%B %Y}",
        "consult_from": day(started + timedelta(days=21)),
        "consult_to": day(started + timedelta(days=63)),
        "consult_to_long": day(started + timedelta(days=105)),
        "consult_month": f"{started + timedelta(days=30):%B %Y}",
        "change_on": f"{started + timedelta(days=240):%B %Y}",
        "data_year": financial_year_label(started - timedelta(days=365)),
        "started_year": str(started.year),
    }


def _dated(value: Any, when: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format_map(when) if "{" in value else value
    if isinstance(value, dict):
        return {k: _dated(v, when) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_dated(v, when) for v in value)
    return value


def _area(path: str) -> ServiceArea:
    from eia.accounts.queries import service_area_by_name

    area = service_area_by_name(path)
    if area is None:
        raise LookupError(f"demo service area {path} is missing")
    return area


def _write(
    scenario: Scenario,
    title: str,
    author: User,
    started: date,
    review: date,
    *,
    v2: bool,
    today: date | None = None,
    complete: bool = True,
    ready_by: date | None = None,
) -> Eia:
    """One demo assessment, started on *started* (which gives it its reference's year): on version 2
    of the form for the ones started most recently, version 1 for the older ones (as a council's
    would be). A draft (*complete* false) leaves its sections in progress."""
    template = queries.template_of(scenario.kind, 2 if v2 else 1) or queries.latest_template(scenario.kind)
    if template is None:
        raise LookupError(f"no {scenario.kind} form template is loaded")
    when = _when(started)
    eia = services.create_eia(
        kind=scenario.kind,
        title=title,
        service_area=_area(scenario.area),
        by=author,
        template=template,
        today=started,
    )
    answers: dict[str, dict[str, Any]] = _dated(
        {
            "about": {**scenario.about, "title": title, "lead_officer": str(author.id), "started_on": started},
            "screening": scenario.screening,
            "previous": scenario.previous,
            "evidence": scenario.evidence,
            "consultation": scenario.consultation,
            "impacts": scenario.aims,
            "armed_forces": scenario.armed_forces,
            "mitigations": {"monitoring": scenario.monitoring, **scenario.residual},
            "outcome": {**scenario.outcome, "review_date": review},
            "action_links": {},
        },
        when,
    )
    if v2:
        for section_key, extra in v2_answers(scenario, author.id, started).items():
            answers[section_key] = {**answers.get(section_key, {}), **_dated(extra, when)}
    screened_out = scenario.screening.get("full_eia_needed") == "no"
    last = ready_by or today or started

    def written(key: str, n: int) -> datetime:
        """When the author wrote section *key*: in the order a council officer would, the
        consultation's results after it closed, all of it before *ready_by*."""
        day = max(started, min(started + timedelta(days=WRITTEN_AFTER.get(key, 40)), last))
        return on_day(day, 9 + n % 8, (13 * n) % 50)

    for n, section in enumerate(eia.form.sections):
        if section.needed_when is not None and not section.needed_when.holds(eia.answers):
            continue  # the Covenant section, when screening found no function it covers
        if screened_out and section.key not in SCREENING_SECTIONS:
            continue  # closed at screening: nothing more is asked
        saved = eia.section(section.key)
        version = saved.version if saved else 0
        if section.kind == "impacts":
            impacts = {}
            for c in queries.characteristics_for(eia):
                direction, severity, effect, who, *finding_out = _dated(
                    scenario.impacts.get(c.key, ("neutral", None, NEUTRAL, "")), when
                )
                impacts[c] = {
                    "direction": direction,
                    "severity": severity,
                    "description": effect,
                    "who_affected": who,
                    "finding_out": finding_out[0] if finding_out else "",
                }
            with told_at(written(section.key, n)):
                impacts_service.save_impacts(
                    eia, impacts, answers["impacts"], completed=complete, expected_version=version, by=author
                )
        else:
            values = {k: v for k, v in answers.get(section.key, {}).items() if v not in ("", None, [])}
            if not values and not complete:
                continue  # a draft's section not begun yet
            with told_at(written(section.key, n)):
                services.save_section(
                    eia,
                    section.key,
                    values,
                    completed=complete or section.key == "about",
                    expected_version=version,
                    by=author,
                    today=started,
                )
    characteristic_ids = {i.characteristic.key: i.characteristic_id for i in eia.impacts}
    with told_at(written("mitigations", 3)):
        _add_mitigations(eia, scenario, title, author, started, today, characteristic_ids, when)
    return eia


def _add_mitigations(
    eia: Eia,
    scenario: Scenario,
    title: str,
    author: User,
    started: date,
    today: date | None,
    characteristic_ids: dict[str, int],
    when: dict[str, str],
) -> None:
    for n, (key, action, measure) in enumerate(scenario.mitigations):
        due = started + timedelta(days=120 + 30 * n)
        overdue = title in OVERDUE and n == 0
        if today is not None and overdue:
            due = today - timedelta(days=21)
        finished = today is not None and due < today and not overdue
        mitigations.add_mitigation(
            eia,
            {
                "characteristic_id": characteristic_ids.get(key) if key else None,
                "action": _dated(action, when),
                "owner_id": author.id,
                "due_on": due,
                "status": MitigationStatus.DONE if finished else MitigationStatus.IN_PROGRESS,
                "measure": _dated(measure, when),
            },
            by=author,
        )


def _comment_on_sections(eia: Eia, scenario: Scenario, on: date, *, by: User) -> None:
    """The reviewer's comments on sections, made before returning the assessment on *on*."""
    with told_at(on_day(on, 9)):
        for key, (body, _reply) in scenario.section_comments.items():
            workflow.add_comment(eia, key, body, by=by)


def _deal_with_comments(eia: Eia, scenario: Scenario, on: date, *, by: User) -> None:
    """The author marks the section comments they have answered as dealt with, each with its reply."""
    replies = {key: reply for key, (_body, reply) in scenario.section_comments.items() if reply}
    with told_at(on_day(on + timedelta(days=2))):
        for comment in eia.comments:
            if comment.section_key in replies:
                workflow.mark_dealt_with(comment, reply=replies[comment.section_key], by=by)


def load_demo_eias(today: date) -> int:
    """Write the demo EIAs unless there are already EIAs; returns how many were added."""
    if db.session.execute(select(func.count()).select_from(Eia)).scalar_one():
        return 0
    reviewer = _person(Role.EQUALITIES)
    # An individual case is signed off by a second member of the team, not by the one who approved it.
    team = db.session.execute(select(User).where(User.role == Role.EQUALITIES).order_by(User.id)).scalars().all()
    second = team[1] if len(team) > 1 else reviewer
    decision_maker = _person(Role.DECISION_MAKER)
    count = 0
    for planned in PLAN:
        scenario = BY_TITLE[planned.title]
        author = author_for(scenario)
        started = today - timedelta(days=planned.started)
        finished = today - timedelta(days=planned.finished)
        days = step_days(planned, started, finished)
        with told_at(on_day(started, 9)):
            eia = _write(
                scenario,
                scenario.title,
                author,
                started,
                review=started + timedelta(days=planned.review_after),
                v2=planned.state in V2_STATES,
                today=today,
                complete=planned.state != "draft",
                ready_by=days[0] - timedelta(days=1) if days else today,
            )
        steps = STEPS[planned.state]
        eia.created_at = on_day(started, 9)
        for n, (step, day) in enumerate(zip(steps, days, strict=True)):
            if step == "publish" and eia.is_individual:
                break
            signer = second if (step == "sign_off" and eia.is_individual) else decision_maker
            by = {"submit": author, "withdraw_submission": author, "sign_off": signer}.get(step, reviewer)
            comment = {
                "return": scenario.return_comment or None,
                "sign_off": SIGNED_OFF_BECAUSE,
                "withdraw_submission": WITHDRAWN_BECAUSE,
            }.get(step)
            # Each assessment's steps at their own time of day, so no two people act in the same minute.
            when = on_day(day, 10 + n % 6, (7 * count + 11 * n) % 55)
            if step == "return":
                _comment_on_sections(eia, scenario, when.date(), by=by)
            with told_at(when):
                workflow.transition(eia, step, by=by, comment=comment, confirmed=True)
            if step == "return":
                _deal_with_comments(eia, scenario, when.date(), by=author)
            for stamp in STAMPS.get(step, ()):
                setattr(eia, stamp, min(when, utcnow()))
        if planned.state == "archived":
            with told_at(on_day(min(finished + timedelta(days=1), today), 11)):
                workflow.transition(eia, "archive", by=reviewer, comment=ARCHIVED_BECAUSE, confirmed=True)
        count += 1
    db.session.flush()
    return count


def settle_updated(today: date) -> None:
    """Date each demo assessment's last change by its own story (its last step, or a few days after
    a draft was started), not by the moment the demo was loaded."""
    from sqlalchemy import update

    for eia in db.session.execute(select(Eia)).scalars():
        stamps = [eia.submitted_at, eia.approved_at, eia.signed_off_at, eia.published_at, eia.created_at]
        last = max(s for s in stamps if s is not None)
        if eia.started_on and last == eia.created_at:
            last = on_day(min(eia.started_on + timedelta(days=5), today), 15)
        db.session.execute(update(Eia).where(Eia.id == eia.id).values(updated_at=last))
