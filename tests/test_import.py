"""Bulk import through the admin: a preview first, nothing saved from a file with a bad row, export = import."""

import csv
import datetime
import io

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from contributions.models import Citation, Contribution, Nation
from contributions.resources import CitationResource, ContributionResource, NationResource
from tests.factories import SourceFactory
from tests.test_admin import admin_url

CSV, XLSX = "0", "1"  # positions in the admin's format list
HEADER = "id,nation_code,category,capability,status,description,quantity,unit,amount,currency,announced,source,quote"


@pytest.fixture(autouse=True)
def source(db):
    return SourceFactory(slug="src")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def upload(client, model, content, name="contributions.csv", file_format=CSV):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        admin_url(model, "import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, data)},
    )


def confirm(client, model, preview):
    """Press "Confirm import" on the preview page."""
    form = preview.context["confirm_form"]
    return client.post(admin_url(model, "process_import"), {name: form[name].value() for name in form.fields})


def test_a_file_with_one_bad_row_imports_nothing_and_says_which_row_and_why(editor_client, cast):
    before = Contribution.objects.count()
    content = "\n".join(
        [
            HEADER,
            ",FR,military,aircraft,pledged,Six Rafale jets,6,aircraft,,,2016-02-11,src,It said so.",
            ",IT,financial,funding,pledged,Money without a currency,,,5000000,,2016-02-11,src,It said so.",
            ",XX,military,aircraft,pledged,A nation that does not exist,,,,,2016-02-11,src,It said so.",
            ",FR,financial,funding,pledged,Typed by hand,,,lots,USD,11/02/2016,src,It said so.",
            ",FR,military,aircraft,pledged,Two more jets,2,aircraft,,,2016-02-11,src,It said so.",
        ]
    )
    response = upload(editor_client, "contribution", content)
    assert response.status_code == 200
    assert "confirm_form" not in response.context  # no way to go on with this file

    invalid = {row.number: row for row in response.context["result"].invalid_rows}
    assert sorted(invalid) == [2, 3, 4]
    assert invalid[2].field_specific_errors["currency"] == ["An amount needs a currency."]
    assert invalid[3].field_specific_errors["nation_code"] == ["No partner with ISO code or slug “XX”."]
    assert "“lots” is not a number." in invalid[4].field_specific_errors["amount"]
    assert "write it as YYYY-MM-DD" in invalid[4].field_specific_errors["announced"][0]
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "An amount needs a currency." in page
    assert Contribution.objects.count() == before


@pytest.mark.parametrize(
    ("header", "cells", "named"),
    [
        ("nation_code", "XX", "nation_code"),
        ("partner", "XX", "partner"),
        ("nation_code,partner", ",XX", "partner"),
        ("nation_code,partner", "XX,", "nation_code"),
    ],
)
def test_an_unknown_partner_is_named_on_the_column_the_row_wrote_it_in(editor_client, cast, header, cells, named):
    # nation_code and partner both set the contribution's partner; the error goes where the editor typed.
    content = f"{header},category,status,description,source,quote\n{cells},military,pledged,Jets,src,It said so.\n"
    (invalid,) = upload(editor_client, "contribution", content).context["result"].invalid_rows
    assert invalid.field_specific_errors == {named: ["No partner with ISO code or slug “XX”."]}


def test_the_resource_itself_saves_nothing_when_a_row_is_invalid(cast):
    # The path `manage.py import` takes: no preview, so the resource must refuse on its own.
    dataset = tablib.Dataset(headers=["nation_code", "category", "status", "description", "quantity", "unit"])
    dataset.append(["FR", "military", "pledged", "Good row", "6", "aircraft"])
    dataset.append(["FR", "military", "pledged", "Negative row", "-6", "aircraft"])
    result = ContributionResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not Contribution.objects.filter(description="Good row").exists()


def test_a_good_file_is_previewed_then_imported_on_confirmation(editor_client, editor, cast):
    content = "\n".join(
        [
            HEADER,
            ",fr,military,aircraft,pledged,Six Rafale jets,6,aircraft,,,2016-02-11,src,It said so.",
            f"{cast['police'].pk},IT,police_training,police_trainers,pledged,Leads training of Iraqi police,,,,,,,",
        ]
    )
    preview = upload(editor_client, "contribution", content)
    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert [row.import_type for row in preview.context["result"].valid_rows()] == ["new", "update"]
    assert not Contribution.objects.filter(description="Six Rafale jets").exists()  # a preview saves nothing

    response = confirm(editor_client, "contribution", preview)
    assert response.status_code == 302
    jets = Contribution.objects.get(description="Six Rafale jets")
    assert (jets.nation, jets.quantity, jets.unit) == (cast["france"], 6, "aircraft")
    cast["police"].refresh_from_db()
    assert cast["police"].status == "pledged"
    assert jets.history.get().history_user == editor
    assert jets.history.get().history_change_reason == "Imported from contributions.csv"


def test_an_xlsx_file_imports(editor_client, cast):
    # As Excel saves it: numbers and dates are typed cells, not text.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([None, "IT", "financial", "funding", "pledged", "Ten million dollars", None, None, 10000000, "USD"])
    sheet.append([None, "FR", "military", "aircraft", "pledged", "Six jets", 6, "aircraft", None, None])
    sheet["L2"] = sheet["L3"] = "src"
    sheet["M2"] = sheet["M3"] = "It said so."
    sheet["K2"] = sheet["K3"] = datetime.date(2016, 2, 11)
    content = io.BytesIO()
    workbook.save(content)

    preview = upload(editor_client, "contribution", content.getvalue(), "contributions.xlsx", XLSX)
    assert "confirm_form" in preview.context, preview.context["result"].invalid_rows
    confirm(editor_client, "contribution", preview)
    money = Contribution.objects.get(description="Ten million dollars")
    assert (str(money.amount), money.currency, money.announced) == ("10000000.00", "USD", datetime.date(2016, 2, 11))
    assert Contribution.objects.get(description="Six jets").quantity == 6


def test_nations_import_by_iso_code(editor_client, db):
    content = (
        "code,name,role,joined,joined_precision,notes,source,quote\nde,,military,2014-09-01,month,,src,It said so.\n"
    )
    preview = upload(editor_client, "nation", content, "nations.csv")
    confirm(editor_client, "nation", preview)
    germany = Nation.objects.get(country="DE")
    assert germany.name == "Germany"
    assert germany.joined_display == "September 2014"


def test_citations_import_by_source_slug_and_record(editor_client, cast):
    source = SourceFactory(slug="ap-2016-02-11")
    good = f"source,quote,nation_code,contribution\nap-2016-02-11,France sends its carrier.,,{cast['carrier'].pk}\n"
    two_targets = f"ap-2016-02-11,Cites two records.,FR,{cast['police'].pk}\n"
    response = upload(editor_client, "citation", good + two_targets, "citations.csv")
    (invalid,) = response.context["result"].invalid_rows
    assert invalid.number == 2
    assert "Choose exactly one record" in str(invalid.error_dict)
    assert not Citation.objects.filter(source=source).exists()

    confirm(editor_client, "citation", upload(editor_client, "citation", good, "citations.csv"))
    assert Citation.objects.get(source=source).contribution == cast["carrier"]


@pytest.mark.parametrize("resource", [ContributionResource, NationResource, CitationResource])
def test_export_writes_the_columns_import_reads(resource, cast):
    exported = resource().export()
    # Less the import-only columns (partner), whose value another exported column (nation_code) holds.
    assert set(resource.import_only) < set(resource.column_names())
    assert exported.headers == [name for name in resource.column_names() if name not in resource.import_only]
    assert len(exported) > 0


def test_an_exported_file_imports_back_unchanged(editor_client, cast):
    exported = ContributionResource().export().export("csv")
    preview = upload(editor_client, "contribution", exported)
    assert {row.import_type for row in preview.context["result"].valid_rows()} == {"skip"}


def test_the_admin_export_has_the_import_columns(editor_client, cast):
    fields = {f"contributionresource_{name}": "on" for name in ContributionResource.column_names()}
    response = editor_client.post(admin_url("contribution", "export"), {"resource": "0", "format": CSV, **fields})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [name for name in ContributionResource.column_names() if name != "partner"]
    assert len(rows) == 1 + Contribution.objects.count()


def test_the_import_page_links_to_a_help_page_listing_columns_and_allowed_values(editor_client, db):
    page = editor_client.get(admin_url("contribution", "import")).content.decode()
    help_url = admin_url("contribution", "import_help")
    assert help_url in page

    page = editor_client.get(help_url).content.decode()
    for text in ["nation_code", "<code>pledged</code> (Pledged or offered)", "<code>aircraft</code>", "YYYY-MM-DD"]:
        assert text in page
    assert "Partners" in page and "Citations" in page


def test_staff_outside_the_editors_group_cannot_import_or_export(client, db):
    client.force_login(User.objects.create_user("intern", password="x", is_staff=True))
    assert client.get(admin_url("contribution", "import")).status_code == 403
    assert client.get(admin_url("contribution", "import_help")).status_code == 403
    assert client.get(admin_url("contribution", "export")).status_code == 403


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(editor_client, cast, settings):
    settings.IMPORT_MAX_BYTES = 200
    before = Contribution.objects.count()
    rows = [HEADER] + [",FR,military,aircraft,pledged,Jets,6,aircraft,,,2016-02-11,src,It said so."] * 10
    response = upload(editor_client, "contribution", "\n".join(rows))
    assert response.status_code == 200
    assert "imports are limited to 200 bytes" in response.content.decode()
    assert "result" not in response.context
    assert Contribution.objects.count() == before
