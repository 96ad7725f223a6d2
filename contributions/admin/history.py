"""Every record's history: who changed what and when, a field-by-field diff, and revert."""

import dataclasses

from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ..models.keys import parse_id


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
