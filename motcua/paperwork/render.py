"""Render a form context to HTML or PDF: ``render_html(ctx)``, ``render_pdf(ctx)``.

The template follows from the context's type (``Form01Receipt`` → ``paperwork/form01.html`` …).
PDFs use only the fonts shipped in ``static/paperwork/fonts`` (Liberation Serif, OFL 1.1, metric-
compatible with Times New Roman), loaded through ``@font-face`` from ``file://`` URLs with
WeasyPrint's own font configuration, so the output never depends on the fonts of the machine.
The text stays real text (searchable, copyable); the QR code on Form 01 is inline SVG.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from motcua.paperwork.context import FORM_TYPES, Form01Receipt, FormContext

__all__ = ["FONT_DIR", "qr_svg", "render_document", "render_html", "render_pdf", "template_name"]

FONT_DIR = Path(__file__).resolve().parent / "static" / "paperwork" / "fonts"
_FONT_BASE = FONT_DIR.as_uri() + "/"

# WeasyPrint logs each layout step at INFO; keep that out of the application log unless asked for.
_progress_log = logging.getLogger("weasyprint.progress")
if _progress_log.level == logging.NOTSET:
    _progress_log.setLevel(logging.WARNING)


def template_name(form: FormContext) -> str:
    """``paperwork/form01.html`` … ``paperwork/form07.html``, from the context's type."""
    if not isinstance(form, FORM_TYPES):
        raise TypeError(f"not a form context: {type(form).__name__}")
    return f"paperwork/form{form.form_number}.html"


def qr_svg(url: str) -> SafeString:
    """An inline ``<svg>`` QR code for ``url`` (error correction M, sized by CSS).

    segno writes only geometry (one ``<path>``), never the URL itself, so nothing from the
    caller reaches the markup unescaped.
    """
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass="qr-line")
    return mark_safe(svg)  # generated geometry only, see above


def render_html(form: FormContext, *, font_base: str | None = None) -> str:
    """The form as a standalone HTML document with its print CSS.

    ``font_base`` is the URL prefix of the font files (ending in "/"); the default is the
    ``file://`` path of the shipped fonts, right for PDFs and for files opened from disk. A page
    served over HTTP passes ``static("paperwork/fonts/")``.
    """
    context: dict[str, Any] = {"form": form, "font_base": font_base or _FONT_BASE}
    if isinstance(form, Form01Receipt):
        context["qr_svg"] = qr_svg(form.tracking_url)
    return render_to_string(template_name(form), context)


def render_document(form: FormContext) -> Any:
    """The laid-out WeasyPrint ``Document`` (pages with their sizes), before writing the PDF."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    html = HTML(string=render_html(form), base_url=str(FONT_DIR))
    return html.render(font_config=font_config)


def render_pdf(form: FormContext) -> bytes:
    """The form as PDF bytes (A5 portrait for 01–06, A4 landscape for the 07 ledger)."""
    pdf = render_document(form).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
