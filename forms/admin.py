"""Administration forms: people and service areas."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, HiddenField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from eia.roles import ROLE_LABELS
from forms.fields import select_choices


def _optional_id(value: object) -> str:
    return "" if value is None else str(value)


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class UserDetailsForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's email address"),
            Email("Enter an email address in the correct format, like name@council.gov.uk"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role", widget=GovRadioInput(), validators=[InputRequired("Select a role")], choices=_role_choices()
    )
    service_area_id = SelectField(
        "Service area",
        description="Service managers see and edit only the EIAs of their service area.",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[],
        coerce=_optional_id,
    )

    def __init__(self, *args, service_areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.service_area_id.choices = select_choices(service_areas)


#: How a new person gets into the app.
INVITE, TEMPORARY_PASSWORD, PROVIDER = "invite", "password", "provider"


class NewUserForm(UserDetailsForm):
    sign_in = RadioField(
        "How will they sign in?",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose how they will sign in")],
        choices=[],
    )
    password = PasswordField(
        "Temporary password",
        description="Only if you set a temporary password: 12 characters or more. They will be asked to choose "
        "their own when they first sign in.",
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())

    def __init__(self, *args, service_areas: list[tuple[str, str]], sign_in_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, service_areas=service_areas, **kwargs)
        self.sign_in.choices = select_choices(sign_in_choices)
        if not self.is_submitted() and not self.sign_in.data and sign_in_choices:
            self.sign_in.data = sign_in_choices[0][0]

    def validate_password(self, field) -> None:
        if self.sign_in.data == TEMPORARY_PASSWORD and not field.data:
            raise ValidationError("Enter a temporary password")


class EditUserForm(UserDetailsForm):
    version = HiddenField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    @staticmethod
    def data_from(person: Any) -> dict[str, Any]:
        """A person's saved details as this form's data."""
        return {
            "name": person.name,
            "email": person.email,
            "role": person.role.value,
            "service_area_id": person.service_area_id,
        }


class DisableUserForm(FlaskForm):
    reason = StringField(
        "Reason (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Disable user", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that only needs CSRF protection (enable, unlock, sign out)."""


class ServiceAreaForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the name of the service area"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    parent_id = SelectField(
        "Directorate",
        description="Leave as none to add a directorate.",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField("Add service area", widget=GovSubmitInput())

    def __init__(self, *args, directorates: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = select_choices(directorates)


MAX_TEMPLATE_BYTES = 200_000  # the shipped templates are about 20 kB


class UploadTemplateForm(FlaskForm):
    """A new version of a form template, as YAML."""

    file = FileField(
        "Template file (YAML)",
        description="The whole template: kind, version, title and sections. It is checked before anything is saved.",
        widget=GovFileInput(),
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())
    #: The file's text, once it is known to be UTF-8 of MAX_TEMPLATE_BYTES or less.
    text: str = ""

    def validate_file(self, field: Any) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Choose a YAML file to upload")
        raw = field.data.read(MAX_TEMPLATE_BYTES + 1)
        try:
            self.text = raw.decode("utf-8") if len(raw) <= MAX_TEMPLATE_BYTES else ""
        except UnicodeDecodeError:
            self.text = ""
        if not self.text and raw:
            raise ValidationError("The file must be a YAML text file (UTF-8) of 200 KB or less")

    @property
    def file_name(self) -> str:
        return self.file.data.filename or "upload.yaml"


class PublishTemplateForm(FlaskForm):
    submit = SubmitField("Publish this version", widget=GovSubmitInput())
