"""Downloads: rows streamed as CSV or JSON, and the whole dataset as one zip of CSV files.

The rows come from the column definitions in tables.py; this module only writes them out.
"""

import csv
import io
import json
import zipfile

from django.http import StreamingHttpResponse

from . import tables

# A spreadsheet runs a cell starting with one of these as a formula; a quote from an article must not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(row):
    """Prefix text that a spreadsheet would read as a formula with an apostrophe (OWASP's advice)."""
    return {
        key: "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
        for key, value in row.items()
    }


class _Echo:
    def write(self, value):
        return value


def stream_csv(rows, fieldnames, filename):
    writer = csv.DictWriter(_Echo(), fieldnames=fieldnames)

    def lines():
        yield writer.writeheader()
        for row in rows:
            yield writer.writerow(spreadsheet_safe(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_json(rows, filename):
    """A JSON array written row by row; the same rows as the CSV."""

    def chunks():
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False)
        yield "]"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_table(table, queryset, kind, filename=None):
    """Every row of `queryset` as a CSV or JSON download, in the table's columns."""
    filename = filename or f"{table.name}.{kind}"
    rows = table.rows(queryset)
    return stream_csv(rows, table.fieldnames, filename) if kind == "csv" else stream_json(rows, filename)


def csv_text(rows, fieldnames):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames)
    writer.writeheader()
    writer.writerows(spreadsheet_safe(row) for row in rows)
    return out.getvalue()


def _zip_entry(name):
    # Fixed entry times: the same data always gives the same bytes, so exports can be compared.
    entry = zipfile.ZipInfo(name, date_time=(2016, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def export_zip():
    """One CSV per table plus dictionary.csv, as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables.TABLES:
            archive.writestr(_zip_entry(f"{table.name}.csv"), csv_text(table.rows(), table.fieldnames))
        archive.writestr(_zip_entry("dictionary.csv"), csv_text(tables.dictionary_rows(), tables.DICTIONARY_FIELDNAMES))
    return buffer.getvalue()
