"""Realistic sample contexts for every form, from the acceptance scenarios of SPEC §11.

* Forms 01, 06, 07: scenario 1 (a 10-working-day dossier accepted Fri 13/02/2026 14:00, due
  06/03/2026 after Tết), processed between two agencies as in scenario 19 (the land registration
  office of Sở Nông nghiệp và Môi trường, then the tax office, which runs late while the dossier
  still finishes on time).
* Form 02: scenario 3 (incomplete at the counter: every missing paper in one list, no code).
* Form 03: scenario 4 (outside the competence of any agency in the province).
* Form 04: scenario 16 (5 working days from Mon 09/03/2026, due 16/03, apology on Fri 13/03
  proposing Fri 20/03).
* Form 05: scenario 23 (withdrawal requested online while in processing; the officer confirms).

People, phone numbers and addresses are invented; e-mail domains end in ``.invalid``.
Used by the ``render_sample_forms`` command and the tests.
"""

from __future__ import annotations

from datetime import date, datetime

from motcua.core.clock import VN_TZ
from motcua.deadlines.arithmetic import Timeliness
from motcua.paperwork.context import (
    ComponentLine,
    FeeLine,
    Form01Receipt,
    Form02Completion,
    Form03Refusal,
    Form04Apology,
    Form05StopNotice,
    Form06ControlSlip,
    Form07Ledger,
    FormContext,
    HandoverRow,
    HelpContact,
    LedgerRow,
    Party,
    Signer,
    UnitHeader,
)

__all__ = [
    "SCENARIO_1_CODE",
    "all_samples",
    "sample_form01",
    "sample_form02",
    "sample_form03",
    "sample_form04",
    "sample_form05",
    "sample_form06",
    "sample_form07",
]

SCENARIO_1_CODE = "000.00.12.H42-260213-0007"
TRACKING_BASE = "https://dichvucong.hatinh.demo.invalid/tra-cuu/"
LAND_PROCEDURE = (
    "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất "
    "do chuyển nhượng quyền sử dụng đất"
)
VPDKDD = "Văn phòng Đăng ký đất đai tỉnh Hà Tĩnh"
TAX_OFFICE = "Thuế tỉnh Hà Tĩnh"
CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh"
JUDICIAL_RECORD = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant in Vietnam's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


CENTRE_HEADER = UnitHeader(
    parent_body="Văn phòng UBND tỉnh Hà Tĩnh",
    issuing_body=CENTRE,
    place="Hà Tĩnh",
)

APPLICANT = Party(
    name="Phạm Thị Thu Hằng",
    identifier="042186001234",
    address="Số 12 đường Nguyễn Du, phường Thành Sen, tỉnh Hà Tĩnh",
    phone="0912 345 678",
    email="thuhang.pham@example.invalid",
)

RECEIVING_OFFICER = Signer(title="Người tiếp nhận hồ sơ", name="Nguyễn Thị Lan")


def sample_form01() -> Form01Receipt:
    """Scenario 1: accepted Fri 13/02/2026 14:00, 10 working days, due 17:00 Fri 06/03/2026."""
    return Form01Receipt(
        header=CENTRE_HEADER,
        code=SCENARIO_1_CODE,
        tracking_url=TRACKING_BASE + SCENARIO_1_CODE,
        applicant=APPLICANT,
        procedure=LAND_PROCEDURE,
        components=[
            ComponentLine(name="Đơn đăng ký biến động đất đai, tài sản gắn liền với đất", originals=1),
            ComponentLine(
                name="Hợp đồng chuyển nhượng quyền sử dụng đất đã được công chứng", originals=1, copies=1
            ),
            ComponentLine(name="Giấy chứng nhận quyền sử dụng đất đã cấp", originals=1),
            ComponentLine(name="Tờ khai lệ phí trước bạ nhà, đất", originals=1),
            ComponentLine(
                name="Tờ khai thuế thu nhập cá nhân đối với chuyển nhượng bất động sản", originals=1
            ),
            ComponentLine(
                name="Thẻ căn cước của bên chuyển nhượng và bên nhận chuyển nhượng",
                electronic=2,
                note="Khai thác từ Cơ sở dữ liệu quốc gia về dân cư",
            ),
        ],
        sets=1,
        time_limit="10 ngày làm việc",
        received_at=vn(2026, 2, 13, 14, 0),
        due_at=vn(2026, 3, 6, 17, 0),
        due_explanation=(
            "10 ngày làm việc kể từ 14:00 13/02/2026; không tính 14/02–22/02 (Tết Nguyên Đán) và các "
            "ngày nghỉ cuối tuần; hạn trả kết quả 17:00 06/03/2026."
        ),
        return_place=f"{CENTRE}, Quầy số 10 (Trả kết quả)",
        ledger_book="01",
        ledger_number=185,
        officer=RECEIVING_OFFICER,
        fees=[
            FeeLine(name="Lệ phí đăng ký biến động đất đai", amount=30_000),
            FeeLine(name="Phí thẩm định hồ sơ", amount=250_000),
        ],
    )


def sample_form02() -> Form02Completion:
    """Scenario 3: an in-person applicant lacks papers; all of them in one list, no dossier code."""
    return Form02Completion(
        header=CENTRE_HEADER,
        issued_on=date(2026, 2, 13),
        number="27/HDHS",
        applicant=Party(
            name="Trần Văn Đức",
            identifier="042090004321",
            address="Thôn Trung Tiến, xã Cẩm Xuyên, tỉnh Hà Tĩnh",
            phone="0987 654 321",
        ),
        procedure=JUDICIAL_RECORD,
        items=[
            ComponentLine(
                name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                originals=1,
                note="Chưa có; khai theo mẫu ban hành kèm theo thủ tục",
            ),
            ComponentLine(
                name="Văn bản ủy quyền yêu cầu cấp Phiếu lý lịch tư pháp",
                certified_copies=1,
                note="Người nộp là người được ủy quyền; văn bản ủy quyền phải được chứng thực",
            ),
            ComponentLine(
                name="Giấy khai sinh của người được cấp Phiếu",
                copies=1,
                note="Bản chụp kèm bản chính để đối chiếu",
            ),
        ],
        reason=(
            "Hồ sơ chưa đủ thành phần theo quy định của thủ tục hành chính đã được công bố; "
            "tờ khai chưa được lập."
        ),
        help=HelpContact(
            officer="bà Nguyễn Thị Lan, Quầy số 1",
            phone="0239 3855 000 (máy lẻ 101)",
            website="https://dichvucong.hatinh.demo.invalid",
        ),
        officer=Signer(title="Người hướng dẫn", name="Nguyễn Thị Lan"),
    )


def sample_form03() -> Form03Refusal:
    """Scenario 4: the request belongs to no agency of the province; refused at intake."""
    return Form03Refusal(
        header=CENTRE_HEADER,
        issued_on=date(2026, 2, 13),
        number="05/TCHS",
        applicant=Party(
            name="Công ty TNHH Thương mại Hồng Lĩnh",
            identifier="3001234567",
            identifier_label="Mã số doanh nghiệp",
            salutation="Quý Công ty",
            address="Số 8 đường Trần Phú, phường Bắc Hồng Lĩnh, tỉnh Hà Tĩnh",
            phone="0239 3836 222",
            email="lienhe@honglinh.example.invalid",
        ),
        procedure="Cấp Giấy phép thành lập Văn phòng đại diện của tổ chức xúc tiến thương mại nước ngoài",
        reason=(
            "Thủ tục hành chính được yêu cầu thuộc thẩm quyền giải quyết của Bộ Công Thương, không thuộc "
            "danh mục thủ tục hành chính tiếp nhận tại Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh. "
            "Đề nghị Quý Công ty nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia hoặc tại Bộ phận "
            "Một cửa của Bộ Công Thương."
        ),
        help=HelpContact(officer="ông Lê Văn Nam, Quầy số 5", phone="0239 3855 000 (máy lẻ 105)"),
        officer=Signer(title="Người tiếp nhận hồ sơ", name="Lê Văn Nam"),
        submitter="Nguyễn Hữu Lộc (giám đốc)",
    )


def sample_form04() -> Form04Apology:
    """Scenario 16: 5 working days from Mon 09/03/2026 (due 16/03); apology Fri 13/03, new date 20/03."""
    return Form04Apology(
        header=UnitHeader(issuing_body="Ủy ban nhân dân phường Thành Sen", place="Thành Sen"),
        issued_on=date(2026, 3, 13),
        number="112/UBND-TP",
        recipient=Party(
            name="Hoàng Văn Thắng",
            address="Tổ dân phố 5, phường Thành Sen, tỉnh Hà Tĩnh",
            phone="0915 222 333",
        ),
        procedure="Đăng ký lại khai sinh",
        code="000.00.30.H42-260309-0012",
        received_at=vn(2026, 3, 9, 8, 30),
        original_due_at=vn(2026, 3, 16, 17, 0),
        reason=(
            "Sổ đăng ký khai sinh lưu tại Ủy ban nhân dân xã Thạch Hưng (cũ) bị hư hỏng; cần xác minh "
            "thông tin đăng ký khai sinh trước đây với cơ quan lưu trữ của tỉnh."
        ),
        new_due_at=vn(2026, 3, 20, 17, 0),
        signer=Signer(authority="KT. Chủ tịch", title="Phó Chủ tịch", name="Nguyễn Văn Bình"),
        one_stop_unit="Trung tâm Phục vụ hành chính công phường Thành Sen",
    )


def sample_form05() -> Form05StopNotice:
    """Scenario 23: stop on the applicant's online request, confirmed by the officer."""
    return Form05StopNotice(
        header=CENTRE_HEADER,
        issued_on=date(2026, 3, 5),
        number="03/TB-TTPVHCC",
        code="000.00.12.H42-260302-0004",
        applicant=Party(
            name="Võ Thị Ngọc Ánh",
            identifier="042195007788",
            address="Xóm 3, xã Đức Thọ, tỉnh Hà Tĩnh",
            phone="0934 111 222",
            email="ngocanh.vo@example.invalid",
        ),
        procedure=JUDICIAL_RECORD,
        received_at=vn(2026, 3, 2, 9, 15),
        requested_at=vn(2026, 3, 5, 8, 10),
        request_channel="trên Cổng Dịch vụ công quốc gia",
        grounds="Không còn nhu cầu sử dụng Phiếu lý lịch tư pháp do đã thay đổi kế hoạch du học.",
        stage="Hồ sơ đang được Sở Tư pháp thẩm định; chưa có kết quả giải quyết.",
        decision="Dừng giải quyết hồ sơ theo yêu cầu của người nộp hồ sơ.",
        stopped_at=vn(2026, 3, 5, 10, 30),
        fees=(
            "Lệ phí đã nộp 200.000 đồng được xử lý theo quy định về phí, lệ phí; Ông/Bà liên hệ Quầy số 1 "
            "để được hướng dẫn."
        ),
        originals="Hồ sơ nộp trực tuyến, không có giấy tờ bản chính lưu tại cơ quan.",
        signer=Signer(authority="KT. Giám đốc", title="Phó Giám đốc", name="Đặng Quốc Việt"),
    )


def sample_form06() -> Form06ControlSlip:
    """Scenario 1's dossier through two agencies (scenario 19): the tax office step is late."""
    officer = "Nguyễn Thị Lan (Bộ phận Một cửa)"
    land_officer = "Trần Văn Hùng (Văn phòng Đăng ký đất đai)"
    tax_officer = "Lê Thị Mai (Thuế tỉnh Hà Tĩnh)"
    return Form06ControlSlip(
        header=CENTRE_HEADER,
        code=SCENARIO_1_CODE,
        applicant=APPLICANT,
        procedure=LAND_PROCEDURE,
        received_at=vn(2026, 2, 13, 14, 0),
        due_at=vn(2026, 3, 6, 17, 0),
        lead_agency=f"{VPDKDD} (Sở Nông nghiệp và Môi trường)",
        coordinating_agencies=[TAX_OFFICE],
        rows=[
            HandoverRow(
                agency=VPDKDD,
                giver=officer,
                handed_at=vn(2026, 2, 13, 14, 40),
                receiver=land_officer,
                received_at=vn(2026, 2, 13, 15, 10),
                timeliness=Timeliness.EARLY,
                note="Thẩm định hồ sơ; 6 ngày làm việc",
            ),
            HandoverRow(
                agency=TAX_OFFICE,
                giver=land_officer,
                handed_at=vn(2026, 2, 26, 9, 0),
                receiver=tax_officer,
                received_at=vn(2026, 2, 26, 9, 30),
                timeliness=Timeliness.LATE,
                note="Xác định nghĩa vụ tài chính; 3 ngày làm việc, thực hiện 5 ngày",
            ),
            HandoverRow(
                agency=VPDKDD,
                giver=tax_officer,
                handed_at=vn(2026, 3, 5, 10, 0),
                receiver=land_officer,
                received_at=vn(2026, 3, 5, 10, 20),
                timeliness=Timeliness.ON_TIME,
                note="Cập nhật biến động, trình ký kết quả",
            ),
            HandoverRow(
                agency="Bộ phận Một cửa",
                giver=land_officer,
                handed_at=vn(2026, 3, 6, 9, 0),
                receiver="Phan Văn Tú (Quầy số 10)",
                received_at=vn(2026, 3, 6, 9, 15),
                timeliness=Timeliness.ON_TIME,
                note="Trả kết quả",
            ),
        ],
    )


_LEDGER_PEOPLE = [
    ("Nguyễn Văn An", "Phường Thành Sen", "0912 000 101"),
    ("Lê Thị Bích Ngọc", "Phường Trần Phú", "0912 000 102"),
    ("Trần Quốc Khánh", "Xã Cẩm Xuyên", "0912 000 103"),
    ("Hồ Thị Thanh Thuỷ", "Phường Hà Huy Tập", "0912 000 104"),
    ("Phạm Thị Thu Hằng", "Phường Thành Sen", "0912 345 678"),
    ("Đinh Công Tráng", "Xã Đức Thọ", "0912 000 106"),
    ("Công ty Cổ phần Xây dựng Hồng Hà", "Phường Bắc Hồng Lĩnh", "0239 3836 555"),
    ("Bùi Thị Hoà", "Phường Trần Phú", "0912 000 108"),
]


def sample_form07() -> Form07Ledger:
    """Eight consecutive ledger lines of 2026, numbers 181–188; 185 is scenario 1's dossier."""
    rows: list[LedgerRow] = []
    for offset, (name, place, phone) in enumerate(_LEDGER_PEOPLE):
        number = 181 + offset
        sequence = 3 + offset
        is_scenario = number == 185
        received = vn(2026, 2, 13, 8 + offset, 15 if not is_scenario else 0)
        if is_scenario:
            received = vn(2026, 2, 13, 14, 0)
        is_land = offset % 2 == 0
        # Land: 10 working days (due after Tết, as scenario 1); judicial record: 10 calendar days.
        due = vn(2026, 3, 6, 17, 0) if is_land else vn(2026, 2, 23, 17, 0)
        returned = due.replace(hour=9, minute=30) if offset < 6 else None
        rows.append(
            LedgerRow(
                number=number,
                code=f"000.00.12.H42-260213-{sequence:04d}",
                procedure=LAND_PROCEDURE if is_land else "Cấp Phiếu lý lịch tư pháp",
                sets=1,
                applicant=Party(name=name, address=f"{place}, tỉnh Hà Tĩnh", phone=phone),
                lead_agency=VPDKDD if is_land else "Sở Tư pháp tỉnh Hà Tĩnh",
                received_at=received,
                due_at=due,
                forwarded_at=received.replace(minute=received.minute + 30),
                result_received_at=due.replace(hour=9, minute=15) if returned else None,
                returned_at=returned,
                receipt_signature=name if returned else "",
                note="Tết Nguyên Đán: 14/02–22/02" if is_scenario else "",
            )
        )
    return Form07Ledger(header=CENTRE_HEADER, year=2026, book="01", rows=rows)


def all_samples() -> list[FormContext]:
    """One sample per form, in form order."""
    return [
        sample_form01(),
        sample_form02(),
        sample_form03(),
        sample_form04(),
        sample_form05(),
        sample_form06(),
        sample_form07(),
    ]
