"""A delete never takes other records with it silently (finding 10).

Through the API, a record others depend on is a 409 that lists them, and nothing is deleted. Only the
admin's delete confirmation, which lists the same records and needs the permission for each, deletes
a record with its dependents. A record's own citations are part of it and go with it.
"""

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from contributions.models import Citation, Contribution, Figure, Meeting, Nation, Official, Participation
from tests.factories import FigureFactory, NationFactory, OfficialFactory, ParticipationFactory
from tests.test_admin import admin_url
from tests.test_api import API, token_client


@pytest.fixture
def merger(editor):
    """An editor trusted to delete meetings and officials (the Editors group may not)."""
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["delete_meeting", "delete_official"]))
    return token_client(User.objects.get(pk=editor.pk))


@pytest.fixture
def washington_with_dependents(cast):
    """The planned meeting, which the cast leaves without dependents, with a participation and a figure."""
    attending = ParticipationFactory(meeting=cast.washington, nation=cast.iraq)
    Citation.objects.create(source=cast.reuters, participation=attending, quote="Iraq will attend.")
    figure = FigureFactory(meeting=cast.washington, value=40, label="ministers expected")
    return attending, figure


def counts():
    return [model.objects.count() for model in (Meeting, Participation, Figure, Contribution, Citation, Official)]


def test_deleting_a_meeting_with_participations_and_figures_is_a_409_listing_them(
    merger, cast, washington_with_dependents
):
    attending, figure = washington_with_dependents
    before = counts()
    response = merger.delete(f"{API}/meetings/{cast.washington.slug}/")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Nothing was deleted: 3 other record(s) depend on this one (")
    assert body["count"] == 3
    (citation,) = attending.citations.all()
    assert body["dependents"] == [
        {
            "kind": "citation",
            "id": citation.pk,
            "str": str(citation),
            "url": f"http://testserver{API}/citations/{citation.pk}/",
        },
        {"kind": "figure", "id": figure.pk, "str": str(figure), "url": f"http://testserver{API}/figures/{figure.pk}/"},
        {
            "kind": "participation",
            "id": attending.pk,
            "str": str(attending),
            "url": f"http://testserver{API}/participations/{attending.pk}/",
        },
    ]
    assert counts() == before


def test_a_meeting_with_cascading_and_protecting_dependents_lists_both_kinds(merger, cast):
    response = merger.delete(f"{API}/meetings/{cast.brussels.slug}/")
    assert response.status_code == 409
    kinds = {dependent["kind"] for dependent in response.json()["dependents"]}
    # The status events the contributions made there are dependents too: they name the meeting.
    assert kinds == {"capability request", "citation", "contribution", "figure", "participation", "status event"}
    # The meeting's own quote is part of it, not a dependent.
    own = set(cast.brussels.citations.values_list("pk", flat=True))
    assert not own & {d["id"] for d in response.json()["dependents"] if d["kind"] == "citation"}
    assert Meeting.objects.filter(pk=cast.brussels.pk).exists()


def test_the_same_meeting_without_dependents_is_deleted_with_its_own_citations_and_attendance(merger, cast):
    washington = cast.washington
    quote = Citation.objects.create(source=cast.reuters, meeting=washington, quote="A joint meeting in July.")
    washington.officials.set([cast.carter])
    response = merger.delete(f"{API}/meetings/{washington.slug}/")
    assert response.status_code == 204
    assert not Meeting.objects.filter(pk=washington.pk).exists()
    assert not Citation.objects.filter(pk=quote.pk).exists()
    # Attendance was the meeting's own field; the official stays.
    assert Official.objects.filter(pk=cast.carter.pk).exists()


def test_deleting_an_official_who_attended_a_meeting_is_a_409_naming_the_meeting(merger, cast):
    envoy = OfficialFactory(nation=cast.italy, name="An Envoy")
    Citation.objects.create(source=cast.reuters, official=envoy, quote="The envoy spoke.")
    cast.paris.officials.add(envoy)
    response = merger.delete(f"{API}/officials/{envoy.slug}/")
    assert response.status_code == 409
    assert response.json()["dependents"] == [
        {
            "kind": "meeting",
            "id": cast.paris.pk,
            "str": str(cast.paris),
            "url": f"http://testserver{API}/meetings/{cast.paris.slug}/",
        }
    ]
    assert list(cast.paris.officials.filter(pk=envoy.pk)) == [envoy]
    cast.paris.officials.remove(envoy)
    assert merger.delete(f"{API}/officials/{envoy.slug}/").status_code == 204
    assert not Citation.objects.filter(official_id=envoy.pk).exists()


def test_if_match_is_checked_before_the_dependents(merger, cast, washington_with_dependents):
    url = f"{API}/meetings/{cast.washington.slug}/"
    assert merger.delete(url, HTTP_IF_MATCH='"stale"').status_code == 412
    assert APIClient.delete(merger, url).status_code == 428  # no If-Match at all
    assert Meeting.objects.filter(pk=cast.washington.pk).exists()


# --- The admin's confirmation --------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


def test_the_admin_confirmation_lists_the_dependents_and_deletes_them_only_on_confirm(
    superuser_client, cast, washington_with_dependents
):
    attending, figure = washington_with_dependents
    url = admin_url("meeting", "delete", cast.washington.pk)
    page = superuser_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Are you sure" in text
    for record in (attending, figure, attending.citations.get()):
        assert f'{record._meta.verbose_name.capitalize()}: <a href="' in text
        assert str(record) in text
    assert Meeting.objects.filter(pk=cast.washington.pk).exists()
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Meeting.objects.filter(pk=cast.washington.pk).exists()
    assert not Participation.objects.filter(pk=attending.pk).exists()
    assert not Figure.objects.filter(pk=figure.pk).exists()


def test_the_admin_refuses_to_delete_a_meeting_that_contributions_refer_to(superuser_client, cast):
    url = admin_url("meeting", "delete", cast.brussels.pk)
    page = superuser_client.get(url)
    assert "would require deleting the following protected related objects" in page.content.decode()
    superuser_client.post(url, {"post": "yes"})
    assert Meeting.objects.filter(pk=cast.brussels.pk).exists()


def test_an_editor_may_not_delete_a_meeting_in_the_admin(client, editor, cast):
    client.force_login(editor)
    url = admin_url("meeting", "delete", cast.washington.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Meeting.objects.filter(pk=cast.washington.pk).exists()


def test_an_editor_deleting_a_figure_in_the_admin_is_told_its_citations_go_with_it(client, editor, cast):
    client.force_login(editor)
    url = admin_url("figure", "delete", cast.at_the_table.pk)
    text = client.get(url).content.decode()
    assert "Citation:" in text
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Citation.objects.filter(figure_id=cast.at_the_table.pk).exists()


def test_a_nation_with_only_its_own_citations_is_deleted_with_them(cast, editor):
    editor.user_permissions.add(Permission.objects.get(codename="delete_nation"))
    belgium = NationFactory(country="BE")
    quote = Citation.objects.create(source=cast.voa, nation=belgium, quote="Belgium joined.")
    api = token_client(User.objects.get(pk=editor.pk))
    assert api.delete(f"{API}/nations/be/").status_code == 204
    assert not Citation.objects.filter(pk=quote.pk).exists()
    # Both histories keep the delete, to restore from.
    assert Nation.history.filter(id=belgium.pk, history_type="-").exists()
    assert Citation.history.filter(id=quote.pk, history_type="-").exists()


def test_a_participation_with_its_own_citations_is_deleted_with_them(cast, editor):
    api = token_client(editor)
    participation = cast.saudi_at_brussels
    assert api.delete(f"{API}/participations/{participation.pk}/").status_code == 204
    assert not Citation.objects.filter(participation_id=participation.pk).exists()


def test_the_admin_bulk_delete_lists_the_dependents_and_deletes_them_only_on_confirm(
    superuser_client, cast, washington_with_dependents
):
    attending, figure = washington_with_dependents
    url = admin_url("meeting", "changelist")
    chosen = {"action": "delete_selected", "_selected_action": [cast.washington.pk]}
    page = superuser_client.post(url, chosen)
    assert page.status_code == 200
    text = page.content.decode()
    assert str(attending) in text and str(figure) in text
    assert Meeting.objects.filter(pk=cast.washington.pk).exists()
    assert superuser_client.post(url, {**chosen, "post": "yes"}).status_code == 302
    assert not Participation.objects.filter(pk=attending.pk).exists()
    assert not Meeting.objects.filter(pk=cast.washington.pk).exists()
