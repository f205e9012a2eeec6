"""Demo quality audits: a sample drawn after each past quarter that had completed EIAs, one EIA scored
two weeks later with a finding where it fell short, so the quality-audit page has a history. The
older year is scored on rubric version 1, the latest on version 2 (with "not applicable" where it
rightly applies); a second member of the equalities team moderates the latest scorings (agreeing
with one, giving their own scores on another); and the latest quarter also has a risk-weighted draw."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from eia.accounts.models import Role, User
from eia.assessments.models import Eia
from eia.assessments.queries import financial_year_of
from eia.demo.story import told_at
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.quality import moderation, sampling, scoring
from eia.quality.models import Rubric, Sample

#: Criteria the demo audits found weak, by quarter number: (criterion, score, finding).
WEAK_SPOTS = {
    1: ("evidence", 1, "Say which data on disabled residents is missing and how it will be collected."),
    2: ("engagement", 0, "Record who was engaged on the equality impacts and what they said."),
    3: ("monitoring", 1, "Add how the actual impact will be monitored, and by whom."),
    4: ("intersectional", 1, "Consider the combined effect on older disabled residents."),
}


def load_demo_samples(today: date) -> int:
    """Draw and score the demo samples once (none when samples exist); returns how many were drawn."""
    if db.session.execute(select(func.count()).select_from(Sample)).scalar_one():
        return 0
    team = list(db.session.execute(select(User).where(User.role == Role.EQUALITIES).order_by(User.id)).scalars())
    if not team:
        return 0
    auditor, moderator = team[0], team[1] if len(team) > 1 else None
    rubric = scoring.current_rubric()
    first_rubric = db.session.execute(
        select(Rubric).where(Rubric.key == rubric.key).order_by(Rubric.version).limit(1)
    ).scalar_one()
    scored = []
    drawn = 0
    this_year = financial_year_of(today)
    for year in (this_year - 2, this_year - 1):
        for number in range(1, 5):
            period = sampling.quarter(year, number)
            at = datetime.combine(period.end + timedelta(days=14), time(10), tzinfo=UTC)
            # Each quarter's sample is audited in the next quarter; skipping one leaves a quarter missed.
            if at.date() >= today or (year, number) == (this_year - 1, 1):
                continue
            try:
                with told_at(at):
                    sample = sampling.draw_sample(
                        period=period, size="1", seed=f"demo-{period.label}", exclude_months=12, by=auditor, at=at
                    )
            except ValidationFailed:
                continue  # nothing completed that quarter
            item = sample.items[0]
            drawn += 1
            sampled = db.session.get_one(Eia, item.eia_id)
            eia_author = sampled.author_id
            if eia_author == auditor.id:
                continue  # auditors never score their own assessments
            key, score, finding = WEAK_SPOTS[number]
            used = first_rubric if year < this_year - 1 else rubric
            # "Not applicable" where it rightly applies: the Covenant criterion for a proposal touching
            # no function the duty covers, and human rights where none are engaged.
            covered = set(sampled.answers("armed_forces").get("relevant_functions") or []) | set(
                sampled.answers("screening").get("covenant_functions") or []
            )
            rights = sampled.answers("rights").get("human_rights_engaged") == "yes"
            unasked = ({"covenant"} if covered <= {"none"} else set()) | (set() if rights else {"human_rights"})
            not_applicable = unasked & {c["key"] for c in used.criteria if "not_applicable" in c}
            with told_at(at + timedelta(days=7)):
                given = scoring.score_item(
                    item,
                    rubric=used,
                    scores={
                        c["key"]: None if c["key"] in not_applicable else score if c["key"] == key else 2
                        for c in used.criteria
                    },
                    comments={key: finding},
                    summary="A clear assessment; one area to strengthen.",
                    findings=[
                        {
                            "text": finding,
                            "criterion": key,
                            "owner_id": eia_author,
                            "due_on": at.date() + timedelta(days=60),
                        }
                    ],
                    by=auditor,
                    at=at + timedelta(days=7),
                )
            scored.append((given, key, at + timedelta(days=21)))
    if moderator is not None:
        _moderate(scored, moderator)
    drawn += _risk_weighted_draw(today, auditor)
    _close_past_findings(today)
    return drawn


#: What the authors did about their findings, by criterion.
PUT_RIGHT = {
    "evidence": "Added the missing data on disabled residents, and the monitoring question that will collect it.",
    "engagement": "Added who we met from the Disability Forum and the Older People's Forum, and what they said.",
    "monitoring": "Added the quarterly report to the management team and who prepares it.",
    "intersectional": "Added a paragraph on older disabled residents, who are affected by both changes.",
}


def _close_past_findings(today: date) -> None:
    """The authors put right the findings that fell due before today, all but the latest, which is
    left overdue so the dashboard shows what an overdue finding looks like."""
    from eia.quality.models import Finding, FindingStatus

    due = (
        db.session.execute(
            select(Finding).where(Finding.status == FindingStatus.OPEN, Finding.due_on < today).order_by(Finding.due_on)
        )
        .scalars()
        .all()
    )
    for finding in due[:-1]:
        owner = db.session.get(User, finding.owner_id)
        done = datetime.combine(finding.due_on - timedelta(days=10), time(15), tzinfo=UTC)
        with told_at(done):
            scoring.close_finding(
                finding,
                note=PUT_RIGHT.get(finding.criterion or "", "Put right in the assessment and its action plan."),
                expected_version=finding.version,
                by=owner,
            )
        finding.done_at = done


def _moderate(scored: list, moderator: User) -> None:
    """The two latest scorings moderated: one agreed, one marked down on its weak spot."""
    if len(scored) >= 2:
        agreed, _, when = scored[-2]
        with told_at(when):
            moderation.moderate_score(agreed, agrees=True, scores=None, note="", by=moderator, at=when)
    if scored:
        last, key, when = scored[-1]
        scores = {c.criterion: c.score for c in last.criteria}
        if scores.get(key):
            scores[key] -= 1
        with told_at(when):
            moderation.moderate_score(
                last,
                agrees=False,
                scores=scores,
                note="Read the consultation report again: what people said about the impacts is not in the assessment, "
                "so I have marked this criterion down. The rest stands.",
                by=moderator,
                at=when,
            )


def _risk_weighted_draw(today: date, auditor: User) -> int:
    """A risk-weighted sample of the latest finished quarter with completed assessments, leaning
    towards budget proposals and taking at least one key decision."""
    year = financial_year_of(today)
    quarters = [sampling.quarter(y, n) for y in (year - 1, year) for n in range(1, 5)]
    for period in reversed([q for q in quarters if q.end + timedelta(days=14) < today]):
        at = datetime.combine(period.end + timedelta(days=10), time(11), tzinfo=UTC)
        try:
            with told_at(at):
                sampling.draw_sample(
                    period=period,
                    size="1",
                    seed=f"demo-risk-{period.label}",
                    exclude_months=0,
                    strata=[{"key": "budget", "weight": 3}, {"key": "key_decision", "minimum": 1}],
                    by=auditor,
                    at=at,
                )
        except ValidationFailed:
            continue  # nothing completed that quarter
        return 1
    return 0
