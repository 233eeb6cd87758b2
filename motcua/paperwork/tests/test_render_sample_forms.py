"""The command that writes every sample form, for review and for the next engineer."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command


def test_render_sample_forms_writes_pdf_and_html(tmp_path: Path) -> None:
    out = StringIO()
    call_command("render_sample_forms", str(tmp_path / "forms"), stdout=out)
    files = sorted(p.name for p in (tmp_path / "forms").iterdir())
    assert files == sorted(f"form0{n}.{ext}" for n in range(1, 8) for ext in ("pdf", "html"))
    for n in range(1, 8):
        assert (tmp_path / "forms" / f"form0{n}.pdf").read_bytes()[:5] == b"%PDF-"
        assert "<!DOCTYPE html>" in (tmp_path / "forms" / f"form0{n}.html").read_text(encoding="utf-8")
    assert out.getvalue().count(" ms") == 7
