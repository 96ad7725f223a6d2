"""make backup / make restore round-trip the curated data: the full export is byte-identical after."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPORT = (
    "import sys, django; django.setup(); from django.test import Client; "
    "response = Client().get('/api/v1/export/?format=zip'); assert response.status_code == 200, response; "
    "sys.stdout.buffer.write(response.content)"
)


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def export(env):
    result = subprocess.run([sys.executable, "-c", EXPORT], cwd=ROOT, env=env, check=True, capture_output=True)
    return result.stdout


def make(target, env, *args):
    result = subprocess.run(
        ["make", "--no-print-directory", target, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def environment(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "coalition.settings"}
    env.pop("TEST_DATABASE_NAME", None)
    return env


def round_trip(source_env, target_env, tmp_path):
    manage(source_env, "migrate", "-v0")
    manage(source_env, "load_curated", "-v0")
    before = export(source_env)

    dump = make("backup", source_env).strip().splitlines()[-1]
    make("restore", target_env, f"FILE={dump}")
    after = export(target_env)
    Path(ROOT / dump).unlink()

    assert len(before) > 10_000
    assert hashlib.sha256(after).hexdigest() == hashlib.sha256(before).hexdigest()


def test_a_sqlite_backup_restores_into_an_empty_database_byte_for_byte(tmp_path):
    source = environment(f"sqlite:///{tmp_path}/source.sqlite3")
    target = environment(f"sqlite:///{tmp_path}/target.sqlite3")
    round_trip(source, target, tmp_path)


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path):
    env = environment(f"sqlite:///{tmp_path}/full.sqlite3")
    manage(env, "migrate", "-v0")
    manage(env, "load_curated", "-v0")
    dump = make("backup", env).strip().splitlines()[-1]
    result = subprocess.run(
        ["make", "--no-print-directory", "restore", f"FILE={dump}"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    Path(ROOT / dump).unlink()
    assert result.returncode != 0
    assert "not empty" in result.stderr


def test_a_postgres_backup_restores_into_an_empty_database_byte_for_byte(tmp_path):
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        if os.environ.get("CI") == "true":
            pytest.fail("The PostgreSQL backup test must run in CI.")
        pytest.skip("needs PostgreSQL (make test starts it)")
    import psycopg2

    server = base.rsplit("/", 1)[0]
    connection = psycopg2.connect(server + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        for name in ("backup_source", "backup_target"):
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"CREATE DATABASE {name}")
    round_trip(environment(server + "/backup_source"), environment(server + "/backup_target"), tmp_path)
    with connection.cursor() as cursor:
        for name in ("backup_source", "backup_target"):
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    connection.close()
