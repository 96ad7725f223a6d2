"""Writes through the API that an editor or an attacker could get wrong: bodies nested very deep."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contributions.models import Contribution, Nation
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


# --- Why: X-Change-Reason ------------------------------------------------------------------------


def test_the_history_keeps_the_reason_an_api_write_gives_for_each_kind_of_write(editor_api, cast):
    created = editor_api.post(
        "/api/v1/contributions/",
        {"nation": "fr", "category": "military", "status": "pledged", "description": "Rafale jets"},
        format="json",
        HTTP_X_CHANGE_REASON="New pledge in the Reuters piece",
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/contributions/{created.json()['id']}/"
    patched = editor_api.patch(
        url,
        {"status": "delivered"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
        HTTP_X_CHANGE_REASON="Délivré, says Le Monde".encode().decode("latin-1"),
    )
    assert patched.status_code == 200
    deleted = editor_api.delete(url, HTTP_IF_MATCH=patched["ETag"], HTTP_X_CHANGE_REASON="  Duplicate of #3  ")
    assert deleted.status_code == 204
    reasons = Contribution.history.filter(id=created.json()["id"]).order_by("history_date")
    assert [(row.history_type, row.history_change_reason) for row in reasons] == [
        ("+", "New pledge in the Reuters piece"),
        ("~", "Délivré, says Le Monde"),
        ("-", "Duplicate of #3"),
    ]


def test_a_write_without_a_reason_records_none(editor_api, cast):
    url = f"/api/v1/contributions/{cast.police.pk}/"
    assert editor_api.patch(url, {"status": "pledged"}, format="json", HTTP_IF_MATCH=editor_api.get(url)["ETag"])
    assert cast.police.history.latest().history_change_reason is None


@pytest.mark.parametrize(
    "reason, message",
    [
        ("Fixed\x01typo", "Remove the control characters (U+0001): a reason is one line of text."),
        ("Two\nlines", "Remove the control characters (U+000A): a reason is one line of text."),
        ("x" * 101, "At most 100 characters (this one has 101)."),
    ],
)
@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_bad_change_reason_is_a_400_naming_the_header_and_writes_nothing(editor_api, cast, method, reason, message):
    police = cast.police
    url = "/api/v1/nations/" if method == "post" else f"/api/v1/contributions/{police.pk}/"
    body = {"code": "BE", "role": "military"} if method == "post" else {"status": "declined"}
    before = (police.history.count(), Contribution.objects.get(pk=police.pk).updated)
    etag = editor_api.get(f"/api/v1/contributions/{police.pk}/")["ETag"]
    response = getattr(editor_api, method)(url, body, format="json", HTTP_IF_MATCH=etag, HTTP_X_CHANGE_REASON=reason)
    assert response.status_code == 400
    assert response.json() == {"X-Change-Reason": [message]}
    assert (police.history.count(), Contribution.objects.get(pk=police.pk).updated) == before
    assert not Nation.objects.filter(country="BE").exists()


def test_the_admin_history_page_shows_the_reason_an_api_write_gave(editor_api, client, editor, cast):
    url = f"/api/v1/contributions/{cast.police.pk}/"
    etag = editor_api.get(url)["ETag"]
    editor_api.patch(url, {"status": "pledged"}, format="json", HTTP_IF_MATCH=etag, HTTP_X_CHANGE_REASON="Per VOA")
    client.force_login(editor)
    page = client.get(reverse("admin:contributions_contribution_history", args=[cast.police.pk]))
    assert "<td>Per VOA</td>" in page.content.decode()


def test_the_schema_documents_the_change_reason_header_on_every_write(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            assert ("X-Change-Reason" in names) == (method in ("post", "put", "patch", "delete")), (path, method)


def test_the_api_history_shows_each_version_with_who_and_why_to_editors(editor_api, editor, cast):
    url = f"/api/v1/meetings/{cast.paris.slug}/"
    etag = editor_api.get(url)["ETag"]
    reason = "City per Defense News"
    assert editor_api.patch(url, {"city": "Paris 7e"}, format="json", HTTP_IF_MATCH=etag, HTTP_X_CHANGE_REASON=reason)
    response = editor_api.get(f"{url}history/")
    assert response.status_code == 200
    latest, *earlier = response.json()
    assert latest["kind"] == "changed"
    assert (latest["user"], latest["change_reason"]) == ("editor", reason)
    assert latest["history_id"] == cast.paris.history.latest().history_id
    assert earlier[-1]["kind"] == "created"


def test_the_api_history_is_for_editors_only(cast, reader):
    url = f"/api/v1/contributions/{cast.police.pk}/history/"
    assert APIClient().get(url).status_code == 401
    assert APIClient().get("/api/v1/nations/fr/history/").status_code == 401
    reading = APIClient()
    reading.credentials(HTTP_AUTHORIZATION=f"Token {token_for(reader)}")
    assert reading.get(url).status_code == 403
    assert reading.get("/api/v1/contributions/999999/history/").status_code == 403


@pytest.mark.parametrize("path", ["nations/fr", "officials/ash-carter", "sources/2016-02-11-reuters-us-tells-allies"])
def test_the_api_history_takes_each_resource_by_its_key(editor_api, cast, path):
    response = editor_api.get(f"/api/v1/{path}/history/")
    assert response.status_code == 200
    assert [version["kind"] for version in response.json()] == ["created"]


def test_spending_filed_outside_financial_is_a_400_naming_the_category_and_writes_nothing(editor_api, cast):
    police = cast["police"]
    url = reverse("api:contribution-detail", args=[police.pk])
    etag = editor_api.get(url)["ETag"]
    response = editor_api.patch(url, {"capability": "campaign_cost"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert response.json() == {"category": ["The cost of a partner's own operations is filed under Financial."]}
    assert Contribution.objects.get(pk=police.pk).capability == police.capability

    body = {"capability": "campaign_cost", "category": "financial"}
    assert editor_api.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code == 200
