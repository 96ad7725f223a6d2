"""Every FilterSet on its own, with valid and invalid values: the pages and the API only pass them the
query string, so what a parameter means is decided here."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions import filters
from contributions.models import Citation, Contribution, Figure, Meeting, Nation, Official, Participation, Source
from tests.factories import (
    CapabilityRequestFactory,
    CitationFactory,
    ContributionFactory,
    FigureFactory,
    MeetingFactory,
    NationFactory,
    OfficialFactory,
    ParticipationFactory,
    SourceFactory,
)


def rows(filterset_class, data, queryset=None):
    filterset = filterset_class(data, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


def errors(filterset_class, data):
    filterset = filterset_class(data)
    assert not filterset.is_valid()
    return filterset.errors


# --- Contributions ---------------------------------------------------------------------------------


def test_it_filters_contributions_by_nation_in_either_case_and_several_ways(cast):
    carrier, police, money = cast["carrier"], cast["police"], cast["money"]
    assert rows(filters.ContributionFilter, {"nation": "fr"}) == [carrier]
    assert set(rows(filters.ContributionFilter, {"nation": "IT"})) == {police, money}
    assert set(rows(filters.ContributionFilter, {"nation": "fr,it"})) == {carrier, police, money}


def test_it_filters_contributions_by_category_status_capability_meeting_and_official(cast):
    assert rows(filters.ContributionFilter, {"category": "police_training"}) == [cast["police"]]
    assert rows(filters.ContributionFilter, {"status": "under_consideration"}) == [cast["money"]]
    assert rows(filters.ContributionFilter, {"capability": "aircraft_carrier"}) == [cast["carrier"]]
    assert rows(filters.ContributionFilter, {"meeting": cast["brussels"].slug}) == [cast["carrier"]]
    assert rows(filters.ContributionFilter, {"official": cast["le_drian"].slug}) == [cast["carrier"]]


def test_it_filters_contributions_by_announcement_dates_inclusively(cast):
    early = ContributionFactory(nation=cast["france"], announced=datetime.date(2015, 11, 23))
    assert rows(filters.ContributionFilter, {"announced_before": "2015-11-23"}) == [early]
    assert early not in rows(filters.ContributionFilter, {"announced_after": "2015-11-24"})


def test_it_searches_descriptions_and_quotes(cast):
    assert rows(filters.ContributionFilter, {"q": "de gaulle"}) == [cast["carrier"]]
    assert rows(filters.ContributionFilter, {"q": "quote about leads"}) == [cast["police"]]
    assert len(rows(filters.ContributionFilter, {"q": "  "})) == 3


@pytest.mark.parametrize(
    "data, field",
    [
        ({"nation": "zz"}, "nation"),
        ({"category": "cavalry"}, "category"),
        ({"status": "done"}, "status"),
        ({"capability": "x"}, "capability"),
        ({"meeting": "nowhere"}, "meeting"),
        ({"official": "nobody"}, "official"),
        ({"announced_after": "02/11/2016"}, "announced_after"),
        ({"announced_before": "2016-13-01"}, "announced_before"),
        ({"ordering": "password"}, "ordering"),
    ],
)
def test_it_refuses_bad_contribution_filters_naming_the_field(cast, data, field):
    assert field in errors(filters.ContributionFilter, data)


def test_every_ordering_ends_with_the_id_so_ties_keep_their_place_between_pages(cast):
    # On the web the nation ordering sorted by name alone, so rows of one nation could swap between pages.
    for ordering in ("nation", "-nation", "category", "status", "-quantity", "amount", "-announced"):
        filterset = filters.ContributionFilter({"ordering": ordering}, queryset=Contribution.objects.all())
        assert filterset.is_valid()
        assert filterset.qs.query.order_by[-1] == "pk", ordering
    nations = filters.NationFilter({}, queryset=Nation.objects.all())
    assert nations.is_valid()
    assert list(nations.qs.query.order_by) == ["name", "pk"]


def test_it_orders_contributions_by_quantity_not_by_unit(cast):
    # Units in the opposite order to the quantities, so sorting by unit would give 6 first.
    ContributionFactory(nation=cast["france"], quantity=450, unit="aircraft")
    ContributionFactory(nation=cast["france"], quantity=6, unit="personnel")
    listed = rows(filters.ContributionFilter, {"ordering": "-quantity"}, Contribution.objects.exclude(quantity=None))
    assert [c.quantity for c in listed] == [450, 38, 6]


def test_a_blank_ordering_keeps_the_default_order(cast):
    filterset = filters.ContributionFilter({"ordering": ","}, queryset=Contribution.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs.query.order_by) == [] or list(filterset.qs.query.order_by)[-1] == "pk"
    assert list(filterset.qs) == list(Contribution.objects.order_by("announced", "pk"))


def test_a_facet_base_drops_only_its_own_filter(cast):
    filterset = filters.ContributionFilter({"nation": "it", "category": "financial"})
    assert filterset.is_valid()
    assert set(filterset.queryset_without("nation")) == {cast["money"]}
    assert set(filterset.queryset_without("category")) == {cast["police"], cast["money"]}


def test_nation_codes_are_checked_in_one_query(cast):
    filterset = filters.ContributionFilter({"nation": "fr,it"})
    with CaptureQueriesContext(connection) as queries:
        # One query: the nations named by the codes.
        assert filterset.is_valid()
    assert len(queries) == 1


# --- Nations, meetings and officials ---------------------------------------------------------------


def test_it_filters_nations_by_role_contribution_category_and_name(cast):
    assert rows(filters.NationFilter, {"role": "member"}) == []
    assert rows(filters.NationFilter, {"role": "military"}) == [cast["france"], cast["italy"]]
    assert rows(filters.NationFilter, {"category": "police_training"}) == [cast["italy"]]
    assert rows(filters.NationFilter, {"q": "fran"}) == [cast["france"]]
    assert "role" in errors(filters.NationFilter, {"role": "king"})
    assert "category" in errors(filters.NationFilter, {"category": "cavalry"})


def test_it_filters_meetings_by_kind_status_nation_and_dates(cast):
    planned = MeetingFactory(
        slug="washington", status="planned", kind="diplomatic_plenary", date=datetime.date(2016, 7, 1)
    )
    ParticipationFactory(meeting=cast["brussels"], nation=cast["italy"])
    assert rows(filters.MeetingFilter, {"status": "planned"}) == [planned]
    assert rows(filters.MeetingFilter, {"kind": "diplomatic_plenary"}) == [planned]
    assert rows(filters.MeetingFilter, {"nation": "it"}) == [cast["brussels"]]
    assert rows(filters.MeetingFilter, {"date_after": "2016-03-01"}) == [planned]
    assert rows(filters.MeetingFilter, {"date_before": "2016-03-01"}) == [cast["brussels"]]
    assert "date_after" in errors(filters.MeetingFilter, {"date_after": "1 March 2016"})
    assert "kind" in errors(filters.MeetingFilter, {"kind": "party"})


def test_it_filters_officials_by_nation_and_name_title_or_spelling(cast):
    OfficialFactory(slug="pinotti", name="Roberta Pinotti", nation=cast["italy"], name_variants="Pinoti")
    assert [o.slug for o in rows(filters.OfficialFilter, {"nation": "fr"})] == ["le-drian"]
    assert [o.slug for o in rows(filters.OfficialFilter, {"q": "pinoti"})] == ["pinotti"]
    assert "nation" in errors(filters.OfficialFilter, {"nation": "xx"})


# --- The lists only the API offers -----------------------------------------------------------------


def test_it_filters_sources_by_iso_dates_only(cast):
    SourceFactory(slug="old", outlet="Old Times", published=datetime.date(2015, 1, 1))
    assert [s.slug for s in rows(filters.SourceFilter, {"published_before": "2015-06-01"})] == ["old"]
    assert [s.slug for s in rows(filters.SourceFilter, {"q": "old times"})] == ["old"]
    # The contribution filter always refused this; the source filter read it as 1 February.
    assert "published_after" in errors(filters.SourceFilter, {"published_after": "01/02/2016"})


def test_it_filters_citations_by_source_kind_record_and_text(cast):
    source = SourceFactory(slug="reuters")
    nation_quote = CitationFactory(source=source, contribution=None, nation=cast["france"], quote="France joined")
    assert rows(filters.CitationFilter, {"source": "reuters"}) == [nation_quote]
    assert rows(filters.CitationFilter, {"target_type": "nation"}) == [nation_quote]
    assert rows(filters.CitationFilter, {"nation": "fr"}) == [nation_quote]
    assert rows(filters.CitationFilter, {"contribution": str(cast["police"].pk)}) == list(
        cast["police"].citations.all()
    )
    assert rows(filters.CitationFilter, {"q": "france joined"}) == [nation_quote]
    assert Citation.objects.count() == 4
    assert "contribution" in errors(filters.CitationFilter, {"contribution": "1.5"})
    assert "contribution" in errors(filters.CitationFilter, {"contribution": "9" * 30})
    assert "target_type" in errors(filters.CitationFilter, {"target_type": "person"})


def test_it_filters_figures_by_meeting_metric_and_qualifier(cast):
    exact = FigureFactory(meeting=cast["brussels"], value=49)
    about = FigureFactory(meeting=None, metric="coalition_members", qualifier="about", value=65, label="members")
    assert rows(filters.FigureFilter, {"meeting": cast["brussels"].slug}, Figure.objects.all()) == [exact]
    assert rows(filters.FigureFilter, {"qualifier": "about"}, Figure.objects.all()) == [about]
    assert rows(filters.FigureFilter, {"metric": "coalition_members"}, Figure.objects.all()) == [about]
    assert "metric" in errors(filters.FigureFilter, {"metric": "weather"})


def test_it_filters_participations_by_meeting_nation_and_role(cast):
    host = ParticipationFactory(meeting=cast["brussels"], nation=cast["france"], role="host")
    ParticipationFactory(meeting=cast["brussels"], nation=cast["italy"])
    assert rows(filters.ParticipationFilter, {"role": "host"}, Participation.objects.all()) == [host]
    assert rows(filters.ParticipationFilter, {"nation": "fr"}, Participation.objects.all()) == [host]
    assert "role" in errors(filters.ParticipationFilter, {"role": "guest"})


def test_it_filters_capability_requests_by_nation_capability_category_and_meeting(cast):
    asked = CapabilityRequestFactory(requested_by=NationFactory(country="US"), meeting=cast["brussels"])
    assert rows(filters.CapabilityRequestFilter, {"nation": "us"}) == [asked]
    assert rows(filters.CapabilityRequestFilter, {"capability": "isr"}) == [asked]
    assert rows(filters.CapabilityRequestFilter, {"category": "intelligence"}) == [asked]
    assert rows(filters.CapabilityRequestFilter, {"meeting": cast["brussels"].slug}) == [asked]
    assert "capability" in errors(filters.CapabilityRequestFilter, {"capability": "magic"})


def test_every_filterset_is_tested_here():
    filtersets = {
        name for name, value in vars(filters).items() if isinstance(value, type) and name.endswith("Filter")
    } - {"OrderingFilter", "CSVMultipleChoiceFilter", "IsoDateFilter", "RecordFilter", "NationCodeFilter"}
    filtersets -= {"SlugFilter", "IdsFilter"}
    tested = {"ContributionFilter", "NationFilter", "MeetingFilter", "OfficialFilter", "SourceFilter"}
    tested |= {"CitationFilter", "FigureFilter", "ParticipationFilter", "CapabilityRequestFilter"}
    assert filtersets == tested
    assert {Meeting, Official, Source} <= {f._meta.model for f in map(vars(filters).get, tested)}
