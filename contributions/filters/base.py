"""The building blocks of every FilterSet: the base class, the filters for choices, records, dates
and the as-of date, and the ordering that always ends with the id."""

import django_filters
from django.db.models import Exists, OuterRef

from ..forms import (
    ISO_DATE,
    CheckboxesWithCounts,
    CSVModelMultipleChoiceField,
    CSVMultipleChoiceField,
    IdsField,
    PartnerKeyField,
    StrictBooleanField,
)
from ..models.citations import Citation
from ..models.contributions import STATE
from ..models.fields import DateField
from ..models.nations import Nation

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


class AsOfFilter(IsoDateFilter):
    """?as_of=YYYY-MM-DD: a list as the tracker stood on that date. Each list's filter says, in its help
    text and its method, what that means for its rows; it is applied before the others (cleaned_in_order)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "As of")
        kwargs.setdefault("validators", DateField.default_validators)
        super().__init__(*args, **kwargs)


def as_of_date(filterset):
    """The valid as-of date a filter set was given, or None: what the counts beside its rows read."""
    return filterset.form.cleaned_data.get("as_of") if filterset.is_valid() else None


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
    def get_form_class(self):
        # django-filter makes a form class, and a form field for every filter, for each request: a third
        # of the cost of filtering a list. The fields depend on the FilterSet class alone (no filter
        # here takes its queryset from the request), and each form still works on copies of them.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

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
