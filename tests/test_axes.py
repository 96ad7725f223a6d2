"""Guessing an editor's password gets the account locked out, and the attempts are on record."""

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.urls import reverse


def sign_in(client, password):
    return client.post(reverse("admin:login"), {"username": "editor", "password": password, "next": "/admin/"})


def test_the_login_locks_after_the_failure_limit_and_records_it(client, editor):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = sign_in(client, "wrong")
        assert response.status_code == 200  # the login form again, with its error

    response = sign_in(client, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "Coalition Contributions Tracker" in page

    # Locked: even the right password is refused until the cool-off ends.
    assert sign_in(client, "correct horse battery staple").status_code == 429
    attempt = AccessAttempt.objects.get(username="editor")
    assert attempt.failures_since_start >= limit
    assert attempt.path_info == reverse("admin:login")
    assert AccessFailureLog.objects.filter(username="editor").count() >= limit


def test_a_successful_login_before_the_limit_clears_the_failures(client, editor):
    sign_in(client, "wrong")
    response = sign_in(client, "correct horse battery staple")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="editor").exists()


def test_a_superuser_sees_the_lockouts_in_the_admin(admin_client, client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")
    page = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "editor" in page
    assert admin_client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200


def test_behind_the_trusted_proxy_axes_locks_out_the_client_not_everyone(client, editor, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong", "next": "/admin/"},
            HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.9",
            **proxy,
        )
    attempt = AccessAttempt.objects.get(username="editor")
    # The address the proxy appended, not the proxy's own nor the one the client wrote itself.
    assert attempt.ip_address == "198.51.100.9"
    # The editor, signing in from elsewhere through the same proxy, is not locked out.
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "correct horse battery staple", "next": "/admin/"},
        HTTP_X_FORWARDED_FOR="192.0.2.44",
        **proxy,
    )
    assert response.status_code == 302
