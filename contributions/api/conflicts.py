"""The 409 a DELETE answers when other records depend on the record (contributions.deletion finds them)."""

from .serializers import RecordSerializer

# Enough to act on; a nation with thousands of contributions does not need them all in one body.
LISTED = 100


def url_of(record, request):
    """The record's API address, as its own serializer writes it."""
    for serializer in RecordSerializer.__subclasses__():
        if serializer.Meta.model is type(record):
            field = serializer._declared_fields["url"]
            return field.get_url(record, field.view_name, request, None)
    return None


def conflict(found, request):
    kinds = sorted({str(record._meta.verbose_name_plural) for record in found})
    detail = (
        f"Nothing was deleted: {len(found)} other record(s) depend on this one ({', '.join(kinds)}). "
        "Delete or reassign them first; only the admin's delete confirmation deletes a record with its dependents."
    )
    listed = [
        {
            "kind": str(record._meta.verbose_name),
            "id": record.pk,
            "str": str(record),
            "url": url_of(record, request),
        }
        for record in found[:LISTED]
    ]
    return {"detail": detail, "count": len(found), "dependents": listed}
