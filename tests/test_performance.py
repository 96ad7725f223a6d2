"""Cached aggregates: every write must invalidate them, in every worker process."""

import pytest
from django.db import transaction

from contributions import cache
from contributions.models import Citation, Contribution, DataVersion
from tests.factories import CitationFactory, ContributionFactory, NationFactory
from tests.pages import facet, facet_options

API = "/api/v1"


@pytest.fixture
def france(db):
    nation = NationFactory(country="FR")
    CitationFactory(contribution=ContributionFactory(nation=nation, category="military", status="pledged"))
    return nation


def summary_counts(client):
    return {
        (row["nation"]["code"], row["category"], row["status"]): row["count"]
        for row in client.get(f"{API}/summary/").json()
    }


def test_every_kind_of_write_gives_a_new_data_version(france):
    seen = {cache.current()}
    contribution = ContributionFactory(nation=france)
    seen.add(cache.current())
    CitationFactory(contribution=contribution)
    seen.add(cache.current())
    france.name = "République française"
    france.save()
    seen.add(cache.current())
    contribution.delete()
    seen.add(cache.current())
    assert len(seen) == 5
    assert DataVersion.objects.get().token == cache.current()


def test_the_summary_is_cached_until_a_write(client, france, django_assert_num_queries):
    assert summary_counts(client) == {("FR", "military", "pledged"): 1}
    # Cached: only the data version is read.
    with django_assert_num_queries(1):
        assert summary_counts(client) == {("FR", "military", "pledged"): 1}
    ContributionFactory(nation=france, category="military", status="pledged")
    assert summary_counts(client) == {("FR", "military", "pledged"): 2}


def test_a_write_in_another_worker_invalidates_this_workers_cache(client, france):
    assert summary_counts(client) == {("FR", "military", "pledged"): 1}
    # Another worker's write: no signal runs in this process, and its cache keeps the old entry;
    # but that worker's signal has replaced the version in the database, which this one reads.
    Contribution.objects.filter(nation=france).update(status="delivered")
    DataVersion.objects.filter(pk=1).update(token="another-workers-write")
    assert summary_counts(client) == {("FR", "military", "delivered"): 1}


def test_counts_and_facets_follow_updates_deletes_and_renames(client, france):
    carrier = Contribution.objects.get()
    assert client.get(f"{API}/contributions/?category=military").json()["count"] == 1
    assert client.get("/contributions/?category=military").context["paginator"].count == 1
    carrier.category = "training"
    carrier.save()
    assert client.get(f"{API}/contributions/?category=military").json()["count"] == 0
    facets = facet(client.get("/contributions/"), "category")
    assert facets["training"] == 1 and facets["military"] == 0
    france.name = "Gaul"
    france.save()
    assert facet_options(client.get("/contributions/"), "nation")[0]["label"] == "Gaul"
    carrier.delete()
    assert client.get(f"{API}/contributions/").json()["count"] == 0


def test_a_new_citation_changes_search_counts(client, france):
    assert client.get(f"{API}/contributions/?q=zanzibar").json()["count"] == 0
    CitationFactory(contribution=Contribution.objects.get(), quote="Zanzibar wharf")
    assert client.get(f"{API}/contributions/?q=zanzibar").json()["count"] == 1
    Citation.objects.get(quote="Zanzibar wharf").delete()
    assert client.get(f"{API}/contributions/?q=zanzibar").json()["count"] == 0


def test_a_rolled_back_write_leaves_no_stale_entry(client, france):
    assert summary_counts(client) == {("FR", "military", "pledged"): 1}
    with pytest.raises(RuntimeError), transaction.atomic():
        ContributionFactory(nation=france, category="military", status="pledged")
        assert summary_counts(client) == {("FR", "military", "pledged"): 2}
        raise RuntimeError("roll back")
    # The version is back to the one the first answer was cached under, and that answer is right.
    assert summary_counts(client) == {("FR", "military", "pledged"): 1}


@pytest.mark.parametrize("url", ["/", "/nations/", "/nations/fr/", "/contributions/?category=military", "/matrix/"])
def test_a_cached_page_costs_one_query_and_shows_a_write_at_once(client, france, django_assert_num_queries, url):
    first = client.get(url).content
    # The data version only: the page comes from the cache.
    with django_assert_num_queries(1):
        assert client.get(url).content == first
    france.name = "Gaul"
    france.save()
    assert "Gaul" in client.get(url).content.decode()


def test_downloads_and_missing_pages_are_never_cached(client, france):
    for _ in range(2):
        assert client.get("/contributions/?format=csv").streaming
        assert client.get("/nations/zz/").status_code == 404
    NationFactory(country="ZZ")
    assert client.get("/nations/zz/").status_code == 200


@pytest.mark.parametrize("url", [f"{API}/summary/", f"{API}/contributions/"])
def test_the_browsable_api_and_json_keep_cached_answers_apart(client, france, url):
    # The browsable API keeps data and JSON keeps bytes: under one key, one would be served as the other.
    assert client.get(url + "?format=api").status_code == 200
    assert client.get(url).json()
    assert client.get(url + "?format=api").status_code == 200
