"""The lines of effort: each with its leads inline, and a lead's own page for its citations."""

from django.contrib import admin
from django.db.models import Count

from ..locks import VersionLockAdmin
from ..models.lines import LineLead, LineOfEffort
from .history import HistoryAdmin
from .records import CitationInline


class LineLeadInline(admin.TabularInline):
    model = LineLead
    fields = ["partner"]
    autocomplete_fields = ["partner"]
    extra = 0
    show_change_link = True  # to cite a lead, as a meeting's participations are cited


@admin.register(LineOfEffort)
class LineOfEffortAdmin(VersionLockAdmin, HistoryAdmin):
    list_display = ["name", "slug", "order", "lead_count", "contribution_count", "request_count"]
    ordering = ["order", "name"]  # see SourceAdmin
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["contributions", "requests"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "order", "description"]}),
        ("What serves it", {"fields": ["contributions", "requests"]}),
    ]
    inlines = [LineLeadInline, CitationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                lead_count=Count("leads", distinct=True),
                contribution_count=Count("contributions", distinct=True),
                request_count=Count("requests", distinct=True),
            )
        )

    @admin.display(description="Leads", ordering="lead_count")
    def lead_count(self, obj):
        return obj.lead_count

    @admin.display(description="Contributions", ordering="contribution_count")
    def contribution_count(self, obj):
        return obj.contribution_count

    @admin.display(description="Requests", ordering="request_count")
    def request_count(self, obj):
        return obj.request_count


@admin.register(LineLead)
class LineLeadAdmin(VersionLockAdmin, HistoryAdmin):
    list_display = ["partner", "line"]
    list_filter = ["line"]
    list_select_related = ["partner", "line"]
    search_fields = ["partner__name", "line__name"]
    autocomplete_fields = ["line", "partner"]
    fields = ["line", "partner"]
    inlines = [CitationInline]
