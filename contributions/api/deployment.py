"""A contribution's fields for where and when it operates, how exact its quantity is, and its money as
the source first gave it. A mixin, like Cited, so the contribution's list and detail shapes both gain them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contributions.models.choices import TheatreCode
from contributions.models.theatres import Theatre

from .references import nation_field, optional


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": TheatreCode.values}})
class TheatresField(serializers.ManyRelatedField):
    pass


def theatres_field():
    child = serializers.SlugRelatedField(slug_field="code", queryset=Theatre.objects.all())
    return TheatresField(
        child_relation=child,
        required=False,
        help_text="Codes of the theatres it operates in (iraq, syria, region, home); empty when not stated.",
    )


class DeploymentFields(serializers.Serializer):
    theatres = theatres_field()
    host = optional(nation_field, help_text="The partner hosting the deployment, written as its ISO code.")
    quantity_display = serializers.CharField(
        read_only=True, help_text="The quantity in words, as the pages show it: “about 1,830 personnel”."
    )

    added_fields = [
        "quantity_qualifier",
        "quantity_display",
        "theatres",
        "host",
        "started",
        "started_precision",
        "ended",
        "ended_precision",
        "announced_year_inferred",
        "original_amount",
        "original_currency",
        "exchange_rate",
        "rate_date",
    ]

    def get_field_names(self, declared_fields, info):
        return [*super().get_field_names(declared_fields, info), *self.added_fields]
