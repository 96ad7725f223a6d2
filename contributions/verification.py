"""Whether a quote is in its source's archived text: the one rule that the admin, the API, the import,
load_curated and verify_citations all apply, through the models' clean() and save().

Matching is exact once whitespace is normalised on both sides: every run of spaces, tabs, line breaks
and non-breaking spaces counts as one space. Letters, case, punctuation and curly quotes must match.
A PDF breaks its lines mid-sentence, so the line break has to count as a space; nothing else may differ.

This module imports nothing of the app (the models import it), so it cannot be bypassed by a layer
that forgot to call it: the models call it on every save.
"""

import difflib
import hashlib
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone

# Python's \s on str covers the non-breaking spaces (U+00A0, U+202F, U+2007) and the Unicode line breaks.
WHITESPACE = re.compile(r"\s+")
# The end of a sentence: its stop, any closing quote or bracket, then whitespace.
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s")
ENDS_A_SENTENCE = re.compile(r"[.!?…]+[\"'”’)\]]*$")
# Context never runs longer than this, even where the text has no full stop for a page (furniture).
# Enough to read a quote in its place; with many quotes from one article, whole sentences either side
# added up to nearly all of it (98% of the VOA article at 240 characters, 90% at 100, 64% by quotes alone).
MAX_CONTEXT = 100
# How far from the quote a sentence's start is looked for.
LOOKAROUND = 4 * MAX_CONTEXT


def normalise(text):
    """The text with each run of whitespace as one space, trimmed."""
    return WHITESPACE.sub(" ", text).strip()


def fingerprint(text):
    """The sha256 of a text as stored (UTF-8): what a verification record names its text by."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_fingerprint(sha256):
    return sha256[:12]


@dataclass(frozen=True)
class Found:
    """Where a quote is: offsets into the archived text as stored, and the context either side."""

    start: int
    end: int
    context_before: str
    context_after: str


class NormalisedText:
    """A text with its whitespace runs as single spaces, and the offset in the original of each character."""

    def __init__(self, text):
        self.original = text
        # Four bytes an offset rather than a Python int each: a long report has millions of characters.
        pieces, positions = [], array("I")
        for match in re.finditer(r"\s+|\S+", text):
            if match.group().isspace():
                pieces.append(" ")
                positions.append(match.start())
            else:
                pieces.append(match.group())
                positions.extend(range(match.start(), match.end()))
        self.text = "".join(pieces)
        self.positions = positions

    def find(self, quote):
        """The quote's place in the text, or None when it is not there."""
        wanted = normalise(quote)
        index = self.text.find(wanted) if wanted else -1
        if index < 0:
            return None
        end = index + len(wanted)
        return Found(
            start=self.positions[index],
            end=self.positions[end - 1] + 1,
            context_before=sentence_before(self.text[max(0, index - LOOKAROUND) : index]),
            context_after=sentence_after(wanted, self.text[end : end + LOOKAROUND]),
        )

    def nearest(self, quote):
        """The passage of the text most like the quote, for an editor to compare; "" when nothing is alike."""
        wanted = normalise(quote)
        if not wanted or not self.text:
            return ""
        haystack, needle = self.text, wanted
        if len(haystack.lower()) == len(haystack) and len(needle.lower()) == len(needle):
            # Case aside, so a quote typed in capitals still finds its passage (same offsets either way).
            haystack, needle = haystack.lower(), needle.lower()
        matcher = difflib.SequenceMatcher(None, haystack, needle, autojunk=False)
        block = matcher.find_longest_match(0, len(haystack), 0, len(needle))
        if block.size < 3:
            return ""
        # Line the quote up on its longest run in common, then widen to whole words.
        start = max(0, block.a - block.b)
        end = min(len(self.text), start + len(wanted))
        while start > 0 and self.text[start - 1] != " ":
            start -= 1
        while end < len(self.text) and self.text[end] != " ":
            end += 1
        return self.text[start:end].strip()


@lru_cache(maxsize=4)
def normalised(text):
    """The text's NormalisedText, kept for the next quote: an import checks many quotes against one text."""
    return NormalisedText(text)


def _cap_start(piece):
    if len(piece) <= MAX_CONTEXT:
        return piece
    cut = piece[-MAX_CONTEXT:]
    return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut


def _cap_end(piece):
    if len(piece) <= MAX_CONTEXT:
        return piece
    cut = piece[:MAX_CONTEXT]
    return cut[: cut.rfind(" ")] + "…" if " " in cut else cut + "…"


def sentence_before(before):
    """The start of the quote's sentence, or the whole sentence before it when the quote starts one."""
    ends = [match.end() for match in SENTENCE_END.finditer(before)]
    if ends and ends[-1] == len(before):
        ends.pop()  # the quote starts a sentence: show the one before
    # Without a sentence end in sight the piece is a fragment of an unknown length: capped below.
    return _cap_start(before[ends[-1] if ends else 0 :])


def sentence_after(quote, after):
    """The rest of the quote's sentence, or the whole sentence after it when the quote ends one."""
    ends_one = bool(ENDS_A_SENTENCE.search(quote)) and (not after or after[0].isspace())
    padded = after + " "  # so a stop at the very end of the text counts
    match = SENTENCE_END.search(padded, 1 if ends_one else 0)
    piece = padded[: match.end()] if match else after
    return _cap_end(piece.rstrip())


def not_found_message(quote, text):
    nearest = normalised(text).nearest(quote)
    message = "This quote is not in the source's archived text (only whitespace may differ)."
    if nearest:
        message += f" The nearest passage is: “{nearest}”"
    return message


def locate(quote, text):
    """Found, or a ValidationError on the quote field naming the nearest passage."""
    found = normalised(text).find(quote)
    if found is None:
        raise ValidationError({"quote": [ValidationError(not_found_message(quote, text), code="quote_not_found")]})
    return found


# --- A citation's verification record -----------------------------------------------------------


def record_of(citation):
    return (citation.text_sha256, citation.text_captured, citation.quote_start, citation.quote_end)


# A citation's verification fields when it has no record: never checked, or sharing another's words.
UNVERIFIED = {
    "text_sha256": "",
    "text_captured": None,
    "quote_start": None,
    "quote_end": None,
    "checked_at": None,
    "context_before": "",
    "context_after": "",
}


def clear(citation):
    """Unverified: no text to check it against."""
    for field, value in UNVERIFIED.items():
        setattr(citation, field, value)


RECORD, CONTEXT = "record", "context"


def apply(citation, archive, found):
    """Record that the quote was found in the archive. Returns what that changed: RECORD (where and in
    which text it was found), CONTEXT (only the sentences shown around it), or None.

    The check time moves only when the record does, so a save that changes nothing still changes nothing.
    """
    new = (archive.sha256, archive.captured, found.start, found.end)
    context = (found.context_before, found.context_after)
    changed = None
    if record_of(citation) != new or citation.checked_at is None:
        citation.text_sha256, citation.text_captured, citation.quote_start, citation.quote_end = new
        citation.checked_at = timezone.now()
        changed = RECORD
    if (citation.context_before, citation.context_after) != context:
        citation.context_before, citation.context_after = context
        changed = changed or CONTEXT
    return changed


def verify(citation, archive, quote_changed):
    """Bring a citation's record up to date before it is saved; ValidationError on `quote` if not found.

    `archive` is its source's archived text (anything with text, sha256 and captured), or None. Without
    one, an unchanged quote keeps the record it has (a clone without the texts keeps the fixtures'
    fingerprints), and a new or edited quote is unverified.
    """
    if archive is None:
        if quote_changed:
            clear(citation)
        return
    apply(citation, archive, locate(citation.quote, archive.text))


@dataclass
class Recheck:
    """What a new text does to a source's citations."""

    verified: list
    unverified: list  # not in the new text, and not verified before either: they stay unverified
    broken: list  # verified before, and not in the new text: the new text is refused
    changed: list  # the verified whose record the new text changes: to be saved
    context_only: list  # the verified whose context alone it changes (derived from the text, not an edit)

    def broken_message(self):
        lines = "; ".join(f"#{citation.pk} “{_short(citation.quote)}”" for citation in self.broken)
        return (
            f"{len(self.broken)} verified citation(s) would no longer match this text, so it was not saved: "
            f"{lines}. Correct the text, or those quotes first."
        )


def recheck(citations, archive):
    """Check each citation against a source's new text, filling the records of those that match."""
    text = normalised(archive.text)
    result = Recheck([], [], [], [], [])
    for citation in citations:
        found = text.find(citation.quote)
        if found is not None:
            changed = apply(citation, archive, found)
            if changed == RECORD:
                result.changed.append(citation)
            elif changed == CONTEXT:
                result.context_only.append(citation)
            result.verified.append(citation)
        elif citation.text_sha256:
            result.broken.append(citation)
        else:
            result.unverified.append(citation)
    return result


def _short(quote, length=80):
    quote = normalise(quote)
    return quote if len(quote) <= length else quote[: length - 1] + "…"


def describe(citation):
    """The state a reader sees: "verified against the text captured on DATE (sha256 abc…)" or "unverified"."""
    if not citation.text_sha256:
        return "unverified"
    captured = timezone.localtime(citation.text_captured) if citation.text_captured else None
    day = f"{captured.day} {captured:%B %Y}" if captured else "an unknown date"
    return f"verified against the text captured on {day} (sha256 {short_fingerprint(citation.text_sha256)}…)"
