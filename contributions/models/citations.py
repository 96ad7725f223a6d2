"""The verbatim quotes that support every record, and the data version that every write replaces."""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .. import verification
from .contributions import CapabilityRequest, Contribution
from .fields import CharField, TextField
from .meetings import Figure, Meeting, Participation
from .nations import Nation, Official
from .roles import RoleStatement
from .sources import Source, SourceText

CITATION_TARGETS = (
    "nation",
    "official",
    "meeting",
    "participation",
    "figure",
    "contribution",
    "capability_request",
    "role_statement",
)


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
    quote = TextField(
        help_text="Copied character for character, curly quotes included; only whitespace (line breaks) may differ."
    )
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
    role_statement = models.ForeignKey(
        RoleStatement, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    # The verification record (contributions/verification.py): where the quote was found, in which text.
    # Blank: unverified. Kept when the source's text is absent (a clone without the texts), so the
    # quote still names the text it was checked against by its fingerprint.
    text_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="sha256 of the text the quote was found in."
    )
    text_captured = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When that text was captured."
    )
    quote_start = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Where the quote starts in that text (characters)."
    )
    quote_end = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Where the quote ends in that text (characters)."
    )
    checked_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When it was found there.")
    # At most a sentence either side, from the text: all that public pages show of it.
    context_before = models.TextField(blank=True, editable=False, help_text="The text just before the quote.")
    context_after = models.TextField(blank=True, editable=False, help_text="The text just after the quote.")
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
            # A fingerprint without its offsets and dates (or the reverse) proves nothing: all or none.
            models.CheckConstraint(
                condition=Q(
                    text_sha256="",
                    text_captured__isnull=True,
                    quote_start__isnull=True,
                    quote_end__isnull=True,
                    checked_at__isnull=True,
                )
                | (
                    Q(text_sha256__regex=r"^[0-9a-f]{64}$", quote_end__gt=models.F("quote_start"))
                    & Q(text_captured__isnull=False, checked_at__isnull=False)
                ),
                name="citation_verification_complete",
                violation_error_message="A verification record needs its text's fingerprint, offsets and dates.",
            ),
        ]
        indexes = [models.Index(fields=["text_sha256"], name="citation_text_sha256_idx")]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 80 else self.quote[:77] + "…"
        return f"“{quote}” ({self.source.outlet})"

    def save(self, *args, **kwargs):
        # Every way in ends here (a form, the API, an import, a script), so none can skip the check.
        # Raw saves (loaddata) do not come through save(): the fixtures bring their own records.
        with transaction.atomic():
            if getattr(self, "_verified_as", None) != (self.source_id, self.quote):
                self.verify()
            super().save(*args, **kwargs)
        self._verified_as = None
        self.loaded_quote, self.loaded_source_id = self.quote, self.source_id

    def get_absolute_url(self):
        target = self.target
        base = target.get_absolute_url() if target else self.source.get_absolute_url()
        return f"{base.split('#')[0]}#citation-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        citation = super().from_db(db, field_names, values)
        # A quote moved to another contribution leaves the old one's search text to rebuild too.
        citation.loaded_contribution_id = citation.__dict__.get("contribution_id")
        # An unchanged quote keeps its record where the source has no text to check it against.
        citation.loaded_quote = citation.__dict__.get("quote")
        citation.loaded_source_id = citation.__dict__.get("source_id")
        return citation

    @property
    def verified(self):
        return bool(self.text_sha256)

    @property
    def verification_state(self):
        return verification.describe(self)

    def verify(self):
        """Check the quote against its source's archived text; ValidationError on `quote` if it is not there."""
        if self.source_id is None or not self.quote:
            return  # reported on the source or quote field
        if transaction.get_connection().in_atomic_block:
            # A new text for the source holds its row until it commits: wait, then check against it.
            list(Source.objects.select_for_update().filter(pk=self.source_id).values_list("pk", flat=True))
        archive = SourceText.objects.filter(source_id=self.source_id).only("text", "sha256", "captured").first()
        changed = (
            self._state.adding
            or self.quote != getattr(self, "loaded_quote", None)
            or self.source_id != getattr(self, "loaded_source_id", None)
        )
        verification.verify(self, archive, changed)
        self.mark_verified()

    def mark_verified(self):
        """The quote and source as just checked: save() need not check them again."""
        self._verified_as = (self.source_id, self.quote)

    @property
    def target_type(self):
        return supported_kind(self.__dict__)

    @property
    def target(self):
        kind = self.target_type
        return getattr(self, kind) if kind else None

    def clean(self):
        errors = {}
        # "None chosen" is left to the constraint: in an inline the parent is not set yet.
        chosen = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(chosen) > 1:
            errors = ValidationError("Choose exactly one record for this citation to support.").update_error_dict(
                errors
            )
        try:
            self.verify()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class DataVersion(models.Model):
    """One row whose token changes with every write to the data: the key of every cached aggregate.

    See contributions/cache.py. A random token rather than a counter, so a rolled-back transaction
    (or test) that restores an old value cannot revive entries cached for other data.
    """

    token = CharField(max_length=32)

    def __str__(self):
        return self.token
