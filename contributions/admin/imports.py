"""Bulk import and export from the admin: size limits, strict files, a signed confirm step, the column help."""

import os

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django_countries.fields import CountryField
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from ..import_files import ImportFileError, StrictCSV, StrictXLSX
from ..models.choices import TheatreCode, definition
from ..resources import CitationResource, ContributionResource, NationResource, StatusEventResource
from .history import HistoryAdmin


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


IMPORT_RESOURCES = [ContributionResource, StatusEventResource, NationResource, CitationResource]


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
        if model_field.many_to_many:  # theatres: a vocabulary of four codes, listed like choices
            choices = TheatreCode.choices
        required = not (model_field.blank or model_field.primary_key)
        columns.append(
            {
                "name": field.column_name,
                "help": resource_class.column_help.get(field.column_name, ""),
                "required": required,
                # With each value's definition where its vocabulary has them (the data dictionary's too).
                "choices": [(value, label, definition(field.attribute, value)) for value, label in choices if value],
            }
        )
    return {
        "name": model._meta.verbose_name_plural.capitalize(),
        "columns": columns,
        "note": getattr(resource_class, "column_note", ""),
    }
