"""Settings from the environment: defaults that work, production that is strict."""

import os
import secrets
import subprocess
import sys

import pytest
from django.db import connection

from core.env import BASE_DIR, ConfigError, machine_name, machine_roles, redis_url_with_db


def manage(*args, env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set for the browser tests in this process, never in a deployment.
    dropped = {"DATABASE_URL", "DJANGO_ENV", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"VAR_DIR": str(tmp_path / "var"), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "autodidact.example.org",
}


def test_production_settings_pass_the_deploy_checklist(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", env_overrides={**PRODUCTION, "SECRET_KEY": ""}, tmp_path=tmp_path)
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr


def test_a_local_install_generates_its_secret_key_once_and_keeps_it_private(tmp_path):
    manage("check", env_overrides={}, tmp_path=tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    first = key_file.read_text()
    manage("check", env_overrides={}, tmp_path=tmp_path)
    assert key_file.read_text() == first and len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite default only")
def test_the_default_sqlite_database_runs_in_wal_mode_with_a_busy_timeout(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_redis_purposes_get_distinct_logical_databases():
    urls = {p: redis_url_with_db("redis://h:1/8", p) for p in ("broker", "results", "cache", "metrics")}
    assert urls == {
        "broker": "redis://h:1/8",
        "results": "redis://h:1/9",
        "cache": "redis://h:1/10",
        "metrics": "redis://h:1/11",
    }


def test_machine_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MACHINE_NAME", "gpu-box_1")
    monkeypatch.setenv("MACHINE_ROLES", "hobbies, training")
    assert machine_name() == "gpu-box_1" and machine_roles() == ["hobbies", "training"]
    monkeypatch.delenv("MACHINE_NAME")
    monkeypatch.delenv("MACHINE_ROLES")
    assert "." not in machine_name() and machine_roles() == ["control", "hobbies", "models", "training", "memory"]


@pytest.mark.parametrize("variable, value", [("MACHINE_NAME", "gpu.box"), ("MACHINE_ROLES", "control,cooking")])
def test_bad_machine_settings_are_refused_by_name(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        machine_name() if variable == "MACHINE_NAME" else machine_roles()
