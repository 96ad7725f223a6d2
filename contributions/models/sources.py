"""Where every fact comes from: the sources, and the archived text each quote is verified against."""

from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from simple_history.models import HistoricalRecords

from .. import verification
from .choices import SourceKind
from .constraints import date_in_range, known_value
from .fields import CharField, DateField, TextField, URLField, normalize_text


class Source(models.Model):
    """A published source the data is taken from: a news article, a report, a press release, a transcript."""

    Kind = SourceKind

    slug = models.SlugField(max_length=120, help_text="The source's key; for the curated articles, the file stem.")
    kind = CharField(max_length=30, choices=SourceKind.choices, default=SourceKind.NEWS_ARTICLE)
    outlet = CharField(max_length=120)
    publisher = CharField(
        max_length=200, blank=True, help_text="Who published it, where not the outlet (AOL republishing Reuters)."
    )
    agency = CharField(
        max_length=200, blank=True, help_text="The originating agency, where it differs (a wire story republished)."
    )
    report_number = CharField(max_length=100, blank=True, help_text="A report's number, e.g. R44135.")
    edition = CharField(
        max_length=100, blank=True, help_text="Which dated version of a report revised over time, e.g. “2016-03-10”."
    )
    headline = CharField(max_length=300)
    headline_inferred = models.BooleanField(
        default=False, help_text="The headline is not in the capture; it was inferred from the address."
    )
    author = CharField(max_length=200, blank=True, help_text="Blank when the article has no byline.")
    published = DateField()
    published_approximate = models.BooleanField(
        default=False, help_text="The date is inferred (from the address or the text), not printed."
    )
    date_note = CharField(max_length=300, blank=True, help_text="How the date was established.")
    url = URLField(max_length=500)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["published", "slug"]
        constraints = [
            # Citations and URLs refer to sources by slug, so it must identify one article.
            models.UniqueConstraint(fields=["slug"], name="source_unique_slug"),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("published", "source_published_in_range", nullable=False),
            # The kind filters and labels read the vocabulary; a stray value would vanish from them.
            known_value("kind", SourceKind, "source_kind_known"),
        ]
        indexes = [models.Index(fields=["published"], name="source_published_idx")]

    def __str__(self):
        return f"{self.outlet}, {self.published:%d %b %Y}: {self.headline}"

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.slug])


def original_path(archive, filename):
    """Where an uploaded original is kept: under its source's slug, with a name safe on every disk."""
    try:
        name = get_valid_filename(PurePath(filename).name)
    except SuspiciousFileOperation:
        name = "upload"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"sources/{archive.source.slug}/{stamp}-{name[-80:]}"


class SourceText(models.Model):
    """A source's archived text, for editors and verification only: no public page or API serves it.

    Every citation of the source is verified against it (contributions/verification.py). Saving a new
    text re-checks them all in the same transaction and is refused if a verified quote would stop
    matching; the history keeps every earlier text.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="archive")
    text = TextField(help_text="The source's text as captured. Only whitespace may differ in a quote.")
    sha256 = models.CharField(max_length=64, editable=False, help_text="The text's fingerprint (UTF-8).")
    captured = models.DateTimeField(default=timezone.now, help_text="When the text was captured from the source.")
    original = models.FileField(upload_to=original_path, max_length=300, blank=True, editable=False)
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    original_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "archived text"
        constraints = [
            # An empty archive verifies nothing, and would pass every quote as "not found".
            models.CheckConstraint(condition=~Q(text=""), name="sourcetext_text_not_empty"),
            # Citations name the text by this fingerprint; one missing would leave them unverifiable.
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="sourcetext_sha256_set"),
        ]

    def __str__(self):
        return f"Text of {self.source.slug} ({verification.short_fingerprint(self.sha256)}…)"

    def save(self, *args, **kwargs):
        if not self.text.strip():
            raise ValidationError({"text": "The text is empty."})
        with transaction.atomic():
            # Every quote of the source, then the source itself, is held until this text commits: a
            # quote saved meanwhile waits and is checked against this text (Citation.verify), and one
            # saved just before is read here as it now stands. In that order, so neither waits on the other.
            list(self.source.citations.select_for_update().order_by().values_list("pk", flat=True))
            list(Source.objects.select_for_update().filter(pk=self.source_id).values_list("pk", flat=True))
            result = self.recheck()
            if result.broken:
                raise ValidationError({"text": result.broken_message()})
            super().save(*args, **kwargs)
            for citation in result.changed:
                citation.mark_verified()
                citation._change_reason = "Re-checked against the source's new text"
                citation.save()
            # Context is derived from the text, like a cache of it: refreshing it is no edit of the
            # citation, so it moves neither its history nor its `updated` (this save moves the data version).
            for citation in result.context_only:
                type(citation).objects.filter(pk=citation.pk).update(
                    context_before=citation.context_before, context_after=citation.context_after
                )
        # For the admin to tell the editor which quotes stay unverified.
        self.report = result

    def get_absolute_url(self):
        # Editors' material: its page is the source's change form, not a public page.
        return reverse("admin:contributions_source_change", args=[self.source_id])

    def recheck(self):
        """What this text does to the source's citations (nothing is saved)."""
        # As the field will store it (LF line endings), so the fingerprint names the stored text.
        self.text = normalize_text(self.text)
        self.sha256 = verification.fingerprint(self.text)
        if self.source_id is None or not self.text:
            return verification.Recheck([], [], [], [], [])
        return verification.recheck(list(self.source.citations.holding_words().order_by("pk")), self)

    def clean(self):
        result = self.recheck()
        if result.broken:
            raise ValidationError({"text": result.broken_message()})
