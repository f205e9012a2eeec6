"""The API for quality audits: samples of completed assessments drawn at random (and drawn again to
check them), scoring a sampled assessment against the rubric, and the findings that come of it.

The same services, rules and messages as the pages (``eia/quality/views.py``): the equalities
team draws and scores, decision makers and administrators read; an auditor never scores an
assessment they wrote, lead or signed off. An individual-action assessment in a sample keeps its
place, service area and rating for those who may not see it, never its reference, title or scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eia.accounts import queries as accounts
from eia.accounts.models import User
from eia.api import api_blueprint
from eia.api.auth import api_user
from eia.api.common import Shown, before_body, person, requires
from eia.api.schemas import PageArgs, page_of
from eia.assessments import queries as eia_queries
from eia.assessments.models import Eia
from eia.errors import NotFound
from eia.extensions import db
from eia.permissions import can, permit
from eia.quality import moderation, sampling, scoring
from eia.quality import queries as sample_queries
from eia.quality.models import Finding, FindingStatus, Moderation, QualityScore, Sample, SampleItem
from eia.quality.schemas import (
    MAX_ID,
    CloseFindingInputSchema,
    DrawSampleInputSchema,
    FindingDetailSchema,
    ModerateInputSchema,
    QualityScoreSchema,
    RubricSchema,
    SampleItemSchema,
    SampleSchema,
    SampleSummarySchema,
    ScoreInputSchema,
    VerificationSchema,
    check_scores,
)
from eia.web import paginate

bp = api_blueprint(
    "quality_audits",
    __name__,
    url_prefix="/samples",
    description="Quality audits: random samples of completed assessments, scores against the rubric, findings",
)


# Loading -------------------------------------------------------------------------------------------


def _sample_or_404(sample_id: int) -> Sample:
    """The sample with its items, their scores and everything the scores show, in seven queries."""
    sample = None
    if 1 <= sample_id <= MAX_ID:
        scores = selectinload(Sample.items).selectinload(SampleItem.scores)
        sample = db.session.execute(
            select(Sample)
            .where(Sample.id == sample_id)
            .options(
                scores.selectinload(QualityScore.criteria),
                scores.selectinload(QualityScore.findings),
                scores.selectinload(QualityScore.rubric),
                scores.selectinload(QualityScore.moderation).selectinload(Moderation.criteria),
            )
        ).scalar_one_or_none()
    if sample is None:
        raise NotFound(f"There is no sample {sample_id}.")
    return sample


def _item_or_404(sample: Sample, item_id: int) -> tuple[SampleItem, Eia]:
    found = next((item for item in sample.items if item.id == item_id), None)
    if found is None:
        raise NotFound(f"Sample {sample.id} has no item {item_id}.")
    return found, db.session.get_one(Eia, found.eia_id)


def _visible_finding(finding_id: int) -> Finding:
    """A finding the token's owner may read (403 for a role that reads none), 404 if its assessment
    is hidden from them, as if the finding did not exist."""
    found = db.session.get(Finding, finding_id) if 1 <= finding_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"There is no finding {finding_id}.")
    user = api_user()
    permit(user, "finding.view", found)
    if not can(user, "eia.view", db.session.get(Eia, found.eia_id)):
        raise NotFound(f"There is no finding {finding_id}.")
    return found


# What the API returns ------------------------------------------------------------------------------


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    return eia_queries.user_names({i for i in ids if i is not None})


def _finding_data(finding: Finding, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": finding.id,
        "criterion": finding.criterion,
        "text": finding.text,
        "owner": person(finding.owner_id, names),
        "due_on": finding.due_on,
        "status": finding.status,
        "done_note": finding.done_note,
        "done_at": finding.done_at,
        "created_at": finding.created_at,
    }


def _score_data(score: QualityScore, names: dict[int, str]) -> dict[str, Any]:
    rubric = score.rubric
    return {
        "id": score.id,
        "retest_of": score.retest_of_id,
        "rubric": {"key": rubric.key, "version": rubric.version, "title": rubric.title},
        "points": score.points,
        "max_points": score.max_points,
        "rating": score.rating,
        "summary": score.summary,
        "scored_by": person(score.scored_by_id, names),
        "scored_at": score.scored_at,
        "criteria": [
            {
                "criterion": c.criterion,
                "title": (rubric.criterion(c.criterion) or {}).get("title", c.criterion),
                "score": c.score,
                "comment": c.comment,
            }
            for c in score.criteria
        ],
        "findings": [_finding_data(f, names) for f in score.findings],
        "moderation": _moderation_data(score.moderation, names) if score.moderation else None,
    }


def _moderation_data(moderation: Moderation, names: dict[int, str]) -> dict[str, Any]:
    return {
        "agrees": moderation.agrees,
        "note": moderation.note,
        "points": moderation.points,
        "max_points": moderation.max_points,
        "rating": moderation.rating,
        "moderated_by": person(moderation.moderated_by_id, names),
        "moderated_at": moderation.moderated_at,
        "scores": {c.criterion: c.score for c in moderation.criteria},
    }


def _score_people(item: SampleItem) -> set[int]:
    return (
        {s.scored_by_id for s in item.scores}
        | {f.owner_id for s in item.scores for f in s.findings}
        | {s.moderation.moderated_by_id for s in item.scores if s.moderation}
    )


def _item_data(item: SampleItem, eia: Eia, user: User, areas: dict[int, str], names: dict[int, str]) -> dict[str, Any]:
    # Decision makers never see individual-action assessments, even sampled (as on the sample page).
    visible = can(user, "eia.view", eia)
    latest = item.scores[-1] if item.scores else None
    return {
        "id": item.id,
        "position": item.position,
        "service_area": {"id": eia.service_area_id, "name": areas.get(eia.service_area_id, "")},
        "visible": visible,
        "eia": {"reference": eia.reference, "title": eia.title} if visible else None,
        "rating": latest.rating if latest else None,
        "points": latest.points if latest else None,
        "max_points": latest.max_points if latest else None,
        "scorings": len(item.scores),
        "can_score": can(user, "sample.score", eia),
        "scores": [_score_data(s, names) for s in item.scores] if visible else [],
    }


def _summary_data(sample: Sample, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": sample.id,
        "period": {"label": sample.period_label, "start": sample.period_start, "end": sample.period_end},
        "size_asked": sample.size_asked,
        "size": len(sample.items),
        "population_size": len(sample.population),
        "drawn_at": sample.drawn_at,
        "drawn_by": person(sample.drawn_by_id, names),
    }


def sample_data(sample: Sample) -> dict[str, Any]:
    """A whole sample as the API shows it (``SampleSchema`` dumps it; its ETag covers all of it)."""
    user = api_user()
    eias = sample_queries.item_references(sample)
    areas = {area.id: area.full_name for area in accounts.service_areas()}
    visible = [item for item in sample.items if can(user, "eia.view", eias[item.eia_id])]
    names = _names({sample.drawn_by_id}.union(*(_score_people(item) for item in visible)))
    data = _summary_data(sample, names) | {
        "service_areas": [{"id": i, "name": areas.get(i, str(i))} for i in sample.service_area_ids],
        "per_service_area": sample.per_service_area,
        "exclude_months": sample.exclude_months,
        "excluded": sample.excluded,
        "method": sample.method,
        "strata": sample.strata or [],
        "seed": sample.seed,
        "population_hash": sample.population_hash,
        "items": [_item_data(item, eias[item.eia_id], user, areas, names) for item in sample.items],
    }
    return data


def _one_item_data(item: SampleItem, eia: Eia) -> dict[str, Any]:
    areas = {area.id: area.full_name for area in accounts.service_areas()}
    return _item_data(item, eia, api_user(), areas, _names(_score_people(item)))


def finding_data(finding: Finding) -> dict[str, Any]:
    """A finding on its own, as the API shows it (``FindingDetailSchema`` dumps it; its ETag covers it)."""
    score = finding.score
    eia = db.session.get_one(Eia, finding.eia_id)
    names = _names({finding.owner_id, score.scored_by_id})
    data = _finding_data(finding, names) | {
        "criterion_title": (score.rubric.criterion(finding.criterion) or {}).get("title")
        if finding.criterion
        else None,
        "eia": {"reference": eia.reference, "title": eia.title},
        "sample_id": score.item.sample_id,
        "item_id": score.item_id,
        "score_id": score.id,
        "scored_by": person(score.scored_by_id, names),
        "can_mark_done": finding.status is FindingStatus.OPEN and can(api_user(), "finding.close", finding),
    }
    return data


def _sample_url(sample_id: int) -> str:
    return url_for("quality_audits.sample", sample_id=sample_id)


# Samples -------------------------------------------------------------------------------------------


@bp.get("/")
@requires("sample.view")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(SampleSummarySchema))
def samples(page: int, per_page: int):
    """Every sample drawn, newest first."""
    found = paginate(sample_queries.samples(), page=page, per_page=per_page)
    names = _names(sample.drawn_by_id for sample in found.items)
    return Shown(found, items=[_summary_data(sample, names) for sample in found.items])


@bp.post("/")
@requires("sample.draw")
@bp.arguments(DrawSampleInputSchema, location="json")
@bp.response(201, SampleSchema)
def draw(values: dict[str, Any]):
    """Draw a random sample of completed assessments (approved, signed off, published or due for
    review) approved in a financial-year quarter or between two dates, and freeze it. The audit log
    records the seed and a SHA-256 of the population, so anyone can draw it again."""
    sample = sampling.draw_requested(values, by=api_user())
    db.session.commit()
    return sample_data(_sample_or_404(sample.id)), {"Location": _sample_url(sample.id)}


@bp.get("/rubric")
@requires("sample.view")
@bp.etag
@bp.response(200, RubricSchema)
def rubric():
    """The current rubric: each criterion's key, title, question and what earns a 0, 1 or 2."""
    return scoring.current_rubric()


@bp.get("/<int:sample_id>")
@requires("sample.view")
@bp.etag
@bp.response(200, SampleSchema)
def sample(sample_id: int):
    """One sample: how it was drawn (period, size, seed, population size and hash) and each sampled
    assessment with its scorings and findings."""
    return sample_data(_sample_or_404(sample_id))


@bp.post("/<int:sample_id>/verification")
@requires("sample.view")
@bp.response(200, VerificationSchema)
def verify(sample_id: int):
    """Draw the sample again from its stored seed and population and compare it with the stored
    sample and the audit-log entry of the draw ("Check the draw"); the check is audit-logged."""
    sample = _sample_or_404(sample_id)
    result = sampling.check_draw(sample, by=api_user())
    db.session.commit()
    return {
        "sample_id": sample.id,
        "matches": result.matches,
        "problems": result.problems,
        "seed": sample.seed,
        "population_hash": sample.population_hash,
    }


# Scoring -------------------------------------------------------------------------------------------


@bp.get("/<int:sample_id>/items/<int:item_id>")
@requires("sample.view")
@bp.etag
@bp.response(200, SampleItemSchema)
def item(sample_id: int, item_id: int):
    """One sampled assessment with every scoring of it (the latest last) and their findings."""
    found, eia = _item_or_404(_sample_or_404(sample_id), item_id)
    if not can(api_user(), "eia.view", eia):
        raise NotFound(f"Sample {sample_id} has no item {item_id}.")
    return _one_item_data(found, eia)


def _scorable(sample_id: int, item_id: int) -> dict[str, Any]:
    user = api_user()
    permit(user, "sample.view")
    found, eia = _item_or_404(_sample_or_404(sample_id), item_id)
    permit(user, "sample.score", eia)
    return {"item": found, "eia": eia}


@bp.post("/<int:sample_id>/items/<int:item_id>/scores")
@before_body(_scorable)
@bp.arguments(ScoreInputSchema, location="json")
@bp.response(201, QualityScoreSchema)
def score(values: dict[str, Any], item: SampleItem, eia: Eia):
    """Score a sampled assessment 0, 1 or 2 on every criterion of the current rubric, with comments,
    a summary and findings (each an action for its owner, the author by default, with a due date).
    A scoring of an item scored before is a re-test of the latest one. The assessment never changes."""
    user = api_user()
    rubric = scoring.current_rubric()
    check_scores(rubric, values, {int(value) for value, _ in eia_queries.people_choices()})
    result = scoring.score_item(item, rubric=rubric, by=user, **values)
    db.session.commit()
    names = _names({result.scored_by_id} | {f.owner_id for f in result.findings})
    location = url_for("quality_audits.item", sample_id=item.sample_id, item_id=item.id)
    return _score_data(result, names), {"Location": location}


def _moderatable(sample_id: int, item_id: int, score_id: int) -> dict[str, Any]:
    user = api_user()
    permit(user, "sample.view")
    found, eia = _item_or_404(_sample_or_404(sample_id), item_id)
    score = next((s for s in found.scores if s.id == score_id), None)
    if score is None or not can(user, "eia.view", eia):
        raise NotFound(f"Item {item_id} of sample {sample_id} has no scoring {score_id}.")
    permit(user, "sample.score", eia)
    permit(user, "sample.moderate", score)
    return {"score": score, "eia": eia}


@bp.post("/<int:sample_id>/items/<int:item_id>/scores/<int:score_id>/moderation")
@before_body(_moderatable)
@bp.arguments(ModerateInputSchema, location="json")
@bp.response(201, QualityScoreSchema)
def moderate(values: dict[str, Any], score: QualityScore, eia: Eia):
    """Moderate a scoring: a second member of the equalities team (never the one who gave it) agrees,
    or gives a score for every criterion of the scoring's rubric with a note. Both are kept; where
    they differ, the moderated scores count in the averages and the annual report. Once only (409)."""
    if not values["agrees"]:
        check_scores(score.rubric, {"scores": values["scores"], "comments": {}, "findings": []}, set())
    moderation.moderate_score(
        score, agrees=values["agrees"], scores=values["scores"], note=values["note"], by=api_user()
    )
    db.session.commit()
    location = url_for("quality_audits.item", sample_id=score.item.sample_id, item_id=score.item_id)
    return _score_data(score, _names(_score_people(score.item))), {"Location": location}


# Findings ------------------------------------------------------------------------------------------


@bp.get("/findings/<int:finding_id>")
@bp.etag
@bp.response(200, FindingDetailSchema)
def finding(finding_id: int):
    """A finding: what to put right in which assessment, who owns it, by when, and whether it is done.
    Its owner, the equalities team, administrators and decision makers read it."""
    return finding_data(_visible_finding(finding_id))


def _closable(finding_id: int) -> dict[str, Any]:
    found = _visible_finding(finding_id)
    permit(api_user(), "finding.close", found)
    return {"finding": found}


@bp.post("/findings/<int:finding_id>/done")
@before_body(_closable)
@bp.etag
@bp.arguments(CloseFindingInputSchema, location="json")
@bp.response(200, FindingDetailSchema)
def mark_done(values: dict[str, Any], finding: Finding):
    """Mark a finding done, saying what was done (its owner or the equalities team). If-Match takes
    the ETag of ``GET /samples/findings/{finding_id}``; a finding already done is a 409."""
    bp.check_etag(finding_data(finding), FindingDetailSchema)
    scoring.close_finding(finding, note=values["note"], expected_version=finding.version, by=api_user())
    db.session.commit()
    return finding_data(finding)
