"""Partners (the countries and international organizations in the coalition), and the officials who
speak for them."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .choices import DatePrecision, NationRole, PartnerKind, format_date
from .constraints import date_in_range, known_value
from .fields import CharField, DateField, TextField


class NationQuerySet(models.QuerySet):
    def named_by(self, model):
        """The nations that some row of `model` refers to through its `nation` field."""
        return self.filter(Exists(model.objects.filter(nation=OuterRef("pk"))))

    def with_counts(self, as_of=None):
        """Annotate `contribution_count`, of those known on `as_of` where given. A subquery, not a join with
        GROUP BY, keeps the default ordering."""
        from .contributions import Contribution

        contributions = Contribution.objects.known_on(as_of) if as_of else Contribution.objects.all()
        counts = (
            contributions.filter(nation=OuterRef("pk"))
            .order_by()
            .values("nation")
            .annotate(count=Count("*"))
            .values("count")
        )
        return self.annotate(contribution_count=Coalesce(Subquery(counts), 0))

    def partners_on(self, day):
        """Those that were partners on `day`: not joining later. One whose joining date is unknown stays."""
        return self.exclude(joined__gt=day)

    def by_key(self, key):
        """The partner a URL or a spreadsheet names: an organization's slug, or an ISO code in either case."""
        return self.filter(slug=key.strip().lower())


# An organization's slug: lower-case words joined by hyphens, three characters at least, so it can
# never be taken for a country's two-letter code...
ORGANIZATION_SLUG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# ...except the two codes ISO 3166 reserves for organizations, which no country can ever be given.
RESERVED_ORGANIZATION_CODES = ["eu", "un"]
ORGANIZATION_SLUG_MESSAGE = (
    "An organization's slug is lower-case words joined by hyphens, three characters at least "
    "(eu and un, which ISO 3166 reserves for them, aside), so it cannot be a country's code."
)


def is_organization_slug(slug):
    return bool(re.match(ORGANIZATION_SLUG, slug)) and (len(slug) >= 3 or slug in RESERVED_ORGANIZATION_CODES)


class Nation(models.Model):
    """A partner in the coalition: a country, or an international organization (the EU, the Arab League).

    The class keeps its first name, so its table and every `nation` foreign key stay as they are.
    """

    Role = NationRole
    Kind = PartnerKind

    kind = CharField(max_length=20, choices=Kind.choices, default=Kind.COUNTRY)
    # The key in URLs, filters, the API and imports: a country's ISO code in lower case, an organization's
    # short name ("eu", "arab-league").
    slug = models.SlugField(
        max_length=40,
        blank=True,
        db_index=False,  # nation_unique_slug indexes it
        help_text="A country's ISO code in lower case (set for you); an organization's short name "
        "(arab-league), three characters at least, or eu or un.",
    )
    country = CountryField(blank=True, help_text="ISO 3166-1 country; blank for an organization.")
    # Stored, not only derived from country, so lists can sort and search on it in the database.
    name = CharField(max_length=100, blank=True, help_text="Defaults to the ISO short name.")
    role = CharField(
        max_length=20,
        choices=Role.choices,
        help_text="Its current role: set from its latest role statement, where it has any.",
    )
    joined = DateField(null=True, blank=True, help_text="When it joined the coalition, where known.")
    joined_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY, blank=True)
    notes = TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = NationQuerySet.as_manager()

    class Meta:
        verbose_name = "partner"
        ordering = ["name"]
        constraints = [
            # One record per country: contributions for a nation must not split across duplicates.
            models.UniqueConstraint(
                fields=["country"], condition=Q(kind=PartnerKind.COUNTRY), name="nation_unique_country"
            ),
            # Pages, filters, the API and imports find a partner by its slug.
            models.UniqueConstraint(fields=["slug"], name="nation_unique_slug"),
            # Filters and the map tell countries from organizations by kind.
            known_value("kind", PartnerKind, "nation_kind_valid"),
            # A country is its ISO code; an organization has none, or it would take a country's outline and key.
            models.CheckConstraint(
                condition=(Q(kind=PartnerKind.COUNTRY) & ~Q(country="")) | Q(kind=PartnerKind.ORGANIZATION, country=""),
                name="nation_country_iff_country",
                violation_error_message="A country needs its ISO code; an organization has none.",
            ),
            # A country's key is its code, so /nations/fr/ and ?nation=fr keep finding it.
            models.CheckConstraint(
                condition=~Q(kind=PartnerKind.COUNTRY) | Q(slug=Lower("country")),
                name="nation_country_slug_is_code",
                violation_error_message="A country's slug is its ISO code in lower case.",
            ),
            # Hyphenated words of three characters at least (or eu, un): never a two-letter country code.
            models.CheckConstraint(
                condition=~Q(kind=PartnerKind.ORGANIZATION)
                | (
                    Q(slug__regex=ORGANIZATION_SLUG)
                    & (Q(slug__regex=r"^.{3,}$") | Q(slug__in=RESERVED_ORGANIZATION_CODES))
                ),
                name="nation_organization_slug_valid",
                violation_error_message=ORGANIZATION_SLUG_MESSAGE,
            ),
            # Role filters and the matrix rely on a known role.
            models.CheckConstraint(
                condition=Q(role__in=NationRole.values),
                name="nation_role_valid",
                violation_error_message="Unknown role.",
            ),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("joined", "nation_joined_in_range"),
        ]
        indexes = [
            models.Index(fields=["role"], name="nation_role_idx"),
            models.Index(fields=["name"], name="nation_name_idx"),
            models.Index(fields=["kind"], name="nation_kind_idx"),
        ]

    def __str__(self):
        return self.name or (self.country.name if self.country else self.slug)

    def save(self, *args, **kwargs):
        if self.kind == PartnerKind.COUNTRY and self.country:
            self.slug = str(self.country).lower()
            if not self.name:
                self.name = self.country.name
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partner-detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.kind == PartnerKind.COUNTRY:
            if not self.country:
                errors["country"] = "A country needs its ISO code."
            else:
                # Mirrors nation_country_slug_is_code; save() sets it, and validation should not refuse it first.
                self.slug = str(self.country).lower()
        elif self.kind == PartnerKind.ORGANIZATION:
            if self.country:
                errors["country"] = "An organization has no country code; leave it blank."
            if not self.name:
                errors["name"] = "An organization needs its name."
            if not self.slug:
                errors["slug"] = "An organization needs its slug."
            elif not is_organization_slug(self.slug):
                errors["slug"] = ORGANIZATION_SLUG_MESSAGE
        if errors:
            raise ValidationError(errors)

    @property
    def is_country(self):
        return self.kind == PartnerKind.COUNTRY

    @property
    def code(self):
        """A country's ISO code (upper case, as before); an organization's slug, as it has no code."""
        return partner_code(self.kind, self.country.code, self.slug)

    @property
    def joined_display(self):
        return format_date(self.joined, self.joined_precision)


def partner_code(kind, country, slug):
    """A partner's code from its kind, country and slug: a Nation's, or a .values() row's."""
    return country if kind == PartnerKind.COUNTRY else slug


class OfficialQuerySet(models.QuerySet):
    def in_office_by(self, day):
        """Those not taking office after `day`: the officials the tracker knew of then. One whose tenure's
        start is unknown stays."""
        return self.exclude(tenure_start__gt=day)


class Official(models.Model):
    """A person named or quoted in the sources in an official capacity."""

    slug = models.SlugField(max_length=120)
    name = CharField(max_length=200, help_text="The correct spelling.")
    title = CharField(max_length=300, help_text="Title or office, as the articles give it.")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="officials")
    tenure_start = DateField(null=True, blank=True)
    tenure_start_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    tenure_end = DateField(null=True, blank=True)
    tenure_end_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    name_variants = CharField(
        max_length=300, blank=True, help_text="Other spellings used in the sources, comma-separated."
    )
    spelling_note = TextField(
        blank=True, help_text="Where a source misspells the name: what it prints, and the correct form."
    )
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    objects = OfficialQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Official pages and API lookups use the slug.
            models.UniqueConstraint(fields=["slug"], name="official_unique_slug"),
            # A tenure cannot end before it starts.
            models.CheckConstraint(
                condition=Q(tenure_end__isnull=True)
                | Q(tenure_start__isnull=True)
                | Q(tenure_end__gte=F("tenure_start")),
                name="official_tenure_ordered",
                violation_error_message="Tenure cannot end before it starts.",
            ),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("tenure_start", "official_tenure_start_in_range"),
            date_in_range("tenure_end", "official_tenure_end_in_range"),
        ]
        indexes = [models.Index(fields=["name"], name="official_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.title})"

    def get_absolute_url(self):
        return reverse("official-detail", args=[self.slug])

    def clean(self):
        if self.tenure_start and self.tenure_end and self.tenure_end < self.tenure_start:
            raise ValidationError({"tenure_end": "Tenure cannot end before it starts."})

    @property
    def tenure_display(self):
        start = format_date(self.tenure_start, self.tenure_start_precision)
        end = format_date(self.tenure_end, self.tenure_end_precision)
        if start and end:
            return f"{start} – {end}"
        return f"from {start}" if start else (f"until {end}" if end else "")
