"""How a column of a table is defined: its name, how it reads a record, its type and its meaning, and
the helpers that build the common kinds (a model's own field, a dated field and its precision, a related
record's key, several keys joined). The tables themselves are in tables.py."""

from collections import defaultdict
from itertools import islice
from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.functions import Cast

from .models.choices import definition
from .models.nations import partner_code

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


def _isoformat(value):
    return None if value is None else value.isoformat()


def _str(value):
    return None if value is None else str(value)


# How a column of each type writes a field's value: as it is, but for times and decimals. A plain
# function per type, chosen once, rather than tests of each value's type on every cell of a large
# download. Dates need none: Table.lines() reads them as text (as_text()).
WRITE = {"datetime": _isoformat, "decimal": _str}

# A spreadsheet runs a cell starting with one of these as a formula; a quote from an article must not.
# The downloads defuse such cells (exports.safe_cells) and so does the import (import_files).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(model, path):
    """A date `path` of `model` read as the database's text of it, else the path itself.

    Both SQLite and PostgreSQL write a date as ISO 8601 (YYYY-MM-DD), what the columns write. Read as
    dates, one partner's 212,645 rows spent 0.3 s of 1.8 s making dates only to write them back out.
    """
    *relations, name = path.split("__")
    try:
        for relation in relations:
            model = model._meta.get_field(relation).related_model
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return path
    if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        return Cast(path, models.TextField())
    return path


class Column:
    """One column: its name, the `.values()` paths it reads (`reads`), how it makes its value of them
    (`read`, called with one argument per path; None for a single value as it is), its type, meaning
    and allowed values. A many-valued relation the table lists (Table's `lists`) is read by its name,
    as a list."""

    def __init__(self, name, reads, read, type="string", meaning="", choices=None):
        self.name = name
        self.reads = tuple(reads)
        self.read = read
        self.type = type
        self.meaning = meaning
        self.choices = choices

    def __repr__(self):
        return f"<Column {self.name}>"

    def getter(self, position):
        """Its value from a row of values, given each path's place in the row, when it reads several
        paths. Table.lines() picks a column that reads one path with the others, in one C call."""
        pick = itemgetter(*(position[path] for path in self.reads))
        read = self.read
        return pick if read is None else lambda row: read(*pick(row))

    def describe(self):
        allowed = [
            {"value": value, "label": str(label), "definition": definition(self.name, value)}
            for value, label in self.choices or []
        ]
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
    "quantity_qualifier": "How exact 'quantity' is: exact, about, more_than, nearly, up_to or several.",
    "original_amount": "The amount in the currency the source gives (1000000.00); needs the next three columns.",
    "original_currency": "ISO 4217 code of 'original_amount' (EUR, GBP), from the listed codes.",
    "exchange_rate": "US dollars per unit of 'original_currency', as used to convert it into 'amount'; above zero.",
    "rate_date": "The day 'exchange_rate' applies to.",
    "started": "When it began, where the source says; for a month, season or year, the first day of it.",
    "ended": "When it ended, where the source says; not before 'started'.",
    "announced_year_inferred": "The source gives the day and month of 'announced', not the year: it is inferred.",
}


def field(model, name, meaning=None):
    """A column holding one of the model's own fields, typed and described from the model."""
    model_field = model._meta.get_field(name)
    kind = next((label for cls, label in TYPES.items() if isinstance(model_field, cls)), "string")
    if meaning is None:
        meaning = MEANINGS.get(name) or str(model_field.help_text or model_field.verbose_name)
        meaning = meaning[:1].upper() + meaning[1:].rstrip(".") + "."
    choices = [(value, label) for value, label in model_field.choices or [] if value != ""]
    return Column(name, [name], WRITE.get(kind), kind, meaning, choices or None)


def fields(model, *names):
    """Columns for several of the model's own fields, each described from the model."""
    return [field(model, name) for name in names]


def dated(model, name, meaning=None):
    """A date column and the column saying how precisely it is known, which tells how to read it."""
    precision = f"How precisely '{name}' is known; for a month, season or year, the date is its first day."
    return [field(model, name, meaning), field(model, f"{name}_precision", precision)]


def value(name, path, meaning, type="string"):
    """A column holding one value as `.values()` reads it: a related record's field, or a key's id."""
    return Column(name, [path], None, type, meaning)


class Key:
    """How a related record is named: the fields of it that the name is made of, and how (`make`,
    None for a single field as it is)."""

    def __init__(self, fields, make=None):
        self.fields = fields
        self.make = make

    def reads(self, relation=None):
        return [f"{relation}__{name}" if relation else name for name in self.fields]

    def read(self, first, *rest):
        """The name, from the fields' values; None where a left join found no record, which leaves
        them all null."""
        if first is None or self.make is None:
            return first
        return self.make(first, *rest)


nation_code = Key(("kind", "country", "slug"), partner_code)
slug = Key(("slug",))


def key(name, relation, meaning, lookup):
    """A column naming a related record by its key (lookup, a Key), blank where there is none."""
    return Column(name, lookup.reads(relation), lookup.make and lookup.read, "string", meaning)


def id_list(ids):
    """`ids` as an SQL list for an `__in` lookup. Django prepares each value of a Python list in turn,
    12 ms for 2,000 ids: a third of a large download's time. The ids are the primary keys just read
    from the database, and int() keeps the SQL to digits and commas."""
    return models.expressions.RawSQL(",".join(str(int(pk)) for pk in ids), []) if ids else []


class Listed:
    """A many-valued relation some columns read (theatres, citations): the paths read of each related
    row, and the queryset they come from (all of the related model's rows when None)."""

    def __init__(self, *paths, queryset=None):
        self.paths = paths
        self.queryset = queryset

    def by_owner(self, model, name, ids):
        """{owner id: [value, or tuple of values, …]} for the records `ids` (an id_list()), in the
        related model's own order, from one query."""
        related, back = relation_back(model, name)
        queryset = related._default_manager.all() if self.queryset is None else self.queryset()
        owned = queryset.filter(**{f"{back}__in": ids}).values_list(back, *self.paths)
        lists = defaultdict(list)
        for owner, *values in owned:
            lists[owner].append(values[0] if len(values) == 1 else tuple(values))
        return lists


# Rows read at a time, and ids per query of a listed relation. Streaming one partner's 212,645 rows
# kept the process 45 MB above its resting size at 2,000 (5.8 s), 28 MB at 1,000 (6.0 s) and 15 MB at
# 500 (6.4 s).
CHUNK = 1000


class Table:
    def __init__(self, name, model, columns, meaning, lists=None):
        self.name = name
        self.model = model
        self.columns = columns
        self.meaning = meaning
        self.lists = lists or {}

    @property
    def fieldnames(self):
        return [column.name for column in self.columns]

    @property
    def free_text(self):
        """The places in a line of the columns that may hold any text. The others hold numbers, dates or
        one of a few fixed values (choices), none of which a spreadsheet could read as a formula."""
        return [i for i, column in enumerate(self.columns) if column.type == "string" and not column.choices]

    def column(self, name):
        return next(column for column in self.columns if column.name == name)

    def meanings(self, *names):
        """Column name -> meaning, for the import help and the API's field descriptions."""
        return {name: self.column(name).meaning for name in names}

    def row(self, record, queryset=None):
        """The row of one record, read from `queryset` (the model's rows when None) like any other."""
        queryset = self.model._default_manager.all() if queryset is None else queryset
        return next(self.rows(queryset.filter(pk=record.pk)))

    def rows(self, queryset=None, chunk_size=CHUNK):
        """One dict per record, in the queryset's order."""
        names = self.fieldnames
        return (dict(zip(names, cells, strict=True)) for cells in self.lines(queryset, chunk_size))

    def lines(self, queryset=None, chunk_size=CHUNK):
        """One list of cells per record, in the columns' order and the queryset's: one `.values_list()`
        query read a chunk at a time, so memory stays flat, and per chunk one query per listed
        relation. Model instances, select_related() and prefetches cost most of a large download's
        time (21,109 contributions took 4.0 s)."""
        queryset = self.model._default_manager.all() if queryset is None else queryset
        paths = list(dict.fromkeys(p for column in self.columns for p in column.reads if p not in self.lists))
        # As of a date, a contribution's state is in `status_then` and the like (ContributionQuerySet.as_of).
        state_field = getattr(queryset, "state_field", lambda name: name)
        values = queryset.prefetch_related(None).values_list(
            "pk", *(as_text(self.model, state_field(path)) for path in paths)
        )
        # Each row is its values, then its lists.
        position = {path: index for index, path in enumerate(["pk", *paths, *self.lists])}
        # Each line starts as every column's first value, picked in one C call; then the columns that
        # make their value turn it (`in_place`) or read the row again (`whole`). A getter per cell had
        # cost a Python call per cell.
        firsts = [position[column.reads[0]] for column in self.columns]
        pick = itemgetter(*firsts) if len(firsts) > 1 else lambda row: (row[firsts[0]],)
        in_place = [(i, column.read) for i, column in enumerate(self.columns) if column.read and len(column.reads) == 1]
        whole = [(i, column.getter(position)) for i, column in enumerate(self.columns) if len(column.reads) > 1]
        records = values.iterator(chunk_size=chunk_size)
        while chunk := list(islice(records, chunk_size)):
            ids = id_list([row[0] for row in chunk])
            lists = [listed.by_owner(self.model, name, ids) for name, listed in self.lists.items()]
            for row in chunk:
                if lists:
                    row = (*row, *[by_owner.get(row[0], ()) for by_owner in lists])
                line = list(pick(row))
                for i, read in in_place:
                    line[i] = read(line[i])
                for i, get in whole:
                    line[i] = get(row)
                yield line

    def describe(self):
        return {"name": self.name, "meaning": self.meaning, "columns": [c.describe() for c in self.columns]}


def relation_back(model, name):
    """The related model of `model`'s relation `name` (a reverse foreign key or a many-to-many), and
    the lookup from it back to `model`."""
    relation = model._meta.get_field(name)
    if relation.many_to_many and not relation.auto_created:
        return relation.related_model, relation.related_query_name()
    # The reverse side of a foreign key, or of a many-to-many declared on the other model.
    return relation.related_model, relation.field.name


def _updated(model):
    return field(model, "updated", "When the record was last changed (UTC).")


def _join(values):
    return " | ".join([v for v in values if v])


def joined(name, listed, meaning):
    """A column of the keys of a listed relation's records, separated by ' | '."""
    return Column(name, [listed], lambda values: _join([str(value) for value in values]), "string", meaning)
