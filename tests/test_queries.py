"""The aggregate queries on their own: the pages and the API only lay out what these count."""

from contributions import filters, queries
from contributions.models import Contribution


def facets_for(data):
    filterset = filters.ContributionFilter(data, queryset=Contribution.objects.all())
    assert filterset.is_valid(), filterset.errors
    return queries.facets(filterset)


def test_the_nation_facet_counts_every_nation_under_the_other_filters_but_not_its_own(cast):
    facets = facets_for({"nation": "fr", "category": "training"})
    # France is ticked; every other nation's box says how many training rows ticking it would add.
    assert facets["nation"] == {
        "fr": ("France", 0),
        "gb": ("United Kingdom", 1),
        "de": ("Germany", 1),
        "ca": ("Canada", 1),
    }
    # The other facets do count under the nation filter.
    assert facets["category"] == {"military": 1}
    assert facets["status"] == {}


def test_the_category_and_status_facets_drop_only_their_own_filter(cast):
    facets = facets_for({"category": "financial", "status": "delivered"})
    assert facets["category"] == {
        "military": 3,
        "police_training": 1,
        "intelligence": 2,
        "training": 1,
        "humanitarian": 1,
        "financial": 1,
    }
    assert facets["status"] == {"under_consideration": 1, "delivered": 1}
    assert facets["nation"] == {"jp": ("Japan", 1)}


def test_status_counts_group_by_category_and_status(cast):
    counts = queries.status_counts(cast.italy.contributions.all())
    assert counts == {("police_training", "delivered"): 1, ("financial", "under_consideration"): 1}
    assert queries.by_category(counts) == {"police_training": {"delivered": 1}, "financial": {"under_consideration": 1}}
    totals = queries.status_totals(queries.status_counts(Contribution.objects.all()))
    assert list(totals) == ["delivered", "ended", "pledged", "under_consideration", "requested", "unlikely", "declined"]
    assert totals == {
        "delivered": 9,
        "ended": 0,
        "pledged": 3,
        "under_consideration": 2,
        "requested": 0,
        "unlikely": 1,
        "declined": 1,
    }


def test_the_summary_comes_by_nation_name_category_and_status(cast):
    contributions = Contribution.objects.filter(nation__in=[cast.italy, cast.canada])
    cells = [(nation.name, category, status, n) for nation, category, status, n in queries.summary(contributions)]
    assert cells == [
        ("Canada", "military", "declined", 1),
        ("Canada", "training", "pledged", 1),
        ("Italy", "financial", "under_consideration", 1),
        ("Italy", "police_training", "delivered", 1),
    ]


def test_the_matrix_cells_total_each_nation_and_category(cast):
    cells = queries.matrix_cells()
    uk = cast.uk.pk
    assert cells[(uk, "military")] == {"total": 1, "statuses": {"delivered": 1}, "capabilities": {"air_strikes": 1}}
    assert cells[(cast.japan.pk, "humanitarian")] == {"total": 1, "statuses": {"delivered": 1}, "capabilities": {}}
    assert sum(cell["total"] for cell in cells.values()) == Contribution.objects.count()


def test_nations_by_status_put_the_most_contributing_first(cast):
    ranked = queries.by_nation_and_status()
    assert ranked[0] == ("GB", "United Kingdom", {"delivered": 2, "pledged": 1})
    assert [code for code, _, _ in ranked[1:4]] == ["CA", "DE", "IT"]
    assert ranked[-1][1] == "United States"


def test_officials_are_annotated_with_the_dates_of_the_sources_quoting_them(cast):
    from contributions.models import Official

    carter = queries.officials_with_counts(Official.objects.filter(pk=cast.carter.pk)).get()
    dates = sorted(cast.carter.citations.values_list("source__published", flat=True))
    assert (carter.first_quoted, carter.last_quoted) == (dates[0], dates[-1])
    unquoted = queries.officials_with_counts(Official.objects.exclude(citations__isnull=False)).first()
    assert unquoted is None or unquoted.first_quoted is None
