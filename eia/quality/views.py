"""Quality-audit pages: the quarterly dashboard, drawing a sample, scoring, findings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from eia.accounts import queries as accounts
from eia.assessments import queries as eia_queries
from eia.assessments.models import Eia
from eia.assessments.queries import financial_year_of
from eia.extensions import db
from eia.forms_support import Conflict, bind_form, submit_form
from eia.page_cache import signed_in_page
from eia.permissions import can, permit
from eia.quality import moderation, queries, sampling, scoring
from eia.quality.models import Finding, QualityScore, Sample, SampleItem
from eia.web import form_version, int_arg, paginate
from eia.working_days import uk_today
from forms.samples import (
    FINDING_SLOTS,
    CloseFindingForm,
    DrawSampleForm,
    moderate_form_class,
    moderation_values,
    score_form_class,
    scoring_values,
)
from forms.strata import STRATA

bp = Blueprint("samples", __name__, url_prefix="/samples")


@bp.get("/")
@login_required
@signed_in_page
def index():
    """The year's quarters against the target, average scores, common findings, and the samples."""
    permit(current_user, "sample.view")
    today = uk_today()
    year = int_arg("year", financial_year_of(today), minimum=2000, maximum=2100)
    rubric = scoring.current_rubric()
    db.session.commit()
    return render_template(
        "samples/index.html",
        year=year,
        years=list(range(financial_year_of(today), financial_year_of(today) - 6, -1)),
        quarters=queries.quarterly_results(year, current_app.config["EIA_AUDITS_PER_QUARTER"], today),
        averages=queries.criterion_averages(year, rubric),
        findings=queries.common_findings(year, rubric),
        page=paginate(queries.samples(), per_page=25),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    permit(current_user, "sample.draw")
    form = bind_form(
        DrawSampleForm,
        service_areas=accounts.service_area_choices(include_blank=False),
        data={"exclude_months": str(current_app.config["EIA_SAMPLE_EXCLUDE_MONTHS"]), "per_service_area": "no"},
    )
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: sampling.draw_requested(form.values(), by=current_user),
            saved=lambda sample: (
                f"Sample drawn: {len(sample.items)} assessment{'' if len(sample.items) == 1 else 's'}. It is now frozen."
            ),
            then=lambda sample: url_for("samples.show", sample_id=sample.id),
        )
        if done is not None:
            return done
    return render_template("samples/new.html", form=form, strata=STRATA)


def _sample_or_404(sample_id: int) -> Sample:
    sample = queries.sample_or_none(sample_id)
    if sample is None:
        abort(404)
    return sample


def _item_or_404(sample: Sample, item_id: int) -> tuple[SampleItem, Eia]:
    item = db.session.get(SampleItem, item_id)
    if item is None or item.sample_id != sample.id:
        abort(404)
    return item, db.session.get_one(Eia, item.eia_id)


def _score_or_404(found: SampleItem, score_id: int) -> QualityScore:
    score = next((s for s in found.scores if s.id == score_id), None)
    if score is None:
        abort(404)
    return score


def _sample_page(sample: Sample, verification: sampling.Verification | None = None) -> str:
    eias = queries.item_references(sample)
    return render_template(
        "samples/show.html",
        sample=sample,
        eias=eias,
        # Decision makers never see individual-action assessments, even sampled.
        visible={e.id for e in eias.values() if can(current_user, "eia.view", e)},
        areas={a.id: a.full_name for a in accounts.service_areas()},
        drawn_by=eia_queries.user_names({sample.drawn_by_id} if sample.drawn_by_id else set()),
        strata=STRATA,
        strata_counts=sampling.stratum_counts(sample),
        verification=verification,
    )


@bp.get("/<int:sample_id>")
@login_required
def show(sample_id: int):
    permit(current_user, "sample.view")
    return _sample_page(_sample_or_404(sample_id))


@bp.post("/<int:sample_id>/verify")
@login_required
def verify(sample_id: int):
    """Draw again from the stored seed and population and say whether it matches (audit-logged)."""
    permit(current_user, "sample.view")
    sample = _sample_or_404(sample_id)
    result = sampling.check_draw(sample, by=current_user)
    db.session.commit()
    return _sample_page(sample, result)


@bp.get("/<int:sample_id>/items/<int:item_id>")
@login_required
def item(sample_id: int, item_id: int):
    permit(current_user, "sample.view")
    sample = _sample_or_404(sample_id)
    _item_or_404(sample, item_id)
    found = queries.item_with_scores(item_id)
    eia = db.session.get(Eia, found.eia_id) if found is not None else None
    if found is None or eia is None:
        abort(404)
    permit(current_user, "eia.view", eia)
    people = {f.owner_id for s in found.scores for f in s.findings} | {s.scored_by_id for s in found.scores}
    people |= {s.moderation.moderated_by_id for s in found.scores if s.moderation}
    return render_template(
        "samples/item.html", sample=sample, item=found, eia=eia, names=eia_queries.user_names(people)
    )


@bp.route("/<int:sample_id>/items/<int:item_id>/score", methods=["GET", "POST"])
@login_required
def score(sample_id: int, item_id: int):
    """Score a sampled assessment against the rubric (a re-test when it was scored before)."""
    sample = _sample_or_404(sample_id)
    found, eia = _item_or_404(sample, item_id)
    permit(current_user, "sample.score", eia)
    rubric = scoring.current_rubric()
    form_class = score_form_class(rubric.criteria, eia_queries.people_choices())
    form = bind_form(form_class, data={"scored_before": str(len(found.scores))})
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: scoring.score_item(
                found,
                rubric=rubric,
                by=current_user,
                scored_before=form_version(form.scored_before),
                **scoring_values(form, rubric.criteria),
            ),
            saved=f"Scores for {eia.reference} saved. The assessment itself is unchanged.",
            then=url_for("samples.item", sample_id=sample.id, item_id=found.id),
        )
        if done is not None:
            return done
    page = {"sample": sample, "item": found, "eia": eia, "rubric": rubric, "slots": FINDING_SLOTS}
    return render_template("samples/score.html", form=form, **page)


@bp.route("/<int:sample_id>/items/<int:item_id>/scores/<int:score_id>/moderate", methods=["GET", "POST"])
@login_required
def moderate(sample_id: int, item_id: int, score_id: int):
    """A second member of the equalities team agrees with a scoring, or gives their own scores."""
    sample = _sample_or_404(sample_id)
    found, eia = _item_or_404(sample, item_id)
    score = _score_or_404(found, score_id)
    permit(current_user, "sample.score", eia)
    permit(current_user, "sample.moderate", score)
    form = bind_form(moderate_form_class(score.rubric.criteria))
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: moderation.moderate_score(score, by=current_user, **moderation_values(form, score.rubric.criteria)),
            saved=f"Moderation of the scoring of {eia.reference} saved. The first scores are kept.",
            then=url_for("samples.item", sample_id=sample.id, item_id=found.id),
        )
        if done is not None:
            return done
    page = {"sample": sample, "item": found, "eia": eia, "score": score}
    return render_template(
        "samples/moderate.html", form=form, names=eia_queries.user_names({score.scored_by_id}), **page
    )


@bp.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@login_required
def finding(finding_id: int):
    """A finding: what to put right, by when; its owner (or the equalities team) marks it done."""
    found = db.get_or_404(Finding, finding_id)
    permit(current_user, "finding.view", found)
    eia = db.session.get(Eia, found.eia_id)
    permit(current_user, "eia.view", eia)
    if request.method == "POST":
        permit(current_user, "finding.close", found)
    form = bind_form(CloseFindingForm, data={"version": str(found.version)})
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: scoring.close_finding(
                found, note=form.note.data, expected_version=form_version(form.version), by=current_user
            ),
            saved="Finding marked as done.",
            then=url_for("samples.finding", finding_id=found.id),
            conflict=Conflict(found, lambda saved: {"note": saved.done_note}, "This finding"),
        )
        if done is not None:
            return done
    return render_template(
        "samples/finding.html",
        finding=found,
        eia=eia,
        **queries.finding_page(found),
        form=form if can(current_user, "finding.close", found) else None,
    )
