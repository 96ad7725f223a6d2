"""Check every citation against its source's archived text, from the database, and that every record is cited.

    python manage.py verify_citations [--texts DIR]

With --texts (or DIR alone, as before), the <source slug>.txt files in DIR first fill the archive:
a source without a text gets its file's, and one whose file differs gets the new text, which is
refused (and reported) if a verified quote would stop matching. A source with neither an archived
text nor a file in DIR is then a problem.

The command fails, listing every problem, when a quote is not in its source's archived text (only
whitespace may differ), when a citation of a source with a text is unverified or its record names
another text, when a source has no citations, or when a nation, official, meeting, participation,
figure, contribution or capability request has no citation. Citations of a source without a text keep
the record they have (a clone without the texts) and are counted, not failed. It runs a fixed number
of queries however many records there are.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from contributions.management.texts import archive_folder
from contributions.models.citations import CITATION_TARGETS, Citation, supported_kind
from contributions.models.contributions import Contribution
from contributions.models.lines import LineLead, LineOfEffort
from contributions.models.meetings import Figure, Meeting, Participation
from contributions.models.nations import Nation, Official
from contributions.models.requests import CapabilityRequest
from contributions.models.sources import Source, SourceText
from contributions.verification import NormalisedText, short_fingerprint

# Each kind of record that must be cited, with the related rows its label needs (one query per kind).
CITED_MODELS = [
    (Nation, ()),
    (Official, ()),
    (Meeting, ()),
    (Participation, ("meeting", "nation")),
    (Figure, ()),
    (Contribution, ("nation",)),
    (CapabilityRequest, ("requested_by",)),
    (LineOfEffort, ()),
    (LineLead, ("line", "partner")),
]


def shorten(text, length=80):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


class Command(BaseCommand):
    help = "Verify every citation against its source's archived text, and that every record is cited."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=None, help="The same as --texts DIR.")
        parser.add_argument(
            "--texts", metavar="DIR", default=None, help="Fill the archive from DIR's <source slug>.txt files first."
        )

    def handle(self, *args, directory=None, texts=None, **options):
        folder = texts or directory
        problems, without_file = [], set()
        if folder:
            if not Path(folder).is_dir():
                raise CommandError(f"Sources folder not found: {folder}")
            with transaction.atomic():
                _archived, missing, problems = archive_folder(folder, replace=True)
            without_file = {source.pk for source in missing}

        # 1 query: every source with its number of citations.
        sources = list(
            Source.objects.annotate(citation_count=Count("citations"))
            # Explicit: a GROUP BY query drops Meta.ordering, and PostgreSQL then returns any order.
            .order_by("published", "slug")
            .values("pk", "slug", "citation_count")
        )
        # 1 query: the archived texts.
        archives = {row["source_id"]: row for row in SourceText.objects.values("source_id", "text", "sha256")}
        texts_by_source = {}
        for source in sources:
            if source["pk"] not in archives and source["pk"] in without_file:
                problems.append(f"Source {source['slug']!r}: no text file {source['slug']}.txt in {folder}.")
            if not source["citation_count"]:
                problems.append(f"Source {source['slug']!r}: no citations.")

        # 1 query: every citation, with what it supports and its verification record.
        target_ids = [f"{name}_id" for name in CITATION_TARGETS]
        rows = Citation.objects.order_by("pk").values(
            "pk",
            "quote",
            "source_id",
            "source__slug",
            "text_sha256",
            "quote_start",
            "quote_end",
            "shares_id",
            "shares__source_id",
            *target_ids,
        )
        checked = on_record = shared = 0
        for row in rows:
            if row["shares_id"]:
                # Checked where the words are stored; only the source must be theirs.
                shared += 1
                if row["shares__source_id"] != row["source_id"]:
                    problems.append(
                        f"Citation #{row['pk']}: shares the words of citation #{row['shares_id']}, from another source."
                    )
                continue
            archive = archives.get(row["source_id"])
            if archive is None:
                on_record += bool(row["text_sha256"])
                continue
            checked += 1
            if archive["sha256"] not in texts_by_source:
                texts_by_source[archive["sha256"]] = NormalisedText(archive["text"])
            problem = self.problem_with(row, archive, texts_by_source[archive["sha256"]])
            if problem:
                kind = supported_kind(row)
                target = f"{kind} #{row[f'{kind}_id']}" if kind else "?"
                problems.append(f"Citation #{row['pk']} (supports {target}): {problem}")

        # 1 query per kind of record: those with no citation at all.
        for model, related in CITED_MODELS:
            uncited = model.objects.filter(citations__isnull=True).select_related(*related).order_by("pk")
            for record in uncited:
                problems.append(f"{model._meta.verbose_name.capitalize()} #{record.pk} ({record}): no citation.")

        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) found in the citations; see above.")

        summary = f"All {checked} citations verified against {len(archives)} sources' archived texts."
        if shared:
            summary += f" {shared} more share words stored, and verified, once."
        if on_record:
            summary += f" {on_record} more rest on their recorded fingerprints: their sources have no text here."
        self.stdout.write(self.style.SUCCESS(summary))

    def problem_with(self, row, archive, text):
        """What is wrong with one citation of a source with a text, or None."""
        found = text.find(row["quote"])
        slug = row["source__slug"]
        if found is None:
            nearest = text.nearest(row["quote"])
            shown = f" Nearest passage: “{shorten(nearest, 300)}”" if nearest else ""
            return f"quote not found in the archived text of {slug}: “{shorten(row['quote'])}”.{shown}"
        if not row["text_sha256"]:
            return f"unverified, though its quote is in the archived text of {slug}: save it again to verify it."
        if (row["text_sha256"], row["quote_start"], row["quote_end"]) != (archive["sha256"], found.start, found.end):
            return (
                f"its record names text {short_fingerprint(row['text_sha256'])}… at {row['quote_start']}–"
                f"{row['quote_end']}, but the archive holds {short_fingerprint(archive['sha256'])}… with the quote "
                f"at {found.start}–{found.end}: save it again to record it."
            )
        return None
