"""What a bulk load has set aside (``bulk``), kept in the database it was taken from."""

from __future__ import annotations

from django.db import models


class SetAsideStatement(models.Model):
    """One index or foreign key dropped for a bulk load, with the statement that recreates it.

    Written (and committed) before anything is dropped and deleted once it is back, so that a load
    killed with SIGKILL, or a machine that lost power, leaves the way back in the database itself:
    the next ``generate_dossiers`` (or ``generate_dossiers --restore-only``) recreates what is
    missing (``bulk.repair``)."""

    class Kind(models.TextChoices):
        INDEX = "index", "index"
        FOREIGN_KEY = "foreign_key", "foreign key"

    table = models.CharField(max_length=63)
    name = models.CharField(max_length=63, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    statement = models.TextField()
    set_aside_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.name} on {self.table}"
