"""Load the curated dataset from fixtures/ into a database that does not have it yet.

    python manage.py load_curated           # loads once; later runs leave editors' work alone
    python manage.py load_curated --force   # reload over the existing records (undoes their edits)

Every loaded record gets a first "Created" entry in its history, so an editor's first change shows a diff.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from contributions import search
from contributions.models import CONTENT_MODELS, Source

FIXTURES = ["sources", "nations", "officials", "meetings", "figures", "contributions", "requests", "citations"]


class Command(BaseCommand):
    help = "Load the curated dataset once, with a first history entry for every record."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload even though the data is already there.")

    def handle(self, *args, force, verbosity, **options):
        if Source.objects.exists() and not force:
            if verbosity:
                self.stdout.write("The curated data is already loaded; leaving it as editors have left it.")
            return
        with transaction.atomic():
            call_command("loaddata", *FIXTURES, verbosity=0)
            created = sum(self.start_history(model) for model in CONTENT_MODELS)
            # loaddata's raw saves leave the search index alone: it is built once, from everything.
            search.rebuild()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Loaded the curated data ({created} history entries created)."))

    def start_history(self, model):
        """A "Created" entry for each record that has no history yet."""
        # Setting a meeting's officials during loaddata records a "Changed" entry with no "Created"
        # before it; those carry nothing an editor needs, so each record starts from one clean entry.
        with_history = model.history.filter(history_type="+").values("id")
        model.history.exclude(id__in=with_history).delete()
        missing = list(model.objects.exclude(pk__in=with_history))
        model.history.bulk_history_create(missing, default_change_reason="Loaded from the curated fixtures")
        return len(missing)
