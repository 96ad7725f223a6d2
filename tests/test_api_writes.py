"""Writes through the API that an editor or an attacker could get wrong: bodies nested very deep."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


@pytest.mark.parametrize("depth", [33, 900, 100_000])
def test_it_refuses_a_body_nested_too_deep_with_a_400_on_post_and_patch(editor_api, cast, depth):
    body = "[" * depth + "]" * depth
    post = editor_api.post(reverse("api:nation-list"), body, content_type="application/json")
    url = reverse("api:contribution-detail", args=[cast["police"].pk])
    etag = editor_api.get(url)["ETag"]
    patch = editor_api.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    for response in (post, patch):
        assert response.status_code == 400
        assert response.json() == {"detail": "JSON parse error - nested more than 32 levels deep."}


def test_it_accepts_a_body_as_deep_as_a_record_needs(editor_api, cast):
    url = reverse("api:contribution-detail", args=[cast["police"].pk])
    etag = editor_api.get(url)["ETag"]
    response = editor_api.patch(url, {"status": "pledged"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["status"] == "pledged"


def test_it_adds_no_history_entry_for_a_write_that_changes_nothing(editor_api, cast):
    police = cast["police"]
    url = reverse("api:contribution-detail", args=[police.pk])
    read = editor_api.get(url)
    before = police.history.count()
    response = editor_api.patch(url, {"status": police.status}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200
    assert response["ETag"] == read["ETag"]
    assert police.history.count() == before
    changed = editor_api.patch(url, {"status": "pledged"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200
    assert police.history.count() == before + 1
