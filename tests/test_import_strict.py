"""Imports that refuse what they cannot read exactly: ragged rows, unknown columns, duplicate keys,
foreign encodings, spreadsheet bombs, forged confirm steps; and exports that carry no live formula."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from contributions.models import Citation, Contribution, Nation
from contributions.resources import ContributionResource
from tests.factories import SourceFactory
from tests.test_admin import admin_url
from tests.test_import import CSV, XLSX, confirm, upload

# The export's columns, which an exported row fills; the import-only partner column is left out.
HEADER = ",".join(name for name in ContributionResource.column_names() if name not in ContributionResource.import_only)


@pytest.fixture(autouse=True)
def source(db):
    return SourceFactory(slug="src")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def file_errors(response):
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    result = response.context.get("result")
    base = [str(error.error) for error in result.base_errors] if result else []
    return base + response.context["form"].errors.get("import_file", [])


def row_of(record):
    exported = ContributionResource().export(queryset=Contribution.objects.filter(pk=record.pk)).export("csv")
    return list(csv.reader(io.StringIO(exported)))[1]


def test_it_refuses_a_short_row_and_leaves_the_record_as_it_was(editor_client, cast):
    carrier = cast["carrier"]
    before = row_of(carrier)
    short = f"{carrier.pk},FR,military,,delivered,short row edit"
    errors = file_errors(upload(editor_client, "contribution", f"{HEADER}\n{short}\n"))
    assert errors == [
        "Line 2 has 6 cells but the header has 30; nothing was imported. "
        "Check for a missing comma or an unclosed quote."
    ]
    carrier.refresh_from_db()
    assert row_of(carrier) == before


def test_it_refuses_a_long_row_and_an_unclosed_quote(editor_client, cast):
    row = row_of(cast["carrier"])
    long_row = ",".join(row) + ",extra"
    assert file_errors(upload(editor_client, "contribution", f"{HEADER}\n{long_row}\n"))[0].startswith(
        "Line 2 has 31 cells but the header has 30"
    )
    unclosed = ",".join(row[:5]) + ',"An unclosed quote,' + ",".join(row[6:])
    (error,) = file_errors(upload(editor_client, "contribution", f"{HEADER}\n{unclosed}\n"))
    assert error.startswith("The file is not valid CSV") or error.startswith("Line 2 has")


def test_it_names_unknown_and_missing_columns(editor_client, cast):
    content = "id,nation_code,colour,category,status,description\n,FR,red,military,pledged,Jets\n"
    (error,) = file_errors(upload(editor_client, "contribution", content))
    assert error == "Check the header row: unknown columns: colour."
    content = "id,nation_code,status,descripton\n,FR,pledged,Jets\n"
    (error,) = file_errors(upload(editor_client, "contribution", content))
    assert error == "Check the header row: unknown columns: descripton; missing columns: category, description."


def test_it_refuses_two_rows_for_one_record(editor_client, cast):
    row = ",".join(row_of(cast["carrier"]))
    (error,) = file_errors(upload(editor_client, "contribution", f"{HEADER}\n{row}\n{row}\n"))
    assert error == f"Lines 2 and 3 are both id {cast['carrier'].pk}; a record can appear once."


def test_it_refuses_one_nation_code_written_twice_in_different_case(editor_client, db):
    content = "code,name,role,source,quote\nBE,Belgium,military,src,q\nbe,Belgique,military,src,q\n"
    (error,) = file_errors(upload(editor_client, "nation", content, "nations.csv"))
    # Partners are keyed by slug; a country's is its code, compared in either case.
    assert error == "Lines 2 and 3 are both slug BE; a record can appear once."
    assert not Nation.objects.filter(country="BE").exists()


def test_it_reads_a_windows_excel_csv_and_a_utf8_bom(editor_client, cast):
    content = (
        "nation_code,category,status,description,source,quote\n"
        "FR,military,pledged,Frégates et hélicoptères,src,It said so.\n"
    )
    for data in [content.encode("cp1252"), b"\xef\xbb\xbf" + content.encode()]:
        preview = upload(editor_client, "contribution", data)
        assert "confirm_form" in preview.context, file_errors(preview)
        assert [row.import_type for row in preview.context["result"].valid_rows()] == ["new"]
        assert "Frégates et hélicoptères" in preview.content.decode()


def test_it_says_which_encoding_it_found_when_it_cannot_read_one(editor_client, cast):
    content = (
        "nation_code,category,status,description,source,quote\n"
        "FR,military,pledged,Военная помощь и техника,src,It said so.\n"
    )
    (error,) = file_errors(upload(editor_client, "contribution", content.encode("utf-16")))
    assert error.startswith("The file is not UTF-8 (it looks like ")
    assert error.endswith("Save it as “CSV UTF-8” and upload it again.")


def xlsx(rows, dimension=None):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    if dimension is None:
        return content.getvalue()
    # Rewrite the sheet's declared size, as a hostile file would.
    source, packed = zipfile.ZipFile(content), io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:F2" />', f'<dimension ref="{dimension}"/>'.encode())
                assert dimension.encode() in data
            target.writestr(item, data)
    return packed.getvalue()


@pytest.fixture
def cells_read(monkeypatch):
    """How many cells the import took from the workbook."""
    count = [0]
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            count[0] += len(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return count


def test_a_workbook_declaring_a_huge_sheet_is_read_only_as_far_as_its_cells(editor_client, cast, cells_read):
    rows = [["nation_code", "category", "status", "description", "source", "quote"]]
    rows.append(["FR", "military", "pledged", "Jets", "src", "It said so."])
    bomb = xlsx(rows, dimension="A1:XFD2000")
    preview = upload(editor_client, "contribution", bomb, "bomb.xlsx", XLSX)
    assert "confirm_form" in preview.context, file_errors(preview)
    assert cells_read[0] == 12


def test_a_workbook_with_too_many_rows_is_refused_after_reading_the_cap(editor_client, cast, cells_read, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [["nation_code", "category", "status", "description"]] + [["FR", "military", "pledged", "Jets"]] * 500
    (error,) = file_errors(upload(editor_client, "contribution", xlsx(rows), "big.xlsx", XLSX))
    assert error == "The file has more than 50 rows; split it into smaller files."
    assert cells_read[0] <= 52 * 4


def test_a_workbook_with_too_many_columns_is_refused(editor_client, cast, settings):
    settings.IMPORT_MAX_COLUMNS = 10
    (error,) = file_errors(upload(editor_client, "contribution", xlsx([list(range(11))]), "wide.xlsx", XLSX))
    assert error == "Line 1 has more than 10 columns."


def test_the_size_limit_applies_to_the_unpacked_workbook(editor_client, cast, settings):
    rows = [["nation_code", "category", "status", "description"]] + [["FR", "military", "pledged", "x" * 1000]] * 30
    packed = xlsx(rows)
    settings.IMPORT_MAX_BYTES = len(packed) + 1000  # the upload itself is under the limit
    (error,) = file_errors(upload(editor_client, "contribution", packed, "zipped.xlsx", XLSX))
    assert error.startswith("The workbook unpacks to ")
    assert error.endswith(f"imports are limited to {settings.IMPORT_MAX_BYTES:,}.")


def test_a_tampered_confirm_file_name_is_a_400_and_imports_nothing(editor_client, cast, tmp_path):
    content = "nation_code,category,status,description,source,quote\nFR,military,pledged,Signed jets,src,It said so.\n"
    preview = upload(editor_client, "contribution", content)
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    for forged in ["../../etc/passwd", "tmpabcdef", data["import_file_name"] + "x"]:
        response = editor_client.post(admin_url("contribution", "process_import"), {**data, "import_file_name": forged})
        assert response.status_code == 400
    assert not Contribution.objects.filter(description="Signed jets").exists()
    assert confirm(editor_client, "contribution", preview).status_code == 302
    assert Contribution.objects.filter(description="Signed jets").count() == 1


def test_a_name_signed_for_one_editor_is_refused_for_another(client, editor, cast):
    other = User.objects.create_user("other", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    preview = upload(
        client,
        "contribution",
        "nation_code,category,status,description,source,quote\nFR,military,pledged,Jets,src,It said so.\n",
    )
    form = preview.context["confirm_form"]
    client.force_login(other)
    response = client.post(
        admin_url("contribution", "process_import"), {name: form[name].value() for name in form.fields}
    )
    assert response.status_code == 400


def test_confirming_twice_imports_once_and_says_to_upload_again(editor_client, cast):
    preview = upload(
        editor_client,
        "contribution",
        "nation_code,category,status,description,source,quote\nFR,military,pledged,Once,src,It said so.\n",
    )
    assert confirm(editor_client, "contribution", preview).status_code == 302
    again = confirm(editor_client, "contribution", preview)
    assert again.status_code == 302
    assert Contribution.objects.filter(description="Once").count() == 1


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_the_admin_export_escapes_formulas(editor_client, cast, file_format):
    Contribution.objects.filter(pk=cast["carrier"].pk).update(description='=HYPERLINK("http://evil","click")')
    fields = {f"contributionresource_{name}": "on" for name in ContributionResource.column_names()}
    response = editor_client.post(
        admin_url("contribution", "export"), {"resource": "0", "format": file_format, **fields}
    )
    assert response.status_code == 200
    if file_format == CSV:
        cells = [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://evil","click")' in cells
    assert not any(isinstance(cell, str) and cell.startswith("=") for cell in cells)


def test_a_new_contribution_without_its_citation_is_refused(editor_client, cast):
    content = f"{HEADER}\n" + ",FR,military,aircraft,pledged,Uncited jets" + "," * (len(HEADER.split(",")) - 6) + "\n"
    response = upload(editor_client, "contribution", content)
    (invalid,) = response.context["result"].invalid_rows
    assert invalid.field_specific_errors["quote"] == ["A new contribution needs its citation: fill source and quote."]


def test_a_new_nation_is_imported_with_its_citation_and_a_reimport_adds_none(editor_client, source, db):
    content = "code,name,role,source,quote\nDE,Germany,military,src,Germany joins the coalition.\n"
    confirm(editor_client, "nation", upload(editor_client, "nation", content, "nations.csv"))
    germany = Nation.objects.get(country="DE")
    assert [(c.source, c.quote) for c in germany.citations.all()] == [(source, "Germany joins the coalition.")]
    preview = upload(editor_client, "nation", content, "nations.csv")
    assert [row.import_type for row in preview.context["result"].valid_rows()] == ["skip"]
    confirm(editor_client, "nation", preview)
    assert germany.citations.count() == 1


def test_an_update_may_leave_the_citation_blank_and_a_bad_row_saves_no_citation(editor_client, cast):
    row = row_of(cast["carrier"])
    row[-2:] = ["", ""]
    row[5] = "Carrier, edited"
    bad = ",FR,military,aircraft,pledged,Jets,-6" + "," * (len(HEADER.split(",")) - 9) + ",src,Quote of a bad row."
    before = Citation.objects.count()
    response = upload(editor_client, "contribution", f"{HEADER}\n{','.join(csv_quote(row))}\n{bad}\n")
    assert [row.number for row in response.context["result"].invalid_rows] == [2]
    assert Citation.objects.count() == before
    preview = upload(editor_client, "contribution", f"{HEADER}\n{','.join(csv_quote(row))}\n")
    confirm(editor_client, "contribution", preview)
    cast["carrier"].refresh_from_db()
    assert cast["carrier"].description == "Carrier, edited"


def csv_quote(row):
    return [f'"{cell}"' if "," in cell else cell for cell in row]


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_an_admin_export_imports_back_unchanged(editor_client, cast, file_format):
    fields = {f"contributionresource_{name}": "on" for name in ContributionResource.column_names()}
    export = editor_client.post(admin_url("contribution", "export"), {"resource": "0", "format": file_format, **fields})
    before = sorted(Citation.objects.values_list("pk", "source", "quote", "contribution"))
    name = "export.csv" if file_format == CSV else "export.xlsx"
    preview = upload(editor_client, "contribution", export.content, name, file_format)
    assert "confirm_form" in preview.context, file_errors(preview)
    assert {row.import_type for row in preview.context["result"].valid_rows()} == {"skip"}
    confirm(editor_client, "contribution", preview)
    assert sorted(Citation.objects.values_list("pk", "source", "quote", "contribution")) == before
