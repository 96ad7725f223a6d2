"""One column definition per table: the researchers' downloads, the API's CSV lists, the full-dataset
export, the data dictionary, the editors' import files and the API's field help all read these, so a
column means the same wherever it appears.

Related records are named by their readable key (nation code, meeting, official or source slug), so
the CSV files join on values a person can read.
"""

from django.db import models

from .models.citations import Citation
from .models.contributions import CapabilityRequest, Contribution
from .models.meetings import Figure, Meeting, Participation
from .models.nations import Nation, Official
from .models.roles import RoleStatement
from .models.sources import Source

# Checked in order: a DateTimeField is also a DateField.
TYPES = {
    models.IntegerField: "integer",
    models.DecimalField: "decimal",
    models.DateTimeField: "datetime",
    models.DateField: "date",
    models.BooleanField: "boolean",
}

TYPE_MEANINGS = {
    "integer": "A whole number.",
    "decimal": "A decimal number, written with a dot and two decimals (1000000.00).",
    "date": "An ISO 8601 date, YYYY-MM-DD.",
    "datetime": "An ISO 8601 date and time in UTC.",
    "boolean": "true or false (True or False in CSV).",
    "string": "Text.",
}


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


class Column:
    def __init__(self, name, get, type="string", meaning="", choices=None):
        self.name = name
        self.get = get
        self.type = type
        self.meaning = meaning
        self.choices = choices

    def __repr__(self):
        return f"<Column {self.name}>"

    def describe(self):
        allowed = [{"value": value, "label": str(label)} for value, label in self.choices or []]
        return {"name": self.name, "type": self.type, "meaning": self.meaning, "allowed_values": allowed}


# Meanings for fields whose model has no help text.
MEANINGS = {
    "headline": "The article's headline.",
    "notes": "Editors' notes.",
    "title": "Title or name.",
    "tenure_start": "Start of the official's tenure in that office, where known.",
    "tenure_end": "End of the official's tenure in that office, where known.",
    "kind": "The kind of meeting.",
    "status": "Where it stands.",
    "city": "The city it was held in.",
    "venue": "The building or venue.",
    "description": "What it is, in plain words.",
    "category": "The broad kind of contribution.",
    "capability": "The specific capability.",
    "quantity": "How many, in 'unit'; a whole number, never negative; needs a unit.",
    "quantity_before": "The level before (12 in 'from 12 to 38'); needs quantity.",
    "unit": "What 'quantity' counts.",
    "amount": "Money in US dollars, written like 1000000.00; never negative; needs currency USD.",
    "currency": "USD whenever an amount is given; blank otherwise.",
    "amount_basis": "What period the amount covers.",
    "announced": "When it was announced; for a month or season, the first day of it.",
    "quote": "The words of the source, copied character for character, curly quotes included.",
    "note": "What the quote establishes, where not obvious.",
    "text_sha256": "The sha256 of the source's archived text the quote was found in; blank when unverified.",
}


def field(model, name, meaning=None):
    """A column holding one of the model's own fields, typed and described from the model."""
    model_field = model._meta.get_field(name)
    kind = next((label for cls, label in TYPES.items() if isinstance(model_field, cls)), "string")
    if meaning is None:
        meaning = MEANINGS.get(name) or str(model_field.help_text or model_field.verbose_name)
        meaning = meaning[:1].upper() + meaning[1:].rstrip(".") + "."
    choices = [(value, label) for value, label in model_field.choices or [] if value != ""]
    return Column(name, lambda obj: _plain(getattr(obj, name)), kind, meaning, choices or None)


def fields(model, *names):
    """Columns for several of the model's own fields, each described from the model."""
    return [field(model, name) for name in names]


def dated(model, name, meaning=None):
    """A date column and the column saying how precisely it is known, which tells how to read it."""
    precision = f"How precisely '{name}' is known; for a month, season or year, the date is its first day."
    return [field(model, name, meaning), field(model, f"{name}_precision", precision)]


def key(name, attribute, meaning, lookup):
    """A column naming a related record by its key: lookup(related) for a set relation, blank otherwise."""

    def get(obj):
        return lookup(getattr(obj, attribute)) if getattr(obj, f"{attribute}_id") else None

    return Column(name, get, "string", meaning)


def nation_code(obj):
    return obj.code


def slug(obj):
    return obj.slug


class Table:
    def __init__(self, name, model, columns, queryset, meaning):
        self.name = name
        self.model = model
        self.columns = columns
        self.queryset = queryset
        self.meaning = meaning

    @property
    def fieldnames(self):
        return [column.name for column in self.columns]

    def column(self, name):
        return next(column for column in self.columns if column.name == name)

    def meanings(self, *names):
        """Column name -> meaning, for the import help and the API's field descriptions."""
        return {name: self.column(name).meaning for name in names}

    def row(self, obj):
        return {column.name: column.get(obj) for column in self.columns}

    def rows(self, queryset=None, chunk_size=2000):
        """One dict per record, read a chunk at a time (prefetches included) so memory stays flat."""
        queryset = self.queryset() if queryset is None else queryset
        return (self.row(obj) for obj in queryset.iterator(chunk_size=chunk_size))

    def describe(self):
        return {"name": self.name, "meaning": self.meaning, "columns": [c.describe() for c in self.columns]}


def _updated(model):
    return field(model, "updated", "When the record was last changed (UTC).")


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
        field(Figure, "as_of", "The date the figure refers to, where given."),
        _updated(Figure),
    ],
    lambda: Figure.objects.select_related("meeting"),
    "Numbers reported about a meeting or the coalition, each with its own citation.",
)


def _join(values):
    return " | ".join(v for v in values if v)


# Citations are prefetched by Contribution.objects.with_related().
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
            lambda c: _join(citation.source.slug for citation in c.citations.all()),
            "string",
            "Slugs of the cited sources (sources.slug), separated by ' | '.",
        ),
        Column(
            "quotes",
            lambda c: _join(citation.quote for citation in c.citations.all()),
            "string",
            "The cited quotes, verbatim, separated by ' | '.",
        ),
    ],
    lambda: Contribution.objects.with_related(),
    "What each nation gave, pledged or was asked for, with its citations.",
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

# The key each kind of cited record is named by in the citations table.
TARGET_KEYS = {
    "nation": nation_code,
    "official": slug,
    "meeting": slug,
}


def citation_target_key(citation):
    name = citation.target_type
    if name is None:
        return None
    if name in TARGET_KEYS:
        return TARGET_KEYS[name](getattr(citation, name))
    return getattr(citation, f"{name}_id")


CITATIONS = Table(
    "citations",
    Citation,
    [
        field(Citation, "id", "The citation's key."),
        key("source", "source", "Slug of the source quoted (sources.slug).", slug),
        field(Citation, "quote"),
        field(Citation, "note"),
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
            "The key of the supported record in that table: a partner's code (nations.code), an official or "
            "meeting slug, or an id for the others.",
        ),
        _updated(Citation),
        Column("verified", lambda citation: citation.verified, "boolean", "The quote was found in its source's text."),
        *(field(Citation, name) for name in ("text_sha256", "text_captured", "quote_start", "quote_end", "checked_at")),
        # At most a sentence each, as the pages show them: never more of the text.
        field(Citation, "context_before"),
        field(Citation, "context_after"),
    ],
    lambda: Citation.objects.select_related("source", "nation", "official", "meeting"),
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
    CAPABILITY_REQUESTS,
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
            allowed = "; ".join(f"{choice['value']} ({choice['label']})" for choice in described["allowed_values"])
            yield {
                "table": table.name,
                "column": column.name,
                "type": column.type,
                "meaning": column.meaning,
                "allowed_values": allowed,
            }


DICTIONARY_FIELDNAMES = ["table", "column", "type", "meaning", "allowed_values"]
