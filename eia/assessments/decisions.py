"""The decision an assessment informs, and whether due regard came in time.

The courts ask whether the assessment was done before the decision and whether the decision maker
knew the adverse impacts (the Brown principles; R (Bracking) v SSWP [2013] EWCA Civ 1345). So each
assessment keeps a decision record (who decides, when it is planned, then what was decided) and four
timings are worked out from it: started before the decision, reviewed within the target, approved
and signed off before the decision, and the decision taken with an approved assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Date, and_, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError

from eia.accounts.models import Role, User
from eia.assessments.models import DecisionRecord, Eia
from eia.assessments.states import DecidingBody, DecisionOutcome, EiaState
from eia.auditlog import services as audit
from eia.db_types import uk_day, utcnow
from eia.errors import ConflictError, ValidationFailed, check_version
from eia.extensions import db
from eia.permissions import can, permit
from eia.working_days import add_working_days, uk_today
from eia.working_days import uk_day as in_uk

DECISION_FIELDS = (
    "is_key_decision",
    "forward_plan_reference",
    "deciding_body",
    "body_name",
    "decision_maker_id",
    "planned_on",
    "report_reference",
    "taken_on",
    "outcome",
    "minutes_reference",
)


def record_of(eia: Eia) -> DecisionRecord:
    """The assessment's decision record, made empty the first time it is asked for (not saved until
    something is recorded in it)."""
    return eia.decision or DecisionRecord(
        eia=eia, forward_plan_reference="", body_name="", report_reference="", minutes_reference=""
    )


def decision_date(eia: Eia) -> date | None:
    """The day the decision was taken, else the day it is planned for, else the date the form gives."""
    record = eia.decision
    if record is not None and (record.taken_on or record.planned_on):
        return record.taken_on or record.planned_on
    return eia.decision_date


def _problems(values: dict[str, Any]) -> dict[str, str]:
    problems = {}
    if values.get("deciding_body") in (DecidingBody.COMMITTEE, DecidingBody.OFFICER) and not values.get("body_name"):
        what = "the committee" if values["deciding_body"] is DecidingBody.COMMITTEE else "the officer's post"
        problems["body_name"] = f"Enter the name of {what}"
    if values.get("taken_on") and not values.get("outcome"):
        problems["outcome"] = "Select what was decided"
    if values.get("outcome") and not values.get("taken_on"):
        problems["taken_on"] = "Enter the date the decision was taken"
    if values.get("taken_on") and values["taken_on"] > uk_today():
        problems["taken_on"] = "The date the decision was taken cannot be in the future"
    person = values.get("decision_maker_id")
    if person is not None:
        found = db.session.get(User, person)
        if found is None or not found.is_enabled or found.role is not Role.DECISION_MAKER:
            problems["decision_maker_id"] = "Choose a decision maker who signs in, or leave it empty"
    return problems


def save_decision(eia: Eia, values: dict[str, Any], *, expected_version: int, by: User) -> DecisionRecord:
    """Record who decides and when, and then what was decided.

    :raises PermissionDenied: unless *by* may record the decision.
    :raises ConflictError: if someone saved the record after *expected_version*.
    :raises ValidationFailed: naming each field that cannot stand.
    """
    permit(by, "eia.record_decision", eia)
    values = dict(values)
    for name, kind in (("deciding_body", DecidingBody), ("outcome", DecisionOutcome)):
        if values.get(name) is not None and not isinstance(values[name], kind):
            values[name] = kind(values[name])
    record = eia.decision
    is_new = record is None
    if record is None:  # made now, kept only if something is recorded in it
        record = DecisionRecord(forward_plan_reference="", body_name="", report_reference="", minutes_reference="")
    else:
        check_version(record, expected_version, "Someone else changed the decision record after you opened it.")
    problems = _problems(values) | ({} if is_new else _kept_on_record(record, values))
    if problems:
        raise ValidationFailed("Some answers need attention", problems)
    before = {} if is_new else {name: getattr(record, name) for name in DECISION_FIELDS}
    for name in DECISION_FIELDS:
        if name in values:
            setattr(record, name, values[name] if values[name] is not None else _empty(name))
    changes = {
        f"decision.{name}": [audit.plain(before.get(name)), audit.plain(getattr(record, name))]
        for name in DECISION_FIELDS
        if audit.plain(before.get(name)) != audit.plain(getattr(record, name)) and (not is_new or getattr(record, name))
    }
    if changes:
        record.updated_at = utcnow()
        record.updated_by_id = by.id
        if is_new:
            _add_first_record(eia, record)
        action = "decision_recorded" if "decision.outcome" in changes else "decision_planned"
        audit.record(action, eia, by=by, detail=_summary(record), changes=changes)
    db.session.flush()
    return record


def _kept_on_record(record: DecisionRecord, values: dict[str, Any]) -> dict[str, str]:
    """A decision recorded as taken stays on the record (an approval it relied on cannot then be
    withdrawn): its date and outcome may be corrected, never removed."""
    if record.taken_on is None:
        return {}
    words = {"taken_on": "the date it was taken", "outcome": "what was decided"}
    return {
        name: f"The decision is on the record as taken: correct {what} if it is wrong, but it cannot be removed"
        for name, what in words.items()
        if name in values and values[name] is None
    }


def _add_first_record(eia: Eia, record: DecisionRecord) -> None:
    """Give *eia* its first decision record. Two people saving the first one at once: the second is
    told someone else saved it (the database keeps one record per assessment), never a 500.

    :raises ConflictError: with the record saved first.
    """
    try:
        with db.session.begin_nested():
            eia.decision = record
            db.session.flush()
    except IntegrityError:
        db.session.expire(eia, ["decision"])
        if eia.decision is None:  # not the one-record rule: something else is wrong
            raise
        raise ConflictError(
            "Someone else saved the decision record at the same time as you.", current=eia.decision
        ) from None


def _empty(name: str) -> Any:
    return "" if name in ("forward_plan_reference", "body_name", "report_reference", "minutes_reference") else None


def _summary(record: DecisionRecord) -> str:
    if record.outcome is not None and record.taken_on is not None:
        return f"{record.outcome.label} on {record.taken_on.isoformat()}"
    if record.planned_on is not None:
        return f"planned for {record.planned_on.isoformat()}"
    return "decision record updated"


def needs_new_version(eia: Eia) -> bool:
    """Whether the decision was amended after the assessment was approved, so the change needs a new
    version of the assessment (and a new review) and none has been started yet."""
    record = eia.decision
    return (
        record is not None
        and record.outcome is DecisionOutcome.AMENDED
        and eia.state in (EiaState.APPROVED, EiaState.SIGNED_OFF, EiaState.PUBLISHED, EiaState.REVIEW_DUE)
        and not db.session.execute(select(Eia.id).where(Eia.previous_id == eia.id).limit(1)).first()
    )


def new_version_advice(eia: Eia) -> str | None:
    """What to do about an amended decision (see :func:`needs_new_version`), or None. Before the
    sign-off no next version can be started yet, so the advice waits for it."""
    if not needs_new_version(eia):
        return None
    when = "Once it is signed off, start" if eia.state is EiaState.APPROVED else "Start"
    return (
        f"The decision was agreed with amendments. {when} the next version of the assessment for the change, "
        "so that it is reviewed again."
    )


# Timeliness ---------------------------------------------------------------------------------------


class Timing(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return {"on_time": "On time", "late": "Late", "not_known": "Not yet known"}[self.value]

    @property
    def tag_colour(self) -> str:
        return {"on_time": "green", "late": "red", "not_known": "grey"}[self.value]


@dataclass(frozen=True)
class Check:
    """One timing: its question, whether it held, and what it rests on."""

    key: str
    question: str
    timing: Timing
    detail: str


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def decision_page(eia: Eia, user: User) -> dict[str, Any]:
    """What the decision record's page shows besides its form: whether *user* may change it, the
    record as saved, and the timings of due regard."""
    return {"editable": can(user, "eia.record_decision", eia), "record": eia.decision, "timings": timeliness(eia)}


def timeliness(eia: Eia, today: date | None = None) -> list[Check]:
    """The four timings of *eia*, as of *today*."""
    today = today or uk_today()
    decided = decision_date(eia)
    record = eia.decision
    taken = record.taken_on if record is not None else None
    started = eia.started_on or in_uk(eia.created_at)
    checks = []

    if decided is None:
        checks.append(
            Check("started", "Started before the decision", Timing.NOT_KNOWN, "No decision date recorded yet.")
        )
    else:
        days = (decided - started).days
        timing = Timing.ON_TIME if days > 0 else Timing.LATE
        detail = (
            f"Started {days} day{'' if days == 1 else 's'} before the decision on {_day(decided)}."
            if days > 0
            else f"Started on {_day(started)}, {'on' if days == 0 else f'{-days} days after'} the decision date."
        )
        checks.append(Check("started", "Started before the decision", timing, detail))

    target = current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"]
    if eia.submitted_at is None:
        checks.append(Check("review", f"Reviewed within {target} working days", Timing.NOT_KNOWN, "Not submitted yet."))
    else:
        due = eia.review_target_on or add_working_days(in_uk(eia.submitted_at), target)
        # Approving or returning it ends the review (before reviewed_at was kept, the approval alone).
        ended = eia.reviewed_at or eia.approved_at
        reviewed = in_uk(ended) if ended and ended >= eia.submitted_at else None
        if reviewed is not None:
            timing = Timing.ON_TIME if reviewed <= due else Timing.LATE
            detail = f"Submitted on {_day(in_uk(eia.submitted_at))}, reviewed on {_day(reviewed)} (target {_day(due)})."
        elif today > due:
            timing, detail = Timing.LATE, f"Submitted on {_day(in_uk(eia.submitted_at))}; the target was {_day(due)}."
        else:
            timing, detail = Timing.NOT_KNOWN, f"In review: the target is {_day(due)}."
        checks.append(Check("review", f"Reviewed within {target} working days", timing, detail))

    approved = in_uk(eia.approved_at) if eia.approved_at else None
    signed = in_uk(eia.signed_off_at) if eia.signed_off_at else None
    if decided is None:
        timing, detail = Timing.NOT_KNOWN, "No decision date recorded yet."
    elif approved and signed and approved <= decided and signed <= decided:
        timing, detail = Timing.ON_TIME, f"Approved on {_day(approved)} and signed off on {_day(signed)}."
    elif (approved and approved > decided) or (signed and signed > decided) or today > decided:
        timing = Timing.LATE
        detail = f"The decision date was {_day(decided)}; " + (
            f"signed off on {_day(signed)}."
            if signed
            else ("approved on " + _day(approved) + "." if approved else "not yet approved.")
        )
    else:
        timing, detail = Timing.NOT_KNOWN, f"The decision is due on {_day(decided)}."
    checks.append(Check("approved", "Approved and signed off before the decision", timing, detail))

    if taken is None:
        checks.append(
            Check(
                "decision",
                "Decision taken with an approved assessment",
                Timing.NOT_KNOWN,
                "The decision has not been recorded yet.",
            )
        )
    elif approved is not None and approved <= taken:
        checks.append(
            Check(
                "decision",
                "Decision taken with an approved assessment",
                Timing.ON_TIME,
                f"Decided on {_day(taken)}, after approval on {_day(approved)}.",
            )
        )
    else:
        checks.append(
            Check(
                "decision",
                "Decision taken with an approved assessment",
                Timing.LATE,
                f"Decided on {_day(taken)} without an approved assessment.",
            )
        )
    return checks


#: The four timings, by the key of their :class:`Check`.
TIMING_KEYS = ("started", "review", "approved", "decision")


def timing_sql(key: str, today: date) -> ColumnElement[str]:
    """One timing of each assessment as a SQL expression (a :class:`Timing` value), by the same rule
    as :func:`timeliness`, for filters and counts; the query must outer-join :class:`DecisionRecord`
    on the assessment."""
    on_time, late, not_known = (literal(t.value) for t in Timing)
    day = literal(today, Date)
    decided = func.coalesce(DecisionRecord.taken_on, DecisionRecord.planned_on, Eia.decision_date)
    approved, signed = uk_day(Eia.approved_at), uk_day(Eia.signed_off_at)
    if key == "started":
        started = func.coalesce(Eia.started_on, uk_day(Eia.created_at))
        return case((decided.is_(None), not_known), (started < decided, on_time), else_=late)
    if key == "review":
        ended = func.coalesce(Eia.reviewed_at, Eia.approved_at)
        reviewed = and_(ended.is_not(None), ended >= Eia.submitted_at)
        return case(
            (Eia.submitted_at.is_(None), not_known),
            (and_(reviewed, uk_day(ended) <= Eia.review_target_on), on_time),
            (reviewed, late),
            (day > Eia.review_target_on, late),
            else_=not_known,
        )
    if key == "approved":
        return case(
            (decided.is_(None), not_known),
            (and_(approved.is_not(None), signed.is_not(None), approved <= decided, signed <= decided), on_time),
            (or_(approved > decided, signed > decided, day > decided), late),
            else_=not_known,
        )
    if key == "decision":
        taken = DecisionRecord.taken_on
        return case((taken.is_(None), not_known), (approved <= taken, on_time), else_=late)
    raise ValueError(f"no timing {key!r}")


def at_risk_sql(today: date, within_days: int = 28) -> ColumnElement[bool]:
    """Assessments whose decision is due in the next *within_days* days and that are not yet
    approved: the legal risk (the decision would be taken without due regard on the record). The
    query must outer-join :class:`DecisionRecord`."""
    planned = func.coalesce(DecisionRecord.planned_on, Eia.decision_date)
    return and_(
        DecisionRecord.taken_on.is_(None),
        planned >= literal(today, Date),
        planned <= literal(today + timedelta(days=within_days), Date),
        Eia.state.in_(NOT_YET_APPROVED),
    )


#: States of an assessment still being written or reviewed (abandoned and archived ones are left out).
NOT_YET_APPROVED = (EiaState.DRAFT, EiaState.SUBMITTED, EiaState.IN_REVIEW, EiaState.RETURNED)
