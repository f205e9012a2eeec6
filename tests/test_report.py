"""The annual EIA report: a known data set, every figure checked in the page and in the PDF's text."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from eia.accounts.models import Role
from eia.assessments.models import Characteristic, DecisionRecord, EiaSection, Impact, Mitigation
from eia.assessments.states import DecisionOutcome, Direction, EiaState, MitigationStatus
from eia.auditlog import checkpoints
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.quality import sampling, scoring
from eia.reports import figures
from eia.template_filters import format_uk_datetime
from tests.factories import make_eia, make_plan, make_service_area, make_user


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _known_year(db):
    """Two assessments completed in 2025/26 (one published), one started and still a draft, one
    completed in 2024/25; impacts, mitigations, the Armed Forces section, an audit and a plan link."""
    a = make_service_area("Adults and Health")
    a1 = make_service_area("Care Management", parent=a)
    b = make_service_area("Place")
    author_a, author_b = make_user(Role.AUTHOR, service_area=a1), make_user(Role.AUTHOR, service_area=b)
    e1 = make_eia(
        author=author_a,
        title="Day centre transport",
        proposal_type="service",
        created_at=at("2025-05-01"),
        state=EiaState.PUBLISHED,
        approved_at=at("2025-06-01"),
        published_at=at("2025-07-01"),
        outcome="adjust",
    )
    e2 = make_eia(
        author=author_a,
        title="Home care charging",
        proposal_type="budget",
        created_at=at("2025-05-02"),
        state=EiaState.APPROVED,
        approved_at=at("2025-08-01"),
        outcome="no_major_change",
    )
    make_eia(author=author_b, title="Street lighting", proposal_type="policy", created_at=at("2025-09-01"))
    make_eia(
        author=author_b,
        title="Parks byelaws",
        proposal_type="policy",
        created_at=at("2024-06-01"),
        state=EiaState.PUBLISHED,
        approved_at=at("2024-07-01"),
        published_at=at("2024-08-01"),
        outcome="stop",
    )
    key = {c.key: c.id for c in db.session.execute(select(Characteristic)).scalars()}
    db.session.add_all(
        [
            Impact(eia_id=e1.id, characteristic_id=key["age"], direction=Direction.NEGATIVE),
            Impact(eia_id=e1.id, characteristic_id=key["care_experience"], direction=Direction.NEGATIVE),
            Impact(eia_id=e2.id, characteristic_id=key["age"], direction=Direction.NEGATIVE),
            Impact(eia_id=e2.id, characteristic_id=key["care_experience"], direction=Direction.NEUTRAL),
            Mitigation(eia_id=e1.id, characteristic_id=key["age"], action="Door-to-door service", owner_id=author_a.id,
                       due_on=date(2025, 9, 1), status=MitigationStatus.DONE),
            Mitigation(eia_id=e2.id, characteristic_id=key["age"], action="Cap charges", owner_id=author_a.id,
                       due_on=date(2025, 9, 1)),
            Mitigation(eia_id=e1.id, characteristic_id=key["care_experience"], action="Care leaver passes",
                       owner_id=author_a.id, due_on=date(2099, 1, 1)),
        ]
    )  # fmt: skip
    for eia, functions in ((e1, ["housing_allocations"]), (e2, ["none"])):
        section = db.session.execute(
            select(EiaSection).where(EiaSection.eia_id == eia.id, EiaSection.key == "armed_forces")
        ).scalar_one()
        section.answers = {"relevant_functions": functions}
    auditor = make_user(Role.EQUALITIES)
    sample = sampling.draw_sample(
        period=sampling.parse_period("2025-Q1"), size="1", exclude_months=0, by=auditor, at=at("2025-07-05")
    )
    rubric = scoring.current_rubric()
    scoring.score_item(
        sample.items[0],
        rubric=rubric,
        scores={c["key"]: (0 if c["key"] == "engagement" else 2) for c in rubric.criteria},
        comments={},
        summary="",
        findings=[{"text": "Engage", "criterion": "engagement", "owner_id": author_a.id, "due_on": date(2025, 9, 1)}],
        by=auditor,
        at=at("2025-07-10"),
    )
    plan = make_plan(organisation="Testshire County Council")
    from tracker.models import EiaActionLink

    db.session.add(
        EiaActionLink(
            eia_id=e1.id, action_id=plan.priorities[0].actions[0].id, note="Evidence", created_by_id=author_a.id
        )
    )
    db.session.commit()
    return e1, e2


EXPECTED_ROWS = [
    # (table id, row label, numbers in order)
    ("by-area", "Adults and Health", ["2", "2", "1", "50%"]),
    ("by-area", "Place", ["1", "0", "0", "–"]),
    ("by-area", "All service areas", ["3", "2", "1", "50%"]),
    ("by-type", "Budget proposal", ["1", "1", "0"]),
    ("by-type", "Policy or strategy", ["1", "0", "0"]),
    ("by-type", "Service", ["1", "1", "1"]),
    ("outcome-table", "No major change needed", ["1"]),
    ("outcome-table", "Adjust the proposal", ["1"]),
    ("outcome-table", "Stop and remove the proposal", ["0"]),
    ("impact-table", "Age", ["2", "2", "1", "1"]),
    ("impact-table", "Care experience", ["1", "1", "0", "0"]),
    ("considered-table", "Impact on care-experienced people assessed", ["2", "100%"]),
    ("considered-table", "… of which a negative impact was found", ["1", "50%"]),
    ("considered-table", "Armed Forces Covenant section answered", ["2", "100%"]),
    ("considered-table", "… for a function the covenant duty covers", ["1", "50%"]),
    ("quarters-table", "2025-Q2", ["1", "1", "0", "Met"]),
    ("quarters-table", "2025-Q1", ["0", "0", "0", "Missed"]),
    ("criteria-table", "Engagement on equality impacts", ["0.0", "1"]),
    ("criteria-table", "Timeliness", ["2.0", "1"]),
    ("findings-table", "Engagement on equality impacts", ["1"]),
    ("change-table", "Assessments started", ["1", "3", "+2"]),
    ("change-table", "Assessments completed", ["1", "2", "+1"]),
    ("change-table", "Assessments published", ["1", "1", "+0"]),
    ("change-table", "Negative impacts found (assessment × characteristic)", ["0", "3", "+3"]),
    ("change-table", "Mitigations raised", ["0", "3", "+3"]),
    ("change-table", "Care experience assessed", ["0", "2", "+2"]),
    ("change-table", "Armed Forces Covenant section answered", ["0", "2", "+2"]),
    ("change-table", "Assessments audited for quality", ["0", "1", "+1"]),
    # Due regard (with _due_regard_year's decisions, screening and unknown impact)
    ("timeliness-started", "Adults and Health", ["2", "0", "0"]),
    ("timeliness-review", "Adults and Health", ["1", "0", "1"]),
    ("timeliness-approved", "Adults and Health", ["1", "1", "0"]),
    ("timeliness-decision", "All directorates", ["1", "1", "0"]),
    ("screening-by-type", "Budget proposal", ["1", "1"]),
    ("screening-by-type", "Service", ["1", "0"]),
    ("screening-by-directorate", "Adults and Health", ["2", "1"]),
    ("outcomes-by-directorate", "Adults and Health", ["1", "1", "0", "0"]),
    ("open-table", "Adults and Health", ["0", "1"]),
    ("gaps-table", "Disability", ["1", "Ask the home care provider for figures by disability"]),
]


def _due_regard_year(db, e1, e2):
    """Decisions for both: e1 on time and amended; e2 decided before it was approved, screened out,
    with an impact on disabled people not known."""
    e1.submitted_at, e1.signed_off_at = at("2025-05-20"), at("2025-06-10")
    e1.decision = DecisionRecord(
        planned_on=date(2025, 6, 15), taken_on=date(2025, 6, 20), outcome=DecisionOutcome.AMENDED
    )
    e2.decision = DecisionRecord(
        planned_on=date(2025, 7, 15), taken_on=date(2025, 7, 20), outcome=DecisionOutcome.AS_PROPOSED
    )
    e2.closed_at_screening = True
    key = {c.key: c.id for c in db.session.execute(select(Characteristic)).scalars()}
    db.session.add(
        Impact(
            eia_id=e2.id,
            characteristic_id=key["disability"],
            direction=Direction.NOT_KNOWN,
            finding_out="Ask the home care provider for figures by disability",
        )
    )
    for eia, section, answers in (
        (
            e2,
            "screening",
            {"full_eia_needed": "no", "not_proportionate_reason": "Charges rise by under 1% for 40 people."},
        ),
        (e1, "outcome", {"summary": "Transport to day centres moves to a booked minibus."}),
        (e1, "consultation", {"how_it_changed": "Pick-ups before 9am were kept."}),
    ):
        db.session.execute(
            select(EiaSection).where(EiaSection.eia_id == eia.id, EiaSection.key == section)
        ).scalar_one().answers = answers
    db.session.commit()


def _between(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def _row(html: str, table_id: str, label: str) -> list[str]:
    start = html.index(f'id="{table_id}"')
    table = html[start : html.index("</table>", start)]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in {table_id}")


def test_every_figure_in_the_page_and_the_pdf(client, login_as, db, tmp_path, audit_key):
    e1, e2 = _known_year(db)
    _due_regard_year(db, e1, e2)
    checkpoint = checkpoints.make_checkpoint()
    for n in range(2):
        audit.record("test_event", by=None, detail=f"after the checkpoint {n}")
    db.session.commit()
    login_as(Role.DECISION_MAKER)
    newest = db.session.execute(select(func.max(AuditEntry.seq))).scalar_one()
    assert newest > checkpoint.size
    html = client.get("/reports/2025").get_data(as_text=True)
    assert "Annual EIA report 2025/26" in html
    for table_id, label, numbers in EXPECTED_ROWS:
        assert _row(html, table_id, label) == numbers, (table_id, label)
    assert "In 2025/26, 3 assessments were started, 2 completed and 1 published (publication rate 50%)" in html
    assert "In 2024/25: 1 started, 1 completed, 1 published." in html
    assert _row(html, "appendix-table", e1.reference) == [
        "Day centre transport",
        "Adults and Health > Care Management",
        "Adjust the proposal",
        "Yes",
    ]
    assert _row(html, "appendix-table", e2.reference)[-2:] == ["No major change needed", "No"]
    assert ">2 completed assessments</caption>" in html
    assert "Of 2 assessments completed in 2025/26, 1 was screened out" in html
    assert "Charges rise by under 1% for 40 people." in _between(html, 'id="screening-reasons"', "</ul>")
    case = _between(html, f'id="case-{e1.reference}"', "</div>")
    assert "The proposal was adjusted; the decision was taken with amendments." in case
    assert "Transport to day centres moves to a booked minibus." in case and "Pick-ups before 9am were kept." in case
    assert f'id="case-{e2.reference}"' not in html
    checked = (
        f"The audit log still holds its latest signed checkpoint, of {checkpoint.size:,} entries signed on "
        f"{format_uk_datetime(checkpoint.signed_at)}, and the {newest - checkpoint.size} entries added since then "
        f"link up and match their hashes ({newest:,} entries in all)."
    )
    assert checked in html
    assert (
        "PEO 1 1.1" in html
        and e1.reference in _row(html, "evidenced-table", "Equality Strategy Action Plan 2020 - 2022")[-1]
    )
    # Charts: SVG with a title and a description, one bar per row of their table.
    chart = html[html.index('id="chart-outcomes"') : html.index("</svg>", html.index('id="chart-outcomes"'))]
    assert '<title id="chart-outcomes-title">Outcomes of the assessments completed in 2025/26</title>' in chart
    assert chart.count("<rect") == 4

    response = client.get("/reports/2025.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for table_id, label, numbers in EXPECTED_ROWS:
        if table_id == "outcomes-by-directorate":  # five columns: the directorate's name wraps around its numbers
            label = "Adults and"
        assert re.search(re.escape(label) + r"\s+" + r"\s+".join(re.escape(n) for n in numbers), text), (label, numbers)
    assert "Page 1 of" in text and "Contents" in text and e1.reference in text
    assert checked in " ".join(text.split())
    # Reading order: the sections come in the order of the contents.
    plain = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    positions = [
        plain.index(h, plain.index("Appendix B: the audit log") + 1)
        for h in (
            "1. Assessments planned",
            "2. Due regard",
            "4. Outcomes",
            "5. Negative impacts",
            "Appendix B: the audit log",
        )
    ]
    assert positions == sorted(positions)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Title:           Annual EIA report 2025/26 – Testshire County Council" in info
    assert "Author:          Testshire County Council" in info and "Tagged:          yes" in info
    # The second download comes from the cache: nothing changed.
    assert client.get("/reports/2025.pdf").data == response.data


def test_without_a_checkpoint_the_report_claims_nothing_about_the_log(client, login_as, db):
    login_as(Role.EQUALITIES)
    html = client.get("/reports/2025").get_data(as_text=True)
    assert "No signed checkpoint of the audit log has been made yet, so there is nothing to check it against." in html
    assert "intact" not in html


def test_a_new_checkpoint_renders_the_pdf_again(client, login_as, db, audit_key):
    """The PDF shows the latest checkpoint, so a new one is a reason to render it again."""
    login_as(Role.EQUALITIES)
    first = client.get("/reports/2025.pdf").data
    assert client.get("/reports/2025.pdf").data == first
    checkpoints.make_checkpoint()
    db.session.commit()
    assert client.get("/reports/2025.pdf").data != first


def test_the_report_is_for_the_equalities_team_and_slt_only(client, login_as, db):
    login_as(Role.AUTHOR)
    assert client.get("/reports/2025").status_code == 403
    login_as(Role.EQUALITIES)
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/?year=abc").status_code == 400
    assert client.get("/reports/1999").status_code == 302


def test_figures_are_counted_by_the_database(db, count_queries):
    _known_year(db)
    with count_queries() as few:
        figures.pipeline_by_service_area(2025)
        figures.negative_impacts(2025, date(2026, 1, 1))
        figures.considered(2025)
    for n in range(20):
        make_eia(title=f"More {n}", created_at=at("2025-06-01"))
    with count_queries() as many:
        figures.pipeline_by_service_area(2025)
        figures.negative_impacts(2025, date(2026, 1, 1))
        figures.considered(2025)
    assert many.count == few.count


def test_the_report_command_writes_the_pdf(app, db, tmp_path):
    _known_year(db)
    out = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(args=["report", "--year", "2025", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output and out.read_bytes().startswith(b"%PDF")
    bad = app.test_cli_runner().invoke(args=["report", "--year", "2025", "--out", str(tmp_path / "missing" / "r.pdf")])
    assert bad.exit_code == 1 and "cannot write" in bad.output


def test_individual_actions_are_counted_but_never_named(client, login_as, db):
    from eia.assessments.states import EiaKind

    author = make_user(Role.AUTHOR)
    secret = make_eia(
        author=author,
        kind=EiaKind.INDIVIDUAL,
        title="Post room restructure: grade 3 posts",
        created_at=at("2025-05-01"),
        state=EiaState.APPROVED,
        approved_at=at("2025-06-01"),
    )
    login_as(Role.DECISION_MAKER)
    html = client.get("/reports/2025").get_data(as_text=True)
    assert secret.reference not in html and "Post room restructure" not in html
    assert "Individual-action assessments (HR and legal) completed in 2025/26: 1." in html


def test_the_equalities_team_writes_the_commentary_at_the_front_of_the_report(client, login_as, db, tmp_path):
    writer = login_as(Role.EQUALITIES)
    page = client.get("/reports/2025").get_data(as_text=True)
    assert "has not written its commentary for 2025/26 yet" in page and "Write the commentary" in page
    form = client.get("/reports/2025/commentary").get_data(as_text=True)
    assert 'name="version" type="hidden" value="0"' in form
    first = "Fewer assessments were late than last year.\n\nRecommendation: start budget assessments by September."
    response = client.post("/reports/2025/commentary", data={"body": first, "version": "0"})
    assert response.status_code == 302 and response.location.endswith("/reports/2025#commentary")
    page = client.get("/reports/2025").get_data(as_text=True)
    front = page[page.index('id="commentary"') : page.index('id="assessments"')]
    assert "Recommendation: start budget assessments by September." in front
    assert "Version 1," in front and writer.name in front
    # A second version; an edit from the first version's form is a conflict that keeps what was typed.
    assert client.post("/reports/2025/commentary", data={"body": first + " Second.", "version": "1"}).status_code == 302
    clash = client.post("/reports/2025/commentary", data={"body": "Typed from an old page", "version": "1"})
    assert clash.status_code == 409 and "Typed from an old page" in clash.get_data(as_text=True)
    entries = (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "year_text_saved").order_by(AuditEntry.seq))
        .scalars()
        .all()
    )
    assert [e.changes["body"][0] for e in entries] == [None, first]
    # Too long: a clear message and the text kept.
    long = client.post("/reports/2025/commentary", data={"body": "x" * 20_001, "version": "2"})
    assert long.status_code == 200 and "Write 20,000 characters or fewer" in long.get_data(as_text=True)
    # The PDF has it first, after the contents.
    login_as(Role.DECISION_MAKER)
    path = tmp_path / "report.pdf"
    path.write_bytes(client.get("/reports/2025.pdf").data)
    plain = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    after_contents = plain.index("The equalities team's commentary and recommendations")
    assert plain.index("start budget assessments by September", after_contents) < plain.index(
        "1. Assessments planned", after_contents
    )
    # The decision maker reads it but does not write it.
    page = client.get("/reports/2025").get_data(as_text=True)
    assert (
        "Recommendation: start budget assessments by September." in page
        and "the commentary and recommendations</a>" not in page
    )
    assert client.get("/reports/2025/commentary").status_code == 403
    assert client.post("/reports/2025/commentary", data={"body": "No", "version": "2"}).status_code == 403


def test_the_report_page_is_counted_once_for_each_change_of_the_data(app, client, login_as, db, count_queries):
    from eia import page_cache

    app.config["EIA_PAGE_CACHE"] = True
    page_cache.clear()
    try:
        login_as(Role.EQUALITIES)
        first = client.get("/reports/2025").get_data(as_text=True)
        with count_queries() as counter:
            again = client.get("/reports/2025").get_data(as_text=True)
        assert again == first and counter.count <= 3  # the person, the data version
        eia = make_eia(title="Counted after the change")
        eia.state, eia.approved_at = EiaState.APPROVED, at("2025-06-01")
        audit.record("eia_approved", eia, by=None)
        db.session.commit()
        with count_queries() as counter:
            changed = client.get("/reports/2025").get_data(as_text=True)
        assert counter.count > 10 and changed != first
    finally:
        app.config["EIA_PAGE_CACHE"] = False
        page_cache.clear()


def test_a_commentary_for_a_year_out_of_range_is_refused_and_nothing_saved(client, login_as, db):
    login_as(Role.EQUALITIES)
    response = client.post("/reports/1066/commentary", data={"body": "Hastings", "version": "0"})
    assert response.status_code == 302 and response.location.endswith("/reports/")
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "year_text_saved")).first() is None


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (2, 3, "67%"),
        (3, 8, "38%"),
        (1, 8, "13%"),
        (7, 8, "88%"),
        (1, 2, "50%"),
        (0, 5, "0%"),
        (4, 4, "100%"),
        (1, 0, "–"),
    ],
)
def test_rates_are_rounded_as_a_person_would_not_cut_off(app, part, whole, shown):
    from flask import render_template_string

    with app.test_request_context():
        assert render_template_string("{{ pct(part, whole) }}", part=part, whole=whole) == shown
