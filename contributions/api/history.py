"""A record's history through the API, for editors: when, who, what kind of change and why.

The admin's history page shows the same versions with a field-by-field diff and revert; this is for
tools that write with `X-Change-Reason` and want to read back what they and others did. Who changed a
record is the editors' business, so reading it needs the permission to change the record.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

# The latest versions only; the admin's history page pages through them all.
LATEST = 100
KINDS = {"+": "created", "~": "changed", "-": "deleted"}


class CanChangeRecord(BasePermission):
    message = "Reading a record's history needs the permission to change it (an editor's account)."

    def has_permission(self, request, view):
        opts = view.get_queryset().model._meta
        return request.user.is_authenticated and request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class VersionSerializer(serializers.Serializer):
    history_id = serializers.IntegerField(help_text="The version's id, as the admin's history page names it.")
    date = serializers.DateTimeField(source="history_date")
    kind = serializers.CharField(help_text="created, changed or deleted.")
    user = serializers.CharField(allow_null=True, help_text="The account that made the change; null for a script.")
    change_reason = serializers.CharField(
        source="history_change_reason", allow_null=True, help_text="The X-Change-Reason the write gave, if any."
    )


class HistoryMixin:
    """Adds GET …/{key}/history/ to a record viewset."""

    @extend_schema(
        summary="The record's history",
        description=f"The latest {LATEST} versions, newest first: when, by whom, what kind of change and why "
        "(`X-Change-Reason`). Needs an editor's account.",
        responses=VersionSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[CanChangeRecord],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
    )
    def history(self, request, *args, **kwargs):
        record = self.get_object()
        versions = record.history.select_related("history_user").order_by("-history_date", "-history_id")[:LATEST]
        rows = [
            {
                "history_id": version.history_id,
                "history_date": version.history_date,
                "kind": KINDS[version.history_type],
                "user": version.history_user.get_username() if version.history_user else None,
                "history_change_reason": version.history_change_reason,
            }
            for version in versions
        ]
        return Response(VersionSerializer(rows, many=True).data)
