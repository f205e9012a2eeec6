"""Rubric version 2 ("not applicable", new criteria) and moderation of scorings by a second person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eia.accounts.models import Role
from eia.auditlog.models import AuditEntry
from eia.errors import ConflictError, PermissionDenied, ValidationFailed
from eia.quality import moderation, scoring
from eia.quality import queries as sample_queries
from eia.quality.models import Rating, Rubric
from tests.factories import make_eia, make_scored_sample, make_user


def rubric(db, version: int) -> Rubric:
    return db.session.execute(select(Rubric).where(Rubric.key == "quality", Rubric.version == version)).scalar_one()


def financial_year(score) -> int:
    return score.scored_at.year if score.scored_at.month >= 4 else score.scored_at.year - 1


def all_scores(r: Rubric, value: int | None = 2, **overrides):
    return {c["key"]: overrides.get(c["key"], value) for c in r.criteria}


def test_rubric_v2_adds_criteria_and_not_applicable(db):
    v2 = scoring.current_rubric()
    assert v2.version == 2
    keys = [c["key"] for c in v2.criteria]
    assert {"screening", "covenant", "consultation_fairness", "human_rights"} <= set(keys)
    assert set(keys) >= {c["key"] for c in rubric(db, 1).criteria}  # nothing of v1 is lost
    allowed = {c["key"] for c in v2.criteria if "not_applicable" in c}
    assert {"covenant", "consultation_fairness", "human_rights", "engagement", "published"} <= allowed
    assert not {"timeliness", "purpose", "screening", "evidence", "sign_off"} & allowed
    assert not any("not_applicable" in c for c in rubric(db, 1).criteria)


def test_a_screened_out_assessment_is_not_marked_down_for_the_outcome_it_was_never_asked_for(db):
    # Closed at screening, it has no outcome section: only screening decides whether it was right.
    outcome = next(c for c in scoring.current_rubric().criteria if c["key"] == "outcome")
    assert outcome["not_applicable"].startswith("The assessment was screened out")


def test_not_applicable_is_left_out_of_the_maximum_and_the_rating(db):
    v2 = scoring.current_rubric()
    # A screened-out assessment: ten criteria rightly do not apply; the rest are good.
    na = {c["key"]: None for c in v2.criteria if "not_applicable" in c}
    scores = all_scores(v2, 2, **na)
    applicable = len(v2.criteria) - len(na)
    assert scoring.totals(v2, scores) == (2 * applicable, 2 * applicable, Rating.GOOD)
    # Under v1's rule (every criterion in the maximum) the same marks would be inadequate.
    assert scoring.rate(2 * applicable, 2 * len(v2.criteria), any_absent=False) is Rating.INADEQUATE
    # A 0 among the applicable ones still keeps it from good; a 0 cannot hide behind "not applicable".
    assert scoring.totals(v2, scores | {"evidence": 0})[2] is Rating.REQUIRES_IMPROVEMENT
    with pytest.raises(ValidationFailed) as raised:
        scoring.check_criterion_scores(v2, scores | {"timeliness": None})
    assert raised.value.fields == {"score_timeliness": "Score 'Timeliness' 0, 1 or 2"}
    with pytest.raises(ValidationFailed) as raised:
        scoring.check_criterion_scores(rubric(db, 1), all_scores(rubric(db, 1), 1, engagement=None))
    assert "score_engagement" in raised.value.fields  # v1 has no "not applicable"


def test_a_v1_scoring_stays_v1_beside_a_v2_one(client, login_as, db):
    eia = make_eia(title="Allotment rents")
    sample, item, _ = make_scored_sample(eia)  # scored on the current rubric: v2
    v1 = rubric(db, 1)
    old = scoring.score_item(
        item, rubric=v1, scores=all_scores(v1, 1), comments={}, summary="", findings=[], by=make_user(Role.EQUALITIES)
    )
    db.session.commit()
    assert (old.points, old.max_points, old.rubric.version) == (14, 28, 1)
    login_as(Role.EQUALITIES)
    page = client.get(f"/samples/{sample.id}/items/{item.id}").get_data(as_text=True)
    assert "Rubric v1" in page and "Rubric v2" in page
    assert "EIA quality audit rubric version 1" in page and "18 of 36" in page and "14 of 28" in page


def test_the_scoring_page_offers_not_applicable_only_where_it_can_apply(client, login_as, db):
    eia = make_eia(title="Bin collection rounds")
    sample, item, _ = make_scored_sample(eia)
    login_as(Role.EQUALITIES)
    url = f"/samples/{sample.id}/items/{item.id}/score"
    page = client.get(url).get_data(as_text=True)
    assert 'name="score_covenant" type="radio" value="na"' in page
    assert 'name="score_timeliness" type="radio" value="na"' not in page
    v2 = scoring.current_rubric()
    form = {f"score_{c['key']}": "2" for c in v2.criteria} | {"scored_before": "1"}
    refused = client.post(url, data=form | {"score_timeliness": "na"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    done = client.post(url, data=form | {"score_covenant": "na", "score_human_rights": "na"})
    assert done.status_code == 302
    db.session.expire_all()
    latest = item.scores[-1]
    assert (latest.points, latest.max_points) == (32, 32)
    assert {c.criterion: c.score for c in latest.criteria}["covenant"] is None
    page = client.get(f"/samples/{sample.id}/items/{item.id}").get_data(as_text=True)
    assert "Not applicable" in page and "2 not applicable, left out of the points available" in page


def test_moderation_by_a_second_person_counts_and_keeps_both(db):
    eia = make_eia(title="Leisure centre prices")
    _, item, _ = make_scored_sample(eia)  # every criterion 1, by one auditor
    first = item.scores[0]
    v2 = first.rubric
    with pytest.raises(PermissionDenied):
        moderation.moderate_score(
            first, agrees=True, scores=None, note="", by=db.session.get(type(eia.author), first.scored_by_id)
        )
    second = make_user(Role.EQUALITIES, name="Priya Shah")
    with pytest.raises(ValidationFailed) as raised:
        moderation.moderate_score(first, agrees=False, scores={"timeliness": 2}, note="", by=second)
    assert raised.value.fields["note"] == "Say why your scores differ" and "score_evidence" in raised.value.fields
    own = all_scores(v2, 2, evidence=0, covenant=None)
    done = moderation.moderate_score(first, agrees=False, scores=own, note="Evidence is missing altogether.", by=second)
    db.session.commit()
    assert (done.points, done.max_points, done.rating) == (32, 34, Rating.REQUIRES_IMPROVEMENT)
    assert (first.points, first.max_points) == (18, 36)  # the first scoring is kept as it was
    assert (first.counted_points, first.counted_max_points) == (32, 34)
    with pytest.raises(ConflictError):
        moderation.moderate_score(first, agrees=True, scores=None, note="", by=make_user(Role.EQUALITIES))

    averages = {a.key: (a.average, a.scored) for a in sample_queries.criterion_averages(financial_year(first), v2)}
    assert averages["timeliness"] == (2.0, 1) and averages["evidence"] == (0.0, 1)
    assert "covenant" not in averages  # not applicable: neither averaged nor counted
    quarters = sample_queries.quarterly_results(financial_year(first), target=1, today=first.scored_at.date())
    scored_in = next(q for q in quarters if q.period.start <= first.scored_at.date() <= q.period.end)
    assert scored_in.moderated == 1
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "score_moderated")).scalar_one()
    assert entry.actor_id == second.id and entry.changes["score.evidence"] == [1, 0]
    assert "moderated to 32/34" in entry.detail


def test_agreeing_keeps_the_first_scores_counting(db):
    eia = make_eia(title="Parking permits")
    _, item, _ = make_scored_sample(eia)
    first = item.scores[0]
    done = moderation.moderate_score(first, agrees=True, scores=None, note="", by=make_user(Role.EQUALITIES))
    db.session.commit()
    assert done.agrees and (done.points, done.rating) == (first.points, first.rating) and not done.criteria
    averages = {a.key: a.average for a in sample_queries.criterion_averages(financial_year(first), first.rubric)}
    assert averages["timeliness"] == 1.0


def test_the_moderation_page(client, login_as, db):
    eia = make_eia(title="Library fines")
    sample, item, _ = make_scored_sample(eia)
    first = item.scores[0]
    url = f"/samples/{sample.id}/items/{item.id}/scores/{first.id}/moderate"
    scorer = db.session.get(type(eia.author), first.scored_by_id)
    from tests.conftest import sign_in_session

    sign_in_session(client, scorer)
    assert client.get(url).status_code == 403  # never the person who scored it
    login_as(Role.EQUALITIES)
    page = client.get(f"/samples/{sample.id}/items/{item.id}").get_data(as_text=True)
    assert "Moderate this scoring" in page
    missing = client.post(url, data={"agrees": "no"})
    text = missing.get_data(as_text=True)
    assert missing.status_code == 200 and "Say why your scores differ" in text and "Score &#39;Timeliness&#39;" in text
    scores = {f"score_{c['key']}": "2" for c in first.rubric.criteria}
    done = client.post(url, data={"agrees": "no", "note": "Stronger than it looked."} | scores)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Moderated" in page and "Good, 36 of 36" in page and "Stronger than it looked." in page
    assert "Moderated score" in page and "Moderate this scoring" not in page
    index = client.get("/samples/?year=2025").get_data(as_text=True)
    assert "Scorings moderated" in index


def test_the_report_counts_moderated_scores(client, login_as, db):
    eia = make_eia(title="Community grants")
    _, item, _ = make_scored_sample(eia)
    first = item.scores[0]
    moderation.moderate_score(
        first, agrees=False, scores=all_scores(first.rubric, 0), note="Nothing holds up.", by=make_user(Role.EQUALITIES)
    )
    db.session.commit()
    averages = {a.key: a.average for a in sample_queries.criterion_averages(financial_year(first), first.rubric)}
    assert set(averages.values()) == {0.0}
    login_as(Role.EQUALITIES)
    report = client.get(f"/reports/{financial_year(first)}").get_data(as_text=True)
    assert "a moderator's scores count where they differ" in report


def test_the_item_page_queries_do_not_grow_with_scorings_and_moderations(client, login_as, db, count_queries):
    eia = make_eia(title="Market stall fees")
    sample, item, _ = make_scored_sample(eia)
    login_as(Role.EQUALITIES)
    url = f"/samples/{sample.id}/items/{item.id}"

    def counted() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    v2 = item.scores[0].rubric
    moderation.moderate_score(
        item.scores[0], agrees=False, scores=all_scores(v2, 2), note="Higher.", by=make_user(Role.EQUALITIES)
    )
    db.session.commit()
    few = counted()
    for n in range(3):
        auditor, moderator = make_user(Role.EQUALITIES), make_user(Role.EQUALITIES)
        retest = scoring.score_item(
            item, rubric=v2, scores=all_scores(v2, 2), comments={}, summary="", findings=[], by=auditor
        )
        moderation.moderate_score(retest, agrees=n % 2 == 0, scores=all_scores(v2, 1), note="Lower.", by=moderator)
    db.session.commit()
    assert counted() == few


def test_the_template_list_queries_do_not_grow_with_versions(client, login_as, db, count_queries):
    from eia.assessments import form_templates
    from tests.test_template_editor import version

    admin = login_as(Role.ADMIN)

    def counted() -> int:
        with count_queries() as counter:
            assert client.get("/admin/templates/").status_code == 200
        return counter.count

    form_templates.publish_template(form_templates.upload_template(version(3), "v3.yaml", by=admin), by=admin)
    db.session.commit()
    few = counted()
    for n in (4, 5, 6):
        form_templates.publish_template(form_templates.upload_template(version(n), f"v{n}.yaml", by=admin), by=admin)
        make_eia()
    db.session.commit()
    assert counted() == few
