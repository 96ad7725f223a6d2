"""Editors make and revoke their own API tokens; only a hash of each key is kept (finding 12)."""

import re

from django.contrib.auth.models import User
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

PAGE = "/account/tokens/"


def new_key(response):
    return re.search(r'<div class="module" id="new-token">.*?<code>([^<]+)</code>', response.content.decode(), re.S)[1]


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_editor_makes_a_token_shown_once_and_stored_only_as_a_hash(client, editor):
    client.force_login(editor)
    response = client.post(PAGE, {"create": "1"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = new_key(response)
    token = AuthToken.objects.get(user=editor)
    assert key not in {token.digest, token.token_key}
    assert len(token.digest) == 128  # a SHA-512 hex digest, not the key

    # The list afterwards names no key.
    listing = client.get(PAGE).content.decode()
    assert key not in listing
    assert 'id="new-token"' not in listing

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/nations/").status_code == 200
    assert api.post("/api/v1/sources/", {}, format="json").status_code == 400  # authenticated as an editor


def test_an_editor_revokes_a_token_and_it_stops_working(client, editor):
    client.force_login(editor)
    key = new_key(client.post(PAGE, {"create": "1"}))
    token = AuthToken.objects.get(user=editor)
    response = client.post(PAGE, {"revoke": token.digest})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=editor).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/nations/").status_code == 401


def test_an_editor_cannot_revoke_or_see_another_editors_token(client, editor):
    other = User.objects.create_user("other", password="x", is_staff=True)
    token, _ = AuthToken.objects.create(user=other)
    client.force_login(editor)
    assert token.digest not in client.get(PAGE).content.decode()
    assert client.post(PAGE, {"revoke": token.digest}).status_code == 404
    assert AuthToken.objects.filter(pk=token.pk).exists()


def test_the_old_authtoken_app_is_gone(settings):
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert "knox.auth.TokenAuthentication" in settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
