"""POST …/{key}/merge/: merge a duplicate record into this one (contributions.merging), for editors.

The same rules as every other write: an editor's account, If-Match with the survivor's current ETag
(428 without it, 412 when stale), an optional X-Change-Reason, and a 400 naming the field for bad input
with nothing changed.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission

from contributions import merging
from contributions.models.keys import parse_id


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.CharField(
        help_text="The key of the record to merge into this one, as in its URL (id, slug or nation code); "
        "it is deleted once everything that refers to it has moved here."
    )
    reason = serializers.CharField(
        max_length=merging.REASON_MAX_LENGTH,
        help_text="Why the two records are the same; kept in both records' history.",
    )


class CanMerge(BasePermission):
    message = "Merging needs the permission to change the record (an editor's account)."

    def has_permission(self, request, view):
        opts = view.get_queryset().model._meta
        return request.user.is_authenticated and request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class MergeMixin:
    """Adds POST …/{key}/merge/ to a record viewset."""

    @extend_schema(
        summary="Merge a duplicate into this record",
        description="Moves the duplicate's citations and every record, link and reference naming it to this "
        "record, then deletes the duplicate, in one transaction; both histories keep the reason. "
        "Needs an editor's account and this record's ETag as If-Match. Answers with this record as now stored.",
        request=MergeSerializer,
        filters=False,
    )
    @action(detail=True, methods=["post"], permission_classes=[CanMerge], filter_backends=[], pagination_class=None)
    def merge(self, request, *args, **kwargs):
        from .views import writing  # views imports this module

        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Deferred keys, as for a delete: the duplicate's rows are moved before it goes.
        with writing(request, check_keys_now=False):
            survivor = self.get_locked_object()
            if failed := self.precondition_failed(survivor):
                return failed
            duplicate = self.find_duplicate(body.validated_data["duplicate"])
            try:
                merging.merge(survivor, duplicate, body.validated_data["reason"])
            except DjangoValidationError as error:
                raise ValidationError(error.message_dict) from None
        return self.written(survivor)

    def find_duplicate(self, key):
        model = self.get_queryset().model
        name = self.lookup_url_kwarg or self.lookup_field
        missing = ValidationError({"duplicate": [f"No {model._meta.verbose_name} has the key “{key}”."]})
        if not re.fullmatch(self.lookup_value_regex, key):
            raise missing
        if self.lookup_field == "pk":
            try:
                key = parse_id(key)
            except ValueError:
                raise missing from None
        saved = self.kwargs
        self.kwargs = {**saved, name: key}
        try:
            lookup = self.lookup()
        finally:
            self.kwargs = saved
        duplicate = model._default_manager.filter(**lookup).order_by().first()
        if duplicate is None:
            raise missing
        return duplicate
