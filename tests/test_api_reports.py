"""The annual report's figures through the API: a small known data set gives the numbers worked out
by hand, the same as ``figures.build`` and the same as the page; the OpenAPI document describes every
section; years out of range are a 422."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from sqlalchemy import func, select

from eia.accounts.models import Role
from eia.assessments.models import Characteristic, EiaSection, Impact, Mitigation
from eia.assessments.states import Direction, EiaState, MitigationStatus
from eia.auditlog import checkpoints
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from eia.quality import sampling, scoring
from eia.reports import figures
from tests.factories import make_eia, make_plan, make_planned, make_service_area, make_user
from tests.test_report import _row, at

REPORT_READERS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

API_PERMISSIONS = [
    ("GET", "/api/v1/reports/{year}", REPORT_READERS, 403),
]


def _small_year(db):
    """2025/26: one assessment published and one approved (two directorates), one draft; one
    published in 2024/25. Negative impacts with mitigations done, overdue and open; an audit
    in 2025-Q2 with one finding; an audit-log entry in the year; a planned assessment and a plan action it evidences."""
    children = make_service_area("Children's Services")
    fostering = make_service_area("Fostering", parent=children)
    resources = make_service_area("Resources")
    foster_author = make_user(Role.AUTHOR, service_area=fostering)
    resources_author = make_user(Role.AUTHOR, service_area=resources)
    e1 = make_eia(
        author=foster_author,
        title="Foster carer allowances",
        proposal_type="service",
        created_at=at("2025-04-10"),
        state=EiaState.PUBLISHED,
        approved_at=at("2025-05-15"),
        published_at=at("2025-06-01"),
        outcome="adjust",
    )
    e2 = make_eia(
        author=resources_author,
        title="Council tax support",
        proposal_type="budget",
        created_at=at("2025-06-01"),
        state=EiaState.APPROVED,
        approved_at=at("2025-10-01"),
        outcome="continue",
    )
    make_eia(author=resources_author, title="Procurement policy", proposal_type="policy", created_at=at("2025-11-01"))
    make_eia(
        author=resources_author,
        title="Office closures",
        proposal_type="service",
        created_at=at("2024-05-01"),
        state=EiaState.PUBLISHED,
        approved_at=at("2024-06-01"),
        published_at=at("2024-07-01"),
        outcome="stop",
    )
    key = {c.key: c.id for c in db.session.execute(select(Characteristic)).scalars()}

    def mitigation(eia, characteristic: str, due: date, status=MitigationStatus.NOT_STARTED) -> Mitigation:
        return Mitigation(
            eia_id=eia.id,
            characteristic_id=key[characteristic],
            action="Act",
            owner_id=eia.author_id,
            due_on=due,
            status=status,
        )

    db.session.add_all(
        [
            Impact(eia_id=e1.id, characteristic_id=key["age"], direction=Direction.NEGATIVE),
            Impact(eia_id=e1.id, characteristic_id=key["disability"], direction=Direction.NEGATIVE),
            Impact(eia_id=e2.id, characteristic_id=key["age"], direction=Direction.NEGATIVE),
            mitigation(e1, "age", date(2025, 9, 1), MitigationStatus.DONE),
            mitigation(e2, "age", date(2025, 9, 1)),
            mitigation(e2, "age", date(2099, 1, 1), MitigationStatus.DONE),
            mitigation(e1, "disability", date(2099, 1, 1)),
        ]
    )
    section = db.session.execute(
        select(EiaSection).where(EiaSection.eia_id == e1.id, EiaSection.key == "armed_forces")
    ).scalar_one()
    section.answers = {"relevant_functions": ["housing_allocations"]}
    auditor = make_user(Role.EQUALITIES)
    sample = sampling.draw_sample(
        period=sampling.parse_period("2025-Q1"), size="1", exclude_months=0, by=auditor, at=at("2025-07-05")
    )
    rubric = scoring.current_rubric()
    scoring.score_item(
        sample.items[0],
        rubric=rubric,
        scores={c["key"]: (1 if c["key"] == "evidence" else 2) for c in rubric.criteria},
        comments={},
        summary="",
        findings=[{"text": "Name gaps", "criterion": "evidence", "owner_id": e1.author_id, "due_on": date(2025, 9, 1)}],
        by=auditor,
        at=at("2025-07-10"),
    )
    plan = make_plan(organisation="Testshire County Council")
    make_planned(fostering.id, title="Foster carer allowances", start=date(2025, 5, 1), eia=e1)
    from tracker.models import EiaActionLink

    db.session.add(
        EiaActionLink(
            eia_id=e1.id, action_id=plan.priorities[0].actions[0].id, note="Shows it", created_by_id=auditor.id
        )
    )
    # Everything above was logged today; one entry in the year itself (the chain covers the time).
    with mock.patch("eia.auditlog.services.utcnow", return_value=at("2025-08-01")):
        audit.record("report_test_event", by=None)
    db.session.commit()
    return e1, e2, plan


def _numbers(rows: list[dict], *names: str) -> list[tuple]:
    return [tuple(row[name] for name in names) for row in rows]


def test_the_figures_of_a_small_known_year(db, api_as, audit_key):
    e1, e2, plan = _small_year(db)
    checkpoint = checkpoints.make_checkpoint()
    for n in range(2):
        audit.record("test_event", by=None, detail=f"after the checkpoint {n}")
    db.session.commit()
    response = api_as(Role.DECISION_MAKER).get("/api/v1/reports/2025")
    since = db.session.execute(select(func.max(AuditEntry.seq))).scalar_one() - checkpoint.size
    assert response.status_code == 200, response.get_json()
    r = response.get_json()
    assert (r["year"], r["label"], r["council"]) == (2025, "2025/26", "Testshire County Council")
    assert (r["starts_on"], r["ends_on"], r["as_of"]) == ("2025-04-01", "2026-03-31", utcnow().date().isoformat())

    pipeline = ("label", "started", "completed", "published", "publication_rate")
    assert _numbers(r["assessments"]["by_directorate"], *pipeline) == [
        ("Children's Services", 1, 1, 1, 1.0),
        ("Resources", 2, 1, 0, 0.0),
    ]
    assert _numbers([r["assessments"]["total"]], *pipeline) == [("All service areas", 3, 2, 1, 0.5)]
    assert _numbers([r["assessments"]["previous_year"]], *pipeline) == [("2024/25", 1, 1, 1, 1.0)]
    assert _numbers(r["assessments"]["by_type"], *pipeline) == [
        ("Budget proposal", 1, 1, 0, 0.0),
        ("Policy or strategy", 1, 0, 0, None),
        ("Service", 1, 1, 1, 1.0),
    ]
    assert r["assessments"]["programme"] == [
        {
            "service_area": "Children's Services > Fostering",
            "planned": 1,
            "started": 1,
            "completed": 1,
            "published": 1,
            "completion_rate": 1.0,
            "publication_rate": 1.0,
        }
    ]
    assert _numbers(r["outcomes"], "outcome", "assessments") == [
        ("No major change needed", 0),
        ("Adjust the proposal", 1),
        ("Continue despite adverse impact", 1),
        ("Stop and remove the proposal", 0),
    ]
    assert _numbers(r["negative_impacts"], "characteristic", "assessments", "mitigations", "done", "overdue") == [
        ("Age", 2, 3, 2, 1),
        ("Disability", 1, 1, 0, 0),
    ]
    assert r["considered"] == {
        "completed": 2,
        "care_experience": 0,
        "care_experience_negative": 0,
        "armed_forces": 1,
        "armed_forces_relevant": 1,
    }
    quarters = r["quality_audits"]["quarters"]
    assert _numbers(quarters, "label", "start", "end", "samples", "audited", "target", "status") == [
        ("2025-Q1", "2025-04-01", "2025-06-30", 0, 0, 1, "missed"),
        ("2025-Q2", "2025-07-01", "2025-09-30", 1, 1, 1, "met"),
        ("2025-Q3", "2025-10-01", "2025-12-31", 0, 0, 1, "missed"),
        (
            "2025-Q4",
            "2026-01-01",
            "2026-03-31",
            0,
            0,
            1,
            "in progress" if utcnow().date() < date(2026, 4, 1) else "missed",
        ),
    ]
    criteria = {row["key"]: (row["title"], row["average"], row["scored"]) for row in r["quality_audits"]["criteria"]}
    assert len(criteria) == 18 and criteria["evidence"] == ("Evidence, with gaps named", 1.0, 1)
    assert criteria["timeliness"] == ("Timeliness", 2.0, 1)
    assert r["quality_audits"]["common_findings"] == [{"criterion": "Evidence, with gaps named", "findings": 1}]
    priority = r["action_plans"]["priorities"]
    assert _numbers(priority, "plan_id", "priority_ref", "actions", "percent_complete", "overdue") == [
        (plan.id, "PEO 1", 2, 0, 0)
    ]
    assert priority[0]["by_status"] == {"not_started": 2, "on_track": 0, "at_risk": 0, "off_track": 0, "complete": 0}
    assert r["action_plans"]["evidenced"] == [
        {"plan": plan.title, "priority_ref": "PEO 1", "action_ref": "1.1", "assessments": [e1.reference]}
    ]
    # Checked against the latest checkpoint: its own entry and those since, never the whole log.
    assert r["audit_log"]["chain"] == {
        "status": "consistent",
        "intact": True,
        "entries": checkpoint.size + since,
        "checked_entries": since + 1,
        "head_hash": db.session.execute(
            select(AuditEntry.hash).where(AuditEntry.seq == checkpoint.size + since)
        ).scalar(),
        "broken_at": None,
        "problem": None,
    }
    assert since > 0 and r["audit_log"]["chain"]["checked_entries"] < r["audit_log"]["chain"]["entries"]
    assert r["audit_log"]["checkpoint"] == {
        "size": checkpoint.size,
        "head_hash": checkpoint.head_hash,
        "signed_at": checkpoint.signed_at.isoformat(),
        "url": f"http://localhost/register/audit-checkpoints/{checkpoint.id}.txt",
    }
    assert r["audit_log"]["entries_in_year"] == 1
    change = {
        row["measure"]: (row["previous_year"], row["this_year"], row["change"]) for row in r["change_since_last_year"]
    }
    assert change["Assessments started"] == (1, 3, 2)
    assert change["Mitigations raised"] == (0, 4, 4)
    assert change["Assessments audited for quality"] == (0, 1, 1)
    assert r["appendix"] == [
        {
            "reference": e1.reference,
            "title": "Foster carer allowances",
            "service_area": "Children's Services > Fostering",
            "outcome": "Adjust the proposal",
            "published": True,
        },
        {
            "reference": e2.reference,
            "title": "Council tax support",
            "service_area": "Resources",
            "outcome": "Continue despite adverse impact",
            "published": False,
        },
    ]

    # The same as figures.build counts (nothing has been written since the request).
    built = figures.build(2025, utcnow().date())
    assert _numbers(r["assessments"]["by_directorate"], "label", "started", "completed", "published") == [
        (p.label, p.started, p.completed, p.published) for p in built.by_area
    ]
    assert [(row["outcome"], row["assessments"]) for row in r["outcomes"]] == built.outcomes
    assert [(row["measure"], row["previous_year"], row["this_year"]) for row in r["change_since_last_year"]] == [
        tuple(row) for row in built.change
    ]
    assert _numbers(r["appendix"], "reference", "title", "service_area", "outcome", "published") == built.appendix
    assert r["audit_log"]["chain"]["entries"] == built.chain.entries
    assert r["audit_log"]["chain"]["head_hash"] == built.chain.head_hash
    assert r["audit_log"]["entries_in_year"] == built.audit_entries


def test_the_api_and_the_page_show_the_same_figures(db, client, login_as, api_as):
    _small_year(db)
    r = api_as(Role.EQUALITIES).get("/api/v1/reports/2025").get_json()
    login_as(Role.EQUALITIES)
    html = client.get("/reports/2025").get_data(as_text=True)

    def pct(part: int, whole: int) -> str:
        return f"{int(100 * part / whole)}%" if whole else "–"

    for row in [*r["assessments"]["by_directorate"], r["assessments"]["total"]]:
        numbers = [row["started"], row["completed"], row["published"]]
        assert _row(html, "by-area", row["label"]) == [*map(str, numbers), pct(row["published"], row["completed"])]
    for row in r["assessments"]["by_type"]:
        assert _row(html, "by-type", row["label"]) == [
            str(row["started"]),
            str(row["completed"]),
            str(row["published"]),
        ]
    for row in r["outcomes"]:
        assert _row(html, "outcome-table", row["outcome"]) == [str(row["assessments"])]
    for row in r["negative_impacts"]:
        numbers = [row["assessments"], row["mitigations"], row["done"], row["overdue"]]
        assert _row(html, "impact-table", row["characteristic"]) == list(map(str, numbers))
    considered = r["considered"]
    assert _row(html, "considered-table", "Armed Forces Covenant section answered")[0] == str(
        considered["armed_forces"]
    )
    for row in r["quality_audits"]["quarters"]:
        assert _row(html, "quarters-table", row["label"]) == [
            str(row["samples"]),
            str(row["audited"]),
            str(row["moderated"]),
            row["status"].capitalize(),
        ]
    for row in r["quality_audits"]["criteria"]:
        assert _row(html, "criteria-table", row["title"]) == [f"{row['average']:.1f}", str(row["scored"])]
    for row in r["change_since_last_year"]:
        numbers = [row["previous_year"], row["this_year"]]
        assert _row(html, "change-table", row["measure"]) == [*map(str, numbers), f"{row['change']:+d}"]
    for row in r["appendix"]:
        assert _row(html, "appendix-table", row["reference"]) == [
            row["title"],
            row["service_area"],
            row["outcome"],
            "Yes" if row["published"] else "No",
        ]
    programme = r["assessments"]["programme"][0]
    assert _row(html, "programme", programme["service_area"])[:2] == [
        str(programme["planned"]),
        str(programme["completed"]),
    ]


def test_a_year_with_nothing_in_it(db, api_as):
    r = api_as(Role.ADMIN).get("/api/v1/reports/2000").get_json()
    assert r["label"] == "2000/01" and r["assessments"]["by_directorate"] == []
    assert r["assessments"]["total"] == {
        "label": "All service areas",
        "started": 0,
        "completed": 0,
        "published": 0,
        "publication_rate": None,
    }
    assert r["appendix"] == [] and r["negative_impacts"] == [] and r["considered"]["completed"] == 0
    # No checkpoint has been signed: nothing was checked, and the report does not claim the log intact.
    assert r["audit_log"]["checkpoint"] is None
    assert r["audit_log"]["chain"]["status"] == "no_checkpoint" and r["audit_log"]["chain"]["intact"] is None
    assert r["audit_log"]["chain"]["checked_entries"] == 0
    assert [q["status"] for q in r["quality_audits"]["quarters"]] == ["missed"] * 4


@pytest.mark.parametrize("year", ["1999", "2101"])
def test_a_year_out_of_range_is_a_422(db, api_as, year):
    response = api_as(Role.EQUALITIES).get(f"/api/v1/reports/{year}")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["errors"] == {"year": "Give a financial year from 2000 to 2100, like 2025"}


def test_a_year_longer_than_any_id_is_not_found(db, api_as):
    response = api_as(Role.EQUALITIES).get("/api/v1/reports/99999999999999999999")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("year", ["abc", "-1", "2025.5", "9" * 5000])
def test_a_year_that_is_not_a_number_is_a_404(db, api_as, year):
    response = api_as(Role.EQUALITIES).get(f"/api/v1/reports/{year}")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


def test_the_openapi_document_describes_every_section(db, client, api_as):
    _small_year(db)
    r = api_as(Role.EQUALITIES).get("/api/v1/reports/2025").get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def described(name: str, data: dict) -> None:
        properties = schemas[name]["properties"]
        assert set(properties) == set(data), name
        for key, value in data.items():
            ref = properties[key].get("$ref") or properties[key].get("items", {}).get("$ref")
            sample = value[0] if isinstance(value, list) and value else value
            if ref and isinstance(sample, dict):
                described(ref.rsplit("/", 1)[-1], sample)

    operation = spec["paths"]["/api/v1/reports/{year}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    described(ref.rsplit("/", 1)[-1], r)
    assert {"403", "422"} <= set(operation["responses"])


def test_the_due_regard_figures_match_the_page(db, api_as):
    from tests.test_report import _due_regard_year, _known_year

    e1, e2 = _known_year(db)
    _due_regard_year(db, e1, e2)
    r = api_as(Role.EQUALITIES).get("/api/v1/reports/2025").get_json()
    assert r["timeliness"] == [
        {
            "directorate": "Adults and Health",
            "timings": {
                "started": {"on_time": 2, "late": 0, "not_known": 0},
                "review": {"on_time": 1, "late": 0, "not_known": 1},
                "approved": {"on_time": 1, "late": 1, "not_known": 0},
                "decision": {"on_time": 1, "late": 1, "not_known": 0},
            },
        }
    ]
    assert r["screening"]["completed"] == 2 and r["screening"]["screened_out"] == 1
    assert r["screening"]["reasons"] == [
        {
            "reference": e2.reference,
            "title": "Home care charging",
            "directorate": "Adults and Health",
            "reason": "Charges rise by under 1% for 40 people.",
        }
    ]
    assert r["outcomes_by_directorate"] == [
        {"directorate": "Adults and Health", "outcomes": {"adjust": 1, "no_major_change": 1}}
    ]
    assert [(c["reference"], c["what_changed"]) for c in r["changed_decisions"]] == [
        (e1.reference, "The proposal was adjusted; the decision was taken with amendments")
    ]
    assert r["open_at_year_end"] == {
        "as_of": "2026-03-31",
        "directorates": [{"directorate": "Adults and Health", "overdue_reviews": 0, "overdue_mitigations": 1}],
    }
    assert r["evidence_gaps"] == [
        {
            "characteristic": "Disability",
            "assessments": 1,
            "examples": ["Ask the home care provider for figures by disability"],
        }
    ]
    assert r["commentary"] is None
