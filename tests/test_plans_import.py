"""Action plans: the four seed plans in full, the import and export contract, bad files."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from eia.auditlog.models import AuditEntry
from tracker import importing
from tracker.demo import DATA_DIR
from tracker.models import Plan, PlanAction, Priority
from tracker.schemas import COLUMNS
from tracker.targets import parse_target

# Counted from the councils' documents (see tracker/data/README.md): priorities and actions per plan.
SEEDS = {
    "leicester-equality-action-plan.csv": (
        "Leicester City Council",
        "Equality action plan",
        {"Priority 1": 7, "Priority 2": 5, "Priority 3": 2, "Priority 4": 4},
    ),
    "leicester-equality-action-plan-2.csv": (
        "Leicester City Council",
        "Equality action plan (2)",
        {"Priority one": 6, "Priority two": 4, "Priority three": 2, "Priority 4": 7},
    ),
    "charnwood-equality-strategy-action-plan-2020-2022.csv": (
        "Charnwood Borough Council",
        "Equality Strategy Action Plan 2020 - 2022",
        {"PEO 1": 8, "PEO 2": 5, "PEO 3": 8, "PEO 4": 6, "PEO 5": 4, "PEO 6": 4},
    ),
    "nwldc-equality-action-plan.csv": (
        "North West Leicestershire District Council",
        "Equality Action Plan",
        {"1": 5, "2": 3, "3": 3, "4": 5},
    ),
}


def run_import(app, path: Path, *args: str):
    return app.test_cli_runner().invoke(args=["plans", "import", str(path), *args])


def plan_shape(db, organisation: str, title: str) -> dict[str, int]:
    plan = db.session.execute(select(Plan).where(Plan.organisation == organisation, Plan.title == title)).scalar_one()
    return {p.ref: len(p.actions) for p in plan.priorities}


def table(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("file_name", list(SEEDS))
def test_each_seed_plan_imports_whole(app, db, file_name):
    organisation, title, shape = SEEDS[file_name]
    result = run_import(app, DATA_DIR / file_name)
    assert result.exit_code == 0, result.output
    assert plan_shape(db, organisation, title) == shape


def test_charnwood_has_actions_1_1_to_6_4_with_dates_and_leads(app, db):
    run_import(app, DATA_DIR / "charnwood-equality-strategy-action-plan-2020-2022.csv")
    actions = db.session.execute(select(PlanAction).join(Priority)).scalars().all()
    refs = sorted(actions, key=lambda a: tuple(int(x) for x in a.ref.split(".")))
    expected = [
        f"{p}.{n}" for p, count in zip(range(1, 7), (8, 5, 8, 6, 4, 4), strict=True) for n in range(1, count + 1)
    ]
    assert [a.ref for a in refs] == expected
    first = next(a for a in actions if a.ref == "1.1")
    assert first.target_text == "September 2021" and first.due_on == date(2021, 9, 30)
    assert first.leads == ["Improvement & Organisational Development Team"]
    assert "Equality related complaints are reduced" in first.success_measures


def test_importing_the_same_file_twice_changes_nothing(app, db):
    path = DATA_DIR / "charnwood-equality-strategy-action-plan-2020-2022.csv"
    run_import(app, path)
    entries = table(db, AuditEntry)
    result = run_import(app, path)
    assert (
        result.exit_code == 0
        and "0 new plans, 0 new priorities, 0 new actions, 0 changed actions, 35 unchanged" in result.output
    )
    assert "Nothing to change." in result.output
    assert table(db, AuditEntry) == entries and table(db, PlanAction) == 35


def _rows(text: str) -> list[dict[str, str]]:
    return [{k: importing._restore(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize("file_name", list(SEEDS))
def test_round_trip_is_lossless(app, db, tmp_path, file_name):
    source = DATA_DIR / file_name
    run_import(app, source)
    organisation, title, _ = SEEDS[file_name]
    exported = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(
        args=["plans", "export", title, "--organisation", organisation, "--format", "csv", "--out", str(exported)]
    )
    assert result.exit_code == 0, result.output
    # The same rows and cells as the input, once the formula-guard quotes are undone.
    original = _rows(source.read_text(encoding="utf-8"))
    assert _rows(exported.read_text(encoding="utf-8")) == [{c: row[c] for c in COLUMNS} for row in original]
    again = run_import(app, exported)
    assert "0 new actions, 0 changed actions" in again.output

    workbook = tmp_path / "out.xlsx"
    app.test_cli_runner().invoke(
        args=["plans", "export", title, "--organisation", organisation, "--format", "xlsx", "--out", str(workbook)]
    )
    assert "0 new actions, 0 changed actions" in run_import(app, workbook).output


def test_exported_cells_that_look_like_formulas_are_neutralised(app, db, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "plan,organisation,priority_ref,priority,action,target\n"
        'Test plan,Testshire,P1,Fairness,"=HYPERLINK(""http://x.example"")",+44\n'
        "Test plan,Testshire,P1,Fairness,@SUM(A1),-1\n",
        encoding="utf-8",
    )
    assert run_import(app, path).exit_code == 0
    out = tmp_path / "out.csv"
    app.test_cli_runner().invoke(args=["plans", "export", "Test plan", "--out", str(out)])
    cells = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))[1:]
    for cell in (cells[0][6], cells[0][8], cells[1][6], cells[1][8]):
        assert cell.startswith("'"), cell
    workbook = tmp_path / "out.xlsx"
    app.test_cli_runner().invoke(args=["plans", "export", "Test plan", "--format", "xlsx", "--out", str(workbook)])
    sheet = load_workbook(workbook).worksheets[0]
    assert sheet["G2"].data_type == "s" and sheet["G2"].value.startswith("'=")
    stored = db.session.execute(select(PlanAction.text).order_by(PlanAction.position)).scalars().all()
    assert stored == ['=HYPERLINK("http://x.example")', "@SUM(A1)"]  # stored as typed


@pytest.mark.parametrize(
    ("target", "due", "recurring"),
    [
        ("September 2021", date(2021, 9, 30), False),
        ("2022-03-31", date(2022, 3, 31), False),
        ("31/03/2022", date(2022, 3, 31), False),
        ("Ongoing", None, True),
        ("Quarterly", None, True),
        ("Annually", None, True),
        ("March 2021 & March 2022", date(2022, 3, 31), False),
        ("2028", date(2028, 12, 31), False),
        ("When funding allows", None, False),
    ],
)
def test_targets_are_read_and_kept_verbatim(target, due, recurring):
    assert parse_target(target) == (due, recurring)


def write_csv(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEADER = "plan,organisation,priority_ref,priority,action,action_ref,status\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "plan,organisation,priority,action\nP,O,Text,Do it\n",
            "line 1, column priority_ref: the required column 'priority_ref' is missing",
        ),
        (
            GOOD_HEADER.replace("status", "colour") + "P,O,R,Text,Do it,1,red\n",
            "line 1, column colour: unknown column 'colour'",
        ),
        (GOOD_HEADER + "P,O,R,Text,Do it,1,finished\n", "line 2, column status: 'finished' is not a status"),
        (GOOD_HEADER + "P,O,R,Text,,1,\n", "line 2, column action: The action is empty"),
        (
            GOOD_HEADER + "P,O,R,Text,Do it,1.1,\nP,O,R,Text,Do more,1.1,\n",
            "line 3, column action_ref: 1.1 appears twice in R (lines 2 and 3)",
        ),
        ("", "the file is empty"),
        (GOOD_HEADER, "the file has a header but no rows"),
    ],
    ids=[
        "missing-column",
        "unknown-column",
        "unknown-status",
        "empty-required-cell",
        "duplicate-ref",
        "empty-file",
        "header-only",
    ],
)
def test_bad_files_name_the_problem_and_write_nothing(app, db, tmp_path, content, message):
    result = run_import(app, write_csv(tmp_path, content))
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    assert table(db, Plan) == 0 and table(db, PlanAction) == 0


def test_a_file_that_is_not_utf8_names_the_line(app, db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((GOOD_HEADER + "P,O,R,Text,Do it,1,\nP,O,R,Caf\xe9 access,Do more,2,\n").encode("latin-1"))
    result = run_import(app, path)
    assert result.exit_code == 1 and "line 3: the file is not UTF-8 text" in result.output
    assert table(db, Plan) == 0


def test_an_xlsx_with_formulas_is_refused(app, db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["plan", "organisation", "priority_ref", "priority", "action"])
    sheet.append(["P", "O", "R", "Text", "=1+1"])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    result = run_import(app, path)
    assert result.exit_code == 1 and "line 2, column action: cell E2 holds a formula" in result.output
    assert table(db, Plan) == 0


def test_a_50_mb_file_is_refused_before_it_is_parsed(app, db, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(GOOD_HEADER.encode())
        handle.write(b"P,O,R,Text,Do it,1,\n" * (50 * 1024 * 1024 // 20))
    result = run_import(app, path)
    assert result.exit_code == 1 and "the file is 50 MB; the limit is 5 MB" in result.output
    assert table(db, Plan) == 0


def test_demo_loads_all_four_plans_once(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert "Imported 4 equality action plans" in result.output
    council = app.config["EIA_COUNCIL_NAME"]
    seeds = select(PlanAction).join(Priority).join(Plan).where(Plan.organisation != council)
    assert table(db, Plan) == 4 + 2 and len(db.session.execute(seeds).all()) == 18 + 19 + 35 + 16
    # The seed councils' plans keep their own names; the ended ones show as ended. The demo
    # council's own plans are its current one and the one before it, which has ended.
    active = {(p.organisation, p.title): p.is_active for p in db.session.execute(select(Plan)).scalars()}
    assert active[("Charnwood Borough Council", "Equality Strategy Action Plan 2020 - 2022")] is False
    assert active[("Leicester City Council", "Equality action plan")] is False
    assert active[("North West Leicestershire District Council", "Equality Action Plan")] is True
    own = sorted((title, is_active) for (organisation, title), is_active in active.items() if organisation == council)
    assert [is_active for _, is_active in own] == [False, True]
    again = app.test_cli_runner().invoke(args=["demo"]).output
    assert "Imported" not in again and "action plan" not in again and table(db, Plan) == 6


@pytest.mark.parametrize("target", ["31/02/2027", "2027-13-45", "30 February 2027", "Review by 31/04/2026"])
def test_an_impossible_date_in_a_target_is_a_bad_cell_not_the_end_of_the_year(target):
    """It used to import as 31 December 2027, read from the year alone."""
    from tracker.importing import ImportFailed, preview_import, read_rows

    data = (
        "plan,organisation,priority_ref,priority,action,target\n"
        f"Plan,Charnwood Borough Council,PEO 1,Fairness,Review EIAs,{target}\n"
    ).encode()
    with pytest.raises(ImportFailed) as refused:
        preview_import(read_rows(data))
    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "target")]
    assert "is not a real date" in refused.value.problems[0].message


def test_real_dates_and_words_in_targets_still_import():
    assert parse_target("28/02/2027")[0].isoformat() == "2027-02-28"
    assert parse_target("29 February 2028")[0].isoformat() == "2028-02-29"
    assert parse_target("Ongoing") == (None, True)
