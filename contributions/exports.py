"""Flat, spreadsheet-shaped rows for CSV and JSON downloads, shared by the pages and the API,
so a researcher gets the same columns whichever door they use."""

import csv
import json

from django.http import StreamingHttpResponse


def _join(values):
    return " | ".join(v for v in values if v)


# (column name, value for one contribution). Citations are prefetched by with_related().
CONTRIBUTION_COLUMNS = [
    ("id", lambda c: c.pk),
    ("nation_code", lambda c: c.nation.code),
    ("nation", lambda c: c.nation.name),
    ("category", lambda c: c.category),
    ("capability", lambda c: c.capability),
    ("status", lambda c: c.status),
    ("description", lambda c: c.description),
    ("quantity", lambda c: c.quantity),
    ("quantity_before", lambda c: c.quantity_before),
    ("unit", lambda c: c.unit),
    ("amount", lambda c: None if c.amount is None else str(c.amount)),
    ("currency", lambda c: c.currency),
    ("amount_basis", lambda c: c.amount_basis),
    ("announced", lambda c: c.announced.isoformat() if c.announced else None),
    ("announced_precision", lambda c: c.announced_precision),
    ("meeting", lambda c: c.meeting.slug if c.meeting_id else None),
    ("official", lambda c: c.official.slug if c.official_id else None),
    ("sources", lambda c: _join(citation.source.slug for citation in c.citations.all())),
    ("quotes", lambda c: _join(citation.quote for citation in c.citations.all())),
]

CONTRIBUTION_FIELDNAMES = [name for name, _ in CONTRIBUTION_COLUMNS]


def contribution_row(contribution):
    return {name: value(contribution) for name, value in CONTRIBUTION_COLUMNS}


def iter_rows(queryset, chunk_size=2000):
    """Rows one chunk at a time, prefetches included, so memory stays flat on large exports."""
    for contribution in queryset.iterator(chunk_size=chunk_size):
        yield contribution_row(contribution)


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
