"""Database faults: requests fail fast with a 503, and the app recovers by itself.

The unit tests simulate the fault; the outage test stops and starts the real PostgreSQL cluster
under a running gunicorn, so it runs last, on its own (`make test` runs `-m outage` separately).
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_a_page_answers_503_when_the_database_fails(client):
    with mock.patch(
        "contributions.views.meetings.render", side_effect=OperationalError("could not connect to 10.0.0.5")
    ):
        response = client.get("/sources/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Temporarily unavailable" in response.content
    assert b"10.0.0.5" not in response.content


@pytest.mark.django_db
def test_the_api_answers_a_json_503_when_the_database_fails(client):
    with mock.patch("rest_framework.generics.GenericAPIView.paginate_queryset", side_effect=OperationalError("boom")):
        response = client.get("/api/v1/contributions/")
    assert response.status_code == 503
    assert response.json() == {"detail": "The database is unavailable. Try again shortly."}


def get(url, timeout=10):
    """(status, seconds taken, body) for a GET; a refused connection is status 0."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, time.monotonic() - started, response.read()
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read()


def cluster(action):
    running = subprocess.run(["pg_ctlcluster", "15", "main", "status"], capture_output=True).returncode == 0
    if running == (action == "start"):
        return
    subprocess.run(["pg_ctlcluster", "15", "main", action], check=True, capture_output=True)


@pytest.fixture
def served_on_postgres():
    """gunicorn with production settings on its own PostgreSQL database holding the curated data."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        if os.environ.get("CI") == "true":
            pytest.fail("The outage test must run on PostgreSQL in CI.")
        pytest.skip("needs PostgreSQL (make test starts it)")
    import psycopg2

    admin = base.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS coalition_outage")
        cursor.execute("CREATE DATABASE coalition_outage")
    connection.close()
    env = {**os.environ, "DATABASE_URL": base.rsplit("/", 1)[0] + "/coalition_outage", "CONN_MAX_AGE": "60"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "load_curated", "-v0"], cwd=ROOT, env=env, check=True)
    port = 8799
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "coalition.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            if get(f"{base_url}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=20)
        cluster("start")
        # The test runner's own connection died with the cluster; reconnect on next use.
        from django.db import connections

        connections.close_all()


@pytest.mark.outage
def test_the_app_answers_503_while_postgres_is_down_and_recovers_by_itself(served_on_postgres):
    url = served_on_postgres
    pages = ["/healthz", "/contributions/", "/api/v1/contributions/", "/nations/fr/"]
    for path in pages:
        assert get(url + path)[0] == 200, path

    cluster("stop")
    try:
        for path in pages:
            status, seconds, body = get(url + path)
            assert status == 503, (path, status)
            assert seconds < 6, (path, seconds)
            assert b"Traceback" not in body and b"psycopg2" not in body
        status, _, body = get(url + "/healthz")
        assert json.loads(body) == {"status": "error", "database": "unreachable"}
        assert json.loads(get(url + "/api/v1/contributions/")[2])["detail"].startswith("The database is unavailable")
    finally:
        cluster("start")

    # No restart of the app: health-checked connections reconnect on their own.
    deadline = time.monotonic() + 30
    while get(url + "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "the app did not recover within 30 s"
        time.sleep(0.5)
    for path in pages:
        assert get(url + path)[0] == 200, path
