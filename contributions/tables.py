"""One column definition per table: the researchers' downloads, the API's CSV lists, the full-dataset
export, the data dictionary, the editors' import files and the API's field help all read these, so a
column means the same wherever it appears.

Related records are named by their readable key (nation code, meeting, official or source slug), so
the CSV files join on values a person can read.
"""

from .columns import (
    TYPE_MEANINGS,
    Column,
    Table,
    _join,
    _plain,
    _updated,
    dated,
    field,
    fields,
    joined,
    key,
    nation_code,
    related,
    slug,
)
from .models.choices import TheatreCode
from .models.citations import Citation
from .models.contributions import Contribution
from .models.events import StatusEvent
from .models.lines import LineLead, LineOfEffort
from .models.meetings import Figure, Meeting, Participation
from .models.nations import Nation, Official
from .models.requests import CapabilityRequest
from .models.roles import RoleStatement
from .models.sources import Source

SOURCES = Table(
    "sources",
    Source,
    [
        field(Source, "id", "The record's number; it never changes, even when the slug does."),
        field(Source, "slug", "The source's key; citations name it."),
        field(Source, "outlet", "The publication."),
        *fields(Source, "headline", "headline_inferred", "author"),
        field(Source, "published", "Publication date."),
        *fields(Source, "published_approximate", "date_note"),
        field(Source, "url", "The article's address."),
        _updated(Source),
        field(Source, "kind", "What kind of source it is."),
        *(field(Source, name) for name in ("publisher", "agency", "report_number", "edition")),
    ],
    lambda: Source.objects.all(),
    "The news articles every fact is cited from.",
)

NATIONS = Table(
    "nations",
    Nation,
    [
        field(Nation, "id", "The record's number; it never changes, even when the code does."),
        Column(
            "code",
            nation_code,
            "string",
            "A country's ISO 3166-1 alpha-2 code, upper case; an organization, which has none, gives its slug.",
        ),
        field(Nation, "name", "The partner's name."),
        field(Nation, "role", "Its current place in the coalition: its latest role statement's, where it has any."),
        *dated(Nation, "joined"),
        field(Nation, "notes"),
        _updated(Nation),
        field(Nation, "kind", "A country, or an international organization (the European Union, the Arab League)."),
        field(
            Nation,
            "slug",
            "The partner's key in addresses, filters and imports: a country's code in lower case (fr); an "
            "organization's short name (arab-league), three characters at least, or eu or un, which ISO 3166 "
            "reserves for them.",
        ),
    ],
    lambda: Nation.objects.all(),
    "Partners named in the sources, countries and international organizations, with their place in the coalition.",
)

ROLE_STATEMENTS = Table(
    "role_statements",
    RoleStatement,
    [
        field(RoleStatement, "id", "The statement's key."),
        key("partner_code", "partner", "Code of the partner (nations.code).", nation_code),
        field(RoleStatement, "role", "The partner's role, as the source states it."),
        *dated(RoleStatement, "as_of"),
        _updated(RoleStatement),
    ],
    lambda: RoleStatement.objects.select_related("partner"),
    "A partner's role as a source states it on a date; the latest is the partner's current role.",
)

OFFICIALS = Table(
    "officials",
    Official,
    [
        field(Official, "id", "The record's number; it never changes, even when the slug does."),
        field(Official, "slug", "The official's key."),
        *fields(Official, "name", "title"),
        key("nation_code", "nation", "Code of the nation the official serves (nations.code).", nation_code),
        *dated(Official, "tenure_start"),
        *dated(Official, "tenure_end"),
        *fields(Official, "name_variants", "spelling_note"),
        _updated(Official),
    ],
    lambda: Official.objects.select_related("nation"),
    "People named or quoted in the sources in an official capacity.",
)

MEETINGS = Table(
    "meetings",
    Meeting,
    [
        field(Meeting, "id", "The record's number; it never changes, even when the slug does."),
        field(Meeting, "slug", "The meeting's key."),
        *fields(Meeting, "title", "kind", "status", "city", "venue"),
        key("host_code", "host", "Code of the host nation (nations.code), blank if none.", nation_code),
        *dated(Meeting, "date"),
        *fields(Meeting, "end_date", "description", "series"),
        key("announced_at", "announced_at", "Slug of the meeting where it was announced (meetings.slug).", slug),
        Column(
            "officials",
            lambda m: " | ".join(o.slug for o in m.officials.all()),
            "string",
            "Slugs of the officials present (officials.slug), separated by ' | '.",
        ),
        _updated(Meeting),
    ],
    lambda: Meeting.objects.select_related("host", "announced_at").prefetch_related("officials"),
    "Meetings where contributions were sought or announced.",
)

PARTICIPATIONS = Table(
    "participations",
    Participation,
    [
        field(Participation, "id", "The participation's key."),
        key("meeting", "meeting", "Slug of the meeting (meetings.slug).", slug),
        key("nation_code", "nation", "Code of the nation (nations.code).", nation_code),
        field(Participation, "role", "The nation's part in the meeting."),
        _updated(Participation),
    ],
    lambda: Participation.objects.select_related("meeting", "nation"),
    "Which nations took part in which meetings, and how.",
)

FIGURES = Table(
    "figures",
    Figure,
    [
        field(Figure, "id", "The figure's key."),
        key("meeting", "meeting", "Slug of the meeting (meetings.slug); blank for the coalition as a whole.", slug),
        field(Figure, "metric", "What is counted."),
        field(Figure, "qualifier", "How exact the value is."),
        field(Figure, "value", "The number reported."),
        *fields(Figure, "out_of", "label"),
        *dated(Figure, "as_of", "The date the figure refers to, where given."),
        key("official", "official", "Slug of the official who gave the figure (officials.slug), blank if none.", slug),
        _updated(Figure),
    ],
    lambda: Figure.objects.select_related("meeting", "official"),
    "Numbers reported about a meeting or the coalition, each with its own citation.",
)


THEATRE_ORDER = TheatreCode.values  # a property that builds a new list on each read


def theatre_codes(contribution):
    codes = {theatre.code for theatre in related(contribution, "theatres")}  # prefetched; written in vocabulary order
    return ";".join(code for code in THEATRE_ORDER if code in codes)


def citation_words():
    """What the sources and quotes columns read of a contribution's citations, and nothing more: a
    download need not read each verification record and its context sentences (4.8 s to 4.0 s for
    21,000 rows)."""
    words = ("contribution", "quote", "source", "source__slug", "shares", "shares__quote")
    return Citation.objects.with_words().only(*words)


# Pages prefetch citations and theatres with Contribution.objects.with_related(), lines of effort with
# with_lines(); downloads attach them a chunk at a time (`many`).
CONTRIBUTIONS = Table(
    "contributions",
    Contribution,
    [
        field(Contribution, "id", "The contribution's key."),
        key("nation_code", "nation", "Code of the contributing nation (nations.code).", nation_code),
        Column("nation", lambda c: c.nation.name, "string", "Name of the contributing nation."),
        *fields(Contribution, "category", "capability", "status", "description"),
        *fields(Contribution, "quantity", "quantity_before", "unit", "amount", "currency", "amount_basis"),
        *dated(Contribution, "announced"),
        key("meeting", "meeting", "Slug of the meeting where it was announced (meetings.slug).", slug),
        key("official", "official", "Slug of the official who announced it (officials.slug).", slug),
        Column(
            "sources",
            lambda c: _join(citation.source.slug for citation in related(c, "citations")),
            "string",
            "Slugs of the cited sources (sources.slug), separated by ' | '.",
        ),
        Column(
            "quotes",
            lambda c: _join(citation.words for citation in related(c, "citations")),
            "string",
            "The cited quotes, verbatim, separated by ' | '.",
        ),
        joined(
            "lines_of_effort",
            lambda c: (line.slug for line in related(c, "lines_of_effort")),
            "Slugs of the lines of effort it serves (lines_of_effort.slug), separated by ' | '.",
        ),
        field(Contribution, "quantity_qualifier"),
        Column(
            "quantity_display",
            lambda c: c.quantity_display,
            "string",
            "The quantity in words (“about 1,830 personnel”).",
        ),
        Column(
            "theatres",
            theatre_codes,
            "string",
            "Codes of the theatres it operates in, separated by ';' (iraq;syria); blank when not stated.",
            TheatreCode.choices,
        ),
        key(
            "host_code",
            "host",
            "Code of the partner hosting the deployment (nations.code), blank if none.",
            nation_code,
        ),
        *dated(Contribution, "started"),
        *dated(Contribution, "ended"),
        field(Contribution, "announced_year_inferred"),
        *fields(Contribution, "original_amount", "original_currency", "exchange_rate", "rate_date"),
        field(Contribution, "known_since"),
    ],
    lambda: Contribution.objects.with_related().with_lines(),
    "What each nation gave, pledged or was asked for, with its citations.",
    many={"citations": citation_words, "theatres": None, "lines_of_effort": None},
)

STATUS_EVENTS = Table(
    "status_events",
    StatusEvent,
    [
        field(StatusEvent, "id", "The event's key."),
        Column("contribution", lambda e: e.contribution_id, "integer", "Id of the contribution it happened to."),
        field(StatusEvent, "status", "What the contribution became on that date."),
        *dated(StatusEvent, "date", "When it happened; blank if the source gives no date."),
        *fields(StatusEvent, "quantity", "quantity_qualifier", "amount"),
        key("meeting", "meeting", "Slug of the meeting where it happened (meetings.slug).", slug),
        key("official", "official", "Slug of the official who announced it (officials.slug).", slug),
        field(StatusEvent, "note"),
        field(StatusEvent, "valid_until", "The next event's date: the state holds from date until then."),
        *fields(StatusEvent, "state_quantity", "state_quantity_qualifier", "state_amount"),
        _updated(StatusEvent),
    ],
    lambda: StatusEvent.objects.select_related("meeting", "official"),
    "Each contribution's dated changes of status; the latest sets its status, quantity and amount.",
)

CAPABILITY_REQUESTS = Table(
    "capability_requests",
    CapabilityRequest,
    [
        field(CapabilityRequest, "id", "The request's key."),
        field(CapabilityRequest, "capability", "The capability asked for."),
        *fields(CapabilityRequest, "category", "description"),
        key("requested_by_code", "requested_by", "Code of the nation asking (nations.code).", nation_code),
        key("official", "official", "Slug of the official who asked (officials.slug).", slug),
        key("meeting", "meeting", "Slug of the meeting where it was asked (meetings.slug).", slug),
        *dated(CapabilityRequest, "announced"),
        _updated(CapabilityRequest),
    ],
    lambda: CapabilityRequest.objects.select_related("requested_by", "official", "meeting"),
    "Capabilities the coalition's leaders asked partners to supply.",
)

LINES_OF_EFFORT = Table(
    "lines_of_effort",
    LineOfEffort,
    [
        field(LineOfEffort, "id", "The record's number; it never changes, even when the slug does."),
        field(LineOfEffort, "slug", "The line's key; contributions name it."),
        field(LineOfEffort, "name", "The line of effort, as the sources name it."),
        *fields(LineOfEffort, "description", "order"),
        joined("requests", lambda line: (str(r.pk) for r in line.requests.all()), "Ids of requests serving it, ' | '."),
        _updated(LineOfEffort),
    ],
    lambda: LineOfEffort.objects.prefetch_related("requests"),
    "The coalition's lines of effort (leads in line_leads; contributions name theirs in lines_of_effort).",
)

LINE_LEADS = Table(
    "line_leads",
    LineLead,
    [
        field(LineLead, "id", "The lead's key; its citations name it."),
        key("line", "line", "Slug of the line of effort (lines_of_effort.slug).", slug),
        key("partner_code", "partner", "Code of the leading partner (nations.code).", nation_code),
        _updated(LineLead),
    ],
    lambda: LineLead.objects.select_related("line", "partner"),
    "Which partners lead which line of effort, each lead cited.",
)

# The key each kind of cited record is named by in the citations table.
TARGET_KEYS = {
    "nation": nation_code,
    "official": slug,
    "meeting": slug,
    "line_of_effort": slug,
}


def citation_target_key(citation):
    name = citation.target_type
    if name is None:
        return None
    if name in TARGET_KEYS:
        return TARGET_KEYS[name](getattr(citation, name))
    return getattr(citation, f"{name}_id")


def stored(name):
    """A column of the words or their verification record: from the citation storing them, for one sharing them."""
    column = field(Citation, name)
    column.get = lambda citation: _plain(getattr(citation.origin, name))
    return column


CITATIONS = Table(
    "citations",
    Citation,
    [
        field(Citation, "id", "The citation's key."),
        key("source", "source", "Slug of the source quoted (sources.slug).", slug),
        stored("quote"),
        field(Citation, "note"),
        Column(
            "shares",
            lambda citation: citation.shares_id,
            "integer",
            "The citation whose words this one shares (the same sentence supporting another record); blank when "
            "it stores its own.",
        ),
        Column(
            "target_type",
            lambda citation: citation.target_type,
            "string",
            "The kind of record the quote supports; the matching table.",
            [(name, name.replace("_", " ").capitalize()) for name in Citation.TARGETS],
        ),
        Column(
            "target",
            citation_target_key,
            "string",
            "The key of the supported record in that table: a partner's code (nations.code), an official, "
            "meeting or line of effort slug, or an id for the others.",
        ),
        _updated(Citation),
        Column("verified", lambda citation: citation.verified, "boolean", "The quote was found in its source's text."),
        *(stored(name) for name in ("text_sha256", "text_captured", "quote_start", "quote_end", "checked_at")),
        # At most a sentence each, as the pages show them: never more of the text.
        stored("context_before"),
        stored("context_after"),
    ],
    lambda: Citation.objects.with_words().select_related("nation", "official", "meeting", "line_of_effort"),
    "Verbatim quotes from the sources; each supports exactly one record.",
)

TABLES = [
    SOURCES,
    NATIONS,
    ROLE_STATEMENTS,
    OFFICIALS,
    MEETINGS,
    PARTICIPATIONS,
    FIGURES,
    CONTRIBUTIONS,
    STATUS_EVENTS,
    CAPABILITY_REQUESTS,
    LINES_OF_EFFORT,
    LINE_LEADS,
    CITATIONS,
]

SUMMARY_COLUMNS = ["nation_code", "nation", "category", "status", "count"]


def dictionary():
    """The data dictionary: every table and column, its type, meaning and allowed values."""
    return {
        "types": TYPE_MEANINGS,
        "tables": [table.describe() for table in TABLES],
    }


def dictionary_rows():
    for table in TABLES:
        for column in table.columns:
            described = column.describe()
            allowed = "; ".join(
                f"{c['value']} ({c['label']}{': ' + c['definition'] if c['definition'] else ''})"
                for c in described["allowed_values"]
            )
            yield {
                "table": table.name,
                "column": column.name,
                "type": column.type,
                "meaning": column.meaning,
                "allowed_values": allowed,
            }


DICTIONARY_FIELDNAMES = ["table", "column", "type", "meaning", "allowed_values"]
