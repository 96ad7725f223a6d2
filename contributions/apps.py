from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "Coalition contributions"

    def ready(self):
        from . import cache
        from .signals import create_editors_group

        cache.connect()

        # Sent for this app after auth's own handler has created its permissions, so a fresh
        # database, including each test database, has the group.
        post_migrate.connect(create_editors_group, sender=self, dispatch_uid="contributions_editors_group")
