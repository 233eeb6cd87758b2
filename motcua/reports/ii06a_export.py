"""II.06a exported: Excel in the official layout (openpyxl) and PDF (WeasyPrint, the paperwork fonts).

The workbook has the form's number, the reporting unit, the title "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ
TỤC HÀNH CHÍNH TẠI …", the period "Từ ngày … đến ngày …", three header rows with merged cells (received
/ finished / in progress; in the period: online, in person or by post), the column numbers (1)-(13),
one row per field under its level heading, and the totals row. A report computed while the projections
were behind the event log says so in both files.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .ii06a import Report, Row

FORM_NUMBER = "Biểu số II.06a/VPCP/KSTT"


def title(report: Report) -> str:
    return _("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI %(place)s") % {
        "place": report.place.upper()
    }


def period_text(report: Report) -> str:
    return _("Kỳ báo cáo: từ ngày %(start)s đến ngày %(end)s") % {
        "start": f"{report.period.start:%d/%m/%Y}",
        "end": f"{report.period.end:%d/%m/%Y}",
    }


def stale_text(report: Report) -> str:
    if report.freshness.rebuilding:
        return _("Số liệu đang được tính lại; báo cáo này chưa đầy đủ.")
    return _("Số liệu đang được cập nhật (%(n)s thao tác chưa được tính); báo cáo này chưa đầy đủ.") % {
        "n": report.freshness.pending_events
    }


def header_labels() -> dict[str, str]:
    return {
        "number": _("STT"),
        "field": _("Lĩnh vực, công việc giải quyết theo cấp"),
        "received": _("Số hồ sơ nhận giải quyết"),
        "finished": _("Kết quả giải quyết: số hồ sơ đã giải quyết"),
        "in_progress": _("Số hồ sơ đang giải quyết"),
        "total": _("Tổng số"),
        "in_period": _("Trong kỳ"),
        "carried": _("Từ kỳ trước"),
        "online": _("Trực tuyến"),
        "in_person": _("Trực tiếp, dịch vụ bưu chính"),
        "early": _("Trả trước hạn"),
        "on_time": _("Trả đúng hạn"),
        "late": _("Trả quá hạn"),
        "within": _("Chưa đến hạn"),
        "overdue": _("Quá hạn"),
    }


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    h = header_labels()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "II.06a"
    font = "Times New Roman"
    bold = Font(name=font, bold=True, size=11)
    plain = Font(name=font, size=11)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws["A1"] = _("Đơn vị báo cáo: %(place)s") % {"place": report.place}
    ws["J1"] = FORM_NUMBER
    ws["A1"].font = plain
    ws["J1"].font = bold
    ws.merge_cells("A1:F1")
    ws.merge_cells("J1:M1")
    ws.merge_cells("A3:M3")
    ws["A3"] = title(report)
    ws["A3"].font = Font(name=font, bold=True, size=13)
    ws["A3"].alignment = centre
    ws.merge_cells("A4:M4")
    ws["A4"] = period_text(report)
    ws["A4"].font = Font(name=font, italic=True, size=11)
    ws["A4"].alignment = centre
    ws["K5"] = _("Đơn vị tính: số hồ sơ")
    ws["K5"].font = Font(name=font, italic=True, size=10)
    ws.merge_cells("K5:M5")
    top = 6
    if not report.is_current:
        ws["A5"] = stale_text(report)
        ws["A5"].font = Font(name=font, bold=True, color="C00000")
        ws.merge_cells("A5:J5")
    merges = [
        ("A", top, "A", top + 2, h["number"]),
        ("B", top, "B", top + 2, h["field"]),
        ("C", top, "F", top, h["received"]),
        ("G", top, "J", top, h["finished"]),
        ("K", top, "M", top, h["in_progress"]),
        ("C", top + 1, "C", top + 2, h["total"]),
        ("D", top + 1, "E", top + 1, h["in_period"]),
        ("F", top + 1, "F", top + 2, h["carried"]),
        ("G", top + 1, "G", top + 2, h["total"]),
        ("H", top + 1, "H", top + 2, h["early"]),
        ("I", top + 1, "I", top + 2, h["on_time"]),
        ("J", top + 1, "J", top + 2, h["late"]),
        ("K", top + 1, "K", top + 2, h["total"]),
        ("L", top + 1, "L", top + 2, h["within"]),
        ("M", top + 1, "M", top + 2, h["overdue"]),
    ]
    for c1, r1, c2, r2, text in merges:
        ws[f"{c1}{r1}"] = text
        if (c1, r1) != (c2, r2):
            ws.merge_cells(f"{c1}{r1}:{c2}{r2}")
    ws[f"D{top + 2}"] = h["online"]
    ws[f"E{top + 2}"] = h["in_person"]
    for col in range(1, 14):
        ws.cell(row=top + 3, column=col, value=f"({col})")
    for r in range(top, top + 4):
        for col in range(1, 14):
            cell = ws.cell(row=r, column=col)
            cell.font = bold
            cell.alignment = centre
            cell.border = box

    def write(r: int, row: Row, *, strong: bool) -> None:
        ws.cell(row=r, column=1, value=row.number)
        ws.cell(row=r, column=2, value=row.label)
        for col in range(3, 14):
            ws.cell(row=r, column=col, value=row.cols[col])
        for col in range(1, 14):
            cell = ws.cell(row=r, column=col)
            cell.font = bold if strong else plain
            cell.border = box
            cell.alignment = Alignment(
                horizontal="left" if col == 2 else "center", vertical="center", wrap_text=col == 2
            )

    r = top + 4
    for row in report.rows:
        write(r, row, strong=row.is_heading)
        r += 1
    write(r, report.total, strong=True)
    widths = {1: 6, 2: 44, 3: 10, 4: 11, 5: 14, 6: 10, 7: 10, 8: 10, 9: 10, 10: 10, 11: 10, 12: 11, 13: 10}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=top + 4, column=3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def font_dir() -> Path:
    """The shipped Liberation Serif fonts (``paperwork`` static files), found through staticfiles so
    that ``reports`` does not import ``paperwork`` (independent apps of one layer)."""
    from django.contrib.staticfiles import finders

    found = finders.find("paperwork/fonts/LiberationSerif-Regular.ttf")
    if not found or isinstance(found, list):
        raise RuntimeError("paperwork fonts not found")
    return Path(found).parent


def html(report: Report, *, font_base: str | None = None) -> str:
    context: dict[str, Any] = {
        "report": report,
        "form_number": FORM_NUMBER,
        "title": title(report),
        "period_text": period_text(report),
        "stale_text": "" if report.is_current else stale_text(report),
        "h": header_labels(),
        "font_base": font_base or font_dir().as_uri() + "/",
    }
    return render_to_string("reports/ii06a_pdf.html", context)


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    pdf = HTML(string=html(report), base_url=str(font_dir())).write_pdf(font_config=FontConfiguration())
    assert isinstance(pdf, bytes)
    return pdf
