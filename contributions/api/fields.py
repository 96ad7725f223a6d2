"""Serializer fields for related records: read as a compact object with its URL, written as its key."""

from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from contributions import cache


class RecordField(serializers.SlugRelatedField):
    """A related record named by its readable key ("FR", "brussels-2016").

    Writes also accept the compact object a read returns, so a fetched body can be edited and sent back.
    """

    key = "slug"

    def __init__(self, ref, **kwargs):
        self.ref = ref
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        # A page names few distinct nations, meetings and officials, and building a serializer per row
        # was most of a page's time. Fields belong to one serializer, and that to one request, so the
        # memo never outlives a response.
        memo = self.__dict__.setdefault("_represented", {})
        if obj.pk not in memo:
            memo[obj.pk] = self.compact(obj)
        return memo[obj.pk]

    def represent(self, pk, record):
        """As to_representation(), kept in the process until the next write, for the host its URL names;
        `record()` gives the record when it is not kept yet. For the contribution list's rows, which
        outlive a request (api/rows.py)."""
        if "_host" not in self.__dict__:
            request = self.context.get("request")
            self._host = request.build_absolute_uri("/") if request is not None else None
        return cache.remembered("ref", (self.ref, self._host, pk), lambda: self.compact(record()))

    def compact(self, obj):
        if "_ref" not in self.__dict__:
            self._ref = self.ref(context=self.context)
        return self._ref.to_representation(obj)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            data = data.get(self.key)
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(self.normalize(data))

    def normalize(self, value):
        return value

    def get_choices(self, cutoff=None):
        # The browsable API builds <select> options from these; compact objects cannot be option keys.
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {str(getattr(item, self.slug_field)): self.display_value(item) for item in queryset}


class NationField(RecordField):
    """A partner, written as a country's ISO code (either case) or an organization's slug."""

    key = "code"

    def __init__(self, ref, **kwargs):
        kwargs["slug_field"] = "slug"
        super().__init__(ref, **kwargs)

    def normalize(self, value):
        # The slug is a country's code in lower case; clients often send codes upper-case.
        return value.strip().lower()


class IdRecordField(serializers.PrimaryKeyRelatedField):
    """A related record named by its id; read as {"id", "url"} without loading the record."""

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        super().__init__(**kwargs)

    def to_representation(self, value):
        url = reverse(self.view_name, kwargs={"pk": value.pk}, request=self.context.get("request"))
        return {"id": value.pk, "url": url}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            data = data.get("id")
        # The database would read True and 1.5 as record 1.
        whole_number = isinstance(data, int) and not isinstance(data, bool)
        digits = isinstance(data, str) and data.isascii() and data.isdigit()
        if not (whole_number or digits):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)

    def get_choices(self, cutoff=None):
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {str(item.pk): self.display_value(item) for item in queryset}


@extend_schema_field(OpenApiTypes.URI)
class WebURLField(serializers.Field):
    """The record's page on the researchers' site."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class FilteredListField(serializers.Field):
    """A link to an API list filtered to this record, e.g. a nation's contributions."""

    def __init__(self, view_name, param, attribute="slug", **kwargs):
        self.view_name = view_name
        self.param = param
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        url = reverse(self.view_name, request=self.context.get("request"))
        return f"{url}?{self.param}={getattr(obj, self.attribute)}"
