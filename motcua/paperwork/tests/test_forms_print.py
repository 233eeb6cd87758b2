"""Every form prints as a real PDF: the right paper, one page, our fonts, searchable text."""

from __future__ import annotations

import pytest

from motcua.paperwork.render import FONT_DIR, template_name
from motcua.paperwork.samples import all_samples
from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import page_sizes_mm, pdf_fonts, pdf_info, pdf_text

A5_PORTRAIT = (148, 210)
A4_LANDSCAPE = (297, 210)
FORMS = ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("number", FORMS)
def test_form_is_a_pdf_of_one_page_on_its_paper(samples: dict[str, Rendered], number: str) -> None:
    rendered = samples[number]
    assert rendered.pdf[:5] == b"%PDF-"
    expected = A4_LANDSCAPE if number == "07" else A5_PORTRAIT
    assert page_sizes_mm(rendered.document) == [expected]
    info = pdf_info(rendered.pdf)
    assert info["Pages"] == "1"
    width, height = (float(v) for v in info["Page size"].split(" pts")[0].split(" x "))
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == expected


@pytest.mark.parametrize("number", FORMS)
def test_form_uses_only_the_shipped_fonts(samples: dict[str, Rendered], number: str) -> None:
    # "Motcua-Serif" is the @font-face family over the shipped Liberation Serif files: had they
    # failed to load, the system's serif (LiberationSerif, DejaVuSerif …) would appear instead.
    fonts = pdf_fonts(samples[number].pdf)
    assert fonts
    assert all(name.startswith("Motcua-Serif") for name in fonts), fonts


@pytest.mark.parametrize("number", FORMS)
def test_form_carries_the_state_document_header(samples: dict[str, Rendered], number: str) -> None:
    text = pdf_text(samples[number].pdf)
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Mẫu số {number}" in text
    assert samples[number].form.title.upper() in text


def test_templates_follow_the_context_type() -> None:
    assert [template_name(form) for form in all_samples()] == [
        f"paperwork/form{number}.html" for number in FORMS
    ]
    with pytest.raises(TypeError):
        template_name(object())  # type: ignore[arg-type]


def test_fonts_and_licence_ship_with_the_app() -> None:
    for style in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (FONT_DIR / f"LiberationSerif-{style}.ttf").stat().st_size > 100_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text()


def test_html_is_standalone_with_print_css(samples: dict[str, Rendered]) -> None:
    html = samples["01"].html
    assert html.startswith("<!DOCTYPE html>")
    assert "size: A5 portrait" in html
    assert f'src: url("{FONT_DIR.as_uri()}/LiberationSerif-Regular.ttf")' in html
    assert "size: A4 landscape" in samples["07"].html
