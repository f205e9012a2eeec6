"""Moderation of a scoring: a second member of the equalities team agrees with it, or gives their own
scores and a note. Both are kept; where they differ, the moderated scores are what count in the
averages, the quarter's figures and the annual report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eia.assessments.models import Eia
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ConflictError, PermissionDenied, ValidationFailed
from eia.extensions import db
from eia.quality.models import ModeratedCriterionScore, Moderation, QualityScore
from eia.quality.scoring import check_criterion_scores, totals


def moderate_score(
    score: QualityScore,
    *,
    agrees: bool,
    scores: dict[str, int | None] | None,
    note: str,
    by: Any,
    at: datetime | None = None,
) -> Moderation:
    """Moderate *score* against the rubric it was given on: agree, or give every criterion's score
    (None: not applicable, where that rubric allows it) with a note saying why.

    :raises PermissionDenied: if *by* gave the scoring. :raises ConflictError: if it is moderated
        already. :raises ValidationFailed: naming each criterion without a score, or a missing note.
    """
    if score.scored_by_id == by.id:
        raise PermissionDenied("A scoring is moderated by someone other than the person who gave it.")
    if score.moderation is not None:
        raise ConflictError("This scoring has been moderated already. Nothing was saved.")
    rubric = score.rubric
    note = (note or "").strip()
    if agrees:
        points, max_points, rating = score.points, score.max_points, score.rating
        scores = {}
    else:
        scores = scores or {}
        try:
            check_criterion_scores(rubric, scores)
        except ValidationFailed as exc:
            problems = dict(exc.fields)
        else:
            problems = {}
        if not note:
            problems["note"] = "Say why your scores differ"
        if problems:
            raise ValidationFailed("Scores or note missing", problems)
        points, max_points, rating = totals(rubric, scores)
    moderation = Moderation(
        agrees=agrees,
        note=note,
        points=points,
        max_points=max_points,
        rating=rating,
        moderated_by_id=by.id,
        moderated_at=at or utcnow(),
    )
    moderation.criteria = [
        ModeratedCriterionScore(criterion=c["key"], score=scores[c["key"]]) for c in rubric.criteria if not agrees
    ]
    score.moderation = moderation
    db.session.flush()
    eia = db.session.get(Eia, score.item.eia_id)
    reference = eia.reference if eia is not None else f"assessment {score.item.eia_id}"
    original = {c.criterion: c.score for c in score.criteria}
    audit.record(
        "score_moderated",
        moderation,
        by=by,
        entity_type="quality_moderation",
        detail=f"{reference}, scoring {score.id}: "
        + (
            f"agreed ({score.points}/{score.max_points}, {score.rating.label})"
            if agrees
            else f"{score.points}/{score.max_points} moderated to {points}/{max_points}, {rating.label}"
        ),
        changes={
            "agrees": [None, agrees],
            **({"note": [None, note]} if note else {}),
            **{
                f"score.{key}": [original.get(key), value]
                for key, value in scores.items()
                if value != original.get(key)
            },
        },
    )
    return moderation
