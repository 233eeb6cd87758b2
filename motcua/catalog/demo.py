"""Demo catalog: the real commune-level records, published. Idempotent and fast on a second run."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .importer import import_procedures

RECORDS = "tthc/dvcqg-crawl-chatbot-tthc/records-cap-xa.jsonl"


def load_demo_catalog() -> dict[str, Any]:
    """Import and publish the 588 real commune-level procedures; returns the import report."""
    path = settings.SHARED_DATA_DIR / RECORDS
    if not path.exists():
        return {"skipped": f"no file at {path}"}
    return import_procedures(path, publish=True).as_dict()
