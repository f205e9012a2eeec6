"""The `eia` command: help for every command, clear one-line errors, users and demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments.models import Eia
from eia.assessments.states import EiaKind, EiaState
from eia.auditlog.models import AuditEntry
from eia.cli import EiaGroup, _create_app
from eia.demo.people import PEOPLE
from tests.factories import make_service_area

EIA = str(Path(sys.executable).parent / "eia")
COMMANDS = [
    [],
    ["run"],
    ["db", "upgrade"],
    ["users"],
    ["users", "create"],
    ["users", "list"],
    ["demo"],
    ["daily"],
    ["audit-log"],
    ["audit-log", "verify"],
    ["audit-log", "export"],
    ["audit-log", "checkpoint"],
    ["audit-log", "keygen"],
]


def run_eia(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "EIA_ENV"}}
    environment.update(env)
    return subprocess.run(
        [EIA, *args], capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=60, check=False
    )


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "eia")
def test_every_command_has_help(args, tmp_path):
    """In process, through the same command group as the console script."""
    runner = CliRunner(env={"EIA_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite", "SECRET_KEY": ""})
    result = runner.invoke(EiaGroup(create_app=_create_app), [*args, "--help"], prog_name="eia")
    assert result.exit_code == 0, result.output
    assert "Usage: eia" in result.output


def test_the_console_script_answers_help(tmp_path):
    """The installed ``eia`` command itself, once, in a process of its own."""
    result = run_eia(["--help"], tmp_path, EIA_ENV="demo", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite")
    assert result.returncode == 0, result.stderr
    assert "Usage: eia" in result.stdout and "plans" in result.stdout and "audit-log" in result.stdout


def test_missing_secret_key_is_one_clear_line(tmp_path):
    result = run_eia(["db", "upgrade"], tmp_path, EIA_ENV="production")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: SECRET_KEY is not set")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_help_without_a_secret_key_says_why_without_a_traceback(tmp_path):
    result = run_eia(["--help"], tmp_path, EIA_ENV="production")
    assert result.returncode == 0 and "Usage: eia" in result.stdout
    assert result.stderr.strip().splitlines()[0].startswith("Error: SECRET_KEY is not set")
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_clear_line(tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    result = run_eia(["users", "list"], tmp_path, EIA_ENV="demo", DATABASE_URL=url)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_upgrade_then_demo_on_a_fresh_sqlite_file(tmp_path):
    env = {"EIA_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite"}
    result = run_eia(["users", "list"], tmp_path, **env)
    assert result.returncode == 1 and "run `eia db upgrade` first" in result.stderr
    assert run_eia(["db", "upgrade"], tmp_path, **env).returncode == 0
    result = run_eia(["demo"], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    for person in PEOPLE:
        assert person.email in result.stdout
    assert "Signed a checkpoint of the audit log (" in result.stdout
    again = run_eia(["demo"], tmp_path, **env)
    assert "already there" in again.stdout and "Signed a checkpoint of the audit log (" in again.stdout
    verify = run_eia(["audit-log", "verify"], tmp_path, **env)
    assert verify.returncode == 0 and "Audit log intact" in verify.stdout


def test_users_create_with_a_service_area(app, db):
    directorate = make_service_area("Place")
    make_service_area("Planning", parent=directorate)
    result = app.test_cli_runner().invoke(
        args=[
            "users", "create", "--email", "Kim@Council.Example", "--name", "Kim Lee", "--role", "author",
            "--service-area", "Place > Planning", "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.email == "kim@council.example")).scalar_one()
    assert user.role is Role.AUTHOR and user.service_area.full_name == "Place > Planning"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user_created")).scalars().all()[-1]
    assert entry.actor_label.startswith("command line")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "emperor", "--password", "a long enough password"], "Invalid value for '--role'"),
        (
            ["--role", "author", "--password", "a long enough password", "--service-area", "Atlantis"],
            "no single service area called 'Atlantis'",
        ),
        (["--role", "equalities", "--password", "short"], "Password must be 12 characters or more"),
        (["--role", "author", "--password", "a long enough password"], "needs a service area"),
    ],
    ids=["bad-role", "unknown-area", "weak-password", "author-without-area"],
)  # fmt: skip
def test_users_create_refuses_bad_input_in_one_line(app, db, extra, message):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "x@council.example", "--name", "X", *extra]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert (
        db.session.execute(select(func.count()).select_from(User).where(User.email == "x@council.example")).scalar()
        == 0
    )


def test_demo_creates_every_role_and_service_areas(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    roles = set(db.session.execute(select(User.role)).scalars())
    assert roles >= set(Role)
    teams = db.session.execute(select(func.count()).select_from(ServiceArea).where(ServiceArea.parent_id.is_not(None)))
    assert teams.scalar() >= 10
    states = {
        row.state: row.n for row in db.session.execute(select(Eia.state, func.count().label("n")).group_by(Eia.state))
    }
    assert sum(states.values()) == 25  # nineteen, and the budget round's six proposals
    assert set(states) >= {EiaState.DRAFT, EiaState.SUBMITTED, EiaState.RETURNED, EiaState.APPROVED, EiaState.PUBLISHED}
    kinds = set(db.session.execute(select(Eia.kind).distinct()).scalars())
    assert kinds == set(EiaKind)
    assert "Added 19 demo equality impact assessments" in result.output
    assert "Three things to try first:" in result.output and result.output.count("    3. ") == len(set(Role))
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0 and "Added" not in again.output
    assert db.session.execute(select(func.count()).select_from(Eia)).scalar() == 25


def test_demo_drafts_show_a_co_author_a_hand_over_and_an_abandoned_draft(app, db):
    from eia.assessments.models import Coauthor, ReviewComment

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    coauthors = db.session.execute(select(Coauthor)).scalars().all()
    assert len(coauthors) == 2  # one added, and the author who handed a draft over stays on it
    handed = db.session.execute(select(Eia).where(Eia.handed_over_at.is_not(None))).scalars().all()
    assert len(handed) == 1 and handed[0].handed_over_by_id != handed[0].author_id
    abandoned = db.session.execute(select(Eia).where(Eia.state == EiaState.ABANDONED)).scalars().all()
    assert len(abandoned) == 1
    # Another was set aside by its author and restored by the equalities team, with why.
    restored = db.session.execute(select(Eia).where(Eia.title.startswith("Removing overdue charges"))).scalar_one()
    assert restored.state is EiaState.DRAFT
    moves = [(c.transition, c.author.role) for c in restored.comments if c.transition in ("abandon", "restore")]
    assert moves == [("abandon", Role.AUTHOR), ("restore", Role.EQUALITIES)]
    assert "this year after all" in restored.comments[-1].body
    # The draft written with a colleague, filed under the team whose policy it is.
    helped = db.session.execute(select(Eia).where(Eia.title == "Tenancy strategy review")).scalar_one()
    assert helped.service_area.name == "Tenancy Management" and helped.author.service_area.name == "Housing Options"
    # The returned assessment: the reviewer's comments on two sections, one dealt with and answered.
    returned = db.session.execute(select(Eia).where(Eia.state == EiaState.RETURNED)).scalar_one()
    on_sections = sorted((c for c in returned.comments if c.section_key), key=lambda c: c.section_key or "")
    assert [(c.section_key, c.dealt_with_at is not None) for c in on_sections] == [
        ("consultation", True),
        ("mitigations", False),
    ]
    assert on_sections[0].reply and on_sections[0].dealt_with_by_id == returned.author_id
    archived = db.session.execute(select(Eia).where(Eia.state == EiaState.ARCHIVED)).scalar_one()
    assert all(c.reply for c in archived.comments if c.section_key)
    # The submitted assessment was withdrawn once before its review started, and submitted again.
    hub = "Personal adviser service for care leavers: move to a hub model"
    submitted = db.session.execute(select(Eia).where(Eia.title == hub)).scalar_one()
    assert len(submitted.snapshots) == 2 and any(c.transition == "withdraw_submission" for c in submitted.comments)
    answered = select(func.count()).select_from(ReviewComment).where(ReviewComment.reply.is_not(None))
    assert db.session.execute(answered).scalar() == 3
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert len(db.session.execute(select(Coauthor)).scalars().all()) == 2


def test_demo_has_a_history_of_quality_audits_and_plan_progress(app, db):
    from eia.quality import sampling
    from eia.quality.models import QualityScore, Sample
    from tracker.models import ProgressUpdate

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    samples = db.session.execute(select(Sample)).scalars().all()
    assert len(samples) >= 4 and all(sampling.verify_sample(s).matches for s in samples)
    assert db.session.execute(select(func.count()).select_from(QualityScore)).scalar() >= 4
    assert db.session.execute(select(func.count()).select_from(ProgressUpdate)).scalar() == 5
    # Scorings on both rubric versions, a moderated one with its own scores, a risk-weighted draw.
    from eia.quality.models import Moderation, Rubric

    versions = set(
        db.session.execute(select(Rubric.version).join(QualityScore, QualityScore.rubric_id == Rubric.id)).scalars()
    )
    assert versions == {1, 2}
    assert db.session.execute(select(func.count()).where(Moderation.agrees.is_(False))).scalar() == 1
    assert any(s.method == "v2" and s.strata for s in samples)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert db.session.execute(select(func.count()).select_from(Sample)).scalar() == len(samples)
    assert db.session.execute(select(func.count()).select_from(ProgressUpdate)).scalar() == 5


def test_demo_scale_adds_assessments_with_their_parts_once(app, db):
    from eia.assessments.models import Impact
    from eia.assessments.states import Direction
    from eia.auditlog.models import AuditEntry
    from eia.auditlog.services import verify_chain
    from eia.quality.models import Sample

    result = app.test_cli_runner().invoke(args=["demo", "--scale", "60"])
    assert result.exit_code == 0, result.output
    assert "Added 60 scale assessments." in result.output
    scale = select(Eia.id).where(Eia.reference.like("EIA-S%"))
    assert db.session.execute(select(func.count()).select_from(scale.subquery())).scalar() == 60
    assert db.session.execute(select(func.count()).where(Impact.eia_id.in_(scale))).scalar() == 180
    assert db.session.execute(select(func.count()).select_from(Sample)).scalar() > 0
    drafts = db.session.execute(
        select(func.count()).where(Eia.reference.like("EIA-S%"), Eia.state == EiaState.DRAFT)
    ).scalar()
    # Five entries for every assessment and four more for every one past draft, on the real chain.
    entries = db.session.execute(select(func.count()).where(AuditEntry.detail == "scale demo")).scalar()
    assert entries == 5 * 60 + 4 * (60 - drafts)
    assert verify_chain().is_intact
    # The same seed gives the same data on either database (the choices are made from ordered lists).
    negative = select(func.count()).where(Impact.eia_id.in_(scale), Impact.direction == Direction.NEGATIVE)
    assert (drafts, db.session.execute(negative).scalar()) == (7, 36)
    again = app.test_cli_runner().invoke(args=["demo", "--scale", "60"])
    assert "already there" in again.output
