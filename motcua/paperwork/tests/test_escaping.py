"""User text is printed, never interpreted: HTML-escaped in the HTML, literal in the PDF."""

from __future__ import annotations

from dataclasses import replace

from motcua.paperwork.context import Party
from motcua.paperwork.render import render_html, render_pdf
from motcua.paperwork.samples import sample_form01, sample_form06
from motcua.paperwork.tests.pdf_tools import pdf_text

EVIL = '<script>alert("x")</script> & <b>Bà</b>'


def test_applicant_name_is_escaped() -> None:
    form = replace(sample_form01(), applicant=Party(name=EVIL, address="<img src=x onerror=alert(1)>"))
    html = render_html(form)
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Bà&lt;/b&gt;" in html
    assert '<script>alert("x")</script> & <b>Bà</b>' in pdf_text(render_pdf(form))


def test_every_text_field_is_escaped_in_tables() -> None:
    slip = sample_form06()
    form = replace(slip, rows=[replace(slip.rows[0], agency=EVIL, note=EVIL)], procedure=EVIL)
    html = render_html(form)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 3
