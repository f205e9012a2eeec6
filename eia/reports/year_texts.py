"""The one way a text the equalities team writes for a year is edited on a page: the annual report's
commentary and the equality information's narrative. Saving publishes a new version (audit-logged);
a clash with someone else's save shows both texts side by side."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eia.forms_support import Conflict, bind_form, submit_form
from eia.reports import queries, services
from eia.reports.models import TextKind
from eia.web import form_version
from forms.reports import YearTextForm


def edit_year_text(
    kind: TextKind, year: int, form_class: type[YearTextForm], *, what: str, saved: str, then: str, template: str
) -> ResponseReturnValue:
    """The edit page for the *kind* text of *year*, or, on a good save, the redirect to *then*.

    :param what: what the text is called in a clash ("The commentary").
    """
    text = queries.year_text(kind, year)
    form = bind_form(form_class, data=form_class.data_from(text))
    if form.validate_on_submit():
        done = submit_form(
            form,
            lambda: services.save_year_text(
                kind, year, form.body.data, expected_version=form_version(form.version), by=current_user
            ),
            saved=saved,
            then=then,
            conflict=Conflict(text, form_class.data_from, what) if text else None,
        )
        if done is not None:
            return done
    return render_template(template, form=form, year=year, text=text)
