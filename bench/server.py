"""What the benchmark scripts share: a fresh database, production settings, and gunicorn on loopback."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


@contextmanager
def postgres_cluster():
    """The cluster scripts/postgres.sh starts: its server URL, and a cursor on its maintenance database."""
    import psycopg2

    url = subprocess.run([str(ROOT / "scripts" / "postgres.sh")], capture_output=True, text=True, check=True)
    server = url.stdout.strip().rsplit("/", 1)[0]
    connection = psycopg2.connect(server + "/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield server, cursor
    finally:
        connection.close()


def fresh_postgres(name):
    """A new, empty PostgreSQL database on that cluster; its DATABASE_URL."""
    with postgres_cluster() as (server, cursor):
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def existing_postgres(name):
    """The DATABASE_URL of a PostgreSQL database of that name already on that cluster, or None."""
    with postgres_cluster() as (server, cursor):
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone()
    return f"{server}/{name}" if exists else None


def generate(env, size):
    """Migrate the database `env` names and fill it with `size` synthetic contributions, seed 1: the
    same rows, and the same ids, on every database and every run."""
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    run([PYTHON, "manage.py", "generate_synthetic", "--contributions", str(size), "--seed", "1"], env)


def shell(env, code):
    """Run `code` in `manage.py shell` against the database `env` names; what it printed."""
    return run([PYTHON, "manage.py", "shell", "-v0", "-c", code], env, capture_output=True, text=True).stdout


def clear_cache(env):
    """Empty the project's cache, so that no page or count is left from an earlier run."""
    shell(env, "from django.core.cache import cache; cache.clear()")


def production_env(database_url):
    """Production settings (DEBUG off) for a server on the loopback."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on the loopback; in production a proxy terminates TLS in front of gunicorn.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        DATABASE_URL=database_url,
        CONN_MAX_AGE="60",
        # The load comes from one address: measure the app, not the anonymous throttle. Off rather than
        # high: the throttle keeps a timestamp per request for the whole window, and a window holding
        # thousands of them costs more to load and store on each request than the page itself.
        API_ANON_RATE="",
        LOG_LEVEL="WARNING",
    )
    return env


def serve(env, port, options, stderr=subprocess.DEVNULL):
    """Start gunicorn with these options and wait until /healthz answers."""
    # Production settings serve hashed static files from the manifest collectstatic writes; a fresh
    # clone has none, and every HTML page would fail without it.
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    command = [PYTHON, "-m", "gunicorn", "coalition.wsgi", "--bind", f"127.0.0.1:{port}", *options]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
    )
    return wait_until_up(server, f"http://127.0.0.1:{port}/healthz", "gunicorn")


def wait_until_up(server, url, name, tries=100):
    """The server once `url` answers; stopped, and an error, if it never does."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{name} did not come up")


def stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # A worker still inside a long query ignores the graceful stop; the measurements are taken.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
