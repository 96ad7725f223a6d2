"""Nations and the officials who speak for them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .choices import DatePrecision, NationRole, format_date
from .constraints import date_in_range
from .fields import CharField, DateField, TextField


class NationQuerySet(models.QuerySet):
    def named_by(self, model):
        """The nations that some row of `model` refers to through its `nation` field."""
        return self.filter(Exists(model.objects.filter(nation=OuterRef("pk"))))

    def with_counts(self):
        """Annotate `contribution_count`. A subquery, not a join with GROUP BY, keeps the default ordering."""
        from .contributions import Contribution

        counts = (
            Contribution.objects.filter(nation=OuterRef("pk"))
            .order_by()
            .values("nation")
            .annotate(count=Count("*"))
            .values("count")
        )
        return self.annotate(contribution_count=Coalesce(Subquery(counts), 0))


class Nation(models.Model):
    """A country named in the sources, with its place in the coalition."""

    Role = NationRole

    country = CountryField(help_text="ISO 3166-1 country.")
    # Stored, not only derived from country, so lists can sort and search on it in the database.
    name = CharField(max_length=100, blank=True, help_text="Defaults to the ISO short name.")
    role = CharField(max_length=20, choices=Role.choices)
    joined = DateField(null=True, blank=True, help_text="When it joined the coalition, where known.")
    joined_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY, blank=True)
    notes = TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = NationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # One record per country: contributions for a nation must not split across duplicates.
            models.UniqueConstraint(fields=["country"], name="nation_unique_country"),
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
        ]

    def __str__(self):
        return self.name or self.country.name

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = self.country.name
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("nation-detail", args=[self.slug])

    @property
    def code(self):
        return self.country.code

    @property
    def slug(self):
        return self.country.code.lower()

    @property
    def joined_display(self):
        return format_date(self.joined, self.joined_precision)


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
