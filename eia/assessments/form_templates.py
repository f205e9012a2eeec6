"""The form templates assessments are written on, and the characteristic register: loading template
versions and switching local characteristics on or off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from eia.accounts.models import User
from eia.assessments.models import Characteristic, EiaKind, FormTemplate
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, WorkflowError
from eia.extensions import db
from forms.definitions import DefinitionError, load_file, shipped_templates


def load_template(path: Path, *, by: Any) -> FormTemplate:
    """Add a form template version from a YAML file.

    :raises ValidationFailed: if the file is not a valid template or that version already exists.
    """
    try:
        definition, data = load_file(path)
    except DefinitionError as exc:
        raise ValidationFailed(str(exc)) from None
    exists = db.session.execute(
        select(FormTemplate.id).where(FormTemplate.kind == definition.kind, FormTemplate.version == definition.version)
    ).first()
    if exists:
        raise ValidationFailed(f"version {definition.version} of the {definition.kind} template is already loaded")
    newest = db.session.execute(
        select(func.max(FormTemplate.version)).where(FormTemplate.kind == definition.kind)
    ).scalar()
    if newest is not None and definition.version < newest:
        raise ValidationFailed(f"version {definition.version} is older than the loaded version {newest}")
    template = FormTemplate(
        kind=EiaKind(definition.kind),
        version=definition.version,
        title=definition.title,
        definition=data,
        source_name=path.name,
        published_at=utcnow(),
        published_by_id=getattr(by, "id", None),
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        "form_template_loaded",
        template,
        by=by,
        detail=f"{definition.kind} v{definition.version} from {path.name}: {len(definition.sections)} sections",
    )
    return template


def load_shipped_templates(*, by: Any) -> list[FormTemplate]:
    """Load each template shipped under forms/templates/ that is not in the database yet."""
    have = {(row.kind, row.version) for row in db.session.execute(select(FormTemplate.kind, FormTemplate.version))}
    loaded = []
    for path in shipped_templates():
        definition, _ = load_file(path)
        if (definition.kind, definition.version) not in have:
            loaded.append(load_template(path, by=by))
    return loaded


def shipped_templates_loaded(_sender: Any, *, by: Any) -> list[str]:
    """The ``eia.signals.shipped_loaded`` receiver: the shipped form templates, a line each."""
    return [f"Loaded the {t.kind} form template, version {t.version}." for t in load_shipped_templates(by=by)]


def set_characteristic_active(characteristic: Characteristic, active: bool, *, by: User) -> None:
    """Switch a local characteristic on or off.

    :raises WorkflowError: for the protected characteristics, which the law fixes.
    """
    if characteristic.is_protected and not active:
        raise WorkflowError(f"{characteristic.name} is a protected characteristic under the Equality Act 2010.")
    if characteristic.is_active == active:
        return
    characteristic.is_active = active
    audit.record("characteristic_switched", characteristic, by=by, changes=audit.field_changes(characteristic))
    db.session.flush()
