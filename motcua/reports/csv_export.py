"""CSV exports of every report page (issue #8 item 6): the dashboard tables, the 766 scorecard, the
evaluation and any drill-down list. UTF-8 with a byte-order mark so spreadsheet programs open the
Vietnamese text correctly; comma-separated; numbers as plain digits with a dot for decimals;
an empty cell for "no data" (never a 0 that could be read as a real value).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from .dashboards import Dashboard
from .evaluation import INDICATOR_NAMES, DossierScores, Evaluation
from .index766 import Scorecard


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _en(language: str) -> bool:
    return language.startswith("en")


def scorecard_csv(card: Scorecard, language: str = "vi") -> str:
    en = _en(language)
    header = (
        [
            "group",
            "indicator",
            "name",
            "numerator",
            "denominator",
            "percent",
            "points",
            "max_points",
            "status",
        ]
        if en
        else [
            "nhom",
            "chi_tieu",
            "ten",
            "tu_so",
            "mau_so",
            "ty_le_phan_tram",
            "diem",
            "diem_toi_da",
            "trang_thai",
        ]
    )
    rows: list[list[Any]] = []
    for group in card.groups:
        for r in group.indicators:
            rows.append(
                [
                    group.spec.code,
                    r.spec.id,
                    r.spec.name(language),
                    r.numerator,
                    r.denominator,
                    r.percent,
                    r.points_display,
                    r.spec.points,
                    r.status,
                ]
            )
        rows.append(
            [
                group.spec.code,
                "",
                group.spec.name(language),
                "",
                "",
                "",
                group.points_display,
                group.spec.points,
                "complete" if group.is_complete else "partial",
            ]
        )
    rows.append(
        [
            "",
            "",
            "TOTAL" if en else "TỔNG",
            "",
            "",
            "",
            card.total_display,
            card.full_max,
            "complete" if card.is_complete else "partial",
        ]
    )
    return to_csv(header, rows)


def dashboard_csv(board: Dashboard, language: str = "vi") -> str:
    en = _en(language)
    header = (
        [
            "table",
            "key",
            "label",
            "received",
            "finished",
            "on_time_or_early",
            "late",
            "on_time_percent",
            "overdue",
        ]
        if en
        else [
            "bang",
            "ma",
            "ten",
            "tiep_nhan",
            "da_giai_quyet",
            "dung_truoc_han",
            "qua_han",
            "ty_le_dung_han",
            "dang_qua_han",
        ]
    )
    t = board.totals
    rows: list[list[Any]] = [
        [
            "total",
            "",
            board.period.label(language),
            t.received,
            t.finished,
            t.finished_early + t.finished_on_time,
            t.finished_late,
            board.rate,
            t.overdue,
        ]
    ]
    for table, items in (("month", board.trend), ("agency", board.by_agency), ("field", board.by_field)):
        for r in items:
            rows.append([table, r.key, r.label, r.received, r.finished, r.on_time, r.late, r.rate, r.overdue])
    for key, label, n in board.by_channel:
        rows.append(["channel", key, label, n, "", "", "", "", ""])
    return to_csv(header, rows)


# The note a dossier's evaluation row carries when a supplement was requested after the window.
OUTSIDE_WINDOW: Final = (
    "Yêu cầu bổ sung quá thời hạn (NĐ 61 Điều 19(4)), có căn cứ pháp luật chuyên ngành",
    "Supplement requested after the window (ND61 Art 19(4)) on a specialised-law basis",
)


def evaluation_csv(
    evaluations: Iterable[Evaluation], language: str = "vi", *, dossiers: Iterable[DossierScores] = ()
) -> str:
    en = _en(language)
    names = [INDICATOR_NAMES[i][1 if en else 0] for i in range(1, 10)]
    header = (
        (["kind", "name", "dossiers"] if en else ["loai", "ten", "so_ho_so"])
        + [f"{i}. {n}" for i, n in zip(range(1, 10), names, strict=True)]
        + (["total", "rating", "notes"] if en else ["tong_diem", "xep_loai", "ghi_chu"])
    )
    rows = [
        [
            e.kind,
            e.subject,
            e.dossiers,
            *[e.scores.get(i) for i in range(1, 10)],
            e.total,
            e.rating.label(language),
            "",
        ]
        for e in evaluations
    ]
    rows += [
        [
            "dossier",
            d.code,
            1,
            *[d.points.get(i) for i in range(1, 10)],
            "",
            "",
            OUTSIDE_WINDOW[1 if en else 0] if d.supplement_outside_window else "",
        ]
        for d in dossiers
    ]
    return to_csv(header, rows)


def dossiers_csv(dossiers: Iterable[Any], language: str = "vi") -> str:
    en = _en(language)
    header = (
        [
            "code",
            "procedure",
            "applicant",
            "channel",
            "received_at",
            "due_at",
            "finished_at",
            "state",
            "timeliness",
        ]
        if en
        else [
            "ma_ho_so",
            "thu_tuc",
            "nguoi_nop",
            "kenh",
            "tiep_nhan",
            "hen_tra",
            "ket_thuc",
            "trang_thai",
            "phan_loai",
        ]
    )
    rows = [
        [
            d.code or d.reference,
            d.procedure_version.name,
            d.applicant_name,
            d.channel,
            d.received_at.isoformat() if d.received_at else None,
            d.due_at.isoformat() if d.due_at else None,
            d.finished_at.isoformat() if d.finished_at else None,
            d.state,
            d.timeliness,
        ]
        for d in dossiers
    ]
    return to_csv(header, rows)


def procedures_csv(procedures: Iterable[Any], language: str = "vi") -> str:
    header = ["code", "name", "online_level"] if _en(language) else ["ma_thu_tuc", "ten", "muc_do_truc_tuyen"]
    return to_csv(header, [[p.code, p.name, p.online_level] for p in procedures])
