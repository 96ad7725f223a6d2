"""The database itself rejects bad rows: constraints are tested with raw saves, not forms."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from contributions.models import Citation, Contribution, DatePrecision, Figure, Meeting, Nation, format_date
from tests.factories import (
    CitationFactory,
    ContributionFactory,
    FigureFactory,
    MeetingFactory,
    NationFactory,
    OfficialFactory,
    ParticipationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def rejected_by_database(save):
    """True when the database refuses the write; the transaction keeps the test usable afterwards."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "fields",
    [
        {"quantity": -1, "unit": "aircraft"},
        {"quantity_before": -3, "quantity": 5, "unit": "aircraft"},
        {"quantity_before": 12},
        {"quantity": 38},
        {"amount": "-5.00", "currency": "USD"},
        {"amount": "5.00"},
        {"currency": "USD"},
        {"amount": "5.00", "currency": "EUR"},
        {"category": "espionage"},
        {"status": "maybe"},
        {"capability": "laser"},
        {"capability": "campaign_cost", "category": "military"},
    ],
    ids=[
        "negative quantity",
        "negative earlier quantity",
        "earlier quantity without quantity",
        "quantity without unit",
        "negative amount",
        "amount without currency",
        "currency without amount",
        "non-USD currency",
        "unknown category",
        "unknown status",
        "unknown capability",
        "spending outside Financial",
    ],
)
def test_the_database_rejects_an_invalid_contribution(fields):
    contribution = ContributionFactory.build(nation=NationFactory(), **fields)
    assert rejected_by_database(contribution.save)
    assert Contribution.objects.count() == 0


def test_the_database_accepts_a_complete_contribution():
    contribution = ContributionFactory(
        quantity=38, quantity_before=12, unit="aircraft", amount="5400000000.00", currency="USD"
    )
    contribution.full_clean()
    assert Contribution.objects.get().quantity == 38


def test_a_nation_is_unique_by_country():
    NationFactory(country="FR")
    assert rejected_by_database(lambda: Nation.objects.create(country="FR", role="military"))


def test_a_nation_takes_its_iso_name_and_a_lower_case_slug():
    nation = Nation.objects.create(country="NO", role="military")
    assert nation.name == "Norway"
    assert nation.slug == "no"
    assert nation.get_absolute_url() == "/partners/no/"


def test_meeting_and_official_slugs_are_unique():
    MeetingFactory(slug="brussels")
    OfficialFactory(slug="carter")
    assert rejected_by_database(lambda: MeetingFactory(slug="brussels"))
    assert rejected_by_database(lambda: OfficialFactory(slug="carter"))


def test_a_nation_takes_one_part_in_a_meeting():
    participation = ParticipationFactory()
    assert rejected_by_database(
        lambda: ParticipationFactory(meeting=participation.meeting, nation=participation.nation)
    )


def test_an_official_tenure_cannot_end_before_it_starts():
    official = OfficialFactory.build(
        nation=NationFactory(), tenure_start=datetime.date(2015, 1, 1), tenure_end=datetime.date(2014, 1, 1)
    )
    assert rejected_by_database(official.save)


@pytest.mark.parametrize(
    "fields",
    [{"value": -1}, {"value": 66, "out_of": 65}, {"metric": "vibes"}],
    ids=["negative", "part>whole", "metric"],
)
def test_the_database_rejects_an_invalid_figure(fields):
    figure = FigureFactory.build(meeting=MeetingFactory(), **fields)
    assert rejected_by_database(figure.save)


def test_a_citation_must_support_exactly_one_record():
    source = SourceFactory()
    contribution = ContributionFactory()
    assert rejected_by_database(lambda: Citation.objects.create(source=source, quote="Orphan"))
    assert rejected_by_database(
        lambda: Citation.objects.create(
            source=source, quote="Two", contribution=contribution, nation=contribution.nation
        )
    )
    assert rejected_by_database(lambda: Citation.objects.create(source=source, quote="", contribution=contribution))
    Citation.objects.create(source=source, quote="One", contribution=contribution)


def test_a_cited_source_cannot_be_deleted():
    citation = CitationFactory()
    with pytest.raises(ProtectedError):
        citation.source.delete()


def test_a_nation_with_contributions_cannot_be_deleted():
    contribution = ContributionFactory()
    with pytest.raises(ProtectedError):
        contribution.nation.delete()


def test_clean_names_the_field_at_fault():
    contribution = ContributionFactory.build(nation=NationFactory(), amount="10.00")
    with pytest.raises(ValidationError) as error:
        contribution.full_clean()
    assert "currency" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("quantity", "Quantity cannot be negative."),
        ("quantity_before", "The earlier quantity cannot be negative."),
        ("amount", "Amount cannot be negative."),
    ],
)
def test_clean_puts_a_negative_number_error_on_its_field(field, message):
    fields = {"quantity": 5, "quantity_before": 1, "unit": "aircraft", "amount": Decimal("1.00"), "currency": "USD"}
    fields[field] = -1
    contribution = ContributionFactory.build(nation=NationFactory(), **fields)
    with pytest.raises(ValidationError) as error:
        contribution.clean()
    assert error.value.message_dict[field] == [message]


def test_clean_puts_figure_errors_on_their_fields():
    with pytest.raises(ValidationError) as error:
        FigureFactory.build(meeting=None, value=-1).clean()
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        FigureFactory.build(meeting=None, value=66, out_of=65).clean()
    assert "out_of" in error.value.message_dict


def test_a_meeting_with_attendance_figures_cannot_become_planned():
    figure = FigureFactory(metric="countries_represented")
    meeting = figure.meeting
    meeting.status = Meeting.Status.PLANNED
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert "status" in error.value.message_dict


def test_a_new_planned_meeting_rejects_an_attendance_figure_before_either_is_saved():
    planned = MeetingFactory.build(status=Meeting.Status.PLANNED)
    with pytest.raises(ValidationError):
        Figure(meeting=planned, metric="countries_represented", value=3, label="x").clean()


def test_a_planned_meeting_has_no_attendance_figures():
    planned = MeetingFactory(status=Meeting.Status.PLANNED)
    with pytest.raises(ValidationError) as error:
        FigureFactory.build(meeting=planned, metric="countries_represented").full_clean()
    assert "metric" in error.value.message_dict
    FigureFactory.build(meeting=planned, metric="countries_invited", value=26).full_clean()


def test_figures_that_disagree_about_the_same_thing_are_disputed():
    brussels = MeetingFactory()
    FigureFactory(meeting=brussels, metric="countries_represented", value=49)
    FigureFactory(meeting=brussels, metric="countries_represented", value=27)
    FigureFactory(meeting=brussels, metric="countries_invited", value=26)
    FigureFactory(meeting=None, metric="coalition_members", value=65)
    FigureFactory(meeting=None, metric="coalition_members", value=65)
    disputed = {(f.metric, f.value): f.disputed for f in Figure.objects.with_disputes()}
    assert disputed == {
        ("countries_represented", 49): True,
        ("countries_represented", 27): True,
        ("countries_invited", 26): False,
        ("coalition_members", 65): False,
    }


def test_a_bound_that_an_exact_figure_satisfies_is_no_dispute():
    brussels = MeetingFactory()
    FigureFactory(meeting=brussels, value=24, qualifier="more_than")
    FigureFactory(meeting=brussels, value=27)
    FigureFactory(meeting=brussels, value=49)
    FigureFactory(meeting=brussels, value=22, qualifier="nearly", metric="military_participants")
    FigureFactory(meeting=brussels, value=28, metric="military_participants")
    disputed = {(f.metric, f.qualifier, f.value): f.disputed for f in Figure.objects.with_disputes()}
    assert disputed == {
        ("countries_represented", "more_than", 24): False,
        ("countries_represented", "exact", 27): True,
        ("countries_represented", "exact", 49): True,
        # "Nearly 22" means fewer than 22: 28 cannot be true with it.
        ("military_participants", "nearly", 22): True,
        ("military_participants", "exact", 28): True,
    }


def test_other_figures_are_compared_only_when_they_count_the_same_thing():
    meeting = MeetingFactory()
    FigureFactory(meeting=meeting, metric="other", value=3, label="aircraft carriers")
    FigureFactory(meeting=meeting, metric="other", value=40, label="ministers speaking")
    FigureFactory(meeting=meeting, metric="other", value=4, label="aircraft carriers")
    disputed = {(f.label, f.value): f.disputed for f in Figure.objects.with_disputes()}
    assert disputed == {
        ("aircraft carriers", 3): True,
        ("ministers speaking", 40): False,
        ("aircraft carriers", 4): True,
    }


def test_nations_with_counts_keep_their_order_and_count_contributions():
    ContributionFactory(nation=NationFactory(country="IT"))
    ContributionFactory(nation=NationFactory(country="IT"))
    NationFactory(country="AU")
    assert [(n.name, n.contribution_count) for n in Nation.objects.with_counts()] == [("Australia", 0), ("Italy", 2)]


def test_a_meeting_cannot_end_before_it_begins():
    meeting = MeetingFactory.build(date=datetime.date(2016, 2, 11), end_date=datetime.date(2016, 2, 10))
    assert rejected_by_database(meeting.save)


def test_a_meeting_over_two_days_shows_its_range():
    meeting = MeetingFactory.build(date=datetime.date(2016, 2, 10), end_date=datetime.date(2016, 2, 11))
    assert meeting.date_display == "10–11 February 2016"
    meeting.end_date = datetime.date(2016, 3, 1)
    assert meeting.date_display == "10 February 2016 – 1 March 2016"


def test_an_official_tenure_is_shown_at_its_precision():
    official = OfficialFactory.build(
        tenure_start=datetime.date(2012, 1, 1),
        tenure_start_precision="year",
        tenure_end=datetime.date(2015, 11, 1),
        tenure_end_precision="month",
    )
    assert official.tenure_display == "2012 – November 2015"


def test_the_contribution_search_covers_descriptions_and_quotes():
    by_description = ContributionFactory(description="Charles de Gaulle carrier")
    by_quote = CitationFactory(quote="tripled French air power").contribution
    ContributionFactory(description="Unrelated")
    assert set(Contribution.objects.search("carrier")) == {by_description}
    assert set(Contribution.objects.search("AIR POWER")) == {by_quote}


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (DatePrecision.DAY, "11 February 2016"),
        (DatePrecision.MONTH, "February 2016"),
        (DatePrecision.SEASON, "Winter 2016"),
        (DatePrecision.YEAR, "2016"),
    ],
)
def test_dates_are_shown_no_more_precisely_than_the_sources_give_them(precision, expected):
    assert format_date(datetime.date(2016, 2, 11), precision) == expected


def test_every_model_links_to_its_page():
    citation = CitationFactory()
    assert citation.contribution.get_absolute_url() == f"/contributions/{citation.contribution.pk}/"
    assert citation.get_absolute_url() == f"/contributions/{citation.contribution.pk}/#citation-{citation.pk}"
    assert citation.source.get_absolute_url() == f"/sources/{citation.source.slug}/"
