"""Configuration from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from eia import create_app
from eia.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("EIA_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(tmp_path)


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("EIA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="too short"):
        load_config(tmp_path)


def test_demo_keeps_a_generated_key_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("EIA_ENV", "demo")
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) == 64
    assert load_config(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "demo-secret-key").stat().st_mode & 0o077 == 0


def test_database_url_defaults_to_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("EIA_ENV", "demo")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{Path(tmp_path) / 'eia.sqlite'}"


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EIA_ENV", "demo")
    monkeypatch.setenv("EIA_COUNCIL_NAME", "Borsetshire District Council")
    monkeypatch.setenv("EIA_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    app = create_app()
    assert app.config["EIA_COUNCIL_NAME"] == "Borsetshire District Council"
    assert app.config["EIA_SESSION_IDLE_MINUTES"] == 10
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_malformed_numbers_are_named(monkeypatch, tmp_path):
    monkeypatch.setenv("EIA_ENV", "demo")
    monkeypatch.setenv("EIA_LOCK_MINUTES", "fifteen")
    with pytest.raises(ConfigError, match="EIA_LOCK_MINUTES must be a whole number"):
        load_config(tmp_path)


def test_unknown_mode_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("EIA_ENV", "staging")
    with pytest.raises(ConfigError, match="EIA_ENV must be"):
        load_config(tmp_path)


def test_upload_pages_read_up_to_five_times_the_file_limit_unless_told(monkeypatch, tmp_path):
    monkeypatch.setenv("EIA_ENV", "demo")
    monkeypatch.setenv("EIA_MAX_UPLOAD_MB", "10")
    config = load_config(tmp_path)
    assert config["EIA_UPLOAD_READ_LIMIT_MB"] == 50
    assert config["MAX_CONTENT_LENGTH"] == 11 * 1024 * 1024  # every other page
    monkeypatch.setenv("EIA_UPLOAD_READ_LIMIT_MB", "30")
    assert load_config(tmp_path)["EIA_UPLOAD_READ_LIMIT_MB"] == 30
