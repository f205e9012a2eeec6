"""The one way a section's page of questions is read and saved, for the plain sections and the
impacts' questions across groups: the form (what was posted, or the saved answers and whether the
section is complete), and saving it through :func:`eia.forms_support.submit_form`. A long section
is asked over a few pages (:func:`forms.sections.section_parts`), each saved on its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from eia.assessments.models import Eia, EiaSection
from eia.assessments.states import SectionStatus
from eia.forms_support import Conflict, bind_form, submit_checked
from eia.permissions import permit
from eia.web import form_version
from forms.definitions import Question, Section
from forms.sections import initial_data, section_parts


def section_url(eia: Eia, key: str, part: int = 1, anchor: str | None = None) -> str:
    """The address of page *part* of section *key* (the first page is the section's own address)."""
    return url_for("assessments.section", reference=eia.reference, key=key, part=part, _anchor=anchor)


@dataclass(frozen=True)
class SectionPage:
    """One page of a section's questions: which, where it sits among the section's pages, where
    "Save and continue" leads, and where the questions of its other pages are asked."""

    number: int
    count: int
    questions: tuple[Question, ...]
    next_url: str
    previous_url: str | None
    #: Where each question of the section's other pages is asked (the address of the question on
    #: its page, the page's number, and the words for it), to link a problem found there.
    elsewhere: Mapping[str, tuple[str, int, str]]

    @classmethod
    def of(cls, eia: Eia, definition: Section, number: int) -> SectionPage:
        """Page *number* of *definition*'s questions for *eia*.

        :raises werkzeug.exceptions.NotFound: if the section has no such page.
        """
        parts = section_parts(definition)
        if not 1 <= number <= len(parts):
            abort(404)
        elsewhere = {
            q.key: (section_url(eia, definition.key, other, anchor=q.key), other, f"page {other} of this section")
            for other, questions in enumerate(parts, start=1)
            if other != number
            for q in questions
        }
        last = number == len(parts)
        return cls(
            number=number,
            count=len(parts),
            questions=parts[number - 1],
            next_url=url_for("assessments.show", reference=eia.reference)
            if last
            else section_url(eia, definition.key, number + 1),
            previous_url=section_url(eia, definition.key, number - 1) if number > 1 else None,
            elsewhere=elsewhere,
        )

    @property
    def is_last(self) -> bool:
        return self.number == self.count

    def address_of(self, key: str) -> str:
        """Where question *key* of the section is asked: on this page, or on another."""
        where = self.elsewhere.get(key)
        return where[0] if where else f"#{key}"

    @property
    def keys(self) -> list[str] | None:
        """The keys of its questions when the section has other pages (None when this is all of it)."""
        return [q.key for q in self.questions] if self.count > 1 else None


def section_form(
    eia: Eia,
    form_class: type[FlaskForm],
    saved: EiaSection,
    definition: Section,
    *,
    page: SectionPage | None = None,
    elsewhere: Mapping[str, tuple[str, int, str]] | None = None,
) -> Any:
    """The section's form: what was posted (only editors may post), or the saved answers. On a *page*
    of a longer section it knows where the questions of its other pages are asked, so a problem
    found there links to it (or it is told where, *elsewhere*). On the last page of a longer section,
    "Have you completed this section?" starts unanswered unless the section is complete: "No" left
    chosen from an earlier page would be too easy to save unread."""
    if request.method == "POST":
        permit(current_user, "eia.edit", eia)
        form = bind_form(form_class)
    else:
        form = bind_form(form_class, data={**section_data(eia, definition), "version": str(saved.version)})
        if "completed" in form and saved.status is not SectionStatus.NOT_STARTED and not form.completed.data:
            if saved.status is SectionStatus.COMPLETED:
                form.completed.data = "yes"
            elif page is None or page.count == 1:
                form.completed.data = "no"
    form.elsewhere = dict(page.elsewhere) if page else dict(elsewhere or {})
    form.page_number = page.number if page else 1
    form.page_count = page.count if page else 1
    return form


def save_section_form(
    eia: Eia, definition: Section, form: Any, save: Callable[..., Any], *, then: str | None = None
) -> ResponseReturnValue | None:
    """Save a section (or one page of it) through the one form path, then go on to *then* (the task
    list by default); a clash shows the saved answers beside the typed ones. When the form's own
    checks fail, the service's are run too, so every problem shows at once. A page before the last
    asks nothing about completion: the section stays completed if it still is."""
    completed = form.completed.data == "yes" if "completed" in form else None
    section = eia.section(definition.key)
    was_completed = section is not None and section.status is SectionStatus.COMPLETED
    attempt = partial(save, completed=completed, expected_version=form_version(form.version), by=current_user)

    def saved(result: EiaSection) -> str:
        if completed is None and was_completed and result.status is not SectionStatus.COMPLETED:
            return f"{definition.title} saved. It is in progress again: an answer it needs is missing."
        return f"{definition.title} saved."

    page = getattr(form, "page_number", 0)
    done = submit_checked(
        form,
        attempt,
        saved=saved,
        then=then or url_for("assessments.show", reference=eia.reference),
        conflict=Conflict(
            current=section,
            saved_values=lambda _section: section_data(eia, definition),
            # On a page of a longer section, what was changed on its other pages is kept either way.
            what=f"{definition.title}, page {page}" if form.page_count > 1 else definition.title,
            caption=f"{eia.reference}: {eia.title}",
        ),
    )
    if done is None and getattr(form, "kept", False) and section is not None:
        # This page's answers were kept while others are missing: the next save starts from them. (When
        # nothing was kept, the version stays as it was posted, so a clash meanwhile is still caught.)
        form.version.data = str(section.version)
    return done


def section_data(eia: Eia, definition: Section) -> dict[str, Any]:
    """A section's saved answers as its form's data."""
    return initial_data(definition, eia.answers(definition.key))
