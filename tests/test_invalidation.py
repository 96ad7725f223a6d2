"""Every write to the data gives it a new version, and every cached page shows the write at once.

contributions/cache.py keys cached pages and aggregates by the data version, a token that a signal
replaces on each write to a watched model. A model left off the watched list would serve its old pages
until the entries aged out. Each case below saves and deletes one record of one kind, with nothing else
written in between, and checks the token and a cached page: the API list of that kind.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.throttling import AnonRateThrottle

from contributions import cache
from contributions.models import Contribution, DataVersion
from tests.factories import (
    CapabilityRequestFactory,
    CarefulAPIClient,
    CitationFactory,
    ContributionFactory,
    FigureFactory,
    LineLeadFactory,
    LineOfEffortFactory,
    MeetingFactory,
    NationFactory,
    OfficialFactory,
    ParticipationFactory,
    SourceFactory,
)


@dataclass
class Case:
    """One kind of record: how to build one, the API list it appears on, and a field to change."""

    build: Any
    path: str
    field: str
    value: Any


CASES = {
    "Source": Case(lambda: SourceFactory(), "/api/v1/sources/", "headline", "A headline after the write"),
    "Nation": Case(
        lambda: NationFactory(country="BE", name="Belgium", role="non_member"), "/api/v1/nations/", "name", "Belgia"
    ),
    "Official": Case(
        lambda: OfficialFactory(nation=NationFactory(country="DK", name="Denmark")),
        "/api/v1/officials/",
        "name",
        "A name after the write",
    ),
    "Meeting": Case(lambda: MeetingFactory(), "/api/v1/meetings/", "title", "A title after the write"),
    "Participation": Case(
        lambda: ParticipationFactory(nation=NationFactory(country="NO", name="Norway")),
        "/api/v1/participations/",
        "role",
        "observer",
    ),
    "Figure": Case(lambda: FigureFactory(), "/api/v1/figures/", "label", "a label after the write"),
    "Contribution": Case(
        lambda: ContributionFactory(), "/api/v1/contributions/", "description", "A description after the write"
    ),
    "CapabilityRequest": Case(
        lambda: CapabilityRequestFactory(), "/api/v1/capability-requests/", "description", "A request after the write"
    ),
    "LineOfEffort": Case(lambda: LineOfEffortFactory(), "/api/v1/lines/", "name", "A name after the write"),
    # A citation of a nation: one of a contribution also rewrites that contribution's search text.
    "Citation": Case(
        lambda: CitationFactory(contribution=None, nation=NationFactory(country="NL", name="Netherlands")),
        "/api/v1/citations/",
        "quote",
        "A quote after the write.",
    ),
}


@pytest.fixture
def api(db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})
    return CarefulAPIClient()


def rows(client, path):
    """The API list's rows by id, as the (cached) page reads."""
    response = client.get(path)
    assert response.status_code == 200
    return {row["id"]: row for row in response.json()["results"]}


def token():
    """The data version as a request would read it; outside a request, read afresh on every call."""
    return cache.current()


@pytest.mark.parametrize("kind", CASES)
def test_it_gives_a_new_data_version_and_a_fresh_cached_page_on_every_save_and_delete(api, kind):
    case = CASES[kind]
    record = case.build()
    old_value = getattr(record, case.field)
    assert old_value != case.value
    assert rows(api, case.path)[record.pk][case.field] == old_value  # now cached
    before = token()

    setattr(record, case.field, case.value)
    record.save()

    after_save = token()
    assert after_save != before, f"saving a {kind} left the data version as it was"
    assert DataVersion.objects.get(pk=1).token == after_save
    assert rows(api, case.path)[record.pk][case.field] == case.value, f"the {case.path} page is stale"

    pk = record.pk
    record.delete()

    assert token() not in (before, after_save), f"deleting a {kind} left the data version as it was"
    assert pk not in rows(api, case.path), f"the {case.path} page still lists the deleted {kind}"


def meeting_officials(client, meeting):
    return rows(client, "/api/v1/meetings/")[meeting.pk]["officials"]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda meeting, official: meeting.officials.add(official), id="add"),
        pytest.param(lambda meeting, official: official.meetings.add(meeting), id="add-from-the-official"),
        pytest.param(lambda meeting, official: meeting.officials.set([official]), id="set"),
    ],
)
def test_it_gives_a_new_data_version_when_an_official_is_added_to_a_meeting(api, write):
    meeting = MeetingFactory()
    official = OfficialFactory(nation=NationFactory(country="DK", name="Denmark"))
    assert meeting_officials(api, meeting) == []
    before = token()

    write(meeting, official)

    assert token() != before
    assert [entry["slug"] for entry in meeting_officials(api, meeting)] == [official.slug]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda meeting, official: meeting.officials.remove(official), id="remove"),
        pytest.param(lambda meeting, official: official.meetings.remove(meeting), id="remove-from-the-official"),
        pytest.param(lambda meeting, official: meeting.officials.clear(), id="clear"),
    ],
)
def test_it_gives_a_new_data_version_when_an_official_is_removed_from_a_meeting(api, write):
    meeting = MeetingFactory()
    official = OfficialFactory(nation=NationFactory(country="DK", name="Denmark"))
    meeting.officials.add(official)
    assert [entry["slug"] for entry in meeting_officials(api, meeting)] == [official.slug]
    before = token()

    write(meeting, official)

    assert token() != before
    assert meeting_officials(api, meeting) == []


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda line, contribution: line.contributions.add(contribution), id="add"),
        pytest.param(lambda line, contribution: contribution.lines_of_effort.add(line), id="add-from-the-contribution"),
        pytest.param(lambda line, contribution: line.contributions.set([contribution]), id="set"),
    ],
)
def test_it_gives_a_new_data_version_when_a_contribution_is_said_to_serve_a_line(api, write):
    line, contribution = LineOfEffortFactory(), ContributionFactory()
    assert rows(api, "/api/v1/contributions/")[contribution.pk]["lines_of_effort"] == []
    before = token()

    write(line, contribution)

    assert token() != before
    assert rows(api, "/api/v1/contributions/")[contribution.pk]["lines_of_effort"] == [line.slug]


def test_it_gives_a_new_data_version_when_a_lead_is_added_moved_or_removed(api):
    # A lead has only its two keys to change: it moves to another partner.
    lead = LineLeadFactory(partner=NationFactory(country="TR", name="Turkey"))
    assert rows(api, "/api/v1/line-leads/")[lead.pk]["partner"]["code"] == "TR"
    before = token()

    lead.partner = NationFactory(country="NL", name="Netherlands")
    lead.save()

    after_save = token()
    assert after_save != before
    assert rows(api, "/api/v1/line-leads/")[lead.pk]["partner"]["code"] == "NL"
    pk = lead.pk
    lead.delete()
    assert token() not in (before, after_save)
    assert pk not in rows(api, "/api/v1/line-leads/")


def test_it_gives_a_new_data_version_when_a_request_is_said_to_serve_a_line(api):
    line, capability_request = LineOfEffortFactory(), CapabilityRequestFactory()
    assert rows(api, "/api/v1/lines/")[line.pk]["request_count"] == 0
    before = token()

    line.requests.add(capability_request)

    assert token() != before
    assert rows(api, "/api/v1/lines/")[line.pk]["request_count"] == 1


def test_it_serves_the_cached_page_until_the_data_version_changes(api):
    # Without this the cases above would prove nothing: a page that is not cached is never stale.
    contribution = ContributionFactory(description="As first written")
    path = "/api/v1/contributions/"
    assert rows(api, path)[contribution.pk]["description"] == "As first written"
    before = token()

    Contribution.objects.filter(pk=contribution.pk).update(description="Behind the signals' back")

    assert token() == before
    assert rows(api, path)[contribution.pk]["description"] == "As first written"
    cache.bump()
    assert rows(api, path)[contribution.pk]["description"] == "Behind the signals' back"


def test_it_shows_a_write_on_the_cached_home_page_at_once(client, db):
    # The web pages share the mechanism: the home page counts officials, from the cache until a write.
    OfficialFactory(nation=NationFactory(country="DK", name="Denmark"))
    first = client.get("/")
    assert first.context["official_count"] == 1
    assert client.get("/").context is None  # from the cache: no template rendered

    OfficialFactory(nation=NationFactory(country="DK", name="Denmark"))

    assert client.get("/").context["official_count"] == 2
