"""The national portal's wire format (DVCQG-SYNC.md §4-§7), without Django: shared by the adapter
(``national``) and the local stand-in (``standin``).

The two JSON Schemas in ``schemas/`` are §7.1 and §7.2 of DVCQG-SYNC.md, verbatim.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

DOSSIER_SERVICE = "DongBoHoSoMC"
TRAIL_SERVICE = "CapNhatTienDoHoSoMC"
SCHEMA_FILES = {
    DOSSIER_SERVICE: "dong-bo-ho-so-mc.schema.json",
    TRAIL_SERVICE: "cap-nhat-tien-do-ho-so-mc.schema.json",
}

# Answers (error_code, message). "0" and the two texts HV matches ("thành công", "đã tồn tại") are
# seen in practice (DVCQG-SYNC §6.7); the other codes are the stand-in's own, since the real list is
# not public [I]. The adapter relies only on: "0" = success, "đã tồn tại" = already there,
# SESSION_INVALID = log in again, INVALID_DATA = the payload itself is refused (no retry helps).
OK = "0"
ALREADY_EXISTS = "3"
SESSION_INVALID = "-1"
INVALID_DATA = "-2"
NOT_FOUND = "4"
LOGIN_FAILED = "-3"


def date14(instant: dt.datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Vietnam local time, ``""`` for no value (DVCQG-SYNC §4.2)."""
    if instant is None:
        return ""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: a time zone offset is required")
    return instant.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters; a longer text keeps ``limit - 1`` and ends with "…"."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@cache
def validator(service: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[service]).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(service: str, payload: Any) -> list[str]:
    """Every schema violation of ``payload``, as ``<path>: <message>`` lines (empty: valid)."""
    if service not in SCHEMA_FILES:
        return [f"unknown service {service!r}"]
    errors = sorted(validator(service).iter_errors(payload), key=lambda e: list(e.absolute_path))
    # The top level is oneOf(envelope | bare array): report the errors of the branch that fits.
    branch = 0 if isinstance(payload, dict) else 1
    out: list[str] = []
    for error in errors:
        chosen = [
            e for e in error.context or [] if e.relative_schema_path and e.relative_schema_path[0] == branch
        ]
        for found in chosen or [error]:
            path = "/".join(str(p) for p in found.absolute_path) or "(root)"
            out.append(f"{path}: {found.message}")
    return out
