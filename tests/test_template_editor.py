"""The form template editor: checks by line, versions and usage, comparing, previewing, publishing."""

from __future__ import annotations

import io

import pytest
import yaml
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments import form_templates
from eia.assessments import queries as eia_queries
from eia.assessments.models import FormTemplate, PublishedTemplateError
from eia.assessments.states import EiaKind
from eia.auditlog.models import AuditEntry
from eia.errors import WorkflowError
from forms.checks import check_template, compare_definitions
from forms.definitions import SHIPPED_DIR, parse_definition
from tests.factories import make_eia, make_user

V1_TEXT = (SHIPPED_DIR / "standard-v1.yaml").read_text()


def version(n: int, text: str = V1_TEXT) -> str:
    return text.replace("version: 1\n", f"version: {n}\n", 1)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def v1_definition():
    return parse_definition(yaml.safe_load(V1_TEXT))


def test_the_shipped_templates_pass_the_checker():
    for path in SHIPPED_DIR.glob("*.yaml"):
        assert check_template(path.read_text()).ok, path.name


def test_every_problem_is_named_with_its_line():
    text = version(7)
    text = text.replace("        type: date\n", "        type: calendar\n", 1)  # unknown type
    text = text.replace("  - key: screening\n", "  - key: about\n", 1)  # a section key used twice
    text = text.replace(
        "required_when: {question: outcome, equals: continue}", "required_when: {question: verdict, equals: continue}"
    )
    text = text.replace("      - key: known_data\n", "      - key: known_data\n        key: known_data2\n", 1)
    result = check_template(text, [v1_definition()])
    messages = {p.line: p.message for p in result.problems}
    assert not result.ok and len(result.problems) == 4, result.problems
    assert "unknown type 'calendar'" in messages[line_of(text, "type: calendar")]
    second_about = text.index("  - key: about\n", text.index("  - key: about\n") + 1)
    assert "section key 'about' is used twice (first on line" in messages[text[:second_about].count("\n") + 1]
    assert "required_when names 'verdict'" in messages[line_of(text, "required_when: {question: verdict")]
    assert "'key' is given twice" in messages[line_of(text, "key: known_data2")]


def test_a_key_reused_with_another_meaning_is_refused():
    text = version(2).replace(
        "      - key: decision_date\n        label:", "      - key: decision_date\n        label:", 1
    )
    # decision_date was a date in v1; as a text answer it would misread every saved date.
    start = text.index("- key: decision_date")
    type_at = text.index("type: date", start)
    text = text[:type_at] + "type: text" + text[type_at + len("type: date") :]
    problems = check_template(text, [v1_definition()]).problems
    assert [p.line for p in problems] == [line_of(text, "- key: decision_date")]
    assert "was a date question in version 1 and is a text question here" in problems[0].message
    # A move within the same shape (text to textarea) keeps the meaning.
    assert check_template(version(2).replace("type: text\n", "type: textarea\n", 1), [v1_definition()]).ok


def test_not_yaml_names_its_line():
    problems = check_template("kind: standard\nversion: 3\ntitle: [oops\nsections: []\n").problems
    assert len(problems) == 1 and problems[0].line >= 3 and "not valid YAML" in problems[0].message


def test_compare_lists_changes_by_key():
    data = yaml.safe_load(V1_TEXT)
    data["version"] = 2
    about = data["sections"][0]
    about["questions"] = [q for q in about["questions"] if q["key"] != "scope"]
    about["questions"].append({"key": "budget", "label": "Budget saving", "type": "text"})
    about["questions"][0]["label"] = "Name of the proposal"
    data["sections"].append({"key": "human_rights", "title": "Human rights", "questions": []})
    changes = compare_definitions(v1_definition(), parse_definition(data))
    found = {(c.what, c.section, c.key, c.change) for c in changes}
    assert ("question", "about", "budget", "added") in found
    assert ("question", "about", "scope", "removed") in found
    assert ("question", "about", about["questions"][0]["key"], "changed") in found
    assert ("section", "", "human_rights", "added") in found
    assert len(changes) == 4


def test_compare_names_a_change_to_what_the_author_reads_or_when_a_section_is_needed():
    v2 = (SHIPPED_DIR / "standard-v2.yaml").read_text()
    old = parse_definition(yaml.safe_load(v2))
    data = yaml.safe_load(v2)
    sections = {s["key"]: s for s in data["sections"]}
    sections["armed_forces"]["intro"] += "\nThe people it covers include reservists' families.\n"
    sections["armed_forces"]["needed_when"]["not_in"] = ["none", "healthcare_cooperation"]
    sections["rights"]["title"] = "Human rights"
    screening = {q["key"]: q for q in sections["screening"]["questions"]}
    screening["full_eia_needed"]["guidance"]["covers"] = "Say yes unless nobody is affected."
    screening["not_proportionate_reason"]["show_when"] = {"question": "full_eia_needed", "equals": "yes"}
    screening["numbers_affected"]["max_length"] = 500
    found = {(c.section, c.key): c.detail for c in compare_definitions(old, parse_definition(data))}
    assert found == {
        ("", "armed_forces"): "intro, needed_when",
        ("", "rights"): "title (was 'Human rights and data protection')",
        ("screening", "full_eia_needed"): "guidance",
        ("screening", "not_proportionate_reason"): "show_when",
        ("screening", "numbers_affected"): "max_length",
    }


def test_upload_preview_publish_and_usage(client, login_as, db):
    admin = login_as(Role.ADMIN)
    author = make_user(Role.AUTHOR)
    make_eia(author=author)
    page = client.get("/admin/templates/").get_data(as_text=True)
    assert "Standard v1" in page and "Published" in page

    bad = version(3).replace("        type: date\n", "        type: calendar\n", 1)
    refused = client.post(
        "/admin/templates/upload", data={"file": (io.BytesIO(bad.encode()), "standard-v3.yaml")},
        content_type="multipart/form-data",
    )  # fmt: skip
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and f"Line {line_of(bad, 'type: calendar')}:" in text
    assert "unknown type &#39;calendar&#39;" in text
    assert db.session.execute(select(FormTemplate).where(FormTemplate.version == 3)).scalar_one_or_none() is None

    good = version(3).replace("title: Equality Impact Assessment", "title: Equality Impact Assessment (2027)", 1)
    done = client.post(
        "/admin/templates/upload", data={"file": (io.BytesIO(good.encode()), "standard-v3.yaml")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    v3 = db.session.execute(select(FormTemplate).where(FormTemplate.version == 3)).scalar_one()
    assert not v3.is_published and v3.source_text == good
    assert make_eia(author=author).template.version == 2  # not published yet: still the shipped v2

    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Not published" in shown and "Preview it as an author will see it" in shown
    preview = client.get(f"/admin/templates/{v3.id}/preview").get_data(as_text=True)
    assert "Nothing typed here is saved" in preview and "What changes and why" in preview

    published = client.post(f"/admin/templates/{v3.id}/publish")
    assert published.status_code == 302
    db.session.expire_all()
    assert v3.is_published and v3.published_by_id == admin.id
    assert make_eia(author=author).template.version == 3
    usage = eia_queries.template_usage()
    v2 = db.session.execute(
        select(FormTemplate).where(FormTemplate.version == 2, FormTemplate.kind == EiaKind.STANDARD)
    ).scalar_one()
    assert usage[v2.id] >= 2 and usage[v3.id] == 1
    listing = client.get("/admin/templates/").get_data(as_text=True)
    assert "Standard v3" in listing

    v1 = db.session.execute(
        select(FormTemplate).where(FormTemplate.version == 1, FormTemplate.kind == EiaKind.STANDARD)
    ).scalar_one()
    compare = client.get(f"/admin/templates/compare?from={v1.id}&to={v3.id}").get_data(as_text=True)
    assert "No section or question differs." in compare  # v3 is v1's questions with a new title

    again = client.post(
        "/admin/templates/upload", data={"file": (io.BytesIO(good.encode()), "standard-v3.yaml")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert "already loaded and published, and never changes: number this one 4" in again.get_data(as_text=True)
    actions = set(
        db.session.execute(select(AuditEntry.action).where(AuditEntry.entity_type == "form_template")).scalars()
    )
    assert {"form_template_uploaded", "form_template_published"} <= actions


def test_the_preview_shows_every_section_as_an_author_sees_it(client, login_as, db):
    login_as(Role.ADMIN)
    template = eia_queries.latest_template(EiaKind.STANDARD)
    assert template.version == 2
    page = client.get(f"/admin/templates/{template.id}/preview").get_data(as_text=True)
    # The definitions a section opens with, and the help under each question
    assert "The people it covers are:" in page and "The corporate parenting principles" in page
    assert "Marriage and civil partnership is protected only in employment" in page
    assert "Help with this question" in page
    # the questions of the impacts and mitigations sections, not only of plain ones
    assert 'name="aim_relations"' in page and 'name="monitoring_indicators"' in page
    # a follow-up revealed under the answer that needs it, once
    assert page.count('name="not_proportionate_reason"') == 1 and "govuk-radios__conditional" in page
    # when each is required, in words, a list of conditions included
    assert "Required when &#39;unlawful_discrimination&#39; is &#39;yes&#39; and &#39;outcome&#39; is one of" in page
    assert "Needed when screening: &#39;covenant_functions&#39; is answered other than none" in page
    # a form that saves nothing: no sign of the author's controls
    with_questions = [s for s in template.form.sections if s.questions]
    assert page.count('<form novalidate action="#section-') == len(with_questions) == len(template.form.sections)
    assert "Have you completed this section?" not in page


def test_a_published_version_never_changes(db):
    template = eia_queries.latest_template(EiaKind.STANDARD)
    template.title = "Changed"
    with pytest.raises(PublishedTemplateError):
        db.session.flush()
    db.session.rollback()
    admin = make_user(Role.ADMIN)
    draft = form_templates.upload_template(version(5), "v5.yaml", by=admin)
    draft.title = "Still a draft: may change"
    db.session.flush()
    form_templates.publish_template(draft, by=admin)
    db.session.flush()
    with pytest.raises(WorkflowError):
        form_templates.publish_template(draft, by=admin)
    with pytest.raises(form_templates.TemplateProblems) as raised:
        form_templates.upload_template(version(4), "v4.yaml", by=admin)
    assert "older than the published version 5" in str(raised.value.problems[0])


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.EQUALITIES, Role.DECISION_MAKER])
def test_only_admins_upload_or_publish(client, login_as, db, role):
    login_as(role)
    template = eia_queries.latest_template(EiaKind.STANDARD)
    assert client.get("/admin/templates/upload").status_code == 403
    assert client.post(f"/admin/templates/{template.id}/publish").status_code == 403
    listing = client.get("/admin/templates/").status_code
    assert listing == (200 if role is Role.EQUALITIES else 403)


def test_the_forms_load_command_names_problems_by_line(app, db, tmp_path):
    path = tmp_path / "standard-v9.yaml"
    bad = version(9).replace("        type: date\n", "        type: calendar\n", 1)
    path.write_text(bad)
    result = app.test_cli_runner().invoke(args=["forms", "load", str(path)])
    assert result.exit_code == 1 and f"Line {line_of(bad, 'type: calendar')}: " in result.output


def test_every_condition_of_a_list_and_show_when_must_name_a_question_of_the_section():
    text = version(8).replace(
        "required_when: {question: outcome, equals: continue}",
        "required_when: [{question: outcome, equals: continue}, {question: ruling, equals: 'yes'}]\n"
        "        show_when: {question: verdict, equals: 'yes'}",
    )
    messages = [str(p) for p in check_template(text, [v1_definition()]).problems]
    assert any("required_when names 'ruling'" in m for m in messages)
    assert any("show_when names 'verdict'" in m for m in messages)
    assert not any("names 'outcome'" in m for m in messages)


def test_a_follow_up_must_hang_on_one_choice_of_a_radios_question():
    """Follow-ups are revealed under the answer that needs them, so a template may not hide one behind
    a checkbox answer or a list of choices, where it could not be revealed."""
    v2 = (SHIPPED_DIR / "standard-v2.yaml").read_text().replace("version: 2\n", "version: 3\n", 1)
    shown = 'show_when: {question: full_eia_needed, equals: "no"}'
    assert shown in v2 and check_template(v2).ok
    for bad in (
        'show_when: {question: covenant_functions, equals: "none"}',  # a checkboxes question
        'show_when: {question: full_eia_needed, in: ["no"]}',  # not one choice
    ):
        text = v2.replace(shown, bad, 1)
        problems = check_template(text).problems
        assert [p.line for p in problems] == [line_of(text, bad)], problems
        assert "show_when must name a radios or yes/no question and one of its choices" in str(problems[0])
