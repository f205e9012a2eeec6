"""Error pages, the database being down, CSRF and the security headers."""

from __future__ import annotations

import gc

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError, PendingRollbackError

from eia import create_app
from eia.accounts.models import Role
from tests.conftest import sign_in_session
from tests.factories import make_user


def test_unknown_url_gets_a_govuk_404_page(client, db):
    response = client.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and "govuk-heading-l" in page and "Testshire County Council" in page


def test_wrong_method_gets_a_405_page(client, db):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "That action is not available here" in response.get_data(as_text=True)


def test_missing_csrf_token_is_refused_and_nothing_changes(client, db, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/service-areas/", data={"name": "Sneaky"}, csrf=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form could not be sent" in page and "The CSRF token is missing" in page
    assert "Sneaky" not in client.get("/admin/service-areas/").get_data(as_text=True)


def test_forged_csrf_token_is_refused(client, db):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": "x", "csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400


# Werkzeug's test client spools a body this large to a temporary file it never closes.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_too_large_a_body_gets_the_413_page(client, db, login_as):
    login_as(Role.ADMIN)
    big = "x" * (21 * 1024 * 1024)
    response = client.post("/admin/service-areas/", data={"name": big})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file or form you sent is too large" in page and "20 MB or smaller" in page
    del response
    gc.collect()  # so the spooled body is collected here, where its warning is expected


def test_pages_carry_strict_security_headers(client, db):
    headers = client.get("/sign-in").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client, db, login_as):
    login_as(Role.ADMIN)
    for url in ("/sign-in", "/", "/admin/", "/admin/users/", "/audit-log/", "/accessibility"):
        page = client.get(url).get_data(as_text=True)
        for tag in page.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith(('type="module" src=', "src=")), url
        assert " style=" not in page, url
        assert "<style" not in page, url


def _app_with(url: str, **extra) -> Flask:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 32}
    config.update(extra)
    return create_app(config)


@pytest.mark.parametrize("kind", ["postgres-refused", "sqlite-unopenable"])
def test_database_down_gives_the_503_page(kind, tmp_path):
    if kind == "postgres-refused":
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    else:
        url = f"sqlite:///{tmp_path}"  # a folder, which SQLite cannot open as a database
    down = _app_with(url)
    client = down.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["sid"] = "a-sign-in-session"
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in page
    assert "cannot reach its database" in page
    assert "Traceback" not in page
    assert response.headers["Retry-After"] == "30"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "30"
    assert health.get_json() == {"status": "unavailable", "database": "unavailable"}


def test_unexpected_error_gets_the_500_page_not_a_traceback(app):
    broken = _app_with(app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)

    @broken.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = broken.test_client().get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_403_page_for_a_signed_in_person_without_the_role(client, db):
    sign_in_session(client, make_user(Role.DECISION_MAKER))
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_ids_longer_than_the_database_holds_are_not_found(client, login_as, db):
    login_as("equalities")
    for url in ("/plans/99999999999999", "/samples/2147483648", "/plans/actions/77906721188016"):
        assert client.get(url).status_code == 404, url


def test_health_and_readiness_answer_json_naming_each_check(client, app, db, tmp_path, monkeypatch):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the evidence folder should be")
    monkeypatch.setitem(app.config, "EIA_EVIDENCE_DIR", str(blocked))
    refused = client.get("/readyz")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert refused.get_json() == {"status": "unavailable", "database": "ok", "storage": "unavailable"}


@pytest.mark.parametrize("where", ["after the view", "a broken session used again"])
def test_a_database_outage_outside_the_view_still_gets_the_503_page(app, where):
    """A connection that breaks where the view's error handlers do not reach (an ``after_request``
    hook), or a session used again after its connection broke, is an outage: 503, not 500."""
    broken = _app_with(app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)
    gone = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    @broken.get("/gone")
    def gone_view():
        if where == "a broken session used again":
            try:
                raise gone
            except OperationalError as exc:
                raise PendingRollbackError("this session's transaction has been rolled back") from exc
        return "ok"

    if where == "after the view":

        @broken.after_request
        def hook(response):
            raise gone

    response = broken.test_client().get("/gone")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in page and "Traceback" not in page


def test_a_signed_out_visitor_is_pointed_to_the_register_not_to_a_sign_in(client, login_as, db):
    """The header's council name and the error pages lead a resident to the public register, and a
    signed-in person to My work."""
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<a href="/register/" class="govuk-header__homepage-link">' in page
    assert "Go to the register of published equality impact assessments" in page and "Go to My work" not in page

    login_as(Role.AUTHOR)
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<a href="/" class="govuk-header__homepage-link">' in page
    assert "Go to My work" in page and "Go to the register" not in page


def test_a_connection_the_server_ends_under_a_request_does_not_escape_the_app(app):
    """PostgreSQL stopping (or an administrator ending a connection) while a request holds one makes
    even the closing rollback fail: the connection is dropped and the answer stands, instead of the
    error escaping the app after the answer was made (which the server turns into a bare 500)."""
    from sqlalchemy import text

    from eia.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("only a database server can end a connection under a request")
    ended = _app_with(url, PROPAGATE_EXCEPTIONS=False)

    @ended.get("/ended")
    def ended_view():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        return "answered"

    client = ended.test_client()
    try:
        response = client.get("/ended")
        assert response.status_code == 200 and response.get_data(as_text=True) == "answered"
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}  # a new connection
    finally:
        with ended.app_context():
            db.engine.dispose()  # this app's own connections, closed here rather than when collected
    gc.collect()  # an unclosed connection would warn here, in this test, not in a later one
