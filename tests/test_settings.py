"""Settings come from the environment and a .env file; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(cwd=ROOT, **env):
    """Import the settings in a clean interpreter with exactly this environment.

    No .env is read unless DOTENV_PATH names one: a developer's own .env must not change the outcome.
    """
    clean = {"PATH": os.environ["PATH"], "DOTENV_PATH": os.devnull, **env}
    code = (
        "import json, django; from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({'debug': settings.DEBUG, 'engine': db['ENGINE'], 'name': str(db['NAME']), "
        "'health': db['CONN_HEALTH_CHECKS'], 'age': db['CONN_MAX_AGE'], 'hosts': settings.ALLOWED_HOSTS, "
        "'origins': settings.CSRF_TRUSTED_ORIGINS, 'options': db.get('OPTIONS', {}), "
        "'anon_rate': settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon'], "
        "'redis_url': settings.REDIS_URL, 'cache': settings.CACHES['default'], 'sources': str(settings.SOURCES_DIR)}))"
    )
    return subprocess.run(
        [sys.executable, "-c", f"import os; os.environ['DJANGO_SETTINGS_MODULE']='coalition.settings'; {code}"],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_startup_fails_without_a_secret_key_in_production():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_mode_runs_on_a_sqlite_file_without_configuration():
    import json

    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["debug"] is True
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"].endswith("db.sqlite3")
    assert settings["health"] is True


def test_database_url_and_hosts_come_from_the_environment():
    import json

    result = load_settings(
        DEBUG="false",
        SECRET_KEY="a-real-secret",
        DATABASE_URL="postgres://u:p@db.internal:5432/coalition",
        ALLOWED_HOSTS="coalition.example.org, www.coalition.example.org",
        CSRF_TRUSTED_ORIGINS="https://coalition.example.org",
        CONN_MAX_AGE="120",
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["hosts"] == ["coalition.example.org", "www.coalition.example.org"]
    assert settings["origins"] == ["https://coalition.example.org"]
    assert settings["age"] == 120
    assert settings["health"] is True
    # A dead database must fail a request quickly rather than hang a worker.
    assert settings["options"]["connect_timeout"] == 5


@pytest.mark.parametrize("value", ["", "false", "0", "no"])
def test_debug_is_off_unless_asked_for(value):
    result = load_settings(DEBUG=value, SECRET_KEY="k")
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout


@pytest.mark.parametrize(("value", "rate"), [(None, "1000/hour"), ("50/minute", "50/minute"), ("", None)])
def test_the_anonymous_api_rate_comes_from_the_environment_and_empty_turns_it_off(value, rate):
    import json

    env = {"DEBUG": "true"} if value is None else {"DEBUG": "true", "API_ANON_RATE": value}
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["anon_rate"] == rate


def write_dotenv(tmp_path, text):
    path = tmp_path / ".env"
    path.write_text(text)
    return str(path)


def test_settings_read_a_dotenv_file(tmp_path):
    import json

    dotenv = write_dotenv(
        tmp_path,
        "SECRET_KEY=from-the-file\nDEBUG=false\nALLOWED_HOSTS=127.0.0.1,localhost\n"
        "DATABASE_URL=postgres://u:p@db.internal:5432/coalition\n",
    )
    result = load_settings(DOTENV_PATH=dotenv)
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["debug"] is False
    assert settings["hosts"] == ["127.0.0.1", "localhost"]
    assert settings["engine"] == "django.db.backends.postgresql"


def test_a_real_environment_variable_overrides_the_dotenv_file(tmp_path):
    import json

    dotenv = write_dotenv(
        tmp_path, "SECRET_KEY=from-the-file\nALLOWED_HOSTS=from-the-file.example\nDATABASE_URL=sqlite:///db.sqlite3\n"
    )
    result = load_settings(
        DOTENV_PATH=dotenv,
        ALLOWED_HOSTS="from-the-environment.example",
        # As `make test` exports it: the suite must stay on PostgreSQL whatever a developer's .env says.
        DATABASE_URL="postgres://u:p@db.internal:5432/coalition",
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["hosts"] == ["from-the-environment.example"]
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "coalition"


def test_an_empty_environment_variable_still_overrides_the_dotenv_file(tmp_path):
    import json

    # An empty API_ANON_RATE turns the throttle off, so it must not fall back to the file's value.
    dotenv = write_dotenv(tmp_path, "SECRET_KEY=from-the-file\nAPI_ANON_RATE=50/minute\n")
    result = load_settings(DOTENV_PATH=dotenv, API_ANON_RATE="")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["anon_rate"] is None


def test_startup_fails_without_a_secret_key_in_the_environment_or_the_dotenv_file(tmp_path):
    dotenv = write_dotenv(tmp_path, "DEBUG=false\nALLOWED_HOSTS=127.0.0.1\n")
    result = load_settings(DOTENV_PATH=dotenv)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_missing_dotenv_file_is_not_an_error(tmp_path):
    result = load_settings(DOTENV_PATH=str(tmp_path / "absent.env"), DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_redis_url_selects_the_redis_cache_backend():
    import json

    result = load_settings(DEBUG="true", REDIS_URL="redis://cache.internal:6379/1")
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["redis_url"] == "redis://cache.internal:6379/1"
    assert settings["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings["cache"]["LOCATION"] == "redis://cache.internal:6379/1"


def test_without_redis_url_the_workers_of_one_machine_share_a_file_cache(tmp_path):
    import json

    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["redis_url"] == ""
    assert settings["cache"]["BACKEND"] == "contributions.cache.FileCache"
    assert settings["cache"]["LOCATION"] == str(ROOT / ".cache")

    result = load_settings(DEBUG="true", CACHE_DIR=str(tmp_path))
    assert json.loads(result.stdout)["cache"]["LOCATION"] == str(tmp_path)


def test_parallel_test_workers_each_get_their_own_cache(tmp_path):
    import json

    result = load_settings(DEBUG="true", CACHE_DIR=str(tmp_path), PYTEST_XDIST_WORKER="gw1")
    assert json.loads(result.stdout)["cache"]["LOCATION"] == str(tmp_path / "gw2")
    result = load_settings(DEBUG="true", REDIS_URL="redis://127.0.0.1:6390/0", PYTEST_XDIST_WORKER="gw1")
    assert json.loads(result.stdout)["cache"]["LOCATION"] == "redis://127.0.0.1:6390/2"


def test_the_number_of_trusted_proxies_comes_from_the_environment():
    code = (
        "import django; from django.conf import settings; "
        "print(settings.NUM_PROXIES, settings.REST_FRAMEWORK['NUM_PROXIES'], settings.AXES_CLIENT_IP_CALLABLE)"
    )
    clean = {"PATH": os.environ["PATH"], "DOTENV_PATH": os.devnull, "DEBUG": "true", "NUM_PROXIES": "2"}
    result = subprocess.run(
        [sys.executable, "-c", f"import os; os.environ['DJANGO_SETTINGS_MODULE']='coalition.settings'; {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["2", "2", "coalition.proxies.client_ip"], result.stderr


def test_a_relative_sources_dir_is_taken_from_the_project_folder_wherever_a_command_runs(tmp_path):
    import json

    dotenv = write_dotenv(tmp_path, "SOURCES_DIR=../shared/sources\n")
    result = load_settings(cwd=tmp_path, PYTHONPATH=str(ROOT), DOTENV_PATH=dotenv, DEBUG="true")
    assert result.returncode == 0, result.stderr
    sources = Path(json.loads(result.stdout)["sources"])
    assert sources.resolve() == (ROOT.parent / "shared" / "sources").resolve()
