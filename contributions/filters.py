"""FilterSets shared by the researchers' pages and the API, so a parameter means the same in both.

Every parameter takes several values, repeated (?nation=fr&nation=it) or comma-separated
(?nation=fr,it). An unknown value is an error, never silently ignored.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from .models import Capability, Category, Contribution, Meeting, Nation, Official, Participation

# Only ISO dates: with the site's en-gb formats, "02/11/2016" would quietly mean 2 November.
ISO_DATE = ["%Y-%m-%d"]


def split_values(values, normalize=str):
    """Flatten repeated and comma-separated values into one list."""
    if not values:
        return values
    if isinstance(values, str):
        values = [values]
    return [normalize(part.strip()) for value in values for part in str(value).split(",") if part.strip()]


class CSVMultipleChoiceField(forms.MultipleChoiceField):
    def to_python(self, value):
        return split_values(super().to_python(value))


class CSVModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    normalize = str

    def clean(self, value):
        return super().clean(split_values(value, self.normalize))


class CountryCodeField(CSVModelMultipleChoiceField):
    # ISO codes are stored upper-case; URLs use lower-case. A staticmethod, or str.upper would bind to the field.
    normalize = staticmethod(str.upper)


class OrderingFilter(django_filters.OrderingFilter):
    """Blank values (?ordering=,) keep the default order: django-filter would call order_by() with
    nothing, which clears it and lets pages repeat or skip rows."""

    def filter(self, qs, value):
        if not any(value or []):
            return qs
        return super().filter(qs, value)


class CSVMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CSVMultipleChoiceField

    def __init__(self, *args, **kwargs):
        # Every predicate here is on the row's own columns, so no join can repeat a row.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class RecordFilter(django_filters.ModelMultipleChoiceFilter):
    """Chooses records by a readable key (code or slug) and filters on the records themselves."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # django-filter would compare the foreign key with the readable key (nation="FR"), which fails.
        return {self.field_name: v}


class NationCodeFilter(RecordFilter):
    field_class = CountryCodeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Nation.objects.all())
        kwargs.setdefault("to_field_name", "country")
        kwargs.setdefault("label", "Nation")
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, either case; several allowed.")
        super().__init__(*args, **kwargs)


class SlugFilter(RecordFilter):
    field_class = CSVModelMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


# A search for a common word matches much of the table: its pages count this far and no further.
SEARCH_COUNT_LIMIT = 1_000


def count_limit(params):
    """How far a contribution list with these query parameters counts its rows; None for all of them."""
    return SEARCH_COUNT_LIMIT if params.get("q", "").strip() else None


class ContributionFilter(django_filters.FilterSet):
    nation = NationCodeFilter()
    category = CSVMultipleChoiceFilter(choices=Category.choices, help_text="Several allowed.")
    capability = CSVMultipleChoiceFilter(choices=Capability.choices, help_text="Several allowed.")
    status = CSVMultipleChoiceFilter(choices=Contribution.Status.choices, help_text="Several allowed.")
    meeting = SlugFilter(queryset=Meeting.objects.all(), help_text="Meeting slug; several allowed.")
    official = SlugFilter(queryset=Official.objects.all(), help_text="Official slug; several allowed.")
    announced_after = django_filters.DateFilter(
        field_name="announced",
        lookup_expr="gte",
        input_formats=ISO_DATE,
        label="Announced on or after",
        help_text="ISO date, YYYY-MM-DD.",
    )
    announced_before = django_filters.DateFilter(
        field_name="announced",
        lookup_expr="lte",
        input_formats=ISO_DATE,
        label="Announced on or before",
        help_text="ISO date, YYYY-MM-DD.",
    )
    q = django_filters.CharFilter(method="search", label="Search", help_text="Text in descriptions and quotes.")
    ordering = OrderingFilter(
        fields=(
            ("announced", "announced"),
            ("nation__name", "nation"),
            ("category", "category"),
            ("status", "status"),
            ("quantity", "quantity"),
            ("amount", "amount"),
            ("id", "id"),
        ),
        help_text="Field to sort by; prefix with - for descending.",
    )

    class Meta:
        model = Contribution
        fields = ["nation", "category", "capability", "status", "meeting", "official"]

    def search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def queryset_without(self, *names):
        """The rows that every valid filter except `names` selects, unordered: the base of a facet count.

        Uses the already-cleaned values, so the nation, meeting and official lookups are not run again.
        """
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names and name != "ordering":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()


class NationFilter(django_filters.FilterSet):
    role = CSVMultipleChoiceFilter(choices=Nation.Role.choices, help_text="Several allowed.")
    category = CSVMultipleChoiceFilter(
        choices=Category.choices,
        method="filter_category",
        label="Contributed",
        help_text="Nations with a contribution in these categories.",
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    ordering = OrderingFilter(
        fields=(("name", "name"), ("role", "role"), ("joined", "joined"), ("contribution_count", "contributions")),
        help_text="Field to sort by; prefix with - for descending.",
    )

    class Meta:
        model = Nation
        fields = ["role"]

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        given = Contribution.objects.filter(nation=OuterRef("pk"), category__in=value)
        return queryset.filter(Exists(given))


class MeetingFilter(django_filters.FilterSet):
    kind = CSVMultipleChoiceFilter(choices=Meeting.Kind.choices, help_text="Several allowed.")
    status = CSVMultipleChoiceFilter(choices=Meeting.Status.choices, help_text="Several allowed.")
    nation = NationCodeFilter(method="filter_nation", help_text="Meetings these nations took part in.")
    date_after = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        input_formats=ISO_DATE,
        label="On or after",
        help_text="ISO date, YYYY-MM-DD.",
    )
    date_before = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        input_formats=ISO_DATE,
        label="On or before",
        help_text="ISO date, YYYY-MM-DD.",
    )
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    ordering = OrderingFilter(
        fields=(("date", "date"), ("title", "title"), ("kind", "kind")),
        help_text="Field to sort by; prefix with - for descending.",
    )

    class Meta:
        model = Meeting
        fields = ["kind", "status"]

    def filter_nation(self, queryset, name, value):
        if not value:
            return queryset
        took_part = Participation.objects.filter(meeting=OuterRef("pk"), nation__in=value)
        return queryset.filter(Exists(took_part))


class OfficialFilter(django_filters.FilterSet):
    nation = NationCodeFilter()
    q = django_filters.CharFilter(method="search", label="Name or title contains")
    ordering = OrderingFilter(
        fields=(("name", "name"), ("nation__name", "nation")),
        help_text="Field to sort by; prefix with - for descending.",
    )

    class Meta:
        model = Official
        fields = ["nation"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value) | Q(name_variants__icontains=value))
