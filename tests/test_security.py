"""Secure defaults: deploy check, security headers, Content-Security-Policy, and errors that leak nothing."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client

from tests.factories import ContributionFactory

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/nations/", "/contributions/", "/meetings/", "/officials/", "/matrix/", "/sources/", "/admin/login/"]


def test_the_deploy_check_passes_with_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        # A developer's .env (make run writes one) must not change what the deploy check sees.
        "DOTENV_PATH": os.devnull,
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "coalition.example.org",
        "SECURE_PROXY_SSL_HEADER": "true",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_production_redirects_to_https_and_sends_hsts(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    assert client.get("/sources/").status_code == 301
    response = client.get("/healthz", secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_scheme_counts_as_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert Client().get("/healthz", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "failing"),
    [
        ("/contributions/", "contributions.models.ContributionQuerySet.with_related"),
        ("/api/v1/contributions/", "django_filters.rest_framework.DjangoFilterBackend.filter_queryset"),
    ],
)
def test_an_unexpected_error_leaks_nothing(path, failing):
    client = Client(raise_request_exception=False)
    secret = "postgres://admin:hunter2@db.internal/coalition"
    with mock.patch(failing, side_effect=RuntimeError(secret)):
        response = client.get(path)
    assert response.status_code == 500
    body = response.content.decode()
    for leak in (secret, "hunter2", "Traceback", "RuntimeError", "SECRET_KEY", "settings"):
        assert leak not in body
    if path.startswith("/api/"):
        assert response.json() == {"detail": "Server error. The problem has been logged."}


@pytest.mark.browser
def test_the_browser_refuses_a_script_injected_into_a_page(chromium, live_server, transactional_db):
    ContributionFactory()
    context = chromium.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(live_server.url + "/contributions/")
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.injected = true';
        document.head.appendChild(s); }"""
    )
    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in message for message in messages)
    context.close()


@pytest.mark.django_db
def test_a_request_body_over_the_limit_is_refused_with_a_400(client, editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(editor)
    contribution = ContributionFactory()
    huge = '{"description": "' + "x" * 5000 + '"}'
    url = f"/api/v1/contributions/{contribution.pk}/"
    response = client.patch(url, huge, content_type="application/json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code in (400, 413)
    contribution.refresh_from_db()
    assert contribution.description != "x" * 5000
