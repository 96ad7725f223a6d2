"""Merging two records that stand for the same thing (contributions/merging.py)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from contributions import cache
from contributions.merging import merge
from contributions.models import Citation, Contribution, Figure, Meeting, Official, Participation, SearchEntry
from tests.factories import FigureFactory, NationFactory, OfficialFactory, token_for


@pytest.fixture
def second_carter(cast):
    """The Secretary of Defense entered a second time from a new source: with a contribution, a figure,
    a request, a meeting attended and a quote of his own."""
    carter = OfficialFactory(slug="ashton-carter", name="Ashton Carter", title="Defense Secretary", nation=cast.us)
    cast.uk_trainers.official = carter
    cast.uk_trainers.save()
    figure = FigureFactory(meeting=cast.brussels, metric="other", value=11, label="allies", official=carter)
    Citation.objects.create(source=cast.reuters, figure=figure, quote="Carter and 11 allies.")
    cast.isr.official = carter
    cast.isr.save()
    cast.stuttgart.officials.add(carter, cast.carter)
    cast.paris.officials.add(carter)
    Citation.objects.create(source=cast.defense_news, official=carter, quote="Ashton Carter said so.")
    return carter


def test_it_moves_citations_references_and_meetings_to_the_survivor(cast, second_carter):
    figure = second_carter.figures.get()
    merge(cast.carter, second_carter, "Same Secretary of Defense, spelt in full")

    assert not Official.objects.filter(pk=second_carter.pk).exists()
    assert Contribution.objects.get(pk=cast.uk_trainers.pk).official == cast.carter
    assert Figure.objects.get(pk=figure.pk).official == cast.carter
    assert cast.carter.capability_requests.filter(pk=cast.isr.pk).exists()
    assert set(cast.carter.meetings.values_list("slug", flat=True)) >= {"paris-2016-01", "stuttgart-2016-05"}
    # Stuttgart had both rows present: one link remains.
    assert list(Meeting.objects.get(pk=cast.stuttgart.pk).officials.all()) == [cast.carter]
    assert cast.carter.citations.filter(quote="Ashton Carter said so.").exists()


def test_it_keeps_the_reason_in_the_survivors_and_the_duplicates_history(cast, second_carter):
    duplicate_pk = second_carter.pk
    merge(cast.carter, second_carter, "Same Secretary of Defense")

    note = f"Merged #{duplicate_pk} into #{cast.carter.pk}: Same Secretary of Defense"
    assert cast.carter.history.latest().history_change_reason == note
    deleted = Official.history.filter(id=duplicate_pk).latest()
    assert (deleted.history_type, deleted.history_change_reason) == ("-", note)
    moved = Contribution.history.filter(id=cast.uk_trainers.pk).latest()
    assert (moved.official_id, moved.history_change_reason) == (cast.carter.pk, note)


def test_a_participation_of_both_nations_in_one_meeting_keeps_one_with_both_citations(cast):
    # Iraq entered twice: both rows attended Brussels.
    iraq_again = NationFactory(country="XK", name="Iraq (again)", role="member")
    twin = Participation.objects.create(meeting=cast.brussels, nation=iraq_again)
    Citation.objects.create(source=cast.reuters, participation=twin, quote="Iraq took part.")
    kept = Participation.objects.get(meeting=cast.brussels, nation=cast.iraq)

    merge(cast.iraq, iraq_again, "One country")

    assert list(Participation.objects.filter(meeting=cast.brussels, nation=cast.iraq)) == [kept]
    assert not Participation.objects.filter(pk=twin.pk).exists()
    assert kept.citations.filter(quote="Iraq took part.").exists()


def test_a_meeting_announced_at_its_duplicate_is_announced_at_nothing_rather_than_itself(cast):
    cast.brussels.announced_at = cast.paris
    cast.brussels.save()
    merge(cast.brussels, cast.paris, "Same meeting")
    assert Meeting.objects.get(pk=cast.brussels.pk).announced_at is None


def test_a_merged_figure_takes_the_duplicates_citations(cast):
    first = FigureFactory(metric="other", value=7, label="nations")
    second = FigureFactory(metric="other", value=7, label="nations")
    Citation.objects.create(figure=first, source=cast.reuters, quote="Seven nations.")
    Citation.objects.create(figure=second, source=cast.voa, quote="7 nations.")
    merge(first, second, "Two sources, one count")
    assert sorted(first.citations.values_list("quote", flat=True)) == ["7 nations.", "Seven nations."]


def test_a_merge_bumps_the_data_version_and_reindexes_the_survivor(cast, second_carter):
    before = cache.current()
    merge(cast.carter, second_carter, "Same man")
    assert cache.current() != before
    entry = SearchEntry.objects.get(kind="official", object_id=cast.carter.pk)
    assert "Ashton Carter said so." in entry.text
    assert not SearchEntry.objects.filter(kind="official", object_id=second_carter.pk).exists()


@pytest.mark.parametrize(
    ("pair", "field"),
    [
        (lambda cast: (cast.carter, cast.carter), "duplicate"),
        (lambda cast: (cast.carter, cast.france), "duplicate"),
        (lambda cast: (cast.france_at_paris, cast.saudi_at_brussels), "duplicate"),
    ],
    ids=["itself", "another kind", "not merged on its own"],
)
def test_it_refuses_a_record_into_itself_another_kind_or_a_part(cast, pair, field):
    survivor, duplicate = pair(cast)
    with pytest.raises(ValidationError) as raised:
        merge(survivor, duplicate, "A reason")
    assert field in raised.value.message_dict
    assert Official.objects.filter(pk=cast.carter.pk).exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 61, "two\nlines"])
def test_it_refuses_a_missing_or_unfit_reason(cast, second_carter, reason):
    with pytest.raises(ValidationError) as raised:
        merge(cast.carter, second_carter, reason)
    assert "reason" in raised.value.message_dict
    assert Official.objects.filter(pk=second_carter.pk).exists()


def test_a_failed_merge_changes_nothing(cast, second_carter, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Official, "delete", broken)
    with pytest.raises(RuntimeError):
        merge(cast.carter, second_carter, "Same man")
    assert Contribution.objects.get(pk=cast.uk_trainers.pk).official == second_carter
    assert second_carter.citations.count() == 1


# --- The admin's "Merge selected records" ---------------------------------------------------------


def test_the_admin_action_confirms_then_merges_into_the_survivor_the_editor_picked(client, editor, cast, second_carter):
    client.force_login(editor)
    url = reverse("admin:contributions_official_changelist")
    selected = {"action": "merge_selected", ACTION_CHECKBOX_NAME: [cast.carter.pk, second_carter.pk]}

    confirmation = client.post(url, selected)
    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert "Merge two officials" in page and "Ashton Carter" in page and "1 contribution" in page
    assert Official.objects.filter(pk=second_carter.pk).exists()  # nothing merged yet

    # The editor keeps the second row this time.
    done = client.post(url, {**selected, "confirm": "yes", "survivor": second_carter.pk, "reason": "Same man"})
    assert done.status_code == 302
    assert not Official.objects.filter(pk=cast.carter.pk).exists()
    assert second_carter.contributions.filter(pk=cast.us_strikes.pk).exists()
    assert second_carter.history.latest().history_user == editor


def test_the_admin_action_asks_again_without_a_reason_and_merges_nothing(client, editor, cast, second_carter):
    client.force_login(editor)
    url = reverse("admin:contributions_official_changelist")
    body = {"action": "merge_selected", ACTION_CHECKBOX_NAME: [cast.carter.pk, second_carter.pk], "confirm": "yes"}
    response = client.post(url, {**body, "survivor": cast.carter.pk, "reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Official.objects.filter(pk=second_carter.pk).exists()


def test_the_admin_action_takes_exactly_two_records(client, editor, cast):
    client.force_login(editor)
    url = reverse("admin:contributions_meeting_changelist")
    response = client.post(
        url, {"action": "merge_selected", ACTION_CHECKBOX_NAME: [cast.paris.pk, cast.brussels.pk, cast.stuttgart.pk]}
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(pk__in=[cast.paris.pk, cast.brussels.pk, cast.stuttgart.pk]).count() == 3


@pytest.mark.parametrize(
    "changelist",
    ["source", "nation", "official", "meeting", "figure", "contribution", "capabilityrequest"],
)
def test_every_mergeable_admin_offers_the_action(client, editor, cast, changelist):
    client.force_login(editor)
    response = client.get(reverse(f"admin:contributions_{changelist}_changelist"))
    assert 'value="merge_selected"' in response.content.decode()


# --- POST /api/v1/<resource>/{key}/merge/ ---------------------------------------------------------


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


def merge_url(official):
    return reverse("api:official-merge", args=[official.slug])


def test_the_api_merges_a_duplicate_and_answers_with_the_survivor(editor_api, cast, second_carter):
    url = reverse("api:official-detail", args=["ash-carter"])
    etag = editor_api.get(url)["ETag"]
    response = editor_api.post(
        merge_url(cast.carter),
        {"duplicate": "ashton-carter", "reason": "Same man"},
        format="json",
        HTTP_IF_MATCH=etag,
        HTTP_X_CHANGE_REASON="Reuters names him in full",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["slug"] == "ash-carter"
    assert response["ETag"] == editor_api.get(url)["ETag"] != etag
    assert not Official.objects.filter(slug="ashton-carter").exists()
    assert cast.carter.history.latest().history_change_reason.endswith(": Same man")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duplicate": "nobody", "reason": "Same"}, "duplicate"),
        ({"duplicate": "ash-carter", "reason": "Same"}, "duplicate"),
        ({"duplicate": "no such slug!", "reason": "Same"}, "duplicate"),
        ({"reason": "Same"}, "duplicate"),
        ({"duplicate": "ashton-carter"}, "reason"),
        ({"duplicate": "ashton-carter", "reason": "x" * 61}, "reason"),
    ],
    ids=["unknown", "itself", "not a key", "missing", "no reason", "reason too long"],
)
def test_a_bad_merge_body_is_a_400_naming_the_field(editor_api, cast, second_carter, body, field):
    etag = editor_api.get(reverse("api:official-detail", args=["ash-carter"]))["ETag"]
    response = editor_api.post(merge_url(cast.carter), body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert field in response.json()
    assert Official.objects.filter(slug="ashton-carter").exists()


def test_a_contribution_merged_with_an_unknown_id_or_a_huge_one_is_a_400(editor_api, cast):
    url = reverse("api:contribution-detail", args=[cast.police.pk])
    etag = editor_api.get(url)["ETag"]
    for key in ["99999", "9" * 30, "1.5"]:
        response = editor_api.post(
            url + "merge/", {"duplicate": key, "reason": "Same"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 400
        assert "duplicate" in response.json()


def test_a_merge_of_two_contributions_moves_the_citations(editor_api, cast):
    url = reverse("api:contribution-detail", args=[cast.uk_trainers.pk])
    etag = editor_api.get(url)["ETag"]
    response = editor_api.post(
        url + "merge/", {"duplicate": cast.police.pk, "reason": "Same pledge"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert len(response.json()["citations"]) == 2


def test_a_merge_without_if_match_is_a_428_and_with_a_stale_one_a_412(editor_api, cast, second_carter):
    body = {"duplicate": "ashton-carter", "reason": "Same man"}
    assert editor_api.post(merge_url(cast.carter), body, format="json").status_code == 428
    stale = editor_api.post(merge_url(cast.carter), body, format="json", HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    assert Official.objects.filter(slug="ashton-carter").exists()


def test_a_merge_needs_an_editor(cast, second_carter, reader):
    anonymous = APIClient().post(merge_url(cast.carter), {"duplicate": "ashton-carter", "reason": "Same"})
    assert anonymous.status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(reader)
    assert client.post(merge_url(cast.carter), {"duplicate": "ashton-carter", "reason": "Same"}).status_code == 403
    assert Official.objects.filter(slug="ashton-carter").exists()
