"""Every FilterSet on its own, with valid and invalid values: the pages and the API only pass them the
query string, so what a parameter means is decided here."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions import filters
from contributions.models import (
    Citation,
    Contribution,
    Figure,
    Meeting,
    Nation,
    Official,
    Participation,
    Source,
    SourceText,
    StatusEvent,
)
from tests.factories import (
    CitationFactory,
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


def names(cast, records):
    """The cast's names for these records, so a failure reads as "carrier", not as an id."""
    by_pk = {value.pk: key for key, value in cast.items() if isinstance(value, Contribution)}
    return {by_pk.get(record.pk, record.pk) for record in records}


def test_it_filters_contributions_by_nation_in_either_case_and_several_ways(cast):
    assert rows(filters.ContributionFilter, {"nation": "fr"}) == [cast.carrier]
    assert names(cast, rows(filters.ContributionFilter, {"nation": "IT"})) == {"police", "money"}
    assert names(cast, rows(filters.ContributionFilter, {"nation": ["fr", "it"]})) == {"carrier", "police", "money"}
    assert names(cast, rows(filters.ContributionFilter, {"nation": "fr, IT"})) == {"carrier", "police", "money"}


def test_it_filters_contributions_by_category_status_capability_meeting_and_official(cast):
    assert rows(filters.ContributionFilter, {"category": "police_training"}) == [cast.police]
    assert names(cast, rows(filters.ContributionFilter, {"status": "under_consideration"})) == {
        "money",
        "dutch_strikes",
    }
    assert rows(filters.ContributionFilter, {"capability": "aircraft_carrier"}) == [cast.carrier]
    assert names(cast, rows(filters.ContributionFilter, {"meeting": cast.brussels.slug})) == {
        "carrier",
        "uk_trainers",
        "money",
        "dutch_strikes",
        "saudi_troops",
        "special_forces",
    }
    assert rows(filters.ContributionFilter, {"official": cast.le_drian.slug}) == [cast.carrier]
    assert names(cast, rows(filters.ContributionFilter, {"official": cast.pinotti.slug})) == {"police", "money"}


def test_it_filters_contributions_by_the_lines_of_effort_they_serve(cast):
    assert rows(filters.ContributionFilter, {"line": "iraqi-police-training"}) == [cast.police]
    assert names(cast, rows(filters.ContributionFilter, {"line": "military-campaign"})) == {
        "carrier",
        "uk_strikes",
        "us_strikes",
    }
    # Several lines: the contributions serving any of them, each once.
    both = rows(filters.ContributionFilter, {"line": ["military-campaign", "iraqi-police-training"]})
    assert names(cast, both) == {"carrier", "uk_strikes", "us_strikes", "police"}
    assert rows(filters.ContributionFilter, {"line": "military-campaign, iraqi-police-training"}) == both
    # A contribution serving both lines is not repeated.
    cast.police_line.contributions.add(cast.carrier)
    assert len(rows(filters.ContributionFilter, {"line": "military-campaign,iraqi-police-training"})) == 4
    assert rows(filters.ContributionFilter, {"line": "military-campaign", "nation": "gb"}) == [cast.uk_strikes]


def test_it_filters_contributions_by_announcement_dates_inclusively(cast):
    assert rows(filters.ContributionFilter, {"announced_before": "2015-09-01"}) == [cast.japan_funding]
    assert rows(filters.ContributionFilter, {"announced_before": "2015-08-31"}) == []
    assert rows(filters.ContributionFilter, {"announced_after": "2016-05-04"}) == [cast.canada_trainers]


def test_it_searches_descriptions_and_quotes(cast):
    CitationFactory(contribution=cast.police, source=cast.reuters, quote="Rome will lead the carabinieri")
    assert rows(filters.ContributionFilter, {"q": "de GAULLE"}) == [cast.carrier]
    assert rows(filters.ContributionFilter, {"q": "carabinieri"}) == [cast.police]
    assert len(rows(filters.ContributionFilter, {"q": "  "})) == Contribution.objects.count()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"nation": "zz"}, "nation"),
        ({"category": "cavalry"}, "category"),
        ({"status": "done"}, "status"),
        ({"capability": "x"}, "capability"),
        ({"meeting": "nowhere"}, "meeting"),
        ({"official": "nobody"}, "official"),
        ({"line": "no-such-line"}, "line"),
        ({"line": "military-campaign,no-such-line"}, "line"),
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
    listed = rows(filters.ContributionFilter, {"ordering": "-quantity"}, Contribution.objects.exclude(quantity=None))
    # Sorting by unit would put the personnel first in id order: 450, 150, 210.
    assert [c.quantity for c in listed] == [450, 210, 150, 38, 16, 6, 6]
    assert listed[-2:] == sorted(listed[-2:], key=lambda c: c.pk)


def test_a_blank_ordering_keeps_the_default_order(cast):
    filterset = filters.ContributionFilter({"ordering": ","}, queryset=Contribution.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == list(Contribution.objects.order_by("announced", "pk"))


def test_a_facet_base_drops_only_its_own_filter(cast):
    filterset = filters.ContributionFilter({"nation": "it", "category": "financial"})
    assert filterset.is_valid()
    assert names(cast, filterset.queryset_without("nation")) == {"money", "japan_funding"}
    assert names(cast, filterset.queryset_without("category")) == {"police", "money"}


def test_nation_codes_are_checked_against_the_partners_kept_until_the_next_write(cast):
    with CaptureQueriesContext(connection) as queries:
        # The data version (read on every call outside a request), then every partner, once.
        assert filters.ContributionFilter({"nation": "fr,it"}).is_valid()
        assert filters.ContributionFilter({"nation": "de"}).is_valid()
    assert len(queries) == 3
    assert "contributions_dataversion" in queries[2]["sql"]

    cast.france.name = "French Republic"
    cast.france.save()
    filterset = filters.ContributionFilter({"nation": "fr"})
    assert filterset.is_valid()
    assert [nation.name for nation in filterset.form.cleaned_data["nation"]] == ["French Republic"]
    assert "nation" in errors(filters.ContributionFilter, {"nation": "fr,zz"})


# --- Nations, meetings and officials ---------------------------------------------------------------


def test_it_filters_nations_by_role_contribution_category_and_name(cast):
    assert rows(filters.NationFilter, {"role": "member"}) == [cast.iraq]
    assert rows(filters.NationFilter, {"role": "non_military"}) == [cast.eu, cast.germany, cast.japan]
    assert rows(filters.NationFilter, {"category": "police_training"}) == [cast.italy]
    assert rows(filters.NationFilter, {"category": "humanitarian,police_training"}) == [cast.italy, cast.japan]
    assert rows(filters.NationFilter, {"q": "fran"}) == [cast.france]
    assert "role" in errors(filters.NationFilter, {"role": "king"})
    assert "category" in errors(filters.NationFilter, {"category": "cavalry"})


def test_it_filters_meetings_by_kind_status_nation_and_dates(cast):
    assert rows(filters.MeetingFilter, {"status": "planned"}) == [cast.washington]
    assert rows(filters.MeetingFilter, {"kind": "diplomatic_plenary"}) == [cast.washington]
    assert rows(filters.MeetingFilter, {"nation": "sa"}) == [cast.brussels]
    assert rows(filters.MeetingFilter, {"nation": "fr"}) == [cast.paris, cast.stuttgart]
    assert rows(filters.MeetingFilter, {"date_after": "2016-05-04"}) == [cast.stuttgart, cast.washington]
    assert rows(filters.MeetingFilter, {"date_before": "2016-01-20"}) == [cast.paris]
    assert rows(filters.MeetingFilter, {"q": "joint"}) == [cast.washington]
    assert "date_after" in errors(filters.MeetingFilter, {"date_after": "1 March 2016"})
    assert "kind" in errors(filters.MeetingFilter, {"kind": "party"})


def test_it_filters_officials_by_nation_and_name_title_or_spelling(cast):
    assert rows(filters.OfficialFilter, {"nation": "fr"}) == [cast.le_drian]
    assert rows(filters.OfficialFilter, {"q": "le driant"}) == [cast.le_drian]
    assert rows(filters.OfficialFilter, {"q": "secretary of defense"}) == [cast.carter]
    assert "nation" in errors(filters.OfficialFilter, {"nation": "xx"})


# --- The lists only the API offers -----------------------------------------------------------------


def test_it_filters_sources_by_iso_dates_only(cast):
    assert rows(filters.SourceFilter, {"published_before": "2015-11-23"}) == [cast.voa]
    assert rows(filters.SourceFilter, {"q": "aaron mehta"}) == [cast.defense_news]
    # The contribution filter always refused this; the source filter read it as 1 February.
    assert "published_after" in errors(filters.SourceFilter, {"published_after": "01/02/2016"})


def test_it_filters_citations_by_source_kind_record_and_text(cast):
    france_quotes = list(cast.france.citations.all())
    assert len(france_quotes) == 1
    nation_quotes = set(rows(filters.CitationFilter, {"target_type": "nation"}))
    assert nation_quotes == {*france_quotes, *cast.eu.citations.all()}
    assert rows(filters.CitationFilter, {"nation": "fr"}) == france_quotes
    assert rows(filters.CitationFilter, {"q": "stepped up its air"}) == france_quotes
    assert rows(filters.CitationFilter, {"contribution": str(cast.police.pk)}) == list(cast.police.citations.all())
    assert set(rows(filters.CitationFilter, {"source": cast.defense_news.slug})) == set(
        Citation.objects.filter(source=cast.defense_news)
    )
    assert "contribution" in errors(filters.CitationFilter, {"contribution": "1.5"})
    assert "contribution" in errors(filters.CitationFilter, {"contribution": "9" * 30})
    assert "target_type" in errors(filters.CitationFilter, {"target_type": "person"})


def test_it_filters_figures_by_meeting_metric_and_qualifier(cast):
    assert rows(filters.FigureFilter, {"meeting": cast.brussels.slug}, Figure.objects.all()) == [
        cast.at_the_table,
        cast.represented,
    ]
    assert rows(filters.FigureFilter, {"qualifier": "about"}, Figure.objects.all()) == [cast.represented]
    assert rows(filters.FigureFilter, {"metric": "coalition_members"}, Figure.objects.all()) == [
        cast.members,
        cast.members_again,
    ]
    assert "metric" in errors(filters.FigureFilter, {"metric": "weather"})


def test_it_filters_participations_by_meeting_nation_and_role(cast):
    hosts = rows(filters.ParticipationFilter, {"role": "host"}, Participation.objects.all())
    assert {(p.meeting.slug, p.nation.code) for p in hosts} == {
        (cast.paris.slug, "FR"),
        (cast.brussels.slug, "US"),
        (cast.stuttgart.slug, "US"),
    }
    assert rows(filters.ParticipationFilter, {"nation": "sa"}, Participation.objects.all()) == [cast.saudi_at_brussels]
    assert "role" in errors(filters.ParticipationFilter, {"role": "guest"})


def test_it_filters_capability_requests_by_nation_capability_category_and_meeting(cast):
    assert rows(filters.CapabilityRequestFilter, {"nation": "us"}) == [cast.isr, cast.police_request]
    assert rows(filters.CapabilityRequestFilter, {"nation": "fr"}) == []
    assert rows(filters.CapabilityRequestFilter, {"capability": "isr"}) == [cast.isr]
    assert rows(filters.CapabilityRequestFilter, {"category": "police_training"}) == [cast.police_request]
    assert rows(filters.CapabilityRequestFilter, {"meeting": cast.paris.slug}) == []
    assert "capability" in errors(filters.CapabilityRequestFilter, {"capability": "magic"})


def test_it_filters_lines_of_effort_by_lead_partner_and_name(cast):
    assert rows(filters.LineOfEffortFilter, {}) == [cast.campaign_line, cast.police_line]
    assert rows(filters.LineOfEffortFilter, {"partner": "it"}) == [cast.police_line]
    assert rows(filters.LineOfEffortFilter, {"partner": "fr"}) == []
    assert rows(filters.LineOfEffortFilter, {"q": "police"}) == [cast.police_line]
    assert rows(filters.LineOfEffortFilter, {"ordering": "-name"}) == [cast.police_line, cast.campaign_line]
    assert "partner" in errors(filters.LineOfEffortFilter, {"partner": "zz"})


def test_it_filters_line_leads_by_line_and_partner(cast):
    assert rows(filters.LineLeadFilter, {"line": "iraqi-police-training"}) == [cast.italy_leads_police]
    assert rows(filters.LineLeadFilter, {"line": "military-campaign"}) == []
    assert rows(filters.LineLeadFilter, {"partner": "IT"}) == [cast.italy_leads_police]
    assert "line" in errors(filters.LineLeadFilter, {"line": "nowhere"})


def test_it_filters_role_statements_by_partner_role_and_date(cast):
    assert rows(filters.RoleStatementFilter, {"partner": "sa"}) == [cast.saudi_member, cast.saudi_strikes]
    assert rows(filters.RoleStatementFilter, {"role": "military"}) == [cast.saudi_strikes]
    assert rows(filters.RoleStatementFilter, {"as_of_before": "2015-12-31"}) == [cast.saudi_member]
    assert rows(filters.RoleStatementFilter, {"partner": "eu"}) == []
    assert "role" in errors(filters.RoleStatementFilter, {"role": "king"})
    assert "as_of_after" in errors(filters.RoleStatementFilter, {"as_of_after": "11/02/2016"})


def test_every_filterset_is_tested_here():
    filtersets = {
        name for name, value in vars(filters).items() if isinstance(value, type) and name.endswith("Filter")
    } - {"OrderingFilter", "CSVMultipleChoiceFilter", "IsoDateFilter", "RecordFilter", "NationCodeFilter"}
    filtersets -= {"SlugFilter", "IdsFilter", "VerifiedFilter", "AsOfFilter"}  # filters, not FilterSets; tested below
    tested = {"ContributionFilter", "NationFilter", "MeetingFilter", "OfficialFilter", "SourceFilter"}
    tested |= {"CitationFilter", "FigureFilter", "ParticipationFilter", "CapabilityRequestFilter"}
    tested |= {"LineOfEffortFilter", "LineLeadFilter", "RoleStatementFilter", "StatusEventFilter"}
    assert filtersets == tested
    assert {Meeting, Official, Source} <= {f._meta.model for f in map(vars(filters).get, tested)}


def test_it_filters_status_events_by_contribution_status_and_date(cast):
    carrier = cast.carrier
    ended = StatusEvent.objects.create(contribution=carrier, status="ended", date=datetime.date(2016, 6, 1))
    assert rows(filters.StatusEventFilter, {"contribution": str(carrier.pk)}) == [*carrier.events.in_order()]
    assert rows(filters.StatusEventFilter, {"status": "ended"}) == [ended]
    assert rows(filters.StatusEventFilter, {"date_after": "2016-05-10"}) == [ended]
    assert ended not in rows(filters.StatusEventFilter, {"date_before": "2016-05-10"})
    assert carrier.events.first() in rows(filters.StatusEventFilter, {"nation": "fr"})
    assert set(errors(filters.StatusEventFilter, {"date_after": "01/05/2016", "status": "imagined"})) == {
        "date_after",
        "status",
    }


# --- Verified against the archived text -------------------------------------------------------------


@pytest.fixture
def carrier_verified(cast):
    """The Reuters article archived with the words of the carrier's quote, and nothing else the cast cites."""
    SourceText.objects.create(source=cast.reuters, text="BRUSSELS - “Charles de Gaulle carrier deployed.” Then more.")
    assert cast.carrier.citations.get().verified
    return cast


def test_it_filters_contributions_by_whether_a_quote_is_verified(carrier_verified):
    cast = carrier_verified
    assert rows(filters.ContributionFilter, {"verified": "true"}) == [cast.carrier]
    unverified = rows(filters.ContributionFilter, {"verified": "false"})
    assert cast.carrier not in unverified
    assert len(unverified) == Contribution.objects.count() - 1
    assert len(rows(filters.ContributionFilter, {"verified": ""})) == Contribution.objects.count()


def test_it_filters_citations_by_whether_they_are_verified(carrier_verified):
    # The carrier's citation, and its first status event's, which shares those words.
    verified = carrier_verified.carrier.citations.get()
    event = carrier_verified.carrier.events.get().citations.get()
    assert event.shares == verified
    assert set(rows(filters.CitationFilter, {"verified": "1"})) == {verified, event}
    assert len(rows(filters.CitationFilter, {"verified": "0"})) == Citation.objects.count() - 2


@pytest.mark.parametrize("filterset_class", [filters.ContributionFilter, filters.CitationFilter])
def test_a_verified_value_that_is_not_true_or_false_is_an_error(cast, filterset_class):
    assert errors(filterset_class, {"verified": "maybe"}) == {"verified": ["Choose true or false."]}


# --- Partners: countries and organizations --------------------------------------------------------


PARTNER_FILTERSETS = [
    filters.ContributionFilter,
    filters.MeetingFilter,
    filters.OfficialFilter,
    filters.CitationFilter,
    filters.ParticipationFilter,
    filters.CapabilityRequestFilter,
    filters.RoleStatementFilter,
]


def test_the_partner_filter_takes_a_country_code_in_either_case_and_an_organization_slug(cast):
    eu_aid = Contribution.objects.create(
        nation=cast.eu, category="financial", status="pledged", description="Money for stabilisation"
    )
    assert rows(filters.ContributionFilter, {"partner": "eu"}) == [eu_aid]
    assert rows(filters.ContributionFilter, {"partner": "FR"}) == [cast.carrier]
    assert set(rows(filters.ContributionFilter, {"partner": "fr,EU"})) == {cast.carrier, eu_aid}
    # The first name of the filter takes organizations too.
    assert rows(filters.ContributionFilter, {"nation": "eu"}) == [eu_aid]


@pytest.mark.parametrize("filterset_class", PARTNER_FILTERSETS)
def test_every_filter_by_nation_also_answers_to_partner_and_refuses_an_unknown_one(cast, filterset_class):
    assert {"nation", "partner"} <= set(filterset_class.base_filters)
    assert "partner" in errors(filterset_class, {"partner": "atlantis"})
    assert "partner" in errors(filterset_class, {"partner": "zz"})


def test_the_partner_filter_finds_an_organizations_citations_and_role_statements(cast):
    assert [c.quote for c in rows(filters.CitationFilter, {"partner": "eu"})] == ["The European Union is a partner."]
    assert rows(filters.RoleStatementFilter, {"partner": "SA"}) == [cast.saudi_member, cast.saudi_strikes]
    assert rows(filters.RoleStatementFilter, {"role": "military"}) == [cast.saudi_strikes]


def test_it_filters_partners_by_kind(cast):
    assert rows(filters.NationFilter, {"kind": "organization"}) == [cast.eu]
    assert cast.eu not in rows(filters.NationFilter, {"kind": "country"})
    assert "kind" in errors(filters.NationFilter, {"kind": "planet"})


def test_the_partner_facet_counts_organizations_under_either_name_of_the_filter(cast):
    from contributions import queries

    Contribution.objects.create(nation=cast.eu, category="financial", status="pledged", description="Aid")
    for name in ("nation", "partner"):
        filterset = filters.ContributionFilter({name: "eu"})
        assert filterset.is_valid()
        facets = queries.facets(filterset)
        assert facets["nation"]["eu"] == ("European Union", 1)
        assert facets["nation"]["fr"] == ("France", 1)


@pytest.mark.parametrize(
    "filterset_class",
    [
        filters.ContributionFilter,
        filters.NationFilter,
        filters.MeetingFilter,
        filters.OfficialFilter,
        filters.LineOfEffortFilter,
    ],
)
def test_every_list_takes_an_as_of_date_and_refuses_one_out_of_range(cast, filterset_class):
    assert filterset_class({"as_of": "2016-02-11"}, filterset_class._meta.model.objects.all()).is_valid()
    for value in ("2016-02-30", "11/02/2016", "1800-01-01", "2999-01-01"):
        assert "as_of" in errors(filterset_class, {"as_of": value})
