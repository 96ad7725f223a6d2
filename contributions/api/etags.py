"""Entity tags for lost-update protection and conditional GETs.

The tag is a hash of the record's serialized representation, so it changes whenever anything the
client sees changes, embedded citations and related names included, not only the record's own row.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.http import parse_etags


def etag_for(data, representation="json"):
    # The representation is part of the hash: a CSV row and a JSON object are different bodies.
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    digest = hashlib.sha256(f"{representation}\n{body}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _opaque(tag):
    return tag.removeprefix("W/")


def if_none_match(header, etag):
    """True when the client's copy is current (weak comparison, RFC 9110 section 13.1.2)."""
    tags = parse_etags(header)
    return "*" in tags or _opaque(etag) in {_opaque(tag) for tag in tags}


def if_match(header, etag):
    """True when the client edited the current version (strong comparison, RFC 9110 section 13.1.1)."""
    tags = parse_etags(header)
    return "*" in tags or etag in {tag for tag in tags if not tag.startswith("W/")}
