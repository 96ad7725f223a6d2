"""What happened to a contribution, dated as the sources date it: requested, pledged, delivered, ended.

This is the real-world history; the edit history is each model's `history`. A contribution's status,
quantity and amount are copied from its events in the same transaction as the event's write, so lists
filter on them without a join. Each event also keeps the date the next one replaced it
(`valid_until`) and the quantity and amount in force after it, so the state on any date is one range
lookup: the event dated on or before it and not yet replaced.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .choices import ContributionStatus, DatePrecision, Qualifier, format_date, format_quantity
from .constraints import below, date_in_range, known_value, non_negative
from .contributions import MAX_AMOUNT, STATE, Contribution
from .derived import save_and_update
from .fields import CharField, DateField, TextField
from .meetings import Meeting
from .nations import Official

MAX_INTEGER = 2**31 - 1

# What an editor records of an event: the admin, the API and the embedded timeline show these.
RECORDED = [
    "status",
    "date",
    "date_precision",
    "quantity",
    "quantity_qualifier",
    "amount",
    "meeting",
    "official",
    "note",
]

# What an event carries forward until a later event gives it anew: the state but the status, which
# each event states for itself.
STATE_FIELDS = {name: column for name, column in STATE.items() if name != "status"}
# What update_state() writes on each event: read-only wherever it is shown.
DERIVED = ["valid_until", *STATE_FIELDS.values()]


class StatusEventQuerySet(models.QuerySet):
    def in_order(self):
        """By date, an undated event first; of two on one date, the one entered first."""
        return self.order_by(F("date").asc(nulls_first=True), "pk")

    def in_force_on(self, day):
        """Each contribution's one event in force on `day`: dated on or before it and not replaced by then.

        A contribution whose first event is later than `day`, or undated, has none: it was not known.
        """
        return self.filter(in_force(day))


def in_force(day, prefix=""):
    """The condition for an event in force on `day`, on a path of `prefix` (as a filtered relation's)."""
    return Q(**{f"{prefix}date__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


class StatusEvent(models.Model):
    """A dated change in what a contribution was: offered, delivered, ended, with the citation that says so."""

    Status = ContributionStatus
    # A contribution's history is part of it: deleting the contribution takes its events (deletion.py).
    part_of = "contribution"

    # No index of its own: status_event_in_force_by_idx begins with it.
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="events", db_index=False)
    status = CharField(max_length=30, choices=ContributionStatus.choices)
    date = DateField(
        null=True, blank=True, help_text="When it happened; for a month or year, its first day. Blank if not known."
    )
    date_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    quantity = models.IntegerField(
        null=True,
        blank=True,
        # PostgreSQL's integer: bounded the same on every database, so the API schema is too.
        validators=[MinValueValidator(0), MaxValueValidator(MAX_INTEGER)],
        help_text="The quantity at this point, where the source gives it.",
    )
    quantity_qualifier = CharField(max_length=20, choices=Qualifier.choices, default=Qualifier.EXACT)
    amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="US dollars at this point, where given."
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="status_events")
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="status_events"
    )
    note = TextField(blank=True)
    valid_until = DateField(null=True, editable=False, help_text="The next event's date; blank for the latest.")
    state_quantity = models.IntegerField(
        null=True,
        editable=False,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_INTEGER)],
        help_text="The quantity in force after it: its own, or the last one given before.",
    )
    state_quantity_qualifier = CharField(
        max_length=20, choices=Qualifier.choices, blank=True, editable=False, help_text="How exact that quantity is."
    )
    state_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, editable=False, help_text="The amount in force after it."
    )
    updated = models.DateTimeField(auto_now=True)

    # The derived columns change with other events' writes, which are not edits of this one.
    history = HistoricalRecords(excluded_fields=DERIVED)
    objects = StatusEventQuerySet.as_manager()

    class Meta:
        ordering = ["contribution", F("date").asc(nulls_first=True), "pk"]
        constraints = [
            # The contribution's status is copied from here, and status filters read only known ones.
            known_value("status", ContributionStatus, "status_event_status_valid"),
            known_value("date_precision", DatePrecision, "status_event_precision_valid"),
            known_value("quantity_qualifier", Qualifier, "status_event_qualifier_valid"),
            # A date outside 1990–2100 is a typing error, and one far off would become the current state.
            date_in_range("date", "status_event_date_in_range"),
            # The next event's date, so in range too: a constraint keeps a stray write from ending a state.
            date_in_range("valid_until", "status_event_valid_until_in_range"),
            # A negative number of aircraft or dollars is a typing error, not data.
            non_negative("quantity", "status_event_quantity_non_negative", "Quantity cannot be negative."),
            non_negative("amount", "status_event_amount_non_negative", "Amount cannot be negative."),
            # The contribution's amount is copied from here and must fit its column.
            below("amount", MAX_AMOUNT, "status_event_amount_in_range", "Amounts are below US$10 trillion."),
        ]
        indexes = [
            # The timeline of one contribution, and its state on a date: as_of() finds each one's event
            # in force, status included, from this index alone. Status is a key column, as SQLite has
            # no INCLUDE.
            models.Index(fields=["contribution", "date", "valid_until", "status"], name="status_event_in_force_by_idx"),
            models.Index(fields=["date", "valid_until"], name="status_event_in_force_idx"),
        ]

    def __str__(self):
        return f"{self.contribution}: {self.get_status_display().lower()} ({self.date_display})"

    def save(self, *args, keep_state=False, **kwargs):
        """Saved with the contribution's state recomputed in the same transaction; `keep_state` for a
        first event made from the contribution's own state (first_event), which holds it already."""
        if keep_state:
            return super().save(*args, **kwargs)
        save = super().save
        return save_and_update(self, lambda: save(*args, **kwargs), "contribution_id", update_state)

    def get_absolute_url(self):
        return f"{self.contribution.get_absolute_url()}#event-{self.pk}"

    def delete(self, *args, **kwargs):
        delete = super().delete
        return save_and_update(self, lambda: delete(*args, **kwargs), "contribution_id", update_state)

    def clean(self):
        errors = {}
        if self.quantity is not None and self.quantity < 0:
            errors["quantity"] = "Quantity cannot be negative."
        if self.amount is not None and self.amount < 0:
            errors["amount"] = "Amount cannot be negative."
        elif self.amount is not None and self.amount >= MAX_AMOUNT:
            errors["amount"] = "Amounts are below US$10 trillion."
        if self.quantity is not None and self.contribution_id and not self.contribution.unit:
            errors["quantity"] = "Give the contribution a unit before a quantity."
        if errors:
            raise ValidationError(errors)

    @property
    def date_display(self):
        return format_date(self.date, self.date_precision) if self.date else "date not known"

    @property
    def quantity_display(self):
        unit = self.contribution.get_unit_display() if self.contribution_id else ""
        return format_quantity(self.quantity, self.quantity_qualifier, unit)


def update_state(contribution_id):
    """Recompute each event's replacement date and the quantity and amount in force after it, copy the
    latest into the contribution, and note there when it was first known (the first dated event). Called
    in the transaction of every event's write.

    The status is the latest event's. A quantity or an amount is the latest one given: an event that
    says only "delivered" keeps the number pledged before it. A contribution with no events keeps what
    an editor entered.
    """
    contribution = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
    if contribution is None:
        return  # deleted with its events
    events = list(StatusEvent.objects.filter(contribution_id=contribution_id).in_order())
    note_known_since(contribution, min((event.date for event in events if event.date), default=None))
    if not events:
        return
    carried = dict.fromkeys(STATE_FIELDS)
    for event, following in zip(events, [*events[1:], None], strict=True):
        if event.quantity is not None:
            carried["quantity"], carried["quantity_qualifier"] = event.quantity, event.quantity_qualifier
        if event.amount is not None:
            carried["amount"] = event.amount
        state = {"valid_until": following.date if following else None}
        state.update({STATE_FIELDS[name]: value for name, value in carried.items()})
        state["state_quantity_qualifier"] = state["state_quantity_qualifier"] or ""
        if any(getattr(event, name) != value for name, value in state.items()):
            StatusEvent.objects.filter(pk=event.pk).update(**state)
    current = {"status": events[-1].status}
    current.update({name: value for name, value in carried.items() if value is not None})
    if not contribution.unit:
        # A quantity needs a unit; one moved here from another contribution (a merge) waits for it.
        current.pop("quantity", None)
        current.pop("quantity_qualifier", None)
    if carried["amount"] is not None:
        current["currency"] = "USD"
    changed = [name for name, value in current.items() if getattr(contribution, name) != value]
    if changed:
        for name in changed:
            setattr(contribution, name, current[name])
        contribution._change_reason = "State from its status events"
        # A save, not an update(): the contribution's history records the change of state.
        contribution.save(update_fields=[*changed, "updated"], from_events=True)


def note_known_since(contribution, day):
    """Note on the contribution the date of its first dated event: what as-of counts select it by."""
    if contribution.known_since != day:
        # Derived like search_text: an update(), not a save, so it is no edit in the history.
        Contribution.objects.filter(pk=contribution.pk).update(known_since=day)
        contribution.known_since = day


def correct_latest_event(contribution):
    """A status, quantity or amount written on the contribution itself (an API client or an import that
    predates events) corrects its latest event, which update_state() then copies back: the contribution
    never holds a state its events do not."""
    latest = StatusEvent.objects.filter(contribution_id=contribution.pk).in_order().last()
    if latest is None:
        return
    wanted = {"status": contribution.status}
    if contribution.quantity != latest.state_quantity:
        wanted.update(quantity=contribution.quantity, quantity_qualifier=contribution.quantity_qualifier)
    if contribution.amount != latest.state_amount:
        wanted["amount"] = contribution.amount
    changed = {name: value for name, value in wanted.items() if getattr(latest, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(latest, name, value)
        latest._change_reason = "Corrected through its contribution"
        latest.save()


def first_event(contribution):
    """The event a new contribution starts with: the state an editor entered, dated when it was announced
    (or started). Save it with keep_state=True: the contribution holds that state already."""
    date, precision = contribution.announced, contribution.announced_precision
    if date is None and contribution.started is not None:
        date, precision = contribution.started, contribution.started_precision
    return StatusEvent(
        contribution=contribution,
        status=contribution.status,
        date=date,
        date_precision=precision if date else DatePrecision.DAY,
        quantity=contribution.quantity,
        quantity_qualifier=contribution.quantity_qualifier,
        amount=contribution.amount,
        meeting=contribution.meeting,
        official=contribution.official,
        # The state after it, as update_state() would write it: the contribution's own.
        state_quantity=contribution.quantity,
        state_quantity_qualifier=contribution.quantity_qualifier if contribution.quantity is not None else "",
        state_amount=contribution.amount,
    )
