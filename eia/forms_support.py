"""The one way a page's form reaches a service: bind it (with what was typed before a session
ended), run the service in a SAVEPOINT, and answer with a redirect, the same page with the messages
at their fields, or both versions side by side when someone else saved first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from flask import flash, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field

from eia.errors import ConflictError, EiaError, ValidationFailed, version_of
from eia.extensions import db
from forms.fields import DateField

F = TypeVar("F", bound=FlaskForm)
T = TypeVar("T")

#: Fields that are the form's machinery, never an answer to compare.
MACHINERY = {"csrf_token", "version", "submit"}


def bind_form(form_class: type[F], **kwargs: Any) -> F:
    """Build *form_class*, refilled with what the person typed before their session ended, if anything."""
    data = g.pop("restored_formdata", None)  # put there by eia.accounts.sessions
    if data is not None:
        return form_class(formdata=data, **kwargs)
    return form_class(**kwargs)


def show_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Put a service's field-level messages on the form so the error summary lists them; a message
    about a question asked on another page of the section links there (``form.elsewhere``)."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
        elif place_elsewhere(form, name, message):
            placed = True
    if not placed:
        form.form_errors.append(str(exc))


def place_elsewhere(form: FlaskForm, name: str, message: str) -> bool:
    """Keep *message* about question *name* for the error summary, linked to the other page of the
    section that asks it (``form.elsewhere``: its address, the number of its page or step, and the
    words for where it is), if it is asked on one."""
    where = getattr(form, "elsewhere", {}).get(name)
    if where is None:
        return False
    href, number, words = where
    found = form.__dict__.setdefault("elsewhere_errors", [])
    if all(item["href"] != href for item in found):
        found.append({"text": f"{message} ({words})", "href": href, "page": number})
    return True


@dataclass(frozen=True)
class Conflict:
    """How to show a clash: the object as saved now, and its values by form field name."""

    current: Any
    saved_values: Callable[[Any], Mapping[str, Any]]
    #: What changed, for the heading: "Equality impacts", "Action 1.3" ...
    what: str
    #: A caption above the heading (the assessment's reference and title, say).
    caption: str | None = None
    #: Row labels where the field's own label is not enough ("Age: direction").
    labels: Mapping[str, str] | None = None


def submit_form(
    form: FlaskForm,
    save: Callable[[], T],
    *,
    saved: str | Callable[[T], str],
    then: str | Callable[[T], str],
    conflict: Conflict | None = None,
) -> ResponseReturnValue | None:
    """Run *save* (one service call) for a validated *form*.

    Commits, flashes *saved* and redirects to *then* when it works. When the service refuses the
    input (:class:`ValidationFailed`), its messages go on the form and the answer is None: the view
    shows the page again with everything typed. When someone else saved the same thing first, the
    page shows their version beside what was typed, with the way to keep either (*conflict* says
    how; without it the clash goes to the generic 409 page). The service runs in a SAVEPOINT, so a
    refusal undoes only its own changes and the page is shown again without reloading the rest.
    """
    try:
        done, result = attempt(form, save)
    except (ConflictError, StaleDataError) as exc:
        if conflict is None:
            raise
        message = str(exc) if isinstance(exc, ConflictError) else "Someone else saved a change at the same time."
        return conflict_page(form, conflict, message), 409
    if not done:
        return None
    result = cast(T, result)  # done: the service returned
    db.session.commit()
    flash(saved(result) if callable(saved) else saved, "success")
    return redirect(then(result) if callable(then) else then)


def submit_checked(form: FlaskForm, save: Callable[[], T], **options: Any) -> ResponseReturnValue | None:
    """:func:`submit_form` when the form's own checks pass; when they fail on a POST, the service's
    checks run too (:func:`also_check`), so every problem shows in one round."""
    if form.validate_on_submit():
        return submit_form(form, save, **options)
    if form.is_submitted():
        also_check(form, save)
    return None


def attempt(form: FlaskForm, save: Callable[[], T]) -> tuple[bool, T | None]:
    """Run *save* in a SAVEPOINT: ``(True, its result)``, or ``(False, None)`` with the service's
    messages on *form* when it refused the input (its changes undone, unless it asked to keep the
    record of the attempt, which is then committed). For pages that answer without a redirect;
    :func:`submit_form` is this plus the commit, the message and the redirect."""
    savepoint = db.session.begin_nested()
    try:
        result = save()
        savepoint.commit()  # flushes: a race the version counter catches raises here
    except ValidationFailed as exc:
        if exc.keep_record:
            savepoint.commit()
            db.session.commit()
            form.kept = True  # what was kept is the page's new starting point
        else:
            savepoint.rollback()
        show_errors(form, exc)
        return False, None
    except BaseException:
        # Active, or left inactive by a flush that failed inside *save* (a race the version
        # counter caught): either way it must be rolled back before the session is used again.
        if db.session().get_nested_transaction() is savepoint:
            savepoint.rollback()
        raise
    return True, result


def also_check(form: FlaskForm, save: Callable[[], Any]) -> None:
    """When a form's own checks failed (an impossible date, say), run the service's checks too and
    put their messages on the fields the form found nothing wrong with, so a person sees every
    problem in one round. Nothing is kept: the SAVEPOINT is rolled back whatever happens."""
    savepoint = db.session.begin_nested()
    try:
        save()
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            field = getattr(form, name, None)
            if field is not None and not field.errors:
                field.errors = [message]
            elif field is None:
                place_elsewhere(form, name, message)
    except (EiaError, SQLAlchemyError, ValueError):  # a clash, a state problem, a value the form refused
        pass
    finally:
        # A failed flush leaves the SAVEPOINT inactive but still to be rolled back.
        if db.session().get_nested_transaction() is savepoint:
            savepoint.rollback()


def first_input_id(field: Field) -> str:
    """The id of the input a person should land on from the error summary: the first box of a date
    (the first one in error, when the message is about one of them), the first radio or checkbox of
    a group (GOV.UK gives it the group's own id), the field itself otherwise."""
    if isinstance(field, DateField):
        parts = [part for part in ("day", "month", "year") if part in field.error_parts] or ["day"]
        return f"{field.id}-{parts[0]}"
    return field.id


def error_summary(form: FlaskForm, title: str = "There is a problem") -> dict[str, Any]:
    """The GOV.UK error summary's parameters for *form*: each message links to the input that
    takes focus, in the order the fields appear; problems with the whole form come first, unlinked."""
    items: list[dict[str, Any]] = [{"text": message} for message in form.form_errors]
    # Problems on other pages of a section: those on earlier pages first, later ones last. While this
    # page has problems of its own they are not links, since leaving would lose what was typed here.
    here = getattr(form, "page_number", 0)
    own = bool(form.form_errors) or any(field.errors for field in form)
    elsewhere = [
        {"text": item["text"], "page": item["page"]} if own else item for item in getattr(form, "elsewhere_errors", [])
    ]
    items.extend(item for item in elsewhere if item["page"] < here)
    for field in form:
        if field.errors:
            message = field.errors[0]
            items.append(
                {"text": message if isinstance(message, str) else str(message), "href": f"#{first_input_id(field)}"}
            )
    items.extend(item for item in elsewhere if item["page"] >= here)
    return {"titleText": title, "errorList": items}


def field_text(field: Field, value: Any) -> str:
    """A field's value as a person reads it: choices by their label, dates as UK dates, lists joined."""
    if value in (None, "", []):
        return ""
    choices = getattr(field, "choices", None)
    labels = dict(_choice_pair(choice) for choice in choices) if choices else {}
    if isinstance(value, list | tuple):
        return "; ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return labels.get(str(value), str(value))


def _choice_pair(choice: Any) -> tuple[str, str]:
    if isinstance(choice, tuple):
        return str(choice[0]), str(choice[1])
    return str(choice.value), str(choice.label)  # wtforms' SelectChoice


def conflict_page(form: FlaskForm, conflict: Conflict, message: str) -> str:
    """What was typed beside what is saved now, and a form that keeps what was typed (posted again,
    at the version saved now, it overwrites on purpose)."""
    db.session.refresh(conflict.current)
    saved_values = conflict.saved_values(conflict.current)
    rows = []
    for field in form:
        if field.name in MACHINERY or field.type in ("HiddenField", "SubmitField", "FileField"):
            continue
        yours = field_text(field, field.data)
        theirs = field_text(field, saved_values.get(field.name))
        if yours or theirs:
            label = (conflict.labels or {}).get(field.name) or field.label.text
            rows.append({"question": label, "yours": yours, "theirs": theirs})
    updated_by = getattr(conflict.current, "updated_by", None)
    return render_template(
        "conflict.html",
        conflict=conflict,
        message=message,
        rows=rows,
        version=version_of(conflict.current),
        updated_by=getattr(updated_by, "name", None),
        updated_at=getattr(conflict.current, "updated_at", None),
        replay=[(name, value) for name, values in request.form.lists() if name != "version" for value in values],
    )
