"""Write use-cases for assessments: templates, the register, creating EIAs and saving their sections.

Services take model objects and validated data, check the rules, write the audit entry and flush;
the view or command commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from eia import signals
from eia.accounts.models import ServiceArea, User
from eia.accounts.queries import areas_for
from eia.assessments.models import Eia, EiaSection, FormTemplate, ReferenceCounter
from eia.assessments.states import EiaKind, EiaState, SectionStatus
from eia.assessments.stop_rule import going_ahead_problem
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import EiaError, ValidationFailed, WorkflowError, check_version
from eia.extensions import db
from eia.working_days import uk_today
from forms.answers import answer_type
from forms.definitions import FormDefinition, Question, Section

EMPTY: tuple[Any, ...] = (None, "", [])


# Creating an EIA ----------------------------------------------------------------------------------


def next_reference(year: int) -> str:
    """``EIA-2026-0042``: the year it was started and a running number within that year, taken from
    the year's counter by one atomic UPDATE (its row stays locked until the transaction ends, so a
    parallel start waits for the next number instead of clashing)."""
    take = (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    number = db.session.execute(take).scalar()
    if number is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReferenceCounter(year=year, last_number=_highest_number(year)))
        except IntegrityError:  # a parallel start made the year's counter first
            pass
        number = db.session.execute(take).scalar_one()
    return f"EIA-{year}-{number:04d}"


def _highest_number(year: int) -> int:
    """The highest number already used in *year* (references made before the counter existed)."""
    prefix = f"EIA-{year}-"
    last = db.session.execute(
        select(Eia.reference)
        .where(Eia.reference.like(f"{prefix}%"), Eia.previous_id.is_(None))  # not the -V2 versions
        .order_by(func.length(Eia.reference).desc(), Eia.reference.desc())
        .limit(1)
    ).scalar()
    digits = last.removeprefix(prefix) if last else ""
    return int(digits) if digits.isdigit() else 0


def check_area(area_id: int | None, by: User) -> ServiceArea:
    """The service area *by* chose for an assessment: one of theirs (any, for the equalities team and
    administrators); their own when they chose none.

    :raises ValidationFailed: for an area that is not theirs, or none when they have none.
    """
    mine = areas_for(by)
    if area_id is None:
        if by.service_area is None:
            message = (
                "You are not in a service area yet, so you cannot start an assessment. "
                "Ask an administrator to set yours."
            )
            raise ValidationFailed(message)  # about the person, not a field of the form
        return by.service_area
    chosen = next((area for area in mine if area.id == area_id), None)
    if chosen is None:
        raise ValidationFailed(
            "Not one of your service areas",
            {"service_area_id": "Choose one of the service areas you work in"},
        )
    return chosen


def start_eia(
    *, kind: EiaKind, title: str, service_area_id: int | None, by: User, options: dict[str, str] | None = None
) -> Eia:
    """Start a draft EIA for the person *by*, in the service area they chose (see :func:`check_area`),
    with the *options* other packages offered on the start page (a budget round).

    :raises ValidationFailed: for an area that is not theirs, or no form template of its kind.
    """
    area = check_area(service_area_id, by)
    template = db.session.execute(
        select(FormTemplate).where(FormTemplate.kind == kind).order_by(FormTemplate.version.desc()).limit(1)
    ).scalar_one_or_none()
    if template is None:
        raise ValidationFailed(
            "No form template",
            {"kind": "No form template is loaded for this kind of assessment: ask an administrator."},
        )
    eia = create_eia(kind=kind, title=title, service_area=area, by=by, template=template)
    if options:
        signals.eia_started.send(None, eia=eia, options=options, by=by)
    return eia


def create_eia(
    *,
    kind: EiaKind,
    title: str,
    service_area: ServiceArea,
    by: User,
    template: FormTemplate,
    today: date | None = None,
) -> Eia:
    """Start a draft EIA on the newest template of its kind, with every section not started."""
    if template.kind is not kind:
        raise EiaError("The form template does not match the kind of assessment.")
    year = (today or uk_today()).year
    eia = Eia(
        reference=next_reference(year),
        kind=kind,
        template=template,
        state=EiaState.DRAFT,
        title=title.strip(),
        service_area_id=service_area.id,
        author_id=by.id,
        version_number=1,
    )
    for section in template.form.sections:
        answers = {"title": eia.title} if section.key == "about" else {}
        status = SectionStatus.IN_PROGRESS if answers else SectionStatus.NOT_STARTED
        eia.sections.append(EiaSection(key=section.key, answers=answers, status=status, updated_by_id=by.id))
    db.session.add(eia)
    db.session.flush()
    audit.record(
        "eia_created",
        eia,
        by=by,
        detail=f"{eia.reference} on the {kind} template v{template.version}",
        changes={"title": [None, eia.title], "service_area_id": [None, service_area.id], "kind": [None, kind.value]},
    )
    return eia


# Saving a section ---------------------------------------------------------------------------------


#: The first words of a closed question ("Is a full assessment needed?"), which cannot follow
#: "Select" or "Enter" as they stand.
CLOSED_QUESTION = {
    "is", "are", "was", "were", "does", "do", "did", "has", "have", "had",
    "can", "could", "will", "would", "should", "may", "must",
}  # fmt: skip


def required_message(question: Question) -> str:
    """The message for a required answer left empty, in GOV.UK style: the template's own ``error``
    for the question, or "Select" (a choice) or "Enter" and its label, lower-cased and without a
    question mark ("Select what is being assessed", "Enter review date"). A closed question cannot
    follow the verb ("Select is a full assessment needed"), so it gets "Select yes or no"."""
    if question.error:
        return question.error
    label = question.label.strip().rstrip("?").strip()
    # Keep a capital that starts an abbreviation ("DPIA reference").
    lowered = label if label[1:2].isupper() else label[:1].lower() + label[1:]
    verb = "Select" if answer_type(question).asks_to_select else "Enter"
    if lowered.split(" ", 1)[0] in CLOSED_QUESTION:
        return "Select yes or no" if question.type == "yes_no" else f"{verb} an answer"
    return f"{verb} {lowered}"


def missing_answers(section: Section, answers: dict[str, Any]) -> dict[str, str]:
    """The required questions of *section* left unanswered, with the message for each."""
    return {
        q.key: required_message(q) for q in section.questions if q.is_required(answers) and answers.get(q.key) in EMPTY
    }


def future_date_problems(section: Section, answers: dict[str, Any], today: date) -> dict[str, str]:
    problems = {}
    for question in section.questions:
        value = answers.get(question.key)
        if question.future and value and date.fromisoformat(value) <= today:
            problems[question.key] = f"{question.label} must be in the future"
    return problems


def plain_answer(value: Any) -> Any:
    """Answers are stored as JSON: dates as ISO strings, empty answers left out."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def check_editable(eia: Eia) -> None:
    if not eia.state.is_editable:
        raise WorkflowError(
            f"{eia.reference} is {eia.state.label.lower()}: its answers can only change while it is a draft or "
            "has been returned to its author."
        )


def save_section(
    eia: Eia,
    key: str,
    answers: dict[str, Any],
    *,
    completed: bool | None,
    expected_version: int,
    by: User,
    today: date | None = None,
    part: Collection[str] | None = None,
) -> EiaSection:
    """Save the answers of one section, marking it completed or in progress (with *completed* None,
    it stays completed if it was and still is). With *part* (the keys of one page of a section asked
    over several), only those questions are answered and the others keep their saved answers.

    :raises ConflictError: if the section was saved by someone else after *expected_version*.
    :raises ValidationFailed: if it is marked completed with required answers missing, or a date that
        must be in the future is not.
    :raises WorkflowError: if the EIA is not editable in its state.
    """
    section, definition = open_section(eia, key, expected_version)
    if part is None:
        return store_section(eia, section, definition, answers, completed=completed, by=by, today=today)
    kept = {k: v for k, v in section.answers.items() if k not in part}
    answers = {k: v for k, v in answers.items() if k in part}
    try:
        return store_section(eia, section, definition, answers, completed=completed, by=by, today=today, kept=kept)
    except ValidationFailed as exc:
        if not completed or any(key in part for key in exc.fields):
            raise
        # Only answers asked on the section's other pages are missing: this page's answers are kept,
        # the section stays in progress, and the problems are named.
        store_section(eia, section, definition, answers, completed=False, by=by, today=today, kept=kept)
        raise ValidationFailed(str(exc), exc.fields, keep_record=True) from None


def open_section(eia: Eia, key: str, expected_version: int) -> tuple[EiaSection, Section]:
    check_editable(eia)
    definition = eia.form.section(key)
    section = eia.section(key)
    if definition is None or section is None:
        raise EiaError(f"{eia.reference} has no section {key!r}.")
    check_version(section, expected_version, "Someone else saved this section after you opened it.")
    return section, definition


def store_section(
    eia: Eia,
    section: EiaSection,
    definition: Section,
    answers: dict[str, Any],
    *,
    completed: bool | None,
    by: User,
    today: date | None = None,
    problems: dict[str, str] | None = None,
    changes: dict[str, list[Any]] | None = None,
    kept: dict[str, Any] | None = None,
) -> EiaSection:
    """Check and store a section's own answers (plus *changes* already made to its rows, and *kept*
    answers as stored, from its other pages), audit it. With *completed* None the section stays
    completed if it was and nothing it needs is missing now."""
    new = dict(kept or {}) | {
        key: answer_type(question).stored(value)
        for key, value in answers.items()
        if (question := definition.question(key)) is not None
    }
    new = {k: v for k, v in new.items() if v not in EMPTY}
    # An answer to a follow-up question that is hidden (its condition no longer holds) is not kept.
    shown = {q.key for q in definition.questions if q.is_shown(new)}
    new = {k: v for k, v in new.items() if k in shown}
    found = dict(problems or {}) | future_date_problems(definition, new, today or uk_today())
    if completed is None:
        completed = (
            section.status is SectionStatus.COMPLETED
            and not missing_answers(definition, new)
            and going_ahead_problem(definition, new) is None
        )
    if completed:
        found = missing_answers(definition, new) | found
        if problem := going_ahead_problem(definition, new):
            found.setdefault("outcome", problem)
    if found:
        raise ValidationFailed("Some answers need attention", found)

    old = dict(section.answers)
    all_changes = dict(changes or {})
    all_changes.update(
        {
            f"{section.key}.{q}": [old.get(q), new.get(q)]
            for q in sorted(set(old) | set(new))
            if old.get(q) != new.get(q)
        }
    )
    status = (
        SectionStatus.COMPLETED
        if completed
        else (SectionStatus.IN_PROGRESS if new or changes else SectionStatus.NOT_STARTED)
    )
    if all_changes or status is not section.status:
        if status is not section.status:
            all_changes[f"{section.key}.status"] = [section.status.value, status.value]
        section.answers = new
        section.status = status
        section.updated_at = utcnow()
        section.updated_by_id = by.id
        _copy_key_answers(eia, section.key, new)
        audit.record("eia_section_saved", eia, by=by, detail=definition.title, changes=all_changes)
    db.session.flush()
    return section


def _copy_key_answers(eia: Eia, key: str, answers: dict[str, Any]) -> None:
    """Keep the columns that lists, filters and reports query in step with the answers."""

    def as_date(value: Any) -> date | None:
        return date.fromisoformat(value) if value else None

    if key == "about":
        eia.title = answers.get("title") or eia.title
        eia.proposal_type = answers.get("proposal_type") or answers.get("action_type")
        lead = answers.get("lead_officer")
        eia.lead_officer_id = int(lead) if lead else None
        eia.started_on = as_date(answers.get("started_on"))
        eia.decision_date = as_date(answers.get("decision_date"))
    elif key == "screening":
        eia.closed_at_screening = answers.get("full_eia_needed") == "no"
    elif key == "outcome":
        eia.outcome = answers.get("outcome")
        eia.review_date = as_date(answers.get("review_date"))


@dataclass(frozen=True)
class TaskListEntry:
    key: str
    title: str
    status: SectionStatus
    needed: bool
    #: Why it is needed or not, when a rule of the template decides it (shown under its name).
    reason: str | None = None


def task_list(eia: Eia) -> list[TaskListEntry]:
    """Every section of the EIA's template with its status and whether it is needed (``Eia.need_of``)."""
    form: FormDefinition = eia.form
    entries = []
    for s in form.sections:
        needed, reason = eia.need_of(s)
        saved = eia.section(s.key)
        status = saved.status if saved else SectionStatus.NOT_STARTED
        entries.append(TaskListEntry(key=s.key, title=s.title, status=status, needed=needed, reason=reason))
    return entries
