"""Serializers for every model: a list shape, a detail shape with the embedded citations, and compact
references for related records.

Writes are validated like the admin's forms: field checks, then the model's clean() and its database
constraints, so a rejected write never reaches the database and names the fields at fault.
"""

import copy
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from contributions import tables
from contributions.models.citations import Citation
from contributions.models.contributions import Contribution
from contributions.models.events import StatusEvent
from contributions.models.lines import LineLead
from contributions.models.meetings import Figure, Meeting, Participation
from contributions.models.nations import Official
from contributions.models.requests import CapabilityRequest
from contributions.models.roles import RoleStatement
from contributions.models.sources import Source

from .deployment import DeploymentFields
from .fields import FilteredListField, IdRecordField, RecordField, WebURLField
from .references import (
    SHARES_HELP,
    STATE_HELP,
    VERIFICATION_FIELDS,
    VERIFIED_HELP,
    CitationEmbedSerializer,
    MeetingParticipationSerializer,
    NationRefSerializer,
    SharedWords,
    SourceRefSerializer,
    StatusEventEmbedSerializer,
    line_field,
    meeting_field,
    nation_field,
    official_field,
    optional,
)

# --- Base class ---------------------------------------------------------------------------------


class RecordSerializer(serializers.ModelSerializer):
    # Form posts from the browsable API carry Django's CSRF token alongside the fields.
    ignored_fields = {"csrfmiddlewaretoken"}

    def to_internal_value(self, data):
        # A misspelt field would otherwise be dropped silently and the write would look successful.
        unknown = {}
        if isinstance(data, Mapping):
            writable = sorted(name for name, field in self.fields.items() if not field.read_only)
            message = f"Unknown field. Writable fields: {', '.join(writable)}."
            unknown = {name: [message] for name in data if name not in self.fields and name not in self.ignored_fields}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **unknown}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value

    def get_validators(self):
        # Uniqueness across fields is checked with the model's constraints in validate(), which names a field.
        return []

    def validate(self, attrs):
        """Run the model's own validation on the record as it would be saved, as the admin's forms do."""
        attrs = super().validate(attrs)
        model = self.Meta.model
        record = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if not model._meta.get_field(name).many_to_many:
                setattr(record, name, value)
        errors = {}
        # Related records were looked up by the serializer; checking them again would cost a query each.
        related = [field.name for field in model._meta.fields if field.is_relation]
        for check in (lambda: record.clean_fields(exclude=related), record.clean):
            try:
                check()
            except DjangoValidationError as error:
                errors = error.update_error_dict(errors)
        # Like Model.full_clean(): a field that already failed is not checked again by the constraints.
        checked = {name for name in errors if name != NON_FIELD_ERRORS}
        for constraint in model._meta.constraints:
            try:
                constraint.validate(model, record, exclude=checked)
            except DjangoValidationError as error:
                errors.setdefault(constraint_field(constraint), []).extend(error.error_list)
        if errors:
            raise serializers.ValidationError(self.errors_by_field(DjangoValidationError(errors).message_dict))
        return attrs

    def errors_by_field(self, messages):
        """Name errors after this serializer's fields (code, not country) rather than the model's."""
        names = {field.source: name for name, field in self.fields.items()}
        names[NON_FIELD_ERRORS] = api_settings.NON_FIELD_ERRORS_KEY
        return {names.get(name, name): errors for name, errors in messages.items()}


# A count, in the range every database takes: SQLite's integers are wider than PostgreSQL's, and a
# count that one accepts and the other refuses would make the data, and the schema, depend on it.
COUNT = {"min_value": 0, "max_value": 2**31 - 1}

# Constraints spanning several fields, and the field a client would correct.
CONSTRAINT_FIELDS = {
    "official_tenure_ordered": "tenure_end",
    "meeting_end_after_start": "end_date",
    "participation_unique_nation": "nation",
    "contribution_before_needs_quantity": "quantity",
    "contribution_quantity_needs_unit": "unit",
    "contribution_amount_needs_currency": "currency",
    "contribution_ended_after_started": "ended",
    "contribution_campaign_cost_is_financial": "category",
    "contribution_original_money_complete": "original_amount",
    "contribution_original_needs_usd": "amount",
    "figure_part_within_whole": "out_of",
}


def constraint_field(constraint):
    if constraint.name in CONSTRAINT_FIELDS:
        return CONSTRAINT_FIELDS[constraint.name]
    fields = getattr(constraint, "fields", None) or getattr(constraint.condition, "referenced_base_fields", ())
    return next(iter(fields)) if len(fields) == 1 else NON_FIELD_ERRORS


# Makes a record's serializer its detail shape: the list shape plus the citations that support it.
# (No docstring: drf-spectacular would give it as the description of every detail component.)
class Cited(serializers.Serializer):
    citations = CitationEmbedSerializer(many=True, read_only=True)

    def get_field_names(self, declared_fields, info):
        return [*super().get_field_names(declared_fields, info), "citations"]


# --- Records ------------------------------------------------------------------------------------


class SourceSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="slug")
    article_url = serializers.URLField(source="url", max_length=500, help_text="The article's address.")
    web_url = WebURLField()
    citations_url = FilteredListField("api:citation-list", "source")
    # The archived text itself is for editors and verification only; the API names it by fingerprint.
    text_sha256 = serializers.CharField(
        source="archive.sha256", read_only=True, allow_null=True, help_text="sha256 of the archived text; null if none."
    )
    text_captured = serializers.DateTimeField(
        source="archive.captured", read_only=True, allow_null=True, help_text="When the archived text was captured."
    )

    class Meta:
        model = Source
        fields = [
            "url",
            "id",
            "slug",
            "outlet",
            "headline",
            "headline_inferred",
            "author",
            "published",
            "published_approximate",
            "date_note",
            "article_url",
            "updated",
            "web_url",
            "citations_url",
            "kind",
            "publisher",
            "agency",
            "report_number",
            "edition",
            "text_sha256",
            "text_captured",
        ]


class OfficialSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:official-detail", lookup_field="slug")
    nation = nation_field()
    web_url = WebURLField()
    contributions_url = FilteredListField("api:contribution-list", "official")

    class Meta:
        model = Official
        fields = [
            "url",
            "id",
            "slug",
            "name",
            "title",
            "nation",
            "tenure_start",
            "tenure_start_precision",
            "tenure_end",
            "tenure_end_precision",
            "name_variants",
            "spelling_note",
            "updated",
            "web_url",
            "contributions_url",
        ]


class MeetingSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:meeting-detail", lookup_field="slug")
    host = optional(nation_field)
    announced_at = optional(meeting_field, help_text="The meeting where this one was announced, by slug.")
    officials = official_field(many=True, required=False, help_text="Slugs of the officials present.")
    participations = MeetingParticipationSerializer(
        many=True, read_only=True, help_text="Nations taking part; edit them through /participations/."
    )
    web_url = WebURLField()
    contributions_url = FilteredListField("api:contribution-list", "meeting")

    class Meta:
        model = Meeting
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "kind",
            "status",
            "city",
            "venue",
            "host",
            "date",
            "date_precision",
            "end_date",
            "description",
            "series",
            "announced_at",
            "officials",
            "participations",
            "updated",
            "web_url",
            "contributions_url",
        ]


class ParticipationSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:participation-detail")
    meeting = meeting_field()
    nation = nation_field()

    class Meta:
        model = Participation
        fields = ["url", "id", "meeting", "nation", "role", "updated"]


class FigureSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:figure-detail")
    meeting = optional(meeting_field, help_text="Written as the meeting's slug; null for the coalition as a whole.")
    disputed = serializers.BooleanField(
        read_only=True, help_text="Another figure for the same meeting and metric gives another value."
    )
    official = optional(official_field, help_text="Written as the slug of the official who gave the figure.")

    class Meta:
        model = Figure
        fields = [
            "url",
            "id",
            "meeting",
            "metric",
            "qualifier",
            "value",
            "out_of",
            "label",
            "as_of",
            "as_of_precision",
            "official",
            "disputed",
            "updated",
        ]
        extra_kwargs = {"value": COUNT, "out_of": COUNT}


class ContributionSerializer(DeploymentFields, RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:contribution-detail")
    nation = nation_field()
    meeting = optional(meeting_field)
    official = optional(official_field)
    web_url = WebURLField()
    lines_of_effort = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Slugs of the lines of effort it serves."
    )

    class Meta:
        model = Contribution
        fields = [
            "url",
            "id",
            "nation",
            "category",
            "capability",
            "status",
            "description",
            "quantity",
            "quantity_before",
            "unit",
            "amount",
            "currency",
            "amount_basis",
            "announced",
            "announced_precision",
            "meeting",
            "official",
            "updated",
            "web_url",
            "lines_of_effort",
            "known_since",
        ]
        extra_kwargs = {
            "quantity": COUNT,
            "quantity_before": COUNT,
            "currency": {"help_text": tables.CONTRIBUTIONS.column("currency").meaning},
            "amount": {"min_value": 0, "help_text": tables.CONTRIBUTIONS.column("amount").meaning},
        }


class CapabilityRequestSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:capability-request-detail")
    requested_by = nation_field(help_text="The nation asking, written as its ISO 3166-1 alpha-2 code.")
    official = optional(official_field)
    meeting = optional(meeting_field)

    class Meta:
        model = CapabilityRequest
        fields = [
            "url",
            "id",
            "capability",
            "category",
            "description",
            "requested_by",
            "official",
            "meeting",
            "announced",
            "announced_precision",
            "updated",
        ]


class CitationSerializer(SharedWords, RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:citation-detail")
    source = RecordField(SourceRefSerializer, queryset=Source.objects.all(), help_text="Written as the source's slug.")
    target_type = serializers.SerializerMethodField(help_text="Which of the record fields below is set.")
    nation = optional(nation_field)
    official = optional(official_field)
    meeting = optional(meeting_field)
    participation = IdRecordField(
        "api:participation-detail", queryset=Participation.objects.all(), required=False, allow_null=True
    )
    figure = IdRecordField("api:figure-detail", queryset=Figure.objects.all(), required=False, allow_null=True)
    contribution = IdRecordField(
        "api:contribution-detail", queryset=Contribution.objects.all(), required=False, allow_null=True
    )
    capability_request = IdRecordField(
        "api:capability-request-detail", queryset=CapabilityRequest.objects.all(), required=False, allow_null=True
    )
    line_of_effort = optional(line_field)
    line_lead = IdRecordField("api:line-lead-detail", queryset=LineLead.objects.all(), required=False, allow_null=True)
    role_statement = IdRecordField(
        "api:role-statement-detail", queryset=RoleStatement.objects.all(), required=False, allow_null=True
    )
    status_event = IdRecordField(
        "api:status-event-detail", queryset=StatusEvent.objects.all(), required=False, allow_null=True
    )

    verified = serializers.BooleanField(read_only=True, help_text=VERIFIED_HELP)
    verification_state = serializers.CharField(read_only=True, help_text=STATE_HELP)
    shares = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=SHARES_HELP)

    class Meta:
        model = Citation
        fields = [
            "url",
            "id",
            "source",
            "quote",
            "note",
            "shares",
            "target_type",
            *Citation.TARGETS,
            "updated",
            *VERIFICATION_FIELDS,
        ]

    @extend_schema_field({"type": "string", "enum": list(Citation.TARGETS), "nullable": True})
    def get_target_type(self, citation):
        return citation.target_type


# --- Detail shapes: the record with its citations -----------------------------------------------


class OfficialDetailSerializer(Cited, OfficialSerializer):
    pass


class MeetingDetailSerializer(Cited, MeetingSerializer):
    pass


class ParticipationDetailSerializer(Cited, ParticipationSerializer):
    pass


class FigureDetailSerializer(Cited, FigureSerializer):
    pass


# Adds the contribution's status events to its detail shape, as Cited adds the citations.
class WithEvents(serializers.Serializer):
    events = StatusEventEmbedSerializer(
        many=True, read_only=True, help_text="What happened to it and when, in date order; the latest sets its state."
    )

    def get_field_names(self, declared_fields, info):
        return [*super().get_field_names(declared_fields, info), "events"]


class ContributionDetailSerializer(WithEvents, Cited, ContributionSerializer):
    pass


class CapabilityRequestDetailSerializer(Cited, CapabilityRequestSerializer):
    pass


class SummaryRowSerializer(serializers.Serializer):
    """One cell of the nation × category × status matrix."""

    nation = NationRefSerializer()
    category = serializers.ChoiceField(choices=Contribution._meta.get_field("category").choices)
    status = serializers.ChoiceField(choices=Contribution.Status.choices)
    count = serializers.IntegerField(min_value=1, help_text="Contributions in this cell.")
