"""What a source says a partner's role was, as of a date: the partner's current role is the latest."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import DatePrecision, NationRole, format_date
from .constraints import date_in_range, known_value
from .derived import save_and_update
from .fields import CharField, DateField
from .nations import Nation


class RoleStatementQuerySet(models.QuerySet):
    def latest_first(self):
        """The newest statement first; of two as of the same date, the one entered last."""
        return self.order_by("-as_of", "-pk")


class RoleStatement(models.Model):
    """A partner's role in the coalition as a source states it on a date, with the citation that says so."""

    partner = models.ForeignKey(Nation, on_delete=models.CASCADE, related_name="role_statements")
    role = CharField(max_length=20, choices=NationRole.choices)
    as_of = DateField(help_text="When the source says the partner held this role; for a month or year, its first day.")
    as_of_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = RoleStatementQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "as_of", "pk"]
        constraints = [
            # The partner's current role is copied from here, and role filters read only known roles.
            known_value("role", NationRole, "role_statement_role_valid"),
            known_value("as_of_precision", DatePrecision, "role_statement_precision_valid"),
            # A date outside 1990–2100 is a typing error, and one far off would become the current role.
            date_in_range("as_of", "role_statement_as_of_in_range", nullable=False),
        ]
        indexes = [models.Index(fields=["partner", "as_of"], name="role_statement_partner_idx")]

    def __str__(self):
        return f"{self.partner}: {self.get_role_display()} ({self.as_of_display})"

    def save(self, *args, **kwargs):
        save = super().save
        return save_and_update(self, lambda: save(*args, **kwargs), "partner_id", update_current_role)

    def get_absolute_url(self):
        return f"{reverse('partner-detail', args=[self.partner.slug])}#role-{self.pk}"

    def delete(self, *args, **kwargs):
        delete = super().delete
        return save_and_update(self, lambda: delete(*args, **kwargs), "partner_id", update_current_role)

    @property
    def as_of_display(self):
        return format_date(self.as_of, self.as_of_precision)


def update_current_role(partner_id):
    """Copy the partner's latest statement into Nation.role, which lists filter and sort on.

    A partner with no statements keeps the role an editor entered.
    """
    latest = RoleStatement.objects.filter(partner_id=partner_id).latest_first().values_list("role", flat=True).first()
    if latest is None:
        return
    partner = Nation.objects.select_for_update().get(pk=partner_id)
    if partner.role != latest:
        partner.role = latest
        # A save, not an update(): the partner's history records the change of role.
        partner.save(update_fields=["role", "updated"])
