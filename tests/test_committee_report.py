"""For the committee report: the "Equality implications" paragraph on an approved assessment, the
Word (DOCX) download read back with python-docx, and the PDF with the decision and the paragraph."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from eia.accounts.models import Role
from eia.assessments import committee, decisions, mitigations, services, workflow
from eia.assessments.states import EiaKind, EiaState
from tests.conftest import sign_in_session
from tests.factories import complete_eia, make_eia, make_user


def _approved(db, residual: bool = True):
    author = make_user(Role.AUTHOR, name="Sam Patel")
    eia = complete_eia(make_eia(author=author, title="Library opening hours"), author, negative=("age", "disability"))
    if residual:
        section = eia.section("mitigations")
        services.save_section(
            eia,
            "mitigations",
            dict(section.answers)
            | {
                "residual_impact": "Some older borrowers will have fewer weekday evenings.",
                "residual_justification": "Mornings, Saturdays and the home library service remain.",
            },
            completed=True,
            expected_version=section.version,
            by=author,
        )
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    decisions.save_decision(
        eia,
        {
            "deciding_body": "committee",
            "body_name": "Communities Scrutiny Committee",
            "planned_on": date(2099, 3, 12),
            "report_reference": "Library service changes 2026",
        },
        expected_version=0,
        by=author,
    )
    db.session.commit()
    return author, eia


def test_the_paragraph_names_the_impacts_mitigations_residual_outcome_and_the_duty(db):
    _author, eia = _approved(db)
    text = committee.equality_implications(eia)
    assert text.startswith(f"An equality impact assessment ({eia.reference}, version 1) has been carried out")
    assert "It found adverse impacts on age and disability. Age (medium severity): Effect on age: fewer" in text
    assert "Disability (medium severity): Effect on disability: fewer weekday hours." in text
    assert "The steps the council will take to reduce them: keep Tuesday and Thursday mornings" in text
    assert "(for age)" in text
    assert "The impact that remains after these mitigations: Some older borrowers" in text
    assert "It is considered acceptable because mornings, Saturdays and the home library service remain." in text
    assert "The outcome of the assessment is: adjust the proposal." in text
    assert text.endswith("(the Public Sector Equality Duty, section 149 of the Equality Act 2010).")


def test_the_assessment_page_offers_the_paragraph_only_once_approved(client, db):
    author, eia = _approved(db)
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "For the committee report" in page and 'id="equality-implications-text"' in page
    assert "An equality impact assessment" in page and "section 149 of the Equality Act 2010" in page
    # The copy button waits, hidden, for the script; the text is there to select without it.
    assert 'data-copy-from="equality-implications-text"' in page and "hidden>Copy the paragraph" in page
    assert f'action="/eias/{eia.reference}.docx"' in page
    draft = make_eia(author=author, title="Still a draft")
    assert "For the committee report" not in client.get(f"/eias/{draft.reference}").get_data(as_text=True)


def test_the_word_document_has_headings_tables_with_header_rows_a_title_and_a_language(client, db):
    author, eia = _approved(db)
    sign_in_session(client, author)
    response = client.post(f"/eias/{eia.reference}.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{eia.reference}.docx"'
    document = docx.Document(io.BytesIO(response.data))
    assert document.core_properties.title == f"{eia.reference}: Library opening hours"
    assert document.core_properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "en-GB"

    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Library opening hours")
    assert ("Heading 1", "Equality implications") in headings
    assert ("Heading 1", "The decision it informs") in headings
    for section in eia.form.sections:
        assert ("Heading 1", section.title) in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert committee.equality_implications(eia) in text
    assert "Summary of the outcome: Hours adjusted to keep mornings" in text

    tables = {t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")): t for t in document.tables}
    impacts = tables["Impact on each characteristic"]
    assert [c.text for c in impacts.rows[0].cells] == ["Characteristic", "Impact", "Effect on people"]
    assert impacts.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    age = next(r for r in impacts.rows if r.cells[0].text == "Age")
    assert age.cells[1].text == "Negative (medium)" and "fewer weekday hours" in age.cells[2].text
    assert len(impacts.rows) == 1 + len(eia.impacts)
    mitigations = tables["Mitigations"]
    assert len(mitigations.rows) == 1 + len(eia.mitigations)
    assert mitigations.rows[1].cells[2].text == "Sam Patel"
    record = {r.cells[0].text: r.cells[1].text for r in tables["The decision record"].rows[1:]}
    assert record["Decided by"] == "A committee: Communities Scrutiny Committee"
    assert record["Decision due"] == "12 March 2099" and record["Decision"] == "Not taken yet"


def test_the_word_document_is_only_for_people_who_see_the_assessment(client, login_as, db):
    _author, eia = _approved(db)
    login_as(Role.AUTHOR)  # in another service area
    assert client.post(f"/eias/{eia.reference}.docx").status_code == 403
    assert client.get(f"/eias/{eia.reference}.docx").status_code in (404, 405)  # a POST only


def test_the_pdf_gains_the_decision_record_and_the_paragraph(client, db, tmp_path):
    author, eia = _approved(db)
    sign_in_session(client, author)
    response = client.get(f"/eias/{eia.reference}.pdf")
    assert response.status_code == 200
    path = tmp_path / "eia.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Equality implications" in flat and "section 149 of the Equality Act 2010" in flat
    assert "The decision it informs" in flat and "Communities Scrutiny Committee" in flat
    assert "Timings of due regard" in flat
    assert EiaState.APPROVED.label in flat


def test_the_paragraph_does_not_speak_of_reducing_adverse_impacts_it_did_not_find(db):
    author = make_user(Role.AUTHOR)
    eia = complete_eia(make_eia(author=author, title="Library opening hours"), author, negative=())
    mitigations.add_mitigation(
        eia,
        {
            "characteristic_id": None,
            "action": "Publish the new hours at every branch a month ahead.",
            "owner_id": author.id,
            "due_on": date(2099, 6, 30),
            "status": "not_started",
            "measure": "",
        },
        by=author,
    )
    text = committee.equality_implications(eia)
    assert "It found no adverse impact" in text and "to reduce them" not in text
    assert "Other steps the council will take: publish the new hours at every branch a month ahead." in text


def test_an_individual_action_has_no_paragraph_for_a_committee_and_no_word_document(client, db):
    author = make_user(Role.AUTHOR)
    eia = make_eia(author=author, kind=EiaKind.INDIVIDUAL, title="Restructure of the post room")
    complete_eia(eia, author, negative=("disability",))
    workflow.transition(eia, "submit", by=author, confirmed=True)
    workflow.transition(eia, "approve", by=make_user(Role.EQUALITIES))
    db.session.commit()
    assert not committee.has_implications(eia)
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    assert "For the committee report" not in page and "members must have due regard" not in page
    assert f'action="/eias/{eia.reference}.docx"' not in page
    refused = client.post(f"/eias/{eia.reference}.docx")
    assert refused.status_code == 404
    assert "an individual action: it goes to no committee" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("record", "who"),
    [
        (
            {"deciding_body": "officer", "body_name": "Director of Culture"},
            "In making this decision under delegated powers, the decision maker (Director of Culture) must have "
            "due regard",
        ),
        (
            {"deciding_body": "committee", "body_name": "Communities Scrutiny Committee"},
            "In making this decision, members of the Communities Scrutiny Committee must have due regard",
        ),
        ({"deciding_body": "council"}, "In making this decision, members of the council must have due regard"),
        (
            {"deciding_body": "cabinet"},
            "In making this decision, Cabinet or the executive member taking it must have due regard",
        ),
        ({}, "In making this decision, the decision maker must have due regard"),
    ],
)
def test_the_duty_is_put_to_whoever_takes_the_decision(client, db, record, who):
    author, eia = _approved(db)
    decisions.save_decision(
        eia, {"deciding_body": None, "body_name": "", **record}, expected_version=eia.decision.version, by=author
    )
    text = committee.equality_implications(eia)
    assert f"{who} to the need to eliminate unlawful discrimination" in text
    assert text.endswith("(the Public Sector Equality Duty, section 149 of the Equality Act 2010).")
    db.session.commit()
    sign_in_session(client, author)
    page = client.get(f"/eias/{eia.reference}").get_data(as_text=True)
    if record.get("deciding_body") == "officer":
        assert "members" not in text
        assert "For the officer decision record" in page and "For the committee report" not in page
    else:
        assert "For the committee report" in page
