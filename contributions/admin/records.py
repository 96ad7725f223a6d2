"""The model admins: every record with its citations inline, its history and, for some, bulk import."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.text import Truncator

from ..locks import VersionLockAdmin
from ..models.citations import Citation
from ..models.contributions import Contribution
from ..models.meetings import Figure, Meeting, Participation
from ..models.nations import Nation, Official
from ..models.roles import RoleStatement
from ..models.sources import Source, SourceText
from ..resources import CitationResource, NationResource
from .archive import SourceTextInline, report_recheck
from .history import HistoryAdmin
from .imports import ImportExportHistoryAdmin
from .merging import merge_selected

# --- Inlines ---------------------------------------------------------------------------------------


class AtLeastOneCitation(forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": "Add a citation: every fact needs a source and its exact words."}


class CitationForm(forms.ModelForm):
    """A citation with its words in the box, also when it shares those stored with another citation:
    saving the same words keeps it sharing them; other words are its own again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.shares_id and "quote" in self.fields:
            self.initial["quote"] = self.instance.words


class CitationInline(admin.StackedInline):
    """The evidence for the record above: the article and the words it uses."""

    model = Citation
    form = CitationForm
    formset = AtLeastOneCitation
    fields = ["source", "quote", "note", "verification_state"]
    readonly_fields = ["verification_state"]
    autocomplete_fields = ["source"]
    # Nothing is recorded without evidence, and the last citation of a record cannot be removed here.
    min_num = 1
    extra = 0
    verbose_name_plural = "Citations (every fact needs at least one)"

    def get_formset(self, request, obj=None, **kwargs):
        # The admin shows min_num forms but only enforces the minimum when asked to.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["nation", "role"]
    autocomplete_fields = ["nation"]
    extra = 0
    show_change_link = True  # to cite a participation


class FigureInline(admin.TabularInline):
    model = Figure
    fields = ["metric", "qualifier", "value", "out_of", "label", "as_of", "as_of_precision", "official"]
    autocomplete_fields = ["official"]
    # The label's full-width box would push the row off the page.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 30})}}
    extra = 0
    show_change_link = True  # to cite a figure


class RoleStatementInline(admin.TabularInline):
    """The partner's role over time; the latest becomes its current role. Open one to cite it."""

    model = RoleStatement
    fields = ["as_of", "as_of_precision", "role"]
    extra = 0
    show_change_link = True  # to cite a statement
    verbose_name_plural = "Role statements (the latest sets the current role; open one to cite it)"


class ContributionSummaryInline(admin.TabularInline):
    """A nation's contributions at a glance; each is edited on its own page, with its citations."""

    model = Contribution
    fk_name = "nation"  # the nation's own contributions, not those it hosts
    fields = ["description", "category", "status", "announced"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "Contributions (open one to edit it)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Model admins ----------------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(VersionLockAdmin, HistoryAdmin):
    actions = [merge_selected]
    list_display = ["headline", "kind", "outlet", "published", "author", "citation_count", "archived"]
    # Explicit, because Meta.ordering is dropped from the GROUP BY query the count makes.
    ordering = ["published", "slug"]
    list_filter = ["kind", "outlet", "published_approximate", "headline_inferred"]
    search_fields = ["headline", "outlet", "publisher", "agency", "author", "slug", "url", "report_number"]
    date_hierarchy = "published"
    # Articles are linked over https; also what Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["kind", "outlet", "publisher", "agency", "headline", "headline_inferred", "author"]}),
        ("Where", {"fields": ["url", "slug"]}),
        ("Date", {"fields": ["published", "published_approximate", "date_note"]}),
        ("Reports", {"fields": ["report_number", "edition"]}),
    ]
    inlines = [SourceTextInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Count("citations"))
            .select_related("archive")
            .defer("archive__text")
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for archive in getattr(formset, "new_objects", []) + [
            obj for obj, _ in getattr(formset, "changed_objects", [])
        ]:
            if isinstance(archive, SourceText):
                report_recheck(request, archive)

    @admin.display(description="Text archived", boolean=True)
    def archived(self, obj):
        return hasattr(obj, "archive")

    @admin.display(description="Citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Nation)
class NationAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    actions = [merge_selected]
    resource_classes = [NationResource]
    list_display = ["name", "kind", "slug", "role", "joined", "contribution_count", "updated"]
    ordering = ["name"]  # see SourceAdmin
    list_filter = ["kind", "role"]
    search_fields = ["name", "slug", "country", "notes"]
    # A country's slug is its code whatever is typed (Nation.clean); an organization's starts from its name.
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["kind", "country", "name", "slug", "role"]}),
        ("Membership", {"fields": ["joined", "joined_precision"]}),
        ("Notes", {"fields": ["notes"]}),
    ]
    inlines = [RoleStatementInline, ContributionSummaryInline, CitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="Contributions", ordering="contribution_count")
    def contribution_count(self, obj):
        return obj.contribution_count


@admin.register(RoleStatement)
class RoleStatementAdmin(VersionLockAdmin, HistoryAdmin):
    list_display = ["partner", "role", "as_of"]
    list_filter = ["role"]
    list_select_related = ["partner"]
    search_fields = ["partner__name", "partner__slug"]
    date_hierarchy = "as_of"
    autocomplete_fields = ["partner"]
    fields = ["partner", "role", "as_of", "as_of_precision"]
    inlines = [CitationInline]


@admin.register(Official)
class OfficialAdmin(VersionLockAdmin, HistoryAdmin):
    actions = [merge_selected]
    list_display = ["name", "title", "nation", "tenure_start", "tenure_end"]
    list_filter = [("nation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["nation"]
    search_fields = ["name", "name_variants", "title", "slug", "nation__name"]
    autocomplete_fields = ["nation"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "title", "nation"]}),
        ("Tenure", {"fields": ["tenure_start", "tenure_start_precision", "tenure_end", "tenure_end_precision"]}),
        ("Spelling", {"fields": ["name_variants", "spelling_note"]}),
    ]
    inlines = [CitationInline]


@admin.register(Meeting)
class MeetingAdmin(VersionLockAdmin, HistoryAdmin):
    actions = [merge_selected]
    list_display = ["title", "date", "kind", "status", "city", "host"]
    list_filter = ["kind", "status", "series"]
    list_select_related = ["host"]
    search_fields = ["title", "slug", "city", "venue", "description"]
    date_hierarchy = "date"
    autocomplete_fields = ["host", "officials", "announced_at"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status"]}),
        ("When and where", {"fields": ["date", "date_precision", "end_date", "city", "venue", "host"]}),
        ("Who was there", {"fields": ["officials"]}),
        ("Description", {"fields": ["description"]}),
        ("Series", {"fields": ["series", "announced_at"]}),
    ]
    inlines = [ParticipationInline, FigureInline, CitationInline]


@admin.register(Participation)
class ParticipationAdmin(VersionLockAdmin, HistoryAdmin):
    list_display = ["nation", "meeting", "role"]
    list_filter = ["role"]
    list_select_related = ["nation", "meeting"]
    search_fields = ["nation__name", "meeting__title"]
    autocomplete_fields = ["meeting", "nation"]
    fields = ["meeting", "nation", "role"]
    inlines = [CitationInline]


@admin.register(Figure)
class FigureAdmin(VersionLockAdmin, HistoryAdmin):
    actions = [merge_selected]
    list_display = ["label", "qualifier", "value", "out_of", "metric", "meeting", "official", "as_of"]
    list_filter = ["metric", "qualifier"]
    list_select_related = ["meeting", "official"]
    search_fields = ["label", "meeting__title", "official__name"]
    autocomplete_fields = ["meeting", "official"]
    fieldsets = [
        (None, {"fields": ["meeting", "metric", "label", "official"]}),
        ("The number", {"fields": ["qualifier", "value", "out_of", "as_of", "as_of_precision"]}),
    ]
    inlines = [CitationInline]


class SupportsFilter(admin.SimpleListFilter):
    title = "what it supports"
    parameter_name = "supports"

    def lookups(self, request, model_admin):
        return [(name, Citation._meta.get_field(name).verbose_name.capitalize()) for name in Citation.TARGETS]

    def queryset(self, request, queryset):
        if self.value() in Citation.TARGETS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Unverified")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.verified(self.value() == "yes")
        return queryset


@admin.register(Citation)
class CitationAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    resource_classes = [CitationResource]
    list_display = ["excerpt", "supports", "source_name", "verified"]
    list_filter = [VerifiedFilter, SupportsFilter, "source__outlet"]
    # Every target and what its name is built from, so the list costs one query.
    list_select_related = [
        "source",
        "shares",
        "nation",
        "official",
        "meeting",
        "participation__nation",
        "participation__meeting",
        "figure",
        "contribution__nation",
        "capability_request__requested_by",
        "line_of_effort",
        "line_lead__partner",
        "line_lead__line",
        "role_statement__partner",
        "status_event__contribution__nation",
    ]
    form = CitationForm
    search_fields = ["quote", "shares__quote", "note", "source__headline", "source__slug"]
    autocomplete_fields = ["source", *Citation.TARGETS]
    fieldsets = [
        (None, {"fields": ["source", "quote", "note"]}),
        ("The record it supports (choose exactly one)", {"fields": list(Citation.TARGETS)}),
        ("Verification", {"fields": ["verification_state", "quote_start", "quote_end", "checked_at"]}),
    ]
    readonly_fields = ["verification_state", "quote_start", "quote_end", "checked_at"]

    @admin.display(description="Verified", boolean=True)
    def verified(self, obj):
        return obj.verified

    @admin.display(description="Quote", ordering="quote")
    def excerpt(self, obj):
        return Truncator(obj.words).chars(120)

    @admin.display(description="Source", ordering="source__published")
    def source_name(self, obj):
        return f"{obj.source.outlet}, {obj.source.published:%d %b %Y}"

    @admin.display(description="Supports")
    def supports(self, obj):
        target = obj.target
        return f"{target._meta.verbose_name.capitalize()}: {target}" if target else "—"
