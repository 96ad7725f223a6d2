"""Write each curated quote's verification record into fixtures/citations.json (and lines.json), from
the real texts.

    python manage.py record_verifications --texts ../shared/sources --captured 2026-11-21T00:00:00Z

The fixtures never hold the texts, only where each quote was found in which text: its sha256, the
offsets, the text's capture date and when it was checked. A clone without the texts then still shows
every quote as verified against a named fingerprint, and load_curated checks them again whenever the
texts are there. Run it after editing a quote in the fixtures; it fails, changing nothing, if any
quote is not in its text. It reads and writes files only, not the database.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contributions.models.fields import normalize_text
from contributions.verification import NormalisedText, fingerprint

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def citing_fixtures(folder):
    """The fixture files holding citations."""
    return [path for path in (folder / "citations.json", folder / "lines.json") if path.is_file()]


def iso(moment):
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


class Command(BaseCommand):
    help = "Record in fixtures/citations.json where each curated quote is found in its article's text."

    def add_arguments(self, parser):
        parser.add_argument("--texts", metavar="DIR", default=str(settings.SOURCES_DIR), help="The articles' texts.")
        parser.add_argument(
            "--captured",
            type=datetime.datetime.fromisoformat,
            required=True,
            help="When the texts were captured (ISO 8601), as the records will say.",
        )
        parser.add_argument("--fixtures", default=str(FIXTURES), help="The fixtures folder (default: fixtures/).")

    def handle(self, *args, texts, captured, fixtures, **options):
        folder, fixtures = Path(texts), Path(fixtures)
        if captured.tzinfo is None:
            raise CommandError("Give --captured with its time zone, e.g. 2026-11-21T00:00:00Z.")
        sources = json.loads((fixtures / "sources.json").read_text(encoding="utf-8"))
        slugs = {row["pk"]: row["fields"]["slug"] for row in sources}
        loaded = {}
        for pk, slug in slugs.items():
            path = folder / f"{slug}.txt"
            if not path.is_file():
                raise CommandError(f"No text file {path.name} in {folder}.")
            # As SourceText stores it, so the fingerprint names the text the archive will hold.
            text = normalize_text(path.read_text(encoding="utf-8"))
            loaded[pk] = (fingerprint(text), NormalisedText(text))
        # lines.json carries the citations of its lines of effort and their leads beside them.
        files = {path: json.loads(path.read_text(encoding="utf-8")) for path in citing_fixtures(fixtures)}
        checked, missing = iso(timezone.now().replace(microsecond=0)), []
        citations = [row for rows in files.values() for row in rows if row["model"] == "contributions.citation"]
        # A citation sharing another's words is verified where they are stored.
        citations = [row for row in citations if not row["fields"].get("shares")]
        for row in citations:
            fields = row["fields"]
            sha256, text = loaded[fields["source"]]
            found = text.find(fields["quote"])
            if found is None:
                missing.append(f"Citation #{row['pk']}: not in {slugs[fields['source']]}.txt: {fields['quote']!r}")
                continue
            unchanged = (fields.get("text_sha256"), fields.get("quote_start"), fields.get("quote_end")) == (
                sha256,
                found.start,
                found.end,
            )
            fields.update(
                text_sha256=sha256,
                text_captured=iso(captured),
                quote_start=found.start,
                quote_end=found.end,
                checked_at=fields.get("checked_at") if unchanged and fields.get("checked_at") else checked,
            )
        if missing:
            raise CommandError("\n".join(missing))
        for path, rows in files.items():
            path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        path = fixtures / "citations.json"
        self.stdout.write(self.style.SUCCESS(f"Recorded {len(citations)} verifications in {path}."))
