"""Form 02 (SPEC §11 scenario 3): everything missing in one list, in one go; no dossier code."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from motcua.paperwork.context import ComponentLine
from motcua.paperwork.render import render_html
from motcua.paperwork.samples import sample_form02
from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import flat, pdf_text


def test_all_missing_items_are_in_one_list(samples: dict[str, Rendered]) -> None:
    html = samples["02"].html
    assert html.count('<table class="grid components">') == 1
    body = html.split('<table class="grid components">')[1].split("</table>")[0]
    assert len(re.findall(r"<tr>\s*<td class=\"num\">", body)) == 3
    text = flat(pdf_text(samples["02"].pdf))
    for item in sample_form02().items:
        assert item.name in text
        assert item.note in text
    assert "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:" in text


def test_quantities_are_per_copy_type(samples: dict[str, Rendered]) -> None:
    lines = pdf_text(samples["02"].pdf, layout=True).splitlines()

    def row(start: str) -> str:
        return next(line for line in lines if start in line)

    # Tờ khai: 01 bản chính; văn bản ủy quyền: 01 bản sao chứng thực; giấy khai sinh: 01 bản sao.
    assert row("Tờ khai yêu cầu cấp Phiếu").split("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")[1].split() == [
        "01"
    ]
    html = samples["02"].html
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert cells == ["1", "01", "", "", "", "2", "", "", "01", "", "3", "", "01", "", ""]


def test_intake_completion_has_no_dossier_code(samples: dict[str, Rendered]) -> None:
    text = flat(pdf_text(samples["02"].pdf))
    assert "Mã hồ sơ" not in text
    assert "Số: 27/HDHS" in text
    assert "Lý do: Hồ sơ chưa đủ thành phần" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert "Trần Văn Đức" in text


def test_completion_during_appraisal_prints_the_code() -> None:
    html = render_html(replace(sample_form02(), code="000.00.12.H42-260302-0004"))
    assert 'Mã hồ sơ: <span class="code">000.00.12.H42-260302-0004</span>' in html


def test_completion_needs_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="in one go"):
        replace(sample_form02(), items=())
    with pytest.raises(ValueError, match="negative"):
        ComponentLine(name="Tờ khai", originals=-1)
