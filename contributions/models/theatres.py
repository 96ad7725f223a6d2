"""Where a contribution operates: Iraq, Syria, the wider region or home territory."""

from django.db import models
from django.urls import reverse

from .choices import THEATRE_DEFINITIONS, TheatreCode
from .constraints import known_value
from .fields import CharField, TextField


class Theatre(models.Model):
    """One of the places a force or programme operates in.

    A small reference table rather than a child table of codes: the admin ticks boxes, the API and
    the import name theatres by code, and a filter or the matrix joins it like any other relation.
    The code is the primary key, so a backup loads over the rows the migration made without
    duplicating them.
    """

    Code = TheatreCode

    code = CharField(max_length=10, primary_key=True, choices=TheatreCode.choices)
    name = CharField(max_length=60)
    definition = TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [known_value("code", TheatreCode, "theatre_code_valid")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contribution-list") + f"?theatre={self.code}"


def sync_theatres(using="default"):
    """Give the table exactly the vocabulary's rows. Idempotent: run after every migrate and flush."""
    for code, name in TheatreCode.choices:
        Theatre.objects.using(using).update_or_create(
            code=code, defaults={"name": name, "definition": THEATRE_DEFINITIONS[code]}
        )
