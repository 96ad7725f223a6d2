"""Status events in the API: a contribution's dated changes, written like any record (If-Match on
changes) and cited through /citations/ with `status_event`. Each write sets the contribution's status,
quantity and amount in the same transaction."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from contributions import filters, tables
from contributions.models import Contribution, Qualifier, StatusEvent
from contributions.models.events import DERIVED, RECORDED

from .fields import IdRecordField
from .references import meeting_field, official_field, optional
from .serializers import Cited, RecordSerializer
from .views import RecordViewSet


class StatusEventSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:status-event-detail")
    contribution = IdRecordField(
        "api:contribution-detail", queryset=Contribution.objects.all(), help_text="Id of the contribution."
    )
    meeting = optional(meeting_field)
    official = optional(official_field)
    # Blank when no quantity has been given yet; a non-editable field would otherwise be documented
    # without the blank choice.
    state_quantity_qualifier = serializers.ChoiceField(
        choices=Qualifier.choices,
        allow_blank=True,
        read_only=True,
        help_text=StatusEvent._meta.get_field("state_quantity_qualifier").help_text,
    )

    class Meta:
        model = StatusEvent
        fields = ["url", "id", "contribution", *RECORDED, *DERIVED, "updated"]
        read_only_fields = [*DERIVED, "updated"]


class StatusEventDetailSerializer(Cited, StatusEventSerializer):
    pass


@extend_schema_view(list=extend_schema(summary="List status events"))
class StatusEventViewSet(RecordViewSet):
    """What happened to each contribution and when: requested, pledged, delivered, ended. The latest
    event sets the contribution's `status`, `quantity` and `amount`; writing those on the contribution
    corrects its latest event."""

    queryset = StatusEvent.objects.select_related("meeting", "official")
    serializer_class = StatusEventSerializer
    detail_serializer_class = StatusEventDetailSerializer
    filterset_class = filters.StatusEventFilter
    table = tables.STATUS_EVENTS
