"""The list of EIAs (what each person sees, filters, CSV) and My work."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import quote

import pytest

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.assessments.states import EiaKind, EiaState
from tests.factories import complete_eia, make_eia, make_user


def references(page: str, eias) -> set[str]:
    return {e.reference for e in eias if e.reference in page}


def test_each_person_sees_the_eias_they_may(client, login_as, db):
    mine_author = make_user(Role.AUTHOR)
    other_author = make_user(Role.AUTHOR)
    mine = make_eia(author=mine_author, title="Ours")
    theirs = make_eia(author=other_author, title="Theirs")
    secret = make_eia(author=other_author, kind=EiaKind.INDIVIDUAL, title="Their restructure")
    everything = [mine, theirs, secret]

    login_as(Role.AUTHOR, service_area=mine_author.service_area)
    assert references(client.get("/eias/").get_data(as_text=True), everything) == {mine.reference}
    login_as(Role.DECISION_MAKER)
    assert references(client.get("/eias/").get_data(as_text=True), everything) == {mine.reference, theirs.reference}
    login_as(Role.EQUALITIES)
    assert references(client.get("/eias/").get_data(as_text=True), everything) == {e.reference for e in everything}


def test_filters_and_csv_export(client, login_as, db):
    author = make_user(Role.AUTHOR)
    library = make_eia(author=author, title="Library opening hours")
    complete_eia(library, author, negative=("disability",))
    leisure = make_eia(author=author, title="Leisure centre =SUM(A1) closure")
    login_as(Role.EQUALITIES)
    page = client.get("/eias/?negative=disability").get_data(as_text=True)
    assert library.reference in page and leisure.reference not in page
    page = client.get("/eias/?q=leisure").get_data(as_text=True)
    assert leisure.reference in page and library.reference not in page
    page = client.get(
        f"/eias/?state=draft&year={date.today().year if date.today().month >= 4 else date.today().year - 1}"
    ).get_data(as_text=True)
    assert leisure.reference in page
    assert client.get("/eias/?state=lost").status_code == 400
    assert client.get("/eias/?negative=height").status_code == 400

    body = client.post("/eias/export.csv?q=leisure").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["reference"] for row in rows] == [leisure.reference]
    assert rows[0]["title"] == "Leisure centre =SUM(A1) closure"  # not at the start of the cell
    body = client.post("/eias/export.csv?q=SUM").get_data(as_text=True)
    assert "Leisure centre" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("state=lost", "Choose a state from the list."),
        ("negative=height", "Choose a characteristic from the list."),
        ("type=spaceship", "Choose a type from the list."),
        ("year=1999", "Choose a financial year from 2000 to 2100."),
        ("service_area=first", "Choose a service area from the list."),
    ],
)
def test_the_page_and_the_api_read_the_filters_with_one_schema(client, login_as, api_as, db, query, message):
    author = make_user(Role.AUTHOR)
    library = make_eia(author=author, title="Library opening hours")
    complete_eia(library, author, negative=("disability",))
    everything = [library, make_eia(author=author, title="Leisure centre closure")]
    login_as(Role.EQUALITIES)
    team = api_as(Role.EQUALITIES)

    refused = client.get(f"/eias/?{query}")
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert team.get(f"/api/v1/eias/?{query}").status_code == 422

    # The same filters find the same assessments; an empty value (as the form sends it) is no filter.
    for good in ("negative=disability&state=", "q=+leisure+&type=&year=", "state=draft&service_area="):
        page = client.get(f"/eias/?{good}").get_data(as_text=True)
        found = {item["reference"] for item in team.get(f"/api/v1/eias/?{good}").get_json()["items"]}
        assert found and references(page, everything) == found, good


def test_the_list_comes_a_page_at_a_time_keeping_its_filters(client, login_as, db, monkeypatch):
    from eia.assessments import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    author = make_user(Role.AUTHOR)
    leisure = [make_eia(author=author, title=f"Leisure pricing {n}") for n in range(3)]
    make_eia(author=author, title="Cemetery fees")
    login_as(Role.EQUALITIES)

    first = client.get("/eias/?q=leisure").get_data(as_text=True)
    assert "3 assessments" in first and "Page 1 of 2" in first and 'rel="prev"' not in first
    assert 'href="/eias/?page=2&amp;q=leisure" rel="next"' in first
    second = client.get("/eias/?q=leisure&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and 'href="/eias/?page=1&amp;q=leisure" rel="prev"' in second
    assert 'rel="next"' not in second
    shown = [references(page, leisure) for page in (first, second)]
    assert len(shown[0]) == 2 and len(shown[1]) == 1 and shown[0] | shown[1] == {e.reference for e in leisure}

    beyond = client.get("/eias/?q=leisure&page=3")
    assert beyond.status_code == 200 and "No assessments match these filters." in beyond.get_data(as_text=True)
    assert client.get("/eias/?page=first").status_code == 400
    one = client.get("/eias/?q=cemetery").get_data(as_text=True)
    assert "1 assessment" in one and "Page 1 of" not in one


def test_the_csv_export_dates_the_last_change_by_its_day_in_the_uk(client, login_as, db):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from eia.assessments.models import Eia

    eia = make_eia(author=make_user(Role.AUTHOR), title="Late-night save")
    db.session.execute(update(Eia).where(Eia.id == eia.id).values(updated_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)))
    db.session.commit()
    login_as(Role.EQUALITIES)
    rows = list(csv.DictReader(io.StringIO(client.post("/eias/export.csv").get_data(as_text=True))))
    assert next(row for row in rows if row["title"] == "Late-night save")["updated_on"] == "2026-07-01"


def test_csv_cells_that_start_like_formulas_are_neutralised(client, login_as, db):
    author = make_user(Role.AUTHOR)
    make_eia(author=author, title='=HYPERLINK("http://x.example")')
    login_as(Role.EQUALITIES)
    rows = list(csv.DictReader(io.StringIO(client.post("/eias/export.csv").get_data(as_text=True))))
    assert any(row["title"].startswith("'=HYPERLINK") for row in rows)


def test_my_work_shows_what_is_mine_to_do(app, client, login_as, db):
    author = login_as(Role.AUTHOR)
    draft = make_eia(author=author, title="A draft of mine")
    returned = make_eia(author=author, title="Sent back to me")
    complete_eia(returned, author)
    workflow.transition(returned, "submit", by=author, confirmed=True)
    workflow.transition(returned, "return", by=make_user(Role.EQUALITIES), comment="More evidence, please.")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Your drafts" in page and draft.reference in page
    assert "Returned to you for changes" in page and returned.reference in page
    assert "Mitigations you own" in page and "Keep Tuesday and Thursday mornings" in page

    waiting = make_eia(author=author, title="Waiting for a reviewer")
    complete_eia(waiting, author)
    workflow.transition(waiting, "submit", by=author, confirmed=True)
    db.session.commit()
    login_as(Role.EQUALITIES)
    page = client.get("/").get_data(as_text=True)
    assert "Waiting for review by the equalities team" in page and waiting.reference in page
    workflow.transition(waiting, "approve", by=make_user(Role.EQUALITIES))
    db.session.commit()
    login_as(Role.DECISION_MAKER)
    page = client.get("/").get_data(as_text=True)
    assert "Waiting for your sign-off" in page and waiting.reference in page
    assert waiting.state is EiaState.APPROVED


def test_list_queries_do_not_grow_with_eias(client, login_as, db, count_queries):
    login_as(Role.EQUALITIES)
    author = make_user(Role.AUTHOR)
    for _ in range(10):
        make_eia(author=author)
    with count_queries() as counter:
        client.get("/eias/")
    at_ten = counter.count
    with count_queries() as counter:
        client.get("/")
    home_at_ten = counter.count
    other = make_user(Role.AUTHOR)
    for _ in range(190):  # 200 in all
        make_eia(author=other)
    with count_queries() as counter:
        client.get("/eias/")
    assert counter.count == at_ten
    with count_queries() as counter:
        client.get("/")
    assert counter.count == home_at_ten


def test_percent_and_underscore_typed_into_a_search_match_themselves(client, login_as, db):
    """They used to match everything (a LIKE wildcard): "100%" found every assessment."""
    author = login_as(Role.AUTHOR)
    make_eia(author=author, title="Discount of 100% for care leavers")
    make_eia(author=author, title="Library opening hours")
    make_eia(author=author, title="File_naming standard")
    assert _titles(client, "100%") == ["Discount of 100% for care leavers"]
    assert _titles(client, "%") == ["Discount of 100% for care leavers"]
    assert _titles(client, "e_n") == ["File_naming standard"]


def _titles(client, words: str) -> list[str]:
    import csv
    import io

    body = client.post(f"/eias/export.csv?q={quote(words)}").get_data(as_text=True)
    return sorted(row["title"] for row in csv.DictReader(io.StringIO(body)))
