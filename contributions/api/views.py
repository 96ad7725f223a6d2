"""The REST API: a viewset per model, the contribution summary, the full-dataset export and its data
dictionary.

Reading is open to everyone (throttled when anonymous); writing needs an account with the model
permissions, i.e. an editor. Detail responses carry an ETag; PUT, PATCH and DELETE honour If-Match,
and check it under a row lock so two writers holding the same ETag cannot both succeed.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from simple_history.models import HistoricalRecords

from contributions import cache, filters, queries, tables
from contributions.deletion import dependents
from contributions.exports import stream_csv, stream_table
from contributions.models.citations import Citation
from contributions.models.contributions import Contribution
from contributions.models.meetings import Figure, Meeting, Participation
from contributions.models.nations import Official
from contributions.models.requests import CapabilityRequest
from contributions.models.sources import Source
from contributions.pagination import ContributionPagination

from . import serializers
from .conflicts import conflict
from .etags import etag_for, if_match, if_none_match
from .history import HistoryMixin
from .merging import MergeMixin
from .reasons import change_reason
from .renderers import CSVRenderer, ZipRenderer
from .rows import Rows

CITATIONS = Prefetch("citations", queryset=Citation.objects.with_words())


@contextmanager
def history_user(request):
    """Attribute django-simple-history records to the API's user, with the X-Change-Reason they gave.

    HistoryRequestMiddleware captures the request before DRF has authenticated a token; pointing the
    history context at the request DRF has since authenticated covers token writes too. Entered before
    anything is written, so a bad reason is a 400 with nothing saved.
    """
    request._request.change_reason = change_reason(request)
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = request._request
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


@contextmanager
def writing(request, check_keys_now=True):
    """One API write: a transaction, attributed in the history; a create or update checks foreign keys as it goes.

    Django makes PostgreSQL's foreign keys deferred, checked at commit. A new row referring to a record
    being deleted would then find it gone only at commit (a 500), or deadlock with the delete over the
    data version both bump (a 503). Checked at once, the insert waits for the delete's row lock, then
    fails inside the save as a 400, or the delete waits for the insert and lists it (409). A delete
    keeps them deferred: Django's collector does not order a cascade over nullable keys.
    """
    with transaction.atomic():
        connection = transaction.get_connection()
        now = check_keys_now and connection.vendor == "postgresql"
        if now:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with history_user(request):
            yield
        if now:
            # The setting lasts the whole transaction, which may be wider than this write (a test's).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def cached_response(request, name, material, compute):
    """compute()'s data as a response, kept under the data version and `material` until the next write.

    JSON is kept as the rendered bytes, which spares rendering too; other formats (the browsable API)
    keep the data, under a key of their own.
    """
    if request.accepted_renderer.format == JSONRenderer.format:
        body = cache.versioned(f"{name}-json", material, lambda: JSONRenderer().render(compute()))
        return HttpResponse(body, content_type="application/json")
    return Response(cache.versioned(name, material, compute))


class FormatMixin:
    """Unknown ?format= values are a 400 naming the parameter, and errors are JSON in every format."""

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [f"Unknown format. Choose one of: {formats}."]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A spreadsheet or zip cannot carry an error message a client would read.
        spreadsheet = isinstance(getattr(response, "accepted_renderer", None), CSVRenderer | ZipRenderer)
        if isinstance(response, Response) and response.status_code >= 400 and spreadsheet:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    @property
    def wants_csv(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == CSVRenderer.format


class RecordViewSet(FormatMixin, HistoryMixin, viewsets.ModelViewSet):
    # No docstring: drf-spectacular would repeat it as every resource's description.

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    detail_serializer_class = None
    table = None
    embeds_citations = True
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.action == "list" or self.detail_serializer_class is None:
            return self.serializer_class
        return self.detail_serializer_class

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list" and self.embeds_citations:
            queryset = queryset.prefetch_related(CITATIONS)
        return queryset

    def lookup(self):
        return {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}

    def get_object(self):
        # Unlike DRF's, list filters in the query string do not apply to a single record.
        obj = get_object_or_404(self.get_queryset(), **self.lookup())
        self.check_object_permissions(self.request, obj)
        return obj

    def list(self, request, *args, **kwargs):
        if self.wants_csv:
            queryset = self.filter_queryset(self.get_queryset())
            return stream_table(self.table, queryset, "csv")
        # A page reads the same for every client until the next write, and serializing it costs far
        # more than the queries. The absolute URL is the key: it carries every filter, the page and the
        # host the links in the body point at.
        return cached_response(request, "api-page", request.build_absolute_uri(), lambda: self.page_data(request))

    def page_data(self, request):
        return super().list(request).data

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if self.wants_csv:
            data = self.table.row(instance, self.get_queryset())
        else:
            data = self.get_serializer(instance).data
        etag = etag_for(data, request.accepted_renderer.format)
        if if_none_match(request.headers.get("If-None-Match", ""), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        if self.wants_csv:
            response = stream_csv([data], self.table.fieldnames, f"{self.table.name}-{instance.pk}.csv")
            response["ETag"] = etag
            return response
        return Response(data, headers={"ETag": etag})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        with writing(request):
            serializer.is_valid(raise_exception=True)
            self.save(serializer)
        return self.written(serializer.instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with writing(request):
            instance = self.get_locked_object()
            if failed := self.precondition_failed(instance):
                return failed
            before = self.comparable(instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.save(serializer, before)
        return self.written(serializer.instance)

    def destroy(self, request, *args, **kwargs):
        with writing(request, check_keys_now=False):
            instance = self.get_locked_object()
            if failed := self.precondition_failed(instance):
                return failed
            # Checked under the row lock: on PostgreSQL a record being added that refers to this one
            # waits for the lock (see writing()), so nothing can slip in between the check and the delete.
            if found := dependents(instance):
                return Response(conflict(found, request), status=status.HTTP_409_CONFLICT)
            instance.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_locked_object(self):
        # Take the row lock before reading, so a second writer waits here and then reads our change.
        # Unordered: a default ordering across a nullable relation would join it, and PostgreSQL
        # refuses FOR UPDATE on the nullable side of an outer join.
        rows = self.get_queryset().model._default_manager.filter(**self.lookup()).order_by()
        list(rows.select_for_update().values_list("pk", flat=True))
        return self.get_object()

    def precondition_failed(self, instance):
        """A 428 without If-Match, a 412 when it names a version other than the current one; None to go ahead.

        Without If-Match a client writing a stale copy would silently undo an edit made since it read it.
        """
        header = self.request.headers.get("If-Match")
        if header is None:
            # The current ETag is left out on purpose: a client must read the record before changing it.
            detail = "If-Match is required: GET the record and send its ETag header back as If-Match."
            return Response({"detail": detail}, status=status.HTTP_428_PRECONDITION_REQUIRED)
        current = etag_for(self.get_serializer(instance).data)
        if if_match(header, current):
            return None
        detail = "The record has changed since you read it (If-Match does not match). Fetch it again and retry."
        return Response({"detail": detail}, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": current})

    def comparable(self, instance):
        """The record as a client sees it, less the timestamp a save moves whatever it changes."""
        data = self.get_serializer(get_object_or_404(self.get_queryset(), pk=instance.pk)).data
        return {name: value for name, value in data.items() if name != "updated"}

    def save(self, serializer, before=None):
        try:
            with transaction.atomic():
                serializer.save()
                if before is not None and self.comparable(serializer.instance) == before:
                    # A write that changes nothing leaves no trace: no history entry, no new timestamp.
                    transaction.set_rollback(True)
        except IntegrityError:
            # Validation passed but a concurrent write got there first (a duplicate key, usually).
            raise ValidationError(
                {"non_field_errors": ["This conflicts with a record saved at the same moment; check and retry."]}
            ) from None

    def written(self, instance, status_code=status.HTTP_200_OK):
        """The record as now stored, read afresh so the body and its ETag match a later GET."""
        instance = get_object_or_404(self.get_queryset(), pk=instance.pk)
        data = self.get_serializer(instance).data
        headers = {"ETag": etag_for(data)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = str(data["url"])
        return Response(data, status=status_code, headers=headers)


class SlugLookupMixin:
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


@extend_schema_view(list=extend_schema(summary="List sources"))
class SourceViewSet(SlugLookupMixin, MergeMixin, RecordViewSet):
    """News articles every fact is cited from, looked up by slug."""

    # The archive's fingerprint and date, never its text.
    queryset = Source.objects.select_related("archive").defer("archive__text")
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilter
    table = tables.SOURCES
    embeds_citations = False


@extend_schema_view(list=extend_schema(summary="List officials"))
class OfficialViewSet(SlugLookupMixin, MergeMixin, RecordViewSet):
    """People named or quoted in the sources in an official capacity, looked up by slug."""

    queryset = Official.objects.select_related("nation")
    serializer_class = serializers.OfficialSerializer
    detail_serializer_class = serializers.OfficialDetailSerializer
    filterset_class = filters.OfficialFilter
    table = tables.OFFICIALS


@extend_schema_view(list=extend_schema(summary="List meetings"))
class MeetingViewSet(SlugLookupMixin, MergeMixin, RecordViewSet):
    """Meetings where contributions were sought or announced, looked up by slug."""

    queryset = Meeting.objects.with_related().prefetch_related("officials")
    serializer_class = serializers.MeetingSerializer
    detail_serializer_class = serializers.MeetingDetailSerializer
    filterset_class = filters.MeetingFilter
    table = tables.MEETINGS


@extend_schema_view(list=extend_schema(summary="List participations"))
class ParticipationViewSet(RecordViewSet):
    """Which nations took part in which meetings, and how."""

    queryset = Participation.objects.select_related("meeting", "nation")
    serializer_class = serializers.ParticipationSerializer
    detail_serializer_class = serializers.ParticipationDetailSerializer
    filterset_class = filters.ParticipationFilter
    table = tables.PARTICIPATIONS


@extend_schema_view(list=extend_schema(summary="List figures"))
class FigureViewSet(MergeMixin, RecordViewSet):
    """Numbers reported about a meeting or the coalition, flagged when another source disagrees."""

    queryset = Figure.objects.with_disputes().select_related("meeting", "official")
    serializer_class = serializers.FigureSerializer
    detail_serializer_class = serializers.FigureDetailSerializer
    filterset_class = filters.FigureFilter
    table = tables.FIGURES


@extend_schema_view(
    list=extend_schema(
        summary="List contributions",
        description="What each nation gave, pledged or was asked for. Page numbers by default; "
        "`pagination=cursor` walks the whole set in id order at a constant cost per page. "
        "`format=csv` (or `Accept: text/csv`) downloads every matching row with the researchers' "
        "download columns, unpaginated.",
    )
)
class ContributionViewSet(MergeMixin, RecordViewSet):
    """What each nation gave, pledged or was asked for, with its citations on the detail."""

    # Theatres and lines of effort are prefetched: one query each per page rather than one per row.
    queryset = (
        Contribution.objects.select_related("nation", "meeting", "official", "host")
        .prefetch_related("theatres")
        .with_lines()
    )
    serializer_class = serializers.ContributionSerializer
    detail_serializer_class = serializers.ContributionDetailSerializer
    filterset_class = filters.ContributionFilter
    pagination_class = ContributionPagination
    table = tables.CONTRIBUTIONS

    def page_data(self, request):
        # A page's rows come from .values() rather than instances; the serializer still defines them.
        rows = Rows.for_view(self)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows.values(queryset))
        return self.get_paginated_response(rows.rows(page, queryset)).data

    def get_queryset(self):
        if self.action != "list":
            return super().get_queryset().with_events()
        return super().get_queryset()


@extend_schema_view(list=extend_schema(summary="List capability requests"))
class CapabilityRequestViewSet(MergeMixin, RecordViewSet):
    """Capabilities the coalition's leaders asked partners to supply, not yet tied to one nation."""

    queryset = CapabilityRequest.objects.select_related("requested_by", "official", "meeting")
    serializer_class = serializers.CapabilityRequestSerializer
    detail_serializer_class = serializers.CapabilityRequestDetailSerializer
    filterset_class = filters.CapabilityRequestFilter
    table = tables.CAPABILITY_REQUESTS


@extend_schema_view(list=extend_schema(summary="List citations"))
class CitationViewSet(RecordViewSet):
    """Verbatim quotes from the sources. Each supports exactly one record: set one of the record fields."""

    queryset = Citation.objects.with_words().select_related(
        "nation", "official", "meeting", "line_of_effort", "role_statement"
    )
    serializer_class = serializers.CitationSerializer
    filterset_class = filters.CitationFilter
    table = tables.CITATIONS
    embeds_citations = False


class SummaryViewSet(FormatMixin, viewsets.GenericViewSet):
    """Contribution counts by nation × category × status: one row per non-empty cell.

    Takes the same filters as the contributions list, with the same meaning; ordering is accepted but
    the rows always come by nation name, category and status.
    """

    queryset = Contribution.objects.all()
    serializer_class = serializers.SummaryRowSerializer
    filterset_class = filters.ContributionFilter
    pagination_class = None
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(summary="Contribution counts by nation, category and status")
    def list(self, request, *args, **kwargs):
        contributions = self.filter_queryset(self.get_queryset())
        if self.wants_csv:
            rows = (
                {
                    "nation_code": nation.code,
                    "nation": nation.name,
                    "category": category,
                    "status": status_,
                    "count": count,
                }
                for nation, category, status_, count in queries.summary(contributions)
            )
            return stream_csv(rows, tables.SUMMARY_COLUMNS, "summary.csv")

        def serialized():
            rows = [
                {"nation": nation, "category": category, "status": status_, "count": count}
                for nation, category, status_, count in queries.summary(contributions)
            ]
            return [dict(row) for row in self.get_serializer(rows, many=True).data]

        # Grouping a million rows, and serializing and rendering thousands of cells, costs far more than
        # a cache lookup. The SQL carries every filter; the URLs in the rows depend on the host asked.
        material = (request.build_absolute_uri("/"), contributions.order_by().query.sql_with_params())
        return cached_response(request, "summary", material, serialized)
