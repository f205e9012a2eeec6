"""The impacts section's pages: the direction for every characteristic on one page, then a page for
each impact that is not neutral, then the effects across groups and the aims of the duty."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from eia.assessments import impacts, queries
from eia.assessments.models import Characteristic, Eia, EiaSection, Impact
from eia.assessments.section_pages import save_section_form, section_form
from eia.assessments.services import check_editable
from eia.assessments.states import Direction, Severity
from eia.evidence.models import EvidenceItem
from eia.forms_support import Conflict, bind_form, submit_checked, submit_form
from eia.permissions import can, permit
from eia.web import form_version
from forms.definitions import Section
from forms.impacts import ImpactDetailForm, direction_labels, directions_data, directions_form_class
from forms.sections import answers_from, section_form_class

bp = Blueprint("impacts", __name__, url_prefix="/eias/<reference>/sections/impacts")

#: Step three's place in the URL (characteristic keys are never hyphenated).
ACROSS_GROUPS = "across-groups"


def _editable(eia: Eia) -> bool:
    return can(current_user, "eia.edit", eia) and eia.state.is_editable


def _common(eia: Eia, definition: Section) -> dict[str, object]:
    return {
        "eia": eia,
        "section": definition,
        "editable": _editable(eia),
        "section_comments": queries.section_comments(eia, definition.key, current_user),
        "can_reply": _editable(eia),
        "fallback_guidance": queries.guidance_for(eia, definition) if _editable(eia) else {},
    }


def next_page(eia: Eia, after: Characteristic | None = None) -> str:
    """The page after *after* (or after the directions): the next impact needing its details, in the
    register's order, then the questions across groups."""
    order = queries.characteristics_for(eia)
    needing = {i.characteristic_id for i in eia.impacts if i.needs_detail}
    start = 0 if after is None else next(n for n, c in enumerate(order) if c.id == after.id) + 1
    following = next((c for c in order[start:] if c.id in needing), None)
    if following is not None:
        return url_for("impacts.detail", reference=eia.reference, key=following.key)
    return url_for("impacts.across_groups", reference=eia.reference)


def directions(eia: Eia, definition: Section, saved: EiaSection):
    """Step one: every characteristic's direction on one page (reached as the section itself)."""
    characteristics = queries.characteristics_for(eia)
    form_class = directions_form_class(characteristics, Direction)
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
        form = bind_form(form_class)
    else:
        form = bind_form(
            form_class, data={**directions_data(characteristics, eia.impacts), "version": str(saved.version)}
        )
    if request.method == "POST":
        chosen = {
            c: {"direction": form[f"c_{c.key}_direction"].data, "reason": form[f"c_{c.key}_reason"].data}
            for c in characteristics
        }
        # Every problem in one round: when a reason is too long, the service's checks still run.
        done = submit_checked(
            form,
            lambda: impacts.save_directions(eia, chosen, expected_version=form_version(form.version), by=current_user),
            saved="The direction of each impact is saved. Now describe each one that is not neutral.",
            then=lambda _: next_page(eia),
            conflict=Conflict(
                saved,
                lambda _: directions_data(characteristics, eia.impacts),
                definition.title,
                f"{eia.reference}: {eia.title}",
                direction_labels(characteristics),
            ),
        )
        if done is not None:
            return done
    return render_template(
        "assessments/impacts.html",
        **_common(eia, definition),
        form=form,
        characteristics=characteristics,
        impacts={impact.characteristic_id: impact for impact in eia.impacts},
        readable=queries.readable_answers(definition, saved.answers),
        reasons=impacts.COMMON_NEUTRAL_REASONS,
        detail_count=sum(1 for impact in eia.impacts if impact.needs_detail),
    )


def _on_the_other_steps(eia: Eia, definition: Section) -> dict[str, tuple[str, int, str]]:
    """Where each characteristic's answers are given, to link a problem found when the section is
    completed: the direction and a neutral one's reason on step one, the rest on the impact's page."""
    directions = url_for("assessments.section", reference=eia.reference, key=definition.key)
    saved = {impact.characteristic_id: impact for impact in eia.impacts}
    found = {}
    for c in queries.characteristics_for(eia):
        prefix = f"c_{c.key}_"
        found[prefix + "direction"] = (f"{directions}#{prefix}direction", 0, "on the first step")
        impact = saved.get(c.id)
        if impact is None or not impact.needs_detail:
            found[prefix + "description"] = (f"{directions}#{prefix}reason", 0, "on the first step")
            continue
        detail = url_for("impacts.detail", reference=eia.reference, key=c.key)
        for name in ("description", "severity", "finding_out"):
            found[prefix + name] = (f"{detail}#{name}", 0, f"on the page of the impact on {c.name.lower()}")
    return found


def _section(eia: Eia) -> tuple[Section, EiaSection]:
    definition = next((s for s in eia.form.sections if s.kind == "impacts"), None)
    saved = eia.section(definition.key) if definition else None
    if definition is None or saved is None:
        abort(404)
    return definition, saved


def _impact_or_404(eia: Eia, key: str) -> tuple[Section, Characteristic, Impact]:
    """The impacts section, the characteristic called *key* and its impact, which must need its details."""
    definition, _saved = _section(eia)
    characteristic = next((c for c in queries.characteristics_for(eia) if c.key == key), None) or abort(404)
    impact = next((i for i in eia.impacts if i.characteristic_id == characteristic.id), None)
    if impact is None or not impact.needs_detail:
        abort(404)
    return definition, characteristic, impact


def _detail_form(eia: Eia, impact: Impact, items: list[EvidenceItem], linked: list[int]) -> ImpactDetailForm:
    """Step two's form: what was posted (only while the assessment is editable), or the saved impact."""
    choices = {"severities": [(s.value, s.label) for s in Severity], "evidence": [(str(i.id), i.title) for i in items]}
    if request.method == "POST":
        check_editable(eia)
        return bind_form(ImpactDetailForm, **choices)
    return bind_form(ImpactDetailForm, **choices, data=ImpactDetailForm.data_from(impact, linked))


def _conflict(eia: Eia, characteristic: Characteristic, impact: Impact, linked: list[int]) -> Conflict:
    """How to show the impact someone else saved first beside what was typed."""
    what = f"The impact on {characteristic.name.lower()}"
    return Conflict(
        impact, lambda saved: ImpactDetailForm.data_from(saved, linked), what, f"{eia.reference}: {eia.title}"
    )


@bp.route("/<key>", methods=["GET", "POST"])
@login_required
def detail(reference: str, key: str):
    """Step two: one characteristic's impact in full."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
    definition, characteristic, impact = _impact_or_404(eia, key)
    items, linked = impacts.evidence_for(eia, characteristic)
    form = _detail_form(eia, impact, items, linked)
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: impacts.save_impact_detail(
                eia,
                characteristic,
                form.values(),
                expected_version=form_version(form.version),
                by=current_user,
                evidence_ids=form.evidence_ids(),
            ),
            saved=f"The impact on {characteristic.name.lower()} is saved.",
            then=lambda _: next_page(eia, characteristic),
            conflict=_conflict(eia, characteristic, impact, linked),
        )
        if done is not None:
            return done
    return render_template(
        "assessments/impact.html", form=form, **_common(eia, definition), **impacts.impact_page(eia, impact, items)
    )


@bp.route(f"/{ACROSS_GROUPS}", methods=["GET", "POST"])
@login_required
def across_groups(reference: str):
    """Step three: the effects across groups, the aims of the duty, and whether the section is complete."""
    eia = queries.eia_or_404(reference)
    permit(current_user, "eia.view", eia)
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
    definition, saved = _section(eia)
    form = section_form(
        eia,
        section_form_class(definition, queries.people_choices()),
        saved,
        definition,
        elsewhere=_on_the_other_steps(eia, definition),
    )
    if request.method == "POST":
        done = save_section_form(
            eia,
            definition,
            form,
            lambda **common: impacts.save_impact_summary(eia, answers_from(form, definition), **common),
        )
        if done is not None:
            return done
    page = impacts.across_groups_page(eia, definition, saved, current_user)
    return render_template("assessments/impacts_across.html", **_common(eia, definition), form=form, **page)
