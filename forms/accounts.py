"""Sign-in and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from forms.fields import select_choices


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )
    new_password = PasswordField(
        "New password",
        description="Use 12 characters or more. A few unrelated words together make a strong password.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgottenPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        description="We will email a link to reset your password. It works for 1 hour.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    """Choosing a password from an invitation or a reset link."""

    password = PasswordField(
        "New password",
        description="Use 12 characters or more. A few unrelated words together make a strong password.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class NewTokenForm(FlaskForm):
    """A personal access token for the JSON API."""

    name = StringField(
        "Name",
        description="What will use it, so you can tell your tokens apart. For example 'Quarterly figures script'.",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a name for the token"),
            Length(max=100, message="The name must be 100 characters or fewer"),
        ],
    )
    scope = RadioField(
        "What may it do?",
        widget=GovRadioInput(),
        choices=select_choices(
            [("read", "Read only: see what you can see"), ("write", "Read and write: also change what you can change")]
        ),
        default="read",
        validators=[InputRequired("Choose what the token may do")],
    )
    days = SelectField(
        "How long should it last?",
        widget=GovSelect(),
        choices=select_choices([("30", "30 days"), ("90", "90 days"), ("180", "180 days"), ("365", "A year")]),
        default="90",
        validators=[InputRequired("Choose how long the token lasts")],
    )
    submit = SubmitField("Make the token", widget=GovSubmitInput())
