"""Load the curated dataset from fixtures/ into a database that does not have it yet, and archive the
articles' texts from settings.SOURCES_DIR when that folder exists.

    python manage.py load_curated           # loads once; later runs leave editors' work alone
    python manage.py load_curated --force   # reload over the existing records (undoes their edits)

The fixtures hold no article text, only each quote's verification record (the text's sha256, the
offsets, the dates). With the texts present, every quote is checked again as its text is archived; a
source that already has a text keeps it (unless --force). Every loaded record gets a first "Created"
entry in its history, so an editor's first change shows a diff.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contributions import search
from contributions.management.texts import archive_folder
from contributions.models import CONTENT_MODELS, Source, SourceText

# Lines of effort and status events after the citations: their files hold the quotes that support them.
FIXTURES = [
    "sources",
    "nations",
    "roles",
    "officials",
    "meetings",
    "figures",
    "contributions",
    "requests",
    "citations",
    "lines",
    "events",
]


class Command(BaseCommand):
    help = "Load the curated dataset once, with a first history entry for every record."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload even though the data is already there.")

    def handle(self, *args, force, verbosity, **options):
        if Source.objects.exists() and not force:
            if verbosity:
                self.stdout.write("The curated data is already loaded; leaving it as editors have left it.")
            # A database loaded before the archive existed still gets the texts it lacks.
            with transaction.atomic():
                self.archive(verbosity, replace=False)
            return
        with transaction.atomic():
            call_command("loaddata", *FIXTURES, verbosity=0)
            # Before the history starts, so each record's first entry already has its checked quote.
            self.archive(verbosity, replace=force)
            created = sum(self.start_history(model) for model in CONTENT_MODELS)
            # loaddata's raw saves leave the search index alone: it is built once, from everything.
            search.rebuild()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Loaded the curated data ({created} history entries created)."))

    def archive(self, verbosity, replace):
        folder = Path(settings.SOURCES_DIR)
        archived, problems = [], []
        if folder.is_dir():
            archived, _missing, problems = archive_folder(folder, replace=replace)
        elif verbosity:
            self.stdout.write(f"No texts in {folder}: the quotes keep the verification records of the fixtures.")
        # Texts already archived check the quotes just loaded too (a reload brings them without context).
        for archive in SourceText.objects.exclude(pk__in=[archive.pk for archive in archived]).select_related("source"):
            result = archive.recheck()
            if result.broken:
                problems.append(f"Source {archive.source.slug!r}: {result.broken_message()}")
            elif result.changed or result.context_only:
                archive.save()  # saves the citations whose record or context it changes
        if problems:
            raise CommandError("\n".join(problems))
        if verbosity and archived:
            self.stdout.write(f"Archived {len(archived)} source text(s) from {folder}; their quotes were checked.")

    def start_history(self, model):
        """A "Created" entry for each record that has no history yet."""
        # Setting a meeting's officials during loaddata records a "Changed" entry with no "Created"
        # before it; those carry nothing an editor needs, so each record starts from one clean entry.
        with_history = model.history.filter(history_type="+").values("id")
        model.history.exclude(id__in=with_history).delete()
        missing = list(model.objects.exclude(pk__in=with_history))
        model.history.bulk_history_create(missing, default_change_reason="Loaded from the curated fixtures")
        return len(missing)
