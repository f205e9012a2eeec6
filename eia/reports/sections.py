"""The annual EIA report's figures as plain data, section by section, from the
:class:`eia.reports.figures.Report` the page shows: what :class:`eia.reports.schemas.AnnualReportSchema` dumps.

The action-plan sections (the EIA programme, progress by priority, actions evidenced) come from the
plan tracker's report provider (``report.extra``); they are read by name here, so ``eia`` does not
import ``tracker``, and are empty lists when no provider is registered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for


def _pipeline(row: Any) -> dict[str, Any]:
    return {
        "label": row.label,
        "started": row.started,
        "completed": row.completed,
        "published": row.published,
        "publication_rate": row.publication_rate,
    }


def _priority(row: Any) -> dict[str, Any]:
    return {
        "plan_id": row.plan_id,
        "plan": row.plan,
        "organisation": row.organisation,
        "priority_ref": row.priority_ref,
        "priority": row.priority,
        "actions": row.total,
        "by_status": {str(status): n for status, n in row.counts.items()},
        "percent_complete": row.percent_complete,
        "overdue": row.overdue,
        "stale": row.stale,
    }


def _checkpoint(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "size": row.size,
        "head_hash": row.head_hash,
        "signed_at": row.signed_at,
        "url": url_for("audit_checkpoints.note", checkpoint_id=row.id, _external=True),
    }


def report_sections(report: Any) -> dict[str, Any]:
    """The report's figures as plain data, section by section (what :class:`AnnualReportSchema` dumps)."""
    extra = report.extra
    chain = report.chain
    return {
        "year": report.year,
        "label": report.label,
        "council": report.council,
        "starts_on": date(report.year, 4, 1),
        "ends_on": date(report.year + 1, 3, 31),
        "as_of": report.today,
        "assessments": {
            "by_directorate": [_pipeline(row) for row in report.by_area],
            "by_type": [_pipeline(row) for row in report.by_type],
            "total": _pipeline(report.total),
            "previous_year": _pipeline(report.previous),
            "programme": [
                {
                    "service_area": row.service_area,
                    "planned": row.planned,
                    "started": row.started,
                    "completed": row.completed,
                    "published": row.published,
                    "completion_rate": row.completion_rate,
                    "publication_rate": row.publication_rate,
                }
                for row in extra.get("programme", [])
            ],
        },
        "outcomes": [{"outcome": label, "assessments": n} for label, n in report.outcomes],
        "negative_impacts": [
            {
                "characteristic": row.characteristic,
                "assessments": row.assessments,
                "mitigations": row.mitigations,
                "done": row.done,
                "overdue": row.overdue,
            }
            for row in report.impacts
        ],
        "considered": {
            name: getattr(report.considered, name)
            for name in (
                "completed",
                "care_experience",
                "care_experience_negative",
                "armed_forces",
                "armed_forces_relevant",
            )
        },
        "quality_audits": {
            "quarters": [
                {
                    "label": q.period.label,
                    "start": q.period.start,
                    "end": q.period.end,
                    "samples": q.samples,
                    "audited": q.audited,
                    "moderated": q.moderated,
                    "target": q.target,
                    "status": q.status,
                }
                for q in report.quarters
            ],
            "criteria": [
                {"key": a.key, "title": a.title, "average": a.average, "scored": a.scored} for a in report.criteria
            ],
            "common_findings": [{"criterion": title, "findings": n} for title, n in report.findings],
        },
        "action_plans": {
            "priorities": [_priority(row) for row in extra.get("priorities", [])],
            "evidenced": [
                {"plan": plan, "priority_ref": priority, "action_ref": ref, "assessments": list(references)}
                for plan, priority, ref, references in extra.get("evidenced", [])
            ],
        },
        "audit_log": {
            "chain": {
                "status": str(chain.status),
                "intact": chain.is_consistent if chain.status in ("consistent", "inconsistent") else None,
                "entries": chain.entries,
                "checked_entries": chain.checked,
                "head_hash": chain.head_hash,
                "broken_at": chain.broken_at,
                "problem": chain.problem,
            },
            "checkpoint": _checkpoint(chain.checkpoint),
            "entries_in_year": report.audit_entries,
        },
        "change_since_last_year": [
            {"measure": measure, "previous_year": before, "this_year": now, "change": now - before}
            for measure, before, now in report.change
        ],
        "appendix": [
            {"reference": ref, "title": title, "service_area": area, "outcome": outcome, "published": published}
            for ref, title, area, outcome, published in report.appendix
        ],
        "appendix_withheld": report.appendix_withheld,
        **_due_regard_sections(report),
    }


def _due_regard_sections(report: Any) -> dict[str, Any]:
    due, text = report.due, report.commentary
    screening = due.screening
    return {
        "commentary": {"body": text.body, "version": text.version, "updated_at": text.updated_at} if text else None,
        "timeliness": [{"directorate": row.directorate, "timings": row.counts} for row in due.timeliness],
        "screening": {
            "completed": screening.completed,
            "screened_out": screening.screened_out,
            "by_type": [
                dict(zip(("label", "completed", "screened_out"), row, strict=True)) for row in screening.by_type
            ],
            "by_directorate": [
                dict(zip(("label", "completed", "screened_out"), row, strict=True)) for row in screening.by_directorate
            ],
            "reasons": [vars(item) for item in screening.reasons],
        },
        "outcomes_by_directorate": [{"directorate": name, "outcomes": counts} for name, counts in due.outcomes],
        "changed_decisions": [vars(case) for case in due.changed],
        "open_at_year_end": {"as_of": due.year_end, "directorates": [vars(row) for row in due.open_rows]},
        "evidence_gaps": [vars(row) for row in due.gaps],
    }
