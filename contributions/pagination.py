"""Paginators and count limits, for the researchers' pages and the API alike.

A malformed page, page size or cursor is a 400 naming the parameter: DRF's own classes would fall
back to the default size or answer 404, which hides the client's mistake. A page size above the
largest is capped, on the pages as in the API.
"""

from base64 import b64decode
from urllib import parse

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from . import cache

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The sizes the researchers' list offers.
PAGE_SIZES = [25, 50, 100, 200, 500]

# A search for a common word matches much of the table: its pages count this far and no further.
SEARCH_COUNT_LIMIT = 1_000

PAGE_SIZE_MESSAGE = f"A whole number from 1 up; sizes above {MAX_PAGE_SIZE} are capped."
PAGE_MESSAGE = 'A whole number from 1 up, or "last".'


def count_limit(params):
    """How far a contribution list with these query parameters counts its rows; None for all of them."""
    return SEARCH_COUNT_LIMIT if params.get("q", "").strip() else None


def positive_int(raw, message):
    """A whole number from 1 up, from a query parameter; ValueError(message) otherwise."""
    # Length first: Python refuses to read an integer of more than 4,300 digits, and no page is that far.
    if not (raw.isascii() and raw.isdigit()) or len(raw.lstrip("0")) > 18 or int(raw) < 1:
        raise ValueError(message)
    return int(raw)


def page_size(raw, default=DEFAULT_PAGE_SIZE):
    """The rows per page a `page_size` parameter asks for: the default when absent, capped at the largest."""
    if raw is None:
        return default
    return min(positive_int(raw, PAGE_SIZE_MESSAGE), MAX_PAGE_SIZE)


class CachedCountPaginator(Paginator):
    """A Paginator whose total is cached: an exact COUNT over a million rows costs more than the page.

    With count_limit, it counts no further than that: a search for a common word matches most of the
    table, and counting every match would cost as much as reading it. Past the limit, `count` is the
    limit, `count_exact` is False, and the pages stop there.
    """

    def __init__(self, object_list, per_page, count_limit=None, rows_to_count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit
        # The same rows built more cheaply for a count, where the filters can (ContributionFilter).
        self.rows_to_count = object_list if rows_to_count is None else rows_to_count

    @cached_property
    def count(self):
        if self.count_limit is None:
            rows = self.rows_to_count.order_by()
            return cache.versioned("count", rows, rows.count)
        return min(self.counted, self.count_limit)

    @property
    def count_exact(self):
        return self.count_limit is None or self.counted <= self.count_limit

    @cached_property
    def counted(self):
        # One row past the limit tells a total of exactly the limit from a larger one.
        head = self.rows_to_count.order_by()[: self.count_limit + 1]
        return cache.versioned("count-bounded", head, head.count)


# --- The API's paginators -------------------------------------------------------------------------


def query_int(request, name, parse, *args):
    raw = request.query_params.get(name)
    try:
        return parse(raw, *args) if raw is not None else None
    except ValueError as error:
        raise ValidationError({name: [str(error)]}) from None


PAGE_SIZE_PARAMETER = {
    "name": "page_size",
    "required": False,
    "in": "query",
    "description": f"Results per page, default {DEFAULT_PAGE_SIZE}; "
    f"values above {MAX_PAGE_SIZE} are capped at {MAX_PAGE_SIZE}.",
    "schema": {"type": "integer", "minimum": 1},
}


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return query_int(request, "page_size", page_size, self.page_size) or self.page_size

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) == "last":
            return paginator.num_pages
        return query_int(request, self.page_query_param, positive_int, PAGE_MESSAGE) or 1

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": 'Page number, from 1, or "last". A page past the end is a 404.',
                "schema": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}]},
            },
            PAGE_SIZE_PARAMETER,
        ]


class IdCursorPagination(pagination.CursorPagination):
    """Walks contributions in id order. Each page is one indexed range query: no COUNT, no OFFSET."""

    ordering = "id"
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = "Invalid cursor: use the next or previous link of an earlier page."

    def get_page_size(self, request):
        return query_int(request, "page_size", page_size, self.page_size) or self.page_size

    def get_ordering(self, request, queryset, view):
        requested = request.query_params.get("ordering", "id")
        if requested not in ("id", "-id"):
            raise ValidationError({"ordering": ["Cursor pagination orders by id or -id only."]})
        return (requested,)

    def decode_cursor(self, request):
        # DRF answers 404 for a bad cursor, and passes a non-numeric position on to the database.
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(b64decode(encoded.encode("ascii"), validate=True).decode("ascii"))
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
            if position is not None:
                int(position)
        except (TypeError, ValueError, UnicodeError):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        if not 0 <= offset <= self.offset_cutoff:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return pagination.Cursor(offset=offset, reverse=reverse, position=position)


class ContributionPagination(PageNumberPagination):
    """Page numbers by default; ?pagination=cursor (or any ?cursor=) switches to cursor pages.

    Page numbers give a count and random access but the database must skip every earlier row, so deep
    pages get slower. Cursor pages cost the same at any depth and stay consistent while rows are added.
    The total is cached until the next write, so a page costs its rows, not a count of every match.
    """

    def paginate_queryset(self, queryset, request, view=None):
        mode = request.query_params.get("pagination", "page")
        if mode not in ("page", "cursor"):
            raise ValidationError({"pagination": ['Either "page" or "cursor".']})
        self.cursor = None
        if mode == "cursor" or "cursor" in request.query_params:
            if "page" in request.query_params:
                raise ValidationError({"page": ["Page numbers cannot be combined with cursor pagination."]})
            self.cursor = IdCursorPagination()
            return self.cursor.paginate_queryset(queryset, request, view)
        self.count_limit = count_limit(request.query_params)
        filterset = getattr(view, "filterset", None)
        self.rows_to_count = filterset.rows_to_count() if filterset is not None else None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):
        return CachedCountPaginator(queryset, page_size, count_limit=self.count_limit, rows_to_count=self.rows_to_count)

    def get_paginated_response(self, data):
        if self.cursor:
            return self.cursor.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data["count_exact"] = self.page.paginator.count_exact
        return response

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        response["properties"]["count"]["description"] = (
            f"Matching contributions; absent in cursor mode. A search (q) counts up to {SEARCH_COUNT_LIMIT:,}: "
            "past that, count is the limit and pages stop there (cursor pages go on)."
        )
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "False when a search matched more than count; absent in cursor mode.",
        }
        return response

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "pagination",
                "required": False,
                "in": "query",
                "description": "page (default): numbered pages with a total count. cursor: next/previous "
                "links only, ordered by id (or -id with ordering=-id); as fast on the last page as on the first. "
                "Cannot be combined with page.",
                "schema": {"type": "string", "enum": ["page", "cursor"], "default": "page"},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Opaque position from a next or previous link; implies pagination=cursor.",
                "schema": {"type": "string"},
            },
        ]
