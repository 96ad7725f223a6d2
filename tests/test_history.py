"""Every change to a record keeps a version saying who made it and when; editors see the diff and can revert."""

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from simple_history.middleware import HistoryRequestMiddleware

from contributions.models import Citation, Contribution
from tests.factories import CarefulAPIClient, SourceFactory, token_for
from tests.test_admin import admin_url, change_form_data, contribution_post, form_data


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def correct_status(client, contribution, status):
    url = admin_url("contribution", "change", contribution.pk)
    data = change_form_data(client.get(url))
    data["status"] = status
    response = client.post(url, data)
    assert response.status_code == 302
    return response


def test_an_admin_change_records_the_editor_and_what_changed(editor_client, editor, cast):
    police = cast["police"]
    correct_status(editor_client, police, "pledged")
    latest, previous = police.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == editor
    delta = latest.diff_against(previous, excluded_fields=["updated"])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("status", "delivered", "pledged")]


def test_an_admin_addition_records_the_editor(editor_client, editor, cast):
    editor_client.post(admin_url("contribution", "add"), contribution_post(cast["france"], SourceFactory()))
    contribution = Contribution.objects.get(description="Six Rafale jets sent to Jordan")
    assert contribution.history.get().history_user == editor
    assert contribution.citations.get().history.get().history_user == editor


def test_a_save_on_behalf_of_a_user_records_that_user(editor, cast):
    # What an API view does when it knows the user: the same hook the admin uses.
    money = cast["money"]
    money.status = "pledged"
    money._history_user = editor
    money.save()
    assert money.history.first().history_user == editor


def test_a_request_through_the_middleware_records_the_signed_in_user(editor, cast):
    # The API's views run behind HistoryRequestMiddleware like every view; DRF puts the token's
    # user on the request it wraps, so saves inside a view are attributed to that user.
    def api_view(request):
        cast["carrier"].status = "delivered"
        cast["carrier"].save()
        return HttpResponse()

    request = RequestFactory().patch("/api/v1/contributions/1/")
    request.user = editor
    HistoryRequestMiddleware(api_view)(request)
    assert cast["carrier"].history.first().history_user == editor


def test_an_api_change_records_the_token_user(editor, cast):
    try:
        url = reverse("api:contribution-detail", args=[cast["police"].pk])
    except NoReverseMatch:
        pytest.skip("the API has no contribution endpoint")
    client = CarefulAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    assert client.patch(url, {"status": "pledged"}, format="json").status_code == 200
    latest = cast["police"].history.first()
    assert (latest.history_type, latest.history_user, latest.status) == ("~", editor, "pledged")


def test_a_management_command_records_its_changes(db, cast, tmp_path):
    path = tmp_path / "contributions.csv"
    path.write_text(
        "id,nation_code,category,status,description,announced,announced_precision,source,quote\n"
        f"{cast['police'].pk},IT,police_training,pledged,Leads training of Iraqi police,2016-02-11,day,,\n"
        f",FR,financial,pledged,Funds for stabilization,2016-02-11,day,{cast['reuters'].slug},France funds it.\n"
    )
    call_command("import", "contributions.resources.ContributionResource", str(path), "--noinput")
    police = cast["police"]
    police.refresh_from_db()
    assert police.status == "pledged"
    latest = police.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "Imported"
    assert latest.history_user is None  # no one is signed in to a command
    assert Contribution.objects.get(description="Funds for stabilization").history.get().history_type == "+"


def test_the_history_page_shows_who_changed_what(editor_client, cast):
    police = cast["police"]
    correct_status(editor_client, police, "pledged")
    response = editor_client.get(admin_url("contribution", "history", police.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "editor" in content
    assert "<strong>Status:</strong> Delivered or ongoing &rarr; Pledged or offered" in content
    # The timestamp changes on every save; it is left out so the real change stands out.
    assert "<strong>Updated:</strong>" not in content


def test_an_editor_reverts_to_an_earlier_version(editor_client, editor, cast):
    police = cast["police"]
    original = police.history.get()
    correct_status(editor_client, police, "declined")

    url = reverse("admin:contributions_contribution_simple_history", args=[police.pk, original.history_id])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert 'value="Revert"' in response.content.decode()
    response = editor_client.post(url, form_data(response.context["adminform"].form))
    assert response.status_code == 302

    police.refresh_from_db()
    assert police.status == "delivered"
    latest = police.history.first()
    assert latest.history_user == editor
    assert police.history.count() == 3


def test_a_deleted_citation_keeps_its_history(editor_client, cast):
    citation = cast["police"].citations.get()
    editor_client.post(admin_url("citation", "delete", citation.pk), {"post": "yes"})
    deleted = Citation.history.filter(id=citation.pk).first()
    assert deleted.history_type == "-"
    assert deleted.quote == citation.quote
