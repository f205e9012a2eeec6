"""Small helpers between Flask-WTF forms and domain services."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import g
from flask_wtf import FlaskForm

from eia.errors import ValidationFailed

F = TypeVar("F", bound=FlaskForm)


def bind_form(form_class: type[F], **kwargs: Any) -> F:
    """Build *form_class*, refilled with what the person typed before their session ended, if anything."""
    data = g.pop("restored_formdata", None)  # put there by eia.accounts.sessions
    if data is not None:
        return form_class(formdata=data, **kwargs)
    return form_class(**kwargs)


def show_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Put a service's field-level messages on the form so the error summary lists them."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        form.form_errors.append(str(exc))
