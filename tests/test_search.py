"""Contribution search: the search text follows every write, and a search counts only so far."""

import importlib

import pytest
from django.db import connection

from contributions import pagination
from contributions.models import Citation, Contribution, search_document
from tests.factories import CitationFactory, ContributionFactory

API = "/api/v1"

backfill_migration = importlib.import_module("contributions.migrations.0004_search_text")


def found(text):
    return set(Contribution.objects.search(text).values_list("pk", flat=True))


@pytest.fixture
def carrier(db):
    return ContributionFactory(description="Charles de Gaulle carrier deployed")


def test_it_finds_a_contribution_by_its_description_or_a_quote(carrier):
    CitationFactory(contribution=carrier, quote="Le porte-avions appareille")
    assert found("GAULLE") == found("porte-avions") == {carrier.pk}
    assert found("gaulle le porte") == set()


def test_a_changed_description_is_searched_at_once(carrier):
    carrier.description = "Rafale jets from Jordan"
    carrier.save()
    assert found("rafale") == {carrier.pk}
    assert found("gaulle") == set()


def test_added_edited_moved_and_deleted_quotes_are_searched_at_once(carrier):
    other = ContributionFactory(description="Police trainers")
    citation = CitationFactory(contribution=carrier, quote="Carabinieri instructors")
    assert found("carabinieri") == {carrier.pk}

    citation = Citation.objects.get(pk=citation.pk)
    citation.quote = "Gendarmerie instructors"
    citation.save()
    assert found("carabinieri") == set()
    assert found("gendarmerie") == {carrier.pk}

    # Moved: the old contribution loses the quote and the new one gains it.
    citation.contribution = other
    citation.save()
    assert found("gendarmerie") == {other.pk}

    citation.delete()
    assert found("gendarmerie") == set()
    assert Contribution.objects.get(pk=other.pk).search_text == "Police trainers"


def test_the_search_text_is_the_description_then_each_quote(carrier):
    CitationFactory(contribution=carrier, quote="First quote")
    CitationFactory(contribution=carrier, quote="Second quote")
    expected = "Charles de Gaulle carrier deployed\nFirst quote\nSecond quote"
    assert Contribution.objects.get(pk=carrier.pk).search_text == expected
    assert search_document(carrier.description, ["First quote", "Second quote"]) == expected


def test_the_migration_backfills_what_the_signals_would_write(carrier):
    CitationFactory(contribution=carrier, quote="First quote")
    CitationFactory(contribution=carrier, quote="Second quote")
    bare = ContributionFactory(description="No quotes")
    expected = dict(Contribution.objects.values_list("pk", "search_text"))
    Contribution.objects.update(search_text="")
    backfill_migration.fill(connection)
    assert dict(Contribution.objects.values_list("pk", "search_text")) == expected
    assert expected[bare.pk] == "No quotes"


def test_reindex_repairs_rows_written_around_the_signals(carrier):
    CitationFactory(contribution=carrier, quote="Carabinieri instructors")
    # QuerySet.update() sends no signals, like bulk_create and raw SQL.
    Citation.objects.filter(contribution=carrier).update(quote="Gendarmerie instructors")
    assert found("gendarmerie") == set()
    Contribution.objects.all().reindex()
    assert found("gendarmerie") == {carrier.pk}


@pytest.fixture
def five_matches(db, monkeypatch):
    monkeypatch.setattr(pagination, "SEARCH_COUNT_LIMIT", 3)
    for n in range(5):
        ContributionFactory(description=f"Carrier group {n}")
    ContributionFactory(description="Police trainers")


def test_a_search_counts_no_further_than_the_limit(client, five_matches, django_assert_num_queries):
    url = f"{API}/contributions/?q=carrier&page_size=2"
    # The data version; a COUNT of at most limit + 1 matches; the page with its related rows; their
    # theatres; their lines of effort.
    with django_assert_num_queries(5):
        body = client.get(url).json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (3, False, 2)
    assert client.get(url + "&page=2").json()["next"] is None
    assert client.get(url + "&page=3").status_code == 404
    # Cursor pages are not counted, so they reach every match.
    cursor = client.get(f"{API}/contributions/?q=carrier&pagination=cursor&page_size=5").json()
    assert len(cursor["results"]) == 5


def test_a_search_within_the_limit_counts_exactly(client, five_matches):
    body = client.get(f"{API}/contributions/?q=carrier+group+1").json()
    assert (body["count"], body["count_exact"]) == (1, True)
    unfiltered = client.get(f"{API}/contributions/").json()
    assert (unfiltered["count"], unfiltered["count_exact"]) == (6, True)


def test_the_web_list_says_a_search_matched_more_than_it_counted(client, five_matches):
    page = client.get("/contributions/?q=carrier&page_size=10").content.decode()
    assert "More than 3 contributions" in page
    assert "Download every match" in page
    exact = client.get("/contributions/?q=police").content.decode()
    assert "1 contribution</h2>" in exact and "More than" not in exact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="The trigram index exists on PostgreSQL only")
def test_postgresql_can_answer_a_search_from_the_trigram_index(db):
    ContributionFactory.create_batch(20, description="Airstrikes near Mosul")
    ContributionFactory(description="A xylophone, somehow")
    with connection.cursor() as cursor:
        # On a few rows the planner rightly prefers other plans (at 1M it picks the index for rare words:
        # see bench/); with them switched off, only an index that matches icontains's SQL can serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = Contribution.objects.search("xylophone")[:50].query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on contribution_search_trgm_idx" in plan
