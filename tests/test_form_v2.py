"""Version 2 of the form: the Covenant functions in screening, the stop check for unlawful
discrimination, guidance on each question, follow-up questions revealed by the answer that needs
them, v1 assessments that keep every answer, and moving a v1 assessment to v2."""

from __future__ import annotations

import html
import io
import re
import subprocess
from datetime import date
from typing import Any

import pytest
import yaml
from docx import Document
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import services, submission, workflow
from eia.assessments.impact_views import ACROSS_GROUPS
from eia.assessments.models import Characteristic
from eia.assessments.states import EiaKind, EiaState, SectionStatus
from eia.errors import ValidationFailed
from forms.definitions import SHIPPED_DIR, DefinitionError, load_file, parse_definition
from forms.versions import new_questions
from tests.conftest import sign_in_session
from tests.factories import STANDARD_ANSWERS, complete_eia, make_eia, make_user, section_page


def save(eia, key: str, answers: dict[str, Any], by, completed: bool = True):
    return services.save_section(
        eia, key, answers, completed=completed, expected_version=eia.section(key).version, by=by
    )


def page_text(response) -> str:
    """A page's text as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


# The templates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["standard-v2.yaml", "individual-v2.yaml"])
def test_every_question_of_version_2_has_guidance_with_what_a_good_answer_covers(name):
    definition, _ = load_file(SHIPPED_DIR / name)
    missing = [f"{s.key}.{q.key}" for s in definition.sections for q in s.questions if q.guidance is None]
    assert missing == []
    assert definition.version == 2


@pytest.mark.parametrize("name", ["standard-v2.yaml", "individual-v2.yaml"])
def test_every_written_answer_of_version_2_has_a_good_and_a_poor_example(name):
    definition, _ = load_file(SHIPPED_DIR / name)
    missing = [
        f"{s.key}.{q.key}"
        for s in definition.sections
        for q in s.questions
        if q.type in ("text", "textarea") and q.guidance is not None and not (q.guidance.good and q.guidance.poor)
    ]
    assert missing == []


@pytest.mark.parametrize("kind", ["standard", "individual"])
def test_version_2_keeps_every_version_1_question_under_the_same_key_and_type(kind):
    old, _ = load_file(SHIPPED_DIR / f"{kind}-v1.yaml")
    new, _ = load_file(SHIPPED_DIR / f"{kind}-v2.yaml")
    moved = {("armed_forces", "relevant_functions")}  # asked in screening in v2, with the full list
    for section in old.sections:
        for question in section.questions:
            if (section.key, question.key) in moved:
                assert new.section(section.key).question(question.key) is None
                continue
            kept = new.section(section.key).question(question.key)
            assert kept is not None, f"{section.key}.{question.key}"
            assert kept.type == question.type, f"{section.key}.{question.key}"
            assert set(question.choices) <= set(kept.choices), f"{section.key}.{question.key}"


def test_the_screening_lists_every_function_the_covenant_duty_covers():
    definition, _ = load_file(SHIPPED_DIR / "standard-v2.yaml")
    functions = definition.section("screening").question("covenant_functions")
    labels = list(functions.choices.values())
    assert sum(label.startswith("Housing:") for label in labels) == 4
    assert sum(label.startswith("Education:") for label in labels) == 7
    assert sum(label.startswith("Healthcare:") for label in labels) == 3
    assert functions.exclusive == "none" and functions.required
    people = definition.section("armed_forces").intro
    assert "bereaved" in people and "reserve" in people and "veterans" in people


def test_a_follow_up_question_must_depend_on_a_question_of_its_own_section():
    data = yaml.safe_load((SHIPPED_DIR / "standard-v2.yaml").read_text())
    screening = next(s for s in data["sections"] if s["key"] == "screening")
    reason = next(q for q in screening["questions"] if q["key"] == "not_proportionate_reason")
    reason["show_when"] = {"question": "outcome", "equals": "stop"}
    with pytest.raises(DefinitionError, match="'not_proportionate_reason' depends on 'outcome'"):
        parse_definition(data)


def test_a_section_can_only_be_needed_because_of_an_earlier_question():
    data = yaml.safe_load((SHIPPED_DIR / "standard-v2.yaml").read_text())
    covenant = next(s for s in data["sections"] if s["key"] == "armed_forces")
    covenant["needed_when"]["question"] = "no_such_question"
    with pytest.raises(DefinitionError, match=r"screening\.no_such_question"):
        parse_definition(data)


def test_the_care_leavers_the_law_defines_are_defined_and_every_corporate_parenting_principle_is_listed():
    definition, _ = load_file(SHIPPED_DIR / "standard-v2.yaml")
    care = dict(
        item.split(": ", 1)
        for kind, items in definition.section("impacts").intro_blocks()
        if kind == "ul"
        for item in items
    )
    assert set(care) == {
        "eligible children",
        "relevant children",
        "former relevant children",
        "qualifying care leavers",
    }
    assert (
        "at least 13 weeks" in care["eligible children"] and "special guardianship" in care["qualifying care leavers"]
    )
    assert "adults of any age who were in care as children" in definition.section("impacts").intro
    # Children and Social Work Act 2017, section 1(1)(a) to (g): seven principles, (b) and (c) both kept.
    principles = next(items for kind, items in definition.section("local_duties").intro_blocks() if kind == "ul")
    assert len(principles) == 7
    assert "encourage them to express their views, wishes and feelings" in principles
    assert any("relationships" in p for p in principles)


def test_an_individual_action_is_monitored_as_fully_and_says_marriage_is_protected_in_employment():
    definition, _ = load_file(SHIPPED_DIR / "individual-v2.yaml")
    mitigations = definition.section("mitigations")
    required = ("monitoring_owner", "monitoring_frequency", "monitoring_reported_to", "post_implementation_review")
    assert [key for key in required if not mitigations.question(key).required] == []
    assert mitigations.question("monitoring_indicators") is not None
    assert "marriage and civil partnership is protected here" in definition.section("impacts").intro


@pytest.mark.parametrize("name", ["standard-v2.yaml", "individual-v2.yaml"])
def test_every_convention_right_a_council_can_engage_can_be_chosen(name):
    definition, _ = load_file(SHIPPED_DIR / name)
    rights = definition.section("rights").question("human_rights_articles")
    # Schedule 1 to the Human Rights Act 1998, less Article 1 of the 13th Protocol (the death penalty).
    articles = {f"article_{n}" for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14)}
    assert set(rights.choices) == articles | {f"protocol_1_article_{n}" for n in (1, 2, 3)}


@pytest.mark.parametrize("name", ["standard-v2.yaml", "individual-v2.yaml"])
def test_the_objective_justification_says_what_can_never_be_justified(name):
    definition, _ = load_file(SHIPPED_DIR / name)
    guidance = definition.section("outcome").question("objective_justification").guidance
    assert "Only indirect discrimination, discrimination arising from disability" in guidance.covers
    assert "harassment and victimisation cannot be" in guidance.covers


# New assessments use v2 --------------------------------------------------------------------------


def test_new_assessments_are_written_on_version_2(client, login_as, db):
    login_as(Role.AUTHOR)
    response = client.post("/eias/new", data={"kind": "standard", "title": "Allocations scheme review"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"] + "/sections/screening/2")
    assert "Does the proposal touch any of these functions?" in page.get_data(as_text=True)
    assert make_eia().template.version == 2
    assert make_eia(kind=EiaKind.INDIVIDUAL).template.version == 2


# Covenant first ------------------------------------------------------------------------------------


def screened_out(eia, by, functions: list[str]) -> None:
    about = {
        "title": eia.title,
        "proposal_type": "policy",
        "lead_officer": str(by.id),
        "decision_maker": "Cabinet Member for Housing",
        "decision_route": "cabinet",
        "started_on": date(2026, 2, 3),
        "aims": "Clarify how bands are applied.",
        "changes": "Wording of the band descriptions only.",
        "affects": "residents",
        "plain_summary": "We are rewording the housing bands. Nobody's band changes.",
    }
    save(eia, "about", about, by)
    screening = {
        "numbers_affected": "About 6,000 households on the register.",
        "significance": "None: the bands do not change.",
        "covenant_functions": functions,
        "full_eia_needed": "no",
        "not_proportionate_reason": "Only the wording changes; nobody's band or priority changes.",
    }
    save(eia, "screening", screening, by)


def test_a_screened_out_change_to_housing_allocations_still_needs_the_covenant_section(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, title="Housing allocations wording")
    screened_out(eia, author, ["housing_allocations"])
    assert eia.closed_at_screening

    tasks = {task.key: task for task in services.task_list(eia)}
    assert tasks["armed_forces"].needed and not tasks["impacts"].needed
    problems = submission.submission_problems(eia)
    assert list(problems) == ["armed_forces"]
    assert "Armed Forces Covenant" in problems["armed_forces"]
    assert "even though a full assessment is not" in problems["armed_forces"]
    with pytest.raises(submission.SubmissionBlocked):
        workflow.transition(eia, "submit", by=author, confirmed=True)

    with pytest.raises(ValidationFailed) as caught:
        save(eia, "armed_forces", {"covenant_people": ["veterans"]}, author)
    assert set(caught.value.fields) == {"regard_obligations", "regard_disadvantage", "regard_special_provision"}
    save(
        eia,
        "armed_forces",
        {
            "covenant_people": ["veterans", "bereaved"],
            "regard_obligations": "Service families move at short notice; the wording keeps the in-year route.",
            "regard_disadvantage": "Veterans stay exempt from the local connection rule.",
            "regard_special_provision": "Band A for injured veterans is kept, in plainer words.",
        },
        author,
    )
    assert submission.submission_problems(eia) == {}
    workflow.transition(eia, "submit", by=author, confirmed=True)
    assert eia.state is EiaState.SUBMITTED


def test_a_screened_out_change_touching_no_covered_function_skips_the_covenant_section(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, title="Printing contract")
    screened_out(eia, author, ["none"])
    tasks = {task.key: task for task in services.task_list(eia)}
    assert not tasks["armed_forces"].needed
    assert tasks["armed_forces"].reason.startswith("Not needed because screening found none")
    assert submission.submission_problems(eia) == {}


def test_the_task_list_says_why_the_covenant_section_is_needed(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author, title="School transport policy")
    screened_out(eia, author, ["school_transport"])
    db.session.commit()
    text = page_text(client.get(f"/eias/{eia.reference}"))
    assert (
        "Armed Forces Covenant Needed because screening found a function the Armed Forces Covenant duty covers, "
        "even though a full assessment is not"
    ) in text
    response = client.post(f"/eias/{eia.reference}/transitions/submit", data={"confirmed": "yes"})
    assert response.status_code == 200
    assert "Complete the section 'Armed Forces Covenant' (needed because screening found" in page_text(response)


# The stop check ------------------------------------------------------------------------------------

OUTCOME = {"outcome": "no_major_change", "summary": "Goes ahead.", "review_date": date(2099, 4, 1)}


def test_possible_unlawful_discrimination_needs_an_objective_justification_to_go_ahead(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    risky = {**OUTCOME, "unlawful_discrimination": "yes", "discrimination_types": ["indirect"]}
    for outcome in ("no_major_change", "continue"):
        with pytest.raises(ValidationFailed) as caught:
            save(eia, "outcome", {**risky, "outcome": outcome, "continue_justification": "Needed."}, author)
        assert "objective_justification" in caught.value.fields
    for outcome in ("adjust", "stop"):  # changing or stopping it needs no justification
        save(eia, "outcome", {**risky, "outcome": outcome}, author)
    save(eia, "outcome", {**risky, "objective_justification": "A legitimate aim, met proportionately."}, author)
    assert submission.stop_check(eia).blocks is False


def test_discrimination_no_aim_can_justify_means_the_proposal_must_change_or_stop(client, login_as, db):
    """Direct discrimination (but for age), a failure to make reasonable adjustments, harassment and
    victimisation cannot be justified: a justification does not let the proposal go ahead as it is."""
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    justified = {
        **OUTCOME,
        "unlawful_discrimination": "yes",
        "objective_justification": "A legitimate aim, met proportionately.",
    }
    for kinds in (["direct"], ["reasonable_adjustments"], ["harassment"], ["indirect", "victimisation"]):
        for outcome in ("no_major_change", "continue"):
            answers = {**justified, "discrimination_types": kinds, "outcome": outcome, "continue_justification": "X."}
            with pytest.raises(ValidationFailed) as caught:
                save(eia, "outcome", answers, author)
            assert "which no aim can justify" in caught.value.fields["outcome"]
        save(eia, "outcome", {**justified, "discrimination_types": kinds, "outcome": "adjust"}, author)
    for kinds in (["direct_age"], ["indirect"], ["arising_from_disability"]):  # these can be justified
        save(eia, "outcome", {**justified, "discrimination_types": kinds}, author)
        assert submission.stop_check(eia).blocks is False

    # Saved another way, it is still caught at submission, and the reviewer is told why.
    done = complete_eia(make_eia(author=author), author)
    section = done.section("outcome")
    section.answers = {**justified, **section.answers, "unlawful_discrimination": "yes"}
    section.answers = {**section.answers, "discrimination_types": ["harassment"], "outcome": "continue"}
    section.answers = {**section.answers, "objective_justification": "A legitimate aim, met proportionately."}
    problems = submission.submission_problems(done)
    assert problems["outcome"].startswith("The proposal could lead to harassment, which no aim can justify")
    with pytest.raises(submission.SubmissionBlocked):
        workflow.transition(done, "submit", by=author, confirmed=True)


def test_on_a_wording_without_direct_age_discrimination_apart_the_rule_cannot_tell_and_stays_out(db):
    """A form whose "direct discrimination" covers age too (an earlier wording of version 2): a
    justification lets the proposal go ahead, as before, since the age case can be justified."""
    from dataclasses import replace

    from eia.assessments.stop_rule import going_ahead_problem

    author = make_user(Role.AUTHOR)
    section = make_eia(author=author).form.section("outcome")
    older_kinds = [
        replace(q, choices={k: v for k, v in q.choices.items() if k != "direct_age"})
        if q.key == "discrimination_types"
        else q
        for q in section.questions
    ]
    older = replace(section, questions=older_kinds)
    answers = {"unlawful_discrimination": "yes", "discrimination_types": ["direct"], "outcome": "continue"}
    assert "direct_age" not in older.question("discrimination_types").choices
    assert going_ahead_problem(older, answers) is None
    assert going_ahead_problem(section, answers) is not None


def test_submission_is_refused_while_the_stop_check_blocks(db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    assert submission.submission_problems(eia) == {}
    # Answers saved another way (an import, an older client) are still caught at submission.
    section = eia.section("outcome")
    section.answers = {**section.answers, "unlawful_discrimination": "yes", "outcome": "continue"}
    problems = submission.submission_problems(eia)
    assert "unlawful discrimination" in problems["outcome"]
    assert "Continue despite adverse impact" in problems["outcome"]
    with pytest.raises(submission.SubmissionBlocked):
        workflow.transition(eia, "submit", by=author, confirmed=True)
    section.answers = {**section.answers, "objective_justification": "A legitimate aim, met proportionately."}
    workflow.transition(eia, "submit", by=author, confirmed=True)
    assert eia.state is EiaState.SUBMITTED


def test_the_reviewer_sees_possible_unlawful_discrimination_flagged(client, login_as, db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author), author)
    answers = {
        **eia.answers("outcome"),
        "unlawful_discrimination": "yes",
        "discrimination_types": ["indirect", "arising_from_disability"],
        "objective_justification": "Online forms halve the waiting time; paper and phone stay open.",
    }
    save(eia, "outcome", answers, author)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    login_as(Role.EQUALITIES)
    text = page_text(client.get(f"/eias/{eia.reference}/review"))
    assert (
        "The author says the proposal could lead to unlawful discrimination "
        "(indirect discrimination; discrimination arising from disability)"
    ) in text
    assert "Check the objective justification" in text
    approving = page_text(client.get(f"/eias/{eia.reference}/transitions/approve"))
    assert "The author says the proposal could lead to unlawful discrimination" in approving

    quiet = complete_eia(make_eia(author=author), author)
    workflow.transition(quiet, "submit", by=author, confirmed=True)
    db.session.commit()
    assert "could lead to unlawful discrimination" not in page_text(client.get(f"/eias/{quiet.reference}/review"))


CONSULTATION = {
    "gunning_formative": "not_applicable",
    "gunning_information": "not_applicable",
    "accessible_formats": ["not_applicable"],
}


def test_with_no_consultation_the_author_is_not_made_to_write_not_applicable(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    save(eia, "consultation", {**CONSULTATION, "consultation_duty": "none"}, author)
    assert eia.section("consultation").status is SectionStatus.COMPLETED
    with pytest.raises(ValidationFailed) as caught:
        save(eia, "consultation", {**CONSULTATION, "consultation_duty": "engagement"}, author)
    assert {"who_engaged", "how_and_when", "what_they_said"} <= set(caught.value.fields)
    assert "consultation_weeks" not in caught.value.fields  # informal engagement has no consultation period


def test_a_consultation_says_how_long_people_had_and_how_their_answers_will_be_considered(db):
    # Two of the Gunning principles: adequate time, and conscientious consideration before the decision.
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    consulted = {**STANDARD_ANSWERS["consultation"], "consultation_duty": "statutory"}
    for key in ("consultation_weeks", "gunning_consideration"):
        with pytest.raises(ValidationFailed) as caught:
            save(eia, "consultation", {k: v for k, v in consulted.items() if k != key}, author)
        assert list(caught.value.fields) == [key]
    save(eia, "consultation", consulted, author)


# Guidance and conditional reveal ------------------------------------------------------------------


def test_each_question_shows_its_guidance_and_the_councils_guidance_link(app, client, login_as, db, monkeypatch):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    pages = [client.get(f"/eias/{eia.reference}/sections/about{part}").get_data(as_text=True) for part in ("", "/2")]
    # one for each question of the section, which is asked over two pages
    assert sum(page.count("Help with this question") for page in pages) == 13
    page = pages[0]
    assert "A good answer:</strong> Library opening hours 2026" in page
    assert "council's guidance on equality impact assessments" not in page
    monkeypatch.setitem(app.config, "EIA_GUIDANCE_URL", "https://council.example/eia-guidance")
    page = client.get(f"/eias/{eia.reference}/sections/about").get_data(as_text=True)
    assert 'href="https://council.example/eia-guidance"' in page


def test_follow_up_questions_are_revealed_under_the_answer_that_needs_them(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    page = client.get(section_page(eia, "screening", "full_eia_needed")).get_data(as_text=True)
    reveal = re.search(r'<div class="govuk-radios__conditional[^"]*" id="([^"]+)">(.*?)</div>\s*</div>', page, re.S)
    assert reveal is not None
    assert 'name="not_proportionate_reason"' in reveal.group(2)
    # the "No" radio controls it (GOV.UK's script hides it until chosen; without scripts it shows)
    assert f'value="no" data-aria-controls="{reveal.group(1)}"' in page
    assert page.count('name="not_proportionate_reason"') == 1


def test_an_answer_to_a_hidden_follow_up_is_not_kept(db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author)
    answers = {
        "numbers_affected": "Everyone.",
        "significance": "High.",
        "covenant_functions": ["none"],
        "full_eia_needed": "yes",
        "not_proportionate_reason": "Typed before changing the answer to yes.",
    }
    save(eia, "screening", answers, author)
    assert "not_proportionate_reason" not in eia.answers("screening")


# Version 1 assessments keep every answer ------------------------------------------------------------

V1_EXTRA = {
    "about": {
        "contributors": "Sam Patel, Library Services Manager",
        "scope": "All eight branches",
        "decision_date": date(2099, 3, 1),
    },
    "screening": {"known_inequalities": "Disabled residents visit half as often"},
    "evidence": {"what_people_say": "Fourteen complaints about stairs", "data_gaps": "Ethnicity of borrowers unknown"},
    "consultation": {"how_it_changed": "Two branches keep Tuesday mornings"},
    "impacts": {"intersectional": "Older disabled women most affected", "cumulative": "The Wednesday bus route ended"},
    "armed_forces": {
        "relevant_functions": ["housing_allocations"],
        "regard_obligations": "Postings move families at short notice",
        "regard_disadvantage": "Local connection waived for veterans",
        "regard_special_provision": "Band A for injured veterans",
    },
    "mitigations": {
        "residual_impact": "Some travel further on Wednesdays",
        "residual_justification": "Saving is required",
    },
    "outcome": {"continue_justification": "No less harmful option exists"},
    "action_links": {"action_plan_notes": "Supports action 2.4"},
}


def v1_assessment(db, state: EiaState = EiaState.APPROVED):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, template_version=1), author)
    for key, extra in V1_EXTRA.items():
        answers = {**eia.answers(key), **extra}
        if key == "outcome":
            answers["outcome"] = "continue"
        if key == "impacts":
            eia.section(key).answers = answers  # the impacts page saves these with the directions
        else:
            save(eia, key, answers, author)
    eia.state = state
    db.session.commit()
    return eia, author


def every_answer(eia) -> list[tuple[str, str, str]]:
    from eia.assessments.queries import readable_answers

    found = []
    for section in eia.form.sections:
        texts = readable_answers(section, eia.answers(section.key))
        found += [(section.key, key, text) for key, text in texts.items() if text]
    return found


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_each_saved_answer_of_a_v1_assessment_appears_on_its_pages_in_its_pdf_and_word_document(client, login_as, db):
    eia, _author = v1_assessment(db)
    assert eia.template.version == 1
    answers = every_answer(eia)
    assert len(answers) >= 35  # every question that was answered, optional ones included
    login_as(Role.EQUALITIES)
    pages = {}
    for section in eia.form.sections:
        path = f"/eias/{eia.reference}/sections/{section.key}"
        if section.kind == "impacts":
            path = f"/eias/{eia.reference}/sections/impacts/{ACROSS_GROUPS}"
        response = client.get(path)
        assert response.status_code == 200, path
        pages[section.key] = page_text(response)
    pdf = client.get(f"/eias/{eia.reference}.pdf")
    assert pdf.status_code == 200
    pdf_text = squeeze(
        subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    )
    word = Document(io.BytesIO(client.post(f"/eias/{eia.reference}.docx").data))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    docx_text = squeeze(" ".join([p.text for p in word.paragraphs] + cells))
    missing_on_page = [(s, k) for s, k, text in answers if text not in pages[s]]
    missing_in_pdf = [(s, k) for s, k, text in answers if squeeze(text) not in pdf_text]
    missing_in_docx = [(s, k) for s, k, text in answers if squeeze(text) not in docx_text]
    assert missing_on_page == []
    assert missing_in_pdf == []
    assert missing_in_docx == []


def test_a_v1_assessment_moves_through_review_on_its_own_form(client, login_as, db):
    eia, author = v1_assessment(db, state=EiaState.DRAFT)
    workflow.transition(eia, "submit", by=author, confirmed=True)
    db.session.commit()
    reviewer = login_as(Role.EQUALITIES)
    text = page_text(client.get(f"/eias/{eia.reference}/review"))
    assert "Local connection waived for veterans" in text and "Is this a relevant function" in text
    workflow.transition(eia, "approve", by=reviewer)
    assert eia.state is EiaState.APPROVED and eia.template.version == 1


# The next version moves to v2 -----------------------------------------------------------------------


def test_the_next_version_of_a_v1_assessment_is_on_v2_with_every_answer_whose_key_remains(client, login_as, db):
    eia, author = v1_assessment(db, state=EiaState.SIGNED_OFF)
    following = workflow.reopen(eia, by=author, today=date(2026, 12, 1))
    db.session.commit()
    assert following.template.version == 2
    assert following.answers("about")["scope"] == "All eight branches"
    assert following.answers("about")["started_on"] == "2026-12-01"
    assert following.answers("armed_forces") == {
        "regard_obligations": "Postings move families at short notice",
        "regard_disadvantage": "Local connection waived for veterans",
        "regard_special_provision": "Band A for injured veterans",
    }
    assert following.answers("evidence") == eia.answers("evidence")
    assert following.section("rights") is not None and following.answers("rights") == {}
    assert {i.characteristic_id for i in following.impacts} == {i.characteristic_id for i in eia.impacts}

    sign_in_session(client, author)
    text = page_text(client.get(f"/eias/{following.reference}"))
    assert "New in this version of the form" in text
    assert f"{following.reference} is on version 2 of the form" in text
    assert "Screening : Does the proposal touch any of these functions?" in text
    assert "Human rights and data protection : Could the proposal affect anyone's human rights?" in text
    assert "Title of the proposal" not in text.split("New in this version of the form")[1].split("Sections")[0]


def test_new_questions_lists_by_section_what_the_older_version_did_not_ask():
    old, _ = load_file(SHIPPED_DIR / "standard-v1.yaml")
    new, _ = load_file(SHIPPED_DIR / "standard-v2.yaml")
    found = {item.section_key: item.questions for item in new_questions(old, new)}
    assert found["about"] == ("Summary in plain English",)
    assert "rights" in found and "local_duties" in found
    assert "action_links" not in found


# The register's wording ---------------------------------------------------------------------------


def test_the_register_names_the_bereaved_and_says_marriage_is_about_employment(db):
    words = dict(db.session.execute(select(Characteristic.key, Characteristic.description)).all())
    assert "the bereaved" in words["armed_forces"]
    assert "only in employment" in words["marriage_civil_partnership"]
    assert "qualifying care leavers" in words["care_experience"]


def test_the_report_counts_the_covenant_functions_asked_in_screening_on_v2(db):
    from datetime import UTC, datetime

    from eia.reports import figures

    author = make_user(Role.AUTHOR)
    on_v1 = complete_eia(make_eia(author=author, template_version=1), author)
    on_v2 = complete_eia(make_eia(author=author), author)
    covered = complete_eia(make_eia(author=author), author)
    covered.section("screening").answers = {**covered.answers("screening"), "covenant_functions": ["school_admissions"]}
    for eia in (on_v1, on_v2, covered):
        eia.state = EiaState.APPROVED
        eia.approved_at = datetime(2031, 6, 1, tzinfo=UTC)
    db.session.commit()
    considered = figures.considered(2031)
    assert (considered.completed, considered.armed_forces, considered.armed_forces_relevant) == (3, 3, 1)


def test_the_api_and_the_list_export_carry_a_v1_assessment_whole(db, api_as, client, login_as):
    eia, _author = v1_assessment(db)
    api = api_as(Role.EQUALITIES)
    shown = api.get(f"/api/v1/eias/{eia.reference}").get_json()
    by_key = {s["key"]: s["answers"] for s in shown["sections"]}
    assert [s["key"] for s in shown["sections"]] == [s.key for s in eia.form.sections]
    for section in eia.sections:
        assert by_key[section.key] == section.answers, section.key
    login_as(Role.EQUALITIES)
    exported = client.post("/eias/export.csv").get_data(as_text=True)
    assert f"{eia.reference},{eia.title}" in exported


def test_a_section_intro_is_paragraphs_and_bulleted_lists():
    definition, _ = load_file(SHIPPED_DIR / "standard-v2.yaml")
    blocks = definition.section("armed_forces").intro_blocks()
    assert [kind for kind, _ in blocks] == ["p", "p", "ul", "p"]
    assert blocks[1] == ("p", ["The people it covers are:"])
    assert blocks[2][1][-1] == "the bereaved: the families of those who died in service"


def test_starting_the_next_version_from_its_page_says_it_moves_to_the_new_form(client, db):
    eia, author = v1_assessment(db, state=EiaState.PUBLISHED)
    sign_in_session(client, author)
    response = client.post(f"/eias/{eia.reference}/reopen", follow_redirects=True)
    text = page_text(response)
    assert f"{eia.reference}-V2 started from {eia.reference}, which stays as it was." in text
    assert "It is on version 2 of the form: its new questions are listed below." in text
    assert "New in this version of the form" in text


def test_the_impacts_page_says_marriage_and_civil_partnership_is_about_employment(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author)
    text = page_text(client.get(f"/eias/{eia.reference}/sections/impacts"))
    assert "Marriage and civil partnership is protected only in employment" in text
    assert "qualifying care leavers" in text


def test_a_v1_draft_shows_the_guidance_version_2_writes_for_the_same_questions(client, login_as, db):
    author = login_as(Role.AUTHOR)
    eia = make_eia(author=author, template_version=1)
    page = client.get(f"/eias/{eia.reference}/sections/screening").get_data(as_text=True)
    assert "Say yes if the change could affect some groups more than others" in html.unescape(page)
    assert "Does the proposal touch any of these functions?" not in page  # a v1 draft keeps its own questions
    impacts = client.get(f"/eias/{eia.reference}/sections/impacts/{ACROSS_GROUPS}").get_data(as_text=True)
    assert "How the proposal avoids treating anyone worse" in impacts
