"""What the coalition's leaders asked partners for: capabilities not yet tied to one nation."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import Capability, Category, DatePrecision, format_date
from .constraints import date_in_range, known_value
from .fields import CharField, DateField, TextField
from .meetings import Meeting
from .nations import Nation, Official


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
