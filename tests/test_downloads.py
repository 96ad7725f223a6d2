"""A table's download reads its many-valued relations a chunk at a time (Table.chunks, columns.attach)
rather than through prefetch_related(). These hold the two ways equal, and the queries per chunk fixed."""

import pytest

from contributions import tables
from contributions.models import Contribution


def prefetched_rows(table, queryset):
    """The rows as the pages would read them: prefetch_related(), one instance at a time."""
    return [table.row(record) for record in queryset]


@pytest.mark.parametrize("chunk_size", [1, 5, 2000])
def test_a_download_of_the_cast_equals_the_rows_read_through_prefetches(dated, chunk_size):
    queryset = tables.CONTRIBUTIONS.queryset()
    rows = list(tables.CONTRIBUTIONS.rows(queryset, chunk_size=chunk_size))
    assert rows == prefetched_rows(tables.CONTRIBUTIONS, queryset)
    assert any(row["theatres"] for row in rows) and any(row["sources"] for row in rows)


def test_a_download_of_the_curated_data_equals_the_rows_read_through_prefetches(curated):
    queryset = tables.CONTRIBUTIONS.queryset()
    rows = list(tables.CONTRIBUTIONS.rows(queryset, chunk_size=7))
    assert rows == prefetched_rows(tables.CONTRIBUTIONS, queryset)
    assert any(row["lines_of_effort"] for row in rows) and any(" | " in row["quotes"] for row in rows)


def test_a_download_as_of_a_date_shows_the_state_then(dated):
    queryset = Contribution.objects.as_of("2016-01-15").with_related().with_lines()
    rows = list(tables.CONTRIBUTIONS.rows(queryset, chunk_size=4))
    assert rows == prefetched_rows(tables.CONTRIBUTIONS, queryset)
    assert next(row for row in rows if row["id"] == dated.carrier.pk)["quantity"] == 12


def test_a_download_costs_one_query_for_its_rows_and_three_per_chunk(dated, django_assert_num_queries):
    count = Contribution.objects.count()
    chunks = -(-count // 5)
    # The rows with their nation, meeting, official and host (1); then per chunk of 5, their citations
    # with sources and shared words, their theatres and their lines of effort (3 each).
    with django_assert_num_queries(1 + 3 * chunks):
        rows = list(tables.CONTRIBUTIONS.rows(tables.CONTRIBUTIONS.queryset(), chunk_size=5))
    assert len(rows) == count
