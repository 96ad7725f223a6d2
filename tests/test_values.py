"""No value an editor can save takes a page down, and no value that could is saved (issue 13, findings 7 and 8).

Dates lie in 1990–2100 (a field validator and a named constraint); text has LF line endings and no
other control character; an id in an admin history address that names no record is a 404; a NUL in a
query string is a 400.
"""

import contextlib
import datetime
import io
from decimal import Decimal

import factory as factory_boy
import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from import_export.formats import base_formats
from rest_framework.test import APIClient

from contributions.api.urls import router
from contributions.models import (
    CONTENT_MODELS,
    Citation,
    Contribution,
    Figure,
    LineOfEffort,
    Meeting,
    Nation,
    Official,
    Source,
    StatusEvent,
    Theatre,
)
from contributions.models.choices import NationRole
from contributions.models.fields import CleanTextMixin
from contributions.models.roles import RoleStatement
from contributions.resources import ContributionResource
from contributions.templatetags.tracker import timeline
from tests.factories import (
    CapabilityRequestFactory,
    CitationFactory,
    ContributionFactory,
    FigureFactory,
    LineLeadFactory,
    LineOfEffortFactory,
    MeetingFactory,
    NationFactory,
    OfficialFactory,
    ParticipationFactory,
    SourceFactory,
)


class ConvertedContributionFactory(ContributionFactory):
    """A contribution converted from euros: a rate's date is only stored beside the rest of the conversion."""

    amount = Decimal("1100000.00")
    currency = "USD"
    original_amount = Decimal("1000000.00")
    original_currency = "EUR"
    exchange_rate = Decimal("1.1")
    rate_date = datetime.date(2016, 2, 11)


class StatusEventFactory(factory_boy.django.DjangoModelFactory):
    class Meta:
        model = StatusEvent

    contribution = factory_boy.SubFactory(ContributionFactory)
    status = "delivered"
    date = datetime.date(2016, 2, 11)
    valid_until = datetime.date(2016, 3, 1)


class RoleStatementFactory(factory_boy.django.DjangoModelFactory):
    class Meta:
        model = RoleStatement

    partner = factory_boy.SubFactory(NationFactory)
    role = NationRole.MILITARY
    as_of = datetime.date(2016, 2, 11)


DATE_FIELDS = [
    (SourceFactory, "published", "source_published_in_range"),
    (NationFactory, "joined", "nation_joined_in_range"),
    (OfficialFactory, "tenure_start", "official_tenure_start_in_range"),
    (OfficialFactory, "tenure_end", "official_tenure_end_in_range"),
    (MeetingFactory, "date", "meeting_date_in_range"),
    (MeetingFactory, "end_date", "meeting_end_date_in_range"),
    (FigureFactory, "as_of", "figure_as_of_in_range"),
    (ContributionFactory, "announced", "contribution_announced_in_range"),
    (ContributionFactory, "started", "contribution_started_in_range"),
    (ContributionFactory, "ended", "contribution_ended_in_range"),
    (ConvertedContributionFactory, "rate_date", "contribution_rate_date_in_range"),
    (ContributionFactory, "known_since", "contribution_known_since_in_range"),
    (RoleStatementFactory, "as_of", "role_statement_as_of_in_range"),
    (StatusEventFactory, "date", "status_event_date_in_range"),
    (StatusEventFactory, "valid_until", "status_event_valid_until_in_range"),
    (CapabilityRequestFactory, "announced", "request_announced_in_range"),
]
FACTORIES = [
    SourceFactory,
    NationFactory,
    OfficialFactory,
    MeetingFactory,
    ParticipationFactory,
    FigureFactory,
    ContributionFactory,
    CapabilityRequestFactory,
    CitationFactory,
]
TOO_EARLY = datetime.date(1989, 12, 31)
TOO_LATE = datetime.date(2101, 1, 1)
FIRST_DAY = datetime.date(1990, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


def every_date_field():
    """Each date field of every content model: the list above must leave none out."""
    return {
        (model._meta.model_name, field.name)
        for model in CONTENT_MODELS
        for field in model._meta.fields
        if field.get_internal_type() == "DateField"
    }


def test_the_list_of_date_fields_names_every_date_field_of_every_model():
    listed = {(factory._meta.model._meta.model_name, field) for factory, field, _ in DATE_FIELDS}
    assert listed == every_date_field()


@pytest.mark.parametrize(("factory", "field", "constraint"), DATE_FIELDS)
@pytest.mark.parametrize("value", [TOO_EARLY, TOO_LATE, datetime.date(9999, 12, 31), datetime.date(1, 1, 1)])
def test_it_refuses_a_date_outside_1990_to_2100_with_an_error_on_the_field(db, factory, field, constraint, value):
    record = factory.build() if factory is not NationFactory else factory.build(country="DE")
    setattr(record, field, value)
    with pytest.raises(ValidationError) as raised:
        record.full_clean(validate_unique=False, validate_constraints=False, exclude=related_fields(record))
    assert field in raised.value.message_dict


@pytest.mark.parametrize(("factory", "field", "constraint"), DATE_FIELDS)
@pytest.mark.parametrize("value", [FIRST_DAY, LAST_DAY])
def test_it_accepts_the_first_and_last_day_of_the_range(db, factory, field, constraint, value):
    record = factory()
    if field == "end_date":
        record.date = FIRST_DAY
    if field == "tenure_end":
        record.tenure_start = FIRST_DAY
    setattr(record, field, value)
    record.full_clean()
    record.save()


@pytest.mark.parametrize(("factory", "field", "constraint"), DATE_FIELDS)
@pytest.mark.parametrize("value", [TOO_EARLY, TOO_LATE])
def test_the_database_refuses_a_date_outside_the_range_by_a_named_constraint(db, factory, field, constraint, value):
    if value == TOO_EARLY and field in ("end_date", "tenure_end"):
        pytest.skip("Before its start too: the ordering constraint may be the one named.")
    record = factory()
    setattr(record, field, value)
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        record.save()
    assert constraint in str(raised.value)


def test_the_curated_dataset_lies_inside_the_date_range(curated):
    dates = [
        getattr(record, field)
        for factory, field, _ in DATE_FIELDS
        for record in factory._meta.model.objects.all()
        if getattr(record, field) is not None
    ]
    assert len(dates) > 50
    assert all(FIRST_DAY <= day <= LAST_DAY for day in dates)


def test_an_amount_of_ten_trillion_or_more_is_refused_by_clean_and_by_a_named_constraint(db):
    contribution = ContributionFactory(amount="9999999999999.99", currency="USD")
    contribution.amount = Decimal("10000000000000.00")
    with pytest.raises(ValidationError) as raised:
        contribution.clean()
    assert list(raised.value.message_dict) == ["amount"]
    with pytest.raises(IntegrityError, match="contribution_amount_below_limit"), transaction.atomic():
        contribution.save()


def test_the_api_refuses_a_far_future_meeting_date_naming_the_field(cast, editor):
    client = APIClient()
    client.force_authenticate(editor)
    url = reverse("api:meeting-detail", args=[cast.brussels.slug])
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"date": "9999-12-31"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert Meeting.objects.get(pk=cast.brussels.pk).date == datetime.date(2016, 2, 11)


def test_the_timeline_clamps_dates_outside_the_range_instead_of_failing():
    items = [
        {"date": datetime.date(9999, 12, 31), "css": "late"},
        {"date": datetime.date(1, 1, 1), "css": "early"},
        {"date": datetime.date(2016, 2, 11), "css": "real"},
    ]
    chart = timeline(items, "Over time", [])
    assert chart["years"][0]["label"] == 1990
    assert chart["years"][-1]["label"] == 2100
    assert [marker["x"] for marker in chart["markers"]][0] == "2.000"
    assert all(2.0 <= float(marker["x"]) <= 98.0 for marker in chart["markers"])


# --- Extreme values on every page --------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>&amp;\u202eRTL\u200d👩‍👩‍👧e\u0301\U0001f600 \" ' `{{ x }}{% now %}"


def longest(model, field, text=HOSTILE):
    """The field's full length of hostile text."""
    length = model._meta.get_field(field).max_length or 5000
    return (text * (length // len(text) + 1))[:length]


@pytest.fixture
def extremes(db):
    """One record of every model with the most awkward values the database takes, saved without validation."""
    biggest = 2**31 - 1
    nation = NationFactory(country="ZW", name=longest(Nation, "name"), notes=longest(Nation, "notes"), joined=LAST_DAY)
    other = NationFactory(country="US", name=longest(Nation, "name", "Ünïcödé ") + "", joined=FIRST_DAY)
    source = SourceFactory(
        slug="s" * 120,
        outlet=longest(Source, "outlet"),
        headline=longest(Source, "headline"),
        author=longest(Source, "author"),
        date_note=longest(Source, "date_note"),
        published=LAST_DAY,
        url="https://example.org/" + "%3Cscript%3E" * 30,
    )
    official = OfficialFactory(
        slug="o" * 120,
        name=longest(Official, "name"),
        title=longest(Official, "title"),
        name_variants=longest(Official, "name_variants"),
        spelling_note=longest(Official, "spelling_note"),
        nation=nation,
        tenure_start=FIRST_DAY,
        tenure_end=LAST_DAY,
    )
    meeting = MeetingFactory(
        slug="m" * 120,
        title=longest(Meeting, "title"),
        city=longest(Meeting, "city"),
        venue=longest(Meeting, "venue"),
        description=longest(Meeting, "description"),
        host=nation,
        date=FIRST_DAY,
        end_date=LAST_DAY,
    )
    meeting.officials.add(official)
    early = MeetingFactory(slug="early", date=FIRST_DAY, date_precision="season", host=other)
    # Where the database takes them (it did before the range), the far dates that took pages down.
    for factory, field, _ in DATE_FIELDS:
        with contextlib.suppress(IntegrityError), transaction.atomic():
            far = {"country": "AF"} if factory is NationFactory else {}
            host = {"host": other} if factory is MeetingFactory and field == "date" else {}
            factory(**far, **{field: datetime.date(9999, 12, 31)}, **host)
    participation = ParticipationFactory(meeting=meeting, nation=nation, role="host")
    figures = [
        FigureFactory(
            meeting=meeting, value=biggest, out_of=biggest, qualifier=qualifier, label=longest(Figure, "label")
        )
        for qualifier in ("exact", "about", "more_than", "nearly")
    ]
    figures.append(FigureFactory(meeting=None, metric="other", value=0, out_of=biggest, as_of=LAST_DAY))
    contribution = ContributionFactory(
        nation=nation,
        description=longest(Contribution, "description"),
        quantity=biggest,
        quantity_before=biggest,
        unit="aircraft",
        amount="9999999999999.99",
        currency="USD",
        amount_basis="per_day",
        announced=LAST_DAY,
        announced_precision="season",
        meeting=meeting,
        official=official,
        quantity_qualifier="more_than",
        host=other,
        started=FIRST_DAY,
        started_precision="season",
        ended=LAST_DAY,
        ended_precision="year",
        original_amount="9999999999999.99",
        original_currency="EUR",
        exchange_rate="99999999.999999",
        rate_date=LAST_DAY,
    )
    contribution.theatres.set(Theatre.objects.all())
    line = LineOfEffortFactory(slug="l" * 80, name=longest(LineOfEffort, "name"), description=HOSTILE * 20)
    line.contributions.add(contribution)
    lead = LineLeadFactory(line=line, partner=nation)
    statements = [
        RoleStatementFactory(partner=nation, as_of=LAST_DAY, as_of_precision="season"),
        RoleStatementFactory(partner=other, as_of=FIRST_DAY),
    ]
    ContributionFactory(nation=other, announced=FIRST_DAY, quantity=0, unit="days", amount="0.01", currency="USD")
    request = CapabilityRequestFactory(
        requested_by=nation, official=official, meeting=early, announced=LAST_DAY, description=HOSTILE * 200
    )
    citations = [
        CitationFactory(source=source, quote=longest(Citation, "quote"), note=longest(Citation, "note"), **target)
        for target in (
            {"contribution": contribution},
            {"contribution": None, "nation": nation},
            {"contribution": None, "official": official},
            {"contribution": None, "meeting": meeting},
            {"contribution": None, "participation": participation},
            {"contribution": None, "figure": figures[1]},
            {"contribution": None, "capability_request": request},
        )
    ]
    Contribution.objects.all().reindex()
    return {
        "nation": nation,
        "source": source,
        "official": official,
        "meeting": meeting,
        "contribution": contribution,
        "line": line,
        "records": [
            nation,
            source,
            official,
            meeting,
            participation,
            *figures,
            contribution,
            request,
            *citations,
            line,
            lead,
            *statements,
        ],
    }


def public_pages(records):
    pages = [reverse(name) for name in ("home", "healthz", "matrix")]
    for name in ("nation", "contribution", "meeting", "official", "source", "line"):
        pages.append(reverse(f"{name}-list"))
        pages += [reverse(f"{name}-list") + query for query in ("?format=csv", "?format=json", "?q=%3Cscript%3E")]
        pages.append(records[name].get_absolute_url())
    return pages


def api_pages(records):
    pages = [reverse("api:export"), reverse("api:export") + "?format=zip", reverse("api:export-dictionary")]
    for _prefix, viewset, basename in router.registry:
        pages.append(reverse(f"api:{basename}-list"))
        if basename == "summary":
            continue
        model = viewset.queryset.model
        lookup = viewset.lookup_field if hasattr(viewset, "lookup_field") else "pk"
        for record in model.objects.all():
            key = record.slug if lookup in ("slug", "iso2", "code") else getattr(record, lookup, record.pk)
            pages.append(reverse(f"api:{basename}-detail", args=[key]))
    return pages


def test_no_public_page_or_api_answer_fails_on_the_most_extreme_values(extremes, client):
    failures = []
    for url in [*public_pages(extremes), *api_pages(extremes)]:
        response = client.get(url)
        if response.status_code >= 500 or response.status_code == 404:
            failures.append((url, response.status_code))
        if response.streaming:
            b"".join(response.streaming_content)
    assert failures == []


def test_no_admin_page_fails_on_the_most_extreme_values(extremes, client):
    client.force_login(User.objects.create_superuser("root", password="x"))
    failures = []
    for record in extremes["records"]:
        name = record._meta.model_name
        for url in (
            reverse(f"admin:contributions_{name}_changelist"),
            reverse(f"admin:contributions_{name}_change", args=[record.pk]),
            reverse(f"admin:contributions_{name}_history", args=[record.pk]),
        ):
            response = client.get(url)
            if response.status_code != 200:
                failures.append((url, response.status_code))
    assert failures == []


# --- Finding 8: admin history addresses and NUL bytes -----------------------------------------


@pytest.fixture
def root(db, client):
    user = User.objects.create_superuser("root", password="x")
    client.force_login(user)
    return user


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("tail", ["history/abc/", "history/compare/", "history/1e3/", "history/99999999999999999999/"])
def test_an_admin_history_address_that_names_no_version_is_a_404(root, client, factory, tail):
    record = factory()
    base = reverse(f"admin:contributions_{record._meta.model_name}_change", args=[record.pk]).removesuffix("change/")
    assert client.get(base + tail).status_code == 404
    assert client.get(base.replace(f"/{record.pk}/", "/abc/") + "history/1/").status_code == 404


@pytest.mark.parametrize("factory", FACTORIES)
def test_an_admin_history_address_of_a_real_version_still_shows_it(root, client, factory):
    record = factory()
    version = record.history.latest().history_id
    name = record._meta.model_name
    assert (
        client.get(reverse(f"admin:contributions_{name}_simple_history", args=[record.pk, version])).status_code == 200
    )


NUL_ADDRESSES = [
    "/admin/contributions/citation/?source__outlet=%00",
    "/admin/contributions/contribution/?q=%00",
    "/admin/autocomplete/?app_label=contributions&model_name=citation&field_name=source&term=%00",
    "/contributions/?q=%00",
    "/meetings/?q=a&q=%00",
    "/api/contributions/?search=%00",
    "/api/nations/?%00=1",
]


@pytest.mark.parametrize("url", NUL_ADDRESSES)
def test_a_nul_byte_in_a_query_string_is_a_400_naming_the_parameter(root, client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert b"contains a NUL character" in response.content


# --- Control characters in text -----------------------------------------------------------------


def text_fields():
    return [
        (model, field.name)
        for model in CONTENT_MODELS
        for field in model._meta.fields
        if isinstance(field, CleanTextMixin) and field.editable and not field.choices
    ]


def related_fields(record):
    return [field.name for field in record._meta.fields if field.is_relation]


def test_every_free_text_field_of_every_model_checks_its_characters():
    checked = {(model, name) for model, name in text_fields()}
    plain = {
        (model, field.name)
        for model in CONTENT_MODELS
        for field in model._meta.fields
        if field.get_internal_type() in ("CharField", "TextField") and field.editable and not field.choices
    }
    slugs = {(model, field.name) for model in CONTENT_MODELS for field in model._meta.fields if field.name == "slug"}
    assert plain - slugs <= checked
    assert len(checked) >= 20


@pytest.mark.parametrize(("model", "field"), text_fields(), ids=lambda value: getattr(value, "__name__", value))
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x9b", "\ud800"])
def test_a_control_character_in_any_text_field_is_refused_naming_the_field(db, model, field, char):
    record = model()
    setattr(record, field, f"text{char}more")
    with pytest.raises(ValidationError) as raised:
        record.clean_fields(exclude=[f.name for f in model._meta.fields if f.name != field])
    assert list(raised.value.message_dict) == [field]
    assert f"U+{ord(char):04X}" in raised.value.message_dict[field][0]


def test_line_endings_of_every_kind_become_lf_when_cleaned(db):
    record = ContributionFactory.build(description="one\r\ntwo\rthree\x0cfour\u2028five\tsix\n")
    record.full_clean(exclude=related_fields(record), validate_constraints=False)
    assert record.description == "one\ntwo\nthree\nfour\nfive\tsix\n"


def test_a_save_without_validation_normalises_line_endings_and_refuses_control_characters(db):
    contribution = ContributionFactory(description="a\r\nb\rc")
    contribution.refresh_from_db()
    assert contribution.description == "a\nb\nc"
    contribution.description = "a\x01b"
    # The error leaves the transaction to roll back, as any failed save does: nothing half-saved.
    with pytest.raises(ValidationError) as raised, transaction.atomic():
        contribution.save()
    assert list(raised.value.message_dict) == ["description"]
    contribution.refresh_from_db()
    assert contribution.description == "a\nb\nc"


def test_the_api_refuses_a_control_character_naming_the_field_and_normalises_line_endings(cast, editor):
    client = APIClient()
    client.force_authenticate(editor)
    record = cast["brussels"]
    url = reverse("api:meeting-detail", args=[record.slug])
    etag = client.get(url)["ETag"]
    refused = client.patch(url, {"description": "bad\x01"}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 400
    assert list(refused.json()) == ["description"]
    accepted = client.patch(url, {"description": "one\r\ntwo\x0cthree"}, format="json", HTTP_IF_MATCH=etag)
    assert accepted.status_code == 200
    assert accepted.json()["description"] == "one\ntwo\nthree"
    record.refresh_from_db()
    assert record.description == "one\ntwo\nthree"


def test_an_import_refuses_a_control_character_naming_the_field(cast):
    resource = ContributionResource()
    dataset = resource.export(Contribution.objects.filter(pk=cast["carrier"].pk))
    row = list(dataset[0])
    row[dataset.headers.index("description")] = "bad\x01"
    dataset[0] = tuple(row)
    result = resource.import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    assert "description" in result.invalid_rows[0].error_dict
    assert Contribution.objects.get(pk=cast["carrier"].pk).description == "Charles de Gaulle carrier deployed"


def test_the_xlsx_export_works_because_no_control_character_can_be_saved(cast):
    contribution = cast["carrier"]
    for char in ("\x01", "\x0b\x08", "\x1f"):
        contribution.description = f"Carrier{char}"
        with pytest.raises(ValidationError), transaction.atomic():
            contribution.save()
    contribution.description = "Carrier\r\ndeployed\x0c"
    contribution.save()
    exported = base_formats.XLSX().export_data(ContributionResource().export(Contribution.objects.all()))
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    cells = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "Carrier\ndeployed\n" in cells


def test_the_timeline_fits_its_data_with_year_ticks_on_the_first_of_january():
    items = [{"date": datetime.date(2015, 11, 23), "css": "a"}, {"date": datetime.date(2016, 7, 20), "css": "b"}]
    chart = timeline(items, "Over time", [])
    # The axis runs from 1 November 2015 to 1 August 2016: the first marker near the left edge.
    assert float(chart["markers"][0]["x"]) < 15
    assert float(chart["markers"][-1]["x"]) > 85
    labels = {year["label"]: year for year in chart["years"]}
    assert labels[2015]["edge"] and labels[2015]["anchor"] == "start"
    # 1 January 2016 lies 61 of the axis's 274 days in.
    assert labels[2016]["x"] == f"{2 + 96 * 61 / 274:.3f}" and labels[2016]["anchor"] == "middle"
