"""EIA pages: start one, its task list, and one page per section with "Save and continue"."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from eia import signals
from eia.accounts import queries as accounts
from eia.assessments import committee, decisions, impact_views, mitigations, queries, services
from eia.assessments.schemas import EiaListArgs
from eia.assessments.section_pages import SectionPage, save_section_form, section_form
from eia.assessments.states import PROPOSAL_TYPES, EiaKind, EiaState, SectionStatus
from eia.assessments.transitions import Transition
from eia.assessments.workflow import available_transitions
from eia.auditlog import services as audit
from eia.csv_export import csv_lines
from eia.extensions import db
from eia.forms_support import Conflict, bind_form, submit_form
from eia.page_cache import signed_in_page
from eia.permissions import can, permit
from eia.web import filter_args, form_version, paginate
from eia.working_days import uk_day, uk_today
from forms.eia import NewEiaForm
from forms.impacts import MitigationForm
from forms.sections import answers_from, section_form_class

bp = Blueprint("assessments", __name__, url_prefix="/eias")


PAGE_SIZE = 25
LIST_FILTERS = (
    "q",
    "service_area",
    "state",
    "type",
    "year",
    "negative",
    "timing_started",
    "timing_review",
    "timing_approved",
    "timing_decision",
    "at_risk",
)


def _list_filter() -> queries.EiaFilter:
    """The list's filters from the query string, read as the API reads them.

    :raises werkzeug.exceptions.BadRequest: naming each filter with a value it does not take.
    """
    try:
        return EiaListArgs().load(request.args)
    except ValidationError as exc:
        abort(400, " ".join(f"{message}." for messages in exc.normalized_messages().values() for message in messages))


@bp.get("/")
@login_required
@signed_in_page
def index():
    permit(current_user, "eia.list")
    filters = _list_filter()
    page = paginate(queries.with_list_details(queries.eias(current_user, filters)), per_page=PAGE_SIZE)
    this_year = queries.financial_year_of(uk_today())
    return render_template(
        "assessments/index.html",
        page=page,
        filters=request.args,
        filter_args=filter_args(*LIST_FILTERS),
        options={
            "service_area": accounts.service_area_choices(include_blank=False),
            "state": [(state.value, state.label) for state in EiaState],
            "type": PROPOSAL_TYPES,
            "year": [(str(y), f"{y}/{str(y + 1)[-2:]}") for y in range(this_year, this_year - 6, -1)],
            "negative": [(c.key, c.name) for c in queries.characteristics()],
            "timing": [(t.value, t.label) for t in decisions.Timing],
        },
        review_target=current_app.config["EIA_REVIEW_TARGET_WORKING_DAYS"],
    )


@bp.post("/export.csv")
@login_required
def export():
    permit(current_user, "eia.list")
    rows = [
        (
            e.reference,
            e.title,
            e.service_area.full_name,
            e.kind.value,
            e.proposal_type or "",
            e.state.label,
            e.outcome or "",
            e.review_date.isoformat() if e.review_date else "",
            uk_day(e.updated_at).isoformat(),
        )
        for e in db.session.execute(queries.with_list_details(queries.eias(current_user, _list_filter()))).scalars()
    ]
    audit.record("eias_exported", by=current_user, entity_type="eia", detail=f"{len(rows)} assessments")
    db.session.commit()
    header = ("reference", "title", "service_area", "kind", "type", "state", "outcome", "review_date", "updated_on")
    return Response(
        csv_lines(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="equality-impact-assessments.csv"'},
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    permit(current_user, "eia.create")
    areas = [(str(area.id), area.full_name) for area in accounts.areas_for(current_user)]
    own = str(current_user.service_area_id or "")
    offered = signals.values_from(signals.start_options.send(None, user=current_user))
    rounds = [choice for found in offered for choice in found.get("round_id", [])]
    form = bind_form(NewEiaForm, service_areas=areas, rounds=rounds, data={"service_area_id": own})
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.start_eia(
                kind=EiaKind(form.kind.data),
                title=form.title.data,
                service_area_id=form.area_id(),
                by=current_user,
                options={"round_id": form.round_id.data or ""},
            ),
            saved=lambda eia: f"{eia.reference} started. Work through the sections in any order.",
            then=lambda eia: url_for("assessments.show", reference=eia.reference),
        )
        if done is not None:
            return done
    return render_template("assessments/new.html", form=form)


@bp.get("/<reference>")
@login_required
@signed_in_page
def show(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    return render_task_list(eia)


def render_task_list(eia, *, problems: list[dict] | None = None) -> str:
    """The assessment's page: its task list, the steps this person can take, and (after a refused
    submission) what is missing."""
    tasks = services.task_list(eia)
    needed = [task for task in tasks if task.needed]
    return render_template(
        "assessments/show.html",
        eia=eia,
        tasks=tasks,
        done=sum(task.status is SectionStatus.COMPLETED for task in needed),
        needed=len(needed),
        # "You have completed" is for the people writing it; a reviewer or decision maker reads a count.
        writes_it=current_user.id in eia.writer_ids,
        can_edit=can(current_user, "eia.edit", eia) and eia.state.is_editable,
        actions=workflow_actions(eia),
        problems=problems,
        timings=decisions.timeliness(eia),
        new_version_advice=decisions.new_version_advice(eia) if can(current_user, "eia.submit", eia) else None,
        whats_new=queries.whats_new(eia) if eia.state.is_editable else [],
        implications=committee.equality_implications(eia) if committee.has_implications(eia) else None,
        panels=signals.values_from(signals.eia_panels.send(None, eia=eia, page="show", user=current_user)),
        returned=_why_returned(eia),
    )


def _why_returned(eia) -> dict | None:
    """Why a returned assessment came back: the latest return's comment, who made it (the equalities
    team, or the decision maker sending it back) and when."""
    returns = [c for c in eia.comments if c.transition in ("return", "send_back_to_author")]
    if eia.state is not EiaState.RETURNED or not returns:
        return None
    latest = returns[-1]
    return {
        "comment": latest,
        "by": queries.user_names({latest.author_id}).get(latest.author_id, ""),
        "by_decision_maker": latest.transition == "send_back_to_author",
    }


@bp.route("/<reference>/sections/<key>", methods=["GET", "POST"], defaults={"part": 1})
@bp.route("/<reference>/sections/<key>/<int:part>", methods=["GET", "POST"])
@login_required
@signed_in_page
def section(reference: str, key: str, part: int):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    definition = eia.form.section(key)
    saved = eia.section(key)
    if definition is None or saved is None:
        abort(404)
    if definition.kind == "impacts":
        return impact_views.directions(eia, definition, saved)
    template = "assessments/mitigations.html" if definition.kind == "mitigations" else "assessments/section.html"
    return _questions_page(eia, definition, saved, template=template, part=part)


def _questions_page(eia, definition, saved, *, template: str, part: int):
    editable = can(current_user, "eia.edit", eia) and eia.state.is_editable
    page = SectionPage.of(eia, definition, part)
    form_class = section_form_class(definition, queries.people_choices(), page.questions, last=page.is_last)
    form = section_form(eia, form_class, saved, definition, page=page)
    if request.method == "POST":
        done = save_section_form(
            eia,
            definition,
            form,
            lambda **common: services.save_section(
                eia, definition.key, answers_from(form, definition), part=page.keys, **common
            ),
            then=page.next_url,
        )
        if done is not None:
            return done
    return render_template(
        template,
        eia=eia,
        section=definition,
        page=page,
        saved=saved,
        form=form,
        editable=editable,
        readable=queries.readable_answers(definition, saved.answers),
        fallback_guidance=queries.guidance_for(eia, definition) if editable else {},
        section_comments=queries.section_comments(eia, definition.key, current_user),
        can_reply=can(current_user, "eia.edit", eia) and eia.state.is_editable,
        unmitigated=mitigations.unmitigated_impacts(eia),
        owners=queries.user_names({m.owner_id for m in eia.mitigations}),
    )


@bp.route("/<reference>/mitigations/new", methods=["GET", "POST"])
@bp.route("/<reference>/mitigations/<int:mitigation_id>", methods=["GET", "POST"])
@login_required
def mitigation(reference: str, mitigation_id: int | None = None):
    eia = _editable_eia(reference)
    existing = _mitigation_or_404(eia, mitigation_id) if mitigation_id else None
    negatives = [(str(i.characteristic_id), i.characteristic.name) for i in eia.impacts if i.is_negative]
    data = MitigationForm.data_from(existing) if existing is not None and request.method == "GET" else None
    form = bind_form(MitigationForm, impacts=negatives, people=queries.people_choices(), data=data)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: (
                mitigations.add_mitigation(eia, form.values(), by=current_user)
                if existing is None
                else mitigations.update_mitigation(
                    existing, form.values(), expected_version=form_version(form.version), by=current_user
                )
            ),
            saved="Mitigation saved.",
            then=url_for("assessments.section", reference=eia.reference, key="mitigations"),
            conflict=Conflict(existing, MitigationForm.data_from, "This mitigation", f"{eia.reference}: {eia.title}")
            if existing is not None
            else None,
        )
        if done is not None:
            return done
    return render_template("assessments/mitigation.html", eia=eia, form=form, existing=existing)


def _editable_eia(reference: str):
    """The EIA named in the URL, for a change to it: seen, editable by this person, and in a state
    that allows it."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    permit(current_user, "eia.edit", eia)
    services.check_editable(eia)
    return eia


@bp.route("/<reference>/mitigations/<int:mitigation_id>/remove", methods=["GET", "POST"])
@login_required
def remove_mitigation(reference: str, mitigation_id: int):
    eia = _editable_eia(reference)
    found = _mitigation_or_404(eia, mitigation_id)
    back = url_for("assessments.section", reference=eia.reference, key="mitigations")
    if request.method == "GET":
        return render_template(
            "confirm.html",
            caption=f"{eia.reference}: {eia.title}",
            heading="Remove this mitigation?",
            detail=found.action,
            warning="It is removed from the assessment (its history keeps a record of it).",
            button="Remove the mitigation",
            hidden={"version": found.version},
            back=back,
        )
    mitigations.remove_mitigation(found, expected_version=form_version(request.form.get("version")), by=current_user)
    db.session.commit()
    flash("Mitigation removed.", "success")
    return redirect(back)


def _mitigation_or_404(eia, mitigation_id: int):
    found = next((m for m in eia.mitigations if m.id == mitigation_id), None)
    if found is None:
        abort(404)
    return found


def workflow_actions(eia) -> list[Transition]:
    """The steps the signed-in person can take now, for the buttons on the EIA's page."""
    return available_transitions(eia, current_user)
