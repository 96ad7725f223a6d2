from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "Coalition contributions"

    def ready(self):
        from . import cache, signals

        cache.connect()
        signals.connect(self)
