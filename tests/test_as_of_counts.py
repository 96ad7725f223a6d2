"""As-of counts: each contribution notes when it was first known (known_since, kept with its events), so
a count of the rows known on a date needs no join to the event in force then."""

import datetime
import importlib
from collections import Counter

import pytest
from django.apps import apps

from contributions import queries
from contributions.filters import ContributionFilter
from contributions.models import Contribution
from tests.factories import add_event

# Before every event, before the carrier's first jets, after them, after Brussels' pledges, after the
# trainers ended, and after all.
DAYS = ["2014-01-01", "2015-11-30", "2016-01-15", "2016-02-15", "2016-02-25", "2017-01-01"]


def first_dated(contribution):
    return min((event.date for event in contribution.events.all() if event.date), default=None)


def known_since(contribution):
    return Contribution.objects.values_list("known_since", flat=True).get(pk=contribution.pk)


def test_a_new_contribution_is_known_from_its_first_events_date(cast):
    carrier = Contribution.objects.get(pk=cast.carrier.pk)
    assert carrier.known_since == carrier.announced == first_dated(carrier)


def test_an_earlier_event_moves_known_since_back_and_deleting_it_moves_it_forward(cast):
    before = known_since(cast.carrier)
    early = add_event(cast.carrier, "requested", datetime.date(2015, 1, 5))
    assert known_since(cast.carrier) == datetime.date(2015, 1, 5)
    early.delete()
    assert known_since(cast.carrier) == before


def test_a_contribution_whose_events_are_undated_is_known_on_no_date(cast):
    for event in cast.carrier.events.all():
        event.date = None
        event.save()
    assert known_since(cast.carrier) is None
    assert not Contribution.objects.known_on(datetime.date(2100, 1, 1)).filter(pk=cast.carrier.pk).exists()


def test_the_curated_contributions_are_known_from_their_first_dated_event(curated):
    contributions = Contribution.objects.prefetch_related("events")
    assert [(c.pk, c.known_since) for c in contributions] == [(c.pk, first_dated(c)) for c in contributions]


def test_the_migration_fills_known_since_from_the_events(dated):
    migration = importlib.import_module("contributions.migrations.0021_contribution_known_since")
    expected = dict(Contribution.objects.values_list("pk", "known_since"))
    Contribution.objects.update(known_since=None)
    migration.backfill(apps, None)
    assert dict(Contribution.objects.values_list("pk", "known_since")) == expected


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize(
    "data",
    [{}, {"status": "pledged"}, {"status": "delivered,ended"}, {"nation": "gb"}, {"category": "training,military"}],
)
def test_a_count_without_the_state_counts_the_rows_the_list_shows(dated, day, data):
    filterset = ContributionFilter({"as_of": day, **data}, Contribution.objects.all())
    assert filterset.is_valid(), filterset.errors
    listed = set(filterset.qs.values_list("pk", flat=True))
    assert set(filterset.rows_to_count().values_list("pk", flat=True)) == listed


def test_the_counts_differ_between_the_dates(dated):
    def count(day, **data):
        filterset = ContributionFilter({"as_of": day, **data}, Contribution.objects.all())
        assert filterset.is_valid()
        return filterset.rows_to_count().count()

    # Eight announced on 23 November 2015, the carrier from 1 December, six at Brussels, one at Stuttgart.
    assert [count(day) for day in DAYS] == [0, 8, 9, 15, 15, 16] and Contribution.objects.count() == 16
    # The UK's trainers: pledged at Brussels on 11 February 2016, ended on the 20th.
    assert [count(day, status="pledged", nation="gb") for day in DAYS] == [0, 0, 0, 1, 0, 0]


def test_an_as_of_count_joins_no_event_and_asks_one_only_for_the_status(dated):
    plain = ContributionFilter({"as_of": "2016-02-15", "nation": "gb"}, Contribution.objects.all())
    assert plain.is_valid()
    sql = str(plain.rows_to_count().query).lower()
    assert "statusevent" not in sql and "known_since" in sql
    by_status = ContributionFilter({"as_of": "2016-02-15", "status": "pledged"}, Contribution.objects.all())
    assert by_status.is_valid()
    sql = str(by_status.rows_to_count().query).lower()
    assert "exists" in sql and " join " not in sql


@pytest.mark.parametrize("day", DAYS)
def test_the_facets_as_of_a_date_count_the_rows_the_list_shows(dated, day):
    filterset = ContributionFilter({"as_of": day}, Contribution.objects.all())
    assert filterset.is_valid()
    facets = queries.facets(filterset)
    rows = list(filterset.qs)
    assert sum(n for _, n in facets["nation"].values()) == len(rows)
    assert facets["category"] == dict(Counter(row.category for row in rows))
    assert facets["status"] == dict(Counter(row.status for row in rows))
