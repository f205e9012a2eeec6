"""Fields and helpers every HTML form shares: GOV.UK date inputs, choices, trimmed text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import render_template
from markupsafe import Markup
from wtforms import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

MIN_YEAR, MAX_YEAR = 1990, 2100


def select_choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value: Any) -> Any:
    """Text is kept without surrounding white space, so spaces alone count as no answer."""
    return value.strip() if isinstance(value, str) else value


class DateInputWidget:
    """The GOV.UK date input: day, month and year boxes named ``<field>-day`` and so on."""

    def __call__(self, field: DateField, **kwargs: Any) -> Markup:
        parts = field.parts
        error_parts = field.error_parts
        items = [
            {
                "name": name,
                "label": name.capitalize(),
                "value": parts.get(name, ""),
                "classes": ("govuk-input--width-4" if name == "year" else "govuk-input--width-2")
                + (" govuk-input--error" if field.errors and (not error_parts or name in error_parts) else ""),
                "inputmode": "numeric",
            }
            for name in ("day", "month", "year")
        ]
        params = {
            "id": field.id,
            "namePrefix": field.name,
            "fieldset": {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}},
            "hint": {"text": field.description or "For example, 27 3 2026"},
            "items": items,
        }
        if field.errors:
            params["errorMessage"] = {"text": field.errors[0]}
        return Markup(render_template("_macros/date_input.html", params=params))


class DateField(Field):
    """A date typed as day, month and year. Keeps what was typed when it is not a real date."""

    widget = DateInputWidget()

    def __init__(
        self, label: str | None = None, validators: list | None = None, *, required: str | None = None, **kwargs: Any
    ):
        super().__init__(label, validators, **kwargs)
        self.required_message = required  # the message when nothing is typed, for a date that must be given
        self.parts: dict[str, str] = {}
        self.error_parts: set[str] = set()

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors: list[str] = []
        self.data = data if isinstance(data, date) else None
        if isinstance(data, str) and data:
            self.data = date.fromisoformat(data)
        if self.data is not None:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        keys = [f"{self.name}-{part}" for part in ("day", "month", "year")]
        if not any(key in formdata for key in keys):
            return
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip()[:10] for part in ("day", "month", "year")}
        self.data = None
        self.raw_data = list(self.parts.values())

    def pre_validate(self, form: Any) -> None:
        filled = {name for name, value in self.parts.items() if value}
        if not filled:
            if self.required_message and self.data is None:
                raise ValidationError(self.required_message)
            return
        missing = [name for name in ("day", "month", "year") if name not in filled]
        if missing:
            self.error_parts = set(missing)
            raise ValidationError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not all(value.isascii() and value.isdigit() for value in self.parts.values()):
            self.error_parts = {name for name, value in self.parts.items() if not value.isdigit()}
            raise ValidationError(f"{self.label.text} must be a real date, in numbers")
        day, month, year = (int(self.parts[name]) for name in ("day", "month", "year"))
        if len(self.parts["year"]) != 4 or not MIN_YEAR <= year <= MAX_YEAR:
            self.error_parts = {"year"}
            raise ValidationError(f"{self.label.text}: the year must have 4 numbers, between {MIN_YEAR} and {MAX_YEAR}")
        try:
            self.data = date(year, month, day)
        except ValueError:
            self.error_parts = set()
            raise ValidationError(f"{self.label.text} must be a real date") from None


def choices(pairs: Mapping[str, str] | list[tuple[str, str]]) -> list[SelectChoice]:
    """Select, radio or checkbox choices from a mapping or from (value, label) pairs."""
    return select_choices(list(pairs.items()) if isinstance(pairs, Mapping) else pairs)
