"""Contexts refuse what would print wrong: naive times, blanks, times out of order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from motcua.deadlines.arithmetic import Timeliness
from motcua.paperwork.context import FeeLine, HandoverRow, Party
from motcua.paperwork.samples import sample_form01, sample_form06, vn


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        replace(sample_form01(), received_at=datetime(2026, 2, 13, 14, 0))


def test_due_cannot_precede_receipt() -> None:
    with pytest.raises(ValueError, match="due_at"):
        replace(sample_form01(), due_at=vn(2026, 2, 13, 13, 0))


def test_required_text() -> None:
    with pytest.raises(ValueError, match="name"):
        Party(name="  ")
    with pytest.raises(ValueError, match="code"):
        replace(sample_form01(), code="")
    with pytest.raises(ValueError, match="negative"):
        FeeLine(name="Lệ phí", amount=-1)


def test_lists_become_tuples_and_timeliness_values_are_accepted() -> None:
    form = replace(sample_form06(), coordinating_agencies=["Thuế tỉnh Hà Tĩnh"])
    assert form.coordinating_agencies == ("Thuế tỉnh Hà Tĩnh",)
    row = HandoverRow(agency="Thuế", giver="A", handed_at=vn(2026, 2, 26, 9), receiver="B", timeliness="late")  # type: ignore[arg-type]
    assert row.timeliness is Timeliness.LATE
    with pytest.raises(ValueError, match="received_at"):
        replace(row, received_at=vn(2026, 2, 26, 8))


def test_contexts_are_frozen() -> None:
    form = sample_form01()
    with pytest.raises(AttributeError):
        form.code = "x"  # type: ignore[misc]
