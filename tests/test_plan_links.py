"""Plan pages and the links from EIAs to the actions they evidence."""

from __future__ import annotations

from sqlalchemy import select

from eia.accounts.models import Role
from eia.auditlog.models import AuditEntry
from tests.factories import make_eia, make_plan


def test_plan_pages_show_priorities_actions_and_targets(client, login_as, db):
    login_as(Role.DECISION_MAKER)
    plan = make_plan()
    page = client.get("/plans/").get_data(as_text=True)
    assert "Equality Strategy Action Plan 2020 - 2022" in page and "Charnwood Borough Council" in page
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert (
        "PEO 1" in page and "Review and update the council&#39;s approach to EIAs" in page and "September 2021" in page
    )
    action = plan.priorities[0].actions[0]
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert "Positive feedback" in page and "No assessment you can see evidences this action yet." in page
    assert client.get("/plans/99999").status_code == 404


def test_the_councils_own_plans_come_first_and_other_councils_plans_are_for_reference(app, client, login_as, db):
    login_as(Role.EQUALITIES)
    council = app.config["EIA_COUNCIL_NAME"]
    ended = make_plan(title="Equality Action Plan 2021-2025", organisation=council)
    ended.is_active = False
    make_plan(title="Equality Action Plan 2025-2029", organisation=council)
    make_plan()  # Charnwood's, kept for reference
    db.session.commit()
    page = client.get("/plans/").get_data(as_text=True)
    own, _, others = page.partition("Plans other councils published")
    assert own.index("Equality Action Plan 2025-2029") < own.index("Equality Action Plan 2021-2025")
    assert "Ended" in own and "Not tracked" in others and "Not tracked" not in own
    assert f"{council}&#39;s plans" in own and "Equality Action Plan 2025-2029" in own
    assert "Charnwood Borough Council" not in own
    assert "Charnwood Borough Council" in others and "not this council's equality objectives" in others
    assert "Current" in own


def test_an_author_links_their_eia_to_an_action_and_the_counts_follow(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    plan = make_plan()
    action = plan.priorities[0].actions[1]
    page = client.post(f"/eias/{eia.reference}/actions/", data={"action_id": str(action.id), "note": "  "}).get_data(
        as_text=True
    )
    assert "Say how this assessment evidences the action" in page
    response = client.post(
        f"/eias/{eia.reference}/actions/",
        data={"action_id": str(action.id), "note": "It records completion for the audit."},
    )
    assert response.status_code == 302
    page = client.post(f"/eias/{eia.reference}/actions/", data={"action_id": str(action.id), "note": "Again"}).get_data(
        as_text=True
    )
    assert "already linked to that action" in page
    assert client.post(f"/eias/{eia.reference}/actions/", data={"action_id": "999999", "note": "x"}).status_code == 200

    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert page.count('govuk-table__cell--numeric">1<') == 1
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert eia.reference in page
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "eia_action_linked")).scalar_one()

    # Someone who may not see the EIA does not see it listed against the action either.
    login_as(Role.AUTHOR)
    assert eia.reference not in client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    login_as(Role.AUTHOR, service_area=author.service_area)
    links = client.get(f"/eias/{eia.reference}/actions/").get_data(as_text=True)
    assert "It records completion for the audit." in links


def test_links_cannot_be_removed_through_another_eia(client, login_as, db):
    author = login_as(Role.AUTHOR)
    first = make_eia(author=author)
    second = make_eia(author=author)
    plan = make_plan()
    client.post(
        f"/eias/{first.reference}/actions/", data={"action_id": str(plan.priorities[0].actions[0].id), "note": "Yes"}
    )
    from tracker.models import EiaActionLink

    link = db.session.execute(select(EiaActionLink)).scalar_one()
    assert client.post(f"/eias/{second.reference}/actions/{link.id}/remove").status_code == 404
    assert client.post(f"/eias/{first.reference}/actions/{link.id}/remove").status_code == 302
    assert db.session.execute(select(EiaActionLink)).first() is None


def test_the_upload_page_previews_then_imports_on_confirmation(app, client, login_as, db, tmp_path, monkeypatch):
    import io

    from tracker.demo import DATA_DIR
    from tracker.models import Plan, PlanAction

    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path))
    login_as(Role.EQUALITIES)
    data = (DATA_DIR / "nwldc-equality-action-plan.csv").read_bytes()
    response = client.post(
        "/plans/import", data={"file": (io.BytesIO(data), "nwldc.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and "1 new plan: Equality Action Plan (North West Leicestershire District Council)" in page
    )
    assert "16 new actions" in page and "Confirm the import" in page
    # The page itself says what the file must hold, rather than sending people to a README.
    assert "README" not in page and "What the file must hold" in page
    assert "<code>success_measures</code>: how success will be measured" in page
    assert db.session.execute(select(Plan)).first() is None  # nothing written by the preview

    assert client.post("/plans/import/confirm").status_code == 302
    assert db.session.execute(select(PlanAction)).scalars().all().__len__() == 16
    assert "Imported nwldc.csv: 16 actions added" in client.get("/plans/").get_data(as_text=True)
    assert client.post("/plans/import/confirm").status_code == 302  # nothing waiting any more
    assert list((tmp_path / "pending-imports").iterdir()) == []


def test_the_upload_page_names_each_bad_cell(client, login_as, db):
    import io

    login_as(Role.EQUALITIES)
    bad = b"plan,organisation,priority_ref,priority,action,status\nP,O,R,Text,Do it,finished\nP,O,R,Text,,\n"
    response = client.post(
        "/plans/import", data={"file": (io.BytesIO(bad), "bad.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "line 2, column status: &#39;finished&#39; is not a status" in page
    assert "line 3, column action: The action is empty" in page
    page = client.post("/plans/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Select a CSV or XLSX file" in page


def test_progress_updates_by_the_lead_service_area_with_evidence(client, login_as, db, app, tmp_path, monkeypatch):
    import io

    from eia.accounts.models import ServiceArea
    from tests.factories import make_service_area
    from tracker.models import ActionStatus

    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(tmp_path))
    plan = make_plan()
    action = plan.priorities[0].actions[0]  # lead: "Improvement"
    login_as(Role.AUTHOR)  # another service area
    assert client.post(f"/plans/actions/{action.id}", data={"note": "Done"}).status_code == 403
    improvement = make_service_area(
        "Improvement", parent=db.session.get(ServiceArea, make_service_area("Corporate").id)
    )
    lead = login_as(Role.AUTHOR, service_area=improvement)
    page = client.post(f"/plans/actions/{action.id}", data={"note": "", "status": "on_track"}).get_data(as_text=True)
    assert "Describe the progress made" in page
    page = client.post(
        f"/plans/actions/{action.id}",
        data={"note": "x", "status": "on_track", "written_on-day": "", "written_on-month": "", "written_on-year": ""},
    ).get_data(as_text=True)
    assert "Enter the date of the update" in page
    response = client.post(
        f"/plans/actions/{action.id}",
        data={
            "written_on-day": "1", "written_on-month": "6", "written_on-year": "2026",
            "note": "New EIA template agreed by the Equality Working Group.", "status": "on_track",
            "file": (io.BytesIO(b"%PDF-1.4 minutes"), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status is ActionStatus.ON_TRACK and len(action.updates) == 1
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert "New EIA template agreed" in page and "status not started → on track" in page and "minutes.pdf" in page
    assert lead.name in page

    login_as(Role.EQUALITIES)
    assert client.post(f"/plans/actions/{action.id}/owner", data={"owner_id": str(lead.id)}).status_code == 302
    db.session.refresh(action)
    assert action.owner_id == lead.id
    from tests.conftest import sign_in_session

    sign_in_session(client, lead)
    assert "Action-plan actions you own" in client.get("/").get_data(as_text=True)
