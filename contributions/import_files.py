"""The admin's import file formats: shape, encoding and size checked while the file is read.

A file is refused whole, with a message an editor can act on, before any row reaches a resource.
"""

import csv
import io
import zipfile

import charset_normalizer
import openpyxl
import tablib
from django.conf import settings
from import_export.formats import base_formats

from .columns import FORMULA_STARTS


class ImportFileError(ValueError):
    """A file that cannot be read as a table; the message is shown to the editor as it is."""


def _capped(rows):
    """Rows as lists, refused as soon as there are more rows or columns than the settings allow."""
    max_rows, max_columns = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS
    for number, row in enumerate(rows):
        if number > max_rows:
            raise ImportFileError(f"The file has more than {max_rows:,} rows; split it into smaller files.")
        if len(row) > max_columns:
            raise ImportFileError(f"Line {number + 1} has more than {max_columns} columns.")
        yield list(row)


def _table(rows):
    """A Dataset from a header and rows that each have exactly as many cells as the header."""
    rows = iter(rows)
    headers = [str(name or "").strip() for name in next(rows, [])]
    if not any(headers):
        raise ImportFileError("The file is empty: the first line must name the columns.")
    dataset = tablib.Dataset(headers=headers)
    for line, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        if len(row) != len(headers):
            raise ImportFileError(
                f"Line {line} has {len(row)} cells but the header has {len(headers)}; nothing was imported. "
                "Check for a missing comma or an unclosed quote."
            )
        dataset.append(row)
    return dataset


def decode(data):
    """Text of an uploaded CSV: UTF-8 (with or without a BOM), or Windows Western as Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data)
    match = matches.best()
    # Short Western text reads equally well in several code pages; Excel on Windows writes cp1252.
    if any("cp1252" in other.could_be_from_charset for other in matches if match and other.chaos <= match.chaos):
        return data.decode("cp1252")
    found = f"it looks like {match.encoding}" if match is not None else "it does not look like text"
    raise ImportFileError(f"The file is not UTF-8 ({found}). Save it as “CSV UTF-8” and upload it again.")


class EscapedFormulae:
    def _escape_formulae(self, dataset):
        """A text cell starting as a formula gets an apostrophe, as in the public CSVs; others keep their type."""
        for _ in range(len(dataset)):
            row = dataset.lpop()
            dataset.append(
                [f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell for cell in row]
            )


class StrictCSV(EscapedFormulae, base_formats.CSV):
    def is_binary(self):
        return True  # read as bytes, so that the encoding is detected here rather than assumed

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = decode(in_stream) if isinstance(in_stream, bytes) else in_stream
        try:
            return _table(_capped(csv.reader(io.StringIO(text, newline=""), strict=True)))
        except csv.Error as error:
            raise ImportFileError(f"The file is not valid CSV: {error}.") from None


class StrictXLSX(EscapedFormulae, base_formats.XLSX):
    def create_dataset(self, in_stream):
        # A zip's declared sizes bound what it unpacks to; refuse before anything is unpacked.
        try:
            unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(in_stream)).infolist())
        except zipfile.BadZipFile:
            raise ImportFileError("The file is not an Excel .xlsx workbook.") from None
        limit = settings.IMPORT_MAX_BYTES
        if unpacked > limit:
            raise ImportFileError(f"The workbook unpacks to {unpacked:,} bytes; imports are limited to {limit:,}.")
        try:
            sheet = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True).active
        except Exception:
            raise ImportFileError("The file is not an Excel .xlsx workbook that can be read.") from None
        # The sheet's declared size (A1:XFD2000) is ignored: only the cells it really holds are read.
        sheet.reset_dimensions()
        rows = [_trimmed(row) for row in _capped(sheet.iter_rows(values_only=True))]
        width = len(rows[0]) if rows else 0
        # Excel leaves a row's trailing blank cells out; padding to the header keeps the columns aligned.
        return _table(row + [None] * (width - len(row)) for row in rows)


def _trimmed(row):
    while row and row[-1] in (None, ""):
        row.pop()
    return row
