"""An assessment as plain data, kept at each submission so a reviewer sees what changed since."""

from __future__ import annotations

from typing import Any

from eia.assessments.models import Eia


def snapshot(eia: Eia) -> dict[str, Any]:
    """The whole EIA as plain data, keyed so two snapshots can be compared field by field."""
    return {
        "title": eia.title,
        "sections": {s.key: dict(s.answers) for s in sorted(eia.sections, key=lambda s: s.key)},
        "impacts": {
            i.characteristic.key: {
                "direction": i.direction.value if i.direction else None,
                "severity": i.severity.value if i.severity else None,
                "description": i.description,
                "who_affected": i.who_affected,
                "evidence": i.evidence,
                **({"finding_out": i.finding_out} if i.finding_out else {}),
            }
            for i in eia.impacts
        },
        "mitigations": {
            str(m.id): {
                "characteristic": m.characteristic.key if m.characteristic else None,
                "action": m.action,
                "owner_id": m.owner_id,
                "due_on": m.due_on.isoformat(),
                "status": m.status.value,
                "measure": m.measure,
            }
            for m in eia.mitigations
        },
    }
