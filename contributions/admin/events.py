"""A contribution's status events: inline on its page, where the state they set is read-only, and on
their own page for their citations."""

from django.contrib import admin

from ..locks import VersionLockAdmin
from ..models.events import RECORDED, StatusEvent
from ..resources import StatusEventResource
from .imports import ImportExportHistoryAdmin
from .records import CitationInline


class StatusEventInline(admin.TabularInline):
    """The contribution's real-world history; the latest event sets its status, quantity and amount."""

    model = StatusEvent
    fields = ["date", "date_precision", "status", "quantity", "quantity_qualifier", "amount", "meeting", "official"]
    autocomplete_fields = ["meeting", "official"]
    extra = 0
    show_change_link = True  # to cite an event
    verbose_name_plural = "Status events (the latest sets the status, quantity and amount; open one to cite it)"


@admin.register(StatusEvent)
class StatusEventAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    resource_classes = [StatusEventResource]
    list_display = ["contribution", "status", "date", "quantity", "amount"]
    list_filter = ["status", "date_precision"]
    list_select_related = ["contribution__nation"]
    search_fields = ["contribution__description", "contribution__nation__name", "note"]
    date_hierarchy = "date"
    autocomplete_fields = ["contribution", "meeting", "official"]
    fields = ["contribution", *RECORDED]
    inlines = [CitationInline]
