"""Check every citation's quote, verbatim, against the text of its source article.

    python manage.py verify_citations [DIR]

DIR (default: settings.SOURCES_DIR) holds one <source slug>.txt per article. The command fails, listing
every problem, when a quote is not found in its article, when a source has no text file or no citations,
or when a nation, official, meeting, participation, figure, contribution or capability request has no
citation. It runs a fixed number of queries however many records there are.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from contributions.models.citations import CITATION_TARGETS, Citation, supported_kind
from contributions.models.contributions import CapabilityRequest, Contribution
from contributions.models.meetings import Figure, Meeting, Participation
from contributions.models.nations import Nation, Official
from contributions.models.sources import Source

# Each kind of record that must be cited, with the related rows its label needs (one query per kind).
CITED_MODELS = [
    (Nation, ()),
    (Official, ()),
    (Meeting, ()),
    (Participation, ("meeting", "nation")),
    (Figure, ()),
    (Contribution, ("nation",)),
    (CapabilityRequest, ("requested_by",)),
]


def shorten(text, length=80):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


class Command(BaseCommand):
    help = "Verify that every citation quotes its source article verbatim and that every record is cited."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=None,
            help="Folder of <source slug>.txt article texts (default: settings.SOURCES_DIR).",
        )

    def handle(self, *args, directory=None, **options):
        folder = Path(directory) if directory else Path(settings.SOURCES_DIR)
        if not folder.is_dir():
            raise CommandError(f"Sources folder not found: {folder}")

        problems = []

        # 1 query: every source with its number of citations.
        sources = list(
            Source.objects.annotate(citation_count=Count("citations"))
            # Explicit: a GROUP BY query drops Meta.ordering, and PostgreSQL then returns any order.
            .order_by("published", "slug")
            .values("pk", "slug", "citation_count")
        )
        texts = {}
        for source in sources:
            path = folder / f"{source['slug']}.txt"
            if path.is_file():
                texts[source["pk"]] = path.read_text(encoding="utf-8")
            else:
                problems.append(f"Source {source['slug']!r}: no text file {path.name} in {folder}.")
            if not source["citation_count"]:
                problems.append(f"Source {source['slug']!r}: no citations.")

        # 1 query: every citation, with what it supports.
        target_ids = [f"{name}_id" for name in CITATION_TARGETS]
        rows = Citation.objects.order_by("pk").values("pk", "quote", "source_id", "source__slug", *target_ids)
        checked = 0
        for row in rows:
            checked += 1
            text = texts.get(row["source_id"])
            if text is None:
                continue  # the missing file is already reported once for the source
            if row["quote"] not in text:
                kind = supported_kind(row)
                target = f"{kind} #{row[f'{kind}_id']}" if kind else "?"
                problems.append(
                    f"Citation #{row['pk']} (supports {target}): quote not found verbatim in "
                    f"{row['source__slug']}.txt: “{shorten(row['quote'])}”"
                )

        # 1 query per kind of record: those with no citation at all.
        for model, related in CITED_MODELS:
            uncited = model.objects.filter(citations__isnull=True).select_related(*related).order_by("pk")
            for record in uncited:
                problems.append(f"{model._meta.verbose_name.capitalize()} #{record.pk} ({record}): no citation.")

        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) found in the citations; see above.")

        self.stdout.write(
            self.style.SUCCESS(f"All {checked} citations verified against {len(sources)} sources in {folder}.")
        )
