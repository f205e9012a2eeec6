"""What a new user sees in the first ten minutes of the demo: one council whose figures add up on the
day it is loaded, each assessment in the service it is about, and nothing added the second time."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import DecisionOutcome, DecisionRecord, Eia, EiaKind, EiaState, Mitigation
from eia.assessments.queries import financial_year_of
from eia.auditlog.services import command_line_actor
from eia.db_types import utcnow
from eia.demo.council import load_demo_council
from eia.quality.models import Finding, FindingStatus, QualityScore, Sample
from eia.rounds.models import BudgetRound
from tracker.models import Plan, PlannedEia

#: Each scenario and the service area it belongs in.
EXPECTED_AREAS = {
    "Housing allocations policy": "Housing > Housing Options",
    "Temporary accommodation placements policy": "Housing > Housing Options",
    "Tenancy strategy review": "Housing > Tenancy Management",  # started in Housing Options, filed where it belongs
    "Council Tax Support scheme": "Corporate Resources > Revenues and Benefits",
    "Council tax exemption for care leavers": "Corporate Resources > Revenues and Benefits",
    "Restructure of the revenues and benefits team": "Corporate Resources > Revenues and Benefits",
    "Move council tax payments online": "Corporate Resources > Revenues and Benefits",
    "Replacement of the payroll system": "Corporate Resources > Human Resources",
    "Redeployment after a change in health: finance assistant": "Corporate Resources > Human Resources",
    "Library opening hours": "Neighbourhoods and Environment > Libraries",
    "Reduce the home library service to fortnightly visits": "Neighbourhoods and Environment > Libraries",
    "Closure of Riverside Leisure Centre": "Neighbourhoods and Environment > Leisure Services",
    "Withdrawal of free swimming for under-16s": "Neighbourhoods and Environment > Leisure Services",
    "Digital by default for bulky waste bookings": "Neighbourhoods and Environment > Waste and Recycling",
    "Charge for garden waste collection": "Neighbourhoods and Environment > Waste and Recycling",
    "Reduce subsidised bus routes": "Neighbourhoods and Environment > Highways and Transport",
    "Transport to day opportunities: new charging policy": "Adult Social Care > Commissioning",
    "Personal adviser service for care leavers: move to a hub model": (
        "Children's Services > Children in Care and Care Leavers"
    ),
}


def _load(today: date) -> None:
    load_demo_council(today, by=command_line_actor())


def _counts(db) -> dict[str, int]:
    tables = (Eia, Mitigation, DecisionRecord, PlannedEia, Plan, Sample, QualityScore, Finding, BudgetRound, User)
    return {t.__name__: db.session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


# A day late in the financial year and one early in it: the figures must hold on any day.
@pytest.mark.parametrize("today", [utcnow().date(), date(2026, 4, 20)], ids=["today", "early-april"])
def test_a_new_user_sees_one_coherent_council_on_the_day_it_is_loaded(app, db, today):
    _load(today)
    eias = db.session.execute(select(Eia)).scalars().all()
    areas = {a.id: a.full_name for a in db.session.execute(select(ServiceArea)).scalars()}

    # Each assessment sits in the service it is about, and no title is a numbered copy.
    titles = Counter(e.title for e in eias)
    assert max(titles.values()) == 1, titles.most_common(3)
    assert not [t for t in titles if t.rstrip().endswith(")")]
    placed = {e.title: areas[e.service_area_id] for e in eias}
    assert {t: placed.get(t) for t in EXPECTED_AREAS} == EXPECTED_AREAS

    # References go by the year each assessment started, over about two years.
    for eia in eias:
        assert eia.started_on is not None and eia.reference.startswith(f"EIA-{eia.started_on.year}-")
        assert today - timedelta(days=760) <= eia.started_on <= today
    assert len({e.reference.split("-")[1] for e in eias}) >= 2

    # Every state, every outcome, a screened-out one, and an individual case.
    assert {e.state for e in eias} == set(EiaState)
    assert {e.outcome for e in eias if e.outcome} >= {"no_major_change", "adjust", "continue", "stop"}
    assert any(e.closed_at_screening for e in eias)
    assert any(e.kind is EiaKind.INDIVIDUAL for e in eias)

    # Decisions to come, taken as proposed, amended, rejected and deferred.
    records = db.session.execute(select(DecisionRecord)).scalars().all()
    assert {r.outcome for r in records if r.outcome} == set(DecisionOutcome)
    assert any(r.taken_on is None and r.planned_on and r.planned_on > today for r in records)

    # A few overdue items, never many for any one person.
    overdue: Counter[int] = Counter()
    for m in db.session.execute(
        select(Mitigation)
        .join(Eia)
        .where(
            Mitigation.due_on < today,
            Mitigation.status != "done",
            Eia.state.not_in((EiaState.ABANDONED, EiaState.ARCHIVED)),
        )
    ).scalars():
        overdue[m.owner_id] += 1
    for f in db.session.execute(
        select(Finding).where(Finding.due_on < today, Finding.status == FindingStatus.OPEN)
    ).scalars():
        overdue[f.owner_id] += 1
    for e in eias:
        if e.state is EiaState.REVIEW_DUE:
            overdue[e.author_id] += 1
    assert 1 <= sum(overdue.values()) <= 6 and max(overdue.values()) <= 3, overdue
    soon = [e for e in eias if e.review_date and today <= e.review_date <= today + timedelta(days=90)]
    assert soon, "a review falls due in the next three months"

    # This financial year's programme has rows planned, started and completed.
    year = financial_year_of(today)
    start, end = date(year, 4, 1), date(year + 1, 4, 1)
    rows = db.session.execute(
        select(PlannedEia).where(PlannedEia.planned_start >= start, PlannedEia.planned_start < end)
    ).scalars()
    states = {db.session.get(Eia, r.eia_id).state if r.eia_id else None for r in rows}
    assert None in states and EiaState.DRAFT in states
    assert states & {EiaState.APPROVED, EiaState.SIGNED_OFF, EiaState.PUBLISHED}

    # A budget round with six or more proposals.
    budget = db.session.execute(select(BudgetRound)).scalar_one()
    assert len(budget.proposals) >= 6
    # Each proposal screened and consulted on for what it is, not one text pasted into all.
    proposals = [db.session.get(Eia, p.eia_id) for p in budget.proposals]
    for section, question in (("screening", "numbers_affected"), ("consultation", "what_they_said")):
        answers = {e.answers(section).get(question) for e in proposals if e.state is not EiaState.DRAFT}
        assert None not in answers and len(answers) == len([e for e in proposals if e.state is not EiaState.DRAFT])


def test_the_current_years_report_is_not_empty(app, db):
    from eia.reports import figures

    today = utcnow().date()
    _load(today)
    report = figures.build(financial_year_of(today), today)
    assert figures.totals(report.by_area).started > 0 and figures.totals(report.by_area).completed > 0
    assert report.outcomes and report.appendix


def test_loading_the_demo_twice_adds_nothing(app, db):
    today = utcnow().date()
    _load(today)
    first = _counts(db)
    _load(today)
    assert _counts(db) == first


def test_every_address_in_the_things_to_try_first_opens_for_its_role(app, client, db):
    """Each address `eia demo` suggests is a page that role can open (not a form's action, not a 403)."""
    import re

    from eia.demo.first_steps import first_steps
    from eia.demo.people import PEOPLE
    from tests.conftest import sign_in_session

    _load(utcnow().date())
    opened = []
    for role, steps in first_steps().items():
        for step in steps:
            named = re.match(r"As ([a-z]+\.[a-z]+):", step)
            email = f"{named.group(1)}@council.example" if named else next(p.email for p in PEOPLE if p.role == role)
            person = db.session.execute(select(User).where(User.email == email)).scalar_one()
            for path in re.findall(r"(?:\(|at )(/[^\s,)]*[^\s,):.]|/)", step):
                sign_in_session(client, person)
                response = client.get(path, follow_redirects=True)
                assert response.status_code == 200, f"{role} ({email}): {path} gave {response.status_code}"
                opened.append(path)
    assert "/audit-log/" in opened and "/dashboard" in opened and len(opened) >= 12


def test_the_demo_councils_own_plan_is_its_equality_objectives_not_the_reference_plans(app, client, login_as, db):
    from tracker.dashboard import own_plans

    today = utcnow().date()
    _load(today)
    own = db.session.execute(own_plans()).scalars().all()
    assert [p.organisation for p in own] == [app.config["EIA_COUNCIL_NAME"]] and own[0].is_active
    login_as(Role.EQUALITIES)
    page = client.get(f"/reports/{financial_year_of(today)}").get_data(as_text=True)
    plans = page[page.index('id="plans-table-caption"') :][:20_000]
    assert own[0].title in plans and "We have no current action plan of our own" not in plans
    assert "Leicester City Council" not in plans and "North West Leicestershire" not in plans


def test_the_audit_log_tells_the_story_on_its_own_days(app, client, login_as, db):
    """The log holds each step on the day the demo's story took it, in the order of those days, and
    its chain is whole: a published assessment's history is not dated the day the demo was loaded."""
    from eia.auditlog.chain import verify_chain
    from eia.auditlog.models import AuditEntry

    today = utcnow().date()
    before = db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    _load(today)
    entries = (
        db.session.execute(select(AuditEntry).where(AuditEntry.seq > before).order_by(AuditEntry.seq)).scalars().all()
    )
    times = [e.occurred_at for e in entries]
    assert times == sorted(times)
    assert times[0].date() <= today - timedelta(days=700)
    assert verify_chain().is_intact
    library = db.session.execute(select(Eia).where(Eia.title == "Library opening hours")).scalar_one()
    assert library.published_at is not None and library.published_at.date() < today - timedelta(days=100)
    steps = {
        e.action: e.occurred_at.date() for e in entries if e.entity_type == "eia" and e.entity_id == str(library.id)
    }
    assert steps["eia_created"] == library.created_at.date() < steps["eia_submit"] < steps["eia_publish"]
    # Written over the weeks the work took, every section before it was submitted.
    saved = [
        e.occurred_at.date()
        for e in entries
        if e.entity_type == "eia" and e.entity_id == str(library.id) and e.action == "eia_section_saved"
    ]
    assert (max(saved) - min(saved)).days >= 30 and max(saved) < steps["eia_submit"]
    assert steps["eia_publish"] == library.published_at.date()

    login_as(Role.EQUALITIES)
    page = client.get(f"/eias/{library.reference}/history").get_data(as_text=True)
    published = library.published_at.date()
    assert f"{published.day} {published:%B %Y}" in page
    assert f"{today.day} {today:%B %Y}" not in page


def test_the_story_keeps_office_hours_and_the_review_target(app, db):
    """Steps and decisions fall on working days, no two assessments move in the same minute, nearly
    every review ends within the target, and assessments evidence the council's current plan."""
    from eia.assessments import decisions
    from eia.working_days import is_working_day
    from tracker.models import EiaActionLink

    today = utcnow().date()
    _load(today)
    eias = db.session.execute(select(Eia)).scalars().all()
    stamps = [
        stamp
        for e in eias
        for stamp in (e.submitted_at, e.reviewed_at, e.approved_at, e.signed_off_at, e.published_at)
        if stamp is not None and stamp.date() < today
    ]
    assert stamps and all(is_working_day(s.date()) for s in stamps)
    submitted = Counter(e.submitted_at for e in eias if e.submitted_at)
    assert max(submitted.values()) == 1
    records = db.session.execute(select(DecisionRecord)).scalars().all()
    days = [d for r in records for d in (r.planned_on, r.taken_on) if d is not None]
    assert days and all(is_working_day(d) for d in days)
    late = [
        e.title
        for e in eias
        if e.kind is EiaKind.STANDARD
        and any(c.key == "review" and c.timing is decisions.Timing.LATE for c in decisions.timeliness(e, today))
    ]
    assert 1 <= len(late) <= 2, late
    linked = db.session.execute(select(func.count()).select_from(EiaActionLink)).scalar_one()
    assert linked >= 4


def test_the_individual_case_is_signed_off_by_someone_other_than_who_approved_it(app, db):
    from eia.auditlog.models import AuditEntry

    _load(utcnow().date())
    case = db.session.execute(select(Eia).where(Eia.kind == EiaKind.INDIVIDUAL)).scalars().first()
    assert case is not None and case.signed_off_at is not None
    actors = {
        e.action: e.actor_id
        for e in db.session.execute(
            select(AuditEntry).where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(case.id))
        ).scalars()
    }
    assert actors["eia_sign_off"] != actors["eia_approve"]
