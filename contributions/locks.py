"""Two editors on one admin change form: the second save is refused instead of undoing the first.

The form carries the version of the record it was opened at: a digest of its `updated` time, which
every save moves on, and of the id and `updated` time of each row its editable inlines show (its
citations, a meeting's participations and figures). A citation changed on its own page, or added or
removed anywhere, so changes the record's version, though the record's own row did not move. On save,
the record and those rows are read again under row locks; if the version has moved on since, the form
is refused with who changed it and when, from the history, and nothing is saved.
"""

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

VERSION_FIELD = "opened_version"


def version_of(record, parts=(), lock=False):
    """The record's version: its own `updated` and its inline rows', as one opaque string."""
    stamps = [record.updated.isoformat() if record.updated else ""]
    for model, fk_name in parts:
        rows = model._default_manager.filter(**{fk_name: record.pk}).order_by("pk")
        if lock:
            rows = rows.select_for_update()
        stamps += [f"{pk}@{updated.isoformat()}" for pk, updated in rows.values_list("pk", "updated")]
    return hashlib.sha256(" ".join(stamps).encode()).hexdigest()[:32]


def changed_by(record, parts=()):
    """'<editor> at <time>' for the latest change to the record or its inline rows, from django-simple-history."""
    entries = [record.history.order_by("-history_date").first()]
    for model, fk_name in parts:
        # Deleted rows keep their history: a removed citation is a change too.
        entries.append(model.history.filter(**{f"{fk_name}_id": record.pk}).order_by("-history_date").first())
    latest = max((entry for entry in entries if entry), key=lambda entry: entry.history_date, default=None)
    user = getattr(latest, "history_user", None)
    who = (user.get_full_name() or user.get_username()) if user else "someone"
    when = timezone.localtime(latest.history_date if latest else record.updated)
    return f"{who} at {when:%H:%M:%S} on {when:%d %b %Y} ({when:%Z})"


class VersionCheckedForm:
    """Mixed into the admin's ModelForm for a record that exists; `version_parts` names its inline rows."""

    version_parts = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # Read from the table, not the instance: the history's revert form holds an old version.
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
            self.initial[VERSION_FIELD] = version_of(current or self.instance, self.version_parts)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves in a transaction: the locks hold until this save commits, so a second
            # save that passed the check at the same moment waits, then sees the new version. The
            # record is locked first, then its rows, in the order every change form takes them.
            model = type(self.instance)
            current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
            if current is not None and cleaned.get(VERSION_FIELD) != version_of(current, self.version_parts, lock=True):
                raise ValidationError(
                    f"{changed_by(current, self.version_parts)} changed this record after you opened it. "
                    "Nothing was saved: open it again to see their change, then make yours.",
                    code="stale",
                )
        return cleaned


class VersionLockAdmin:
    """For a ModelAdmin whose model, and whose inlines' models, have an auto_now `updated` field and
    django-simple-history."""

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return super().get_form(request, obj, **kwargs)
        base = kwargs.get("form", self.form)
        attrs = {
            VERSION_FIELD: forms.CharField(widget=forms.HiddenInput, required=False),
            "version_parts": self.version_parts(request, obj),
        }
        kwargs["form"] = type(base.__name__, (VersionCheckedForm, base), attrs)
        return super().get_form(request, obj, **kwargs)

    def version_parts(self, request, obj):
        """(model, foreign key) of each inline this editor can change on this page; read-only lists are not edits."""
        parts = []
        for inline in self.get_inline_instances(request, obj):
            editable = (
                inline.has_change_permission(request, obj)
                or inline.has_add_permission(request, obj)
                or inline.has_delete_permission(request, obj)
            )
            if editable:
                parts.append((inline.model, inline.get_formset(request, obj).fk.name))
        return tuple(parts)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # A row of its own: the admin renders a row holding only a hidden field as hidden.
        return [*fieldsets, (None, {"fields": [VERSION_FIELD]})]
