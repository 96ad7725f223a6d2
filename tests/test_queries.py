"""The aggregate queries on their own: the pages and the API only lay out what these count."""

from contributions import filters, queries
from contributions.models import Contribution


def facets_for(data):
    filterset = filters.ContributionFilter(data, queryset=Contribution.objects.all())
    assert filterset.is_valid(), filterset.errors
    return queries.facets(filterset)


def test_the_nation_facet_counts_every_nation_under_the_other_filters_but_not_its_own(cast):
    facets = facets_for({"nation": "fr"})
    # Italy is not ticked, yet its box must say how many rows ticking it would add.
    assert facets["nation"] == {"fr": ("France", 1), "it": ("Italy", 2)}
    # The other facets do count under the nation filter.
    assert facets["category"] == {"military": 1}
    assert facets["status"] == {"pledged": 1}


def test_the_category_and_status_facets_drop_only_their_own_filter(cast):
    facets = facets_for({"category": "financial", "status": "delivered"})
    assert facets["category"] == {"police_training": 1}
    assert facets["status"] == {"under_consideration": 1}
    assert facets["nation"] == {}


def test_a_ticked_nation_the_other_filters_empty_keeps_a_zero_count(cast):
    facets = facets_for({"nation": "fr", "category": "financial"})
    assert facets["nation"] == {"fr": ("France", 0), "it": ("Italy", 1)}


def test_status_counts_group_by_category_and_status(cast):
    counts = queries.status_counts(Contribution.objects.all())
    assert counts == {
        ("military", "pledged"): 1,
        ("police_training", "delivered"): 1,
        ("financial", "under_consideration"): 1,
    }
    assert queries.by_category(counts) == {
        "military": {"pledged": 1},
        "police_training": {"delivered": 1},
        "financial": {"under_consideration": 1},
    }
    assert queries.status_totals(counts) == {
        "delivered": 1,
        "pledged": 1,
        "under_consideration": 1,
        "requested": 0,
        "unlikely": 0,
        "declined": 0,
    }


def test_the_summary_comes_by_nation_name_category_and_status(cast):
    cells = [
        (nation.name, category, status, n)
        for nation, category, status, n in queries.summary(Contribution.objects.all())
    ]
    assert cells == [
        ("France", "military", "pledged", 1),
        ("Italy", "financial", "under_consideration", 1),
        ("Italy", "police_training", "delivered", 1),
    ]


def test_the_matrix_cells_total_each_nation_and_category(cast):
    cells = queries.matrix_cells()
    france, italy = cast["france"].pk, cast["italy"].pk
    assert cells[(france, "military")] == {
        "total": 1,
        "statuses": {"pledged": 1},
        "capabilities": {"aircraft_carrier": 1},
    }
    assert cells[(italy, "financial")]["capabilities"] == {"funding": 1}
    assert set(cells) == {(france, "military"), (italy, "police_training"), (italy, "financial")}


def test_nations_by_status_put_the_most_contributing_first(cast):
    assert queries.by_nation_and_status() == [
        ("IT", "Italy", {"delivered": 1, "under_consideration": 1}),
        ("FR", "France", {"pledged": 1}),
    ]
