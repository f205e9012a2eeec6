"""EIA pages: start one, its task list, and one page per section with "Save and continue"."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.accounts import queries as accounts
from eia.assessments import queries, services
from eia.assessments.models import PROPOSAL_TYPES, EiaKind, EiaState, Mitigation, SectionStatus
from eia.assessments.services import SectionConflict
from eia.assessments.workflow import TRANSITIONS
from eia.auditlog import services as audit
from eia.csv_export import csv_lines
from eia.db_types import utcnow
from eia.errors import ConflictError, ValidationFailed
from eia.evidence import queries as evidence_queries
from eia.extensions import db
from eia.forms_support import bind_form, show_errors
from eia.permissions import can, permit
from eia.web import filter_args, form_version, int_arg, paginate
from forms.eia import (
    MitigationForm,
    NewEiaForm,
    answers_from,
    impact_initial,
    impact_values,
    impacts_form_class,
    initial_data,
    section_form_class,
)

bp = Blueprint("assessments", __name__, url_prefix="/eias")


PAGE_SIZE = 25
LIST_FILTERS = ("q", "service_area", "state", "type", "year", "negative")


def _list_filter() -> queries.EiaFilter:
    state = request.args.get("state") or None
    if state and state not in EiaState._value2member_map_:
        abort(400, "Choose a state from the list.")
    negative = request.args.get("negative") or None
    if negative and negative not in {c.key for c in queries.characteristics()}:
        abort(400, "Choose a characteristic from the list.")
    return queries.EiaFilter(
        text=request.args.get("q", "").strip()[:200] or None,
        service_area_id=int_arg("service_area"),
        state=EiaState(state) if state else None,
        proposal_type=(request.args.get("type") or None),
        year=int_arg("year", minimum=2000, maximum=2100),
        negative_for=negative,
    )


@bp.get("/")
@login_required
def index():
    permit(current_user, "eia.list")
    filters = _list_filter()
    page = paginate(queries.with_list_details(queries.eias(current_user, filters)), PAGE_SIZE)
    this_year = queries.financial_year_of(utcnow().date())
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
        },
    )


@bp.get("/export.csv")
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
            e.updated_at.date().isoformat(),
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
    any_area = can(current_user, "eia.create_any_area")
    areas = accounts.service_area_choices(include_blank=False) if any_area else []
    form = bind_form(NewEiaForm, service_areas=areas)
    if not any_area:
        del form.service_area_id
    if form.validate_on_submit():
        area = _chosen_area(form) if any_area else current_user.service_area
        if area is None and not any_area:
            form.form_errors.append(
                "You are not in a service area yet, so you cannot start an assessment. Ask an administrator to set yours."
            )
        if area is not None:
            kind = EiaKind(form.kind.data)
            template = queries.latest_template(kind)
            if template is None:
                abort(409, "No form template is loaded for this kind of assessment: ask an administrator.")
            eia = services.create_eia(
                kind=kind, title=form.title.data, service_area=area, by=current_user, template=template
            )
            db.session.commit()
            flash(f"{eia.reference} started. Work through the sections in any order.", "success")
            return redirect(url_for("assessments.show", reference=eia.reference))
    return render_template("assessments/new.html", form=form)


def _chosen_area(form: NewEiaForm):
    raw = form.service_area_id.data
    if not raw:
        form.service_area_id.errors = ["Choose the service area this assessment belongs to"]
        return None
    return accounts.service_area_or_404(int(raw))


@bp.get("/<reference>")
@login_required
def show(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    tasks = services.task_list(eia)
    needed = [task for task in tasks if task.needed]
    done = sum(task.status is SectionStatus.COMPLETED for task in needed)
    return render_template(
        "assessments/show.html",
        eia=eia,
        tasks=tasks,
        done=done,
        needed=len(needed),
        can_edit=can(current_user, "eia.edit", eia) and eia.state.is_editable,
        actions=workflow_actions(eia),
        problems=None,
    )


@bp.route("/<reference>/sections/<key>", methods=["GET", "POST"])
@login_required
def section(reference: str, key: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    definition = eia.form.section(key)
    saved = eia.section(key)
    if definition is None or saved is None:
        abort(404)
    if definition.kind == "impacts":
        return _impacts(eia, definition, saved)
    template = "assessments/mitigations.html" if definition.kind == "mitigations" else "assessments/section.html"
    return _questions_page(eia, definition, saved, template=template)


def _questions_page(eia, definition, saved, *, template: str):
    key = definition.key
    editable = can(current_user, "eia.edit", eia) and eia.state.is_editable
    form_class = section_form_class(definition, queries.people_choices())
    form = _section_form(eia, form_class, saved, initial_data(definition, saved.answers))
    if request.method == "POST" and form.validate_on_submit():
        done = _save_and_continue(
            eia,
            definition,
            form,
            lambda **common: services.save_section(eia, key, answers_from(form, definition), **common),
        )
        if done is not None:
            return done
    return render_template(
        template,
        eia=eia,
        section=definition,
        saved=saved,
        form=form,
        editable=editable,
        readable=queries.readable_answers(definition, saved.answers),
        unmitigated=services.unmitigated_impacts(eia),
        owners=queries.user_names({m.owner_id for m in eia.mitigations}),
    )


def _section_form(eia, form_class, saved, initial: dict):
    """The section's form: what was posted (only editors may post), or the saved answers."""
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
        return bind_form(form_class)
    form = bind_form(form_class, data={**initial, "version": str(saved.version)})
    if saved.status is not SectionStatus.NOT_STARTED and not form.completed.data:
        form.completed.data = "yes" if saved.status is SectionStatus.COMPLETED else "no"
    return form


def _save_and_continue(eia, definition, form, save):
    """Run *save*; back to the task list when it worked, a conflict page on a clash, or ``None``
    (with the errors on the form) to show the page again."""
    try:
        save(completed=form.completed.data == "yes", expected_version=form_version(form.version), by=current_user)
    except SectionConflict as exc:
        db.session.rollback()
        return _conflict(eia, definition, form, exc.section), 409
    except ValidationFailed as exc:
        db.session.rollback()
        show_errors(form, exc)
        return None
    db.session.commit()
    flash(f"{definition.title} saved.", "success")
    return redirect(url_for("assessments.show", reference=eia.reference))


def _impact_text(direction: str | None, severity: str | None, description: str | None) -> str:
    if not direction and not description:
        return ""
    label = direction.replace("_", " ").capitalize() if direction else "No direction"
    return f"{label}{f' ({severity})' if severity else ''}: {description or ''}".strip()


def _conflict(eia, definition, form, current):
    """Their input and the saved answers side by side, with a way to keep theirs."""
    yours = answers_from(form, definition)
    rows = []
    if definition.kind == "impacts":
        # The per-characteristic answers first: overwriting them blind would lose someone's impact.
        db.session.expire_all()
        saved = {i.characteristic_id: i for i in queries.eia_or_404(eia.reference).impacts}
        for characteristic in queries.characteristics_for(eia):
            mine = impact_values(form, characteristic)
            theirs = saved.get(characteristic.id)
            rows.append(
                {
                    "question": characteristic.name,
                    "yours": _impact_text(mine.get("direction"), mine.get("severity"), mine.get("description")),
                    "theirs": _impact_text(
                        theirs.direction.value if theirs and theirs.direction else None,
                        theirs.severity.value if theirs and theirs.severity else None,
                        theirs.description if theirs else "",
                    ),
                }
            )
    rows += [
        {
            "question": q.label,
            "yours": q.display(services.plain_answer(yours.get(q.key))),
            "theirs": q.display(current.answers.get(q.key)),
        }
        for q in definition.questions
    ]
    form.version.data = str(current.version)
    return render_template(
        "assessments/conflict.html",
        eia=eia,
        section=definition,
        rows=rows,
        form=None,
        resubmit=form,
        updated_by=current.updated_by,
        updated_at=current.updated_at,
    )


def _impacts(eia, definition, saved):
    """A block per characteristic of the register (direction, effect, severity, who, evidence)."""
    editable = can(current_user, "eia.edit", eia) and eia.state.is_editable
    characteristics = queries.characteristics_for(eia)
    form_class = impacts_form_class(definition, characteristics, queries.people_choices())
    initial = {**initial_data(definition, saved.answers), **impact_initial(eia.impacts)}
    form = _section_form(eia, form_class, saved, initial)
    if request.method == "POST" and form.validate_on_submit():
        impacts = {c: impact_values(form, c) for c in characteristics}
        done = _save_and_continue(
            eia,
            definition,
            form,
            lambda **common: services.save_impacts(eia, impacts, answers_from(form, definition), **common),
        )
        if done is not None:
            return done
    impacts = {impact.characteristic_id: impact for impact in eia.impacts}
    return render_template(
        "assessments/impacts.html",
        evidence=evidence_queries.by_characteristic(evidence_queries.for_subject(eia)),
        eia=eia,
        section=definition,
        saved=saved,
        form=form,
        editable=editable,
        characteristics=characteristics,
        impacts=impacts,
        readable=queries.readable_answers(definition, saved.answers),
    )


@bp.route("/<reference>/mitigations/new", methods=["GET", "POST"])
@bp.route("/<reference>/mitigations/<int:mitigation_id>", methods=["GET", "POST"])
@login_required
def mitigation(reference: str, mitigation_id: int | None = None):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    permit(current_user, "eia.edit", eia)
    services.check_editable(eia)
    existing = _mitigation_or_404(eia, mitigation_id) if mitigation_id else None
    negatives = [(str(i.characteristic_id), i.characteristic.name) for i in eia.impacts if i.is_negative]
    kwargs = {"impacts": negatives, "people": queries.people_choices()}
    if existing is not None and request.method == "GET":
        kwargs["data"] = {
            "characteristic_id": str(existing.characteristic_id or ""),
            "action": existing.action,
            "owner_id": str(existing.owner_id),
            "due_on": existing.due_on,
            "status": existing.status.value,
            "measure": existing.measure,
            "version": str(existing.version),
        }
    form = bind_form(MitigationForm, **kwargs)
    if form.validate_on_submit():
        try:
            if existing is None:
                services.add_mitigation(eia, form.values(), by=current_user)
            else:
                services.update_mitigation(
                    existing, form.values(), expected_version=form_version(form.version), by=current_user
                )
        except ConflictError as exc:
            db.session.rollback()
            # Keep what they typed; saving again now overwrites the other change on purpose.
            form.form_errors.append(str(exc))
            form.version.data = str(db.session.get(Mitigation, existing.id).version) if existing else ""
            return render_template("assessments/mitigation.html", eia=eia, form=form, existing=existing), 409
        db.session.commit()
        flash("Mitigation saved.", "success")
        return redirect(url_for("assessments.section", reference=eia.reference, key="mitigations"))
    return render_template("assessments/mitigation.html", eia=eia, form=form, existing=existing)


@bp.post("/<reference>/mitigations/<int:mitigation_id>/remove")
@login_required
def remove_mitigation(reference: str, mitigation_id: int):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    permit(current_user, "eia.edit", eia)
    services.remove_mitigation(
        _mitigation_or_404(eia, mitigation_id),
        expected_version=form_version(request.form.get("version")),
        by=current_user,
    )
    db.session.commit()
    flash("Mitigation removed.", "success")
    return redirect(url_for("assessments.section", reference=eia.reference, key="mitigations"))


def _mitigation_or_404(eia, mitigation_id: int):
    found = next((m for m in eia.mitigations if m.id == mitigation_id), None)
    if found is None:
        abort(404)
    return found


def workflow_actions(eia) -> list[dict]:
    """The steps the signed-in person can take now, for the buttons on the EIA's page."""
    actions = []
    for step in TRANSITIONS.values():
        if eia.state in step.sources and can(current_user, step.permission, eia):
            if step.name == "publish" and eia.is_individual:
                continue
            direct = not step.needs_comment and step.name != "sign_off"
            actions.append({"name": step.name, "label": step.label, "direct": direct})
    return actions
