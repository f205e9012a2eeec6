"""Every link in an error summary goes to an input that can take focus: a date's first box (or the
first box in error), a group of radios or checkboxes to its first input, other fields to themselves."""

from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.validators import InputRequired

from eia.accounts.models import Role
from eia.forms_support import error_summary
from forms.fields import DateField, choices
from tests.test_assessments import mitigation_form, negative_impact_eia


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[InputRequired("Enter a name")])
    started_on = DateField("Start date", required="Enter the start date")
    kind = RadioField("Kind", choices=choices([("a", "A"), ("b", "B")]), validators=[InputRequired("Select a kind")])
    groups = SelectMultipleField("Groups", choices=choices([("x", "X")]), validators=[InputRequired("Select a group")])


def _summary(app, data: dict[str, str]) -> dict:
    with app.test_request_context("/", method="POST", data=data):
        form = _Form()
        form.validate()
        return error_summary(form)


def test_each_message_links_to_the_input_that_takes_focus(app):
    summary = _summary(app, {})
    assert summary["titleText"] == "There is a problem"
    assert [(item["text"], item["href"]) for item in summary["errorList"]] == [
        ("Enter a name", "#name"),
        ("Enter the start date", "#started_on-day"),
        ("Select a kind", "#kind"),  # GOV.UK gives the first radio the group's own id
        ("Select a group", "#groups"),
    ]


def test_a_date_links_to_the_first_box_in_error(app):
    summary = _summary(app, {"started_on-day": "3", "started_on-month": "", "started_on-year": "2026"})
    (item,) = [item for item in summary["errorList"] if "Start date" in item["text"]]
    assert item == {"text": "Start date must include a month", "href": "#started_on-month"}


def test_a_problem_with_the_whole_form_is_listed_without_a_link(app):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = _Form()
        form.form_errors.append("Someone else changed this.")
        assert error_summary(form)["errorList"][0] == {"text": "Someone else changed this."}


@pytest.mark.parametrize(
    ("changes", "href"),
    [
        ({"due_on-day": "", "due_on-month": "", "due_on-year": ""}, "#due_on-day"),
        ({"due_on-day": "31", "due_on-month": "9"}, "#due_on-day"),
        ({"due_on-year": "27"}, "#due_on-year"),
        ({"status": ""}, "#status"),
    ],
    ids=["no-date", "not-a-real-date", "short-year", "no-status"],
)
def test_the_page_links_each_problem_to_an_input_on_it(client, login_as, db, changes, href):
    author = login_as(Role.AUTHOR)
    eia = negative_impact_eia(author)
    page = client.post(f"/eias/{eia.reference}/mitigations/new", data=mitigation_form(author.id, **changes))
    body = page.get_data(as_text=True)
    summary = body[body.index('class="govuk-error-summary"') : body.index("</ul>", body.index("govuk-error-summary"))]
    assert f'href="{href}"' in summary
    target = href[1:]
    assert re.search(rf'<input[^>]*\bid="{re.escape(target)}"', body), f"no input with id {target}"
    assert "Error: Error:" not in body
