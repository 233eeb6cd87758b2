"""The hash chain of a dossier's history: each event's SHA-256 covers its fields and the previous hash.

An event is hashed over a canonical JSON text of its fields (sorted keys, no spaces, UTF-8, instants
in UTC ISO 8601 with microseconds) plus ``prev_hash``; the first event's ``prev_hash`` is
``GENESIS``. Changing, removing or reordering any row breaks the chain from that row on, and
``verify_history`` names it. The chain proves tampering inside the database, not against someone who
rewrites every later hash too; anchoring the last hash elsewhere (the national sync, the outbox) is
what makes that visible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from .models import DossierEvent

GENESIS: Final = "0" * 64

# The fields the hash covers, in the order they are documented.
HASHED_FIELDS: Final = (
    "dossier_id",
    "seq",
    "act",
    "name",
    "actor_id",
    "actor_role",
    "at",
    "reason",
    "state_before",
    "state_after",
    "step_before",
    "step_after",
    "form",
    "data",
    "prev_hash",
)


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes hashed for one event: its ``HASHED_FIELDS`` as canonical JSON."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = _instant(payload["at"])
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def fields_of(event: DossierEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


@dataclass(frozen=True, slots=True)
class Problem:
    """One break in a dossier's chain."""

    dossier_id: int
    seq: int
    kind: str  # "sequence_gap", "prev_hash_mismatch", "hash_mismatch"
    message_vi: str
    message_en: str


def verify_history(dossier_id: int) -> list[Problem]:
    """Every break in the chain of ``dossier_id`` (an empty list: the history is intact)."""
    problems: list[Problem] = []
    previous = GENESIS
    expected_seq = 1
    for event in DossierEvent.objects.filter(dossier_id=dossier_id).order_by("seq"):
        if event.seq != expected_seq:
            problems.append(
                Problem(
                    dossier_id,
                    event.seq,
                    "sequence_gap",
                    f"Thiếu sự kiện số {expected_seq} (gặp số {event.seq}).",
                    f"Event {expected_seq} is missing (found {event.seq}).",
                )
            )
        if event.prev_hash != previous:
            problems.append(
                Problem(
                    dossier_id,
                    event.seq,
                    "prev_hash_mismatch",
                    f"Sự kiện số {event.seq} không nối với sự kiện trước.",
                    f"Event {event.seq} does not chain to the event before it.",
                )
            )
        if event_hash(fields_of(event)) != event.hash:
            problems.append(
                Problem(
                    dossier_id,
                    event.seq,
                    "hash_mismatch",
                    f"Nội dung sự kiện số {event.seq} đã bị thay đổi.",
                    f"The content of event {event.seq} was altered.",
                )
            )
        previous = event.hash
        expected_seq = event.seq + 1
    return problems
