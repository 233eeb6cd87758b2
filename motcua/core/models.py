"""Base model pieces shared by every app."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Validity(models.Model):
    """A row with legal meaning is valid over ``[valid_from, valid_to]`` (both days inclusive; open-ended
    when ``valid_to`` is empty). ``valid_from`` empty means "since before motcua's records"."""

    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Filter for rows valid on ``day``."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def overlapping(valid_from: dt.date | None, valid_to: dt.date | None) -> Q:
    """Filter for rows whose validity overlaps ``[valid_from, valid_to]``."""
    q = Q()
    if valid_to is not None:
        q &= Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to)
    if valid_from is not None:
        q &= Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    return q
