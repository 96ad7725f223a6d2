"""Records whose latest one sets a field of the record they belong to: a partner's role from its role
statements, a contribution's state from its status events."""

from django.db import transaction


def save_and_update(record, save, parent_field, update):
    """save() the record, then update(parent id) for its parent, in one transaction; a record moved to
    another parent updates the one it left too."""
    with transaction.atomic():
        before = None
        if not record._state.adding:
            rows = type(record).objects.filter(pk=record.pk).values_list(parent_field, flat=True)
            before = rows.first()
        result = save()
        for parent in dict.fromkeys([getattr(record, parent_field), before]):
            if parent is not None:
                update(parent)
    return result
