"""Every FilterSet: the researchers' pages, the API and the exports filter through these, so a
parameter means the same wherever it is used.

Every parameter takes several values, repeated (?nation=fr&nation=it) or comma-separated
(?nation=fr,it). A partner is named by its slug: a country's ISO code (either case) or an
organization's short name (?partner=fr,eu); `nation` is the same filter under its first name. An
unknown value is an error, never silently ignored. Every list ends its order with the id, so rows
that tie on the sort key cannot repeat or vanish between pages.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q

from .forms import (
    ISO_DATE,
    CheckboxesWithCounts,
    CSVModelMultipleChoiceField,
    CSVMultipleChoiceField,
    IdsField,
    PartnerKeyField,
    StrictBooleanField,
)
from .models.choices import Capability, Category, ContributionStatus, NationRole, TheatreCode
from .models.citations import CITATION_TARGETS, Citation
from .models.contributions import STATE, CapabilityRequest, Contribution
from .models.events import StatusEvent
from .models.fields import DateField
from .models.lines import LineLead, LineOfEffort
from .models.meetings import Figure, Meeting, Participation
from .models.nations import Nation, Official
from .models.roles import RoleStatement
from .models.sources import Source

ORDERING_HELP = "Field to sort by; prefix with - for descending."
SEVERAL = "Several allowed."


def with_tie_break(queryset):
    """The queryset's order, ended by the id if it is not already part of it."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
    if not {"pk", "-pk", "id", "-id"} & set(ordering):
        queryset = queryset.order_by(*ordering, "pk")
    return queryset


def having(model, link, field):
    """A filter method keeping the rows that some `model` row points at (through `link`) with `field` in
    the chosen values: "nations with a contribution in these categories"."""

    def method(queryset, name, value):
        if not value:
            return queryset
        related = model.objects.filter(**{link: OuterRef("pk"), f"{field}__in": value})
        return queryset.filter(Exists(related))

    return method


# --- Fields and filters ---------------------------------------------------------------------------


class VerifiedFilter(django_filters.BooleanFilter):
    """Records by whether their quote was found in the source's archived text (see verification.py)."""

    field_class = StrictBooleanField

    def __init__(self, *args, through=None, **kwargs):
        kwargs.setdefault("label", "Verified")
        super().__init__(*args, **kwargs)
        self.through = through  # the Citation field pointing at the filtered record; None for citations

    def filter(self, qs, value):
        if value is None:
            return qs
        if self.through is None:
            return qs.verified(value)
        verified = Citation.objects.filter(**{self.through: OuterRef("pk")}).verified()
        return qs.filter(Exists(verified)) if value else qs.exclude(Exists(verified))


class OrderingFilter(django_filters.OrderingFilter):
    """Blank values (?ordering=,) keep the default order: django-filter would call order_by() with
    nothing, which clears it and lets pages repeat or skip rows."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", ORDERING_HELP)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not any(value or []):
            return qs
        return super().filter(qs, value)

    def get_ordering_value(self, param):
        # As of a date, the status, quantity and amount sort by their state then (see ContributionFilter).
        field = super().get_ordering_value(param)
        name = field.lstrip("-")
        if name in STATE and self.parent is not None and self.parent.form.cleaned_data.get("as_of"):
            return field.replace(name, f"{name}_then")
        return field


class CSVMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CSVMultipleChoiceField

    def __init__(self, *args, **kwargs):
        # Every predicate here is on the row's own columns, so no join can repeat a row.
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("help_text", SEVERAL)
        kwargs.setdefault("widget", CheckboxesWithCounts)
        super().__init__(*args, **kwargs)


class IsoDateFilter(django_filters.DateFilter):
    """A date written YYYY-MM-DD and nothing else."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ISO_DATE)
        kwargs.setdefault("help_text", "ISO date, YYYY-MM-DD.")
        super().__init__(*args, **kwargs)


class RecordFilter(django_filters.ModelMultipleChoiceFilter):
    """Chooses records by a readable key (code or slug) and filters on the records themselves."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", CheckboxesWithCounts)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # django-filter would compare the foreign key with the readable key (nation="FR"), which fails.
        return {self.field_name: v}


PARTNER_HELP = "A country's ISO 3166-1 alpha-2 code (either case) or an organization's slug (eu); several allowed."


class NationCodeFilter(RecordFilter):
    """Partners by slug: a country's code in either case, or an organization's slug."""

    field_class = PartnerKeyField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Nation.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("label", "Partner")
        kwargs.setdefault("help_text", PARTNER_HELP)
        # Pages link to partners by lower-case slug; a ticked box keeps that form in the URL.
        kwargs.setdefault("widget", CheckboxesWithCounts(lowercase=True))
        super().__init__(*args, **kwargs)


def partner_filters(**kwargs):
    """The `partner` filter and `nation`, its first name, which links and clients already use."""
    kwargs.setdefault("field_name", "nation")
    return NationCodeFilter(**kwargs), NationCodeFilter(**kwargs)


class SlugFilter(RecordFilter):
    field_class = CSVModelMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


def records(field_name):
    """Filter on a foreign key by the records a key filter chose, whatever key it reads them by."""

    def method(queryset, name, value):
        return queryset.filter(**{f"{field_name}__in": value}) if value else queryset

    return method


class FilterSet(django_filters.FilterSet):
    def filter_queryset(self, queryset):
        for name, value in self.cleaned_in_order():
            queryset = self.filters[name].filter(queryset, value)
        return with_tie_break(queryset)

    def cleaned_in_order(self):
        """The cleaned values, an as-of date first: the filters after it read the state on that date."""
        return sorted(self.form.cleaned_data.items(), key=lambda item: item[0] != "as_of")

    def queryset_without(self, *names):
        """The rows that every valid filter except `names` selects, unordered: the base of a facet count.

        Uses the already-cleaned values, so the nation, meeting and official lookups are not run again.
        """
        queryset = self.queryset.all()
        for name, value in self.cleaned_in_order():
            if name not in names and name != "ordering":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()


# --- The researchers' lists -----------------------------------------------------------------------


class ContributionFilter(FilterSet):
    # Applied first (FilterSet.cleaned_in_order): the other filters and the facets read the state then.
    as_of = IsoDateFilter(
        method="filter_as_of",
        label="As of",
        help_text="The tracker as it stood on this date (YYYY-MM-DD): only what was known by then, with the "
        "status, quantity and amount of that day. Blank: today.",
        validators=DateField.default_validators,
    )
    nation, partner = partner_filters()
    category = CSVMultipleChoiceFilter(choices=Category.choices)
    capability = CSVMultipleChoiceFilter(choices=Capability.choices)
    status = CSVMultipleChoiceFilter(choices=Contribution.Status.choices, method="filter_status")
    meeting = SlugFilter(queryset=Meeting.objects.all(), help_text="Meeting slug; several allowed.")
    official = SlugFilter(queryset=Official.objects.all(), help_text="Official slug; several allowed.")
    line = SlugFilter(
        queryset=LineOfEffort.objects.all(),
        method=having(LineOfEffort.contributions.through, "contribution", "lineofeffort"),
        label="Line of effort",
        help_text="Contributions serving these lines of effort (slug); several allowed.",
    )
    announced_after = IsoDateFilter(field_name="announced", lookup_expr="gte", label="Announced on or after")
    announced_before = IsoDateFilter(field_name="announced", lookup_expr="lte", label="Announced on or before")
    q = django_filters.CharFilter(method="search", label="Search", help_text="Text in descriptions and quotes.")
    verified = VerifiedFilter(
        through="contribution",
        help_text="true: contributions with a quote verified against its source's archived text; false: none verified.",
    )
    # Through the link table, as EXISTS: a contribution in Iraq and Syria is one row, not two.
    theatre = CSVMultipleChoiceFilter(
        choices=TheatreCode.choices,
        method=having(Contribution.theatres.through, "contribution", "theatre"),
        label="Theatre",
        help_text="Contributions operating in any of these theatres; several allowed.",
    )
    host = NationCodeFilter(
        label="Host", help_text="The partner hosting the deployment: ISO code, either case; several."
    )
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
    )

    class Meta:
        model = Contribution
        fields = ["nation", "category", "capability", "status", "meeting", "official"]

    def search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_as_of(self, queryset, name, value):
        return queryset.as_of(value) if value else queryset

    def filter_status(self, queryset, name, value):
        # As of a date, the status then.
        return queryset.filter(**{f"{queryset.state_field('status')}__in": value}) if value else queryset


class NationFilter(FilterSet):
    kind = CSVMultipleChoiceFilter(choices=Nation.Kind.choices, help_text="Countries, organizations or both.")
    role = CSVMultipleChoiceFilter(choices=Nation.Role.choices)
    category = CSVMultipleChoiceFilter(
        choices=Category.choices,
        method=having(Contribution, "nation", "category"),
        label="Contributed",
        help_text="Nations with a contribution in these categories.",
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    ordering = OrderingFilter(
        fields=(("name", "name"), ("role", "role"), ("joined", "joined"), ("contribution_count", "contributions")),
    )

    class Meta:
        model = Nation
        fields = ["kind", "role"]


class MeetingFilter(FilterSet):
    kind = CSVMultipleChoiceFilter(choices=Meeting.Kind.choices)
    status = CSVMultipleChoiceFilter(choices=Meeting.Status.choices)
    series = CSVMultipleChoiceFilter(choices=Meeting.Series.choices)
    nation, partner = partner_filters(
        method=having(Participation, "meeting", "nation"), help_text=f"Meetings these took part in. {PARTNER_HELP}"
    )
    date_after = IsoDateFilter(field_name="date", lookup_expr="gte", label="On or after")
    date_before = IsoDateFilter(field_name="date", lookup_expr="lte", label="On or before")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    ordering = OrderingFilter(fields=(("date", "date"), ("title", "title"), ("kind", "kind")))

    class Meta:
        model = Meeting
        fields = ["kind", "status", "series"]


class OfficialFilter(FilterSet):
    nation, partner = partner_filters()
    q = django_filters.CharFilter(method="search", label="Name or title contains")
    ordering = OrderingFilter(fields=(("name", "name"), ("nation__name", "nation")))

    class Meta:
        model = Official
        fields = ["nation"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value) | Q(name_variants__icontains=value))


# --- Lists only the API offers --------------------------------------------------------------------


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
