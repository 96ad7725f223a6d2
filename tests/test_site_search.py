"""The site-wide search: every kind of record and every quote, on both databases' own full-text search,
kept in step with every write, on the page in the header and in the API."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions import search
from contributions.models import Citation, Contribution, SearchEntry
from contributions.search import Search
from tests.factories import CitationFactory, ContributionFactory, MeetingFactory

API = "/api/v1/search/"


def first(query, kind):
    hits = Search(query, kind).page(0, 1)
    return hits[0].title if hits else None


def titles(query, kind=None):
    return [hit.title for hit in Search(query, kind).page(0, 50)]


def test_it_finds_the_carrier_the_police_trainers_and_keating_first_in_the_curated_data(curated):
    assert first("carrier", "contribution") == "France: Military forces, aircraft carrier"
    assert first("police", "contribution") == "Italy: Police training, police trainers"
    assert Search("Keating").counts() == {"contribution": 1, "meeting": 1, "source": 1}
    assert first("Keating", "meeting") == "Counter-ISIL defence ministerial, Stuttgart"


def test_it_finds_words_in_quotes_and_notes_of_every_kind_of_record(cast):
    assert Search("accelerate said").counts() == {"official": 1}
    assert titles("ministers met", "meeting") == [cast.brussels.title]
    assert "France" in titles("stepped air strikes", "nation")
    assert Search("Carter asked").counts() == {"capability_request": 2}


def test_every_word_must_match_and_stems_match(cast):
    assert titles("carriers deployed", "contribution") == titles("carrier", "contribution") != []
    assert titles("carrier submarine") == []


def test_it_counts_each_kind_and_gives_the_best_few_of_each(cast):
    counts = Search("attended meeting").counts()
    best = Search("attended meeting").best_of_each_kind(1)
    assert counts["participation"] == 2
    assert [hit.kind for hit in best] == ["participation"]


def test_a_query_of_search_syntax_or_punctuation_finds_nothing_and_fails_nothing(cast):
    for query in ['"', "NEAR(a b)", "title:carrier", "carrier OR", "*", "AND", "(", "-", "'; DROP TABLE x; --"]:
        found = Search(query)
        assert isinstance(found.counts(), dict)
        assert isinstance(found.best_of_each_kind(3), list)


def test_the_index_follows_a_new_record_an_edit_a_new_quote_a_moved_quote_and_a_delete(cast):
    made = ContributionFactory(nation=cast.france, description="Zeppelin squadron")
    assert titles("zeppelin") == [f"France: {made.get_category_display()}, {made.get_capability_display().lower()}"]
    made.description = "Airship squadron"
    made.save()
    assert titles("zeppelin") == []
    # Its first citation is shared by its first status event, which would keep those words; this one is not.
    CitationFactory(contribution=made, quote="The airship flew.")
    quote = CitationFactory(contribution=made, quote="The gondola was blue.")
    assert len(titles("gondola")) == 1
    quote.contribution = None
    quote.meeting = cast.brussels
    quote.save()
    assert titles("gondola") == [cast.brussels.title]
    quote.delete()
    assert titles("gondola") == []
    made.delete()
    assert not SearchEntry.objects.filter(kind="contribution", object_id=made.pk).exists()


def test_renaming_a_nation_rewrites_the_titles_of_its_contributions(cast):
    cast.france.name = "Gallia"
    cast.france.save()
    assert any(title.startswith("Gallia:") for title in titles("carrier", "contribution"))


def test_an_edit_that_keeps_the_name_leaves_the_entries_showing_it_alone(cast):
    cast.france.notes = "A note that no contribution's entry shows."
    with CaptureQueriesContext(connection) as context:
        cast.france.save()
    rewritten = [query["sql"] for query in context.captured_queries if "DELETE" in query["sql"]]
    # The nation's own entry only: none of its contributions', officials' or participations'.
    assert len(rewritten) == 1 and "'nation'" in rewritten[0].replace('"', "'")
    cast.france.name = "Gallia"
    with CaptureQueriesContext(connection) as context:
        cast.france.save()
    assert sum("DELETE" in query["sql"] for query in context.captured_queries) > 1


def test_an_index_of_more_records_than_a_batch_keeps_every_one(cast, monkeypatch):
    monkeypatch.setattr(search, "INDEX_BATCH", 2)
    SearchEntry.objects.filter(kind="contribution").delete()
    ids = list(Contribution.objects.values_list("pk", flat=True))
    search.index(Contribution, ids)
    assert SearchEntry.objects.filter(kind="contribution").count() == len(ids) > 2


def test_deleting_a_meeting_with_cascaded_records_leaves_no_entry_behind(cast):
    meeting = MeetingFactory(title="Quarantined summit")
    Citation.objects.create(source=cast.reuters, meeting=meeting, quote="A summit under quarantine.")
    assert titles("quarantine") == ["Quarantined summit"]
    meeting.delete()
    assert titles("quarantine") == []
    assert not SearchEntry.objects.filter(kind="meeting", object_id=meeting.pk).exists()


def test_rebuild_search_gives_the_same_index_the_signals_kept(cast):
    kept = set(SearchEntry.objects.values_list("kind", "object_id", "title", "url", "text"))
    call_command("rebuild_search", verbosity=0)
    assert set(SearchEntry.objects.values_list("kind", "object_id", "title", "url", "text")) == kept
    SearchEntry.objects.all().delete()
    call_command("rebuild_search", "--if-empty", verbosity=0)
    assert SearchEntry.objects.count() == len(kept)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite searches its FTS5 table")
def test_postgresql_searches_and_ranks_the_stored_vector_without_parsing_any_text(cast):
    with CaptureQueriesContext(connection) as queries:
        Search("carrier").counts()
        Search("carrier").page(0, 10)
    sql = [query["sql"] for query in queries.captured_queries]
    assert all('"vector" @@' in statement and "to_tsvector" not in statement for statement in sql), sql
    assert not SearchEntry.objects.filter(vector__isnull=True).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'searchentry_vector_gin'")
        assert "gin (vector)" in cursor.fetchone()[0]


def test_the_page_groups_results_by_kind_with_counts_and_marks_the_words(client, cast, django_assert_num_queries):
    # Queries: the data version (1), the counts by kind (1), the best of each kind (1).
    with django_assert_num_queries(3):
        response = client.get("/search/", {"q": "carrier"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="kind-contribution">Contributions' in html
    assert "<mark>carrier</mark>" in html
    assert cast.carrier.get_absolute_url() in html


def test_a_page_of_one_kind_costs_the_same_however_many_records_match(client, cast, django_assert_num_queries):
    cast.grow(30)
    # Queries: the data version (1), the counts by kind (1), one page of that kind (1).
    with django_assert_num_queries(3):
        response = client.get("/search/", {"q": "attended", "kind": "participation", "page": "2"})
    assert response.status_code == 200
    assert "Page 2 of" in response.content.decode()


def test_the_page_escapes_what_it_highlights(client, cast):
    # PostgreSQL's headline drops what looks like a tag; SQLite's snippet keeps it. Either way it is text.
    CitationFactory(contribution=cast.carrier, quote="An alert & <i>carrier</i> <script>x()</script> warning")
    html = client.get("/search/", {"q": "alert"}).content.decode()
    assert "<mark>alert</mark> &amp; " in html
    assert "<i>carrier" not in html and "<script>x" not in html


def test_every_page_has_the_search_box_in_its_header(client, cast):
    for path in ("/", "/contributions/", "/meetings/", cast.brussels.get_absolute_url(), "/search/?q=carrier"):
        assert 'role="search"' in client.get(path).content.decode(), path


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "x" * 201}, "q"), ({"q": "carrier", "kind": "planet"}, "kind"), ({"q": "carrier", "page": "0"}, "page")],
)
def test_bad_values_are_a_400_naming_the_field_on_the_page_and_in_the_api(client, cast, params, field):
    page = client.get("/search/", params)
    assert page.status_code == 400
    api = client.get(API, params)
    assert api.status_code == 400
    assert field in api.json()


def test_an_empty_search_page_asks_for_words_and_the_api_requires_them(client, cast):
    assert client.get("/search/", {"q": "  "}).status_code == 200
    assert client.get(API).json() == {"q": ["This field is required."]}


def test_the_api_pages_results_best_first_with_counts_by_kind(client, cast):
    body = client.get(API, {"q": "attended", "page_size": "1"}).json()
    assert body["count"] == sum(group["count"] for group in body["counts"]) == 2
    assert len(body["results"]) == 1
    hit = body["results"][0]
    assert set(hit) == {"kind", "id", "title", "web_url", "snippet", "snippet_html"}
    assert "<mark>" in hit["snippet_html"] and "\x02" not in hit["snippet"]
    assert body["next"]


def test_the_index_holds_an_entry_for_every_record_of_every_kind(cast):
    for kind, (model, _, _) in search.DOCUMENTS.items():
        assert SearchEntry.objects.filter(kind=kind).count() == model.objects.count(), kind
