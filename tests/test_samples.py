"""Quality audits: reproducible frozen draws, the rubric, findings with owners, the quarterly target."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from eia.accounts.models import Role
from eia.assessments.states import EiaState
from eia.auditlog.models import AuditEntry
from eia.db_types import utcnow
from eia.errors import ValidationFailed
from eia.quality import choosing, sampling, scoring
from eia.quality import queries as sample_queries
from eia.quality.models import Finding, FindingStatus, FrozenSampleError, Rating, Sample
from forms.rubrics import RubricError, load_rubric
from tests.conftest import sign_in_session
from tests.factories import make_eia, make_service_area, make_user

Q1_2025 = sampling.parse_period("2025-Q1")


def completed(area=None, *, on: date = date(2025, 5, 10), reference: str | None = None, author=None):
    """A completed (approved) EIA approved on *on*."""
    author = author or make_user(Role.AUTHOR, **({"service_area": area} if area else {}))
    fields = {"state": EiaState.APPROVED, "approved_at": datetime.combine(on, datetime.min.time(), tzinfo=UTC)}
    if reference:
        fields["reference"] = reference
    return make_eia(author=author, **fields)


def test_quarters_are_financial_year_quarters():
    assert (Q1_2025.start, Q1_2025.end) == (date(2025, 4, 1), date(2025, 6, 30))
    q4 = sampling.parse_period("2025-q4")
    assert (q4.start, q4.end, q4.label) == (date(2026, 1, 1), date(2026, 3, 31), "2025-Q4")
    assert sampling.quarter(2025, 3).end == date(2025, 12, 31)
    for bad in ("2025-Q5", "Q1", "2025", "", "1999-Q1"):
        with pytest.raises(ValidationFailed) as raised:
            sampling.parse_period(bad)
        assert "like 2025-Q1" in raised.value.fields["period"]
    with pytest.raises(ValidationFailed):
        sampling.date_period(date(2025, 5, 1), date(2025, 4, 1))


def test_the_same_seed_draws_the_same_sample_and_the_draw_is_frozen(db):
    area = make_service_area("Libraries")
    for _ in range(8):
        completed(area)
    completed(area, on=date(2025, 7, 1))  # the next quarter: not in the population
    equalities = make_user(Role.EQUALITIES)
    first = sampling.draw_sample(period=Q1_2025, size="3", seed="spring", exclude_months=0, by=equalities)
    second = sampling.draw_sample(period=Q1_2025, size="3", seed="spring", exclude_months=0, by=equalities)
    other = sampling.draw_sample(period=Q1_2025, size="3", seed="autumn", exclude_months=0, by=equalities)
    db.session.commit()
    picked = sampling.verify_sample(first).stored
    assert picked == sampling.verify_sample(second).stored and len(picked) == 3
    assert picked != sampling.verify_sample(other).stored
    assert len(first.population) == 8
    assert [ref for ref, _ in first.population] == sorted(ref for ref, _ in first.population)

    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "sample_drawn", AuditEntry.entity_id == str(first.id))
    ).scalar_one()
    assert entry.changes["seed"] == [None, "spring"]
    assert entry.changes["population_hash"] == [None, choosing.population_hash(first.population)]
    assert entry.changes["references"] == [None, picked]

    result = sampling.verify_sample(first)
    assert result.matches and result.redrawn == picked

    first.seed = "changed"
    with pytest.raises(FrozenSampleError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(FrozenSampleError):
        db.session.delete(db.session.get(Sample, first.id).items[0])
        db.session.flush()
    db.session.rollback()

    # Someone editing the table behind the application's back is caught by verify.
    db.session.execute(update(Sample).where(Sample.id == first.id).values(seed="tampered"))
    db.session.expire_all()
    result = sampling.verify_sample(db.session.get(Sample, first.id))
    assert not result.matches
    assert "the seed differs from the one in the audit log" in result.problems


def test_a_different_insertion_order_gives_the_same_sample(db):
    """Two populations of the same shape, one inserted in reference order and one shuffled, give the
    same positions for the same seed: the draw sorts by reference, never trusting row order."""
    equalities = make_user(Role.EQUALITIES)
    forward, shuffled = make_service_area("Forward"), make_service_area("Shuffled")
    for n in range(1, 11):
        completed(forward, reference=f"EIA-2025-A{n:03d}")
    order = list(range(1, 11))
    random.Random(7).shuffle(order)
    for n in order:
        completed(shuffled, reference=f"EIA-2025-B{n:03d}")
    positions = []
    for area, prefix in ((forward, "A"), (shuffled, "B")):
        sample = sampling.draw_sample(
            period=Q1_2025, size="4", service_area_ids=[area.id], seed="same", exclude_months=0, by=equalities
        )
        positions.append([int(ref.rsplit(prefix, 1)[1]) for ref in sampling.verify_sample(sample).stored])
    assert positions[0] == positions[1]


def test_recently_audited_eias_are_left_out_unless_told_otherwise(db):
    area = make_service_area("Housing")
    eias = [completed(area) for _ in range(4)]
    equalities = make_user(Role.EQUALITIES)
    first = sampling.draw_sample(period=Q1_2025, size="2", seed="a", by=equalities)
    taken = set(sampling.verify_sample(first).stored)
    second = sampling.draw_sample(period=Q1_2025, size="2", seed="b", by=equalities)
    assert set(sampling.verify_sample(second).stored) == {e.reference for e in eias} - taken
    assert sorted(second.excluded) == sorted(taken)
    with pytest.raises(ValidationFailed) as raised:
        sampling.draw_sample(period=Q1_2025, size="1", seed="c", by=equalities)
    assert "no completed EIAs approved in 2025-Q1" in raised.value.fields["size"]
    assert "leaving out 4 sampled in the last 12 months" in raised.value.fields["size"]
    assert len(sampling.draw_sample(period=Q1_2025, size="4", seed="d", exclude_months=0, by=equalities).items) == 4


def test_at_least_one_per_service_area(db):
    areas = [make_service_area(f"Area {n}") for n in range(3)]
    for area, count in zip(areas, (5, 1, 2), strict=True):
        for _ in range(count):
            completed(area)
    equalities = make_user(Role.EQUALITIES)
    for seed in ("x", "y", "z"):
        sample = sampling.draw_sample(
            period=Q1_2025, size="2", per_service_area=True, seed=seed, exclude_months=0, by=equalities
        )
        drawn_areas = {area for ref, area in sample.population if ref in sampling.verify_sample(sample).stored}
        assert drawn_areas == {a.id for a in areas} and len(sample.items) == 3
        assert sampling.verify_sample(sample).matches
    bigger = sampling.draw_sample(
        period=Q1_2025, size="5", per_service_area=True, seed="w", exclude_months=0, by=equalities
    )
    assert len(bigger.items) == 5


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("4", "The sample size (4) is larger than the population: 3 completed EIAs approved in 2025-Q1"),
        ("0", "Enter the size as a whole number"),
        ("abc", "Enter the size as a whole number"),
        ("150%", "Enter the size as a whole number"),
        ("9" * 5000, "Enter the size as a whole number"),
        ("0000001", "Enter the size as a whole number"),
    ],
)
def test_bad_sizes_get_a_clear_message(db, size, message):
    area = make_service_area("Parks")
    for _ in range(3):
        completed(area)
    with pytest.raises(ValidationFailed) as raised:
        sampling.draw_sample(period=Q1_2025, size=size, exclude_months=0, by=make_user(Role.EQUALITIES))
    assert message in raised.value.fields["size"]


def test_a_percentage_rounds_up(db):
    area = make_service_area("Waste")
    for _ in range(7):
        completed(area)
    sample = sampling.draw_sample(period=Q1_2025, size="10%", exclude_months=0, by=make_user(Role.EQUALITIES))
    assert len(sample.items) == 1 and len(sample.seed) == 16
    # 15% of 7 is 1.05: rounded up to 2, not down to 1.
    sample = sampling.draw_sample(period=Q1_2025, size=" 015% ", exclude_months=0, by=make_user(Role.EQUALITIES))
    assert len(sample.items) == 2 and sample.size_asked == "15%"


def test_the_rating_rule():
    assert scoring.rate(23, 28, any_absent=False) is Rating.GOOD
    assert scoring.rate(28, 28, any_absent=True) is Rating.REQUIRES_IMPROVEMENT
    assert scoring.rate(14, 28, any_absent=False) is Rating.REQUIRES_IMPROVEMENT
    assert scoring.rate(13, 28, any_absent=True) is Rating.INADEQUATE


def test_the_shipped_rubric_has_every_criterion_in_the_design(db):
    from eia.quality.models import Rubric

    rubric = db.session.execute(select(Rubric).where(Rubric.key == "quality", Rubric.version == 1)).scalar_one()
    assert [c["key"] for c in rubric.criteria] == [
        "timeliness",
        "purpose",
        "evidence",
        "engagement",
        "coverage",
        "analysis",
        "intersectional",
        "aims",
        "mitigations",
        "outcome",
        "action_plan",
        "monitoring",
        "sign_off",
        "published",
    ]
    assert all(set(c["guidance"]) == {"0", "1", "2"} for c in rubric.criteria)
    assert scoring.current_rubric().version == 2  # the newest version is the one scorings use


def test_a_broken_rubric_file_is_refused(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "key: quality\nversion: 2\ntitle: T\ncriteria:\n  - key: a\n    title: A\n    question: Q?\n"
        "    guidance: {0: x, 2: y}\n"
    )
    with pytest.raises(RubricError, match="needs guidance for scores 0, 1 and 2"):
        load_rubric(bad)


def _score_data(rubric, value: str = "2", scored_before: int = 0, **extra) -> dict:
    data = {f"score_{c['key']}": value for c in rubric.criteria} | {"scored_before": str(scored_before)}
    data.update(extra)
    return data


def test_scoring_findings_my_work_and_a_retest(client, login_as, db):
    area = make_service_area("Leisure")
    author = make_user(Role.AUTHOR, service_area=area)
    eia = completed(author=author)
    before = (eia.lock_version, eia.updated_at, eia.state)
    auditor = login_as(Role.EQUALITIES)
    sample = sampling.draw_sample(period=Q1_2025, size="1", exclude_months=0, by=auditor)
    db.session.commit()
    item = sample.items[0]
    rubric = scoring.current_rubric()
    url = f"/samples/{sample.id}/items/{item.id}/score"

    page = client.get(url).get_data(as_text=True)
    assert "Timeliness" in page and "Started after the decision was made, or no dates recorded." in page
    assert 'name="scored_before" type="hidden" value="0"' in page

    missing = client.post(url, data={"score_timeliness": "2"}).get_data(as_text=True)
    assert "Score &#39;Purpose and scope&#39; 0, 1 or 2" in missing
    no_due = client.post(url, data=_score_data(rubric, finding_1_text="Name the evidence gaps")).get_data(as_text=True)
    assert "Enter the date finding 1 is due by" in no_due
    due = utcnow().date() + timedelta(days=30)
    response = client.post(
        url,
        data=_score_data(
            rubric,
            score_evidence="0",
            comment_evidence="No data on disabled users",
            summary="Clear purpose; evidence missing.",
            finding_1_text="Name the evidence gaps and how they will be filled",
            finding_1_criterion="evidence",
            **{
                "finding_1_due-day": str(due.day),
                "finding_1_due-month": str(due.month),
                "finding_1_due-year": str(due.year),
            },
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    score = item.scores[0]
    # Rubric v2: 18 criteria, each scored 2 but "evidence" (0).
    assert (score.points, score.max_points, score.rating) == (34, 36, Rating.REQUIRES_IMPROVEMENT)
    finding = score.findings[0]
    assert finding.owner_id == author.id and finding.due_on == due and finding.criterion == "evidence"
    assert (eia.lock_version, eia.updated_at, eia.state) == before  # the EIA is untouched
    page = client.get(f"/samples/{sample.id}/items/{item.id}").get_data(as_text=True)
    assert "Requires improvement, 34 of 36" in page and "No data on disabled users" in page

    # The author sees it in My work and marks it done.
    sign_in_session(client, author)
    home = client.get("/").get_data(as_text=True)
    assert "Quality audit findings to put right" in home and "Name the evidence gaps" in home
    assert client.get(f"/samples/{sample.id}").status_code == 403
    assert client.get(url).status_code == 403
    empty = client.post(f"/samples/findings/{finding.id}", data={"note": " ", "version": str(finding.version)})
    assert "Say what was done to put this right" in empty.get_data(as_text=True)
    done = client.post(
        f"/samples/findings/{finding.id}", data={"note": "Gaps section added.", "version": str(finding.version)}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status is FindingStatus.DONE
    assert "Quality audit findings to put right" not in client.get("/").get_data(as_text=True)
    outsider = make_user(Role.AUTHOR)
    sign_in_session(client, outsider)
    assert client.get(f"/samples/findings/{finding.id}").status_code == 403

    # A re-test is a second scoring linked to the first.
    sign_in_session(client, auditor)
    assert client.post(url, data=_score_data(rubric, scored_before=1)).status_code == 302
    # The same form sent again (a double click, a stale tab) is refused, not saved as another re-test.
    assert client.post(url, data=_score_data(rubric, scored_before=1)).status_code == 409
    db.session.expire_all()
    assert len(item.scores) == 2
    retest = item.scores[1]
    assert retest.retest_of_id == score.id and retest.rating is Rating.GOOD
    actions = [
        e.action
        for e in db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity_type.in_(["quality_score", "quality_finding"]))
            .order_by(AuditEntry.seq)
        ).scalars()
    ]
    assert actions == ["sample_scored", "finding_raised", "finding_done", "sample_retested"]
    raised = db.session.execute(select(AuditEntry).where(AuditEntry.action == "finding_raised")).scalar_one()
    assert raised.changes["owner_id"] == [None, author.id] and raised.changes["due_on"] == [None, due.isoformat()]
    scored = db.session.execute(select(AuditEntry).where(AuditEntry.action == "sample_scored")).scalar_one()
    assert scored.changes["comment.evidence"] == [None, "No data on disabled users"]


def test_an_auditor_never_scores_their_own_assessment(client, db):
    auditor = make_user(Role.EQUALITIES, service_area=make_service_area("Equalities"))
    own = completed(author=auditor)
    sample = sampling.draw_sample(period=Q1_2025, size="1", exclude_months=0, by=auditor)
    db.session.commit()
    assert sample.items[0].eia_id == own.id
    sign_in_session(client, auditor)
    assert client.get(f"/samples/{sample.id}/items/{sample.items[0].id}/score").status_code == 403


def test_drawing_on_the_page(client, login_as, db):
    area = make_service_area("Highways")
    for _ in range(3):
        completed(area)
    login_as(Role.EQUALITIES)
    page = client.post(
        "/samples/new", data={"size": "9", "period": "2025-Q1", "per_service_area": "no", "exclude_months": "12"}
    )
    assert "The sample size (9) is larger than the population: 3 completed EIAs" in page.get_data(as_text=True)
    assert (
        client.post("/samples/new", data={"size": "2", "per_service_area": "no", "exclude_months": "12"}).status_code
        == 200
    )
    response = client.post(
        "/samples/new",
        data={"size": "2", "period": "2025-Q1", "per_service_area": "no", "exclude_months": "12", "seed": "page"},
    )
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "page" in shown and "Drawn from" in shown and "3 completed assessments" in shown
    sample_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    verified = client.post(f"/samples/{sample_id}/verify").get_data(as_text=True)
    assert "the same assessments" in verified
    dates = client.post(
        "/samples/new",
        data={
            "size": "1",
            "per_service_area": "no",
            "exclude_months": "0",
            "from_date-day": "1",
            "from_date-month": "4",
            "from_date-year": "2025",
            "to_date-day": "30",
            "to_date-month": "6",
            "to_date-year": "2025",
        },
    )
    assert dates.status_code == 302


def test_the_quarterly_target_averages_and_common_findings(client, login_as, db):
    area = make_service_area("Adults")
    eias = [completed(area) for _ in range(3)]
    auditor = make_user(Role.EQUALITIES)
    sample = sampling.draw_sample(period=Q1_2025, size="3", exclude_months=0, by=auditor)
    rubric = scoring.current_rubric()
    scores = {c["key"]: 2 for c in rubric.criteria}
    due = date(2025, 9, 1)
    for n, item in enumerate(sample.items):
        scores["evidence"] = n  # 0, 1, 2: average 1.0
        scoring.score_item(
            item,
            rubric=rubric,
            scores=dict(scores),
            comments={},
            summary="",
            findings=[{"text": "Fill the gaps", "criterion": "evidence", "owner_id": eias[0].author_id, "due_on": due}]
            if n < 2
            else [],
            by=auditor,
        )
    db.session.commit()
    # Two first scorings in 2025-Q1 (May), one in 2025-Q3 (October); a re-test never counts.
    sample.items[0].scores[0].scored_at = datetime(2025, 5, 2, tzinfo=UTC)
    sample.items[1].scores[0].scored_at = datetime(2025, 5, 3, tzinfo=UTC)
    sample.items[2].scores[0].scored_at = datetime(2025, 10, 3, tzinfo=UTC)
    db.session.commit()
    scoring.score_item(
        sample.items[0], rubric=rubric, scores=dict(scores), comments={}, summary="", findings=[], by=auditor
    )
    sample.items[0].scores[1].scored_at = datetime(2025, 8, 1, tzinfo=UTC)
    db.session.commit()

    results = sample_queries.quarterly_results(2025, target=1, today=date(2025, 11, 1))
    assert [(r.audited, r.status) for r in results] == [(2, "met"), (0, "missed"), (1, "met"), (0, "not started")]
    assert sample_queries.quarterly_results(2025, target=3, today=date(2025, 11, 1))[2].status == "in progress"
    averages = {a.key: (a.average, a.scored) for a in sample_queries.criterion_averages(2025, rubric)}
    assert averages["evidence"] == (1.0, 3) and averages["timeliness"] == (2.0, 3)
    assert sample_queries.common_findings(2025, rubric) == [("Evidence, with gaps named", 2)]

    login_as(Role.DECISION_MAKER)
    page = client.get("/samples/?year=2025").get_data(as_text=True)
    assert "Evidence, with gaps named" in page and "Missed" in page and "Met" in page
    assert client.get("/samples/?year=abc").status_code == 400


def test_the_sample_command_draws_and_verifies(app, db):
    area = make_service_area("Culture")
    for _ in range(4):
        completed(area)
    db.session.commit()
    runner = app.test_cli_runner()
    drawn = runner.invoke(
        args=["sample", "--period", "2025-Q1", "--size", "2", "--seed", "cli", "--exclude-months", "0"]
    )
    assert drawn.exit_code == 0, drawn.output
    sample_id = int(drawn.output.split(":")[0].split()[-1])
    assert "2 of 4 completed EIAs in 2025-Q1 (seed cli)" in drawn.output
    verified = runner.invoke(args=["sample", "verify", str(sample_id)])
    assert verified.exit_code == 0 and "matches" in verified.output
    too_big = runner.invoke(args=["sample", "--period", "2025-Q1", "--size", "40", "--exclude-months", "0"])
    assert too_big.exit_code == 1 and "larger than the population: 4 completed EIAs" in too_big.output
    assert "Traceback" not in too_big.output
    missing = runner.invoke(args=["sample", "--size", "2"])
    assert missing.exit_code == 2 and "--period" in missing.output
    unknown = runner.invoke(args=["sample", "verify", "9999"])
    assert unknown.exit_code == 1 and "there is no sample 9999" in unknown.output


def test_decision_makers_never_see_sampled_individual_assessments(client, login_as, db):
    from eia.assessments.states import EiaKind
    from tests.factories import make_scored_sample

    eia = make_eia(kind=EiaKind.INDIVIDUAL, title="Redeployment of J Smith")
    sample, item, finding = make_scored_sample(eia)
    login_as(Role.DECISION_MAKER)
    page = client.get(f"/samples/{sample.id}").get_data(as_text=True)
    assert "Redeployment of J Smith" not in page and eia.reference not in page
    assert "An individual-action assessment (not shown to you)" in page
    assert client.get(f"/samples/{sample.id}/items/{item.id}").status_code == 403
    assert client.get(f"/samples/findings/{finding.id}").status_code == 403
    login_as(Role.EQUALITIES)
    assert "Redeployment of J Smith" in client.get(f"/samples/{sample.id}").get_data(as_text=True)


def test_odd_draw_form_input_gets_messages_not_errors(client, login_as, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "EIA_SAMPLE_EXCLUDE_MONTHS", 6)
    login_as(Role.EQUALITIES)
    assert 'value="6"' in client.get("/samples/new").get_data(as_text=True)
    page = client.post(
        "/samples/new",
        data={"period": "2025-Q1", "size": "1", "per_service_area": "no", "exclude_months": "9" * 5000},
    )
    assert page.status_code == 200 and "Enter a number of months from 0 to 120" in page.get_data(as_text=True)
    page = client.post(
        "/samples/new",
        data={
            "period": "2025-Q1",
            "size": "1",
            "per_service_area": "maybe",
            "exclude_months": "1",
            "service_area_ids": "x",
        },
    )
    assert page.status_code == 200 and "Not a valid choice" in page.get_data(as_text=True)


def test_a_sample_cannot_grow_after_it_is_drawn(db):
    from eia.quality.models import SampleItem

    area = make_service_area("Transport")
    first, second = completed(area), completed(area)
    sample = sampling.draw_sample(period=Q1_2025, size="1", exclude_months=0, seed="s", by=make_user(Role.EQUALITIES))
    db.session.commit()
    other = second if sample.items[0].eia_id == first.id else first
    sample.items.append(SampleItem(eia_id=other.id, position=2))
    with pytest.raises(FrozenSampleError):
        db.session.flush()
    db.session.rollback()
