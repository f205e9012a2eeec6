"""Budget rounds: creating one, proposals joining it, the matrix of impacts and the cumulative
findings, the cumulative-impact question, and the members' pack read back from PDF and Word."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.auditlog.models import AuditEntry
from eia.rounds import services
from eia.rounds.models import BudgetRound, RoundProposal
from tests.factories import complete_eia, make_eia, make_round, make_service_area, make_user


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _proposal(budget_round, title: str, negative: tuple[str, ...], area=None):
    author = make_user(Role.AUTHOR, service_area=area or make_service_area(f"{title} team"))
    eia = complete_eia(make_eia(author=author, title=title, proposal_type="budget"), author, negative=negative)
    services.join_round(eia, budget_round, by=author)
    return eia


def test_the_equalities_team_creates_a_round_recorded_in_the_audit_log(client, login_as, db):
    person = login_as(Role.EQUALITIES)
    form = {"name": "Budget 2027/28", "decision_on-day": "24", "decision_on-month": "2", "decision_on-year": "2027"}
    response = client.post("/rounds/new", data=form)
    assert response.status_code == 302
    created = db.session.execute(select(BudgetRound)).scalar_one()
    assert (created.name, created.decision_on) == ("Budget 2027/28", date(2027, 2, 24))
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "round_created")).scalar_one()
    assert entry.actor_id == person.id
    listing = _text(client.get("/rounds/"))
    assert "Budget 2027/28" in listing and "24 February 2027" in listing

    again = client.post("/rounds/new", data=form)
    assert again.status_code == 200
    assert "There is already a round called Budget 2027/28" in _text(again)
    missing = client.post("/rounds/new", data={"name": ""})
    assert "Enter a name" in _text(missing) and "Enter the date members decide the budget" in _text(missing)
    # A name already taken and an impossible date, together.
    both = _text(client.post("/rounds/new", data=form | {"decision_on-day": "30"}))
    assert "There is already a round called Budget 2027/28" in both and "must be a real date" in both


def test_the_author_puts_a_draft_budget_proposal_in_a_round_then_cannot_once_submitted(client, login_as, db):
    budget_round = make_round()
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author, proposal_type="budget")
    page = _text(client.get(f"/eias/{eia.reference}"))
    assert "This budget proposal is not part of a budget round yet." in page
    assert "Which budget round is it part of?" in page

    response = client.post(f"/eias/{eia.reference}/budget-round", data={"round_id": str(budget_round.id)})
    assert response.status_code == 302
    assert db.session.execute(select(RoundProposal.round_id).where(RoundProposal.eia_id == eia.id)).scalar() == (
        budget_round.id
    )
    assert "This proposal is part of Budget 2027/28" in _text(client.get(f"/eias/{eia.reference}"))
    joined = db.session.execute(select(AuditEntry).where(AuditEntry.action == "eia_round_joined")).scalar_one()
    assert joined.actor_id == author.id and joined.entity_id == str(eia.id)

    complete_eia(eia, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    assert client.post(f"/eias/{eia.reference}/budget-round", data={"round_id": ""}).status_code == 403
    assert "Which budget round is it part of?" not in _text(client.get(f"/eias/{eia.reference}"))


def test_a_budget_proposal_joins_a_round_when_it_is_started(client, login_as, db):
    budget_round = make_round()
    make_round("Budget 2020/21", date(2021, 2, 24))  # decided: not offered
    author = login_as(Role.AUTHOR)
    page = client.get("/eias/new").get_data(as_text=True)
    assert "If it is a budget proposal, which budget round is it part of?" in page
    assert "Budget 2027/28" in page and "Budget 2020/21" not in page

    form = {"kind": "standard", "title": "Close the cash office", "round_id": str(budget_round.id)}
    assert client.post("/eias/new", data=form).status_code == 302
    link = db.session.execute(select(RoundProposal)).scalar_one()
    assert link.round_id == budget_round.id and link.eia.title == "Close the cash office"
    assert link.added_by_id == author.id

    refused = client.post("/eias/new", data={**form, "kind": "individual", "title": "A restructure"})
    assert "An individual action cannot be part of a budget round" in _text(refused)
    assert db.session.execute(select(RoundProposal)).scalars().all() == [link]


def test_an_individual_action_never_joins_a_round(client, login_as, db):
    from eia.assessments.states import EiaKind
    from eia.errors import WorkflowError

    budget_round = make_round()
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author, kind=EiaKind.INDIVIDUAL)
    assert (
        client.post(f"/eias/{eia.reference}/budget-round", data={"round_id": str(budget_round.id)}).status_code == 403
    )
    with pytest.raises(WorkflowError):
        services.join_round(eia, budget_round, by=make_user(Role.EQUALITIES))


def test_the_round_page_shows_the_matrix_the_cumulative_groups_and_filters_by_directorate(client, login_as, db):
    budget_round = make_round()
    place = make_service_area("Place")
    people = make_service_area("People")
    libraries = _proposal(
        budget_round, "Home library visits", ("age", "disability"), make_service_area("Libraries", place)
    )
    buses = _proposal(budget_round, "Bus subsidies", ("age", "disability"), make_service_area("Transport", place))
    alarms = _proposal(budget_round, "Community alarms", ("age",), make_service_area("Care", people))
    login_as(Role.DECISION_MAKER)

    response = client.get(f"/rounds/{budget_round.id}")
    html = response.get_data(as_text=True)
    page = _text(response)
    assert 'tabindex="0" role="region" aria-label="Impacts of each proposal on each group"' in html
    # Age: three proposals, flagged; disability: two, not flagged.
    assert re.search(r"Age 3 Medium 3 or more proposals", page)
    assert re.search(r"Disability 2 Medium (?!3 or more)", page)
    assert "Age: hit by 3 or more proposals" in page
    # Each cell links to the impact; neutral ones show no severity.
    assert f'href="/eias/{libraries.reference}/sections/impacts/age"><strong>Negative (medium)</strong>' in html
    assert f'href="/eias/{alarms.reference}/sections/impacts">Neutral<' in html
    for eia in (libraries, buses, alarms):
        assert f"{eia.reference} {eia.title}" in page
    assert "Adjust the proposal" in page and "Draft" in page

    filtered = _text(client.get(f"/rounds/{budget_round.id}?directorate={people.id}"))
    assert alarms.reference in filtered and libraries.reference not in filtered and buses.reference not in filtered
    assert client.get(f"/rounds/{budget_round.id}?directorate=x").status_code == 400
    assert client.get("/rounds/999999").status_code == 404


def test_the_cumulative_question_shows_other_proposals_of_the_round_affecting_the_same_groups(client, login_as, db):
    budget_round = make_round()
    author = login_as(Role.AUTHOR)
    mine = complete_eia(make_eia(author=author, title="Day centres", proposal_type="budget"), author, negative=("age",))
    services.join_round(mine, budget_round, by=author)
    same = _proposal(budget_round, "Bus subsidies", ("age", "disability"))
    other = _proposal(budget_round, "Parking charges", ("disability",))
    elsewhere = complete_eia(make_eia(author=author, title="Not in the round"), author, negative=("age",))
    db.session.commit()

    page = _text(client.get(f"/eias/{mine.reference}/sections/impacts/across-groups"))
    assert "Other proposals in Budget 2027/28 that affect the same groups" in page
    assert f"{same.reference} Bus subsidies" in page and ": age" in page
    # Another service area's proposal is named, not linked: its author's colleagues cannot open it.
    html = client.get(f"/eias/{mine.reference}/sections/impacts/across-groups").get_data(as_text=True)
    assert f'href="/eias/{same.reference}"' not in html
    login_as(Role.EQUALITIES)
    html = client.get(f"/eias/{mine.reference}/sections/impacts/across-groups").get_data(as_text=True)
    assert f'href="/eias/{same.reference}"' in html
    assert other.reference not in page and elsewhere.reference not in page
    alone = _text(client.get(f"/eias/{elsewhere.reference}/sections/impacts/across-groups"))
    assert "Other proposals in" not in alone


def _pack_round():
    budget_round = make_round()
    for title in ("Home library visits", "Bus subsidies", "Community alarms"):
        _proposal(budget_round, title, ("age", "disability"))
    db_commit()
    return budget_round


def db_commit() -> None:
    from eia.extensions import db

    db.session.commit()


def test_the_members_pack_reads_back_from_pdf_and_word(client, login_as, db, tmp_path):
    from docx import Document

    budget_round = _pack_round()
    login_as(Role.DECISION_MAKER)

    pdf = client.post(f"/rounds/{budget_round.id}/members-pack.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert 'filename="members-pack-budget-2027-28.pdf"' in pdf.headers["Content-Disposition"]
    (tmp_path / "pack.pdf").write_bytes(pdf.data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "pack.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    word = client.post(f"/rounds/{budget_round.id}/members-pack.docx")
    assert word.status_code == 200
    document = Document(io.BytesIO(word.data))
    docx_text = " ".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    docx_text = " ".join(docx_text.split())
    for found in (text, docx_text):
        assert "A public authority must, in the exercise of its functions, have due regard to the need to" in found
        assert "What due regard means for members" in found
        assert "Groups hit by 3 or more proposals (a cumulative impact to weigh together): age, disability." in found
        assert "Impacts of each proposal on each group" in found
        assert "Negative (medium)" in found
        for title in ("Home library visits", "Bus subsidies", "Community alarms"):
            assert title in found
        assert "Keep Tuesday and Thursday mornings" in found  # a mitigation
        assert "Four branches move from 48 to 36 opening hours" in found  # what changes
        assert "Adjust the proposal" in found  # the outcome
        assert "http://localhost/eias/EIA-" in found  # the link to the full assessment
    assert document.core_properties.title == "Budget 2027/28: members' pack"
    downloads = db.session.execute(select(AuditEntry.detail).where(AuditEntry.action == "round_pack_downloaded"))
    assert sorted(downloads.scalars()) == ["Budget 2027/28.docx", "Budget 2027/28.pdf"]


def test_the_round_page_runs_the_same_queries_however_many_proposals(client, login_as, db, count_queries):
    budget_round = make_round()
    login_as(Role.EQUALITIES)
    directorate = make_service_area("Place")
    for n in range(2):
        _proposal(budget_round, f"Proposal {n}", ("age",), make_service_area(f"Team {n}", directorate))

    def count() -> int:
        with count_queries() as counter:
            assert client.get(f"/rounds/{budget_round.id}").status_code == 200
        return counter.count

    few = count()
    for n in range(2, 9):
        _proposal(
            budget_round,
            f"Proposal {n}",
            ("age", "disability"),
            make_service_area(f"Team {n}", make_service_area(f"Directorate {n}")),
        )
    assert count() == few


def test_the_demo_has_a_budget_round_with_a_cumulative_effect_on_age_and_disability(app, db, client, login_as):
    from eia.rounds import queries

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    budget_round = db.session.execute(select(BudgetRound)).scalar_one()
    assert re.fullmatch(r"Budget \d{4}/\d{2}", budget_round.name)
    assert len(queries.proposals(budget_round)) == 6
    summaries = queries.group_summaries(budget_round, queries.characteristics())
    flagged = {s.characteristic.key for s in summaries if s.is_cumulative}
    assert flagged == {"age", "disability"}


def test_the_members_pack_pdf_is_rendered_once_and_a_second_request_meanwhile_gets_a_button(
    app, client, login_as, db, monkeypatch, tmp_path
):
    from eia import render_cache
    from eia.rounds import pack

    monkeypatch.setitem(app.config, "EIA_REPORT_DIR", str(tmp_path))  # a store no other test filled
    budget_round = _pack_round()
    login_as(Role.DECISION_MAKER)
    renders: list[int] = []
    real = pack.render_pdf

    def counting(html: str) -> bytes:
        renders.append(1)
        return real(html)

    monkeypatch.setattr(pack, "render_pdf", counting)
    url = f"/rounds/{budget_round.id}/members-pack.pdf"
    first, again = client.post(url), client.post(url)
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert len(renders) == 1

    budget_round.name = "Budget 2027/28 (revised)"
    db_commit()
    with render_cache.render_lock(f"members-pack-{budget_round.id}") as mine:
        assert mine
        waiting = client.post(url)
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "10"
    assert "The members&#39; pack for Budget 2027/28 (revised) is being prepared" in page
    # Asked for by a form, it is asked for again by a button, not by a refresh that would GET it.
    assert 'http-equiv="refresh"' not in page and "Try again</button>" in page
    assert len(renders) == 1
