"""The public register people can search: filters in the URL, paged, and each assessment starting
with its summary, outcome and decision."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime

from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments.models import Characteristic, DecisionRecord, EiaSection, Impact
from eia.assessments.states import DecidingBody, DecisionOutcome, Direction, EiaState
from eia.rounds.models import BudgetRound, RoundProposal
from tests.factories import make_eia, make_service_area, make_user


def _published(author, title, day, outcome, **fields):
    return make_eia(author=author, title=title, state=EiaState.PUBLISHED, outcome=outcome, published_at=day, **fields)


def _council(db):
    place = make_service_area("Place")
    housing = make_service_area("Housing", parent=place)
    people = make_service_area("People")
    libraries = make_service_area("Libraries", parent=people)
    housing_author = make_user(Role.AUTHOR, service_area=housing)
    library_author = make_user(Role.AUTHOR, service_area=libraries)
    allocations = _published(housing_author, "Housing allocations policy", datetime(2025, 6, 1, tzinfo=UTC), "adjust")
    hours = _published(library_author, "Library opening hours", datetime(2025, 9, 1, tzinfo=UTC), "continue")
    old = _published(library_author, "Mobile library stops", datetime(2024, 9, 1, tzinfo=UTC), "no_major_change")
    key = {c.key: c.id for c in db.session.execute(select(Characteristic)).scalars()}
    db.session.add(Impact(eia_id=hours.id, characteristic_id=key["age"], direction=Direction.NEGATIVE))
    db.session.add(Impact(eia_id=allocations.id, characteristic_id=key["age"], direction=Direction.POSITIVE))
    budget = BudgetRound(name="Budget 2026/27", decision_on=date(2026, 2, 20))
    db.session.add(budget)
    db.session.flush()
    db.session.add(RoundProposal(round_id=budget.id, eia_id=hours.id))
    db.session.commit()
    return {"place": place, "people": people, "allocations": allocations, "hours": hours, "old": old, "round": budget}


def _listed(client, query: str) -> list[str]:
    response = client.get(f"/register/?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(r'href="/register/(EIA-\d{4}-\d{4})"', response.get_data(as_text=True))


def test_each_filter_narrows_the_register_and_stays_in_the_url(client, db):
    c = _council(db)
    everything = _listed(client, "")
    assert everything == [c["hours"].reference, c["allocations"].reference, c["old"].reference]
    assert _listed(client, f"service_area={c['people'].id}") == [c["hours"].reference, c["old"].reference]
    assert _listed(client, f"service_area={c['place'].id}") == [c["allocations"].reference]
    assert _listed(client, "year=2024") == [c["old"].reference]
    assert _listed(client, "outcome=adjust") == [c["allocations"].reference]
    assert _listed(client, "negative=age") == [c["hours"].reference]  # a positive impact does not count
    assert _listed(client, f"round={c['round'].id}") == [c["hours"].reference]
    assert _listed(client, f"service_area={c['people'].id}&year=2025&q=opening") == [c["hours"].reference]
    page = client.get(f"/register/?service_area={c['people'].id}&year=2025").get_data(as_text=True)
    assert '<option value="2025" selected>2025/26</option>' in page and "Clear the filters" in page
    # A value not on the list gets a clear refusal, not a 500.
    refused = client.get("/register/?outcome=maybe&year=twenty")
    text = refused.get_data(as_text=True)
    assert (
        refused.status_code == 400
        and "Choose an outcome from the list." in text
        and "Choose a year from the list." in text
    )


def test_each_row_is_one_link_named_by_the_assessments_title(client, db):
    c = _council(db)
    page = client.get("/register/").get_data(as_text=True)
    body = page[page.index('<tbody class="govuk-table__body">') : page.index("</tbody>")]
    rows = re.findall(r"<tr .*?</tr>", body, re.S)
    assert len(rows) == 3
    for row, eia in zip(rows, (c["hours"], c["allocations"], c["old"]), strict=True):
        links = re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', row)
        assert links == [(f"/register/{eia.reference}", eia.title)]
        assert f">{eia.reference}</td>" in row


def test_the_service_area_filter_offers_only_areas_with_something_published(client, db):
    _council(db)
    corporate = make_service_area("Corporate services")
    ict = make_service_area("ICT", parent=corporate)
    make_eia(author=make_user(Role.AUTHOR, service_area=ict), title="New laptops", state=EiaState.SUBMITTED)
    make_service_area("Equalities team")
    page = client.get("/register/").get_data(as_text=True)
    chooser = page[page.index('name="service_area"') : page.index("</select>", page.index('name="service_area"'))]
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', chooser)
    assert offered == ["People", "People &gt; Libraries", "Place", "Place &gt; Housing"]


def test_a_page_past_the_end_says_there_is_no_such_page(client, db):
    _council(db)
    response = client.get("/register/?page=2")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert html[html.index("<title>") :].startswith(
        "<title>There is no page 2 of published equality impact assessments –"
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    assert "There is no page 2 There are 3 published assessments, on one page. Go to the first page" in text
    assert "No published assessments match" not in text and "3 published assessments Reference" not in text
    assert '<a class="govuk-link" href="/register/">Go to the first page</a>' in response.get_data(as_text=True)
    filtered = client.get("/register/?outcome=adjust&page=3").get_data(as_text=True)
    assert "There is 1 published assessment that matches, on one page." in filtered
    assert 'href="/register/?outcome=adjust">Go to the first page</a>' in filtered


def test_paging_keeps_the_filters(client, db):
    author = make_user(Role.AUTHOR, service_area=make_service_area("Libraries"))
    for n in range(55):
        _published(author, f"Branch review {n}", datetime(2025, 6, 1, tzinfo=UTC), "adjust")
    page = client.get("/register/?outcome=adjust").get_data(as_text=True)
    assert "55 published assessments, 1 to 50 shown" in page
    assert "(page 1 of 2)" in page[page.index("<title>") : page.index("</title>")]
    assert (
        'href="/register/?outcome=adjust&amp;page=2"' in page or 'href="/register/?page=2&amp;outcome=adjust"' in page
    )


def test_an_assessment_starts_with_its_summary_outcome_and_decision(client, db, tmp_path):
    c = _council(db)
    hours = c["hours"]
    db.session.execute(
        select(EiaSection).where(EiaSection.eia_id == hours.id, EiaSection.key == "about")
    ).scalar_one().answers = {"plain_summary": "Four branches open fewer hours; Saturday mornings stay."}
    hours.decision = DecisionRecord(
        deciding_body=DecidingBody.CABINET, taken_on=date(2025, 10, 2), outcome=DecisionOutcome.AS_PROPOSED
    )
    db.session.commit()
    page = client.get(f"/register/{hours.reference}").get_data(as_text=True)
    start = page.index('id="summary"')
    assert page.index("Four branches open fewer hours", start) < page.index("The assessment in full", start)
    outcome = page[
        page.index('id="outcome-and-decision"') : page.index("</dl>", page.index('id="outcome-and-decision"'))
    ]
    assert "Continue despite adverse impact" in outcome and "2 October 2025" in outcome


def test_the_pdf_reads_in_order_with_each_label_on_its_own_line(client, db, tmp_path):
    c = _council(db)
    hours = c["hours"]
    key = {ch.key: ch.id for ch in db.session.execute(select(Characteristic)).scalars()}
    impact = db.session.execute(
        select(Impact).where(Impact.eia_id == hours.id, Impact.characteristic_id == key["age"])
    ).scalar_one()
    impact.description = "Older borrowers lose weekday mornings at two branches."
    impact.who_affected = "About 290 borrowers over 65."
    impact.evidence = "Branch visit counts, 2024."
    db.session.commit()
    path = tmp_path / "eia.pdf"
    path.write_bytes(client.get(f"/register/{hours.reference}.pdf").data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert any(line.startswith("Who: About 290") for line in lines), lines
    assert any(line.startswith("Evidence: Branch visit counts") for line in lines)
    assert not any("branches.Who" in line or "branches. Who" in line for line in lines)
    assert lines.count("Impact on each characteristic") == 1  # the section's heading, not repeated by the table
    flat = " ".join(lines)
    assert (
        flat.index("Older borrowers lose weekday mornings")
        < flat.index("Who: About 290")
        < flat.index("Evidence: Branch")
    )


def test_a_search_finds_every_word_in_the_singular_or_the_plural(client, db):
    c = _council(db)
    library = make_user(Role.AUTHOR, service_area=c["hours"].service_area)
    libraries = _published(library, "Reducing hours at two libraries", datetime(2025, 10, 1, tzinfo=UTC), "adjust")
    both = {c["hours"].reference, c["old"].reference, libraries.reference}
    assert set(_listed(client, "q=library")) == both
    assert set(_listed(client, "q=Libraries")) == both
    # Every word must appear, in any order; a reference still finds its assessment.
    assert _listed(client, "q=opening+library") == [c["hours"].reference]
    assert _listed(client, "q=libraries+hours") == [libraries.reference, c["hours"].reference]
    assert _listed(client, "q=mobile+hours") == []
    assert _listed(client, f"q={c['old'].reference}") == [c["old"].reference]
    assert _listed(client, "q=100%25") == []  # "%" matches itself


def test_a_word_and_its_plural_share_a_stem():
    from eia.search import stem

    for one, many in [("library", "libraries"), ("policy", "policies"), ("bus", "buses"), ("charge", "charges")]:
        assert stem(one) == stem(many) and stem(one) in many
    assert stem("access") == "access" and stem("census") == "census" and stem("day") == "day"
