"""The history and audit log pages, the CSV export and the dates people read use people's words:
names (not email addresses or ids), question labels (not keys), states in words and UK time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import readable, show_value, words
from eia.template_filters import format_date, format_datetime, format_uk_datetime
from tests.factories import complete_eia, make_eia, make_user


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "15 January 2026 at 12:00"),  # GMT
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "1 July 2026 at 13:00"),  # BST
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 March 2026 at 00:59"),  # a minute before the clocks go forward
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 March 2026 at 02:00"),  # the moment they do
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 October 2026 at 01:30"),  # BST, before they go back
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 October 2026 at 01:30"),  # GMT, the second 01:30
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "31 December 2026 at 23:30"),
    ],
)
def test_times_are_uk_time_across_the_clock_changes(moment, shown):
    assert format_uk_datetime(moment) == shown
    assert format_datetime(moment) == shown  # the ``datetime`` filter every page uses is UK time too


def test_the_day_of_a_moment_is_its_day_in_the_uk():
    assert format_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"
    assert format_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "31 December 2026"
    assert format_date(date(2026, 6, 30)) == "30 June 2026"


def test_values_and_keys_read_as_words():
    assert words("service_area_id") == "Service area"
    assert words("mitigation.owner_id") == "Mitigation: owner"
    assert show_value(None) == "–"
    assert show_value(True) == "Yes"
    assert show_value("2026-04-01") == "1 April 2026"
    assert show_value("2026-07-01T12:00:00+00:00") == "1 July 2026 at 13:00"
    assert show_value(["a", "b"]) == "a; b"


def _history(client, eia) -> str:
    response = client.get(f"/eias/{eia.reference}/history")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_history_shows_names_question_labels_and_states_in_words(client, login_as, db):
    author = make_user(Role.AUTHOR, name="Sam Patel", email="sam.patel@council.example")
    eia = make_eia(author=author)
    complete_eia(eia, by=author)
    login_as(Role.EQUALITIES, name="Priya Shah", email="priya.shah@council.example")
    audit.record("eia_approve", eia, by=author, changes={"state": ["in_review", "approved"]})
    db.session.commit()

    page = _history(client, eia)

    assert "In review → Approved" in page
    assert "in_review" not in page
    assert "sam.patel@council.example" not in page
    assert "Sam Patel" in page
    # The mitigation's owner is a name, not "owner id: (dash) → 12".
    assert "Mitigation: owner: – → Sam Patel" in page
    assert "owner id" not in page
    # Question labels, not keys; the choice's label, not its stored value.
    assert "about.decision_route" not in page and "about: decision route" not in page
    about = eia.form.section("about")
    assert about.question("decision_route").label in page
    assert "Impact on age: direction: – → Negative" in page
    assert "About the proposal: progress: In progress → Completed" in page, page[page.find("progress:") - 200 :][:400]
    assert "When (UK time)" in page and "(UTC)" not in page


def _at(monkeypatch, moment: datetime) -> None:
    """Entries written from now on carry *moment* (UTC) as their time."""
    monkeypatch.setattr(audit, "utcnow", lambda: moment)


def test_history_shows_uk_time_of_an_entry_in_summer(client, login_as, db, monkeypatch):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    login_as(Role.EQUALITIES)
    _at(monkeypatch, datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    audit.record("eia_return", eia, by=author, changes={"state": ["in_review", "returned"]})
    db.session.commit()

    page = _history(client, eia)

    assert "1 July 2026 at 00:30" in page  # 23:30 UTC on 30 June is half past midnight on 1 July in BST
    assert "In review → Returned" in page


def test_audit_log_page_names_the_person_and_the_assessment(client, login_as, db):
    author = make_user(Role.AUTHOR, name="Jo Okafor", email="jo.okafor@council.example")
    eia = make_eia(author=author)
    reviewer = make_user(Role.EQUALITIES, name="Priya Shah")
    audit.record("eia_reviewer_assigned", eia, by=author, changes={"reviewer_id": [None, reviewer.id]})
    db.session.commit()
    login_as(Role.EQUALITIES)

    page = client.get("/audit-log/").get_data(as_text=True)

    assert f"Reviewer assigned – {eia.reference}" in page
    assert "Reviewer: – → Priya Shah" in page
    assert "jo.okafor@council.example" not in page
    assert "Jo Okafor" in page


def test_an_api_token_stays_named_beside_the_person(db):
    author = make_user(Role.AUTHOR, name="Sam Patel")
    entry = AuditEntry(actor_id=author.id, actor_label=f"{author.email} (API token abcd…)", action="eia_created")
    entry.occurred_at = datetime(2026, 1, 1, tzinfo=UTC)
    assert readable([entry])[0].who == "Sam Patel (API token abcd…)"
    system = AuditEntry(actor_id=None, actor_label="system", action="reminders_sent", changes=None)
    system.occurred_at = datetime(2026, 1, 1, tzinfo=UTC)
    assert readable([system])[0].who == "The system"


def test_csv_export_adds_uk_time_names_and_changes_in_words(client, login_as, db, monkeypatch):
    author = make_user(Role.AUTHOR, name="Sam Patel", email="sam.patel@council.example")
    eia = make_eia(author=author)
    _at(monkeypatch, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    entry = audit.record("eia_approve", eia, by=author, changes={"state": ["in_review", "approved"]})
    db.session.commit()
    monkeypatch.undo()
    login_as(Role.EQUALITIES)

    response = client.post("/audit-log/export.csv", data={"action": "eia_approve"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    row = next(r for r in rows if r["id"] == str(entry.id))
    assert row["actor"] == "sam.patel@council.example"  # the stored entry, as it was written
    assert row["occurred_at_utc"].startswith("2026-07-01T12:00")
    assert row["who"] == "Sam Patel"
    assert row["when_uk_time"] == "1 July 2026 at 13:00"
    assert row["what"] == "Approved"
    assert row["about"] == eia.reference
    assert row["changes_in_words"] == "State: In review → Approved"


def test_quality_audit_entries_name_the_criteria_and_read_the_scores(client, login_as, db):
    from tests.factories import make_scored_sample

    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    make_scored_sample(eia)
    login_as(Role.EQUALITIES)

    scored = client.get("/audit-log/?action=sample_scored").get_data(as_text=True)
    raised = client.get("/audit-log/?action=finding_raised").get_data(as_text=True)

    assert "Timeliness: – → 1 (partial)" in scored and "Purpose and scope: – → 1 (partial)" in scored
    assert "Criterion: – → Evidence, with gaps named" in raised
    assert f"Owner: – → {author.name}" in raised


def test_history_names_people_sections_mitigations_and_uk_dates_not_ids_or_keys(client, login_as, db):
    author = make_user(Role.AUTHOR, name="Sam Patel")
    eia = make_eia(author=author)
    complete_eia(eia, by=author)  # the monitoring owner is chosen: an answer of type "user"
    reviewer = make_user(Role.EQUALITIES, name="Priya Shah")
    workflow.transition(eia, "submit", by=author, confirmed=True)
    comment = workflow.add_comment(eia, "mitigations", "Say who checks the figures.", by=reviewer)
    mitigation = eia.mitigations[0]
    audit.record("eia_decision_recorded", eia, by=reviewer, detail="Agreed as proposed on 2026-04-27")
    db.session.commit()
    login_as(Role.EQUALITIES)

    page = _history(client, eia)

    assert "Who is responsible for monitoring?: – → Sam Patel" in page
    assert f"Who is responsible for monitoring?: – → {author.id}<" not in page
    assert "On Mitigations" in page and f"comment {comment.id}" not in page
    assert "Mitigation for age" in page and f"mitigation {mitigation.id}" not in page
    assert "Agreed as proposed on 27 April 2026" in page and "2026-04-27" not in page


def test_audit_log_names_the_yearly_text_by_what_it_is_and_its_year(client, login_as, db):
    from eia.reports import services as report_services
    from eia.reports.models import TextKind

    login_as(Role.EQUALITIES)
    report_services.save_year_text(
        TextKind.REPORT_COMMENTARY,
        2025,
        "Most assessments started early.",
        expected_version=0,
        by=make_user(Role.EQUALITIES),
    )
    db.session.commit()

    page = client.get("/audit-log/").get_data(as_text=True)

    assert "Saved – The annual report&#39;s commentary and recommendations for 2025 to 2026" in page
    assert "Year text" not in page


def test_entries_about_people_areas_plans_and_the_programme_name_them(db):
    """A person, a service area, a plan, an action and a programme row are named by what they are
    called, even when nothing else in the entry names them."""
    from eia.accounts import services as accounts
    from eia.auditlog.services import command_line_actor
    from tests.factories import make_plan
    from tracker import programme
    from tracker.models import PlanAction
    from tracker.services import update_plan

    system = command_line_actor()
    area = accounts.create_service_area("Libraries", parent=None, by=system)
    person = accounts.create_user(
        email="new.person@council.example", name="Sam Patel", role=Role.DECISION_MAKER, password=None, by=system
    )
    plan = make_plan()
    update_plan(plan, title=plan.title, is_active=False, expected_version=plan.version, by=system)
    action = db.session.execute(select(PlanAction).limit(1)).scalar_one()
    audit.record("plan_action_updated", action, by=system)
    planned = programme.add_planned(
        {"title": "Parks strategy", "service_area_id": area.id, "planned_start": date(2026, 5, 1)}, by=system
    )
    entries = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(6)).scalars().all()
    subjects = {e.entry.action: e.subject for e in readable(entries)}
    assert subjects["service_area_created"] == "Libraries"
    assert subjects["user_created"] == "Sam Patel"
    assert subjects["plan_updated"] == f"{plan.title} ({plan.organisation})"
    assert subjects["plan_action_updated"] == f"Action {action.ref} of {plan.title}"
    assert subjects["programme_entry_added"] == "Programme: Parks strategy"
    assert planned.id and person.id
