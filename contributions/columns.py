"""How a column of a table is defined: its name, how it reads a record, its type and its meaning, and
the helpers that build the common kinds (a model's own field, a dated field and its precision, a related
record's key, several keys joined). The tables themselves are in tables.py."""

from collections import defaultdict
from itertools import islice

from django.db import models

from .models.choices import definition

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
    def __init__(self, name, model, columns, queryset, meaning, many=None):
        self.name = name
        self.model = model
        self.columns = columns
        self.queryset = queryset
        self.meaning = meaning
        # The many-valued relations the columns read ({name: queryset factory, or None for all}), which
        # rows() attaches a chunk at a time.
        self.many = many or {}

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
        """One dict per record, read a chunk at a time (with what the columns read of other tables) so
        memory stays flat."""
        queryset = self.queryset() if queryset is None else queryset
        if not self.many:
            return (self.row(obj) for obj in queryset.iterator(chunk_size=chunk_size))
        return (self.row(obj) for chunk in self.chunks(queryset, chunk_size) for obj in chunk)

    def chunks(self, queryset, chunk_size):
        records = queryset.prefetch_related(None).iterator(chunk_size=chunk_size)
        while chunk := list(islice(records, chunk_size)):
            for name, related in self.many.items():
                attach(chunk, name, related() if related else None)
            yield chunk

    def describe(self):
        return {"name": self.name, "meaning": self.meaning, "columns": [c.describe() for c in self.columns]}


def attach(instances, name, queryset=None):
    """Fill the relation `name` (a reverse foreign key or a many-to-many) of every instance from one
    query, where prefetch_related() would read it. prefetch_related() builds a filtered queryset per
    instance, which was most of a large download's time (prefetching theatres and lines of effort added
    3.2 s to the 1.1 s of reading 21,109 contributions); this groups one query's rows by their owner."""
    if not instances:
        return
    model, back = relation_back(type(instances[0]), name)
    related = model._default_manager.all() if queryset is None else queryset
    owned = related.filter(**{f"{back}__in": [instance.pk for instance in instances]}).annotate(_owner=models.F(back))
    by_owner = defaultdict(list)
    for record in owned:
        by_owner[record._owner].append(record)
    for instance in instances:
        # Where a related manager's all() finds prefetched rows.
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = by_owner[instance.pk]


def relation_back(model, name):
    """The related model of `model`'s relation `name` (a reverse foreign key or a many-to-many), and
    the lookup from it back to `model`."""
    relation = model._meta.get_field(name)
    if relation.many_to_many and not relation.auto_created:
        return relation.related_model, relation.related_query_name()
    # The reverse side of a foreign key, or of a many-to-many declared on the other model.
    return relation.related_model, relation.field.name


def related(instance, name):
    """The rows of a relation that was prefetched or attached, without building a related manager for
    each row as `instance.<name>.all()` does; read afresh where neither was done."""
    cache = instance.__dict__.get("_prefetched_objects_cache", {})
    return cache[name] if name in cache else getattr(instance, name).all()


def _updated(model):
    return field(model, "updated", "When the record was last changed (UTC).")


def _join(values):
    return " | ".join(v for v in values if v)


def joined(name, values, meaning):
    """A column of several keys of one record, values(record), separated by ' | '."""
    return Column(name, lambda obj: _join(values(obj)), "string", meaning)
