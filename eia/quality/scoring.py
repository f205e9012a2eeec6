"""Scoring a sampled EIA against the rubric, and the findings that become actions for their owners.

The overall rating: **good** when the score is at least 80% of the points available and no criterion
scored 0; **inadequate** below 50%; **requires improvement** otherwise. From rubric version 2 a
criterion may be scored "not applicable" (no score, ``None``) where the rubric allows it: it is left
out of the points available, and the rule is applied to the applicable criteria only.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from eia.assessments.models import Eia
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ConflictError, NotFound, ValidationFailed, check_version
from eia.extensions import db
from eia.quality.models import CriterionScore, Finding, FindingStatus, QualityScore, Rating, Rubric, SampleItem
from forms.rubrics import SCORES, load_rubric, shipped_rubrics

GOOD_SHARE, ADEQUATE_SHARE = 0.8, 0.5


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, Any], ...]:
    """The rubric files shipped with the app, read once per process."""
    return tuple(load_rubric(path) for path in shipped_rubrics())


def load_shipped_rubrics(*, by: Any) -> list[Rubric]:
    """Add each rubric version shipped under forms/rubrics/ that the database lacks (audit-logged)."""
    have = {(key, version) for key, version in db.session.execute(select(Rubric.key, Rubric.version))}
    loaded = []
    for data in _shipped():
        if (data["key"], data["version"]) not in have:
            rubric = Rubric(**data)
            db.session.add(rubric)
            db.session.flush()
            audit.record("rubric_loaded", rubric, by=by, entity_type="rubric", detail=f"{rubric.key} v{rubric.version}")
            loaded.append(rubric)
            have.add((data["key"], data["version"]))
    return loaded


def shipped_rubrics_loaded(_sender: Any, *, by: Any) -> list[str]:
    """The ``eia.signals.shipped_loaded`` receiver: the shipped quality rubrics, a line each."""
    return [f"Loaded the {r.key} rubric, version {r.version}." for r in load_shipped_rubrics(by=by)]


def current_rubric(key: str = "quality") -> Rubric:
    """The newest version of the rubric (reading only: shipped versions are loaded by ``eia forms load``).

    :raises NotFound: when no version is loaded.
    """
    rubric = db.session.execute(
        select(Rubric).where(Rubric.key == key).order_by(Rubric.version.desc()).limit(1)
    ).scalar_one_or_none()
    if rubric is None:
        raise NotFound("No quality rubric is loaded yet: an administrator loads it with `eia forms load`.")
    return rubric


def rate(points: int, max_points: int, *, any_absent: bool) -> Rating:
    """The overall rating by the rule in this module's docstring."""
    share = points / max_points if max_points else 0
    if share >= GOOD_SHARE and not any_absent:
        return Rating.GOOD
    return Rating.INADEQUATE if share < ADEQUATE_SHARE else Rating.REQUIRES_IMPROVEMENT


def check_criterion_scores(rubric: Rubric, scores: dict[str, int | None]) -> None:
    """A score of 0, 1 or 2 for every criterion, or None (not applicable) where the rubric allows it,
    and at least one criterion applicable.

    :raises ValidationFailed: naming each criterion at fault.
    """
    missing = {
        f"score_{c['key']}": (
            f"Score '{c['title']}' 0, 1 or 2, or not applicable"
            if "not_applicable" in c
            else f"Score '{c['title']}' 0, 1 or 2"
        )
        for c in rubric.criteria
        if c["key"] not in scores
        or (scores[c["key"]] is None and "not_applicable" not in c)
        or (scores[c["key"]] is not None and scores[c["key"]] not in SCORES)
    }
    if missing:
        raise ValidationFailed("Scores missing", missing)
    if all(scores[c["key"]] is None for c in rubric.criteria):
        first = rubric.criteria[0]
        raise ValidationFailed("Nothing applicable", {f"score_{first['key']}": "Score at least one criterion"})


def totals(rubric: Rubric, scores: dict[str, int | None]) -> tuple[int, int, Rating]:
    """The points, the points available (two for each applicable criterion) and the rating."""
    values = [value for c in rubric.criteria if (value := scores.get(c["key"])) is not None]
    points, max_points = sum(values), 2 * len(values)
    return points, max_points, rate(points, max_points, any_absent=0 in values)


def score_item(
    item: SampleItem,
    *,
    rubric: Rubric,
    scores: dict[str, int | None],
    comments: dict[str, str],
    summary: str,
    findings: list[dict[str, Any]],
    by: Any,
    at: datetime | None = None,
    scored_before: int | None = None,
) -> QualityScore:
    """Score a sampled EIA against *rubric*; if it was scored before, this is a re-test of the latest
    scoring. Findings become actions for their owners (the author, where a finding names no owner).
    Nothing about the EIA or its evidence changes.

    :raises ValidationFailed: naming each criterion without a score of 0, 1 or 2 (or not
        applicable, where the rubric allows it).
    :raises ConflictError: when *scored_before* (the scorings the form was opened with) is out of
        date: the form was sent twice, or someone else scored it meanwhile.
    """
    if scored_before is not None and scored_before != len(item.scores):
        raise ConflictError(
            "This assessment was scored after you opened the form (or the form was sent twice). "
            "Nothing was saved: open the sample again to see the scores."
        )
    check_criterion_scores(rubric, scores)
    points, max_points, rating = totals(rubric, scores)
    eia = db.session.get_one(Eia, item.eia_id)
    previous = item.scores[-1] if item.scores else None
    result = QualityScore(
        rubric_id=rubric.id,
        retest_of_id=previous.id if previous else None,
        points=points,
        max_points=max_points,
        rating=rating,
        summary=summary.strip(),
        scored_by_id=by.id,
        scored_at=at or utcnow(),
    )
    result.criteria = [
        CriterionScore(criterion=c["key"], score=scores[c["key"]], comment=(comments.get(c["key"]) or "").strip())
        for c in rubric.criteria
    ]
    result.findings = [
        Finding(
            eia_id=item.eia_id,
            criterion=f.get("criterion") or None,
            text=f["text"].strip(),
            owner_id=f.get("owner_id") or eia.author_id,
            due_on=f["due_on"],
        )
        for f in findings
    ]
    item.scores.append(result)
    db.session.flush()
    audit.record(
        "sample_retested" if previous else "sample_scored",
        result,
        by=by,
        entity_type="quality_score",
        detail=f"{eia.reference} in sample {item.sample_id}: {points}/{max_points}, {result.rating.label}"
        + (f" (re-test of score {previous.id})" if previous else "")
        + (f"; {len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else ""),
        changes={
            **{c.criterion: [None, "not applicable" if c.score is None else c.score] for c in result.criteria},
            **{f"comment.{c.criterion}": [None, c.comment] for c in result.criteria if c.comment},
            **({"summary": [None, result.summary]} if result.summary else {}),
        },
    )
    for finding in result.findings:
        audit.record(
            "finding_raised",
            finding,
            by=by,
            entity_type="quality_finding",
            detail=f"{eia.reference}: due {finding.due_on:%Y-%m-%d}",
            changes={
                "text": [None, finding.text],
                "criterion": [None, finding.criterion],
                "owner_id": [None, finding.owner_id],
                "due_on": [None, finding.due_on.isoformat()],
            },
        )
    return result


def close_finding(finding: Finding, *, note: str, expected_version: int, by: Any) -> None:
    """Mark a finding done, saying what was done.

    :raises ValidationFailed: without a note. :raises ConflictError: if it changed meanwhile.
    """
    check_version(
        finding,
        expected_version,
        "This finding was changed by someone else after you opened the page. Nothing was saved.",
    )
    if finding.status is FindingStatus.DONE:
        raise ConflictError("This finding is already done.")
    if not note.strip():
        raise ValidationFailed("Say what was done", {"note": "Say what was done to put this right"})
    finding.status = FindingStatus.DONE
    finding.done_note = note.strip()
    finding.done_at = utcnow()
    changes = audit.field_changes(finding)
    db.session.flush()
    audit.record("finding_done", finding, by=by, entity_type="quality_finding", changes=changes)
