"""Where every fact comes from."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .constraints import date_in_range
from .fields import CharField, DateField, URLField


class Source(models.Model):
    """A news article that the curated data is taken from."""

    slug = models.SlugField(max_length=120, help_text="The article's file stem in the sources folder.")
    outlet = CharField(max_length=120)
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
        ]
        indexes = [models.Index(fields=["published"], name="source_published_idx")]

    def __str__(self):
        return f"{self.outlet}, {self.published:%d %b %Y}: {self.headline}"

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.slug])
