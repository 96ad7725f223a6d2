from django.core.management.base import BaseCommand

from contributions.signals import sync_editors_group


class Command(BaseCommand):
    help = "Create the Editors group, or reset its permissions to the defined set. Safe to run again."

    def handle(self, *args, **options):
        group = sync_editors_group()
        permissions = sorted(group.permissions.values_list("codename", flat=True))
        self.stdout.write(f"{group.name}: {len(permissions)} permissions.")
        if options["verbosity"] > 1:
            for codename in permissions:
                self.stdout.write(f"  {codename}")
