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


class IdempotencyRecord(models.Model):
    """The stored answer to a request sent with an ``Idempotency-Key`` (decision 0025).

    ``owner`` is who sent it (a user, a token or an anonymous client), so two clients never share a
    key; ``fingerprint`` is the SHA-256 of method, path and body: the same key with another body is
    refused. Rows expire after ``MOTCUA_IDEMPOTENCY_TTL_HOURS``.
    """

    owner = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class Revision(models.Model):
    """A token per kind of reference data, changed by database triggers on every write to the
    tables behind it (``core.revisions``): a process caches what it read from those tables under the
    token and reads again once the token differs. Random, not a counter: a rolled-back transaction
    restores the data and the token together, and a later write never repeats an earlier token."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.name} {self.token}"
