"""Partners (countries and international organizations) and their role statements in the API: the
serializers and the viewsets. The shared machinery (validation by the model's own rules, embedded
citations, ETags and If-Match) is in serializers.py and views.py."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from contributions import filters, tables
from contributions.models.nations import Nation
from contributions.models.roles import RoleStatement

from .fields import FilteredListField, WebURLField
from .merging import MergeMixin
from .references import PartnerCodeField, RoleStatementEmbedSerializer, nation_field
from .serializers import Cited, RecordSerializer
from .views import CITATIONS, RecordViewSet


class NationSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:nation-detail", lookup_field="slug", lookup_url_kwarg="code"
    )
    code = PartnerCodeField(
        source="country",
        required=False,
        help_text="A country's ISO 3166-1 alpha-2 code, either case: its key, and its slug in lower case. An "
        "organization has no country code: its code is its slug.",
    )
    contribution_count = serializers.IntegerField(read_only=True, help_text="Contributions recorded for it.")
    web_url = WebURLField()
    contributions_url = FilteredListField("api:contribution-list", "nation")
    slug = serializers.SlugField(
        required=False,
        max_length=40,
        help_text="The key in addresses and filters. A country's is its code in lower case, set from `code`; an "
        "organization's is its short name (arab-league): three characters at least, or eu or un.",
    )

    class Meta:
        model = Nation
        fields = [
            "url",
            "id",
            "code",
            "name",
            "role",
            "joined",
            "joined_precision",
            "notes",
            "contribution_count",
            "updated",
            "web_url",
            "contributions_url",
            "kind",
            "slug",
        ]

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", Nation.Kind.COUNTRY))
        if kind == Nation.Kind.ORGANIZATION:
            code = self.initial_data.get("code") if hasattr(self.initial_data, "get") else None
            slug = attrs.get("slug", getattr(self.instance, "slug", ""))
            if isinstance(code, str) and code.strip() and code.strip() != slug:
                raise serializers.ValidationError({"code": ["An organization's code is its slug; leave it out."]})
            # The code of an organization is its slug, never a country's: no country is set.
            attrs["country"] = ""
        return super().validate(attrs)


# Adds the partner's role statements to its detail shape, as Cited adds the citations.
class WithRoleStatements(serializers.Serializer):
    role_statements = RoleStatementEmbedSerializer(
        many=True, read_only=True, help_text="Its role over time as the sources state it, latest first."
    )

    def get_field_names(self, declared_fields, info):
        return [*super().get_field_names(declared_fields, info), "role_statements"]


class NationDetailSerializer(WithRoleStatements, Cited, NationSerializer):
    pass


class RoleStatementSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:role-statement-detail")
    partner = nation_field()

    class Meta:
        model = RoleStatement
        fields = ["url", "id", "partner", "role", "as_of", "as_of_precision", "updated"]


class RoleStatementDetailSerializer(Cited, RoleStatementSerializer):
    pass


# --- Viewsets -------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="List partners (nations)"))
class NationViewSet(MergeMixin, RecordViewSet):
    """Partners named in the sources, countries and international organizations alike, looked up by a
    country's ISO 3166-1 alpha-2 code in either case (/nations/fr/) or an organization's slug
    (/nations/eu/). The same resource as /partners/."""

    queryset = Nation.objects.with_counts()
    serializer_class = NationSerializer
    detail_serializer_class = NationDetailSerializer
    filterset_class = filters.NationFilter
    table = tables.NATIONS
    lookup_field = "slug"
    lookup_url_kwarg = "code"
    lookup_value_regex = "[-A-Za-z0-9]+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            statements = RoleStatement.objects.latest_first().prefetch_related(CITATIONS)
            queryset = queryset.prefetch_related(Prefetch("role_statements", queryset=statements))
        return queryset

    def lookup(self):
        # A country's slug is its code in lower case, so either case of the code finds it.
        return {"slug": self.kwargs[self.lookup_url_kwarg].lower()}


@extend_schema_view(list=extend_schema(summary="List partners"))
class PartnerViewSet(NationViewSet):
    """Partners, countries and international organizations, looked up by slug (/partners/eu/, /partners/fr/;
    a country's code in either case). The same resource as /nations/."""

    lookup_url_kwarg = "slug"


@extend_schema_view(list=extend_schema(summary="List role statements"))
class RoleStatementViewSet(RecordViewSet):
    """A partner's role as a source states it on a date. The latest statement sets the partner's `role`;
    cite a statement through /citations/ with `role_statement`."""

    queryset = RoleStatement.objects.select_related("partner")
    serializer_class = RoleStatementSerializer
    detail_serializer_class = RoleStatementDetailSerializer
    filterset_class = filters.RoleStatementFilter
    table = tables.ROLE_STATEMENTS
