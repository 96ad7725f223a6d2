"""Writes through the API that an editor or an attacker could get wrong: bodies nested very deep."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contributions.models import Contribution
from tests.factories import token_for


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
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


# --- If-Match is required ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_write_without_if_match_is_a_428_that_says_how_to_get_the_etag(cast, editor, method):
    client = APIClient()
    client.force_authenticate(editor)
    url = f"/api/v1/contributions/{cast.police.pk}/"
    body = client.get(url).json()
    before = Contribution.objects.get(pk=cast.police.pk)
    response = getattr(client, method)(url, {**body, "status": "declined"}, format="json")
    assert response.status_code == 428
    assert "send its ETag header back as If-Match" in response.json()["detail"]
    assert "ETag" not in response
    after = Contribution.objects.get(pk=cast.police.pk)
    assert (after.status, after.updated) == (before.status, before.updated)


def test_a_stale_copy_sent_without_if_match_no_longer_undoes_an_edit(cast, editor):
    # Client A reads and edits with If-Match; client B then PUTs the copy it read before, without one.
    a, b = APIClient(), APIClient()
    for client in (a, b):
        client.force_authenticate(editor)
    url = f"/api/v1/contributions/{cast.police.pk}/"
    stale = b.get(url).json()
    read = a.get(url)
    assert a.patch(url, {"description": "A's edit"}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    assert b.put(url, stale, format="json").status_code == 428
    assert Contribution.objects.get(pk=cast.police.pk).description == "A's edit"
