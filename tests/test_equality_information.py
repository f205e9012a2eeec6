"""The yearly equality information: published by the equalities team, read by anyone, with only
published assessments named, and reminders 8 and 2 weeks before it is due."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments.models import DecisionRecord
from eia.assessments.states import DecidingBody, DecisionOutcome, EiaKind, EiaState
from eia.auditlog.models import AuditEntry
from eia.notifications import services as notifications
from tests.factories import make_eia, make_service_area, make_user

NARRATIVE = "This year our assessments changed three decisions.\n\nWe met our objective on accessible venues."


def _year(db):
    area = make_service_area("Communities")
    author = make_user(Role.AUTHOR, service_area=make_service_area("Libraries", parent=area))
    published = make_eia(
        author=author,
        title="Library opening hours",
        state=EiaState.PUBLISHED,
        created_at=datetime(2025, 5, 1, tzinfo=UTC),
        outcome="adjust",
        approved_at=datetime(2025, 6, 1, tzinfo=UTC),
        published_at=datetime(2025, 7, 1, tzinfo=UTC),
    )
    published.decision = DecisionRecord(
        deciding_body=DecidingBody.CABINET, taken_on=date(2025, 6, 20), outcome=DecisionOutcome.AMENDED
    )
    approved = make_eia(
        author=author,
        title="Mobile library stops",
        state=EiaState.APPROVED,
        created_at=datetime(2025, 5, 2, tzinfo=UTC),
        approved_at=datetime(2025, 8, 1, tzinfo=UTC),
    )
    individual = make_eia(
        author=author,
        kind=EiaKind.INDIVIDUAL,
        title="Reasonable adjustments for one employee",
        state=EiaState.SIGNED_OFF,
        created_at=datetime(2025, 5, 3, tzinfo=UTC),
        approved_at=datetime(2025, 9, 1, tzinfo=UTC),
    )
    db.session.commit()
    return published, approved, individual


def test_published_by_the_equalities_team_and_read_by_anyone(client, login_as, db, tmp_path):
    published, approved, individual = _year(db)
    assert client.get("/register/equality-information/2025").status_code == 404
    assert "Nothing has been published yet." in client.get("/register/equality-information/").get_data(as_text=True)
    login_as(Role.EQUALITIES)
    empty = client.post("/register/equality-information/2025/edit", data={"body": " ", "version": "0"})
    assert empty.status_code == 200 and "Write the narrative before publishing" in empty.get_data(as_text=True)
    response = client.post("/register/equality-information/2025/edit", data={"body": NARRATIVE, "version": "0"})
    assert response.status_code == 302 and response.location.endswith("/register/equality-information/2025")
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "year_text_saved")).scalar_one()
    assert entry.changes["body"] == [None, NARRATIVE]
    client.post("/sign-out")

    page = client.get("/register/equality-information/2025").get_data(as_text=True)
    assert "Equality information 2025/26" in page and "We met our objective on accessible venues." in page
    assert "Last published" in page and "(version 1)" in page
    row = page[page.index(published.reference) : page.index("</tr>", page.index(published.reference))]
    assert (
        "Library opening hours" in row
        and "Adjust the proposal" in row
        and "Cabinet or an executive member, 20 June 2025: agreed with amendments" in row
    )
    assert approved.reference not in page and "Mobile library stops" not in page  # approved, not published
    assert individual.title not in page and individual.reference not in page
    assert "We also completed 1 assessment of actions about individual people" in page
    assert (
        "In 2025/26 we started 3 equality impact assessments, completed 3 and published 1 (33% of those completed)"
        in page
    )
    assert "Equality information 2025/26" in client.get("/register/equality-information/").get_data(as_text=True)

    pdf = client.get("/register/equality-information/2025.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf.data)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "We met our objective on accessible venues." in text and published.reference in text
    assert individual.title not in text and approved.reference not in text


def test_only_the_equalities_team_and_admins_publish_it(client, login_as, db):
    assert client.get("/register/equality-information/2025/edit").status_code == 302  # to sign in
    for role in (Role.AUTHOR, Role.DECISION_MAKER):
        login_as(role)
        assert client.get("/register/equality-information/2025/edit").status_code == 403
        assert (
            client.post("/register/equality-information/2025/edit", data={"body": "x", "version": "0"}).status_code
            == 403
        )
    assert client.get("/register/equality-information/2025").status_code == 404


def test_the_equalities_team_is_reminded_eight_and_two_weeks_before_it_is_due(app, db):
    team = make_user(Role.EQUALITIES)
    author = make_user(Role.AUTHOR)
    app.config["EIA_EQUALITY_INFORMATION_DUE"] = "31-01"
    try:
        for today, expected in (
            (date(2026, 12, 6), "in 8 weeks"),
            (date(2027, 1, 17), "in 2 weeks"),
            (date(2027, 1, 16), None),
            (date(2027, 2, 1), None),
        ):
            found = [r for r in notifications.reminders(today).get(team.id, []) if r.kind == "equality_information"]
            if expected is None:
                assert found == [], today
            else:
                assert [r.text for r in found] == [
                    f"The equality information for 2025/26 is due to be published by 31 January 2027, {expected}"
                ], today
                assert found[0].path == "/register/equality-information/2025/edit"
            assert not [
                r for r in notifications.reminders(today).get(author.id, []) if r.kind == "equality_information"
            ]
    finally:
        app.config["EIA_EQUALITY_INFORMATION_DUE"] = "31-01"


def test_the_pdf_is_rendered_once_for_what_it_says(client, login_as, db, monkeypatch):
    from eia.register import equality_views

    _year(db)
    login_as(Role.EQUALITIES)
    body = f"{NARRATIVE} Rendered once {uuid.uuid4()}."  # a PDF no other test has asked for
    client.post("/register/equality-information/2025/edit", data={"body": body, "version": "0"})
    renders = []
    real = equality_views.render_pdf
    monkeypatch.setattr(equality_views, "render_pdf", lambda html: renders.append(1) or real(html))
    first = client.get("/register/equality-information/2025.pdf").data
    assert client.get("/register/equality-information/2025.pdf").data == first and len(renders) == 1


def test_only_the_councils_own_current_plans_are_its_equality_objectives(client, login_as, db):
    """Other organisations' plans, loaded for reference, and the council's ended plans are not presented
    as its objectives, on the equality information or in the annual report."""
    from tests.factories import make_plan

    _year(db)
    ours = make_plan(title="Fair Testshire Plan 2024 to 2028", organisation="Testshire County Council")
    ours.priorities[0].ref = "OUR 1"
    ended = make_plan(title="Testshire Equality Scheme 2016", organisation="Testshire County Council")
    ended.is_active = False
    ended.priorities[0].ref = "OLD 1"
    theirs = make_plan(title="Leicester Equality Plan", organisation="Leicester City Council")
    theirs.priorities[0].ref = "LCC 1"
    db.session.commit()
    login_as(Role.EQUALITIES)
    client.post("/register/equality-information/2025/edit", data={"body": NARRATIVE, "version": "0"})

    info = client.get("/register/equality-information/2025").get_data(as_text=True)
    objectives = info[info.index('id="objectives-table"') : info.index("</table>", info.index('id="objectives-table"'))]
    assert "OUR 1" in objectives and "Fair Testshire Plan 2024 to 2028" in objectives
    assert "Leicester" not in objectives and "LCC 1" not in objectives
    assert "Testshire Equality Scheme 2016" not in objectives and "OLD 1" not in objectives

    report = client.get("/reports/2025").get_data(as_text=True)
    progress = report[report.index('id="plans"') : report.index('id="evidenced-table"')]
    assert "OUR 1" in progress and "Fair Testshire Plan 2024 to 2028" in progress
    assert "Leicester" not in progress and "LCC 1" not in progress
    assert "Testshire Equality Scheme 2016" not in progress
