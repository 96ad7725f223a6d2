"""What deleting a record would take with it, or is blocked by: the API refuses such a delete (409).

Django's collector answers from the models' own relations (CASCADE, PROTECT, many-to-many links), the
same walk the admin's "Are you sure?" page makes, so the answer stays right as the models change.
Some of what a delete takes is part of the record and goes with it: its own citations (the quotes
that support that very record), the links of its own many-to-many fields (a meeting's officials
present), any one-to-one extension of it and its status events, and in turn their parts. Everything else is a dependent:
other records, their citations, and records whose many-to-many field names this one (the meetings
an official attended would silently lose them).
"""

from itertools import chain

from django.contrib.admin.utils import NestedObjects
from django.db import router

from .models.citations import Citation


def dependents(record):
    """The other records deleting `record` would delete or change, or that forbid it, in a stable order."""
    collector = NestedObjects(using=router.db_for_write(type(record)))
    collector.collect([record])
    parts, pending = {record}, [record]
    while pending:
        parent = pending.pop()
        for child in collector.edges.get(parent, ()):
            if child not in parts and belongs_to(child, parent):
                parts.add(child)
                pending.append(child)
    found = {}
    for obj in chain(collector.protected, *collector.model_objs.values()):
        if obj in parts:
            continue
        dependent = linked_record(obj)
        found[type(dependent), dependent.pk] = dependent
    return sorted(found.values(), key=lambda obj: (str(obj._meta.verbose_name), obj.pk))


def belongs_to(obj, parent):
    """True when `obj` is part of `parent`: its citation, a row of its many-to-many field, its one-to-one
    extension, or a record whose model names the field it is part of (`part_of`: a status event)."""
    if isinstance(obj, Citation):
        kind = obj.target_type
        supports = kind and Citation._meta.get_field(kind).related_model is type(parent)
        return bool(supports) and getattr(obj, f"{kind}_id") == parent.pk
    declaring = obj._meta.auto_created
    if declaring:
        return isinstance(parent, declaring)
    part_of = getattr(type(obj), "part_of", None)
    if part_of and isinstance(parent, obj._meta.get_field(part_of).related_model):
        return getattr(obj, f"{part_of}_id") == parent.pk
    return any(
        field.one_to_one and field.related_model is type(parent) and getattr(obj, field.attname) == parent.pk
        for field in obj._meta.concrete_fields
    )


def linked_record(obj):
    """The record a dependent stands for: a row of a many-to-many link stands for the record whose field it is."""
    declaring = obj._meta.auto_created
    if not declaring:
        return obj
    link = next(field for field in obj._meta.fields if field.is_relation and field.related_model is declaring)
    return getattr(obj, link.name)
