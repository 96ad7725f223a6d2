"""A source's archived text in its admin page: pasted, or read from an uploaded .txt, .html or .pdf.

The text is checked against the source's citations by the model (SourceText.clean and save); this
module only reads the upload and tells the editor what the check found.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ..extraction import ExtractionError, extract_text
from ..models.sources import SourceText
from ..verification import NormalisedText, normalise, short_fingerprint
from .history import HistoryAdmin


class SourceTextForm(forms.ModelForm):
    upload = forms.FileField(
        required=False,
        label="Or upload the source",
        help_text="A .txt, .html or .pdf file; its text replaces the text above, and the file is kept.",
    )

    # A plain box rather than the admin's split date and time: one value to read, paste or correct.
    captured = forms.DateTimeField(
        initial=timezone.now,
        widget=forms.DateTimeInput(format="%Y-%m-%d %H:%M"),
        help_text="When the text was captured from the source (YYYY-MM-DD HH:MM).",
    )

    class Meta:
        model = SourceText
        fields = ["text", "upload", "captured"]

    def has_changed(self):
        # The capture time alone (it defaults to now) is no reason to archive a text.
        if self.instance.pk is None:
            return bool({"text", "upload"} & set(self.changed_data))
        return super().has_changed()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False  # an upload can bring it instead
        limit = filesizeformat(settings.SOURCE_UPLOAD_MAX_BYTES)
        self.fields["upload"].help_text += f" At most {limit}."

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            self.read_upload(upload, cleaned)
        elif not (cleaned.get("text") or "").strip() and "text" not in self.errors:
            self.add_error("text", "Paste the source's text, or upload its file.")
        return cleaned

    def read_upload(self, upload, cleaned):
        if upload.size > settings.SOURCE_UPLOAD_MAX_BYTES:
            limit = filesizeformat(settings.SOURCE_UPLOAD_MAX_BYTES)
            self.add_error("upload", f"The file is {filesizeformat(upload.size)}; the largest accepted is {limit}.")
            return
        data = upload.read()
        try:
            cleaned["text"] = extract_text(upload.name, data)
        except ExtractionError as error:
            self.add_error("upload", str(error))
            return
        self.errors.pop("text", None)
        # Kept in media storage under a sanitised name (SourceText.original's upload_to).
        self.instance.original = ContentFile(data, name=upload.name)
        self.instance.original_name = upload.name[-255:]
        self.instance.original_sha256 = hashlib.sha256(data).hexdigest()


class SourceTextInline(admin.StackedInline):
    """The source's archived text: for editors and verification, never shown on public pages."""

    model = SourceText
    form = SourceTextForm
    fields = ["text", "upload", "captured", "fingerprint", "original_file"]
    readonly_fields = ["fingerprint", "original_file"]
    extra = 1
    max_num = 1
    can_delete = False
    show_change_link = True  # to its own page, with the history of every earlier text
    verbose_name = "archived text"
    verbose_name_plural = "Archived text (every quote from this source is checked against it)"

    @admin.display(description="sha256")
    def fingerprint(self, obj):
        return obj.sha256 or "—"

    @admin.display(description="Uploaded original")
    def original_file(self, obj):
        if not obj.original_name:
            return "—"
        return f"{obj.original_name} (sha256 {short_fingerprint(obj.original_sha256)}…, kept in media storage)"


LISTED = 20


def report_recheck(request, archive):
    """Tell the editor what a new text did to the source's citations."""
    result = getattr(archive, "report", None)
    if result is None:
        return
    if result.verified:
        messages.success(request, f"{len(result.verified)} citation(s) verified against the archived text.")
    if result.unverified:
        text = NormalisedText(archive.text)
        # The first few, each with its nearest passage; the citations list filters the rest (verified: no).
        listed = "; ".join(
            f"#{citation.pk} “{normalise(citation.quote)[:80]}” (nearest: “{text.nearest(citation.quote)[:80]}”)"
            for citation in result.unverified[:LISTED]
        )
        if len(result.unverified) > LISTED:
            listed += f"; and {len(result.unverified) - LISTED} more"
        messages.warning(
            request, f"{len(result.unverified)} citation(s) are not in this text and stay unverified: {listed}"
        )


@admin.register(SourceText)
class SourceTextAdmin(HistoryAdmin):
    """Every archived text, each with its history; a text is changed here or on its source's page."""

    form = SourceTextForm
    list_display = ["source", "captured", "short_sha256", "original_name", "updated"]
    list_select_related = ["source"]
    search_fields = ["source__slug", "source__headline", "source__outlet"]
    autocomplete_fields = ["source"]
    fields = ["source", "text", "upload", "captured", "fingerprint", "original_file"]
    readonly_fields = ["fingerprint", "original_file"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text")

    def get_readonly_fields(self, request, obj=None):
        # Moving a text to another source would leave both sources' quotes checked against the wrong text.
        return [*self.readonly_fields, "source"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        report_recheck(request, obj)

    @admin.display(description="sha256")
    def short_sha256(self, obj):
        return f"{short_fingerprint(obj.sha256)}…"

    fingerprint = SourceTextInline.fingerprint
    original_file = SourceTextInline.original_file
