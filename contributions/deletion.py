"""What deleting a record would take with it, or is blocked by: the API refuses such a delete (409).

Django's collector answers from the models' own relations (CASCADE, PROTECT, many-to-many links), the
same walk the admin's "Are you sure?" page makes, so the answer stays right as the models change.
A record's own citations, the quotes that support that very record, are part of it and go with it,
as do the links of its own many-to-many fields (a meeting's officials present). Everything else is a
dependent: other records, their citations, and records whose many-to-many field names this one (the
meetings an official attended would silently lose them).
"""

from itertools import chain

from django.contrib.admin.utils import NestedObjects
from django.db import router

from .models.citations import Citation


def dependents(record):
    """The other records deleting `record` would delete or change, or that forbid it, in a stable order."""
    collector = NestedObjects(using=router.db_for_write(type(record)))
    collector.collect([record])
    found = {}
    for obj in chain(collector.protected, *collector.model_objs.values()):
        dependent = standing_for(obj, record)
        if dependent is not None:
            found[type(dependent), dependent.pk] = dependent
    return sorted(found.values(), key=lambda obj: (str(obj._meta.verbose_name), obj.pk))


def standing_for(obj, record):
    """The record `obj` is, or belongs to, for a list of dependents; None when it is part of `record`."""
    if type(obj) is type(record) and obj.pk == record.pk:
        return None
    if isinstance(obj, Citation):
        kind = obj.target_type
        if kind and Citation._meta.get_field(kind).related_model is type(record):
            return None if getattr(obj, f"{kind}_id") == record.pk else obj
        return obj
    declaring = obj._meta.auto_created
    if declaring:
        # A row of a many-to-many link belongs to the record whose field it is.
        if isinstance(record, declaring):
            return None
        link = next(field for field in obj._meta.fields if field.is_relation and field.related_model is declaring)
        return getattr(obj, link.name)
    return obj
