"""Form 07, the ledger: A4 landscape, numbers run on through the year without gaps or repeats."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from motcua.paperwork.context import Form07Ledger, LedgerRow, Party
from motcua.paperwork.samples import CENTRE_HEADER, sample_form07, vn
from motcua.paperwork.tests.conftest import Rendered, render_all_ways
from motcua.paperwork.tests.pdf_tools import page_sizes_mm, pdf_text


def ledger_rows(first: int, count: int) -> list[LedgerRow]:
    rows = []
    for i in range(count):
        received = vn(2026, 1, 5, 8, 0) + timedelta(hours=2 * i)
        rows.append(
            LedgerRow(
                number=first + i,
                code=f"000.00.12.H42-{received:%y%m%d}-{i + 1:04d}",
                procedure="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                sets=1,
                applicant=Party(
                    name=f"Người nộp số {first + i}", address="Phường Thành Sen", phone="0912 000 000"
                ),
                lead_agency="Sở Tư pháp tỉnh Hà Tĩnh",
                received_at=received,
                due_at=received + timedelta(days=1),
            )
        )
    return rows


def test_sample_ledger_numbers_run_on(samples: dict[str, Rendered]) -> None:
    text = pdf_text(samples["07"].pdf, layout=True)
    numbers = [int(m) for m in re.findall(r"^\s*(\d+)\s+000\.00\.", text, re.M)]
    assert numbers == list(range(181, 189))
    assert "Năm 2026 — Quyển số: 01" in text
    assert "<td>Phạm Thị Thu Hằng</td>" in samples["07"].html
    assert "Phạm Thị Thu" in text


def test_a_long_ledger_continues_over_pages_on_a4_landscape() -> None:
    rendered = render_all_ways(
        Form07Ledger(header=CENTRE_HEADER, year=2026, book="02", rows=ledger_rows(1, 45))
    )
    sizes = page_sizes_mm(rendered.document)
    assert len(sizes) >= 2
    assert set(sizes) == {(297, 210)}
    seen: list[int] = []
    for page in range(1, len(sizes) + 1):
        text = pdf_text(rendered.pdf, page=page, layout=True)
        assert "Mã hồ sơ" in text  # the column heads repeat on every page
        assert f"Trang {page}/{len(sizes)}" in text
        seen += [int(m) for m in re.findall(r"^\s*(\d+)\s+000\.00\.", text, re.M)]
    assert seen == list(range(1, 46))
    assert "\n01 " in "\n" + pdf_text(rendered.pdf, page=1, layout=True).split("(14)")[1].lstrip()


@pytest.mark.parametrize(
    ("numbers", "message"),
    [([1, 2, 4], "4 follows 2"), ([1, 2, 2], "2 follows 2"), ([3, 2], "2 follows 3")],
)
def test_gaps_and_repeats_are_refused(numbers: list[int], message: str) -> None:
    rows = [replace(row, number=n) for row, n in zip(ledger_rows(1, len(numbers)), numbers, strict=True)]
    with pytest.raises(ValueError, match=message):
        Form07Ledger(header=CENTRE_HEADER, year=2026, rows=rows)


def test_rows_belong_to_the_ledger_year() -> None:
    row = replace(ledger_rows(1, 1)[0], received_at=vn(2025, 12, 31, 16), due_at=vn(2026, 1, 2, 17))
    with pytest.raises(ValueError, match="received in 2025"):
        Form07Ledger(header=CENTRE_HEADER, year=2026, rows=[row])


def test_book_is_plain_text() -> None:
    with pytest.raises(ValueError, match="book"):
        replace(sample_form07(), book='01"; } body { display: none')
