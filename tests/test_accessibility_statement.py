"""The accessibility statement at /accessibility follows the model statement: its known problems come
from eia/accessibility.py, the contact details from the settings, with the enforcement procedure and
the dates it was prepared and reviewed."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from eia import accessibility
from eia.accessibility import KNOWN_PROBLEMS, KnownProblem


def _text(client) -> str:
    page = client.get("/accessibility")
    assert page.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())


def test_the_statement_has_the_model_statements_parts(client, db):
    text = _text(client)
    for heading in (
        "Accessibility statement for equality impact assessments",
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Compliance status",
        "Preparation of this accessibility statement",
    ):
        assert heading in text
    assert "Equality and Human Rights Commission" in text and "Equality Advisory and Support Service" in text
    assert f"prepared on {accessibility.PREPARED_ON.day} {accessibility.PREPARED_ON:%B %Y}" in text
    assert f"last reviewed on {accessibility.REVIEWED_ON.day} {accessibility.REVIEWED_ON:%B %Y}" in text


def test_every_known_problem_is_listed_with_when_it_will_be_fixed(client, db):
    assert KNOWN_PROBLEMS, "the statement lists the problems the service still has"
    text = _text(client)
    assert "partially compliant" in text
    for problem in KNOWN_PROBLEMS:
        assert problem.summary in text
        assert all(criterion in text for criterion in problem.criteria)
        assert f"We plan to fix this by {problem.fix_by.day} {problem.fix_by:%B %Y}" in text


def test_with_no_known_problems_it_says_fully_compliant(client, db, monkeypatch):
    monkeypatch.setattr(accessibility, "KNOWN_PROBLEMS", ())
    text = _text(client)
    assert "fully compliant" in text and "partially compliant" not in text and "We plan to fix" not in text


def test_a_new_problem_appears_on_the_statement(client, db, monkeypatch):
    problem = KnownProblem(
        "The map of service areas has no text alternative.",
        "People who cannot see the map.",
        ("1.1.1 Non-text content (A)",),
        date(2027, 6, 30),
    )
    monkeypatch.setattr(accessibility, "KNOWN_PROBLEMS", (*KNOWN_PROBLEMS, problem))
    text = _text(client)
    assert "The map of service areas has no text alternative." in text and "30 June 2027" in text


@pytest.mark.parametrize(
    ("key", "value"),
    [("EIA_ACCESSIBILITY_EMAIL", "access@leicester.example"), ("EIA_ACCESSIBILITY_PHONE", "0116 454 1000")],
)
def test_the_contact_details_come_from_the_settings(app, client, db, monkeypatch, key, value):
    monkeypatch.setitem(app.config, key, value)
    assert value in _text(client)


def test_it_no_longer_claims_what_is_not_tested(client, db):
    text = _text(client)
    assert "has not yet been audited" not in text
    assert "measured at 320 pixels wide" in text
