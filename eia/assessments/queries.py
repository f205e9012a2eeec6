"""Reading assessments, their templates and the characteristic register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Exists, Select, and_, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload, lazyload, load_only, selectinload

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments import decisions
from eia.assessments.models import (
    Characteristic,
    Coauthor,
    DecisionRecord,
    Eia,
    FormTemplate,
    Impact,
    Mitigation,
    ReviewComment,
)
from eia.assessments.states import PUBLIC_STATES, Direction, EiaKind, EiaState, MitigationStatus
from eia.errors import NotFound
from eia.evidence import queries as evidence_queries
from eia.extensions import db
from eia.search import words_match
from eia.template_filters import format_date
from eia.working_days import uk_today
from forms.definitions import Section
from forms.versions import new_questions

Ts = TypeVarTuple("Ts")


def latest_template(kind: EiaKind) -> FormTemplate | None:
    """The newest published version: what new assessments are written on."""
    return db.session.execute(
        select(FormTemplate)
        .where(FormTemplate.kind == kind, FormTemplate.published_at.is_not(None))
        .order_by(FormTemplate.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def template_of(kind: EiaKind, version: int) -> FormTemplate | None:
    return db.session.execute(
        select(FormTemplate).where(FormTemplate.kind == kind, FormTemplate.version == version)
    ).scalar_one_or_none()


def guidance_for(eia: Eia, section: Section) -> dict[str, Any]:
    """Guidance for the questions of *section* from the newest form template of *eia*'s kind, for an
    assessment written on an older version without it (a key keeps its meaning across versions)."""
    if all(q.guidance is not None for q in section.questions):
        return {}
    newest = latest_template(eia.kind)
    newer = newest.form.section(section.key) if newest is not None and newest.id != eia.template_id else None
    if newer is None:
        return {}
    found = {}
    for question in section.questions:
        match = newer.question(question.key)
        if question.guidance is None and match is not None and match.guidance is not None:
            found[question.key] = match.guidance
    return found


def whats_new(eia: Eia) -> list[Any]:
    """For a version started from one written on an older form template: the questions that are new."""
    previous = eia.previous
    if previous is None or previous.template_id == eia.template_id:
        return []
    return new_questions(previous.form, eia.form)


def template_usage() -> dict[int, int]:
    """How many assessments are written on each form template version, by template id."""
    return dict(db.session.execute(select(Eia.template_id, func.count()).group_by(Eia.template_id)).all())


def templates() -> list[FormTemplate]:
    return list(db.session.execute(select(FormTemplate).order_by(FormTemplate.kind, FormTemplate.version)).scalars())


def eia_or_404(reference: str) -> Eia:
    """The EIA with its sections, impacts and mitigations loaded in a fixed number of queries."""
    eia = db.session.execute(
        select(Eia)
        .where(Eia.reference == reference.upper())
        .options(
            selectinload(Eia.sections),
            selectinload(Eia.impacts).selectinload(Impact.characteristic),
            selectinload(Eia.mitigations).selectinload(Mitigation.characteristic),
            selectinload(Eia.comments).joinedload(ReviewComment.author),
            selectinload(Eia.template),
            selectinload(Eia.service_area).selectinload(ServiceArea.parent),
            selectinload(Eia.coauthors).selectinload(Coauthor.user),
            joinedload(Eia.author),
            joinedload(Eia.reviewer),
            joinedload(Eia.decision).joinedload(DecisionRecord.decision_maker),
        )
    ).scalar_one_or_none()
    if eia is None:
        raise NotFound(f"There is no equality impact assessment {reference}.")
    return eia


def characteristics(active_only: bool = False) -> list[Characteristic]:
    query = select(Characteristic).order_by(Characteristic.position, Characteristic.id)
    if active_only:
        query = query.where(Characteristic.is_active.is_(True))
    return list(db.session.execute(query).scalars())


def characteristic_or_404(characteristic_id: int) -> Characteristic:
    characteristic = db.session.get(Characteristic, characteristic_id)
    if characteristic is None:
        raise NotFound("There is no such characteristic.")
    return characteristic


def characteristics_for(eia: Eia) -> list[Characteristic]:
    """The active characteristics plus any this EIA already assessed (a register change never hides
    what was written)."""
    assessed = {impact.characteristic_id for impact in eia.impacts}
    return [c for c in characteristics() if c.is_active or c.id in assessed]


def people_choices() -> list[tuple[str, str]]:
    """Enabled people, for 'user' questions and mitigation owners."""
    rows = db.session.execute(
        select(User.id, User.name, User.email).where(User.is_enabled.is_(True)).order_by(func.lower(User.name))
    ).all()
    return [(str(row.id), f"{row.name} ({row.email})") for row in rows]


def decision_maker_choices() -> list[tuple[str, str]]:
    """Decision makers who sign in, for the one a decision record names."""
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role == Role.DECISION_MAKER, User.is_enabled.is_(True))
        .order_by(func.lower(User.name))
    ).all()
    return [(str(row.id), row.name) for row in rows]


def reviewer_choices(eia: Eia) -> list[tuple[str, str]]:
    """The equalities team, but those who write *eia*, for the reviewer's choice."""
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role == Role.EQUALITIES, User.is_enabled.is_(True))
        .order_by(func.lower(User.name))
    ).all()
    return [(str(row.id), row.name) for row in rows if row.id not in eia.writer_ids]


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def count_eias() -> Select[int]:
    return select(func.count()).select_from(Eia)


def readable_answers(section: Section, answers: dict[str, Any]) -> dict[str, str]:
    """Each answer as a person reads it: choice labels, dates written out, people by name."""
    people = user_names({int(answers[q.key]) for q in section.questions if q.type == "user" and answers.get(q.key)})
    texts = {}
    for question in section.questions:
        value = answers.get(question.key)
        if question.type == "date" and value:
            texts[question.key] = format_date(date.fromisoformat(value))
        elif question.type == "user" and value:
            texts[question.key] = people.get(int(value), "")
        else:
            texts[question.key] = question.display(value)
    return texts


# Lists --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EiaFilter:
    """What a list of EIAs can be narrowed by; every field is optional."""

    text: str | None = None
    service_area_id: int | None = None
    state: EiaState | None = None
    proposal_type: str | None = None
    kind: EiaKind | None = None
    year: int | None = None  # financial year: 2025 is April 2025 to March 2026
    negative_for: str | None = None  # a characteristic key with a negative impact
    #: Timings of due regard to match, as (key of the check, a Timing value): ("review", "late").
    timings: tuple[tuple[str, str], ...] = ()
    #: Only decisions in the next 28 days whose assessment is not yet approved.
    at_risk: bool = False


def visible_to(user: User) -> ColumnElement[bool]:
    """The SQL condition for the EIAs *user* may see (the same rule as ``eia.view``)."""
    if user.role in (Role.EQUALITIES, Role.ADMIN):
        return true()
    own = Eia.author_id == user.id
    if user.role is Role.DECISION_MAKER:
        return or_(Eia.kind != EiaKind.INDIVIDUAL, own)
    shared = or_(Eia.lead_officer_id == user.id, Eia.service_area_id == user.service_area_id, _coauthor(user))
    return or_(own, and_(Eia.kind != EiaKind.INDIVIDUAL, shared))


def _coauthor(user: User) -> Exists:
    return select(Coauthor.id).where(Coauthor.eia_id == Eia.id, Coauthor.user_id == user.id).exists()


def financial_year_of(day: date) -> int:
    """The financial year (April to March) *day* falls in, by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 4, 1, tzinfo=UTC), datetime(year + 1, 4, 1, tzinfo=UTC)


def negative_impact_on(characteristic_key: str) -> Exists:
    """The SQL condition: the assessment found a negative impact on the characteristic."""
    return (
        select(Impact.id)
        .join(Characteristic, Characteristic.id == Impact.characteristic_id)
        .where(
            Impact.eia_id == Eia.id, Impact.direction == Direction.NEGATIVE, Characteristic.key == characteristic_key
        )
        .exists()
    )


def eias(user: User, filters: EiaFilter | None = None) -> Select[Eia]:
    """The EIAs *user* may see that match *filters*, most recently changed first."""
    f = filters or EiaFilter()
    query = select(Eia).where(visible_to(user))
    if f.text and f.text.strip():
        query = query.where(words_match(f.text, Eia.reference, Eia.title))
    if f.service_area_id:
        query = query.where(Eia.service_area_id == f.service_area_id)
    # An abandoned draft is found only by asking for it.
    query = query.where(Eia.state == f.state if f.state else Eia.state != EiaState.ABANDONED)
    if f.proposal_type:
        query = query.where(Eia.proposal_type == f.proposal_type)
    if f.kind:
        query = query.where(Eia.kind == f.kind)
    if f.year:
        start, end = financial_year_bounds(f.year)
        query = query.where(Eia.created_at >= start, Eia.created_at < end)
    if f.negative_for:
        query = query.where(negative_impact_on(f.negative_for))
    if f.timings or f.at_risk:
        today = uk_today()
        query = query.outerjoin(DecisionRecord, DecisionRecord.eia_id == Eia.id)
        for key, timing in f.timings:
            query = query.where(decisions.timing_sql(key, today) == timing)
        if f.at_risk:
            query = query.where(decisions.at_risk_sql(today))
    return query.order_by(Eia.updated_at.desc(), Eia.id.desc())


def with_list_details(query: Select[Eia, *Ts]) -> Select[Eia, *Ts]:
    """Load what a list row shows (the service area and its directorate, the decision record its
    timings come from) in the same round of queries, and not the co-authors an assessment's own page
    loads with it."""
    return query.options(selectinload(Eia.service_area).selectinload(ServiceArea.parent), lazyload(Eia.coauthors))


def for_my_work(query: Select[Eia]) -> Select[Eia]:
    """Load only what My work shows of each assessment: its reference, title, state and dates."""
    return query.options(
        load_only(
            Eia.reference,
            Eia.title,
            Eia.state,
            Eia.author_id,
            Eia.handed_over_by_id,
            Eia.handed_over_at,
            Eia.review_date,
        ),
        lazyload(Eia.coauthors),
        lazyload(Eia.decision),
    )


# My work ------------------------------------------------------------------------------------------


def _mine(user: User) -> ColumnElement[bool]:
    """EIAs *user* wrote, co-writes or leads, and may see (a lead officer never sees an individual
    action)."""
    return and_(or_(Eia.author_id == user.id, Eia.lead_officer_id == user.id, _coauthor(user)), visible_to(user))


def _not_theirs(user: User) -> ColumnElement[bool]:
    return and_(
        Eia.author_id != user.id,
        or_(Eia.lead_officer_id.is_(None), Eia.lead_officer_id != user.id),
        ~_coauthor(user),
    )


def my_drafts(user: User) -> Select[Eia]:
    return for_my_work(select(Eia).where(_mine(user), Eia.state == EiaState.DRAFT).order_by(Eia.updated_at.desc()))


def returned_to(user: User) -> Select[Eia]:
    return for_my_work(select(Eia).where(_mine(user), Eia.state == EiaState.RETURNED).order_by(Eia.updated_at.desc()))


def waiting_for_review(user: User) -> Select[Eia] | None:
    if user.role is not Role.EQUALITIES:
        return None
    waiting = Eia.state.in_([EiaState.SUBMITTED, EiaState.IN_REVIEW])
    return for_my_work(select(Eia).where(waiting, _not_theirs(user)).order_by(Eia.submitted_at))


def assigned_reviews(user: User) -> Select[Eia] | None:
    """Reviews given to *user* in the equalities team, oldest submission first."""
    if user.role is not Role.EQUALITIES:
        return None
    waiting = Eia.state.in_([EiaState.SUBMITTED, EiaState.IN_REVIEW])
    return for_my_work(select(Eia).where(waiting, Eia.reviewer_id == user.id).order_by(Eia.submitted_at))


def waiting_for_sign_off(user: User) -> Select[Eia] | None:
    """Approved assessments *user* may sign off, oldest approval first: a decision maker's leave out
    those whose decision record names another decision maker (only that one signs off)."""
    if user.role is Role.DECISION_MAKER:
        named = aliased(DecisionRecord)  # My work joins the decision record for its date, too
        named_other = (
            select(named.id)
            .where(named.eia_id == Eia.id, named.decision_maker_id.is_not(None), named.decision_maker_id != user.id)
            .exists()
        )
        kind = and_(Eia.kind != EiaKind.INDIVIDUAL, ~named_other)
    elif user.role is Role.EQUALITIES:
        kind = Eia.kind == EiaKind.INDIVIDUAL
    else:
        return None
    return for_my_work(
        select(Eia).where(Eia.state == EiaState.APPROVED, kind, _not_theirs(user)).order_by(Eia.approved_at)
    )


def my_mitigations(user: User) -> Select[Mitigation, str]:
    return (
        select(Mitigation, Eia.reference)
        .join(Eia, Eia.id == Mitigation.eia_id)
        .where(
            Mitigation.owner_id == user.id,
            Mitigation.status != MitigationStatus.DONE,
            # An abandoned or archived assessment's mitigations are no one's work any more.
            Eia.state.not_in((EiaState.ABANDONED, EiaState.ARCHIVED)),
        )
        .options(selectinload(Mitigation.characteristic))
        .order_by(Mitigation.due_on)
        .limit(50)
    )


def reviews_due(user: User, today: date, within_days: int = 60) -> Select[Eia]:
    mine = _mine(user)
    finished = Eia.state.in_([EiaState.SIGNED_OFF, EiaState.PUBLISHED, EiaState.REVIEW_DUE])
    return for_my_work(
        select(Eia)
        .where(mine, finished, Eia.review_date.is_not(None), Eia.review_date <= today + timedelta(days=within_days))
        .order_by(Eia.review_date)
    )


def document(eia: Eia) -> dict[str, Any]:
    """Everything a read-only rendering of *eia* shows (register page, PDF), resolved in a few
    queries: each question section's answers as text, impacts with the public evidence behind each,
    mitigations with owners, sign-off. Reviewer comments and evidence not marked public are never
    part of it."""
    people = user_names(
        {m.owner_id for m in eia.mitigations} | ({eia.signed_off_by_id} if eia.signed_off_by_id else set())
    )
    sections = []
    for section in eia.form.sections:
        answers = eia.answers(section.key)
        texts = readable_answers(section, answers)
        answered = [q for q in section.questions if texts.get(q.key)]
        rows = [(q.label, texts[q.key]) for q in answered]
        needed, reason = eia.need_of(section)
        listed = {"impacts": eia.impacts, "mitigations": eia.mitigations}.get(section.kind)
        empty = not rows and not listed
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "kind": section.kind,
                "rows": rows,
                "row_keys": [q.key for q in answered],  # the question of each row
                # An unanswered section that is not needed says so and why, rather than "Not answered".
                "not_needed": (reason or "Not needed after screening") if not needed and empty else None,
            }
        )
    impacts = sorted(eia.impacts, key=lambda i: (i.characteristic.position, i.characteristic.id))
    return {
        "sections": sections,
        "impacts": impacts,
        "evidence": evidence_queries.by_characteristic(evidence_queries.for_subject(eia, public_only=True)),
        "mitigations": [(m, people.get(m.owner_id, "")) for m in eia.mitigations],
        "signed_off_by": people.get(eia.signed_off_by_id) if eia.signed_off_by_id else None,
    }


def published(text: str | None = None) -> Select[Eia]:
    """The public register: published EIAs that are not individual actions (one whose review has
    come stays published until it is archived)."""
    query = select(Eia).where(Eia.state.in_(PUBLIC_STATES), Eia.published_at.is_not(None), Eia.kind == EiaKind.STANDARD)
    if text and text.strip():
        query = query.where(words_match(text, Eia.reference, Eia.title))
    return with_list_details(query.order_by(Eia.published_at.desc()))


def published_or_404(reference: str) -> Eia:
    """A published EIA; the same answer whether the reference is unknown or simply not public."""
    try:
        eia = eia_or_404(reference)
    except NotFound:
        eia = None
    if eia is None or not eia.is_public:
        raise NotFound("There is no published equality impact assessment with that reference.")
    return eia


def section_comments(eia: Eia, key: str, viewer: User) -> list[Any]:
    """The equalities team's comments on one section, for the section's page: the author sees them
    once the assessment is back with them (not while the review is going on)."""
    under_review = eia.state in (EiaState.SUBMITTED, EiaState.IN_REVIEW)
    if under_review and viewer.role is not Role.EQUALITIES:
        return []
    return [comment for comment in eia.comments if comment.section_key == key]
