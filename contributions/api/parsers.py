"""Request bodies: JSON with a depth limit, so a hostile nesting is a 400 rather than a 500."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A record is flat; its deepest field is a list of keys. Anything deeper is not a record.
MAX_DEPTH = 32


def depth_of(data):
    """How deeply lists and objects nest, counted without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The standard parser recurses once per level and gives up near the interpreter's limit.
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.") from None
        if depth_of(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        return data
