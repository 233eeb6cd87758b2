"""Security headers on every response, and templates a strict CSP can serve (no inline code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# Documents rendered to PDF (WeasyPrint) or served standalone with their own CSP (decision 0026).
STANDALONE = ("motcua/paperwork/templates/paperwork/", "motcua/reports/templates/reports/ii06a_pdf.html")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=\"", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    found = []
    for base in (ROOT / "templates", ROOT / "motcua"):
        found += [p for p in base.rglob("*.html") if ".venv" not in p.parts]
    return found


def test_no_template_has_inline_script_style_or_event_handler():
    offenders = []
    for path in _templates():
        relative = str(path.relative_to(ROOT))
        if relative.startswith(STANDALONE):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, HANDLER):
            for match in pattern.finditer(text):
                offenders.append(f"{relative}: {match.group(0)!r}")
    assert offenders == []


def test_headers_on_pages_and_the_api(client):
    for url in ("/", "/api/v1/units/provinces"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_api_docs_are_served_from_the_repository(client):
    for url in ("/api/docs/", "/api/docs/swagger/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "cdn" not in page.lower()
        assert "/static/drf_spectacular_sidecar/" in page
