"""Starting EIAs, the task list, saving sections with validation, conflicts, templates as data."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
import yaml
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import authoring, form_templates, queries, services
from eia.assessments.models import Characteristic, Eia
from eia.assessments.states import EiaKind, SectionStatus
from eia.auditlog.models import AuditEntry
from eia.errors import WorkflowError
from forms.definitions import SHIPPED_DIR, DefinitionError, Question, load_file, parse_definition
from forms.sections import section_parts
from tests.conftest import sign_in_session
from tests.factories import make_eia, make_user, post_section, section_page

ABOUT = {
    "title": "Library opening hours 2026",
    "proposal_type": "service",
    "decision_maker": "Cabinet Member for Culture",
    "decision_route": "cabinet",
    "started_on-day": "3",
    "started_on-month": "2",
    "started_on-year": "2026",
    "aims": "Keep all branch libraries open within a reduced budget.",
    "changes": "Opening hours at four branches move from 48 to 36 hours a week.",
    "affects": "residents",
    "plain_summary": "Four libraries will open fewer hours on weekdays.",
}


def about_form(eia, user, **changes):
    data = {**ABOUT, "lead_officer": str(user.id), "completed": "yes", "version": str(eia.section("about").version)}
    data.update(changes)
    return data


def test_author_starts_an_eia_for_their_service_area(client, login_as, db):
    author = login_as(Role.AUTHOR)
    response = client.post("/eias/new", data={"kind": "standard", "title": "Library opening hours 2026"})
    assert response.status_code == 302
    eia = db.session.execute(select(Eia).where(Eia.title == "Library opening hours 2026")).scalar_one()
    assert response.headers["Location"] == f"/eias/{eia.reference}"
    assert eia.reference.startswith("EIA-20") and eia.service_area_id == author.service_area_id
    assert eia.template.version == 2 and eia.state.value == "draft"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # the Armed Forces Covenant section waits for the screening to say whether it is needed
    assert "You have completed 0 of 11 sections" in page
    assert "Impact on each characteristic" in page and "Armed Forces Covenant" in page
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "eia_created")).scalar_one()
    assert entry.entity_type == "eia" and entry.entity_id == str(eia.id)


@pytest.mark.parametrize("reader", [Role.EQUALITIES, Role.DECISION_MAKER, Role.ADMIN, "colleague"])
def test_people_not_writing_it_read_how_many_sections_are_completed(client, db, reader):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    # "colleague": a service manager of its service area, who may edit it but did not write it
    colleague = reader == "colleague"
    person = make_user(Role.AUTHOR, service_area=author.service_area) if colleague else make_user(reader)
    sign_in_session(client, person)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "0 of 11 sections completed." in page and "You have completed" not in page


def test_its_author_and_co_authors_read_what_they_have_completed(client, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    helper = make_user(Role.AUTHOR)
    authoring.add_coauthor(eia, helper.id, by=author)
    db.session.commit()
    for person in (author, helper):
        sign_in_session(client, person)
        page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
        assert "You have completed 0 of 11 sections." in page and "sections completed." not in page


def test_references_count_up_within_a_year(db):
    first = make_eia()
    second = make_eia()
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1


def test_save_and_continue_completes_a_section_and_logs_each_field(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    # About the proposal is asked over two pages: the first goes on to the second, the second to the sections.
    first = client.post(f"/eias/{eia.reference}/sections/about", data={"title": ABOUT["title"], "version": "1"})
    assert first.headers["Location"] == f"/eias/{eia.reference}/sections/about/2"
    response = post_section(client, eia, "about", about_form(eia, author))
    assert response.status_code == 302 and response.headers["Location"] == f"/eias/{eia.reference}"
    db.session.refresh(eia)
    section = eia.section("about")
    assert section.status is SectionStatus.COMPLETED
    assert section.answers["started_on"] == "2026-02-03"
    assert eia.lead_officer_id == author.id and eia.proposal_type == "service"
    entry = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "eia_section_saved").order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert entry.changes["about.aims"] == [None, ABOUT["aims"]]
    assert entry.changes["about.status"] == ["in_progress", "completed"]
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "You have completed 1 of 11 sections" in page


def test_coming_back_later_saves_partial_answers_in_progress(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    data = {"title": "Library hours", "aims": "Half written", "completed": "no"}
    assert post_section(client, eia, "about", data).status_code == 302
    db.session.refresh(eia)
    assert eia.section("about").status is SectionStatus.IN_PROGRESS
    page = client.get(section_page(eia, "about", "aims")).get_data(as_text=True)
    assert "Half written" in page and "Page 2 of 2" in page
    # "Have you completed this section?" waits for an answer, rather than "No" being left chosen
    assert not re.search(r'<input[^>]*name="completed"[^>]*checked', page)
    assert 'value="Library hours"' in client.get(section_page(eia, "about")).get_data(as_text=True)


def test_a_section_over_two_pages_stays_completed_until_an_answer_it_needs_is_taken_away(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    assert post_section(client, eia, "about", about_form(eia, author)).status_code == 302
    first_page = {q.key for q in section_parts(eia.form.section("about"))[0]}
    answers = {k: v for k, v in about_form(eia, author).items() if k in first_page}

    revised = {**answers, "title": "Library opening hours 2026 (revised)", "version": str(eia.section("about").version)}
    response = client.post(section_page(eia, "about"), data=revised)
    assert response.headers["Location"] == section_page(eia, "about", "aims")
    db.session.refresh(eia)
    assert eia.section("about").status is SectionStatus.COMPLETED
    assert eia.title == "Library opening hours 2026 (revised)"
    assert eia.section("about").answers["aims"] == ABOUT["aims"]  # the second page's answers are kept

    blanked = {**answers, "decision_maker": "", "version": str(eia.section("about").version)}
    assert client.post(section_page(eia, "about"), data=blanked).status_code == 302
    db.session.refresh(eia)
    assert eia.section("about").status is SectionStatus.IN_PROGRESS
    assert "decision_maker" not in eia.section("about").answers and eia.section("about").answers["aims"]


def test_completing_the_last_page_while_the_first_misses_an_answer_keeps_what_was_typed(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    first, second = ({q.key for q in part} for part in section_parts(eia.form.section("about")))
    answers = about_form(eia, author)
    on_second = {k: v for k, v in answers.items() if k.split("-")[0] in second} | {"completed": "yes", "version": "1"}
    response = client.post(section_page(eia, "about", "aims"), data=on_second)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    link = f'href="/eias/{eia.reference}/sections/about#proposal_type">Select what is being assessed (page 1 of'
    assert link in page
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S).group(1)
    assert "(page 1 of this section)" in summary.split("</li>")[0]  # the first page's problems come first
    db.session.refresh(eia)
    about = eia.section("about")
    assert about.answers["aims"] == ABOUT["aims"] and about.status is SectionStatus.IN_PROGRESS  # nothing lost
    assert "Your answers on this page are saved." in page
    assert re.search(rf'name="version" type="hidden" value="{about.version}"', page)  # the next save goes on from it

    on_first = {k: v for k, v in answers.items() if k in first} | {"version": str(about.version)}
    assert client.post(section_page(eia, "about"), data=on_first).status_code == 302
    db.session.refresh(eia)
    done = client.post(section_page(eia, "about", "aims"), data=on_second | {"version": str(about.version)})
    assert done.status_code == 302
    db.session.refresh(eia)
    assert eia.section("about").status is SectionStatus.COMPLETED


def test_a_page_refused_for_its_own_answers_still_catches_a_clash_when_put_right(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    opened = eia.section("about").version
    theirs = {"title": "Library opening hours 2026", "aims": "Theirs"}
    services.save_section(eia, "about", theirs, completed=False, expected_version=opened, by=author)
    db.session.commit()

    mine = {
        "started_on-day": "31",
        "started_on-month": "2",
        "started_on-year": "2026",
        "aims": "Mine",
        "completed": "no",
    }
    refused = client.post(section_page(eia, "about", "aims"), data=mine | {"version": str(opened)})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "must be a real date" in page
    assert re.search(rf'name="version" type="hidden" value="{opened}"', page)  # still the version opened
    put_right = client.post(
        section_page(eia, "about", "aims"), data=mine | {"started_on-day": "3", "version": str(opened)}
    )
    assert put_right.status_code == 409 and "Theirs" in put_right.get_data(as_text=True)
    db.session.refresh(eia)
    assert eia.section("about").answers["aims"] == "Theirs"


@pytest.mark.parametrize(
    ("changes", "message", "kept"),
    [
        ({"aims": ""}, "Enter the aims and intended outcomes", "Opening hours at four branches"),
        ({"affects": ""}, "Select who the proposal affects", "Keep all branch"),
        (
            {"started_on-day": "31", "started_on-month": "2"},
            "Date this assessment started must be a real date",
            "Keep all branch",
        ),
        ({"started_on-year": "26"}, "the year must have 4 numbers", "Keep all branch"),
        ({"started_on-month": ""}, "must include a month", "Keep all branch"),
        ({"title": "x" * 201}, "Title of the proposal must be 200 characters or fewer", "Cabinet Member for Culture"),
        ({"lead_officer": "999999"}, "Not a valid choice", "Cabinet Member for Culture"),
        ({"decision_route": "by magic"}, "Not a valid choice", "Cabinet Member for Culture"),
        ({"completed": ""}, "Select whether you have completed this section", "Keep all branch"),
    ],
    ids=[
        "required",
        "required-choice",
        "not-a-real-date",
        "short-year",
        "partial-date",
        "too-long",
        "unknown-person",
        "bad-choice",
        "no-status",
    ],
)
def test_bad_answers_are_named_at_the_field_and_the_rest_kept(client, login_as, db, changes, message, kept):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    # The page that asks the question with the bad answer, with the rest of that page's answers.
    question = next(iter(changes)).split("-")[0]
    asked_on = section_page(eia, "about", "plain_summary" if question == "completed" else question)
    response = client.post(asked_on, data=about_form(eia, author, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert kept in page
    db.session.refresh(eia)
    assert eia.section("about").answers == {"title": "Library opening hours 2026"}  # nothing saved
    assert eia.section("about").status is SectionStatus.IN_PROGRESS


def test_review_date_must_be_in_the_future(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    data = {
        "outcome": "no_major_change",
        "summary": "No change needed.",
        "review_date-day": "1",
        "review_date-month": "1",
        "review_date-year": "2020",
        "completed": "yes",
        "version": "1",
    }
    page = client.post(f"/eias/{eia.reference}/sections/outcome", data=data).get_data(as_text=True)
    assert "Review date must be in the future" in page


@pytest.mark.parametrize(
    ("section", "data", "message"),
    [
        (
            "screening",
            {"numbers_affected": "12", "significance": "Low", "full_eia_needed": "no"},
            "Enter why a full assessment is not needed",
        ),
        (
            "screening",
            {"numbers_affected": "12", "covenant_functions": ["none", "homelessness"]},
            "Select 'None of these' on its own",
        ),
        (
            "armed_forces",
            {"relevant_functions": ["housing_allocations"]},
            "How have you had regard to the unique obligations",
        ),
        ("armed_forces", {"relevant_functions": ["none", "education"]}, "Select 'None of these' on its own"),
        (
            "outcome",
            {
                "outcome": "continue",
                "summary": "Going ahead.",
                "review_date-day": "1",
                "review_date-month": "1",
                "review_date-year": "2099",
            },
            "Enter why continuing is justified",
        ),
    ],
    ids=[
        "screening-reason",
        "covenant-none-and-another",
        "armed-forces-regard",
        "none-and-another",
        "continue-justified",
    ],
)
def test_answers_required_only_in_some_cases(client, login_as, db, section, data, message):
    author = login_as(Role.AUTHOR)
    # the Armed Forces Covenant section of v1 asks the functions itself (v2 asks them in screening)
    eia = make_eia(author=author, template_version=1 if section == "armed_forces" else None)
    page = post_section(client, eia, section, {**data, "completed": "yes"}).get_data(as_text=True)
    assert message in html.unescape(page)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("proposal_type", "Select what is being assessed"),
        ("lead_officer", "Select lead officer"),
        ("aims", "Enter aims and intended outcomes"),
        ("full_eia_needed", "Select yes or no"),
        ("relevant_functions", "Select an answer"),
        ("review_date", "Enter review date"),
    ],
)
def test_a_template_without_error_messages_gets_them_from_its_labels(key, message):
    # Version 1 is published and never changes: it has no 'error' of its own.
    definition, _ = load_file(SHIPPED_DIR / "standard-v1.yaml")
    question = next(q for s in definition.sections for q in s.questions if q.key == key)
    assert question.error is None
    assert services.required_message(question) == message
    assert services.required_message(Question(key="ref", label="DPIA reference", type="text")) == "Enter DPIA reference"


def test_a_template_gives_the_message_for_a_missing_answer_as_text():
    about = {"key": "about", "title": "About", "questions": [{"key": "title", "label": "Title", "type": "text"}]}
    data = {"kind": "standard", "version": 9, "title": "Form", "sections": [about]}
    about["questions"][0]["error"] = "Enter the title of the proposal"
    definition = parse_definition(data)
    assert services.required_message(definition.sections[0].questions[0]) == "Enter the title of the proposal"
    about["questions"][0]["error"] = ["Enter", "the title"]
    with pytest.raises(DefinitionError, match="'error' must be the message to show"):
        parse_definition(data)


def test_screening_out_needs_only_the_first_sections(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    data = {
        "numbers_affected": "Six staff in the post room.",
        "significance": "A change of rota only.",
        "covenant_functions": "none",
        "full_eia_needed": "no",
        "not_proportionate_reason": "No change to pay, hours or duties; nobody loses anything.",
        "completed": "yes",
    }
    assert post_section(client, eia, "screening", data).status_code == 302
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "You have completed 1 of 2 sections" in page
    assert "Not needed after screening" in page


def test_two_people_saving_one_section_get_a_conflict_not_an_overwrite(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    opened_version = eia.section("about").version
    services.save_section(
        eia,
        "about",
        {"title": "Their title", "aims": "Their aims"},
        completed=False,
        expected_version=opened_version,
        by=author,
    )
    db.session.commit()

    response = client.post(
        section_page(eia, "about", "aims"),
        data={"aims": "My aims", "completed": "no", "version": str(opened_version)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed while you were editing" in page
    assert "My aims" in page and "Their aims" in page
    db.session.refresh(eia)
    assert eia.section("about").answers["aims"] == "Their aims"

    # Choosing to keep theirs: the page re-sends their answers with the current version.
    new_version = eia.section("about").version
    assert f'name="version" value="{new_version}"' in page
    response = client.post(
        section_page(eia, "about", "aims"),
        data={"aims": "My aims", "completed": "no", "version": str(new_version)},
    )
    assert response.status_code == 302
    db.session.refresh(eia)
    assert eia.section("about").answers["aims"] == "My aims"


def test_only_editors_may_save_and_only_while_editable(client, login_as, db):
    colleague = make_user(Role.AUTHOR)
    eia = make_eia(author=colleague)
    login_as(Role.AUTHOR, service_area=colleague.service_area)  # same service area: may edit
    assert (
        client.post(
            f"/eias/{eia.reference}/sections/about", data={"title": "T", "completed": "no", "version": "1"}
        ).status_code
        == 302
    )
    eia.state = eia.state.__class__("approved")
    db.session.commit()
    with pytest.raises(WorkflowError):
        services.save_section(
            eia, "about", {"title": "x"}, completed=False, expected_version=eia.section("about").version, by=colleague
        )
    page = client.get(f"/eias/{eia.reference}/sections/about").get_data(as_text=True)
    assert "cannot be changed here" in page


def test_individual_actions_are_hidden_from_others(client, login_as, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, kind=EiaKind.INDIVIDUAL, title="Restructure of the post room")
    for role, status in [(Role.DECISION_MAKER, 403), (Role.EQUALITIES, 200), (Role.ADMIN, 200)]:
        login_as(role)
        assert client.get(f"/eias/{eia.reference}").status_code == status, role
    login_as(Role.AUTHOR, service_area=author.service_area)  # even a colleague in the same team
    assert client.get(f"/eias/{eia.reference}").status_code == 403


def test_an_eia_on_v1_still_renders_after_v3_changes_the_questions(app, client, login_as, db, tmp_path):
    author = login_as(Role.AUTHOR)
    old = make_eia(author=author, template_version=1)
    services.save_section(
        old, "about", {"title": "Old", "scope": "Scope written on v1"}, completed=False, expected_version=1, by=author
    )
    old.state = old.state.__class__("approved")
    db.session.commit()

    data = yaml.safe_load((SHIPPED_DIR / "standard-v1.yaml").read_text())
    data["version"] = 3
    about = data["sections"][0]
    about["questions"] = [q for q in about["questions"] if q["key"] != "scope"]
    about["questions"].append(
        {"key": "budget", "label": "What is the budget saving?", "type": "text", "max_length": 100}
    )
    path = tmp_path / "standard-v3.yaml"
    path.write_text(yaml.safe_dump(data))
    result = app.test_cli_runner().invoke(args=["forms", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "version 3" in result.output

    page = client.get(f"/eias/{old.reference}/sections/about").get_data(as_text=True)
    assert "Scope written on v1" in page and "What is the budget saving?" not in page
    exported = client.get(f"/eias/{old.reference}.pdf")
    assert exported.status_code == 200
    text = subprocess.run(["pdftotext", "-", "-"], input=exported.data, capture_output=True, check=True).stdout.decode()
    assert "Scope written on v1" in text and "What is the budget saving?" not in text
    new = make_eia(author=author)
    assert new.template.version == 3
    page = client.get(section_page(new, "about", "budget")).get_data(as_text=True)
    assert "What is the budget saving?" in page and ">Scope<" not in page

    again = app.test_cli_runner().invoke(args=["forms", "load", str(path)])
    assert again.exit_code == 1 and "already loaded" in again.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "kind: standard\nversion: 3\ntitle: T\n"
            "sections: [{key: about, title: A, questions: [{key: title, label: T, type: colour}]}]",
            "unknown type 'colour'",
        ),
        ("kind: standard\nversion: 3\ntitle: T\nsections: [{key: intro, title: A}]", "needs an 'about' section"),
        ("kind: standard\nversion: [\n", "is not valid YAML"),
        ("kind: leaflet\nversion: 3\ntitle: T\nsections: []", "kind must be one of"),
    ],
    ids=["bad-type", "no-about", "not-yaml", "bad-kind"],
)
def test_a_bad_template_file_is_refused_in_one_line(app, db, tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    result = app.test_cli_runner().invoke(args=["forms", "load", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_protected_characteristics_cannot_be_switched_off(db):
    admin = make_user(Role.ADMIN)
    disability = db.session.execute(select(Characteristic).where(Characteristic.key == "disability")).scalar_one()
    with pytest.raises(WorkflowError, match="protected characteristic"):
        form_templates.set_characteristic_active(disability, False, by=admin)
    carers = db.session.execute(select(Characteristic).where(Characteristic.key == "carers")).scalar_one()
    form_templates.set_characteristic_active(carers, False, by=admin)
    assert carers not in queries.characteristics(active_only=True)
    assert len([c for c in queries.characteristics() if c.is_protected]) == 9


def test_eia_pages_run_a_fixed_number_of_queries(client, login_as, db, count_queries):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    client.post(f"/eias/{eia.reference}/sections/about", data=about_form(eia, author))
    make_eia(author=author)  # so both measurements start from the same state of the test's session
    with count_queries() as counter:
        assert client.get(f"/eias/{eia.reference}").status_code == 200
    show = counter.count
    with count_queries() as counter:
        assert client.get(f"/eias/{eia.reference}/sections/about").status_code == 200
    section = counter.count
    with count_queries() as counter:
        assert client.get(f"/eias/{eia.reference}/sections/about/2").status_code == 200
    second_page = counter.count
    for _ in range(20):
        make_eia(author=author)
    with count_queries() as counter:
        client.get(f"/eias/{eia.reference}")
    assert counter.count == show
    with count_queries() as counter:
        client.get(f"/eias/{eia.reference}/sections/about")
    assert counter.count == section
    with count_queries() as counter:
        client.get(f"/eias/{eia.reference}/sections/about/2")
    assert counter.count == second_page


def test_admin_switches_local_characteristics_from_the_register_page(client, login_as, db):
    login_as(Role.ADMIN)
    page = client.get("/admin/characteristics/").get_data(as_text=True)
    assert "Protected (Equality Act 2010)" in page and "Care experience" in page
    carers = db.session.execute(select(Characteristic).where(Characteristic.key == "carers")).scalar_one()
    assert client.post(f"/admin/characteristics/{carers.id}", data={"active": "no"}).status_code == 302
    db.session.refresh(carers)
    assert not carers.is_active
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    login_as(Role.AUTHOR, service_area=author.service_area)
    page = client.get(f"/eias/{eia.reference}/sections/impacts").get_data(as_text=True)
    assert "Care experience" in page and ">Carers<" not in page
    login_as(Role.ADMIN)
    race = db.session.execute(select(Characteristic).where(Characteristic.key == "race")).scalar_one()
    assert client.post(f"/admin/characteristics/{race.id}", data={"active": "no"}).status_code == 409


def negative_impact_eia(author):
    from tests.factories import complete_eia

    eia = make_eia(author=author)
    return complete_eia(eia, author, negative=("disability",), mitigate=False)


def mitigation_form(owner, **changes):
    data = {
        "characteristic_id": "",
        "action": "Install a changing places toilet before the move.",
        "owner_id": str(owner),
        "due_on-day": "30",
        "due_on-month": "6",
        "due_on-year": "2027",
        "status": "not_started",
        "measure": "Installed and in use; complaints about access.",
    }
    data.update(changes)
    return data


def test_mitigations_are_added_changed_and_removed_with_an_audit_trail(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = negative_impact_eia(author)
    disability = next(i for i in eia.impacts if i.is_negative)
    page = client.get(f"/eias/{eia.reference}/sections/mitigations").get_data(as_text=True)
    assert "Negative impacts with no mitigation yet: Disability" in page
    # asked on the section's second page, to which the warning links
    assert f'href="/eias/{eia.reference}/sections/mitigations/2#residual_justification"' in page
    response = client.post(
        f"/eias/{eia.reference}/mitigations/new",
        data=mitigation_form(author.id, characteristic_id=str(disability.characteristic_id)),
    )
    assert response.status_code == 302
    db.session.refresh(eia)
    (mitigation,) = eia.mitigations
    assert mitigation.characteristic_id == disability.characteristic_id and mitigation.owner_id == author.id
    page = client.get(f"/eias/{eia.reference}/sections/mitigations").get_data(as_text=True)
    assert "Install a changing places toilet" in page and "Negative impacts with no mitigation yet" not in page

    client.post(
        f"/eias/{eia.reference}/mitigations/{mitigation.id}",
        data=mitigation_form(
            author.id,
            characteristic_id=str(disability.characteristic_id),
            status="in_progress",
            version=str(mitigation.version),
        ),
    )
    db.session.refresh(mitigation)
    assert mitigation.status.value == "in_progress"
    stale = client.post(
        f"/eias/{eia.reference}/mitigations/{mitigation.id}",
        data=mitigation_form(author.id, status="done", version="1", action="My own wording of the action."),
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "changed this mitigation after you opened it" in page and "My own wording of the action." in page
    assert (
        client.post(f"/eias/{eia.reference}/mitigations/{mitigation.id}/remove", data={"version": "1"}).status_code
        == 409
    )  # someone changed it since: not removed blind
    db.session.refresh(mitigation)
    assert (
        client.post(
            f"/eias/{eia.reference}/mitigations/{mitigation.id}/remove", data={"version": str(mitigation.version)}
        ).status_code
        == 302
    )
    db.session.refresh(eia)
    assert eia.mitigations == []
    actions = (
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.entity_id == str(eia.id), AuditEntry.action.like("mitigation_%"))
            .order_by(AuditEntry.seq)  # in the order they were written, on every database
        )
        .scalars()
        .all()
    )
    assert actions == ["mitigation_added", "mitigation_changed", "mitigation_removed"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"owner_id": "999999"}, "Not a valid choice"),
        ({"owner_id": ""}, "Select who owns this mitigation"),
        ({"due_on-day": "31", "due_on-month": "9"}, "When is it due? must be a real date"),
        ({"due_on-day": "", "due_on-month": "", "due_on-year": ""}, "Enter the date it is due"),
        ({"action": ""}, "Enter what will be done"),
        ({"measure": "x" * 3001}, "The measure must be 3,000 characters or fewer"),
    ],
    ids=["owner-not-a-user", "no-owner", "not-a-real-date", "no-date", "no-action", "measure-too-long"],
)
def test_bad_mitigations_are_refused_at_the_field(client, login_as, db, changes, message):
    author = login_as(Role.AUTHOR)
    eia = negative_impact_eia(author)
    response = client.post(f"/eias/{eia.reference}/mitigations/new", data=mitigation_form(author.id, **changes))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and message in page
    assert "There is a problem" in page
    db.session.refresh(eia)
    assert eia.mitigations == []
