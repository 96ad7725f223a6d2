"""The verbatim quotes that support every record, and the data version that every write replaces."""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .contributions import CapabilityRequest, Contribution
from .fields import CharField, TextField
from .meetings import Figure, Meeting, Participation
from .nations import Nation, Official
from .sources import Source

CITATION_TARGETS = ("nation", "official", "meeting", "participation", "figure", "contribution", "capability_request")


def supported_kind(values):
    """Which kind of record a citation supports, from its `<kind>_id` values (a Citation's __dict__ or a
    .values() row); None when none is set."""
    return next((name for name in CITATION_TARGETS if values.get(f"{name}_id")), None)


def exactly_one_of(fields):
    """A condition true when exactly one of the nullable foreign keys is set."""
    return reduce(
        or_,
        (Q(**{f"{other}__isnull": other != f for other in fields}) for f in fields),
    )


class Citation(models.Model):
    """A verbatim quote from a source that supports exactly one record."""

    TARGETS = CITATION_TARGETS

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = TextField(help_text="Copied character for character, curly quotes included.")
    note = CharField(max_length=300, blank=True, help_text="What the quote establishes, where not obvious.")
    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    official = models.ForeignKey(Official, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    figure = models.ForeignKey(Figure, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    capability_request = models.ForeignKey(
        CapabilityRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["source__published", "pk"]
        constraints = [
            # A citation with no record proves nothing; one with two is ambiguous about what it supports.
            models.CheckConstraint(
                condition=exactly_one_of(CITATION_TARGETS),
                name="citation_exactly_one_target",
                violation_error_message="A citation supports exactly one record.",
            ),
            # An empty quote cites nothing.
            models.CheckConstraint(
                condition=~Q(quote=""), name="citation_quote_not_empty", violation_error_message="The quote is empty."
            ),
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 80 else self.quote[:77] + "…"
        return f"“{quote}” ({self.source.outlet})"

    def get_absolute_url(self):
        target = self.target
        base = target.get_absolute_url() if target else self.source.get_absolute_url()
        return f"{base.split('#')[0]}#citation-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        citation = super().from_db(db, field_names, values)
        # A quote moved to another contribution leaves the old one's search text to rebuild too.
        citation.loaded_contribution_id = citation.__dict__.get("contribution_id")
        return citation

    @property
    def target_type(self):
        return supported_kind(self.__dict__)

    @property
    def target(self):
        kind = self.target_type
        return getattr(self, kind) if kind else None

    def clean(self):
        # "None chosen" is left to the constraint: in an inline the parent is not set yet.
        chosen = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(chosen) > 1:
            raise ValidationError("Choose exactly one record for this citation to support.")


class DataVersion(models.Model):
    """One row whose token changes with every write to the data: the key of every cached aggregate.

    See contributions/cache.py. A random token rather than a counter, so a rolled-back transaction
    (or test) that restores an old value cannot revive entries cached for other data.
    """

    token = CharField(max_length=32)

    def __str__(self):
        return self.token
