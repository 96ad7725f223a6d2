"""The values an editor may store, checked once here so the admin, the API and the import all agree.

Text: line endings become LF, and no other control character is stored; a stray \\x01 would make every
XLSX export fail (openpyxl refuses it), and a NUL cannot be stored in PostgreSQL at all.
Dates: 1990-01-01 to 2100-12-31. The coalition's story lies well inside; a date far outside is a typing
error, and year 9999 broke every page whose timeline ends the year after the last date.

The fields deconstruct as Django's own: their checks live in Python and in named constraints, not in
the column, so swapping them in needs no migration of the column.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# CRLF first, so it becomes one LF, not two. The rest are what str.splitlines() reads as a line break.
LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Tab and LF are text; every other C0/C1 control character, and lone surrogates (not storable as UTF-8), are not.
ALLOWED_CONTROLS = {"\t", "\n"}


def normalize_text(value):
    """Line endings of every kind as LF."""
    return LINE_BREAKS.sub("\n", value) if isinstance(value, str) else value


def control_characters(value):
    """The control characters that remain once line endings are normalized, each once, in order of appearance."""
    found = {}
    for char in normalize_text(value):
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            found.setdefault(char, None)
    return list(found)


def refuse_control_characters(value):
    """A validator: Django names the field that fails it, in forms, the API and the import alike."""
    if not isinstance(value, str):
        return
    found = control_characters(value)
    if found:
        codes = ", ".join(f"U+{ord(char):04X}" for char in found)
        raise ValidationError(
            f"Remove the control characters ({codes}): only tabs and line breaks are allowed in text.",
            code="control_characters",
        )


class CleanTextMixin:
    default_validators = [refuse_control_characters]

    def to_python(self, value):
        return normalize_text(super().to_python(value))

    def pre_save(self, model_instance, add):
        # The last line of defence, for writes that skip validation (a shell, a script, .save()).
        value = normalize_text(super().pre_save(model_instance, add))
        try:
            refuse_control_characters(value)
        except ValidationError as error:
            raise ValidationError({self.name: error.messages}) from None
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, f"django.db.models.{self.base_name}", args, kwargs


class CharField(CleanTextMixin, models.CharField):
    base_name = "CharField"


class TextField(CleanTextMixin, models.TextField):
    base_name = "TextField"


class URLField(CleanTextMixin, models.URLField):
    base_name = "URLField"


class DateField(models.DateField):
    """A date inside the tracker's range; the matching constraint is `date_in_range` in constraints.py."""

    default_validators = [
        MinValueValidator(EARLIEST_DATE, "Enter a date from 1 January 1990 on."),
        MaxValueValidator(LATEST_DATE, "Enter a date no later than 31 December 2100."),
    ]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateField", args, kwargs
