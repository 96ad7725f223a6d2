"""The coalition's lines of effort, the partners leading each, and the contributions and requests
that serve it."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .contributions import Contribution
from .fields import CharField, TextField
from .nations import Nation
from .requests import CapabilityRequest


class LineOfEffortQuerySet(models.QuerySet):
    def with_leads(self):
        """Each line with its leads and their partners: no query per line."""
        return self.prefetch_related(models.Prefetch("leads", queryset=LineLead.objects.select_related("partner")))


class LineOfEffort(models.Model):
    """One of the coalition's lines of effort ("halting the flow of foreign fighters"), which two or
    three partners lead and which contributions and capability requests serve."""

    slug = models.SlugField(max_length=80)
    name = CharField(max_length=200)
    description = TextField(blank=True, help_text="What the line covers, in a sentence.")
    # Bounded as PostgreSQL's smallint is, so the API documents (and checks) one range on every database.
    order = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(32767)], help_text="Where it comes in the list of lines."
    )
    contributions = models.ManyToManyField(
        Contribution, related_name="lines_of_effort", blank=True, help_text="Contributions that serve it."
    )
    requests = models.ManyToManyField(
        CapabilityRequest, related_name="lines_of_effort", blank=True, help_text="Capability requests that serve it."
    )
    updated = models.DateTimeField(auto_now=True)

    # No m2m_fields: django-simple-history cannot record a change made from the other side
    # (contribution.lines_of_effort.add(line)) for a model with excluded fields, and fails it.
    history = HistoricalRecords()
    objects = LineOfEffortQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "line of effort"
        verbose_name_plural = "lines of effort"
        constraints = [
            # Line pages, the `line` filter and API lookups use the slug.
            models.UniqueConstraint(fields=["slug"], name="lineofeffort_unique_slug"),
            # A nameless line cannot be listed or chosen.
            models.CheckConstraint(
                condition=~Q(name=""),
                name="lineofeffort_name_not_empty",
                violation_error_message="Give the line a name.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("line-detail", args=[self.slug])

    def clean(self):
        if not self.name.strip():
            raise ValidationError({"name": "Give the line a name."})


class LineLead(models.Model):
    """A partner leading a line of effort, as a source reports it (each lead is cited)."""

    line = models.ForeignKey(LineOfEffort, on_delete=models.CASCADE, related_name="leads")
    partner = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="line_leads")
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["line__order", "partner__name", "pk"]
        constraints = [
            # A partner leads a line once; a second row would list it twice among the leads.
            models.UniqueConstraint(
                fields=["line", "partner"],
                name="linelead_unique_partner",
                violation_error_message="This partner already leads this line.",
            ),
        ]
        # "Which lines does this partner lead" on the partner's page.
        indexes = [models.Index(fields=["partner"], name="linelead_partner_idx")]

    def __str__(self):
        return f"{self.partner} leads {self.line}"

    def get_absolute_url(self):
        return f"{self.line.get_absolute_url()}#lead-{self.pk}"
