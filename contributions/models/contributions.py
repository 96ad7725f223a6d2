"""What nations contributed, and what the coalition's leaders asked for."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import AmountBasis, Capability, Category, ContributionStatus, DatePrecision, Unit, format_date
from .constraints import date_in_range, known_value, non_negative
from .fields import CharField, DateField, TextField
from .meetings import Meeting
from .nations import Nation, Official

# Ten trillion dollars: more than any state's budget, and within what every database reads back exactly.
MAX_AMOUNT = 10**13


class ContributionQuerySet(models.QuerySet):
    def with_related(self):
        """The shape every contribution list and detail needs: no query per row."""
        from .citations import Citation

        return self.select_related("nation", "meeting", "official").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.with_words())
        )

    def with_lines(self):
        """Each row's lines of effort, for the columns and pages that name them: one query for all rows."""
        return self.prefetch_related("lines_of_effort")

    def search(self, text):
        """Rows whose description or any citation quote contains `text`, case-insensitively."""
        # One column holds both (see search_document), so PostgreSQL can answer from its trigram index
        # when few rows match, or walk the list order and stop at a page when many do.
        return self.filter(search_text__icontains=text)

    def reindex(self):
        """Rebuild search_text for these rows. Writes through the model's signals call this for you."""
        from .citations import Citation

        quotes = {}
        for contribution_id, quote in (
            Citation.objects.filter(contribution__in=self.values("pk"))
            .with_words_text()
            .order_by("pk")
            .values_list("contribution_id", "words_text")
        ):
            quotes.setdefault(contribution_id, []).append(quote)
        for pk, description in self.values_list("pk", "description"):
            self.model.objects.filter(pk=pk).update(search_text=search_document(description, quotes.get(pk, [])))


def search_document(description, quotes):
    """What a contribution search looks in: the description and every quote citing it."""
    # A line break between parts keeps a match from spanning the end of one and the start of the next.
    return "\n".join([description, *quotes])


class Contribution(models.Model):
    """What a nation gave, pledged or was asked for."""

    Status = ContributionStatus

    Unit = Unit

    AmountBasis = AmountBasis

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="contributions")
    category = CharField(max_length=30, choices=Category.choices)
    capability = CharField(max_length=30, choices=Capability.choices, blank=True)
    status = CharField(max_length=30, choices=Status.choices)
    description = TextField()
    quantity = models.IntegerField(null=True, blank=True)
    quantity_before = models.IntegerField(
        null=True, blank=True, help_text="The level before this contribution, where a source gives it (12 → 38)."
    )
    unit = CharField(max_length=20, choices=Unit.choices, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = CharField(max_length=3, blank=True, help_text="ISO 4217 code; amounts are stored in USD.")
    amount_basis = CharField(max_length=20, choices=AmountBasis.choices, blank=True)
    announced = DateField(null=True, blank=True)
    announced_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions")
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions"
    )
    updated = models.DateTimeField(auto_now=True)
    search_text = TextField(
        blank=True, editable=False, help_text="Description and citation quotes, kept by signals for search."
    )

    # search_text is derived, so a change to it is not an edit worth a history entry.
    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["announced", "pk"]
        constraints = [
            # A negative number of aircraft or troops is a typing error, not data.
            non_negative("quantity", "contribution_quantity_non_negative", "Quantity cannot be negative."),
            non_negative(
                "quantity_before",
                "contribution_quantity_before_non_negative",
                "The earlier quantity cannot be negative.",
            ),
            # "From 12 to 38" needs the 38 as well as the 12.
            models.CheckConstraint(
                condition=Q(quantity_before__isnull=True) | Q(quantity__isnull=False),
                name="contribution_before_needs_quantity",
                violation_error_message="An earlier quantity needs the new quantity too.",
            ),
            # A count without a unit cannot be read.
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(unit=""),
                name="contribution_quantity_needs_unit",
                violation_error_message="A quantity needs a unit.",
            ),
            non_negative("amount", "contribution_amount_non_negative", "Amount cannot be negative."),
            # SQLite keeps decimals as doubles: 15 significant digits read back; 16 fail to (a 500 on every page).
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__lt=MAX_AMOUNT),
                name="contribution_amount_below_limit",
                violation_error_message="Amounts are below US$10 trillion.",
            ),
            # Money without a currency is meaningless; a currency without money is a stray value.
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) & Q(currency="")) | (Q(amount__isnull=False) & ~Q(currency="")),
                name="contribution_amount_needs_currency",
                violation_error_message="An amount needs a currency, and a currency needs an amount.",
            ),
            # The product stores money in US dollars so amounts can be compared and summed.
            models.CheckConstraint(
                condition=Q(currency__in=["", "USD"]),
                name="contribution_currency_usd",
                violation_error_message="Amounts are stored in USD.",
            ),
            known_value("category", Category, "contribution_category_valid"),
            known_value("capability", Capability, "contribution_capability_valid", blank=True),
            known_value("status", ContributionStatus, "contribution_status_valid"),
            known_value("unit", Unit, "contribution_unit_valid", blank=True),
            known_value("amount_basis", AmountBasis, "contribution_amount_basis_valid", blank=True),
            known_value("announced_precision", DatePrecision, "contribution_precision_valid"),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("announced", "contribution_announced_in_range"),
        ]
        indexes = [
            # The lists sort by (announced, id): ending each index in that order lets a filtered page
            # be read off the index in order, LIMIT rows, instead of sorting every match.
            models.Index(fields=["nation", "category", "announced", "id"], name="contribution_nation_cat_idx"),
            # A nation's profile and list without a category: SQLite otherwise sorts all of a leading
            # nation's rows (150,000 of a million) for the first 50.
            models.Index(fields=["nation", "announced", "id"], name="contribution_nation_date_idx"),
            # Counts by nation, category and status (the summary, facets, a nation's profile) read this
            # index alone, in group order, without touching the table.
            models.Index(fields=["nation", "category", "status"], name="contribution_nation_status_idx"),
            models.Index(fields=["category", "status"], name="contribution_cat_status_idx"),
            models.Index(fields=["status"], name="contribution_status_idx"),
            models.Index(fields=["announced", "id"], name="contribution_announced_idx"),
        ]

    def __str__(self):
        return f"{self.nation}: {self.get_category_display()} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("contribution-detail", args=[self.pk])

    def clean(self):
        errors = {}
        negatives = {
            "quantity": "Quantity cannot be negative.",
            "quantity_before": "The earlier quantity cannot be negative.",
            "amount": "Amount cannot be negative.",
        }
        for field, message in negatives.items():
            if getattr(self, field) is not None and getattr(self, field) < 0:
                errors[field] = message
        if self.amount is not None and self.amount >= MAX_AMOUNT:
            errors["amount"] = "Amounts are below US$10 trillion."
        if self.amount is not None and not self.currency:
            errors["currency"] = "An amount needs a currency."
        if self.currency and self.amount is None:
            errors["amount"] = "A currency needs an amount."
        if self.currency and self.currency != "USD":
            errors["currency"] = "Convert the amount to US dollars and enter USD."
        if self.quantity is not None and not self.unit:
            errors["unit"] = "A quantity needs a unit."
        if self.quantity_before is not None and self.quantity is None:
            errors["quantity"] = "An earlier quantity needs the new quantity too."
        if errors:
            raise ValidationError(errors)

    @property
    def announced_display(self):
        return format_date(self.announced, self.announced_precision)


class CapabilityRequestQuerySet(models.QuerySet):
    def with_related(self):
        """The shape every list of requests needs: who asked, where, and the citations; no query per row."""
        from .citations import Citation

        return self.select_related("requested_by", "official", "meeting").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.with_words())
        )


class CapabilityRequest(models.Model):
    """A capability the coalition's leaders asked partners to supply, not yet tied to one nation."""

    capability = CharField(max_length=30, choices=Capability.choices)
    category = CharField(max_length=30, choices=Category.choices)
    description = TextField()
    requested_by = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="capability_requests", help_text="The nation asking."
    )
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="capability_requests"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="capability_requests"
    )
    announced = DateField(null=True, blank=True)
    announced_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CapabilityRequestQuerySet.as_manager()

    class Meta:
        ordering = ["announced", "pk"]
        constraints = [
            known_value("capability", Capability, "request_capability_valid"),
            known_value("category", Category, "request_category_valid"),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("announced", "request_announced_in_range"),
        ]
        indexes = [models.Index(fields=["capability"], name="request_capability_idx")]

    def __str__(self):
        return f"{self.get_capability_display()} requested by {self.requested_by}"

    def get_absolute_url(self):
        return reverse("matrix") + f"#request-{self.pk}"

    @property
    def announced_display(self):
        return format_date(self.announced, self.announced_precision)
