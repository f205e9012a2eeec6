"""Decision records on the demo assessments, so the dashboard and the timings of due regard show
something real: decisions coming up (some within 28 days while the assessment is still being written
or reviewed), decisions taken, one agreed with amendments, and one taken before its assessment was
approved."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from eia.accounts.models import Role, User
from eia.assessments import decisions, workflow
from eia.assessments.models import DecidingBody, DecisionOutcome, Eia, EiaKind, EiaState
from eia.demo.story import on_day, told_at, working_day
from eia.extensions import db
from eia.working_days import is_working_day

#: Who decides, by the decision route the assessment gives: (body, report title).
BODIES = {
    "cabinet": (DecidingBody.CABINET, "Cabinet report"),
    "committee": (DecidingBody.COMMITTEE, "Committee report"),
    "delegated": (DecidingBody.OFFICER, "Officer decision record"),
    "council": (DecidingBody.COUNCIL, "Report to full council"),
}
#: Days from today to the decision for assessments still being written or reviewed: the first of
#: each state fall within 28 days (at risk), the rest later.
UPCOMING = {
    EiaState.DRAFT: [9, 26, 45, 70, 90, 120],
    EiaState.SUBMITTED: [13, 38, 60, 85],
    EiaState.IN_REVIEW: [6, 21, 52, 100],
    EiaState.RETURNED: [17, 34, 75, 110],
    EiaState.APPROVED: [8, 24, 40, 65],
}


def _record(eia: Eia, n: int, values: dict, by: User, *, on: date) -> None:
    """Write the record on the day *on* (the meeting's, or soon after the assessment began)."""
    about = eia.answers("about")
    body, report = BODIES.get(about.get("decision_route") or "cabinet", BODIES["cabinet"])
    name = about.get("decision_maker", "") if body in (DecidingBody.COMMITTEE, DecidingBody.OFFICER) else ""
    decided = eia.started_on or eia.created_at.date()
    decision_maker = (
        db.session.execute(select(User).where(User.role == Role.DECISION_MAKER).order_by(User.id).limit(1))
        .scalars()
        .first()
    )
    with told_at(on_day(on, 16)):
        decisions.save_decision(
            eia,
            {
                "is_key_decision": body in (DecidingBody.CABINET, DecidingBody.COUNCIL),
                "forward_plan_reference": f"FP/{decided.year}/{40 + n:03d}" if body is DecidingBody.CABINET else "",
                "deciding_body": body,
                "body_name": name,
                "decision_maker_id": decision_maker.id
                if body is DecidingBody.CABINET and decision_maker is not None and eia.state is EiaState.APPROVED
                else None,
                "report_reference": f"{report}: {eia.title}",
                **values,
            },
            expected_version=0,
            by=by,
        )


def _meeting(day: date, today: date) -> date:
    """The working day a meeting on or after *day* was held, not after *today*."""
    day = working_day(day)
    while day > today or not is_working_day(day):
        day -= timedelta(days=1)
    return day


def load_demo_decisions(today: date, *, by: object) -> int:
    """Give the demo assessments their decision records and move those whose review date has come to
    review due (as ``eia daily`` would); returns how many records were written."""
    eias = db.session.execute(select(Eia).where(Eia.kind == EiaKind.STANDARD).order_by(Eia.id)).scalars().all()
    seen: dict[EiaState, int] = {}
    finished = [e for e in eias if e.state in (EiaState.SIGNED_OFF, EiaState.PUBLISHED)]
    # One decision, on an assessment signed off in good time, was put off at its meeting to the next.
    recent = [e for e in finished if e.signed_off_at and e.signed_off_at.date() >= today - timedelta(days=40)]
    deferred = recent[0] if recent else None
    decided = [e for e in finished if e is not deferred]
    amended = decided[-1] if decided else None
    late = next((e for e in decided if e.state is EiaState.SIGNED_OFF and e.outcome != "stop"), None)
    count = 0
    for n, eia in enumerate(eias):
        if eia is deferred:
            met = _meeting(today - timedelta(days=12), today)
            _record(
                eia,
                n,
                {
                    "planned_on": met,
                    "taken_on": met,
                    "outcome": DecisionOutcome.DEFERRED,
                    "minutes_reference": f"Minutes of {met.day} {met:%B %Y}, item 6: deferred to the next meeting "
                    "for the figures on large families placed out of the borough",
                },
                eia.author,
                on=met,
            )
        elif eia.state in UPCOMING:
            index = seen.get(eia.state, 0)
            seen[eia.state] = index + 1
            days = UPCOMING[eia.state][index % len(UPCOMING[eia.state])]
            begun = eia.started_on or eia.created_at.date()
            planned = working_day(today + timedelta(days=days))
            _record(eia, n, {"planned_on": planned}, eia.author, on=begun + timedelta(days=7))
        elif eia.state in (EiaState.SIGNED_OFF, EiaState.PUBLISHED) and eia.signed_off_at is not None:
            signed = eia.signed_off_at.date()
            if eia is late and eia.approved_at:  # taken a week before the assessment was approved
                taken = eia.approved_at.date() - timedelta(days=7)
                outcome = DecisionOutcome.AS_PROPOSED
            else:
                taken = signed + timedelta(days=6)
                outcome = DecisionOutcome.AMENDED if eia is amended else DecisionOutcome.AS_PROPOSED
            if eia.outcome == "stop":  # the assessment's advice was taken: the proposal went no further
                outcome = DecisionOutcome.REJECTED
            taken = _meeting(taken, today)
            _record(
                eia,
                n,
                {
                    "planned_on": taken,
                    "taken_on": taken,
                    "outcome": outcome,
                    "minutes_reference": f"Minutes of {taken.day} {taken:%B %Y}, item {4 + n % 7}",
                },
                eia.author,
                on=taken,
            )
        else:
            continue
        count += 1
    workflow.mark_reviews_due(today, by=by)
    db.session.flush()
    return count
