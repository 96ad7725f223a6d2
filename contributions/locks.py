"""Two editors on one admin change form: the second save is refused instead of undoing the first.

The form carries the version of the record it was opened at (its `updated` time, which every save
moves on). On save, the record is read again under a row lock; if it has moved on since, the form is
refused with who changed it and when, from the record's history, and nothing is saved.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

VERSION_FIELD = "opened_version"


def version_of(record):
    return record.updated.isoformat() if record.updated else ""


def changed_by(record):
    """'<editor> at <time>' for the record's latest version, from django-simple-history."""
    latest = record.history.order_by("-history_date").first()
    user = getattr(latest, "history_user", None)
    who = (user.get_full_name() or user.get_username()) if user else "someone"
    when = timezone.localtime(latest.history_date if latest else record.updated)
    return f"{who} at {when:%H:%M:%S} on {when:%d %b %Y} ({when:%Z})"


class VersionCheckedForm:
    """Mixed into the admin's ModelForm for a record that exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # Read from the table, not the instance: the history's revert form holds an old version.
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
            self.initial[VERSION_FIELD] = version_of(current or self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves in a transaction: the lock holds until this save commits, so a second
            # save that passed the check at the same moment waits, then sees the new version.
            model = type(self.instance)
            current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
            if current is not None and cleaned.get(VERSION_FIELD) != version_of(current):
                raise ValidationError(
                    f"{changed_by(current)} changed this record after you opened it. Nothing was saved: "
                    "open it again to see their change, then make yours.",
                    code="stale",
                )
        return cleaned


class VersionLockAdmin:
    """For a ModelAdmin whose model has an auto_now `updated` field and django-simple-history."""

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return super().get_form(request, obj, **kwargs)
        base = kwargs.get("form", self.form)
        attrs = {VERSION_FIELD: forms.CharField(widget=forms.HiddenInput, required=False)}
        kwargs["form"] = type(base.__name__, (VersionCheckedForm, base), attrs)
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # A row of its own: the admin renders a row holding only a hidden field as hidden.
        return [*fieldsets, (None, {"fields": [VERSION_FIELD]})]
