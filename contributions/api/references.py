"""Compact references to related records, as a record embeds them: read as a small object with its
URL, written by key (see fields.py)."""

import re
from collections.abc import Mapping

from django_countries import countries
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contributions.models import (
    Citation,
    LineOfEffort,
    Meeting,
    Nation,
    Official,
    Participation,
    RoleStatement,
    StatusEvent,
)
from contributions.models.events import RECORDED
from contributions.models.nations import ORGANIZATION_SLUG

from .fields import NationField, RecordField


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$"})
class CountryCodeField(CountryField):
    """An ISO country code; documented by pattern rather than a 249-value enum repeated in every description."""

    def to_internal_value(self, data):
        # django-countries turns 0, false or {} into a blank country rather than an error.
        country = super().to_internal_value(data) if isinstance(data, str | Mapping) else ""
        if not country:
            self.fail("invalid_choice", input=data)
        return country


# A country's ISO code, or an organization's slug, which it uses as its code.
PARTNER_CODE_PATTERN = "^([A-Za-z]{2}|[a-z][a-z0-9]*(-[a-z0-9]+)*)$"


@extend_schema_field({"type": "string", "pattern": PARTNER_CODE_PATTERN})
class PartnerCodeField(CountryCodeField):
    """A partner's code: a country's ISO code, read upper-case and written in either case, or for an
    organization, which has no country code, its slug. Written, an organization's code sets no country:
    the serializer checks that it matches the slug."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, nation):
        return nation.code

    def to_internal_value(self, data):
        if isinstance(data, str) and not countries.alpha2(data.strip()) and re.match(ORGANIZATION_SLUG, data.strip()):
            return ""
        return super().to_internal_value(data.strip() if isinstance(data, str) else data)


class NationRefSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True, help_text="A country's ISO 3166-1 alpha-2 code; an organization's slug."
    )
    kind = serializers.CharField(read_only=True, help_text="country or organization.")
    name = serializers.CharField(read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:nation-detail", lookup_field="slug", lookup_url_kwarg="code"
    )


class OfficialRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:official-detail", lookup_field="slug")


class MeetingRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    date = serializers.DateField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:meeting-detail", lookup_field="slug")


class SourceRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    outlet = serializers.CharField(read_only=True)
    headline = serializers.CharField(read_only=True)
    published = serializers.DateField(read_only=True)
    article_url = serializers.URLField(source="url", read_only=True, help_text="The article's address.")
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="slug")


class LineRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:line-detail", lookup_field="slug")


def nation_field(**kwargs):
    kwargs.setdefault(
        "help_text",
        "Written as the partner's code: a country's ISO 3166-1 alpha-2 code, either case, or an "
        "organization's slug (eu).",
    )
    return NationField(NationRefSerializer, queryset=Nation.objects.all(), **kwargs)


def official_field(**kwargs):
    kwargs.setdefault("help_text", "Written as the official's slug.")
    return RecordField(OfficialRefSerializer, queryset=Official.objects.all(), **kwargs)


def meeting_field(**kwargs):
    kwargs.setdefault("help_text", "Written as the meeting's slug.")
    return RecordField(MeetingRefSerializer, queryset=Meeting.objects.all(), **kwargs)


def line_field(**kwargs):
    kwargs.setdefault("help_text", "Written as the line of effort's slug.")
    return RecordField(LineRefSerializer, queryset=LineOfEffort.objects.all(), **kwargs)


def optional(field_factory, **kwargs):
    return field_factory(required=False, allow_null=True, **kwargs)


# A citation's verification record, read-only: set by checking the quote against the archived text.
VERIFICATION_FIELDS = [
    "verified",
    "verification_state",
    "text_sha256",
    "text_captured",
    "quote_start",
    "quote_end",
    "checked_at",
    "context_before",
    "context_after",
]
VERIFIED_HELP = "The quote was found in its source's archived text (whitespace aside)."
STATE_HELP = "“verified against the text captured on DATE (sha256 …)” or “unverified”."


SHARES_HELP = (
    "The citation whose words this one shares (the same sentence supporting another record), whose quote "
    "and verification record it shows; null when it stores its own."
)


class SharedWords:
    """A citation sharing another's words is shown with them, and with the record of their verification."""

    def to_representation(self, citation):
        data = super().to_representation(citation)
        if citation.shares_id:
            origin = citation.origin
            data["quote"] = origin.quote
            for name in VERIFICATION_FIELDS:
                if name in data:
                    value = getattr(origin, name)
                    data[name] = None if value is None else self.fields[name].to_representation(value)
        return data


class CitationEmbedSerializer(SharedWords, serializers.ModelSerializer):
    """A citation as embedded in the record it supports."""

    url = serializers.HyperlinkedIdentityField(view_name="api:citation-detail")
    source = SourceRefSerializer(read_only=True)
    verified = serializers.BooleanField(read_only=True, help_text=VERIFIED_HELP)
    verification_state = serializers.CharField(read_only=True, help_text=STATE_HELP)

    class Meta:
        model = Citation
        fields = ["id", "url", "quote", "note", "source", "shares", *VERIFICATION_FIELDS]
        read_only_fields = fields
        extra_kwargs = {"shares": {"help_text": SHARES_HELP}}


class MeetingParticipationSerializer(serializers.ModelSerializer):
    """A nation's part in a meeting, as listed on the meeting."""

    url = serializers.HyperlinkedIdentityField(view_name="api:participation-detail")
    nation = NationRefSerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "url", "nation", "role"]
        read_only_fields = fields


class RoleStatementEmbedSerializer(serializers.ModelSerializer):
    """A role statement as listed on its partner, latest first, with the citations that support it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:role-statement-detail")
    citations = CitationEmbedSerializer(many=True, read_only=True)

    class Meta:
        model = RoleStatement
        fields = ["id", "url", "role", "as_of", "as_of_precision", "citations"]
        read_only_fields = fields


class StatusEventEmbedSerializer(serializers.ModelSerializer):
    """A status event as listed on its contribution, in date order, with the citations that support it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:status-event-detail")
    meeting = MeetingRefSerializer(read_only=True)
    official = OfficialRefSerializer(read_only=True)
    citations = CitationEmbedSerializer(many=True, read_only=True)

    class Meta:
        model = StatusEvent
        fields = ["id", "url", *RECORDED, "valid_until", "citations"]
        read_only_fields = fields
