"""The form templates assessments are written on, and the characteristic register: loading template
versions and switching local characteristics on or off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from eia.accounts.models import User
from eia.assessments.models import Characteristic, FormTemplate
from eia.assessments.states import EiaKind
from eia.auditlog import services as audit
from eia.db_types import utcnow
from eia.errors import ValidationFailed, WorkflowError
from eia.extensions import db
from forms.checks import CheckResult, Problem, check_template
from forms.definitions import load_file, shipped_templates


class TemplateProblems(ValidationFailed):
    """An uploaded template with problems: every one, each with its line."""

    def __init__(self, problems: list[Problem]):
        summary = (
            str(problems[0])
            if len(problems) == 1
            else f"The template has {len(problems)} problems, listed below: fix them and upload it again"
        )
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the template", {"file": summary}
        )
        self.problems = problems


def _published_definitions() -> list:
    return [
        t.form for t in db.session.execute(select(FormTemplate).where(FormTemplate.published_at.is_not(None))).scalars()
    ]


def _newest_published(kind: str) -> int | None:
    return db.session.execute(
        select(func.max(FormTemplate.version)).where(FormTemplate.kind == kind, FormTemplate.published_at.is_not(None))
    ).scalar()


def check_upload(text: str) -> tuple[CheckResult, FormTemplate | None]:
    """The template *text* checked (:func:`forms.checks.check_template`) against the published
    versions, and against the version numbers taken: a published version is never replaced, and a
    new one must be newer than the newest published. Also returns the unpublished draft of the same
    version, which an upload replaces."""
    result = check_template(text, _published_definitions())
    definition = result.definition
    if definition is None:
        return result, None
    line = result.data_lines.get("version", 0)
    existing = db.session.execute(
        select(FormTemplate).where(FormTemplate.kind == definition.kind, FormTemplate.version == definition.version)
    ).scalar_one_or_none()
    newest = _newest_published(definition.kind)
    if existing is not None and existing.is_published:
        result.problems.append(
            Problem(
                line,
                f"Version {definition.version} of the {definition.kind} template is already loaded and published, "
                f"and never changes: number this one {(newest or 0) + 1}",
            )
        )
    elif newest is not None and definition.version < newest:
        result.problems.append(
            Problem(
                line,
                f"Version {definition.version} is older than the published version {newest}: "
                f"number this one {newest + 1}",
            )
        )
    return result, existing


def upload_template(text: str, filename: str, *, by: Any) -> FormTemplate:
    """Add an unpublished form template version from uploaded YAML (or replace the unpublished
    draft of the same version). Assessments keep using the published version until it is published.

    :raises TemplateProblems: naming every problem with its line; nothing is saved.
    """
    result, existing = check_upload(text)
    definition, data = result.definition, result.data
    if not result.ok or definition is None or data is None:
        raise TemplateProblems(result.problems)
    if existing is None:
        template = FormTemplate(kind=EiaKind(definition.kind), version=definition.version)
        db.session.add(template)
        action = "form_template_uploaded"
    else:
        template, action = existing, "form_template_replaced"
    template.title = definition.title
    template.definition = data
    template.source_name = filename[:200]
    template.source_text = text
    template.loaded_at = utcnow()
    db.session.flush()
    audit.record(
        action,
        template,
        by=by,
        detail=f"{definition.kind} v{definition.version} from {filename}: {len(definition.sections)} sections, "
        "not published",
    )
    return template


def publish_template(template: FormTemplate, *, by: Any) -> None:
    """Publish a version: new assessments of its kind are written on it from now on; it never changes.

    :raises WorkflowError: if it is published already, or a newer version is.
    """
    if template.is_published:
        raise WorkflowError(f"Version {template.version} is published already.")
    newest = _newest_published(template.kind)
    if newest is not None and newest >= template.version:
        raise WorkflowError(f"Version {newest} is published, and is newer: upload this one as a later version.")
    template.published_at = utcnow()
    template.published_by_id = getattr(by, "id", None)
    changes = audit.field_changes(template)
    db.session.flush()
    audit.record(
        "form_template_published",
        template,
        by=by,
        detail=f"{template.kind} v{template.version}: new assessments use it",
        changes={k: [None if v[0] is None else str(v[0]), str(v[1])] for k, v in changes.items()},
    )


def load_template(path: Path, *, by: Any) -> FormTemplate:
    """Add and publish a form template version from a YAML file (``eia forms load``), by the same
    rules as an upload on the template editor.

    :raises ValidationFailed: naming every problem with its line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"cannot read {path}: {exc}") from None
    result, existing = check_upload(text)
    if existing is not None and result.ok:
        result.problems.append(
            Problem(0, f"version {existing.version} of the {existing.kind} template is already loaded")
        )
    definition, data = result.definition, result.data
    if not result.ok or definition is None or data is None:
        raise ValidationFailed(f"{path.name}:\n" + "\n".join(f"  {p}" for p in result.problems))
    template = FormTemplate(
        kind=EiaKind(definition.kind),
        version=definition.version,
        title=definition.title,
        definition=data,
        source_name=path.name,
        source_text=text,
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
