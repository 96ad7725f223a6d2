"""Merging two records that stand for the same thing: what a new source reports was already recorded.

`merge(survivor, duplicate, reason)` moves everything that points at the duplicate to the survivor,
then deletes the duplicate, in one transaction. What points at a record is read from the models' own
relations (`_meta.related_objects`), the same walk Django's delete makes, so a relation added later is
moved too without a change here: citations, contributions, figures, a meeting's officials present.

A moved row that would then break a unique constraint (both nations took part in the same meeting)
has a twin on the survivor's side: the twin stays, and the moved row is merged into it in turn, so its
own citations survive. Every row written gets a history entry naming the merge and its reason.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator

from . import cache, search
from .models import CapabilityRequest, Contribution, Figure, Meeting, Nation, Official, Source

# The kinds an editor merges. Participations and citations are parts of other records: they move
# with them (and merge with their twins) rather than on their own.
MERGEABLE = (Source, Nation, Official, Meeting, Figure, Contribution, CapabilityRequest)

# simple_history's history_change_reason is a CharField(max_length=100); the rest is "Merged #a into #b: ".
HISTORY_REASON_LENGTH = 100
REASON_MAX_LENGTH = 60


def check(survivor, duplicate, reason):
    """ValidationError naming the field at fault (`duplicate` or `reason`) when the merge cannot be made."""
    errors = {}
    if type(survivor) is not type(duplicate):
        errors["duplicate"] = (
            f"A {survivor._meta.verbose_name} can only be merged with another {survivor._meta.verbose_name}, "
            f"not with a {duplicate._meta.verbose_name}."
        )
    elif not isinstance(survivor, MERGEABLE):
        errors["duplicate"] = f"{str(survivor._meta.verbose_name_plural).capitalize()} are not merged on their own."
    elif survivor.pk is None or duplicate.pk is None:
        errors["duplicate"] = "Both records must be saved before they are merged."
    elif survivor.pk == duplicate.pk:
        errors["duplicate"] = "A record cannot be merged into itself: choose another record."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why these two records are the same (it is kept in the history)."
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"At most {REASON_MAX_LENGTH} characters (this one has {len(reason)})."
    elif any(char in reason for char in "\r\n"):
        errors["reason"] = "A reason is one line of text."
    if errors:
        raise ValidationError(errors)
    return reason


def history_note(survivor, duplicate, reason):
    return Truncator(f"Merged #{duplicate.pk} into #{survivor.pk}: {reason}").chars(HISTORY_REASON_LENGTH)


def merge(survivor, duplicate, reason):
    """Move every reference to `duplicate` onto `survivor`, delete `duplicate`, and return the survivor afresh."""
    reason = check(survivor, duplicate, reason)
    model = type(survivor)
    note = history_note(survivor, duplicate, reason)
    with transaction.atomic():
        # Both rows locked: a concurrent write to either waits for the merge, then finds it done.
        locked = set(model._base_manager.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk"))
        if len(locked) != 2:
            raise ValidationError({"duplicate": "One of the two records no longer exists."})
        merge_rows(survivor, duplicate, note)
        # Rows moved with QuerySet methods (a many-to-many link) skip the signals; one bump covers all.
        cache.bump()
        search.index(model, [survivor.pk])
    survivor.refresh_from_db()
    return survivor


def merge_rows(survivor, duplicate, note):
    # One-to-one rows first (a source's archived text), so citations moved after them are checked
    # against the text the survivor will keep.
    relations = sorted(duplicate._meta.related_objects, key=lambda relation: not relation.one_to_one)
    for relation in relations:
        if relation.many_to_many:
            move_links(relation, survivor, duplicate, note)
        else:
            move_rows(relation, survivor, duplicate, note)
    for field in duplicate._meta.many_to_many:
        # Links of the duplicate's own many-to-many fields (a meeting's officials present); a field
        # through a model of its own (a meeting's nations) moved as that model's rows above.
        if field.remote_field.through._meta.auto_created:
            survivor._change_reason = note
            getattr(survivor, field.name).add(*getattr(duplicate, field.name).all())
    # Read again: a row moved above may have been the survivor itself (a meeting announced at its duplicate).
    survivor.refresh_from_db()
    survivor._change_reason = note
    survivor.save()
    duplicate._change_reason = note
    duplicate.delete()


def move_rows(relation, survivor, duplicate, note):
    """Point each row whose foreign key names the duplicate at the survivor, or merge it into its twin."""
    field = relation.field
    for row in relation.related_model._base_manager.filter(**{field.name: duplicate.pk}).order_by("pk"):
        if type(row) is type(survivor) and row.pk == survivor.pk:
            # The survivor pointed at its duplicate: it would now point at itself.
            setattr(row, field.name, None)
        else:
            setattr(row, field.name, survivor)
        twin = twin_of(row, field)
        if twin is not None:
            merge_rows(twin, row, note)
        else:
            row._change_reason = note
            row.save()


def move_links(relation, survivor, duplicate, note):
    """Many-to-many links naming the duplicate (the meetings an official attended) name the survivor instead."""
    field = relation.field
    if not field.remote_field.through._meta.auto_created:
        return  # its rows are records of their own, moved by move_rows
    for record in relation.related_model._base_manager.filter(**{field.name: duplicate.pk}).order_by("pk"):
        # Through the record's own field, so its history records the change: add() skips a link already there.
        record._change_reason = note
        links = getattr(record, field.name)
        links.add(survivor)
        links.remove(duplicate)


def unique_sets(model):
    """The sets of fields whose values no two rows of `model` may share."""
    opts = model._meta
    sets = [(field.name,) for field in opts.local_fields if field.unique and not field.primary_key]
    sets += [tuple(constraint.fields) for constraint in opts.total_unique_constraints if constraint.fields]
    sets += [tuple(names) for names in opts.unique_together]
    return sets


def twin_of(row, moved):
    """The row that `row`, its foreign key `moved` now changed, would duplicate under a unique constraint."""
    model = type(row)
    for names in unique_sets(model):
        if moved.name not in names:
            continue
        values = {
            model._meta.get_field(name).attname: model._meta.get_field(name).value_from_object(row) for name in names
        }
        if None in values.values():
            continue  # NULLs never collide
        twin = model._base_manager.filter(**values).exclude(pk=row.pk).first()
        if twin is not None:
            return twin
    return None
