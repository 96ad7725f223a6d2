"""The two kinds of database constraint most fields need, written once."""

from django.db import models
from django.db.models import Q


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
