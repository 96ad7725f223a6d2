"""One column definition per table: the researchers' downloads, the API's CSV lists, the full-dataset
export, the data dictionary, the editors' import files and the API's field help all read these, so a
column means the same wherever it appears.

Related records are named by their readable key (nation code, meeting, official or source slug), so
the CSV files join on values a person can read.
"""

from .columns import (
    TYPE_MEANINGS,
    Column,
    Listed,
    Table,
    _join,
    _updated,
    dated,
    field,
    fields,
    joined,
    key,
    nation_code,
    slug,
    value,
)
from .models.choices import TheatreCode
from .models.citations import Citation, supported_kind
from .models.contributions import Contribution, quantity_in_words
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
    "The news articles every fact is cited from.",
)

NATIONS = Table(
    "nations",
    Nation,
    [
        field(Nation, "id", "The record's number; it never changes, even when the code does."),
        Column(
            "code",
            nation_code.reads(),
            nation_code.read,
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
        joined("officials", "officials", "Slugs of the officials present (officials.slug), separated by ' | '."),
        _updated(Meeting),
    ],
    "Meetings where contributions were sought or announced.",
    lists={"officials": Listed("slug")},
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
    "Numbers reported about a meeting or the coalition, each with its own citation.",
)


# In quantity_in_words()'s order.
QUANTITY = ("quantity", "quantity_qualifier", "unit", "quantity_before")

THEATRE_ORDER = TheatreCode.values  # a property that builds a new list on each read


def theatre_codes(codes):
    codes = set(codes)  # written in vocabulary order
    return ";".join(code for code in THEATRE_ORDER if code in codes)


CONTRIBUTIONS = Table(
    "contributions",
    Contribution,
    [
        field(Contribution, "id", "The contribution's key."),
        key("nation_code", "nation", "Code of the contributing nation (nations.code).", nation_code),
        value("nation", "nation__name", "Name of the contributing nation."),
        *fields(Contribution, "category", "capability", "status", "description"),
        *fields(Contribution, "quantity", "quantity_before", "unit", "amount", "currency", "amount_basis"),
        *dated(Contribution, "announced"),
        key("meeting", "meeting", "Slug of the meeting where it was announced (meetings.slug).", slug),
        key("official", "official", "Slug of the official who announced it (officials.slug).", slug),
        Column(
            "sources",
            ["citations"],
            lambda citations: _join([source for source, words in citations]),
            "string",
            "Slugs of the cited sources (sources.slug), separated by ' | '.",
        ),
        Column(
            "quotes",
            ["citations"],
            lambda citations: _join([words for source, words in citations]),
            "string",
            "The cited quotes, verbatim, separated by ' | '.",
        ),
        joined(
            "lines_of_effort",
            "lines_of_effort",
            "Slugs of the lines of effort it serves (lines_of_effort.slug), separated by ' | '.",
        ),
        field(Contribution, "quantity_qualifier"),
        Column(
            "quantity_display",
            QUANTITY,
            quantity_in_words,
            "string",
            "The quantity in words (“about 1,830 personnel”).",
        ),
        Column(
            "theatres",
            ["theatres"],
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
    "What each nation gave, pledged or was asked for, with its citations.",
    lists={
        "citations": Listed("source__slug", "words_text", queryset=lambda: Citation.objects.with_words_text()),
        "theatres": Listed("code"),
        "lines_of_effort": Listed("slug"),
    },
)

STATUS_EVENTS = Table(
    "status_events",
    StatusEvent,
    [
        field(StatusEvent, "id", "The event's key."),
        value("contribution", "contribution_id", "Id of the contribution it happened to.", "integer"),
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
        joined("requests", "requests", "Ids of requests serving it, ' | '."),
        _updated(LineOfEffort),
    ],
    "The coalition's lines of effort (leads in line_leads; contributions name theirs in lines_of_effort).",
    lists={"requests": Listed("pk")},
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
    "Which partners lead which line of effort, each lead cited.",
)

# The key each kind of cited record is named by in the citations table; the others, by id.
TARGET_KEYS = {
    "nation": nation_code,
    "official": slug,
    "meeting": slug,
    "line_of_effort": slug,
}
TARGET_IDS = [f"{name}_id" for name in Citation.TARGETS]
TARGET_READS = [*TARGET_IDS, *(path for name, key in TARGET_KEYS.items() for path in key.reads(name))]


def target_type(*ids):
    return supported_kind(dict(zip(TARGET_IDS, ids, strict=True)))


def target_key(*values):
    row = dict(zip(TARGET_READS, values, strict=True))
    name = supported_kind(row)
    if name in TARGET_KEYS:
        key = TARGET_KEYS[name]
        return key.read(*[row[path] for path in key.reads(name)])
    return row[f"{name}_id"] if name else None


def stored_reads(name):
    return ["shares_id", name, f"shares__{name}"]


def stored_value(shares, own, shared):
    """A citation's words or verification record: its own, or those of the citation whose words it shares."""
    return shared if shares else own


def stored(name):
    """A column of the words or their verification record, as stored_value() reads it, written as the
    field's own column writes it."""
    column = field(Citation, name)
    write = column.read or (lambda value: value)
    column.reads = stored_reads(name)
    column.read = lambda *values: write(stored_value(*values))
    return column


CITATIONS = Table(
    "citations",
    Citation,
    [
        field(Citation, "id", "The citation's key."),
        key("source", "source", "Slug of the source quoted (sources.slug).", slug),
        stored("quote"),
        field(Citation, "note"),
        value(
            "shares",
            "shares_id",
            "The citation whose words this one shares (the same sentence supporting another record); blank when "
            "it stores its own.",
            "integer",
        ),
        Column(
            "target_type",
            TARGET_IDS,
            target_type,
            "string",
            "The kind of record the quote supports; the matching table.",
            [(name, name.replace("_", " ").capitalize()) for name in Citation.TARGETS],
        ),
        Column(
            "target",
            TARGET_READS,
            target_key,
            "string",
            "The key of the supported record in that table: a partner's code (nations.code), an official, "
            "meeting or line of effort slug, or an id for the others.",
        ),
        _updated(Citation),
        Column(
            "verified",
            stored_reads("text_sha256"),
            lambda *values: bool(stored_value(*values)),
            "boolean",
            "The quote was found in its source's text.",
        ),
        *(stored(name) for name in ("text_sha256", "text_captured", "quote_start", "quote_end", "checked_at")),
        # At most a sentence each, as the pages show them: never more of the text.
        stored("context_before"),
        stored("context_after"),
    ],
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
