"""Signed-in pages kept per worker until the data changes: one query for the data's version (and one
for the person) instead of the page's own, the form token and the session's end made for each
request, never a page of someone else's, a message flashed once or a page the person may not see."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from eia import page_cache
from eia.accounts.models import Role
from eia.assessments.models import EiaState
from eia.auditlog import services as audit
from tests.factories import complete_eia, make_eia, make_user

TOKEN = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')


@pytest.fixture
def kept(app) -> Iterator[None]:
    app.config["EIA_PAGE_CACHE"] = True
    page_cache.clear()
    try:
        yield
    finally:
        app.config["EIA_PAGE_CACHE"] = False
        page_cache.clear()


def changed(db, eia, **fields) -> None:
    """Change *eia* as a service would: with an audit entry in the same transaction."""
    for name, value in fields.items():
        setattr(eia, name, value)
    audit.record("eia_updated", eia, by=None)
    db.session.commit()


def submitted_for_review(db) -> tuple:
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Kept assessment"), by=author)
    eia.state = EiaState.SUBMITTED
    audit.record("eia_submitted", eia, by=None)
    db.session.commit()
    return author, eia


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/eias/",
        "/eias/?q=kept",
        "/eias/{ref}",
        "/eias/{ref}/sections/impacts",
        "/eias/{ref}/sections/about",
        "/eias/{ref}/review",
        "/dashboard",
        "/plans/dashboard",
        "/samples/",
    ],
)
def test_a_kept_page_costs_the_person_and_the_data_version_and_reads_the_same(
    url, kept, client, login_as, db, count_queries
):
    _, eia = submitted_for_review(db)
    login_as(Role.EQUALITIES)
    url = url.format(ref=eia.reference)
    first = client.get(url)
    assert first.status_code == 200
    with count_queries() as counter:
        again = client.get(url)
    assert again.status_code == 200
    assert counter.count == 2  # the signed-in person, the newest audit entry
    strip = lambda page: TOKEN.sub("", re.sub(r"\d\d:\d\d|data-[a-z-]+-seconds=\"\d*\"", "", page))  # noqa: E731
    assert strip(again.get_data(as_text=True)) == strip(first.get_data(as_text=True))


def test_a_change_anywhere_is_shown_at_once(kept, client, login_as, db):
    _, eia = submitted_for_review(db)
    login_as(Role.EQUALITIES)
    assert "Kept assessment" in client.get("/eias/").get_data(as_text=True)
    changed(db, eia, title="Renamed assessment")
    page = client.get("/eias/").get_data(as_text=True)
    assert "Renamed assessment" in page and "Kept assessment" not in page


def test_the_form_token_on_a_kept_page_is_good_for_this_session(kept, client, login_as, db):
    login_as(Role.EQUALITIES)
    client.get("/")
    page = client.get("/").get_data(as_text=True)
    tokens = set(TOKEN.findall(page))
    assert tokens and "\x00" not in page
    signed_out = client.post("/sign-out", data={"csrf_token": tokens.pop()}, csrf=False)
    assert signed_out.status_code in (302, 303)
    assert client.get("/").status_code == 302  # signed out: to the sign-in page


def test_a_kept_page_is_never_anyone_elses(kept, app, client, login_as, db):
    first = login_as(Role.EQUALITIES, name="Ada Kept")
    assert "Ada Kept" in client.get("/").get_data(as_text=True)
    other = app.test_client()
    from tests.conftest import sign_in_session

    sign_in_session(other, make_user(Role.EQUALITIES, name="Ben Other"))
    page = other.get("/").get_data(as_text=True)
    assert "Ben Other" in page and first.name not in page


def test_a_page_the_person_may_not_see_is_refused_each_time(kept, client, login_as, db):
    _, eia = submitted_for_review(db)
    login_as(Role.AUTHOR)  # another service area's manager
    assert client.get(f"/eias/{eia.reference}").status_code == 403
    assert client.get(f"/eias/{eia.reference}").status_code == 403
    assert client.get("/dashboard").status_code == 403


def test_a_flashed_message_is_shown_once(kept, client, login_as, db):
    login_as(Role.EQUALITIES)
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Shown once only")]
    assert "Shown once only" in client.get("/").get_data(as_text=True)
    assert "Shown once only" not in client.get("/").get_data(as_text=True)


def test_the_api_list_is_kept_for_its_token_holder_with_its_paging(kept, api_as, db, count_queries):
    _, eia = submitted_for_review(db)
    reader = api_as(Role.EQUALITIES)
    first = reader.get("/api/v1/eias/?per_page=5")
    assert first.status_code == 200
    with count_queries() as uncounted:
        reader.get("/api/v1/eias/?per_page=5&page=1")  # another address: built
    with count_queries() as counter:
        again = reader.get("/api/v1/eias/?per_page=5")
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert counter.count < uncounted.count
    assert again.headers.get("X-Pagination") == first.headers.get("X-Pagination")
    assert again.mimetype == "application/json"
    changed(db, eia, title="Renamed for the API")
    assert "Renamed for the API" in reader.get("/api/v1/eias/?per_page=5").get_data(as_text=True)
    stranger = api_as(Role.AUTHOR)  # another service area: sees none of it
    assert eia.reference not in stranger.get("/api/v1/eias/?per_page=5").get_data(as_text=True)


IGNORED_HEADERS = {"date", "set-cookie", "content-length", "x-request-id"}


@pytest.mark.parametrize("url", ["/", "/eias/", "/dashboard"])
def test_a_kept_page_has_the_headers_a_built_one_has(url, kept, client, login_as, db):
    submitted_for_review(db)
    login_as(Role.EQUALITIES)
    first, again = client.get(url), client.get(url)

    def headers(response):
        return {k.lower(): v for k, v in response.headers.items() if k.lower() not in IGNORED_HEADERS}

    assert headers(again) == headers(first) and headers(first)["cache-control"] == "no-store"


def test_the_kept_pages_hold_a_bounded_amount_of_text(kept, client, login_as, db, monkeypatch):
    """However many addresses one person asks for (a query string the page ignores makes a new one),
    what is kept stays within its budget, the least recently used going first."""
    _, eia = submitted_for_review(db)
    login_as(Role.EQUALITIES)
    page = len(client.get(f"/eias/{eia.reference}/review").get_data(as_text=True))
    monkeypatch.setattr(page_cache, "PRIVATE_CHARS", 3 * page + 100)
    for n in range(10):
        assert client.get(f"/eias/{eia.reference}/review?junk={n}").status_code == 200
    assert 0 < page_cache.kept_private_chars() <= 3 * page + 100
    assert len(page_cache._private) <= 3


def test_text_holding_a_nul_is_shown_but_its_page_is_not_kept(kept, client, login_as, db):
    """A NUL could pass for one of the marks a kept page's own parts are held by: such a page is built
    afresh each time instead of breaking."""
    if db.session.get_bind().dialect.name == "postgresql":
        pytest.skip("PostgreSQL refuses a NUL in text, so no text it stores can hold one")
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Marked \x009\x00 title"), by=author)
    eia.state = EiaState.SUBMITTED
    audit.record("eia_submitted", eia, by=None)
    db.session.commit()
    login_as(Role.EQUALITIES)
    first, again = client.get("/eias/"), client.get("/eias/")
    assert first.status_code == again.status_code == 200
    assert "Marked \x009\x00 title" in again.get_data(as_text=True)


def test_a_signed_in_persons_copy_of_a_public_page_is_never_stored_by_the_browser(kept, client, login_as, db):
    """It holds their name, their form token and when their session ends."""
    login_as(Role.EQUALITIES, name="Ada Private")
    first = client.get("/register/")
    assert "Ada Private" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store" and "ETag" not in first.headers
    again = client.get("/register/", headers={"If-None-Match": '"anything"'})
    assert again.status_code == 200 and "Ada Private" in again.get_data(as_text=True)


def test_if_modified_since_alone_does_not_outlive_the_day(kept, client, db, monkeypatch):
    """A feed reader that revalidates with If-Modified-Since only gets the page again on a new day,
    as one sending the ETag would (the page changes with the day too)."""
    from datetime import timedelta

    submitted_for_review(db)
    first = client.get("/register/")
    assert first.status_code == 200 and first.headers["Last-Modified"]
    assert client.get("/register/", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    real = page_cache.utcnow
    monkeypatch.setattr(page_cache, "utcnow", lambda: real() + timedelta(days=1))
    again = client.get("/register/", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
