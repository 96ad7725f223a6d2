"""The site-wide search index: one row per record, holding the words a search looks in.

contributions/search.py writes and reads it; every write to a record rewrites its row in the same
transaction (contributions/signals.py). PostgreSQL searches its stored `vector` through a GIN index,
SQLite an FTS5 table kept by triggers; migrations 0010 and 0022 create whichever the database has.
"""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

from .constraints import known_value
from .fields import CharField, TextField

# The words of an entry as PostgreSQL searches and ranks them: English stems, the title above the text.
SEARCH_VECTOR = SearchVector("title", weight="A", config="english") + SearchVector("text", weight="B", config="english")


class OnPostgres(models.Func):
    """An expression PostgreSQL computes and SQLite, which searches through FTS5 instead, leaves NULL."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class SearchKind(models.TextChoices):
    CONTRIBUTION = "contribution", "Contributions"
    MEETING = "meeting", "Meetings"
    OFFICIAL = "official", "Officials"
    FIGURE = "figure", "Reported figures"
    CAPABILITY_REQUEST = "capability_request", "Capability requests"
    NATION = "nation", "Nations"
    PARTICIPATION = "participation", "Meeting attendance"
    SOURCE = "source", "Sources"
    LINE_OF_EFFORT = "line_of_effort", "Lines of effort"


class SearchEntry(models.Model):
    """One record as the site-wide search sees it: its kind, title and address, and its words with
    those of every quote and note that cites it."""

    Kind = SearchKind

    kind = CharField(max_length=20, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField()
    title = CharField(max_length=400)
    url = CharField(max_length=400)
    text = TextField(blank=True)
    # Stored, not computed per search: ranking a common word's half a million matches from the text
    # would parse every one of them again.
    vector = models.GeneratedField(
        expression=OnPostgres(SEARCH_VECTOR, output_field=SearchVectorField()),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        constraints = [
            # One row per record: a second would count it twice and show it twice.
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_unique_record"),
            # Results are grouped by kind; a kind outside the vocabulary would have no group.
            known_value("kind", SearchKind, "searchentry_known_kind"),
        ]
        verbose_name_plural = "search entries"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return self.url
