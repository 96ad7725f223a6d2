"""Renderers for the spreadsheet formats.

Lists, details and exports stream their CSV and zip bodies straight from the flat tables (tables.py);
these classes let content negotiation pick the format from ?format= or the Accept header.
"""

import csv
import io
import json

from rest_framework import renderers

from contributions.exports import spreadsheet_safe


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Views answer CSV requests with rows of their own; this covers anything else as one row per dict.
        if data is None:
            return b""
        rows = data if isinstance(data, list) else [data]
        rows = [row if isinstance(row, dict) else {"value": row} for row in rows]
        fieldnames = list(dict.fromkeys(name for row in rows for name in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fieldnames)
        writer.writeheader()
        for row in rows:
            flat = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
            writer.writerow(spreadsheet_safe(flat))
        return out.getvalue().encode(self.charset)


class ZipRenderer(renderers.BaseRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""
