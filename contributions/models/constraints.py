"""The kinds of database constraint most fields need, written once."""

from django.db import models
from django.db.models import Q

from .fields import EARLIEST_DATE, LATEST_DATE


def known_value(field, choices, name, blank=False):
    """Only a value of the field's vocabulary may be stored (or blank, where allowed): filters, facets
    and labels read the vocabulary, and a stray value would vanish from all of them."""
    allowed = [*choices.values, ""] if blank else choices.values
    return models.CheckConstraint(condition=Q(**{f"{field}__in": allowed}), name=name)


def non_negative(field, name, message, nullable=True):
    """A count or an amount below zero is a typing error, not data."""
    condition = Q(**{f"{field}__gte": 0})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def below(field, limit, name, message):
    """A number at or above the limit is a typing error, or one the database cannot read back exactly."""
    condition = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": limit})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def date_in_range(field, name, nullable=True):
    """A date outside 1990–2100 is a typing error (see fields.py), and one far off breaks the timelines."""
    condition = Q(**{f"{field}__gte": EARLIEST_DATE, f"{field}__lte": LATEST_DATE})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_message="Dates lie between 1990 and 2100."
    )
