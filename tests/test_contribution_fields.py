"""Issue 14's fields on contributions: theatres, host, start and end dates, the quantity qualifier shared
with figures, money in its original currency, and the wider capability and unit vocabularies."""

import datetime
from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from contributions import queries, tables
from contributions.filters import ContributionFilter
from contributions.management.commands.load_curated import FIXTURES
from contributions.models import Contribution, Figure, Qualifier, Theatre, format_date
from contributions.models.choices import CAPABILITY_DEFINITIONS, UNIT_DEFINITIONS, Capability, Unit, format_quantity
from contributions.resources import ContributionResource
from tests.factories import ContributionFactory, SourceFactory
from tests.test_api import API, token_client


@pytest.fixture
def editor_api(editor):
    return token_client(editor)


def filtered(params):
    return ContributionFilter(params, queryset=Contribution.objects.all())


# --- Vocabularies and display ----------------------------------------------------------------------


def test_every_capability_and_unit_has_a_definition():
    assert set(CAPABILITY_DEFINITIONS) == set(Capability.values)
    assert set(UNIT_DEFINITIONS) == set(Unit.values)


def test_the_data_dictionary_gives_each_capability_its_definition():
    column = tables.CONTRIBUTIONS.column("capability").describe()
    drones = next(value for value in column["allowed_values"] if value["value"] == "remotely_piloted_aircraft")
    assert drones["definition"] == CAPABILITY_DEFINITIONS[Capability.REMOTELY_PILOTED_AIRCRAFT]


@pytest.mark.parametrize(
    ("quantity", "qualifier", "shown"),
    [
        (1830, "about", "about 1,830 personnel"),
        (1000, "more_than", "more than 1,000 personnel"),
        (100, "several", "several hundred personnel"),
        (4000, "up_to", "up to 4,000 personnel"),
        (1830, "exact", "1,830 personnel"),
    ],
)
def test_a_quantity_is_shown_with_its_qualifier(quantity, qualifier, shown):
    assert format_quantity(quantity, qualifier, "personnel") == shown


def test_a_change_is_shown_with_its_level_before_and_no_change_without_an_arrow():
    assert format_quantity(38, "exact", "aircraft", before=12) == "12 → 38 aircraft"
    # As of a date before the change the quantity then is the level before.
    assert format_quantity(12, "exact", "aircraft", before=12) == "12 aircraft"


def test_a_year_the_source_does_not_print_is_shown_as_inferred():
    assert format_date(datetime.date(2015, 10, 19), "day", year_inferred=True) == "19 October [2015, year inferred]"


def test_figures_and_contributions_share_one_qualifier_vocabulary():
    assert Figure._meta.get_field("qualifier").choices == Contribution._meta.get_field("quantity_qualifier").choices
    assert {"up_to", "several"} <= set(Qualifier.values)


# --- Integrity -------------------------------------------------------------------------------------


def test_it_refuses_an_end_before_the_start(cast):
    contribution = cast.carrier
    contribution.started, contribution.ended = datetime.date(2016, 1, 1), datetime.date(2015, 1, 1)
    with pytest.raises(ValidationError) as error:
        contribution.full_clean()
    assert "ended" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(started="2016-01-01", ended="2015-01-01")


def test_an_original_amount_needs_its_currency_rate_and_date(cast):
    money = cast.money
    money.original_amount = Decimal("900000")
    with pytest.raises(ValidationError) as error:
        money.full_clean()
    assert {"original_currency", "exchange_rate", "rate_date"} <= set(error.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=money.pk).update(original_amount=900000)


def test_it_refuses_an_unknown_currency_and_a_rate_of_zero(cast):
    for column, value in (("original_currency", "XXX"), ("exchange_rate", 0)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Contribution.objects.filter(pk=cast.money.pk).update(
                **{"original_amount": 900000, "original_currency": "EUR", "exchange_rate": 1, "rate_date": "2016-02-11"}
                | {column: value}
            )


# --- Filters, facets and the matrix ----------------------------------------------------------------


def test_it_filters_contributions_by_theatre(cast):
    assert set(filtered({"theatre": "syria"}).qs) == {cast.uk_strikes}
    # Several values: each contribution once, even one in both.
    assert list(filtered({"theatre": "iraq,syria"}).qs).count(cast.uk_strikes) == 1
    assert set(filtered({"theatre": "iraq,syria"}).qs) == {cast.uk_strikes, cast.carrier, cast.peshmerga_trainers}


def test_it_filters_contributions_by_host(cast):
    assert set(filtered({"host": "ae"}).qs) == {cast.cf18s}
    assert set(filtered({"host": "IQ,ae"}).qs) == {cast.cf18s, cast.peshmerga_trainers}


@pytest.mark.parametrize(("name", "value"), [("theatre", "mars"), ("host", "zz")])
def test_an_unknown_theatre_or_host_is_an_error_naming_the_parameter(cast, name, value):
    filterset = filtered({name: value})
    assert not filterset.is_valid()
    assert name in filterset.errors


@pytest.mark.parametrize(
    ("url", "field"), [("/contributions/?theatre=mars", "Theatre"), ("/contributions/?host=zz", "Host")]
)
def test_the_list_answers_400_for_an_unknown_theatre_or_host(client, cast, url, field):
    response = client.get(url)
    assert response.status_code == 400
    assert field in response.content.decode()


def test_the_theatre_facet_counts_each_theatre_and_the_unstated(cast):
    counts = queries.theatre_counts(Contribution.objects.all())
    assert counts["iraq"] == 3
    assert counts["syria"] == 1
    assert counts["region"] == 1
    assert counts[""] == Contribution.objects.filter(theatres=None).count()


def test_the_matrix_split_by_theatre_counts_a_contribution_under_each_of_its_theatres(cast):
    cells = queries.matrix_cells("theatre")
    assert cells[(cast.uk.pk, "iraq", "military")]["total"] == 1
    assert cells[(cast.uk.pk, "syria", "military")]["total"] == 1
    assert cells[(cast.japan.pk, "", "financial")]["total"] == 1


def test_the_matrix_page_splits_by_theatre_and_refuses_another_split(client, cast):
    page = client.get("/matrix/?split=theatre").content.decode()
    assert "Theatre not stated" in page
    assert 'href="/contributions/?nation=gb&amp;theatre=syria&amp;category=military"' in page
    assert client.get("/matrix/?split=weather").status_code == 400


def test_pages_show_theatres_host_and_the_qualified_quantity(client, cast):
    detail = client.get(cast.peshmerga_trainers.get_absolute_url()).content.decode()
    assert "about 150 personnel" in detail
    cf18s = client.get(cast.cf18s.get_absolute_url()).content.decode()
    assert "United Arab Emirates" in cf18s
    profile = client.get("/nations/ae/").content.decode()
    assert "Hosts" in profile and "Withdrawal of CF-18 fighter jets" in profile
    strikes = client.get(cast.uk_strikes.get_absolute_url()).content.decode()
    assert "Iraq</a>, <a" in strikes and "Syria" in strikes


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_reads_the_new_fields(client, cast):
    body = client.get(f"{API}/contributions/{cast.uk_strikes.pk}/").json()
    assert body["theatres"] == ["iraq", "syria"]
    assert body["quantity_qualifier"] == "exact"
    assert client.get(f"{API}/contributions/{cast.cf18s.pk}/").json()["host"]["code"] == "AE"
    assert (
        client.get(f"{API}/contributions/{cast.peshmerga_trainers.pk}/").json()["quantity_display"]
        == "about 150 personnel"
    )


def test_the_api_writes_every_new_field(editor_api, cast):
    body = {
        "nation": "it",
        "category": "financial",
        "capability": "funding",
        "status": "pledged",
        "description": "Aid given in euros",
        "quantity": 1830,
        "quantity_qualifier": "about",
        "unit": "personnel",
        "amount": "1110000.00",
        "currency": "USD",
        "original_amount": "1000000.00",
        "original_currency": "EUR",
        "exchange_rate": "1.110000",
        "rate_date": "2016-02-11",
        "theatres": ["iraq", "home"],
        "host": "ae",
        "started": "2016-03-01",
        "started_precision": "month",
        "ended": "2016-12-31",
        "ended_precision": "day",
        "announced": "2016-10-19",
        "announced_year_inferred": True,
    }
    response = editor_api.post(f"{API}/contributions/", body, format="json")
    assert response.status_code == 201, response.content
    created = Contribution.objects.get(pk=response.json()["id"])
    assert set(created.theatres.values_list("code", flat=True)) == {"iraq", "home"}
    assert (created.host, created.original_currency, created.quantity_qualifier) == (cast.uae, "EUR", "about")
    assert created.announced_display == "19 October [2016, year inferred]"
    patched = editor_api.patch(f"{API}/contributions/{created.pk}/", {"theatres": ["syria"]}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["theatres"] == ["syria"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"theatres": ["mars"]}, "theatres"),
        ({"host": "zz"}, "host"),
        ({"quantity_qualifier": "roughly"}, "quantity_qualifier"),
        (
            {"original_currency": "XXX", "original_amount": "1", "exchange_rate": "1", "rate_date": "2016-01-01"},
            "original_currency",
        ),
        ({"original_amount": "1.00"}, "original_currency"),
        ({"started": "2016-02-01", "ended": "2016-01-01"}, "ended"),
        (
            {"original_currency": "EUR", "original_amount": "1", "exchange_rate": "0", "rate_date": "2016-01-01"},
            "exchange_rate",
        ),
    ],
)
def test_the_api_refuses_a_bad_new_field_with_a_400_naming_it(editor_api, cast, changes, field):
    url = f"{API}/contributions/{cast.money.pk}/"
    response = editor_api.patch(url, changes, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    cast.money.refresh_from_db()
    assert cast.money.original_amount is None and not cast.money.theatres.exists()


def test_the_csv_download_carries_the_new_columns(client, cast):
    response = client.get("/contributions/?format=csv&host=ae")
    text = b"".join(response.streaming_content).decode()
    header, row = text.splitlines()[:2]
    for column in ("quantity_qualifier", "quantity_display", "theatres", "host_code", "started", "original_currency"):
        assert column in header.split(",")
    assert ",AE," in row


def test_the_export_writes_theatres_joined_in_the_vocabulary_order(cast):
    row = tables.CONTRIBUTIONS.row(Contribution.objects.with_related().get(pk=cast.carrier.pk))
    assert row["theatres"] == "iraq;region"


# --- The import ------------------------------------------------------------------------------------


def import_rows(headers, *rows):
    dataset = tablib.Dataset(*rows, headers=headers)
    return ContributionResource().import_data(dataset, dry_run=False)


HEADERS = [
    "nation_code",
    "category",
    "capability",
    "status",
    "description",
    "quantity",
    "quantity_qualifier",
    "unit",
    "theatres",
    "host_code",
    "started",
    "started_precision",
    "amount",
    "currency",
    "original_amount",
    "original_currency",
    "exchange_rate",
    "rate_date",
    "source",
    "quote",
]


def test_a_row_with_every_new_field_imports(cast):
    source = SourceFactory(slug="australia")
    rows = [
        (
            "us",
            "military",
            "ground_troops",
            "delivered",
            "US soldiers",
            "1830",
            "about",
            "personnel",
            "iraq",
            "",
            "2016-04-01",
            "month",
            "",
            "",
            "",
            "",
            "",
            "",
            source.slug,
            "around 1,830 soldiers",
        ),
        (
            "ca",
            "military",
            "aircraft",
            "delivered",
            "F/A-18s based in the UAE flying in Iraq",
            "8",
            "exact",
            "aircraft",
            "iraq;region",
            "ae",
            "",
            "day",
            "1110000.00",
            "USD",
            "1000000.00",
            "EUR",
            "1.11",
            "2016-02-11",
            source.slug,
            "eight F/A-18s",
        ),
    ]
    result = import_rows(HEADERS, *rows)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    soldiers = Contribution.objects.get(description="US soldiers")
    assert soldiers.quantity_display == "about 1,830 personnel"
    assert soldiers.started == datetime.date(2016, 4, 1)
    jets = Contribution.objects.get(description__startswith="F/A-18s")
    assert (jets.host, jets.original_currency) == (cast.uae, "EUR")
    assert set(jets.theatres.values_list("code", flat=True)) == {"iraq", "region"}


def test_an_unknown_theatre_in_an_import_is_an_error_on_its_column(cast):
    row = (
        "us",
        "military",
        "",
        "delivered",
        "Soldiers",
        "",
        "exact",
        "",
        "iraq;mars",
        "",
        "",
        "day",
        "",
        "",
        "",
        "",
        "",
        "",
        "src",
        "q",
    )
    SourceFactory(slug="src")
    result = import_rows(HEADERS, row)
    assert result.has_validation_errors()
    assert "theatres" in result.invalid_rows[0].field_specific_errors
    assert not Contribution.objects.filter(description="Soldiers").exists()


# --- The migration ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_contributions_and_figures():
    executor = MigrationExecutor(connection)
    old = [("contributions", "0011_meeting_series")]
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    nation = apps.get_model("contributions", "Nation").objects.create(country="FR", name="France", role="military")
    apps.get_model("contributions", "Contribution").objects.create(
        nation=nation, category="military", status="delivered", description="Carrier", quantity=1, unit="ships"
    )
    apps.get_model("contributions", "Figure").objects.create(metric="other", qualifier="about", value=5, label="x")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    latest = executor.loader.graph.leaf_nodes("contributions")
    executor.migrate(latest)
    apps = executor.loader.project_state(latest).apps
    carried = apps.get_model("contributions", "Contribution").objects.get()
    assert (carried.description, carried.quantity, carried.quantity_qualifier) == ("Carrier", 1, "exact")
    assert carried.host is None and not carried.theatres.exists() and carried.original_currency == ""
    assert apps.get_model("contributions", "Figure").objects.get().qualifier == "about"
    assert set(apps.get_model("contributions", "Theatre").objects.values_list("code", flat=True)) == {
        "iraq",
        "syria",
        "region",
        "home",
    }
    assert Theatre.objects.count() == 4


# --- The curated data ------------------------------------------------------------------------------


def test_the_curated_data_places_contributions_in_their_theatres(db):
    call_command("loaddata", *FIXTURES, verbosity=0)
    french_strikes = Contribution.objects.get(nation__country="FR", capability="air_strikes")
    assert list(french_strikes.theatres.values_list("code", flat=True)) == ["syria"]
    assert any("especially in Syria" in citation.quote for citation in french_strikes.citations.all())
    carrier = Contribution.objects.get(capability="aircraft_carrier")
    assert set(carrier.theatres.values_list("code", flat=True)) == {"iraq", "region"}
    spending = Contribution.objects.get(nation__country="US", started__isnull=False)
    assert spending.started_display == "8 August 2014"


def test_the_host_facet_keys_partners_as_the_host_filter_takes_them_organizations_included(cast):
    ContributionFactory(nation=cast.germany, category="training", status="delivered", host=cast.eu)
    filterset = ContributionFilter({}, queryset=Contribution.objects.all())
    assert filterset.is_valid()
    hosts = queries.host_facet(filterset)
    assert hosts["eu"] == ("European Union", 1) and hosts["ae"][0] == "United Arab Emirates"
    assert ContributionFilter({"host": ",".join(hosts)}, queryset=Contribution.objects.all()).is_valid()
