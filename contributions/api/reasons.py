"""Why a write was made: an API write may say so in `X-Change-Reason`, and its history entries keep it.

simple_history stores the reason in `history_change_reason`, which the admin's history page shows.
The reason is read and checked before anything is written, so a bad one is a 400 and nothing changes.
"""

import unicodedata
from contextlib import suppress

from rest_framework.exceptions import ValidationError
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

HEADER = "X-Change-Reason"
# simple_history's history_change_reason column is a CharField(max_length=100).
MAX_LENGTH = 100


def change_reason(request):
    """The header's text, or None without one; a 400 naming the header when it is too long or not one line of text."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    # WSGI hands header bytes over as Latin-1; clients send UTF-8.
    with suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    value = value.strip()
    controls = sorted({char for char in value if unicodedata.category(char) in ("Cc", "Cs")})
    if controls:
        codes = ", ".join(f"U+{ord(char):04X}" for char in controls)
        raise ValidationError({HEADER: [f"Remove the control characters ({codes}): a reason is one line of text."]})
    if len(value) > MAX_LENGTH:
        raise ValidationError({HEADER: [f"At most {MAX_LENGTH} characters (this one has {len(value)})."]})
    return value or None


def record_change_reason(sender, history_instance, **kwargs):
    """Give every history entry the API request writes (cascaded deletes included) the request's reason."""
    request = getattr(HistoricalRecords.context, "request", None)
    reason = getattr(request, "change_reason", None)
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason


pre_create_historical_record.connect(record_change_reason, dispatch_uid="api_change_reason")
