"""Filling the source archive from a folder of <source slug>.txt files, for load_curated and
verify_citations. Each text goes through SourceText.save(), which checks it against the citations."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contributions.models.citations import Citation
from contributions.models.fields import normalize_text
from contributions.models.sources import Source, SourceText
from contributions.verification import fingerprint


def recorded_capture(source, sha256):
    """When the text with this fingerprint was captured, as the citations' records say; else now.

    The fixtures carry each quote's record; a text that matches it is the text they name, captured then.
    """
    recorded = (
        Citation.objects.filter(source=source, text_sha256=sha256, text_captured__isnull=False)
        .order_by("text_captured")
        .values_list("text_captured", flat=True)
        .first()
    )
    return recorded or timezone.now()


def archive_folder(folder, replace=False):
    """Archive the text of every source with a file in `folder`. Returns (archived, missing, problems).

    A source that already has a text keeps it unless `replace`; a text that would break a verified
    quote is refused, and reported in `problems`, like any other.
    """
    folder = Path(folder)
    archived, missing, problems = [], [], []
    for source in Source.objects.order_by("published", "slug"):
        path = folder / f"{source.slug}.txt"
        if not path.is_file():
            missing.append(source)
            continue
        try:
            text = normalize_text(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(f"Source {source.slug!r}: {path} is not UTF-8 text.")
            continue
        if not text.strip():
            problems.append(f"Source {source.slug!r}: {path} is empty.")
            continue
        archive = SourceText.objects.filter(source=source).first()
        if archive is not None and (archive.sha256 == fingerprint(text) or not replace):
            continue
        if archive is None:
            archive = SourceText(source=source, captured=recorded_capture(source, fingerprint(text)))
        archive.text = text
        archive._change_reason = f"Archived from {path.name}"
        try:
            with transaction.atomic():
                archive.save()
        except ValidationError as error:
            problems.append(f"Source {source.slug!r}: {path} was not archived: {' '.join(error.messages)}")
            continue
        archived.append(archive)
    return archived, missing, problems
