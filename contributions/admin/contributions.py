"""Contributions and capability requests: a contribution with its status events and citations inline."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.text import Truncator

from ..locks import VersionLockAdmin
from ..models.contributions import Contribution
from ..models.requests import CapabilityRequest
from ..resources import ContributionResource
from .events import StatusEventInline
from .history import HistoryAdmin
from .imports import ImportExportHistoryAdmin
from .merging import merge_selected
from .records import CitationInline


class ContributionForm(forms.ModelForm):
    class Meta:
        # Amounts are stored in US dollars only; a choice spares editors a typing error.
        widgets = {"currency": forms.Select(choices=[("", "—"), ("USD", "USD")])}


@admin.register(Contribution)
class ContributionAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    actions = [merge_selected]
    resource_classes = [ContributionResource]
    form = ContributionForm
    list_display = ["summary", "nation", "category", "capability", "status", "announced"]
    list_filter = ["status", "category", "capability", "theatres"]
    list_select_related = ["nation"]
    search_fields = ["description", "nation__name", "meeting__title", "official__name"]
    date_hierarchy = "announced"
    autocomplete_fields = ["nation", "meeting", "official", "host"]
    fieldsets = [
        (None, {"fields": ["nation", "status", "category", "capability", "description"]}),
        (
            "How much",
            {
                "fields": [
                    "quantity_before",
                    "quantity",
                    "quantity_qualifier",
                    "unit",
                    "amount",
                    "currency",
                    "amount_basis",
                ]
            },
        ),
        (
            "Original currency",
            {"fields": ["original_amount", "original_currency", "exchange_rate", "rate_date"]},
        ),
        (
            "When and where",
            {
                "fields": [
                    "announced",
                    "announced_precision",
                    "announced_year_inferred",
                    "started",
                    "started_precision",
                    "ended",
                    "ended_precision",
                    "theatres",
                    "host",
                    "meeting",
                    "official",
                ]
            },
        ),
    ]
    # Four theatres: ticked boxes read better than a two-pane selector.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [StatusEventInline, CitationInline]

    @admin.display(description="Description", ordering="description")
    def summary(self, obj):
        # The full text wraps every row to a dozen lines and pushes the other columns off-screen.
        return Truncator(obj.description).chars(90)


@admin.register(CapabilityRequest)
class CapabilityRequestAdmin(VersionLockAdmin, HistoryAdmin):
    actions = [merge_selected]
    list_display = ["capability", "category", "requested_by", "official", "meeting", "announced"]
    list_filter = ["capability", "category"]
    list_select_related = ["requested_by", "official", "meeting"]
    search_fields = ["description", "requested_by__name", "official__name", "meeting__title"]
    date_hierarchy = "announced"
    autocomplete_fields = ["requested_by", "official", "meeting"]
    fieldsets = [
        (None, {"fields": ["requested_by", "capability", "category", "description"]}),
        ("When and where", {"fields": ["announced", "announced_precision", "meeting", "official"]}),
    ]
    inlines = [CitationInline]
