"""Build the site-wide search index again from the records.

    python manage.py rebuild_search             # every entry, from scratch
    python manage.py rebuild_search --if-empty  # only when the index has nothing (what `make run` does)

Every write through the admin, the API and the import keeps the index in step by itself; this is for
data that arrived without signals (loaddata, bulk loads, a restored backup).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from contributions import search
from contributions.models import SearchEntry


class Command(BaseCommand):
    help = "Build the site-wide search index again from the records."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only when the index holds no entry.")

    def handle(self, *args, if_empty, verbosity, **options):
        if if_empty and SearchEntry.objects.exists():
            return
        with transaction.atomic():
            search.rebuild()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Indexed {SearchEntry.objects.count()} records for search."))
