"""The domain: nations, the meetings where pledges were sought and made, the officials who made
them, the contributions themselves, and the cited figures and quotes that support every fact.

One module per part of the domain; everything is importable from `contributions.models`.
"""

from .choices import (
    STATUS_ORDER,
    AmountBasis,
    Capability,
    Category,
    ContributionStatus,
    DatePrecision,
    FigureMetric,
    MeetingKind,
    MeetingStatus,
    NationRole,
    ParticipationRole,
    PartnerKind,
    Qualifier,
    SourceKind,
    TheatreCode,
    Unit,
    format_date,
)
from .citations import CITATION_TARGETS, Citation, DataVersion, exactly_one_of, supported_kind
from .contributions import Contribution, ContributionQuerySet, search_document
from .events import STATE_FIELDS, StatusEvent, StatusEventQuerySet, first_event, update_state
from .keys import MAX_ID, parse_id
from .lines import LineLead, LineOfEffort, LineOfEffortQuerySet
from .meetings import Figure, FigureQuerySet, Meeting, MeetingQuerySet, Participation
from .nations import Nation, NationQuerySet, Official, OfficialQuerySet
from .requests import CapabilityRequest, CapabilityRequestQuerySet
from .roles import RoleStatement, RoleStatementQuerySet
from .search import SEARCH_VECTOR, SearchEntry, SearchKind
from .sources import Source, SourceText
from .theatres import Theatre

# Every model that holds the tracker's data, in the order a full load or export goes through them:
# each after the records it refers to. Caching, permissions, loading, verification and the
# export all walk this one list.
CONTENT_MODELS = [
    Source,
    SourceText,
    Nation,
    RoleStatement,
    Official,
    Meeting,
    Participation,
    Figure,
    Contribution,
    StatusEvent,
    CapabilityRequest,
    LineOfEffort,
    LineLead,
    Citation,
]

__all__ = [
    "CITATION_TARGETS",
    "CONTENT_MODELS",
    "STATUS_ORDER",
    "AmountBasis",
    "Capability",
    "CapabilityRequest",
    "CapabilityRequestQuerySet",
    "Category",
    "Citation",
    "Contribution",
    "ContributionQuerySet",
    "ContributionStatus",
    "DataVersion",
    "DatePrecision",
    "Figure",
    "FigureMetric",
    "FigureQuerySet",
    "LineLead",
    "LineOfEffort",
    "LineOfEffortQuerySet",
    "Meeting",
    "MeetingKind",
    "MeetingQuerySet",
    "MeetingStatus",
    "Nation",
    "NationQuerySet",
    "OfficialQuerySet",
    "NationRole",
    "Official",
    "Participation",
    "PartnerKind",
    "RoleStatement",
    "RoleStatementQuerySet",
    "SEARCH_VECTOR",
    "SearchEntry",
    "SearchKind",
    "ParticipationRole",
    "Qualifier",
    "Source",
    "SourceKind",
    "SourceText",
    "STATE_FIELDS",
    "StatusEvent",
    "StatusEventQuerySet",
    "Theatre",
    "TheatreCode",
    "Unit",
    "exactly_one_of",
    "parse_id",
    "supported_kind",
    "MAX_ID",
    "first_event",
    "format_date",
    "update_state",
    "search_document",
]
