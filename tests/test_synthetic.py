"""The synthetic data generator behind the benchmark."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from contributions.models import Citation, Contribution, Meeting, Nation, Official, Participation, Source, StatusEvent
from tests.factories import SourceFactory


def generate(seed=1, **options):
    call_command("generate_synthetic", contributions=300, seed=seed, nations=20, stdout=None, **options)
    rows = Contribution.objects.order_by("pk").values_list("nation__country", "category", "status", "description")
    return list(rows)


def wipe():
    for model in (Citation, Contribution, Participation, Meeting, Official, Source, Nation):
        model.objects.all().delete()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    first = generate(seed=7)
    wipe()
    assert generate(seed=7) == first
    wipe()
    assert generate(seed=8) != first


@pytest.mark.django_db
def test_every_contribution_is_cited_and_a_few_nations_give_most():
    rows = generate()
    assert len(rows) == 300
    assert not Contribution.objects.filter(citations=None).exists()
    per_nation = Counter(country for country, *_ in rows).most_common()
    # Zipf-like: the top nation gives several times the median nation's share.
    assert per_nation[0][1] >= 4 * per_nation[len(per_nation) // 2][1]


@pytest.mark.django_db
def test_bulk_inserted_rows_get_the_search_text_the_signals_would_write():
    generate()
    written = dict(Contribution.objects.values_list("pk", "search_text"))
    Contribution.objects.all().reindex()
    assert dict(Contribution.objects.values_list("pk", "search_text")) == written
    assert all(written.values())


@pytest.mark.django_db
def test_it_refuses_a_database_with_curated_data_unless_forced():
    SourceFactory(slug="reuters-2016-02-11")
    with pytest.raises(CommandError, match="curated"):
        call_command("generate_synthetic", contributions=10, seed=1)
    assert not Contribution.objects.exists()
    call_command("generate_synthetic", contributions=10, seed=1, force=True)
    assert Contribution.objects.count() == 10


@pytest.mark.django_db
def test_it_makes_about_three_status_events_per_contribution_ending_in_its_status():
    generate()
    events = StatusEvent.objects.count()
    assert 2.5 * 300 <= events <= 3.5 * 300
    for contribution in Contribution.objects.all()[:50]:
        latest = contribution.events.in_order().last()
        assert latest.status == contribution.status and latest.valid_until is None
