"""The plan dashboard, editing plans and actions, plan downloads and "my actions" for leads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from eia.accounts.models import Role, User
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from tests.conftest import sign_in_session
from tests.factories import make_plan, make_service_area, make_user
from tracker import importing, queries, services
from tracker.models import ActionStatus, PlanAction, Priority


def _dashboard_plan(db, owner: User | None = None):
    """One priority of five actions, each in a known state relative to today.

    1.1 due last month, not started, never updated      -> overdue, no recent update
    1.3 due last month, complete                        -> neither
    2.1 recurring, on track, updated 10 days ago        -> neither
    2.2 due next year, at risk, updated 100 days ago    -> no recent update
    2.3 due next year, off track, updated 89 days ago   -> neither (owned by *owner*)
    """
    today = utcnow().date()
    plan = make_plan()
    first = plan.priorities[0]
    first.actions[0].due_on = today - timedelta(days=30)
    first.actions[1].due_on = today - timedelta(days=30)
    first.actions[1].status = ActionStatus.COMPLETE
    second = Priority(ref="PEO 2", text="To enhance understanding of equality", position=2)
    second.actions += [
        PlanAction(ref="2.1", text="Promote training", leads=["HR"], target_text="Ongoing", is_recurring=True),
        PlanAction(ref="2.2", text="Develop resources", leads=["HR"], due_on=today + timedelta(days=365)),
        PlanAction(
            ref="2.3",
            text="Present annual report",
            leads=["Equalities team"],
            due_on=today + timedelta(days=365),
            owner_id=owner.id if owner else None,
        ),
    ]
    plan.priorities.append(second)
    db.session.commit()
    by = make_user(Role.EQUALITIES)
    for ref, days, status in (("2.1", 10, "on_track"), ("2.2", 100, "at_risk"), ("2.3", 89, "off_track")):
        action = next(a for a in second.actions if a.ref == ref)
        services.add_progress_update(
            action, note="Progress", status=ActionStatus(status), written_on=today - timedelta(days=days), by=by
        )
    db.session.commit()
    return plan


def _cells(page: str, table_id: str) -> str:
    """The text of one table, tags stripped, to compare figures without the markup."""
    import re

    start = page.index(f'id="{table_id}"')
    table = page[start : page.index("</table>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", table).split())


def test_the_dashboard_counts_statuses_overdue_and_stale_actions_by_priority(client, login_as, db):
    _dashboard_plan(db)
    login_as(Role.AUTHOR)
    page = client.get("/plans/dashboard").get_data(as_text=True)
    # Statuses in order: not started, on track, at risk, off track, complete; then actions,
    # % complete, overdue, no update in 90 days.
    by_priority = _cells(page, "by-priority")
    assert (
        "PEO 1 Equality Strategy Action Plan 2020 - 2022 (Charnwood Borough Council) 1 0 0 0 1 2 50% 1 1" in by_priority
    )
    assert (
        "PEO 2 Equality Strategy Action Plan 2020 - 2022 (Charnwood Borough Council) 0 1 1 1 0 3 0% 0 1" in by_priority
    )
    assert 'id="figure-total">5<' in page and 'id="figure-complete">20%<' in page
    assert 'id="figure-overdue">1<' in page and 'id="figure-stale">2<' in page
    assert "5 actions" in page

    overdue = client.get("/plans/dashboard?attention=overdue").get_data(as_text=True)
    listed = _cells(overdue, "actions")
    assert "1 action" in overdue and "PEO 1 1.1:" in listed and "Never" in listed and "Overdue" in listed
    stale = _cells(client.get("/plans/dashboard?attention=stale").get_data(as_text=True), "actions")
    assert "PEO 1 1.1:" in stale and "PEO 2 2.2:" in stale
    assert "2.1:" not in stale and "2.3:" not in stale and "1.3:" not in stale

    by_lead = client.get("/plans/dashboard?lead=HR").get_data(as_text=True)
    assert "2 actions" in by_lead and 'id="figure-total">2<' in by_lead
    by_status = _cells(client.get("/plans/dashboard?status=at_risk").get_data(as_text=True), "actions")
    assert "2.2:" in by_status and "2.1:" not in by_status


def test_the_actions_come_a_page_at_a_time_with_their_plan_owner_and_flags(client, login_as, db, monkeypatch):
    from tracker import views

    monkeypatch.setattr(views, "DASHBOARD_PAGE_SIZE", 2)
    owner = make_user(Role.AUTHOR, name="Priya Shah")
    _dashboard_plan(db, owner=owner)
    login_as(Role.AUTHOR)
    pages = [_cells(client.get(f"/plans/dashboard?page={n}").get_data(as_text=True), "actions") for n in (1, 2, 3)]
    assert all("> 5 actions Action Lead Owner" in text for text in pages)
    assert "PEO 1 1.1: Review" in pages[0] and "PEO 1 1.3: Audit" in pages[0] and "Overdue" in pages[0]
    assert "PEO 2 2.1: Promote" in pages[1] and "PEO 2 2.2: Develop" in pages[1] and "Needs an update" in pages[1]
    assert "PEO 2 2.3: Present" in pages[2] and "Priya Shah" in pages[2] and "Charnwood Borough Council" in pages[2]
    second = client.get("/plans/dashboard?page=2&owner=").get_data(as_text=True)
    assert "Page 2 of 3" in second and 'rel="prev"' in second and 'rel="next"' in second
    assert "No actions match these filters." in client.get("/plans/dashboard?page=4").get_data(as_text=True)


def test_the_dashboard_filters_by_owner_and_plan_and_leaves_out_ended_plans(client, login_as, db):
    owner = make_user(Role.AUTHOR)
    plan = _dashboard_plan(db, owner=owner)
    other = make_plan(title="Equality action plan", organisation="Leicester City Council")
    login_as(Role.EQUALITIES)
    page = client.get(f"/plans/dashboard?owner={owner.id}").get_data(as_text=True)
    assert "1 action" in page and "2.3:" in _cells(page, "actions") and owner.name in page
    page = client.get(f"/plans/dashboard?plan={other.id}").get_data(as_text=True)
    assert 'id="figure-total">2<' in page and "Leicester City Council" in _cells(page, "by-priority")
    assert "Charnwood" not in _cells(page, "by-priority")

    client.post(f"/plans/{plan.id}/edit", data={"title": plan.title, "is_active": "no", "version": str(plan.version)})
    page = client.get("/plans/dashboard").get_data(as_text=True)
    assert "Charnwood" not in _cells(page, "by-priority") and 'id="figure-total">2<' in page


@pytest.mark.parametrize("query", ["status=finished", "attention=soon", "plan=abc", "owner=-1", "page=0"])
def test_bad_dashboard_filters_get_a_400_page(client, login_as, db, query):
    login_as(Role.AUTHOR)
    response = client.get(f"/plans/dashboard?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_dashboard_exports_the_filtered_actions_as_csv(client, login_as, db):
    owner = make_user(Role.AUTHOR)
    _dashboard_plan(db, owner=owner)
    login_as(Role.DECISION_MAKER)
    response = client.post("/plans/dashboard/export.csv?attention=stale")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action_ref"] for r in rows] == ["1.1", "2.2"]
    assert rows[0]["overdue"] == "yes" and rows[0]["last_update_on"] == "" and rows[0]["status"] == "Not started"
    assert rows[1]["overdue"] == "no" and rows[1]["no_update_in_90_days"] == "yes" and rows[1]["lead"] == "HR"
    assert rows[1]["last_update_on"] == (utcnow().date() - timedelta(days=100)).isoformat()
    everything = list(csv.DictReader(io.StringIO(client.post("/plans/dashboard/export.csv").get_data(as_text=True))))
    assert len(everything) == 5 and next(r for r in everything if r["action_ref"] == "2.3")["owner"] == owner.name
    entry = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "plan_actions_exported").order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert [e.detail for e in entry] == ["2 actions", "5 actions"]


def test_the_equalities_team_corrects_an_action_and_the_due_date_follows_the_target(client, login_as, db):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    login_as(Role.EQUALITIES)
    form = client.get(f"/plans/actions/{action.id}/edit").get_data(as_text=True)
    assert "Review and update the council&#39;s approach to EIAs" in form and "September 2021" in form
    response = client.post(
        f"/plans/actions/{action.id}/edit",
        data={
            "text": "Review the council's approach to EIAs",
            "outcome": "Better assessments",
            "leads": "Improvement\nEqualities team\n",
            "target_text": "March 2023 & March 2024",
            "success_measures": "Positive feedback\nFewer complaints",
            "version": str(action.version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.text == "Review the council's approach to EIAs" and action.leads == ["Improvement", "Equalities team"]
    assert action.due_on.isoformat() == "2024-03-31" and action.success_measures == [
        "Positive feedback",
        "Fewer complaints",
    ]
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "plan_action_updated")).scalar_one()
    assert entry.changes["target_text"] == ["September 2021", "March 2023 & March 2024"]
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert "Fewer complaints" in page and "31 March 2024" in page

    # The form opened before that save no longer matches: nothing is saved.
    stale = client.post(
        f"/plans/actions/{action.id}/edit",
        data={"text": "Something else", "leads": "", "target_text": "", "success_measures": "", "version": "1"},
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.get_data(as_text=True)
    db.session.refresh(action)
    assert action.text == "Review the council's approach to EIAs"

    empty = client.post(f"/plans/actions/{action.id}/edit", data={"text": " ", "version": str(action.version)})
    assert "Enter the action" in empty.get_data(as_text=True)


def test_the_equalities_team_renames_a_plan_and_ends_it(client, login_as, db):
    plan = make_plan()
    make_plan(title="Equality Strategy 2024", organisation="Charnwood Borough Council")
    login_as(Role.EQUALITIES)
    opened = str(plan.version)
    clash = client.post(
        f"/plans/{plan.id}/edit", data={"title": "Equality Strategy 2024", "is_active": "yes", "version": opened}
    )
    assert "already has a plan called" in clash.get_data(as_text=True)
    renamed = client.post(
        f"/plans/{plan.id}/edit", data={"title": "EqSAP 2020-22", "is_active": "no", "version": opened}
    )
    assert renamed.status_code == 302
    db.session.refresh(plan)
    assert plan.title == "EqSAP 2020-22" and plan.is_active is False
    assert "Ended" in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    # Assessments can no longer be linked to its actions.
    assert all("EqSAP" not in label for _, label in queries.action_choices())
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "plan_updated")).scalar_one()
    assert entry.changes["is_active"] == [True, False]


def test_anyone_signed_in_downloads_a_plan_in_the_import_format(client, login_as, db):
    plan = make_plan()
    login_as(Role.AUTHOR)
    response = client.post(f"/plans/{plan.id}/export.csv")
    assert response.status_code == 200
    assert (
        "charnwood-borough-council-equality-strategy-action-plan-2020-2022.csv"
        in response.headers["Content-Disposition"]
    )
    assert response.get_data(as_text=True) == importing.export_csv(plan)
    workbook = openpyxl.load_workbook(io.BytesIO(client.post(f"/plans/{plan.id}/export.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "plan" and rows[1][5] == "1.1" and len(rows) == 3
    assert client.post(f"/plans/{plan.id}/export.pdf").status_code == 404
    assert len(db.session.execute(select(AuditEntry).where(AuditEntry.action == "plan_exported")).all()) == 2


def test_leads_see_the_actions_of_their_team_or_directorate_in_my_work(client, login_as, db):
    directorate = make_service_area("Chief Executive's Office")
    team = make_service_area("Improvement", parent=directorate)
    plan = make_plan()
    done = plan.priorities[0].actions[1]
    done.status = ActionStatus.COMPLETE
    db.session.commit()
    for area in (team, directorate):
        person = make_user(Role.AUTHOR, service_area=area)
        sign_in_session(client, person)
        page = client.get("/").get_data(as_text=True)
        expect = area is team
        assert ("Action-plan actions you own or lead" in page) is expect
        assert ("Review and update the council" in page) is expect
        assert "Audit EIA completion" not in page

    outsider = make_user(Role.AUTHOR)
    sign_in_session(client, outsider)
    assert "Action-plan actions you own or lead" not in client.get("/").get_data(as_text=True)


def test_re_importing_a_file_without_statuses_keeps_the_progress_made(db):
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    by = make_user(Role.EQUALITIES)
    header = "plan,organisation,priority_ref,priority,action_ref,action,lead,target,success_measures,status\n"
    row = (
        f'"{plan.title}",{plan.organisation},PEO 1,"{plan.priorities[0].text}",1.1,'
        '"Review and update the council\'s approach to EIAs",Improvement,September 2021,Positive feedback,'
    )
    services.add_progress_update(action, note="Begun", status=ActionStatus.ON_TRACK, written_on=utcnow().date(), by=by)
    db.session.commit()
    preview = importing.preview_import(importing.read_rows((header + row + "\n").encode()))
    assert not preview.changed_actions
    preview = importing.preview_import(importing.read_rows((header + row + "complete\n").encode()))
    assert preview.changed_actions[0][1] == {"status": ["on_track", "complete"]}
    importing.apply_import(preview, by=by, source="plan.csv")
    db.session.commit()
    db.session.refresh(action)
    assert action.status is ActionStatus.COMPLETE


def test_review_findings_on_plan_editing_are_fixed(client, login_as, db):
    plan = make_plan(title="Équité ✓", organisation="Conseil")
    action = plan.priorities[0].actions[0]
    login_as(Role.EQUALITIES)
    # A post with no version at all cannot overwrite someone else's change.
    missing = client.post(f"/plans/actions/{action.id}/edit", data={"text": "Someone's wording"})
    assert missing.status_code == 409
    # Leads split on ";" as well as lines, as the import reads them.
    client.post(
        f"/plans/actions/{action.id}/edit",
        data={"text": action.text, "leads": "HR; Finance\nLegal", "version": str(action.version)},
    )
    db.session.refresh(action)
    assert action.leads == ["HR", "Finance", "Legal"]
    # The download keeps a usable ASCII name.
    assert 'filename="conseil-quit.csv"' in client.post(f"/plans/{plan.id}/export.csv").headers["Content-Disposition"]
    other = make_plan(title="ÉÉÉ", organisation="ÉÉ")
    assert (
        f'filename="plan-{other.id}.csv"' in client.post(f"/plans/{other.id}/export.csv").headers["Content-Disposition"]
    )
    # The lead filter ignores case the same way on both databases.
    assert "1 action" in client.get("/plans/dashboard?lead=hr").get_data(as_text=True)


def test_leads_with_accented_names_see_their_actions(client, db):
    team = make_service_area("Équipe Égalité")
    plan = make_plan()
    action = plan.priorities[0].actions[0]
    action.leads = ["ÉQUIPE ÉGALITÉ"]
    db.session.commit()
    person = make_user(Role.AUTHOR, service_area=team)
    assert [a.id for a in queries.my_actions(person)] == [action.id]
    sign_in_session(client, person)
    assert "Review and update the council" in client.get("/").get_data(as_text=True)


def test_two_people_renaming_one_plan_see_both_names_and_keep_what_they_typed(client, login_as, db):
    plan = make_plan()
    login_as(Role.EQUALITIES)
    opened = str(plan.version)
    assert (
        client.post(
            f"/plans/{plan.id}/edit", data={"title": "Their new name", "is_active": "yes", "version": opened}
        ).status_code
        == 302
    )
    late = client.post(f"/plans/{plan.id}/edit", data={"title": "My new name", "is_active": "no", "version": opened})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "changed while you were editing" in page and "My new name" in page and "Their new name" in page
    db.session.refresh(plan)
    assert plan.title == "Their new name"
    # The page posts what was typed again at the version saved now: keeping it is a deliberate choice.
    assert f'name="version" value="{plan.version}"' in page and 'name="title" value="My new name"' in page
    kept = client.post(
        f"/plans/{plan.id}/edit", data={"title": "My new name", "is_active": "no", "version": str(plan.version)}
    )
    assert kept.status_code == 302
    db.session.refresh(plan)
    assert (plan.title, plan.is_active) == ("My new name", False)
