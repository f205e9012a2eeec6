"""Write use-cases for an assessment's mitigations: adding, changing and removing them, and which
negative impacts still have none.

Like every service, they check the rules, write the audit entry and flush; the view commits.
"""

from __future__ import annotations

from typing import Any

from eia.accounts.models import User
from eia.assessments.models import Eia, Impact, Mitigation
from eia.assessments.services import check_editable
from eia.assessments.states import MitigationStatus
from eia.auditlog import services as audit
from eia.errors import ValidationFailed, check_version
from eia.extensions import db

MITIGATION_FIELDS = ("characteristic_id", "action", "owner_id", "due_on", "status", "measure")


def _mitigation_values(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "characteristic_id": values.get("characteristic_id"),
        "action": (values.get("action") or "").strip(),
        "owner_id": values["owner_id"],
        "due_on": values["due_on"],
        "status": MitigationStatus(values.get("status") or MitigationStatus.NOT_STARTED),
        "measure": (values.get("measure") or "").strip(),
    }


def _check_mitigation(eia: Eia, values: dict[str, Any]) -> None:
    """A mitigation addresses the proposal as a whole or a negative impact of *eia*, and its owner is
    a person with an enabled account.

    :raises ValidationFailed: naming each field that breaks a rule.
    """
    problems = {}
    negatives = {impact.characteristic_id for impact in eia.impacts if impact.is_negative}
    if values.get("characteristic_id") not in negatives | {None}:
        problems["characteristic_id"] = "Choose a characteristic with a negative impact here"
    owner = db.session.get(User, values["owner_id"])
    if owner is None or not owner.is_enabled:
        problems["owner_id"] = "The owner must be a person with an enabled account"
    if problems:
        raise ValidationFailed("The mitigation breaks a rule", problems)


def add_mitigation(eia: Eia, values: dict[str, Any], *, by: User) -> Mitigation:
    """Add a mitigation (the impact it addresses, the action, its owner, due date, status and how its
    effect will be measured).

    :raises ValidationFailed: if the impact is not a negative one of *eia*, or the owner is not a
        person with an enabled account.
    """
    check_editable(eia)
    _check_mitigation(eia, values)
    mitigation = Mitigation(**_mitigation_values(values))
    eia.mitigations.append(mitigation)
    db.session.flush()
    changes = {f"mitigation.{name}": [None, getattr(mitigation, name)] for name in MITIGATION_FIELDS}
    audit.record("mitigation_added", eia, by=by, detail=f"mitigation {mitigation.id}", changes=changes)
    return mitigation


def update_mitigation(mitigation: Mitigation, values: dict[str, Any], *, expected_version: int, by: User) -> None:
    """Change a mitigation.

    :raises ConflictError: if someone saved it after *expected_version*.
    :raises ValidationFailed: as :func:`add_mitigation`.
    """
    check_editable(mitigation.eia)
    check_version(
        mitigation, expected_version, "Someone else changed this mitigation after you opened it. Nothing was saved."
    )
    _check_mitigation(mitigation.eia, values)
    for name, value in _mitigation_values(values).items():
        setattr(mitigation, name, value)
    changes = {f"mitigation.{k}": v for k, v in audit.field_changes(mitigation).items()}
    if changes:
        audit.record("mitigation_changed", mitigation.eia, by=by, detail=f"mitigation {mitigation.id}", changes=changes)
    db.session.flush()


def remove_mitigation(mitigation: Mitigation, *, expected_version: int, by: User) -> None:
    """Remove a mitigation, unless someone changed it after the page was opened.

    :raises ConflictError: if it changed after *expected_version*.
    """
    eia = mitigation.eia
    check_editable(eia)
    check_version(
        mitigation,
        expected_version,
        "Someone changed this mitigation after you opened the page, so it was not removed.",
    )
    audit.record(
        "mitigation_removed",
        eia,
        by=by,
        detail=f"mitigation {mitigation.id}",
        changes={"mitigation.action": [mitigation.action, None]},
    )
    eia.mitigations.remove(mitigation)
    db.session.flush()


def unmitigated_impacts(eia: Eia) -> list[Impact]:
    """Negative impacts with neither a mitigation nor a justification of the residual impact."""
    if eia.answers("mitigations").get("residual_justification"):
        return []
    mitigated = {m.characteristic_id for m in eia.mitigations}
    return [i for i in eia.impacts if i.is_negative and i.characteristic_id not in mitigated]
