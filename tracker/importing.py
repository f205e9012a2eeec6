"""Importing and exporting action plans: all or nothing, idempotent, lossless.

An import reads the whole file, checks every row, and writes nothing if any cell is wrong; every
problem names its line and column. Rows are matched on organisation + plan + priority_ref +
action_ref, so importing the same file again changes nothing. Actions without a reference are
numbered in the order they appear within their priority.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eia.auditlog import services as audit
from eia.csv_export import FORMULA_TRIGGERS, csv_lines
from eia.errors import ValidationFailed
from eia.extensions import db
from tracker.models import ActionStatus, Plan, PlanAction, Priority
from tracker.schemas import COLUMNS, REQUIRED, PlanRowSchema
from tracker.targets import parse_target

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class RowProblem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (f"line {self.line}" if self.line else "", f"column {self.column}" if self.column else "")
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class ImportFailed(ValidationFailed):
    """The file cannot be imported; ``problems`` lists every bad cell. Nothing was written."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the file: nothing was imported"
        )
        self.problems = problems


def _restore(value: str) -> str:
    """Undo the export's formula neutralising (a quote before = + - @), so a round trip is lossless."""
    if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            [RowProblem(line, None, "the file is not UTF-8 text: save it as 'CSV UTF-8' and try again")]
        ) from None
    csv.field_size_limit(MAX_IMPORT_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportFailed(
            [
                RowProblem(
                    reader.line_num, None, f"the file is not well-formed CSV ({exc}); check the quotes on this line"
                )
            ]
        ) from None
    if not rows:
        raise ImportFailed([RowProblem(None, None, "the file is empty")])
    return rows[0][1], rows[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        return _xlsx_rows(data)
    except ImportFailed:
        raise
    except Exception:  # openpyxl raises many kinds of error on a damaged workbook
        raise ImportFailed(
            [RowProblem(None, None, "the file is not a readable CSV or Excel (XLSX) workbook")]
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook  # only for spreadsheets: not every command pays for it

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheet = book.worksheets[0]
    problems: list[RowProblem] = []
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values: list[str] = []
        for cell in cells:
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                problems.append(
                    RowProblem(
                        number,
                        header[len(values)] if len(values) < len(header) else cell.coordinate,
                        f"cell {cell.coordinate} holds a formula ({str(cell.value)[:40]}); type the value instead",
                    )
                )
            values.append(_cell_text(cell.value))
        if number == 1:
            header = [v.strip() for v in values]
        else:
            rows.append((number, values))
    book.close()
    if problems:
        raise ImportFailed(problems)
    if not header:
        raise ImportFailed([RowProblem(None, None, "the file is empty")])
    return header, rows


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The data rows of a CSV or XLSX file as ``(line, {column: text})``, after checking its size,
    encoding and header.

    :raises ImportFailed: naming what is wrong.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed(
            [
                RowProblem(
                    None,
                    None,
                    f"the file is {len(data) / 1048576:.0f} MB; the limit is {MAX_IMPORT_BYTES // 1048576} MB",
                )
            ]
        )
    if not data.strip():
        raise ImportFailed([RowProblem(None, None, "the file is empty")])
    header, rows = _read_xlsx(data) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    header = [h.strip().lower() for h in header]
    problems = [
        RowProblem(1, name, f"the required column '{name}' is missing") for name in REQUIRED if name not in header
    ]
    problems += [
        RowProblem(1, name or f"{index + 1}", f"unknown column '{name}' (the columns are: {', '.join(COLUMNS)})")
        for index, name in enumerate(header)
        if name not in COLUMNS
    ]
    if problems:
        raise ImportFailed(problems)
    records = []
    for line, values in rows:
        for index, value in enumerate(values):
            if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in value):
                column = header[index] if index < len(header) else str(index + 1)
                problems.append(RowProblem(line, column, "the cell contains a control character that cannot be stored"))
        if not any(v.strip() for v in values):
            continue  # blank lines are not rows
        if len(values) > len(header):
            problems.append(RowProblem(line, None, f"the row has {len(values)} cells but the header has {len(header)}"))
            continue
        records.append((line, {name: _restore(values[i]) if i < len(values) else "" for i, name in enumerate(header)}))
    if problems:
        raise ImportFailed(problems)
    if not records:
        raise ImportFailed([RowProblem(None, None, "the file has a header but no rows")])
    return records


@dataclass
class ImportPreview:
    """What an import would do; nothing is written until it is applied."""

    rows: list[dict[str, Any]]
    new_plans: list[tuple[str, str]] = field(default_factory=list)
    new_priorities: int = 0
    new_actions: list[str] = field(default_factory=list)
    changed_actions: list[tuple[str, dict[str, list[Any]]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.new_plans or self.new_priorities or self.new_actions or self.changed_actions)


ACTION_FIELDS = ("outcome", "text", "leads", "target_text", "success_measures", "status")


def _action_values(row: dict[str, Any], existing: PlanAction | None = None) -> dict[str, Any]:
    """The stored values a row stands for; an empty status leaves *existing*'s status alone."""
    due_on, recurring = parse_target(row["target"])
    status = existing.status if existing is not None and not row["status_given"] else row["status"]
    return {
        "outcome": row["outcome"],
        "text": row["action"],
        "leads": row["leads"],
        "target_text": row["target"],
        "due_on": due_on,
        "is_recurring": recurring,
        "success_measures": row["measures"],
        "status": status,
    }


def preview_import(records: list[tuple[int, dict[str, str]]]) -> ImportPreview:
    """Check every row and compare the file with what is stored.

    :raises ImportFailed: listing every bad cell, duplicate reference and contradiction.
    """
    schema = PlanRowSchema()
    problems: list[RowProblem] = []
    rows: list[dict[str, Any]] = []
    for line, record in records:
        try:
            row = schema.load(record)
        except ValidationError as exc:
            messages = exc.normalized_messages()
            problems += [RowProblem(line, column, "; ".join(texts)) for column, texts in messages.items()]
            continue
        row["line"] = line
        rows.append(row)

    seen: dict[tuple[str, ...], int] = {}
    priority_text: dict[tuple[str, str, str], tuple[str, int]] = {}
    positions: dict[tuple[str, str, str], int] = {}
    for row in rows:
        pkey = (row["organisation"], row["plan"], row["priority_ref"])
        known = priority_text.setdefault(pkey, (row["priority"], row["line"]))
        if known[0] != row["priority"]:
            problems.append(
                RowProblem(row["line"], "priority", f"the text of {row['priority_ref']} differs from line {known[1]}")
            )
        positions[pkey] = positions.get(pkey, 0) + 1
        row["position"] = positions[pkey]
        row["ref_generated"] = not row["action_ref"]
        row["ref"] = row["action_ref"] or str(positions[pkey])
        akey = (*pkey, row["ref"])
        if akey in seen:
            problems.append(
                RowProblem(
                    row["line"],
                    "action_ref",
                    f"{row['ref']} appears twice in {row['priority_ref']} (lines {seen[akey]} and {row['line']})",
                )
            )
        seen[akey] = row["line"]
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
    return _compare(rows)


def _compare(rows: list[dict[str, Any]]) -> ImportPreview:
    preview = ImportPreview(rows=rows)
    plans = {(p.organisation, p.title): p for p in db.session.execute(select(Plan)).scalars()}
    new_plan_keys: set[tuple[str, str]] = set()
    new_priority_keys: set[tuple[str, str, str]] = set()
    for row in rows:
        plan = plans.get((row["organisation"], row["plan"]))
        label = f"{row['organisation']} – {row['plan']} – {row['priority_ref']} – {row['ref']}"
        if plan is None:
            new_plan_keys.add((row["organisation"], row["plan"]))
            new_priority_keys.add((row["organisation"], row["plan"], row["priority_ref"]))
            preview.new_actions.append(label)
            continue
        priority = next((p for p in plan.priorities if p.ref == row["priority_ref"]), None)
        if priority is None:
            new_priority_keys.add((row["organisation"], row["plan"], row["priority_ref"]))
            preview.new_actions.append(label)
            continue
        action = next((a for a in priority.actions if a.ref == row["ref"]), None)
        if action is None:
            preview.new_actions.append(label)
            continue
        values = _action_values(row, action)
        changes = {
            name: [_plain(getattr(action, name)), _plain(values[name])]
            for name in ACTION_FIELDS
            if _plain(getattr(action, name)) != _plain(values[name])
        }
        if priority.text != row["priority"]:
            changes["priority"] = [priority.text, row["priority"]]
        if changes:
            preview.changed_actions.append((label, changes))
        else:
            preview.unchanged += 1
    preview.new_plans = sorted(new_plan_keys)
    preview.new_priorities = len(new_priority_keys)
    return preview


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, ActionStatus) else value


def apply_import(preview: ImportPreview, *, by: Any, source: str) -> dict[str, int]:
    """Write what :func:`preview_import` found; returns counts. Audit-logged per plan and action."""
    plans = {(p.organisation, p.title): p for p in db.session.execute(select(Plan)).scalars()}
    counts = {"plans": 0, "priorities": 0, "added": 0, "changed": 0, "unchanged": 0}
    for row in preview.rows:
        plan = plans.get((row["organisation"], row["plan"]))
        if plan is None:
            plan = Plan(organisation=row["organisation"], title=row["plan"], is_active=True)
            db.session.add(plan)
            plans[(plan.organisation, plan.title)] = plan
            counts["plans"] += 1
        priority = next((p for p in plan.priorities if p.ref == row["priority_ref"]), None)
        if priority is None:
            priority = Priority(ref=row["priority_ref"], text=row["priority"], position=len(plan.priorities) + 1)
            plan.priorities.append(priority)
            counts["priorities"] += 1
        elif priority.text != row["priority"]:
            audit.record(
                "plan_priority_updated",
                plan,
                by=by,
                detail=f"{priority.ref} from {source}",
                changes={f"{priority.ref}.text": [priority.text, row["priority"]]},
            )
            priority.text = row["priority"]
            counts["changed"] += 1
        action = next((a for a in priority.actions if a.ref == row["ref"]), None)
        values = _action_values(row, action)
        if action is None:
            # After every action the priority already has, so stored order and file order agree.
            position = max((a.position for a in priority.actions), default=0) + 1
            action = PlanAction(ref=row["ref"], ref_generated=row["ref_generated"], position=position, **values)
            priority.actions.append(action)
            counts["added"] += 1
            continue
        for name, value in values.items():
            setattr(action, name, value)
        changes = audit.field_changes(action)
        if changes:
            db.session.flush()
            audit.record(
                "plan_action_updated",
                action,
                by=by,
                detail=f"{plan.title} {priority.ref} {action.ref} from {source}",
                changes=changes,
            )
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
    db.session.flush()
    if counts["plans"] or counts["priorities"] or counts["added"] or counts["changed"]:
        audit.record(
            "plans_imported",
            by=by,
            entity_type="plan",
            detail=f"{source}: {counts['plans']} plans, {counts['priorities']} priorities and {counts['added']} actions added, {counts['changed']} actions changed",
            changes={k: [None, v] for k, v in counts.items()},
        )
    return counts


def confirm_import(data: bytes, *, by: Any, source: str) -> dict[str, int] | None:
    """Import a file whose preview a person confirmed: checked again against the plans as they are now
    (they may have changed since), then written. None when someone else imported the same plans at
    the same moment, so there was nothing left to change.

    :raises ImportFailed: if the file no longer imports cleanly.
    """
    preview = preview_import(read_rows(data))
    try:
        with db.session.begin_nested():
            return apply_import(preview, by=by, source=source)
    except IntegrityError:
        # A parallel import created the same plan, priority or action first (the unique constraints
        # caught it): compare with what it wrote.
        again = preview_import(read_rows(data))
        if again.has_changes:
            return apply_import(again, by=by, source=source)
        return None


def export_rows(plan: Plan) -> list[tuple[str, ...]]:
    """The plan in the import format, priority by priority, action by action."""
    rows: list[tuple[str, ...]] = []
    for priority in plan.priorities:
        for action in priority.actions:
            rows.append(
                (
                    plan.title,
                    plan.organisation,
                    priority.ref,
                    priority.text,
                    action.outcome,
                    "" if action.ref_generated else action.ref,
                    action.text,
                    "; ".join(action.leads),
                    action.target_text,
                    "\n".join(action.success_measures),
                    "" if action.status is ActionStatus.NOT_STARTED else action.status.label.lower(),
                )
            )
    return rows


def export_csv(plan: Plan) -> str:
    return "".join(csv_lines(COLUMNS, export_rows(plan)))


def export_xlsx(plan: Plan) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Action plan"
    sheet.append(list(COLUMNS))
    for row in export_rows(plan):
        # A leading quote keeps Excel from running text as a formula (undone again on import).
        sheet.append(["'" + v if isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def record_export(plan: Plan, *, by: Any, file_format: str) -> None:
    audit.record("plan_exported", plan, by=by, detail=f"{plan.title} as {file_format}")
