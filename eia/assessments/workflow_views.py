"""EIA workflow pages: transitions, the reviewer's page with what changed, comments, history."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from eia.assessments import committee, queries, review_rows, workflow
from eia.assessments.pdf import eia_pdf_response
from eia.assessments.snapshots import snapshot
from eia.assessments.submission import SubmissionBlocked, stop_check, submission_problems
from eia.assessments.transitions import TRANSITIONS
from eia.assessments.views import render_task_list, workflow_actions
from eia.auditlog import services as audit
from eia.auditlog.models import AuditEntry
from eia.auditlog.readable import readable
from eia.evidence import queries as evidence_queries
from eia.extensions import db
from eia.forms_support import bind_form, submit_form
from eia.page_cache import signed_in_page
from eia.permissions import permit
from forms.eia import CommentForm, ReviewerForm, TransitionForm
from forms.sections import pages_by_key

bp = Blueprint("workflow", __name__, url_prefix="/eias")


def _transition_page(eia, step, form, drafts: dict[str, str] | None = None, status: int = 200):
    """The page that confirms a step: what will happen, the comment it needs and, for the sign-off,
    the adverse impacts; for a submission, every answer to check first (Check your answers); for an
    approval from the review page, the section comments (*drafts*) that go with it."""
    return (
        render_template(
            "assessments/transition.html",
            eia=eia,
            step=step,
            form=form,
            adverse=[i for i in eia.impacts if i.is_negative],
            owners=queries.user_names({m.owner_id for m in eia.mitigations}),
            doc=queries.document(eia) if step.name == "submit" else None,
            # For Check your answers' "Change" links: the page of its section that asks each question.
            pages_of={s.key: pages_by_key(s) for s in eia.form.sections} if step.name == "submit" else {},
            problems=submission_problems(eia) if step.name == "submit" else None,
            stop=stop_check(eia) if step.name in ("approve", "sign_off") else None,
            drafts=drafts or {},
            section_titles=dict(_sections(eia)),
        ),
        status,
    )


@bp.route("/<reference>/transitions/<name>", methods=["GET", "POST"])
@login_required
def transition(reference: str, name: str):
    """Take a step. From the review page, the section comments typed there go with it; a step with
    something to read or confirm first (approving) shows that page, holding them."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    step = TRANSITIONS.get(name) or abort(404)
    permit(current_user, step.permission, eia)
    form = bind_form(TransitionForm, confirmation=step.confirmation_label)
    drafts = _drafts(eia)
    if form.validate_on_submit() and not _confirm_first(step):
        done = _take_step(eia, step, form, drafts)
        if done is not None:
            return done
    return _step_page_again(eia, step, form, drafts)


def _from_review_page() -> bool:
    return request.method == "POST" and request.form.get("from") == "review"


def _confirm_first(step) -> bool:
    """Pressed on the review page, a step with a warning or a box to tick shows its page first."""
    return _from_review_page() and not step.is_direct and not step.needs_comment


def _take_step(eia, step, form: TransitionForm, drafts: dict[str, str]):
    """The step taken (a redirect), the task list with what is missing, or None when it is refused."""
    try:
        return submit_form(
            form,
            lambda: workflow.transition(
                eia,
                step.name,
                by=current_user,
                comment=form.comment.data,
                confirmed=form.is_confirmed,
                section_comments=drafts,
            ),
            saved=step.message.format(ref=eia.reference),
            then=url_for("assessments.show", reference=eia.reference),
        )
    except SubmissionBlocked as exc:
        return _not_ready(eia, exc)


def _step_page_again(eia, step, form: TransitionForm, drafts: dict[str, str]):
    """The page a step is asked for, or refused, on: the review page again, with its messages and
    every box as typed, when it was pressed there; otherwise the step's own page."""
    if _confirm_first(step):
        return _transition_page(eia, step, TransitionForm(formdata=None, confirmation=step.confirmation_label), drafts)
    if _from_review_page():
        return _review_page(eia, CommentForm(formdata=None, sections=_sections(eia)), drafts=drafts, return_form=form)
    return _transition_page(eia, step, form, drafts)


def _not_ready(eia, blocked: SubmissionBlocked) -> str:
    """The task list again, with what stops the assessment from being submitted."""
    problems = [{"text": text, "href": _problem_link(eia, key)} for key, text in blocked.fields.items()]
    return render_task_list(eia, problems=problems)


def _problem_link(eia, key: str) -> str:
    if key.startswith("impact-"):
        return url_for("assessments.section", reference=eia.reference, key="mitigations")
    return url_for("assessments.section", reference=eia.reference, key=key)


@bp.get("/<reference>/review")
@login_required
@signed_in_page
def review(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.review", eia)
    return _review_page(eia, CommentForm(sections=_sections(eia)))


@bp.post("/<reference>/review")
@login_required
def open_review(reference: str):
    """Open the assessment to review it, starting the review if it has just been submitted."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.review", eia)
    workflow.start_review(eia, by=current_user)
    db.session.commit()
    return redirect(url_for("workflow.review", reference=eia.reference))


@bp.post("/<reference>/reviewer")
@login_required
def assign_reviewer(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.assign_reviewer", eia)
    form = ReviewerForm(people=queries.reviewer_choices(eia))
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: workflow.assign_reviewer(eia, form.person_id(), by=current_user),
            saved=lambda _: (
                f"The review of {eia.reference} is now {eia.reviewer.name + chr(39) + 's' if eia.reviewer else 'nobody' + chr(39) + 's in particular'}."
            ),
            then=url_for("workflow.review", reference=eia.reference),
        )
        if done is not None:
            return done
    return _review_page(eia, CommentForm(sections=_sections(eia)), reviewer_form=form)


def _sections(eia) -> list[tuple[str, str]]:
    return [(s.key, s.title) for s in eia.form.sections]


def _review_page(
    eia,
    comment_form: CommentForm,
    reviewer_form: ReviewerForm | None = None,
    drafts: dict[str, str] | None = None,
    return_form: TransitionForm | None = None,
):
    """The reviewer's page: the whole assessment, each answer marked where it changed since the last
    submission, a comment box under each section (holding *drafts*, by section key), the declaration,
    the evidence, and the decision (*return_form* holding a return that was refused)."""
    snapshots = eia.snapshots
    current = snapshots[-1].data if snapshots else snapshot(eia)
    previous = snapshots[-2].data if len(snapshots) >= 2 else None
    sections = review_rows.review_sections(eia, current, previous)
    return render_template(
        "assessments/review.html",
        eia=eia,
        sections=sections,
        changed=sum(1 for section in sections for row in section["rows"] if row.change),
        first_submission=previous is None,
        declaration=snapshots[-1] if snapshots else None,
        evidence=evidence_queries.for_subject(eia),
        comment_form=comment_form,
        form=return_form if return_form is not None and return_form.errors else comment_form,
        reviewer_form=reviewer_form
        or ReviewerForm(people=queries.reviewer_choices(eia), data={"reviewer_id": str(eia.reviewer_id or "")}),
        section_titles=dict(_sections(eia)),
        authors=queries.user_names({c.author_id for c in eia.comments} | {s.taken_by_id for s in snapshots[-1:]}),
        transition_labels={name: step.label for name, step in TRANSITIONS.items()},
        actions=workflow_actions(eia),
        return_form=return_form or TransitionForm(),  # on a POST it holds the return comment typed so far
        drafts=drafts or {},
        stop=stop_check(eia),
    )


@bp.post("/<reference>/comments")
@login_required
def comment(reference: str):
    """Add a comment on a section (or the whole assessment). What is typed in the review page's other
    boxes comes with it, so the page shown again keeps it."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.review", eia)
    form, drafts = _posted_comment(eia)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: workflow.add_comment(eia, form.section_key.data or None, form.body.data, by=current_user),
            saved="Comment added. The author sees it when the assessment is returned.",
            then=url_for("workflow.review", reference=eia.reference),
        )
        if done is not None:
            drafts.pop(form.section_key.data or "", None)
            if not drafts and not (request.form.get("comment") or "").strip():
                return done
            eia = queries.eia_or_404(reference)  # loaded again, with what the page shows, after the commit
            return _review_page(eia, CommentForm(formdata=None, sections=_sections(eia)), drafts=drafts)
    return _review_page(eia, form, drafts=drafts)


def _posted_comment(eia) -> tuple[CommentForm, dict[str, str]]:
    """The comment being added and the drafts in the review page's comment boxes (``body-<key>``, by
    section key). The pressed button names the section; its box is the comment's body."""
    posted = request.form.copy()
    section = posted.get("section_key") or ""
    if f"body-{section}" in posted:
        posted["body"] = posted[f"body-{section}"]
    return CommentForm(posted, sections=_sections(eia)), _drafts(eia)


def _drafts(eia) -> dict[str, str]:
    """What is typed in the review page's section comment boxes (``body-<key>``), by section key."""
    keys = {key for key, _ in _sections(eia)}
    typed = ((name.removeprefix("body-"), text) for name, text in request.form.items() if name.startswith("body-"))
    return {key: text for key, text in typed if key in keys and text.strip()}


@bp.post("/<reference>/reopen")
@login_required
def reopen(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    following = workflow.reopen(eia, by=current_user)
    db.session.commit()
    message = f"{following.reference} started from {eia.reference}, which stays as it was."
    if following.template_id != eia.template_id:
        message += f" It is on version {following.template.version} of the form: its new questions are listed below."
    flash(message, "success")
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
    return render_template("assessments/history.html", eia=eia, entries=readable(entries))


@bp.post("/<reference>.docx")
@login_required
def docx(reference: str):
    """The whole assessment as a Word document, for the committee report; the download is recorded."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    body = committee.assessment_docx(eia)
    audit.record("eia_docx_downloaded", eia, by=current_user, detail=f"{eia.reference}.docx")
    db.session.commit()
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{eia.reference}.docx"'},
    )


@bp.get("/<reference>.pdf")
@login_required
def pdf(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    return eia_pdf_response(eia)
