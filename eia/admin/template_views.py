"""The form template editor (``/admin/templates/``): versions and how many assessments use each,
comparing two versions, uploading a new one (checked line by line), previewing it as an author will
see it, and publishing it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from eia.admin.views import bp
from eia.assessments import form_templates
from eia.assessments import queries as eia_queries
from eia.assessments.models import FormTemplate
from eia.extensions import db
from eia.forms_support import bind_form, submit_form
from eia.permissions import can, permit
from forms.admin import PublishTemplateForm, UploadTemplateForm
from forms.checks import Problem, compare_definitions
from forms.sections import section_form_class


def _template_or_404(template_id: int) -> FormTemplate:
    template = db.session.get(FormTemplate, template_id)
    if template is None:
        abort(404)
    return template


@bp.get("/templates/")
@login_required
def templates():
    """Every version of each form template, with how many assessments are written on it."""
    permit(current_user, "form_template.view")
    versions = eia_queries.templates()
    return render_template(
        "admin/templates.html",
        versions=versions,
        usage=eia_queries.template_usage(),
        names=eia_queries.user_names({t.published_by_id for t in versions if t.published_by_id}),
        can_manage=can(current_user, "form_template.manage"),
    )


@bp.get("/templates/compare")
@login_required
def compare_templates():
    """What changed, by key, from one version to another (?from=ID&to=ID)."""
    permit(current_user, "form_template.view")
    old = _template_or_404(request.args.get("from", 0, type=int))
    new = _template_or_404(request.args.get("to", 0, type=int))
    return render_template(
        "admin/template_compare.html",
        old=old,
        new=new,
        changes=compare_definitions(old.form, new.form),
        versions=eia_queries.templates(),
    )


@bp.route("/templates/upload", methods=["GET", "POST"])
@login_required
def upload_template():
    """Upload a new version as YAML: every problem is named with its line and nothing is saved
    until there are none; then it waits, unpublished, to be previewed and published."""
    permit(current_user, "form_template.manage")
    form = bind_form(UploadTemplateForm)
    problems: list[Problem] = []
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: _upload(form, problems),
            saved=lambda t: (
                f"Version {t.version} of the {t.kind} template has no problems. Preview it, then publish it."
            ),
            then=lambda t: url_for("admin.template", template_id=t.id),
        )
        if done is not None:
            return done
    return render_template("admin/template_upload.html", form=form, problems=problems)


def _upload(form: UploadTemplateForm, problems: list[Problem]) -> FormTemplate:
    """Upload the form's file, adding to *problems* each one that stops it."""
    try:
        return form_templates.upload_template(form.text, form.file_name, by=current_user)
    except form_templates.TemplateProblems as exc:
        problems.extend(exc.problems)
        raise


@bp.get("/templates/<int:template_id>")
@login_required
def template(template_id: int):
    """One version: its sections, whether it is published, how many use it, and its YAML."""
    permit(current_user, "form_template.view")
    found = _template_or_404(template_id)
    earlier = [t for t in eia_queries.templates() if t.kind == found.kind and t.version < found.version]
    return render_template(
        "admin/template.html",
        template=found,
        used_by=eia_queries.template_usage().get(found.id, 0),
        previous=earlier[-1] if earlier else None,
        publish_form=bind_form(PublishTemplateForm) if can(current_user, "form_template.manage") else None,
        names=eia_queries.user_names({found.published_by_id} if found.published_by_id else set()),
    )


@bp.get("/templates/<int:template_id>/preview")
@login_required
def preview_template(template_id: int):
    """The version's sections as an author will see them: nothing typed here is saved."""
    permit(current_user, "form_template.view")
    found = _template_or_404(template_id)
    people = eia_queries.people_choices()
    forms = {s.key: section_form_class(s, people)(formdata=None, meta={"csrf": False}) for s in found.form.sections}
    return render_template("admin/template_preview.html", template=found, forms=forms, preview=True)


@bp.post("/templates/<int:template_id>/publish")
@login_required
def publish_template(template_id: int):
    """Publish the version: new assessments of its kind use it; it can never change again."""
    permit(current_user, "form_template.manage")
    found = _template_or_404(template_id)
    form = bind_form(PublishTemplateForm)
    if not form.validate_on_submit():
        abort(400)
    form_templates.publish_template(found, by=current_user)
    db.session.commit()
    flash(f"Version {found.version} of the {found.kind} template is published: new assessments use it.", "success")
    return redirect(url_for("admin.template", template_id=found.id))
