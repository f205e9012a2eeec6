"""Risk-weighted draws (method v2): strata with weights and minimums, stored and reproducible."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.assessments.models import Characteristic, DecisionRecord, Impact
from eia.assessments.states import Direction, EiaState, Severity
from eia.auditlog.models import AuditEntry
from eia.errors import ValidationFailed
from eia.quality import choosing, sampling
from eia.quality.models import Sample
from tests.factories import make_eia, make_service_area, make_user

Q1 = sampling.parse_period("2025-Q1")
# 200 assessments in 4 areas; every tenth a budget proposal, every 25th "continue despite adverse impact".
POPULATION = [
    [
        f"EIA-2025-{n:04d}",
        1 + n % 4,
        [k for k, member in (("budget", n % 10 == 0), ("continue_adverse", n % 25 == 0)) if member],
    ]
    for n in range(1, 201)
]


def flags_of(references):
    by_reference = {reference: flags for reference, _, flags in POPULATION}
    return [by_reference[r] for r in references]


def test_a_weight_leans_the_draw_towards_its_stratum_and_a_minimum_is_met():
    uniform = choosing.choose(POPULATION, 20, per_service_area=False, seed="s", method="v2", strata=[])
    weighted = choosing.choose(
        POPULATION, 20, per_service_area=False, seed="s", method="v2", strata=[{"key": "budget", "weight": 100}]
    )
    assert sum("budget" in f for f in flags_of(weighted)) >= 12 > sum("budget" in f for f in flags_of(uniform))
    at_least = choosing.choose(
        POPULATION, 5, per_service_area=False, seed="s", method="v2", strata=[{"key": "continue_adverse", "minimum": 4}]
    )
    assert len(at_least) == 5 and sum("continue_adverse" in f for f in flags_of(at_least)) >= 4
    # A minimum above the stratum's size takes all of it, and the sample grows past the size asked.
    grown = choosing.choose(
        POPULATION,
        3,
        per_service_area=False,
        seed="s",
        method="v2",
        strata=[{"key": "continue_adverse", "minimum": 50}],
    )
    assert len(grown) == 8 and all("continue_adverse" in f for f in flags_of(grown))
    spread = choosing.choose(POPULATION, 2, per_service_area=True, seed="s", method="v2", strata=[])
    assert len({int(r[-4:]) % 4 for r in spread}) == 4


def test_v2_draws_are_pinned_for_a_fixed_seed():
    drawn = choosing.choose(
        POPULATION,
        6,
        per_service_area=True,
        seed="pinned",
        method="v2",
        strata=[{"key": "budget", "weight": 5, "minimum": 0}, {"key": "continue_adverse", "weight": 1, "minimum": 1}],
    )
    assert drawn == PINNED_V2


PINNED_V2 = ["EIA-2025-0200", "EIA-2025-0153", "EIA-2025-0070", "EIA-2025-0091", "EIA-2025-0100", "EIA-2025-0106"]


def test_strata_are_checked_and_named():
    assert choosing.check_strata([{"key": "key_decision", "minimum": 2}, {"key": "budget", "weight": 3}]) == [
        {"key": "budget", "weight": 3, "minimum": 0},
        {"key": "key_decision", "weight": 1, "minimum": 2},
    ]
    assert choosing.check_strata([{"key": "budget", "weight": 1}]) == []  # changes nothing: left out
    with pytest.raises(ValidationFailed) as raised:
        choosing.check_strata([{"key": "budget", "weight": 0}, {"key": "high_severity", "minimum": 5000}])
    assert raised.value.fields == {
        "weight_budget": "Enter a weight for budget proposals from 1 to 100",
        "minimum_high_severity": "Enter a minimum for any high-severity impact from 0 to 1000",
    }
    with pytest.raises(ValidationFailed):
        choosing.check_strata([{"key": "cheap"}])


def risky_population(db):
    """Ten completed assessments; EIA-2025-0001 to 0004 each in one stratum, the rest in none."""
    area = make_service_area("Housing")
    author = make_user(Role.AUTHOR, service_area=area)
    approved = datetime(2025, 5, 1, tzinfo=UTC)
    eias = [
        make_eia(author=author, reference=f"EIA-2025-{n:04d}", state=EiaState.APPROVED, approved_at=approved)
        for n in range(1, 11)
    ]
    eias[0].proposal_type = "budget"
    eias[1].decision = DecisionRecord(is_key_decision=True)
    eias[2].outcome = "continue"
    age = db.session.execute(select(Characteristic).where(Characteristic.key == "age")).scalar_one()
    db.session.add(Impact(eia=eias[3], characteristic=age, direction=Direction.NEGATIVE, severity=Severity.HIGH))
    db.session.commit()
    return eias


def test_a_risk_weighted_draw_stores_its_strata_and_verifies(app, db):
    risky_population(db)
    equalities = make_user(Role.EQUALITIES)
    sample = sampling.draw_sample(
        period=Q1,
        size="4",
        seed="risky",
        exclude_months=0,
        strata=[{"key": k, "minimum": 1} for k in ("budget", "key_decision", "continue_adverse", "high_severity")],
        by=equalities,
    )
    db.session.commit()
    assert sample.method == "v2"
    assert [s["key"] for s in sample.strata] == ["budget", "key_decision", "continue_adverse", "high_severity"]
    assert sample.population[:5] == [
        ["EIA-2025-0001", sample.population[0][1], ["budget"]],
        ["EIA-2025-0002", sample.population[0][1], ["key_decision"]],
        ["EIA-2025-0003", sample.population[0][1], ["continue_adverse"]],
        ["EIA-2025-0004", sample.population[0][1], ["high_severity"]],
        ["EIA-2025-0005", sample.population[0][1], []],
    ]
    result = sampling.verify_sample(sample)
    assert result.matches, result.problems
    assert sorted(result.stored) == ["EIA-2025-0001", "EIA-2025-0002", "EIA-2025-0003", "EIA-2025-0004"]
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "sample_drawn", AuditEntry.entity_id == str(sample.id))
    ).scalar_one()
    assert entry.changes["method"] == [None, "v2"] and entry.changes["strata"] == [None, sample.strata]

    verified = app.test_cli_runner().invoke(args=["sample", "verify", str(sample.id)])
    assert verified.exit_code == 0 and "matches" in verified.output

    # Strata changed behind the app's back (the freeze is bypassed): the check says so.
    db.session.execute(
        Sample.__table__.update().where(Sample.id == sample.id).values(strata=[{"key": "budget", "weight": 9}])
    )
    db.session.expire_all()
    problems = sampling.verify_sample(db.session.get(Sample, sample.id)).problems
    assert "the strata or their weights differ from the ones in the audit log" in problems


def test_the_command_draws_risk_weighted(app, db):
    risky_population(db)
    runner = app.test_cli_runner()
    drawn = runner.invoke(
        args=[
            "sample", "--period", "2025-Q1", "--size", "2", "--seed", "cli", "--exclude-months", "0",
            "--minimum", "budget=1", "--weight", "continue_adverse=50",
        ]
    )  # fmt: skip
    assert drawn.exit_code == 0, drawn.output
    assert "risk-weighted" in drawn.output and "EIA-2025-0001" in drawn.output
    bad = runner.invoke(args=["sample", "--period", "2025-Q1", "--size", "2", "--weight", "budget"])
    assert bad.exit_code == 2 and "STRATUM=N" in bad.output


def test_the_page_draws_risk_weighted_and_shows_the_strata(client, login_as, db):
    risky_population(db)
    login_as(Role.EQUALITIES)
    form = {"period": "2025-Q1", "size": "2", "per_service_area": "no", "exclude_months": "0", "seed": "page"}
    bad = client.post("/samples/new", data=form | {"weight_budget": "0", "minimum_key_decision": "many"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Enter a whole number from 1 to 100" in page
    assert "Enter a whole number from 0 to 1000" in page
    done = client.post("/samples/new", data=form | {"minimum_key_decision": "1", "weight_budget": "4"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Risk-weighted (version 2)" in page
    assert "Budget proposals: weight 4" in page and "Key decisions: weight 1, at least 1 – 1 drawn of 1" in page
    assert "EIA-2025-0002" in page
    uniform = client.post("/samples/new", data=form | {"seed": "plain"})
    assert "Every assessment equally likely (version 1)" in client.get(uniform.headers["Location"]).get_data(
        as_text=True
    )


def test_the_api_draws_risk_weighted(api_as, db):
    risky_population(db)
    api = api_as(Role.EQUALITIES)
    body = {"period": "2025-Q1", "size": "1", "seed": "api", "exclude_months": 0}
    made = api.post("/api/v1/samples/", json=body | {"strata": [{"key": "high_severity", "minimum": 1}]})
    assert made.status_code == 201, made.get_json()
    data = made.get_json()
    assert data["method"] == "v2" and data["strata"] == [{"key": "high_severity", "weight": 1, "minimum": 1}]
    assert [i["eia"]["reference"] for i in data["items"]] == ["EIA-2025-0004"]
    wrong = api.post("/api/v1/samples/", json=body | {"strata": [{"key": "cheap", "weight": 500}]})
    assert wrong.status_code == 422
    assert set(wrong.get_json()["errors"]["strata"]["0"]) == {"key", "weight"}
    plain = api.post("/api/v1/samples/", json=body | {"seed": "api2"})
    assert plain.get_json()["method"] == "v1" and plain.get_json()["strata"] == []
