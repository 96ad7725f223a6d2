"""The FilterSets of the lists only the API offers: sources, citations, figures, attendance, lines of
effort and their leads, capability requests, status events and role statements."""

import django_filters
from django.db.models import Q

from .. import queries
from ..models.choices import Capability, Category, ContributionStatus, NationRole
from ..models.citations import CITATION_TARGETS, Citation
from ..models.contributions import Contribution
from ..models.events import StatusEvent
from ..models.lines import LineLead, LineOfEffort
from ..models.meetings import Figure, Meeting, Participation
from ..models.nations import Official
from ..models.requests import CapabilityRequest
from ..models.roles import RoleStatement
from ..models.sources import Source
from .base import (
    PARTNER_HELP,
    AsOfFilter,
    CSVMultipleChoiceFilter,
    FilterSet,
    IdsFilter,
    IsoDateFilter,
    NationCodeFilter,
    OrderingFilter,
    SlugFilter,
    VerifiedFilter,
    having,
    partner_filters,
    records,
)


class SourceFilter(FilterSet):
    published_after = IsoDateFilter(field_name="published", lookup_expr="gte")
    published_before = IsoDateFilter(field_name="published", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", label="Outlet, headline or author contains")
    ordering = OrderingFilter(fields=(("published", "published"), ("outlet", "outlet"), ("slug", "slug")))

    class Meta:
        model = Source
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(outlet__icontains=value) | Q(headline__icontains=value) | Q(author__icontains=value))


class CitationFilter(FilterSet):
    source = SlugFilter(queryset=Source.objects.all(), method=records("source"), help_text="Source slug; several.")
    target_type = CSVMultipleChoiceFilter(
        choices=[(name, name) for name in CITATION_TARGETS],
        method="filter_target_type",
        help_text="Citations supporting this kind of record; several allowed.",
    )
    nation, partner = partner_filters(
        method=records("nation"), help_text=f"Citations supporting these partners' records. {PARTNER_HELP}"
    )
    official = SlugFilter(queryset=Official.objects.all(), method=records("official"), help_text="Official slug.")
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    contribution = IdsFilter(queryset=Contribution.objects.all(), help_text="Contribution id; several allowed.")
    q = django_filters.CharFilter(method="words_contain", label="Quote contains")
    verified = VerifiedFilter(help_text="true: quotes found in their source's archived text; false: unverified ones.")
    ordering = OrderingFilter(fields=(("source__published", "published"), ("id", "id")))

    class Meta:
        model = Citation
        fields = []

    def words_contain(self, queryset, name, value):
        return queryset.filter(Q(quote__icontains=value) | Q(shares__quote__icontains=value))

    def filter_target_type(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q.create([(f"{target}__isnull", False) for target in value], connector=Q.OR))


class FigureFilter(FilterSet):
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    metric = CSVMultipleChoiceFilter(choices=Figure.Metric.choices)
    qualifier = CSVMultipleChoiceFilter(choices=Figure.Qualifier.choices)
    ordering = OrderingFilter(
        fields=(("meeting__date", "date"), ("metric", "metric"), ("value", "value"), ("id", "id"))
    )

    class Meta:
        model = Figure
        fields = []


class ParticipationFilter(FilterSet):
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    nation, partner = partner_filters(method=records("nation"))
    role = CSVMultipleChoiceFilter(choices=Participation.Role.choices)
    ordering = OrderingFilter(fields=(("meeting__date", "date"), ("nation__name", "nation"), ("id", "id")))

    class Meta:
        model = Participation
        fields = []


class LineOfEffortFilter(FilterSet):
    as_of = AsOfFilter(
        method=lambda queryset, name, value: queries.lines_with_counts(queryset, value),
        help_text="Each line's contributions and requests known on this date (YYYY-MM-DD). Blank: today.",
    )
    partner = NationCodeFilter(
        method=having(LineLead, "line", "partner"), label="Lead", help_text="Lines these partners lead; several."
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    ordering = OrderingFilter(fields=(("order", "order"), ("name", "name"), ("id", "id")))

    class Meta:
        model = LineOfEffort
        fields = []


class LineLeadFilter(FilterSet):
    line = SlugFilter(queryset=LineOfEffort.objects.all(), method=records("line"), help_text="Line slug; several.")
    partner = NationCodeFilter(method=records("partner"), label="Partner")
    ordering = OrderingFilter(fields=(("line__order", "line"), ("partner__name", "partner"), ("id", "id")))

    class Meta:
        model = LineLead
        fields = []


class CapabilityRequestFilter(FilterSet):
    nation, partner = partner_filters(method=records("requested_by"), help_text=f"The partner asking. {PARTNER_HELP}")
    capability = CSVMultipleChoiceFilter(choices=Capability.choices)
    category = CSVMultipleChoiceFilter(choices=Category.choices)
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    ordering = OrderingFilter(fields=(("announced", "announced"), ("capability", "capability"), ("id", "id")))

    class Meta:
        model = CapabilityRequest
        fields = []


class StatusEventFilter(FilterSet):
    contribution = IdsFilter(queryset=Contribution.objects.all(), help_text="Contribution id; several allowed.")
    nation, partner = partner_filters(
        method=records("contribution__nation"), help_text=f"Events of these. {PARTNER_HELP}"
    )
    status = CSVMultipleChoiceFilter(choices=ContributionStatus.choices)
    date_after = IsoDateFilter(field_name="date", lookup_expr="gte", label="Dated on or after")
    date_before = IsoDateFilter(field_name="date", lookup_expr="lte", label="Dated on or before")
    ordering = OrderingFilter(fields=(("date", "date"), ("contribution", "contribution"), ("id", "id")))

    class Meta:
        model = StatusEvent
        fields = []


class RoleStatementFilter(FilterSet):
    nation, partner = partner_filters(method=records("partner"), help_text=f"Statements about these. {PARTNER_HELP}")
    role = CSVMultipleChoiceFilter(choices=NationRole.choices)
    as_of_after = IsoDateFilter(field_name="as_of", lookup_expr="gte", label="As of on or after")
    as_of_before = IsoDateFilter(field_name="as_of", lookup_expr="lte", label="As of on or before")
    ordering = OrderingFilter(fields=(("as_of", "as_of"), ("partner__name", "partner"), ("id", "id")))

    class Meta:
        model = RoleStatement
        fields = []
