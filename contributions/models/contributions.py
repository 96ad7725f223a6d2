"""What nations contributed, and what the coalition's leaders asked for."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import (
    CURRENCIES,
    AmountBasis,
    Capability,
    Category,
    ContributionStatus,
    DatePrecision,
    Qualifier,
    Unit,
    format_date,
    format_quantity,
)
from .constraints import below, date_in_range, known_value, non_negative
from .fields import CharField, DateField, TextField
from .meetings import Meeting
from .nations import Nation, Official
from .theatres import Theatre

# Ten trillion dollars: more than any state's budget, and within what every database reads back exactly.
MAX_AMOUNT = 10**13

# What a contribution's status events set, so what changes with the as-of date: each field, and the
# column of an event that holds it as it stood from that event's date.
STATE = {
    "status": "status",
    "quantity": "state_quantity",
    "quantity_qualifier": "state_quantity_qualifier",
    "amount": "state_amount",
}

UNIT_LABELS = dict(Unit.choices)
ENDS = ("started", "ended")  # the dates a deployment or programme ran between, each with its precision


def quantity_in_words(quantity, qualifier, unit, before=None):
    """ "about 1,830 personnel": the one way pages, exports and the API show a quantity (the API's list
    rows pass the values of a row; everything else, a contribution's)."""
    return format_quantity(quantity, qualifier, UNIT_LABELS.get(unit, unit), before)


class AsOfIterable(models.query.ModelIterable):
    """Contributions as they stood on the as-of date: the state then stands in for the latest, so the
    pages, serializers and exports that read `status` show it without knowing about dates."""

    def __iter__(self):
        for contribution in super().__iter__():
            for name in STATE:
                setattr(contribution, name, getattr(contribution, f"{name}_then"))
            yield contribution


class ContributionQuerySet(models.QuerySet):
    def as_of(self, day):
        """Those known on `day` (an event dated on or before it), each with its state then as
        `status_then`, `quantity_then`, `quantity_qualifier_then` and `amount_then`; model instances
        read back carry that state in `status`, `quantity` and `amount` too."""
        from .events import in_force

        # A join, not a subquery per row and field: the event in force on a day is one per contribution
        # (its valid_until is the next event's date), so it neither repeats rows nor needs a LIMIT, and
        # an inner join also drops the contributions not known by then.
        queryset = (
            self.filter(known_on(day))
            .annotate(event_then=FilteredRelation("events", condition=in_force(day, "events__")))
            .filter(event_then__isnull=False)
            .annotate(**{f"{name}_then": F(f"event_then__{column}") for name, column in STATE.items()})
        )
        queryset._iterable_class = AsOfIterable
        return queryset

    def known_on(self, day):
        """Those known on `day`: with a status event dated on or before it. Cheaper than as_of() where
        only the rows matter, not their state (a count of them): no join."""
        return self.filter(known_on(day))

    def with_status(self, statuses, day=None):
        """Those whose status is one of `statuses`, on `day` where given: the state then where as_of()
        joined it, else whether the event in force that day has one of them."""
        from .events import StatusEvent

        if day is None or "status_then" in self.query.annotations:
            return self.filter(**{f"{self.state_field('status')}__in": statuses})
        events = StatusEvent.objects.in_force_on(day).filter(contribution=OuterRef("pk"), status__in=statuses)
        return self.filter(Exists(events))

    def state_field(self, name):
        """The column holding `name` (status, quantity, amount) for these rows: the as-of state's where
        as_of() chose one, else the contribution's own."""
        return f"{name}_then" if f"{name}_then" in self.query.annotations else name

    def with_related(self):
        """The shape every contribution list and detail needs: no query per row."""
        from .citations import Citation

        return self.select_related("nation", "meeting", "official", "host").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.with_words()), "theatres"
        )

    def spending(self):
        """What partners spent on their own part in the campaign, the largest first."""
        largest = models.F(self.state_field("amount")).desc(nulls_last=True)
        return self.filter(capability=Capability.CAMPAIGN_COST).select_related("nation").order_by(largest, "pk")

    def with_events(self):
        """Each row's status events in date order, with who, where and their citations: one query each."""
        from .citations import Citation
        from .events import StatusEvent

        events = (
            StatusEvent.objects.in_order()
            .select_related("meeting", "official")
            .prefetch_related(models.Prefetch("citations", queryset=Citation.objects.with_words()))
        )
        return self.prefetch_related(models.Prefetch("events", queryset=events))

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


def known_on(day, prefix=""):
    """The condition that a contribution (at `prefix`, a path from the rows filtered, such as
    "contribution__") was known on `day`: its first dated status event is on or before it. The rule
    as_of() and every as-of count use."""
    return Q(**{f"{prefix}known_since__lte": day})


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
    quantity_qualifier = CharField(
        max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT, help_text="How exact the quantity is."
    )
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = CharField(max_length=3, blank=True, help_text="ISO 4217 code; amounts are stored in USD.")
    amount_basis = CharField(max_length=20, choices=AmountBasis.choices, blank=True)
    original_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="The amount in the currency the source gives."
    )
    original_currency = CharField(
        max_length=3,
        blank=True,
        choices=[(code, code) for code in CURRENCIES],
        help_text="ISO 4217 code of the original amount (EUR, GBP); blank for none.",
    )
    exchange_rate = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="US dollars per unit of the original currency.",
    )
    rate_date = DateField(null=True, blank=True, help_text="The day the exchange rate applies to.")
    announced = DateField(null=True, blank=True)
    announced_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    announced_year_inferred = models.BooleanField(
        default=False, help_text="The source prints the day and month but not the year; the editor inferred it."
    )
    started = DateField(null=True, blank=True, help_text="When the deployment or programme began.")
    started_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    ended = DateField(null=True, blank=True, help_text="When it ended; blank while ongoing or not known.")
    ended_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    theatres = models.ManyToManyField(
        Theatre, blank=True, related_name="contributions", help_text="Where it operates; none ticked: not stated."
    )
    host = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_contributions",
        help_text="The partner hosting the deployment (Australian jets based in the UAE: AE).",
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions")
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions"
    )
    updated = models.DateTimeField(auto_now=True)
    search_text = TextField(
        blank=True, editable=False, help_text="Description and citation quotes, kept by signals for search."
    )
    # Kept by update_state() with the events, so an as-of count selects its rows without a join.
    known_since = DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The date of its first dated status event: the tracker as of an earlier date leaves it out.",
    )

    # search_text and known_since are derived, so a change to them is not an edit worth a history entry.
    history = HistoricalRecords(excluded_fields=["search_text", "known_since"])
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
            below("amount", MAX_AMOUNT, "contribution_amount_below_limit", "Amounts are below US$10 trillion."),
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
            # What a partner spent is money: researchers look for it under Financial.
            models.CheckConstraint(
                condition=~Q(capability=Capability.CAMPAIGN_COST) | Q(category=Category.FINANCIAL),
                name="contribution_campaign_cost_is_financial",
                violation_error_message="The cost of a partner's own operations is filed under Financial.",
            ),
            known_value("status", ContributionStatus, "contribution_status_valid"),
            known_value("unit", Unit, "contribution_unit_valid", blank=True),
            known_value("amount_basis", AmountBasis, "contribution_amount_basis_valid", blank=True),
            known_value("announced_precision", DatePrecision, "contribution_precision_valid"),
            known_value("quantity_qualifier", Qualifier, "contribution_quantity_qualifier_valid"),
            *(known_value(f"{d}_precision", DatePrecision, f"contribution_{d}_precision_valid") for d in ENDS),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines. known_since is
            # copied from an event's date, which lies in the range: one outside it is a bug upstream.
            *(date_in_range(d, f"contribution_{d}_in_range") for d in ("announced", *ENDS, "rate_date", "known_since")),
            # A deployment cannot end before it began.
            models.CheckConstraint(
                condition=Q(started__isnull=True) | Q(ended__isnull=True) | Q(ended__gte=F("started")),
                name="contribution_ended_after_started",
                violation_error_message="It cannot end before it started.",
            ),
            # A code outside the list is a typing error that no reader could convert.
            models.CheckConstraint(
                condition=Q(original_currency__in=["", *CURRENCIES]),
                name="contribution_original_currency_valid",
                violation_error_message="Give an ISO 4217 currency code from the list.",
            ),
            # An original amount is only useful with its currency and the rate (and its day) that made
            # the USD figure; any one of them alone is a stray value.
            models.CheckConstraint(
                condition=(
                    Q(original_amount__isnull=True, original_currency="", exchange_rate__isnull=True)
                    & Q(rate_date__isnull=True)
                )
                | (
                    Q(original_amount__isnull=False, exchange_rate__isnull=False, rate_date__isnull=False)
                    & ~Q(original_currency="")
                ),
                name="contribution_original_money_complete",
                violation_error_message="An original amount needs its currency, the exchange rate and the rate's date.",
            ),
            # The original amount sits beside the USD figure it was converted to, never instead of it.
            models.CheckConstraint(
                condition=Q(original_amount__isnull=True) | Q(amount__isnull=False),
                name="contribution_original_needs_usd",
                violation_error_message="An original amount needs the amount in US dollars too.",
            ),
            non_negative("original_amount", "contribution_original_amount_non_negative", "Amount cannot be negative."),
            # Same limit as the USD amount, for the same reason (SQLite reads back 15 digits).
            below(
                "original_amount",
                MAX_AMOUNT,
                "contribution_original_amount_below_limit",
                "Amounts are below 10 trillion.",
            ),
            # A rate of zero or less would make every dollar figure nonsense.
            models.CheckConstraint(
                condition=Q(exchange_rate__isnull=True) | Q(exchange_rate__gt=0),
                name="contribution_exchange_rate_positive",
                violation_error_message="An exchange rate is above zero.",
            ),
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
            # ?host= filters on it, ending in the list order like the others.
            models.Index(fields=["host", "announced", "id"], name="contribution_host_date_idx"),
            # The rows known on a date, for a nation and category or without: an as-of count, the
            # partner facet and the theatre facet (joining by id) read this index alone.
            models.Index(fields=["nation", "category", "known_since", "id"], name="contribution_known_idx"),
        ]

    def __str__(self):
        return f"{self.nation}: {self.get_category_display()} ({self.get_status_display().lower()})"

    def save(self, *args, from_events=False, **kwargs):
        # Its status, quantity and amount are its latest event's: one written here corrects that event
        # in the same transaction, so the two never disagree (models/events.py). A save of the state
        # the events just set, or of other fields only, has nothing to correct.
        from .events import correct_latest_event

        update_fields = kwargs.get("update_fields")
        writes_state = update_fields is None or not set(update_fields).isdisjoint(STATE)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if writes_state and not from_events:
                correct_latest_event(self)

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
        errors.update(self.clean_dates_and_money())
        if errors:
            raise ValidationError(errors)

    def clean_dates_and_money(self):
        errors = {}
        if self.started and self.ended and self.ended < self.started:
            errors["ended"] = "It cannot end before it started."
        if self.original_currency and self.original_currency not in CURRENCIES:
            errors["original_currency"] = f"Give an ISO 4217 code from the list: {', '.join(CURRENCIES)}."
        if self.exchange_rate is not None and self.exchange_rate <= 0:
            errors["exchange_rate"] = "An exchange rate is above zero."
        if self.original_amount is not None and self.original_amount < 0:
            errors["original_amount"] = "Amount cannot be negative."
        if self.original_amount is not None and self.original_amount >= MAX_AMOUNT:
            errors["original_amount"] = "Amounts are below 10 trillion."
        original = {
            "original_amount": self.original_amount,
            "original_currency": self.original_currency or None,
            "exchange_rate": self.exchange_rate,
            "rate_date": self.rate_date,
        }
        if any(value is not None for value in original.values()):
            for name, value in original.items():
                if value is None:
                    errors.setdefault(name, "An original amount needs its currency, the rate and the rate's date.")
            if self.amount is None:
                errors.setdefault("amount", "An original amount needs the amount in US dollars too.")
        return errors

    @property
    def announced_display(self):
        return format_date(self.announced, self.announced_precision, self.announced_year_inferred)

    @property
    def started_display(self):
        return format_date(self.started, self.started_precision)

    @property
    def ended_display(self):
        return format_date(self.ended, self.ended_precision)

    @property
    def quantity_display(self):
        return quantity_in_words(self.quantity, self.quantity_qualifier, self.unit, self.quantity_before)
