"""EIA workflow pages: transitions, the reviewer's page with what changed, comments, history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from eia.assessments import queries, services, workflow
from eia.assessments.pdf import eia_pdf_response
from eia.assessments.views import workflow_actions
from eia.assessments.workflow import TRANSITIONS, SubmissionBlocked
from eia.auditlog.models import AuditEntry
from eia.errors import ValidationFailed
from eia.extensions import db
from eia.forms_support import bind_form, show_errors
from eia.permissions import permit
from forms.eia import CommentForm, TransitionForm

bp = Blueprint("workflow", __name__, url_prefix="/eias")

DONE_MESSAGES = {
    "submit": "{ref} has been sent to the equalities team for review.",
    "start_review": "You are reviewing {ref}.",
    "return": "{ref} has been returned to its author with your comment.",
    "approve": "{ref} is approved and waits for the decision maker's sign-off.",
    "withdraw": "{ref} is a draft again: make the change and submit it for review.",
    "sign_off": "{ref} is signed off.",
    "publish": "{ref} is published on the public register.",
    "archive": "{ref} is archived.",
}


def _transition_page(eia, step, form, status: int = 200):
    return (
        render_template(
            "assessments/transition.html",
            eia=eia,
            step=step,
            form=form,
            adverse=[i for i in eia.impacts if i.is_negative],
            owners=queries.user_names({m.owner_id for m in eia.mitigations}),
        ),
        status,
    )


@bp.route("/<reference>/transitions/<name>", methods=["GET", "POST"])
@login_required
def transition(reference: str, name: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    step = TRANSITIONS.get(name)
    if step is None:
        abort(404)
    permit(current_user, step.permission, eia)
    form = bind_form(TransitionForm)
    if not form.validate_on_submit():
        return _transition_page(eia, step, form)
    try:
        workflow.transition(
            eia, name, by=current_user, comment=form.comment.data, confirmed="yes" in (form.confirmed.data or [])
        )
    except SubmissionBlocked as exc:
        db.session.rollback()
        flash_problems = [{"text": text, "href": _problem_link(eia, key)} for key, text in exc.fields.items()]
        tasks = services.task_list(eia)
        needed = [t for t in tasks if t.needed]
        return render_template(
            "assessments/show.html",
            eia=eia,
            tasks=tasks,
            done=sum(t.status.value == "completed" for t in needed),
            needed=len(needed),
            can_edit=True,
            problems=flash_problems,
            actions=workflow_actions(eia),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _transition_page(eia, step, form)
    db.session.commit()
    flash(DONE_MESSAGES[name].format(ref=eia.reference), "success")
    return redirect(url_for("assessments.show", reference=eia.reference))


def _problem_link(eia, key: str) -> str:
    if key.startswith("impact-"):
        return url_for("assessments.section", reference=eia.reference, key="mitigations")
    return url_for("assessments.section", reference=eia.reference, key=key)


@bp.get("/<reference>/review")
@login_required
def review(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.review", eia)
    return _review_page(eia, CommentForm(sections=_sections(eia)))


def _sections(eia) -> list[tuple[str, str]]:
    return [(s.key, s.title) for s in eia.form.sections]


def _review_page(eia, comment_form: CommentForm):
    """The reviewer's page: what changed since the last submission, the comments, the decisions."""
    snapshots = eia.snapshots
    changes = workflow.changes_between(snapshots[-2].data, snapshots[-1].data) if len(snapshots) >= 2 else None
    return render_template(
        "assessments/review.html",
        eia=eia,
        changes=changes,
        snapshot_count=len(snapshots),
        comment_form=comment_form,
        form=comment_form,
        section_titles=dict(_sections(eia)),
        authors=queries.user_names({c.author_id for c in eia.comments}),
        actions=workflow_actions(eia),
    )


@bp.post("/<reference>/comments")
@login_required
def comment(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.review", eia)
    form = CommentForm(sections=_sections(eia))
    if form.validate_on_submit():
        try:
            workflow.add_comment(eia, form.section_key.data or None, form.body.data, by=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            show_errors(form, exc)
            return _review_page(eia, form)
        db.session.commit()
        flash("Comment added. The author sees it when the assessment is returned.", "success")
        return redirect(url_for("workflow.review", reference=eia.reference))
    return _review_page(eia, form)


@bp.post("/<reference>/reopen")
@login_required
def reopen(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    following = workflow.reopen(eia, by=current_user)
    db.session.commit()
    flash(f"{following.reference} started from {eia.reference}, which stays as it was.", "success")
    return redirect(url_for("assessments.show", reference=following.reference))


@bp.get("/<reference>/history")
@login_required
def history(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    entries = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "eia", AuditEntry.entity_id == str(eia.id))
        .order_by(AuditEntry.seq.desc())
        .limit(500)
    ).scalars()
    return render_template("assessments/history.html", eia=eia, entries=list(entries))


@bp.get("/<reference>.pdf")
@login_required
def pdf(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    return eia_pdf_response(eia)
