"""A table's download reads `.values()` a chunk at a time, with its many-valued relations listed per
chunk (columns.Table.lines, Listed). These hold its rows to what the records themselves say, the same
whatever the chunk size, and the queries per chunk fixed."""

import pytest

from contributions import tables
from contributions.models import Citation, Contribution

# How the citations table names a supported record of each kind; the others, by id.
KEYED = {"nation": "code", "official": "slug", "meeting": "slug", "line_of_effort": "slug"}


def as_the_records_say(contribution):
    """The columns that read other tables, from the contribution's own instance and its relations."""
    citations = list(contribution.citations.all())
    theatres = {theatre.code for theatre in contribution.theatres.all()}
    return {
        "nation_code": contribution.nation.code,
        "nation": contribution.nation.name,
        "meeting": contribution.meeting.slug if contribution.meeting else None,
        "official": contribution.official.slug if contribution.official else None,
        "host_code": contribution.host.code if contribution.host else None,
        "sources": " | ".join(citation.source.slug for citation in citations),
        "quotes": " | ".join(citation.words for citation in citations),
        "lines_of_effort": " | ".join(line.slug for line in contribution.lines_of_effort.all()),
        "theatres": ";".join(code for code in tables.THEATRE_ORDER if code in theatres),
        "quantity_display": contribution.quantity_display,
        "status": contribution.status,
        "quantity": contribution.quantity,
    }


def read(rows, names):
    return {row["id"]: {name: row[name] for name in names} for row in rows}


def expected(queryset):
    return {contribution.pk: as_the_records_say(contribution) for contribution in queryset}


@pytest.mark.parametrize("chunk_size", [1, 5, 2000])
def test_a_download_of_the_cast_says_what_its_records_say_whatever_the_chunk_size(dated, chunk_size):
    rows = list(tables.CONTRIBUTIONS.rows(chunk_size=chunk_size))
    want = expected(Contribution.objects.order_by("announced", "pk"))
    assert [row["id"] for row in rows] == list(want)
    assert read(rows, want[rows[0]["id"]]) == want
    assert any(row["theatres"] for row in rows) and any(row["host_code"] for row in rows)


def test_a_download_of_the_curated_data_says_what_its_records_say(curated):
    rows = list(tables.CONTRIBUTIONS.rows(chunk_size=7))
    want = expected(Contribution.objects.all())
    assert read(rows, next(iter(want.values()))) == want
    assert any(row["lines_of_effort"] for row in rows) and any(" | " in row["quotes"] for row in rows)


def test_a_download_as_of_a_date_shows_the_state_then(dated):
    queryset = Contribution.objects.as_of("2016-01-15")
    rows = list(tables.CONTRIBUTIONS.rows(queryset, chunk_size=4))
    assert read(rows, ["status", "quantity", "quantity_display"]) == {
        pk: {name: state[name] for name in ("status", "quantity", "quantity_display")}
        for pk, state in expected(queryset).items()
    }
    assert next(row for row in rows if row["id"] == dated.carrier.pk)["quantity"] == 12


def test_a_download_keeps_the_order_of_its_queryset(cast):
    queryset = Contribution.objects.order_by("-nation__name", "-pk")
    assert [row["id"] for row in tables.CONTRIBUTIONS.rows(queryset, chunk_size=3)] == [c.pk for c in queryset]


def test_a_citations_download_names_each_target_and_reads_shared_words_from_their_origin(curated):
    rows = {row["id"]: row for row in tables.CITATIONS.rows()}
    citations = Citation.objects.with_words().select_related("nation", "official", "meeting", "line_of_effort")
    assert any(citation.shares_id for citation in citations)
    for citation in citations:
        row = rows[citation.pk]
        kind, target = citation.target_type, citation.target
        key = getattr(target, KEYED[kind]) if kind in KEYED else target.pk
        assert (row["target_type"], row["target"]) == (citation.target_type, key)
        assert (row["quote"], row["verified"]) == (citation.words, citation.verified)
        assert row["shares"] == citation.shares_id


def test_one_records_row_is_read_like_the_others(dated):
    row = tables.CONTRIBUTIONS.row(dated.carrier, Contribution.objects.as_of("2016-01-15"))
    assert (row["id"], row["quantity"]) == (dated.carrier.pk, 12)


def test_a_download_costs_one_query_for_its_rows_and_three_per_chunk(dated, django_assert_num_queries):
    count = Contribution.objects.count()
    chunks = -(-count // 5)
    # The rows' values with their nation, meeting, official and host joined (1); then per chunk of 5,
    # their citations' sources and words, their theatres' codes and their lines' slugs (3 each).
    with django_assert_num_queries(1 + 3 * chunks):
        rows = list(tables.CONTRIBUTIONS.rows(chunk_size=5))
    assert len(rows) == count
