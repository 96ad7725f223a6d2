"""Every FilterSet: the researchers' pages, the API and the exports filter through these, so a
parameter means the same wherever it is used.

Every parameter takes several values, repeated (?nation=fr&nation=it) or comma-separated
(?nation=fr,it). A partner is named by its slug: a country's ISO code (either case) or an
organization's short name (?partner=fr,eu); `nation` is the same filter under its first name. An
unknown value is an error, never silently ignored. Every list ends its order with the id, so rows
that tie on the sort key cannot repeat or vanish between pages.
"""

import django_filters
from django.db.models import Q

from ..models.choices import Capability, Category, TheatreCode
from ..models.contributions import Contribution
from ..models.lines import LineOfEffort
from ..models.meetings import Meeting, Participation
from ..models.nations import Nation, Official
from .base import (
    PARTNER_HELP,
    AsOfFilter,
    CSVMultipleChoiceFilter,
    FilterSet,
    IsoDateFilter,
    NationCodeFilter,
    OrderingFilter,
    SlugFilter,
    VerifiedFilter,
    as_of_date,
    having,
    partner_filters,
)
from .records import (
    CapabilityRequestFilter,
    CitationFilter,
    FigureFilter,
    LineLeadFilter,
    LineOfEffortFilter,
    ParticipationFilter,
    RoleStatementFilter,
    SourceFilter,
    StatusEventFilter,
)

# The API's lists and the views that need the as-of date import these from here, with the researchers' lists.
__all__ = [
    "CapabilityRequestFilter",
    "CitationFilter",
    "ContributionFilter",
    "FigureFilter",
    "FilterSet",
    "LineLeadFilter",
    "LineOfEffortFilter",
    "MeetingFilter",
    "NationFilter",
    "OfficialFilter",
    "ParticipationFilter",
    "RoleStatementFilter",
    "SourceFilter",
    "StatusEventFilter",
    "as_of_date",
]


# --- The researchers' lists -----------------------------------------------------------------------


class ContributionFilter(FilterSet):
    # Applied first (FilterSet.cleaned_in_order): the other filters and the facets read the state then.
    as_of = AsOfFilter(
        method="filter_as_of",
        help_text="The tracker as it stood on this date (YYYY-MM-DD): only what was known by then, with the "
        "status, quantity and amount of that day. Blank: today.",
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
        return queryset.with_status(value, self.form.cleaned_data.get("as_of")) if value else queryset

    def queryset_without(self, *names, state=True):
        """As FilterSet.queryset_without(); with state=False, as of a date, the rows known then without
        their state then. A count that does not read the status is spared joining every row to its event
        in force (at a million rows, that join costs ten times the count)."""
        as_of = self.form.cleaned_data.get("as_of")
        if state or not as_of:
            return super().queryset_without(*names)
        return super().queryset_without("as_of", *names).known_on(as_of)

    def rows_to_count(self):
        """The rows a paginator counts: these filters' rows, without their state."""
        return self.queryset_without(state=False)


class NationFilter(FilterSet):
    as_of = AsOfFilter(
        method="filter_as_of",
        help_text="Partners as they stood on this date (YYYY-MM-DD): not those that joined later, and their "
        "contributions known by then. Blank: today.",
    )
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

    def filter_as_of(self, queryset, name, value):
        return queryset.partners_on(value).with_counts(value)


class MeetingFilter(FilterSet):
    as_of = AsOfFilter(
        method=lambda queryset, name, value: queryset.held_by(value),
        help_text="Meetings as the tracker stood on this date (YYYY-MM-DD): those dated by then, with the "
        "contributions and requests known then. Blank: today.",
    )
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
    as_of = AsOfFilter(
        method=lambda queryset, name, value: queryset.in_office_by(value),
        help_text="Officials as the tracker stood on this date (YYYY-MM-DD): not those taking office later, "
        "and what they had said and pledged by then. Blank: today.",
    )
    nation, partner = partner_filters()
    q = django_filters.CharFilter(method="search", label="Name or title contains")
    ordering = OrderingFilter(fields=(("name", "name"), ("nation__name", "nation")))

    class Meta:
        model = Official
        fields = ["nation"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value) | Q(name_variants__icontains=value))
