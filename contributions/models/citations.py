"""The verbatim quotes that support every record, and the data version that every write replaces."""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from simple_history.models import HistoricalRecords

from .. import verification
from .contributions import Contribution
from .events import StatusEvent
from .fields import CharField, TextField
from .lines import LineLead, LineOfEffort
from .meetings import Figure, Meeting, Participation
from .nations import Nation, Official
from .requests import CapabilityRequest
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
    "line_of_effort",
    "line_lead",
    "role_statement",
    "status_event",
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


class CitationQuerySet(models.QuerySet):
    def with_words(self):
        """With the source, and the citation whose words a shared one repeats: no query per row for either."""
        return self.select_related("source", "shares")

    def holding_words(self):
        """The citations that store their words: each checked against its source's text, once."""
        return self.filter(shares__isnull=True)

    def verified(self, value=True):
        """Those whose words were found in their source's text (where the words are stored), or, with
        value False, the rest."""
        found = ~Q(text_sha256="") | (Q(shares__isnull=False) & ~Q(shares__text_sha256=""))
        return self.filter(found) if value else self.exclude(found)

    def quoting(self, source, words):
        """The citations of `source` with these words, stored or shared."""
        return self.filter(Q(quote=words) | Q(shares__quote=words), source=source)

    def with_words_text(self):
        """Annotate `words_text`: the words, stored or shared, for .values() rows."""
        return self.annotate(
            words_text=Coalesce(NullIf("quote", Value("")), "shares__quote", output_field=models.TextField())
        )


class Citation(models.Model):
    """A verbatim quote from a source that supports exactly one record.

    When the same words support several records (one sentence naming four allies), the first citation
    holds them and the others share it: they name it in `shares` and store no words of their own. The
    words are checked once, where they are stored, and every record still has its own citation.
    """

    TARGETS = CITATION_TARGETS

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = TextField(
        help_text="Copied character for character, curly quotes included; only whitespace (line breaks) may differ."
    )
    note = CharField(max_length=300, blank=True, help_text="What the quote establishes, where not obvious.")
    shares = models.ForeignKey(
        "self",
        # A shared quote outlives the record it was first stored for: see keep_shared_words (signals).
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="sharers",
        help_text="The citation whose words this one shares; set on save when the same words are already stored.",
    )
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
    line_of_effort = models.ForeignKey(
        LineOfEffort, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    line_lead = models.ForeignKey(LineLead, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    role_statement = models.ForeignKey(
        RoleStatement, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    status_event = models.ForeignKey(
        StatusEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
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
    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["source__published", "pk"]
        constraints = [
            # A citation with no record proves nothing; one with two is ambiguous about what it supports.
            models.CheckConstraint(
                condition=exactly_one_of(CITATION_TARGETS),
                name="citation_exactly_one_target",
                violation_error_message="A citation supports exactly one record.",
            ),
            # An empty quote cites nothing; a citation sharing another's words keeps no second copy of them.
            models.CheckConstraint(
                condition=(~Q(quote="") & Q(shares__isnull=True)) | (Q(quote="") & Q(shares__isnull=False)),
                name="citation_words_or_shared",
                violation_error_message="The quote is empty.",
            ),
            # Words are checked where they are stored: a citation sharing them has no record of its own.
            models.CheckConstraint(
                condition=Q(shares__isnull=True) | Q(text_sha256="", checked_at__isnull=True),
                name="citation_shared_checked_once",
                violation_error_message="A citation sharing another's words is verified through that one.",
            ),
            # Sharing itself would leave it with no words at all.
            models.CheckConstraint(
                condition=~Q(shares=models.F("pk")),
                name="citation_not_sharing_itself",
                violation_error_message="A citation cannot share its own words.",
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
        words = self.words
        quote = words if len(words) <= 80 else words[:77] + "…"
        return f"“{quote}” ({self.source.outlet})"

    def save(self, *args, **kwargs):
        # Every way in ends here (a form, the API, an import, a script), so none can skip the check.
        # Raw saves (loaddata) do not come through save(): the fixtures bring their own records.
        with transaction.atomic():
            self.share_stored_words()
            if getattr(self, "_verified_as", None) != (self.source_id, self.quote):
                self.verify()
            super().save(*args, **kwargs)
            if self.shares_id is None:
                # Words that now match a later stored copy's (an edit) leave no second copy behind.
                self.sharers_of_copies().update(shares=self, quote="", **verification.UNVERIFIED)
            else:
                # Those that shared this one's words share them where they are now stored.
                Citation.objects.filter(shares=self).update(shares=self.shares_id)
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
    def origin(self):
        """The citation that stores the words: this one, or the one it shares."""
        return self.shares if self.shares_id else self

    @property
    def words(self):
        return self.origin.quote

    @property
    def verified(self):
        return bool(self.origin.text_sha256)

    @property
    def verification_state(self):
        return verification.describe(self.origin)

    def share_stored_words(self):
        """Share the words instead of storing them again, where the same source's words are already stored.

        Every way in types the words (the admin, the API, an import), so each finds the stored copy the
        same way; new words, or words edited away from those shared, are stored and checked as usual.
        """
        if not self.quote or self.source_id is None:
            return  # sharing already (words blank), or reported on the field
        stored = (
            Citation.objects.holding_words()
            .filter(source_id=self.source_id, quote=self.quote)
            .exclude(pk=self.pk)
            .order_by("pk")
            .first()
        )
        if stored is not None and self.pk is not None and stored.pk > self.pk:
            stored = None  # the older copy keeps the words; sharers_of_copies() folds the newer into it
        if stored is None:
            self.shares = None
            return
        self.shares, self.quote = stored, ""
        verification.clear(self)
        self.mark_verified()

    def sharers_of_copies(self):
        """Later citations storing these same words, and those sharing them: all to share this one."""
        copies = Citation.objects.filter(source_id=self.source_id, quote=self.quote, pk__gt=self.pk)
        return Citation.objects.filter(Q(pk__in=copies.values("pk")) | Q(shares__in=copies.values("pk")))

    def verify(self):
        """Check the quote against its source's archived text; ValidationError on `quote` if it is not there."""
        if self.source_id is None or not self.quote:
            return  # reported on the source or quote field, or shared: checked where the words are stored
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

    def clean_fields(self, exclude=None):
        # Shared words are stored on the citation shared: this one's blank quote is not a missing one.
        if self.shares_id and not self.quote:
            exclude = {*(exclude or ()), "quote"}
        super().clean_fields(exclude)

    def clean(self):
        errors = {}
        # "None chosen" is left to the constraint: in an inline the parent is not set yet.
        chosen = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(chosen) > 1:
            errors = ValidationError("Choose exactly one record for this citation to support.").update_error_dict(
                errors
            )
        kind = self.target_type
        words = self.quote or self.words
        if kind and words and self.source_id:
            again = Citation.objects.quoting(self.source_id, words).filter(
                **{f"{kind}_id": getattr(self, f"{kind}_id")}
            )
            if again.exclude(pk=self.pk).exists():
                errors["quote"] = ["This record already cites these words from this source."]
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
