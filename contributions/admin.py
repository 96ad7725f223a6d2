"""The editors' admin: every record, its citations inline, its history with a diff, and bulk import."""

import dataclasses
import os

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator
from django_countries.fields import CountryField
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .import_files import ImportFileError, StrictCSV, StrictXLSX
from .locks import VersionLockAdmin
from .models.citations import Citation
from .models.contributions import CapabilityRequest, Contribution
from .models.keys import parse_id
from .models.meetings import Figure, Meeting, Participation
from .models.nations import Nation, Official
from .models.sources import Source
from .resources import CitationResource, ContributionResource, NationResource

admin.site.site_header = "Coalition Contributions Tracker"
admin.site.site_title = "Coalition Contributions Tracker"
admin.site.index_title = "Editors’ desk"


class ChangesHelper(HistoricalRecordContextHelper):
    """The "What changed" column: choice labels and "(blank)" rather than stored codes and None."""

    def context_for_delta_changes(self, delta):
        # `updated` changes on every save; listing it would bury the change that matters.
        changes = [change for change in delta.changes if change.field != "updated"]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "(blank)"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """History lists each version with who, when and a field-by-field diff; Revert restores one."""

    object_history_list_template = "admin/contributions/object_history_list.html"
    object_history_form_template = "admin/contributions/object_history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The URL takes any text for both ids ("history/compare/" too); one that names no record is a 404,
        # where simple-history would pass "abc" to the database and answer 500.
        try:
            parse_id(unquote(object_id)), parse_id(version_id)
        except ValueError:
            raise Http404("No such version.") from None
        return super().history_form_view(request, object_id, version_id, extra_context)


class SizeLimitedImportForm(ImportForm):
    """Refuse files over IMPORT_MAX_BYTES before they are parsed: a huge upload would tie up a worker."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(f"The file is {upload.size:,} bytes; imports are limited to {limit:,} bytes.")
        return upload


class SignedConfirmImportForm(ConfirmImportForm):
    """The confirm step names the stored upload by a name the server signed for this user.

    Unsigned, the name would let anyone import (and so delete) any file in the server's temp folder.
    """

    def __init__(self, *args, salt, **kwargs):
        self.salt = salt
        super().__init__(*args, **kwargs)

    def clean_import_file_name(self):
        try:
            return signing.loads(self.cleaned_data["import_file_name"], salt=self.salt, max_age=24 * 60 * 60)
        except signing.BadSignature:
            raise ValidationError("This is not a file you uploaded; upload it again.") from None


class ImportExportHistoryAdmin(ImportExportMixin, HistoryAdmin):
    formats = [StrictCSV, StrictXLSX]
    import_form_class = SizeLimitedImportForm
    import_template_name = "admin/contributions/import.html"

    # Without these, any staff account could import: the import views only check is_staff.
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        help_view = self.admin_site.admin_view(self.import_help_view)
        name = "{}_{}_import_help".format(*self.get_model_info())
        return [path("import/help/", help_view, name=name), *super().get_urls()]

    def import_help_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Import format",
            "opts": self.model._meta,
            "resources": [describe_resource(resource) for resource in IMPORT_RESOURCES],
        }
        return TemplateResponse(request, "admin/contributions/import_help.html", context)

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, ImportFileError):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def get_confirm_form_class(self, request):
        return SignedConfirmImportForm

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "salt": f"import-file:{request.user.pk}"}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial:
            name = os.path.basename(initial["import_file_name"])
            initial["import_file_name"] = signing.dumps(name, salt=f"import-file:{request.user.pk}")
        return initial

    def process_import(self, request, **kwargs):
        if request.method == "POST" and "import_file_name" in self.create_confirm_form(request).errors:
            return HttpResponseBadRequest("import_file_name: not a file you uploaded; upload it again.")
        try:
            return super().process_import(request, **kwargs)
        except (FileNotFoundError, ImportFileError):
            # Confirmed twice (the first confirm removes the file), or a file that changed on disk.
            messages.error(request, "Nothing was imported: the uploaded file is gone. Upload it again.")
            return redirect("admin:{}_{}_import".format(*self.get_model_info()))

    def process_result(self, result, request):
        # The confirm step reads the file again; if the data changed since the preview, nothing was saved.
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, "Nothing was imported: the file no longer validates. Upload it again.")
            return redirect("admin:{}_{}_import".format(*self.get_model_info()))
        return super().process_result(result, request)


IMPORT_RESOURCES = [ContributionResource, NationResource, CitationResource]


def describe_resource(resource_class):
    """Columns of one import file, with allowed values read from the model's choices."""
    model = resource_class._meta.model
    columns = []
    for field in resource_class().get_user_visible_fields():
        if not field.attribute:  # the citation columns
            columns.append({"name": field.column_name, "help": resource_class.column_help.get(field.column_name, "")})
            continue
        model_field = model._meta.get_field(field.attribute)
        # Relations and the 250 countries are described in words instead of listed.
        listed = not (model_field.is_relation or isinstance(model_field, CountryField))
        choices = (model_field.choices or []) if listed else []
        required = not (model_field.blank or model_field.primary_key)
        columns.append(
            {
                "name": field.column_name,
                "help": resource_class.column_help.get(field.column_name, ""),
                "required": required,
                "choices": [(value, label) for value, label in choices if value],
            }
        )
    return {
        "name": model._meta.verbose_name_plural.capitalize(),
        "columns": columns,
        "note": getattr(resource_class, "column_note", ""),
    }


# --- Inlines ---------------------------------------------------------------------------------------


class AtLeastOneCitation(forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": "Add a citation: every fact needs a source and its exact words."}


class CitationInline(admin.StackedInline):
    """The evidence for the record above: the article and the words it uses."""

    model = Citation
    formset = AtLeastOneCitation
    fields = ["source", "quote", "note"]
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
    fields = ["metric", "qualifier", "value", "out_of", "label", "as_of"]
    # The label's full-width box would push the row off the page.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 30})}}
    extra = 0
    show_change_link = True  # to cite a figure


class ContributionSummaryInline(admin.TabularInline):
    """A nation's contributions at a glance; each is edited on its own page, with its citations."""

    model = Contribution
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
    list_display = ["headline", "outlet", "published", "author", "citation_count"]
    # Explicit, because Meta.ordering is dropped from the GROUP BY query the count makes.
    ordering = ["published", "slug"]
    list_filter = ["outlet", "published_approximate", "headline_inferred"]
    search_fields = ["headline", "outlet", "author", "slug", "url"]
    date_hierarchy = "published"
    # Articles are linked over https; also what Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["outlet", "headline", "headline_inferred", "author", "url", "slug"]}),
        ("Date", {"fields": ["published", "published_approximate", "date_note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Nation)
class NationAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    resource_classes = [NationResource]
    list_display = ["name", "code", "role", "joined", "contribution_count", "updated"]
    ordering = ["name"]  # see SourceAdmin
    list_filter = ["role"]
    search_fields = ["name", "country", "notes"]
    fieldsets = [
        (None, {"fields": ["country", "name", "role"]}),
        ("Membership", {"fields": ["joined", "joined_precision"]}),
        ("Notes", {"fields": ["notes"]}),
    ]
    inlines = [ContributionSummaryInline, CitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="Contributions", ordering="contribution_count")
    def contribution_count(self, obj):
        return obj.contribution_count


@admin.register(Official)
class OfficialAdmin(VersionLockAdmin, HistoryAdmin):
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
    list_display = ["title", "date", "kind", "status", "city", "host"]
    list_filter = ["kind", "status"]
    list_select_related = ["host"]
    search_fields = ["title", "slug", "city", "venue", "description"]
    date_hierarchy = "date"
    autocomplete_fields = ["host", "officials"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status"]}),
        ("When and where", {"fields": ["date", "date_precision", "end_date", "city", "venue", "host"]}),
        ("Who was there", {"fields": ["officials"]}),
        ("Description", {"fields": ["description"]}),
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
    list_display = ["label", "qualifier", "value", "out_of", "metric", "meeting", "as_of"]
    list_filter = ["metric", "qualifier"]
    list_select_related = ["meeting"]
    search_fields = ["label", "meeting__title"]
    autocomplete_fields = ["meeting"]
    fieldsets = [
        (None, {"fields": ["meeting", "metric", "label"]}),
        ("The number", {"fields": ["qualifier", "value", "out_of", "as_of"]}),
    ]
    inlines = [CitationInline]


class ContributionForm(forms.ModelForm):
    class Meta:
        # Amounts are stored in US dollars only; a choice spares editors a typing error.
        widgets = {"currency": forms.Select(choices=[("", "—"), ("USD", "USD")])}


@admin.register(Contribution)
class ContributionAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    resource_classes = [ContributionResource]
    form = ContributionForm
    list_display = ["summary", "nation", "category", "capability", "status", "announced"]
    list_filter = ["status", "category", "capability"]
    list_select_related = ["nation"]
    search_fields = ["description", "nation__name", "meeting__title", "official__name"]
    date_hierarchy = "announced"
    autocomplete_fields = ["nation", "meeting", "official"]
    fieldsets = [
        (None, {"fields": ["nation", "status", "category", "capability", "description"]}),
        ("How much", {"fields": ["quantity_before", "quantity", "unit", "amount", "currency", "amount_basis"]}),
        ("When and where", {"fields": ["announced", "announced_precision", "meeting", "official"]}),
    ]
    inlines = [CitationInline]

    @admin.display(description="Description", ordering="description")
    def summary(self, obj):
        # The full text wraps every row to a dozen lines and pushes the other columns off-screen.
        return Truncator(obj.description).chars(90)


@admin.register(CapabilityRequest)
class CapabilityRequestAdmin(VersionLockAdmin, HistoryAdmin):
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


class SupportsFilter(admin.SimpleListFilter):
    title = "what it supports"
    parameter_name = "supports"

    def lookups(self, request, model_admin):
        return [(name, Citation._meta.get_field(name).verbose_name.capitalize()) for name in Citation.TARGETS]

    def queryset(self, request, queryset):
        if self.value() in Citation.TARGETS:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(Citation)
class CitationAdmin(VersionLockAdmin, ImportExportHistoryAdmin):
    resource_classes = [CitationResource]
    list_display = ["excerpt", "supports", "source_name"]
    list_filter = [SupportsFilter, "source__outlet"]
    # Every target and what its name is built from, so the list costs one query.
    list_select_related = [
        "source",
        "nation",
        "official",
        "meeting",
        "participation__nation",
        "participation__meeting",
        "figure",
        "contribution__nation",
        "capability_request__requested_by",
    ]
    search_fields = ["quote", "note", "source__headline", "source__slug"]
    autocomplete_fields = ["source", *Citation.TARGETS]
    fieldsets = [
        (None, {"fields": ["source", "quote", "note"]}),
        ("The record it supports (choose exactly one)", {"fields": list(Citation.TARGETS)}),
    ]

    @admin.display(description="Quote", ordering="quote")
    def excerpt(self, obj):
        return Truncator(obj.quote).chars(120)

    @admin.display(description="Source", ordering="source__published")
    def source_name(self, obj):
        return f"{obj.source.outlet}, {obj.source.published:%d %b %Y}"

    @admin.display(description="Supports")
    def supports(self, obj):
        target = obj.target
        return f"{target._meta.verbose_name.capitalize()}: {target}" if target else "—"
