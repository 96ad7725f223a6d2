"""FilterSets for the resources only the API lists: sources, citations, figures, participations and
capability requests. They follow the shared ones in contributions/filters.py: several values per
parameter, repeated or comma-separated, and an unknown value is an error.
"""

import django_filters
from django import forms
from django.db.models import Q

from contributions.filters import CSVMultipleChoiceFilter, NationCodeFilter, OrderingFilter, SlugFilter, split_values
from contributions.models import (
    CITATION_TARGETS,
    Capability,
    CapabilityRequest,
    Category,
    Citation,
    Contribution,
    Figure,
    Meeting,
    Official,
    Participation,
    Source,
)


def records(field_name):
    """Filter on a foreign key by the records a key filter chose, whatever key it reads them by."""

    def method(queryset, name, value):
        return queryset.filter(**{f"{field_name}__in": value}) if value else queryset

    return method


class IdsField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        values = split_values(value)
        # A number past the database's integer range is an error in the query, not a server error.
        # The value goes in as a parameter, not into the message: django-filter %-formats the message,
        # and a "%" typed into the URL would otherwise break the error itself.
        for item in values or []:
            # Length before int(): Python refuses to parse an integer of more than 4,300 digits.
            if not (item.isascii() and item.isdigit()) or len(item.lstrip("0")) > 19 or int(item) >= 2**63:
                raise forms.ValidationError(
                    "“%(value)s” is not an id.", code="invalid_pk_value", params={"value": item}
                )
        return super().clean(values)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


def ordering(*fields):
    return OrderingFilter(fields=fields, help_text="Field to sort by; prefix with - for descending.")


class SourceFilter(django_filters.FilterSet):
    published_after = django_filters.DateFilter(
        field_name="published", lookup_expr="gte", help_text="ISO date, YYYY-MM-DD."
    )
    published_before = django_filters.DateFilter(
        field_name="published", lookup_expr="lte", help_text="ISO date, YYYY-MM-DD."
    )
    q = django_filters.CharFilter(method="search", label="Outlet, headline or author contains")
    ordering = ordering(("published", "published"), ("outlet", "outlet"), ("slug", "slug"))

    class Meta:
        model = Source
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(outlet__icontains=value) | Q(headline__icontains=value) | Q(author__icontains=value))


class CitationFilter(django_filters.FilterSet):
    source = SlugFilter(queryset=Source.objects.all(), method=records("source"), help_text="Source slug; several.")
    target_type = CSVMultipleChoiceFilter(
        choices=[(name, name) for name in CITATION_TARGETS],
        method="filter_target_type",
        help_text="Citations supporting this kind of record; several allowed.",
    )
    nation = NationCodeFilter(method=records("nation"), help_text="Citations supporting these nations' records.")
    official = SlugFilter(queryset=Official.objects.all(), method=records("official"), help_text="Official slug.")
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    contribution = IdsFilter(queryset=Contribution.objects.all(), help_text="Contribution id; several allowed.")
    q = django_filters.CharFilter(field_name="quote", lookup_expr="icontains", label="Quote contains")
    ordering = ordering(("source__published", "published"), ("id", "id"))

    class Meta:
        model = Citation
        fields = []

    def filter_target_type(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q.create([(f"{target}__isnull", False) for target in value], connector=Q.OR))


class FigureFilter(django_filters.FilterSet):
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    metric = CSVMultipleChoiceFilter(choices=Figure.Metric.choices, help_text="Several allowed.")
    qualifier = CSVMultipleChoiceFilter(choices=Figure.Qualifier.choices, help_text="Several allowed.")
    ordering = ordering(("meeting__date", "date"), ("metric", "metric"), ("value", "value"), ("id", "id"))

    class Meta:
        model = Figure
        fields = []


class ParticipationFilter(django_filters.FilterSet):
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    nation = NationCodeFilter(method=records("nation"))
    role = CSVMultipleChoiceFilter(choices=Participation.Role.choices, help_text="Several allowed.")
    ordering = ordering(("meeting__date", "date"), ("nation__name", "nation"), ("id", "id"))

    class Meta:
        model = Participation
        fields = []


class CapabilityRequestFilter(django_filters.FilterSet):
    nation = NationCodeFilter(method=records("requested_by"), help_text="The nation asking; several allowed.")
    capability = CSVMultipleChoiceFilter(choices=Capability.choices, help_text="Several allowed.")
    category = CSVMultipleChoiceFilter(choices=Category.choices, help_text="Several allowed.")
    meeting = SlugFilter(queryset=Meeting.objects.all(), method=records("meeting"), help_text="Meeting slug.")
    ordering = ordering(("announced", "announced"), ("capability", "capability"), ("id", "id"))

    class Meta:
        model = CapabilityRequest
        fields = []
