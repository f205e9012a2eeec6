"""The list of EIAs (what each person sees, filters, CSV) and My work."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import quote

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.assessments.models import EiaKind, EiaState
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
