"""Contexts for the dossier templates, taken from SPEC §11 scenarios (Hà Tĩnh, 2026)."""

from __future__ import annotations

import datetime as dt

from motcua.core.clock import VN_TZ

# Fri 13/02/2026 14:05 in Hà Tĩnh, five minutes after the dossier of scenario 1 was accepted.
NOW = dt.datetime(2026, 2, 13, 14, 5, tzinfo=VN_TZ)

UNIT = "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh"
LOOKUP = "https://dichvucong.hatinh.gov.vn/tra-cuu"

ACCEPTED = {  # scenario 1: accepted Fri 13/02/2026 14:00, due 06/03/2026 (Tết skipped)
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260213-0007",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "unit_name": UNIT,
    "received_at": "2026-02-13T07:00:00+00:00",
    "due_at": "2026-03-06T14:00:00+07:00",
    "lookup_url": LOOKUP,
}

COMPLETION_REQUESTED = {  # scenario 5: online dossier incomplete at intake (no code, no clock)
    "applicant_name": "Nguyễn Thị Hoà",
    "reference": "TN-260213-0042",
    "procedure_name": "Đăng ký khai sinh",
    "unit_name": UNIT,
    "reason": "Thành phần hồ sơ chưa đầy đủ",
    "guidance": "1. Giấy chứng sinh (bản chính).\n2. Văn bản ủy quyền có chứng thực.",
    "contact": "0239 3855 555, máy lẻ 12",
}

SUPPLEMENT_REQUESTED = {  # scenario 13: Form 02 on Wed 04/03/2026, through the one-stop unit
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260302-0003",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "unit_name": UNIT,
    "reason": "Thông tin nơi cư trú chưa khớp với Cơ sở dữ liệu quốc gia về dân cư",
    "guidance": "1. Giấy xác nhận thông tin về cư trú (bản chính).",
    "supplement_due_at": "2026-03-18",
}

SUPPLEMENT_RECEIVED = {  # scenario 13: supplement accepted Tue 10/03 10:00, new appointment 24/03
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260302-0003",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "unit_name": UNIT,
    "received_at": "2026-03-10T10:00:00+07:00",
    "due_at": "2026-03-24T10:00:00+07:00",
}

EXTENDED = {  # scenario 16: Form 04 on Fri 13/03/2026, due 16/03 moved to 20/03
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260309-0001",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "unit_name": UNIT,
    "agency_name": "Sở Tư pháp tỉnh Hà Tĩnh",
    "reason": "Cần xác minh thông tin tại cơ quan công an nơi Ông/Bà từng cư trú",
    "original_due_at": "2026-03-16",
    "new_due_at": "2026-03-20",
}

RESULT_READY = {
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260309-0001",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "unit_name": UNIT,
    "pickup_place": "Quầy số 3, Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh",
    "pickup_hours": "7 giờ 00 – 11 giờ 30 và 13 giờ 30 – 17 giờ 00, thứ Hai đến thứ Sáu",
    "fee_due": "200.000 đồng",
}

STOPPED = {  # scenario 23: stopped on the applicant's request (Form 05)
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260302-0005",
    "procedure_name": "Đăng ký khai sinh",
    "unit_name": UNIT,
    "reason": "Theo đề nghị rút hồ sơ của Ông/Bà ngày 12/03/2026",
    "lookup_url": LOOKUP,
}

INCIDENT_REPORTED = {  # T24: a lost or damaged dossier (ND61 Art 21(2))
    "applicant_name": "Nguyễn Thị Hoà",
    "dossier_code": "000.00.12.H42-260302-0006",
    "procedure_name": "Đăng ký khai sinh",
    "unit_name": UNIT,
    "reason": "Bản chính giấy chứng sinh bị thất lạc khi chuyển hồ sơ giấy",
}

APOLOGY_OVERDUE = {  # scenario 16: due Mon 16/03/2026, no Form 04 by the end of Fri 13/03
    "recipient_name": "Trần Văn Bình",
    "dossier_code": "000.00.12.H42-260309-0001",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "agency_name": "Sở Tư pháp",
    "unit_name": UNIT,
    "due_at": "2026-03-16T17:00:00+07:00",
    "apology_deadline_at": "2026-03-13T17:00:00+07:00",
}

CONSULTATION_OVERDUE = {  # ND61 Art 19(5): the consulted agency did not answer by the deadline
    "recipient_name": "Trần Văn Bình",
    "dossier_code": "000.00.12.H42-260302-0003",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "agency_name": "Sở Tư pháp",
    "consulted_agency_name": "Công an tỉnh Hà Tĩnh",
    "unit_name": UNIT,
    "requested_at": "2026-03-03T09:00:00+07:00",
    "deadline_at": "2026-03-06T17:00:00+07:00",
}

URGED = {  # the one-stop head urges the agency on a dossier due Mon 16/03/2026
    "recipient_name": "Trần Văn Bình",
    "dossier_code": "000.00.12.H42-260302-0003",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "agency_name": "Sở Tư pháp",
    "unit_name": UNIT,
    "urged_by": "Lê Thị Cúc",
    "message": "Người nộp đã hỏi hai lần, đề nghị trả kết quả đúng hẹn",
    "due_at": "2026-03-16T17:00:00+07:00",
}

PETITION_PUBLISHED = {  # a petition received Mon 02/03/2026, answered and published Tue 24/03/2026
    "submitter_name": "Trần Thị Bình",
    "petition_code": "PAKN-7KQ2MX9HTA",
    "title": "Chậm trả kết quả chứng thực",
    "status": "Đã công khai kết quả",
    "unit_name": "Sở Tư pháp tỉnh Hà Tĩnh",
    "note": "Sở đã trả kết quả và xin lỗi Bà về sự chậm trễ",
}

CONTEXTS = {
    "dossier.accepted": ACCEPTED,
    "dossier.completion_requested": COMPLETION_REQUESTED,
    "dossier.supplement_requested": SUPPLEMENT_REQUESTED,
    "dossier.supplement_received": SUPPLEMENT_RECEIVED,
    "dossier.extended": EXTENDED,
    "dossier.result_ready": RESULT_READY,
    "dossier.stopped": STOPPED,
    "dossier.incident_reported": INCIDENT_REPORTED,
    "dossier.apology_overdue": APOLOGY_OVERDUE,
    "dossier.consultation_overdue": CONSULTATION_OVERDUE,
    "dossier.urged": URGED,
    "petition.updated": PETITION_PUBLISHED,
}
