"""Migrations take an empty database to head and back, and match the models exactly."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from eia import create_app
from eia.extensions import db


@pytest.fixture
def empty_database(app, tmp_path):
    """A brand-new database of the same kind as the suite's: a file, or a fresh PostgreSQL schema."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}", None
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3D{schema}", schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(empty_database):
    url, schema = empty_database
    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 32})
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names(schema=schema))
            assert {"users", "service_areas", "audit_entries", "alembic_version"} <= tables
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations have drifted apart: {diff}"

        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names(schema=schema)) <= {"alembic_version"}
        db.engine.dispose()


def test_every_migration_has_a_downgrade():
    from pathlib import Path

    from eia.wiring import resource_dir

    versions = sorted(Path(resource_dir("migrations"), "versions").glob("*.py"))
    assert versions
    for path in versions:
        source = path.read_text()
        assert "def downgrade()" in source, path.name
        assert path.name[:8].isdigit(), f"{path.name} should start with its date"
