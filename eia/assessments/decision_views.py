"""An assessment's decision record: who decides and when, then what was decided; and the timings
of due regard worked out from it."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user, login_required

from eia.assessments import decisions, queries
from eia.assessments.models import Eia
from eia.assessments.states import DecidingBody, DecisionOutcome
from eia.forms_support import Conflict, bind_form, submit_checked
from eia.permissions import permit
from eia.web import form_version
from forms.decisions import DecisionForm

bp = Blueprint("decisions", __name__, url_prefix="/eias/<reference>")


def _form(eia: Eia, **kwargs: object) -> DecisionForm:
    return bind_form(
        DecisionForm,
        bodies=[(b.value, b.label) for b in DecidingBody],
        outcomes=[(o.value, o.label) for o in DecisionOutcome],
        decision_makers=queries.decision_maker_choices(),
        **kwargs,
    )


def _saved(eia: Eia) -> str:
    if advice := decisions.new_version_advice(eia):
        flash(advice, "important")
    return "Decision record saved."


def _conflict(eia: Eia) -> Conflict | None:
    """How to show the record someone else saved first (none before the first save)."""
    if eia.decision is None:
        return None
    return Conflict(eia.decision, DecisionForm.data_from, "The decision record", f"{eia.reference}: {eia.title}")


@bp.route("/decision", methods=["GET", "POST"])
@login_required
def decision(reference: str):
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    if request.method == "POST":
        permit(current_user, "eia.record_decision", eia)
    form = _form(eia, data=None if request.method == "POST" else DecisionForm.data_from(eia.decision))
    done = submit_checked(
        form,
        lambda: decisions.save_decision(
            eia, form.values(), expected_version=form_version(form.version), by=current_user
        ),
        saved=lambda _: _saved(eia),
        then=url_for("assessments.show", reference=eia.reference),
        conflict=_conflict(eia),
    )
    if done is not None:
        return done
    return render_template(
        "assessments/decision.html", eia=eia, form=form, **decisions.decision_page(eia, current_user)
    )
