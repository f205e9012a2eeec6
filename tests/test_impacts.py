"""The impacts section in two steps (a direction for every group on one page, then a page for each
impact that is not neutral, then the effects across groups), and every error of a page at once."""

from __future__ import annotations

import re

from eia.accounts.models import Role
from eia.assessments import impacts, queries
from eia.assessments.states import Direction, Severity
from tests.factories import make_eia, section_page


def _directions(eia, **chosen: str) -> dict[str, str]:
    data = {"version": str(eia.section("impacts").version)}
    for key, value in chosen.items():
        direction, _, reason = value.partition(":")
        data[f"c_{key}_direction"] = direction
        if reason:
            data[f"c_{key}_reason"] = reason
    return data


def test_a_neutral_impact_needs_only_a_short_reason_and_the_others_get_a_page_each(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    page = client.get(f"/eias/{eia.reference}/sections/impacts").get_data(as_text=True)
    assert page.count('type="radio"') == 4 * len(queries.characteristics_for(eia))
    assert "The change applies to everyone in the same way" in page  # a common reason to pick

    refused = client.post(f"/eias/{eia.reference}/sections/impacts", data=_directions(eia, age="neutral"))
    assert "Age: say briefly why there is no effect" in refused.get_data(as_text=True)

    saved = client.post(
        f"/eias/{eia.reference}/sections/impacts",
        data=_directions(
            eia, age="negative", disability="not_known", sex="neutral:The service is not used by this group"
        ),
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/sections/impacts/age")
    db.session.refresh(eia)
    by_key = {i.characteristic.key: i for i in eia.impacts}
    assert by_key["sex"].direction is Direction.NEUTRAL and by_key["sex"].description.startswith("The service is not")

    page = client.get(f"/eias/{eia.reference}/sections/impacts/age").get_data(as_text=True)
    assert "impact 1 of 2" in page and "How severe is it?" in page and "What will be done to find out" not in page
    incomplete = client.post(
        f"/eias/{eia.reference}/sections/impacts/age",
        data={"description": "Older borrowers lose the morning opening.", "version": str(by_key["age"].version)},
    )
    assert "Age: select how severe the negative impact is" in incomplete.get_data(as_text=True)
    done = client.post(
        f"/eias/{eia.reference}/sections/impacts/age",
        data={
            "description": "Older borrowers lose the morning opening.",
            "who_affected": "Over-75s at Castle Street library",
            "severity": "medium",
            "version": str(by_key["age"].version),
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/sections/impacts/disability")
    page = client.get(f"/eias/{eia.reference}/sections/impacts/disability").get_data(as_text=True)
    assert "What will be done to find out, and by when?" in page and "How severe is it?" not in page
    # A neutral impact has no page of its own.
    assert client.get(f"/eias/{eia.reference}/sections/impacts/sex").status_code == 404
    db.session.refresh(eia)
    assert {i.characteristic.key: i for i in eia.impacts}["age"].severity is Severity.MEDIUM


def test_the_section_completes_only_when_every_group_is_answered(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    client.post(f"/eias/{eia.reference}/sections/impacts", data=_directions(eia, age="positive"))
    page = client.get(f"/eias/{eia.reference}/sections/impacts/across-groups").get_data(as_text=True)
    assert "Disability: select whether the impact is positive, neutral, negative or not known" in page
    assert "Age: describe the real effect on people" in page
    answered = {
        "intersectional": "None found",
        "cumulative": "None",
        "aim_discrimination": "x",
        "aim_opportunity": "x",
        "aim_relations": "x",
        "completed": "yes",
        "version": str(eia.section("impacts").version),
    }
    refused = client.post(f"/eias/{eia.reference}/sections/impacts/across-groups", data=answered)
    page = refused.get_data(as_text=True)
    # each problem links to where it is answered: a direction on the first step, an effect on its page
    directions = f"/eias/{eia.reference}/sections/impacts"
    assert f'href="{directions}#c_disability_direction">Disability: select whether the impact is positive' in page
    assert f'href="{directions}/age#description">Age: describe the real effect on people' in page
    db.session.refresh(eia)
    assert eia.section("impacts").status.value != "completed"
    assert impacts.all_problems(eia)
    # and what was written on this page is kept meanwhile
    assert eia.section("impacts").answers["intersectional"] == "None found"


def test_every_problem_with_the_directions_shows_in_one_round(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    too_long = "x" * 301
    page = client.post(
        f"/eias/{eia.reference}/sections/impacts", data=_directions(eia, age=f"neutral:{too_long}", race="neutral")
    ).get_data(as_text=True)
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S).group(1)
    assert "Age: the reason must be 300 characters or fewer" in summary
    assert "Race: say briefly why there is no effect" in summary
    assert too_long in page  # what was typed is kept


def test_an_impossible_date_and_missing_answers_are_reported_together(client, login_as, db):
    """The date used to hide every missing answer until it was fixed."""
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    # The last page of About the proposal, where the section is marked completed.
    page = client.post(
        section_page(eia, "about", "started_on"),
        data={
            "started_on-day": "31",
            "started_on-month": "2",
            "started_on-year": "2026",
            "scope": "All eight branch libraries",
            "completed": "yes",
            "version": str(eia.section("about").version),
        },
    ).get_data(as_text=True)
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S).group(1)
    assert "must be a real date" in summary
    assert "Enter the aims and intended outcomes" in summary  # on this page
    # and those missing from the first page, first, saying where; not links while this page has problems
    # of its own (leaving it would lose what was typed here)
    assert summary.index("Select what is being assessed (page 1 of this section)") < summary.index("real date")
    assert "Select an answer for" not in summary
    assert "Enter the accountable decision maker (page 1 of this section)" in summary
    assert "sections/about#" not in summary
    assert summary.count("<li>") >= 5
    assert "All eight branch libraries" in page  # what was typed is kept
