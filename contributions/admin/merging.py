"""The admin's "Merge selected records": two records of one kind, a confirmation page where the editor
picks the record to keep and says why, then contributions.merging does the merge."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from ..merging import REASON_MAX_LENGTH, merge


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(
        coerce=int, widget=forms.RadioSelect, label="Keep", help_text="The other record is deleted once merged."
    )
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        help_text="Why they are the same; kept in both records' history, e.g. “Same official, spelt in full”.",
    )

    def __init__(self, records, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(record.pk, f"#{record.pk} {record}") for record in records]


def references(record):
    """What points at the record, by kind, as the merge would move it: [(kind, count)]."""
    found = []
    for relation in record._meta.related_objects:
        count = relation.related_model._base_manager.filter(**{relation.field.name: record.pk}).count()
        if count:
            found.append((relation.related_model._meta.verbose_name_plural, count))
    return found


@admin.action(description="Merge selected records", permissions=["change"])
def merge_selected(modeladmin, request, queryset):
    records = list(queryset.order_by("pk"))
    if len(records) != 2:
        modeladmin.message_user(request, "Select exactly two records to merge.", messages.ERROR)
        return None
    form = MergeForm(records, request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        survivor, duplicate = sorted(records, key=lambda record: record.pk != form.cleaned_data["survivor"])
        duplicate_name = f"#{duplicate.pk} {duplicate}"
        try:
            merge(survivor, duplicate, form.cleaned_data["reason"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            modeladmin.message_user(
                request, f"Merged {duplicate_name} into #{survivor.pk} {survivor}.", messages.SUCCESS
            )
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Merge two {modeladmin.opts.verbose_name_plural}",
        "opts": modeladmin.opts,
        "form": form,
        "records": [(record, references(record)) for record in records],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": request.POST.get("action", "merge_selected"),
    }
    return TemplateResponse(request, "admin/contributions/merge_confirmation.html", context)
