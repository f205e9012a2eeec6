"""The one way a section's page of questions is read and saved, for the plain sections and the
impacts' questions across groups: the form (what was posted, or the saved answers and whether the
section is complete), and saving it through :func:`eia.forms_support.submit_form`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from eia.assessments.models import Eia, EiaSection
from eia.assessments.states import SectionStatus
from eia.forms_support import Conflict, bind_form, submit_checked
from eia.permissions import permit
from eia.web import form_version
from forms.definitions import Section
from forms.sections import initial_data


def section_form(eia: Eia, form_class: type[FlaskForm], saved: EiaSection, definition: Section) -> Any:
    """The section's form: what was posted (only editors may post), or the saved answers."""
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
        return bind_form(form_class)
    form = bind_form(form_class, data={**section_data(eia, definition), "version": str(saved.version)})
    if saved.status is not SectionStatus.NOT_STARTED and not form.completed.data:
        form.completed.data = "yes" if saved.status is SectionStatus.COMPLETED else "no"
    return form


def save_section_form(eia: Eia, definition: Section, form: Any, save: Callable[..., Any]) -> ResponseReturnValue | None:
    """Save a section through the one form path; a clash shows the saved answers beside the typed ones.
    When the form's own checks fail, the service's are run too, so every problem shows at once."""
    attempt = partial(
        save, completed=form.completed.data == "yes", expected_version=form_version(form.version), by=current_user
    )
    return submit_checked(
        form,
        attempt,
        saved=f"{definition.title} saved.",
        then=url_for("assessments.show", reference=eia.reference),
        conflict=Conflict(
            current=eia.section(definition.key),
            saved_values=lambda _section: section_data(eia, definition),
            what=definition.title,
            caption=f"{eia.reference}: {eia.title}",
        ),
    )


def section_data(eia: Eia, definition: Section) -> dict[str, Any]:
    """A section's saved answers as its form's data."""
    return initial_data(definition, eia.answers(definition.key))
