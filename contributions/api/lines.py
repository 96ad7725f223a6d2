"""The lines of effort and their leads in the API: serializers and viewsets.

A line is written with the ids of the contributions and capability requests that serve it; each lead
is a record of its own (/line-leads/), cited through /citations/ like any other.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from contributions import filters, queries, tables
from contributions.models.contributions import Contribution
from contributions.models.lines import LineLead, LineOfEffort
from contributions.models.requests import CapabilityRequest

from .fields import FilteredListField, IdRecordField, WebURLField
from .references import NationRefSerializer, line_field, nation_field
from .serializers import Cited, RecordSerializer
from .views import RecordViewSet, SlugLookupMixin


class LeadEmbedSerializer(serializers.ModelSerializer):
    """A lead as listed on its line."""

    url = serializers.HyperlinkedIdentityField(view_name="api:line-lead-detail")
    partner = NationRefSerializer(read_only=True)

    class Meta:
        model = LineLead
        fields = ["id", "url", "partner"]
        read_only_fields = fields


class LineOfEffortSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:line-detail", lookup_field="slug")
    leads = LeadEmbedSerializer(many=True, read_only=True, help_text="Partners leading it; edit them at /line-leads/.")
    contributions = IdRecordField(
        "api:contribution-detail",
        queryset=Contribution.objects.all(),
        many=True,
        required=False,
        help_text="Contributions serving it, written as ids.",
    )
    requests = IdRecordField(
        "api:capability-request-detail",
        queryset=CapabilityRequest.objects.all(),
        many=True,
        required=False,
        help_text="Capability requests serving it, written as ids.",
    )
    contribution_count = serializers.IntegerField(read_only=True, help_text="Contributions serving it.")
    request_count = serializers.IntegerField(read_only=True, help_text="Capability requests serving it.")
    web_url = WebURLField()
    contributions_url = FilteredListField("api:contribution-list", "line")

    class Meta:
        model = LineOfEffort
        fields = [
            "url",
            "id",
            "slug",
            "name",
            "description",
            "order",
            "leads",
            "contributions",
            "requests",
            "contribution_count",
            "request_count",
            "updated",
            "web_url",
            "contributions_url",
        ]


class LineLeadSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:line-lead-detail")
    line = line_field()
    partner = nation_field(help_text="The leading partner, written as its ISO 3166-1 alpha-2 code, either case.")

    class Meta:
        model = LineLead
        fields = ["url", "id", "line", "partner", "updated"]


class LineOfEffortDetailSerializer(Cited, LineOfEffortSerializer):
    pass


class LineLeadDetailSerializer(Cited, LineLeadSerializer):
    pass


@extend_schema_view(list=extend_schema(summary="List lines of effort"))
class LineOfEffortViewSet(SlugLookupMixin, RecordViewSet):
    """The coalition's lines of effort, looked up by slug, with their leads and what serves them."""

    queryset = queries.lines_with_counts(LineOfEffort.objects.with_leads()).prefetch_related(
        "contributions", "requests"
    )
    serializer_class = LineOfEffortSerializer
    detail_serializer_class = LineOfEffortDetailSerializer
    filterset_class = filters.LineOfEffortFilter
    table = tables.LINES_OF_EFFORT


@extend_schema_view(list=extend_schema(summary="List line leads"))
class LineLeadViewSet(RecordViewSet):
    """Which partner leads which line of effort; each lead is cited (target `line_lead` of a citation)."""

    queryset = LineLead.objects.select_related("line", "partner")
    serializer_class = LineLeadSerializer
    detail_serializer_class = LineLeadDetailSerializer
    filterset_class = filters.LineLeadFilter
    table = tables.LINE_LEADS
