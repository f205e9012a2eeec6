"""The public register shows published EIAs only, and nothing internal; EIA PDFs read back."""

from __future__ import annotations

import subprocess

import pytest

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.assessments.models import EiaKind, EiaState
from tests.factories import complete_eia, make_eia, make_user

SECRET_COMMENT = "Reviewer note: the evidence section is weak."


def published_eia(db, title="Library opening hours 2026"):
    author = make_user(Role.AUTHOR)
    reviewer = make_user(Role.EQUALITIES)
    eia = make_eia(author=author, title=title)
    complete_eia(eia, author, negative=("age",))
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.add_comment(eia, "evidence", SECRET_COMMENT, by=reviewer)
    workflow.transition(eia, "approve", by=reviewer)
    workflow.transition(
        eia,
        "sign_off",
        by=make_user(Role.DECISION_MAKER, name="Chris Morgan"),
        comment="Agreed with conditions.",
        confirmed=True,
    )
    workflow.transition(eia, "publish", by=reviewer)
    db.session.commit()
    return eia


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_register_lists_and_shows_a_published_eia_without_sign_in(client, db):
    eia = published_eia(db)
    page = client.get("/register/").get_data(as_text=True)
    assert eia.reference in page and "Library opening hours 2026" in page
    page = client.get(f"/register/{eia.reference}").get_data(as_text=True)
    assert "Impact on each characteristic" in page and "Effect on age: fewer weekday hours." in page
    assert "Keep Tuesday and Thursday mornings" in page and "Chris Morgan" in page
    assert SECRET_COMMENT not in page and "Agreed with conditions." not in page
    assert client.get("/register/?q=library").get_data(as_text=True).count(eia.reference) >= 1


@pytest.mark.parametrize("state", [s for s in EiaState if s is not EiaState.PUBLISHED], ids=str)
def test_nothing_unpublished_is_reachable_on_the_register(client, db, state):
    eia = make_eia(state=state, title=f"Unpublished in state {state}")
    assert eia.reference not in client.get("/register/").get_data(as_text=True)
    assert client.get(f"/register/{eia.reference}").status_code == 404
    assert client.get(f"/register/{eia.reference}.pdf").status_code == 404
    assert client.get(f"/register/{eia.reference.lower()}").status_code == 404


def test_individual_actions_never_reach_the_register(client, db):
    eia = make_eia(kind=EiaKind.INDIVIDUAL, title="Post room restructure", state=EiaState.PUBLISHED)
    assert "Post room restructure" not in client.get("/register/").get_data(as_text=True)
    assert client.get(f"/register/{eia.reference}").status_code == 404
    assert client.get(f"/register/{eia.reference}.pdf").status_code == 404


def test_register_pdf_reads_back_with_every_part(client, db, tmp_path):
    eia = published_eia(db)
    response = client.get(f"/register/{eia.reference}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{eia.reference}.pdf"'
    text = pdf_text(response.data, tmp_path)
    for expected in (
        "Testshire County Council",
        eia.reference,
        "version 1",
        "About the proposal",
        "Impact on each characteristic",
        "Effect on age: fewer weekday hours.",
        "Keep Tuesday and Thursday mornings",
        "Outcome",
        "Adjust the proposal",
        "Signed off by the decision maker",
        "Chris Morgan",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert SECRET_COMMENT not in text
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert f"Title:           {eia.reference}: Library opening hours 2026" in info
    assert "Author:          Testshire County Council" in info
    assert "Tagged:          yes" in info


def test_signed_in_pdf_follows_view_permission(client, login_as, db, tmp_path):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, title="Draft for the PDF")
    login_as(Role.AUTHOR)  # another service area
    assert client.get(f"/eias/{eia.reference}.pdf").status_code == 403
    login_as(Role.EQUALITIES)
    response = client.get(f"/eias/{eia.reference}.pdf")
    assert response.status_code == 200
    assert "Draft for the PDF" in pdf_text(response.data, tmp_path)
