"""notify renders each dossier template: the exact Vietnamese texts (SPEC §5.2, §11 scenarios)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from motcua.notifications.models import Message
from motcua.notifications.rendering import APP_TEMPLATES, TEMPLATE_SPECS
from motcua.notifications.services import notify

from .contexts import CONTEXTS

pytestmark = pytest.mark.django_db

FOOTER = (
    "Trân trọng,\n"
    "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
    "\n"
    "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n"
)

EMAILS = {
    "dossier.accepted": (
        "Hồ sơ 000.00.12.H42-260213-0007 đã được tiếp nhận",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh đã tiếp nhận hồ sơ của Ông/Bà.\n"
        "\n"
        "Mã hồ sơ: 000.00.12.H42-260213-0007\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Thời gian nhận hồ sơ: 14 giờ 00 phút, ngày 13/02/2026\n"
        "Thời gian hẹn trả kết quả: 14 giờ 00 phút, ngày 06/03/2026\n"
        "\n"
        "Tra cứu tình trạng hồ sơ: https://dichvucong.hatinh.gov.vn/tra-cuu\n"
        "\n"
        "Khi nhận kết quả, Ông/Bà vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả "
        "hoặc cung cấp mã hồ sơ.\n"
        "\n" + FOOTER,
    ),
    "dossier.completion_requested": (
        "Hồ sơ trực tuyến TN-260213-0042 cần bổ sung, hoàn thiện",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh đã kiểm tra hồ sơ trực tuyến số "
        "TN-260213-0042 của Ông/Bà.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh\n"
        "\n"
        "Hồ sơ chưa đầy đủ, hợp lệ nên chưa được tiếp nhận.\n"
        "Lý do: Thành phần hồ sơ chưa đầy đủ.\n"
        "\n"
        "Yêu cầu Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung như sau:\n"
        "1. Giấy chứng sinh (bản chính).\n"
        "2. Văn bản ủy quyền có chứng thực.\n"
        "\n"
        "Trên đây là toàn bộ nội dung cần bổ sung, hoàn thiện. Sau khi hoàn thiện, Ông/Bà nộp lại "
        "hồ sơ trên Cổng dịch vụ công; thời hạn giải quyết được tính từ khi hồ sơ được tiếp nhận.\n"
        "\n"
        "Trân trọng,\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "Liên hệ hỗ trợ: 0239 3855 555, máy lẻ 12\n"
        "\n"
        "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n",
    ),
    "dossier.supplement_requested": (
        "Hồ sơ 000.00.12.H42-260302-0003: yêu cầu bổ sung, hoàn thiện",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh thông báo: hồ sơ 000.00.12.H42-260302-0003 "
        "của Ông/Bà cần được bổ sung, hoàn thiện để tiếp tục giải quyết.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Lý do: Thông tin nơi cư trú chưa khớp với Cơ sở dữ liệu quốc gia về dân cư.\n"
        "\n"
        "Yêu cầu Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung như sau:\n"
        "1. Giấy xác nhận thông tin về cư trú (bản chính).\n"
        "\n"
        "Hạn nộp hồ sơ bổ sung: 18/03/2026\n"
        "\n"
        "Trên đây là toàn bộ nội dung cần bổ sung, hoàn thiện. Ông/Bà nộp hồ sơ bổ sung tại "
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh hoặc trên Cổng dịch vụ công. Thời gian hẹn "
        "trả kết quả mới sẽ được thông báo khi hồ sơ bổ sung được tiếp nhận.\n"
        "\n" + FOOTER,
    ),
    "dossier.supplement_received": (
        "Hồ sơ 000.00.12.H42-260302-0003: đã nhận hồ sơ bổ sung, hẹn lại ngày trả kết quả",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh đã nhận đủ hồ sơ bổ sung của Ông/Bà; "
        "hồ sơ tiếp tục được giải quyết.\n"
        "\n"
        "Mã hồ sơ: 000.00.12.H42-260302-0003\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Thời gian nhận hồ sơ bổ sung: 10 giờ 00 phút, ngày 10/03/2026\n"
        "Thời gian hẹn trả kết quả mới: 10 giờ 00 phút, ngày 24/03/2026\n"
        "\n" + FOOTER,
    ),
    "dossier.extended": (
        "Hồ sơ 000.00.12.H42-260309-0001: xin lỗi và hẹn lại ngày trả kết quả",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Sở Tư pháp tỉnh Hà Tĩnh chân thành xin lỗi Ông/Bà vì hồ sơ 000.00.12.H42-260309-0001 "
        "chưa được giải quyết đúng thời hạn đã hẹn.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Lý do: Cần xác minh thông tin tại cơ quan công an nơi Ông/Bà từng cư trú.\n"
        "\n"
        "Thời gian hẹn trả kết quả trước đây: 16/03/2026\n"
        "Thời gian hẹn trả kết quả mới: 20/03/2026\n"
        "\n"
        "Rất mong Ông/Bà thông cảm.\n"
        "\n" + FOOTER,
    ),
    "dossier.result_ready": (
        "Hồ sơ 000.00.12.H42-260309-0001 đã có kết quả",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Hồ sơ 000.00.12.H42-260309-0001 của Ông/Bà đã có kết quả giải quyết.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Nơi nhận kết quả: Quầy số 3, Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "Thời gian nhận kết quả: 7 giờ 00 – 11 giờ 30 và 13 giờ 30 – 17 giờ 00, thứ Hai đến thứ Sáu\n"
        "Phí, lệ phí nộp khi nhận kết quả: 200.000 đồng\n"
        "\n"
        "Khi đến nhận, Ông/Bà vui lòng mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả; trường "
        "hợp nhận thay, mang theo văn bản ủy quyền.\n"
        "\n" + FOOTER,
    ),
    "dossier.stopped": (
        "Thông báo dừng giải quyết hồ sơ 000.00.12.H42-260302-0005",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh thông báo dừng giải quyết hồ sơ "
        "000.00.12.H42-260302-0005 của Ông/Bà.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh\n"
        "Lý do: Theo đề nghị rút hồ sơ của Ông/Bà ngày 12/03/2026.\n"
        "\n"
        "Xin thông báo để Ông/Bà được biết.\n"
        "\n"
        "Tra cứu tình trạng hồ sơ: https://dichvucong.hatinh.gov.vn/tra-cuu\n"
        "\n" + FOOTER,
    ),
    "dossier.incident_reported": (
        "Hồ sơ 000.00.12.H42-260302-0006: thư xin lỗi",
        "Kính gửi Ông/Bà Nguyễn Thị Hoà,\n"
        "\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh chân thành xin lỗi Ông/Bà: trong quá "
        "trình giải quyết, hồ sơ 000.00.12.H42-260302-0006 của Ông/Bà đã bị thất lạc hoặc hư "
        "hỏng.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh\n"
        "Sự việc: Bản chính giấy chứng sinh bị thất lạc khi chuyển hồ sơ giấy.\n"
        "\n"
        "Cơ quan đang khắc phục và xác định trách nhiệm của cá nhân có liên quan. Nếu cần Ông/Bà "
        "cung cấp lại giấy tờ, chúng tôi sẽ thông báo cụ thể.\n"
        "\n"
        "Rất mong Ông/Bà thông cảm.\n"
        "\n"
        "Trân trọng,\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "\n"
        "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n",
    ),
    "dossier.apology_overdue": (
        "Cảnh báo: hồ sơ 000.00.12.H42-260309-0001 đã quá hạn gửi thư xin lỗi, hẹn lại",
        "Kính gửi Trần Văn Bình,\n"
        "\n"
        "Hồ sơ 000.00.12.H42-260309-0001 do Sở Tư pháp giải quyết chưa có kết quả và chưa có "
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04).\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Nơi tiếp nhận: Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 16/03/2026\n"
        "Hạn gửi thư xin lỗi, hẹn lại (chậm nhất 01 ngày trước ngày hết hạn): 17 giờ 00 phút, "
        "ngày 13/03/2026\n"
        "\n"
        "Đề nghị cơ quan giải quyết ngay hoặc gửi thư xin lỗi, hẹn lại ngày trả kết quả cho người "
        "nộp hồ sơ.\n"
        "\n"
        "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n",
    ),
    "dossier.consultation_overdue": (
        "Cảnh báo: quá hạn trả lời xin ý kiến về hồ sơ 000.00.12.H42-260302-0003",
        "Kính gửi Trần Văn Bình,\n"
        "\n"
        "Công an tỉnh Hà Tĩnh chưa trả lời văn bản xin ý kiến của Sở Tư pháp về hồ sơ "
        "000.00.12.H42-260302-0003, dù đã quá thời hạn trả lời.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Nơi tiếp nhận: Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "Thời gian xin ý kiến: 09 giờ 00 phút, ngày 03/03/2026\n"
        "Thời hạn trả lời: 17 giờ 00 phút, ngày 06/03/2026\n"
        "\n"
        "Cơ quan chủ trì thông báo để Trưởng Bộ phận Một cửa đôn đốc (Điều 19 khoản 5 Nghị định "
        "61/2018/NĐ-CP).\n"
        "\n"
        "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n",
    ),
    "dossier.urged": (
        "Đôn đốc giải quyết hồ sơ 000.00.12.H42-260302-0003",
        "Kính gửi Trần Văn Bình,\n"
        "\n"
        "Lê Thị Cúc đôn đốc việc giải quyết hồ sơ 000.00.12.H42-260302-0003 do Sở Tư pháp giải quyết.\n"
        "\n"
        "Nội dung đôn đốc: Người nộp đã hỏi hai lần, đề nghị trả kết quả đúng hẹn.\n"
        "\n"
        "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Nơi tiếp nhận: Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 16/03/2026\n"
        "\n"
        "Đề nghị cơ quan khẩn trương giải quyết hồ sơ đúng hạn.\n"
        "\n"
        "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n",
    ),
    "petition.updated": (
        "Phản ánh, kiến nghị PAKN-7KQ2MX9HTA: Đã công khai kết quả",
        "Kính gửi Ông/Bà Trần Thị Bình,\n"
        "\n"
        "Sở Tư pháp tỉnh Hà Tĩnh thông báo về phản ánh, kiến nghị của Ông/Bà.\n"
        "\n"
        "Mã phản ánh, kiến nghị: PAKN-7KQ2MX9HTA\n"
        "Tiêu đề: Chậm trả kết quả chứng thực\n"
        "Tình trạng: Đã công khai kết quả.\n"
        "Nội dung: Sở đã trả kết quả và xin lỗi Bà về sự chậm trễ.\n"
        "\n"
        "Trân trọng,\n"
        "Sở Tư pháp tỉnh Hà Tĩnh\n"
        "\n"
        "Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư này.\n",
    ),
}

SMS = {
    "dossier.accepted": "Hồ sơ 000.00.12.H42-260213-0007 (Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam) "
    "đã được tiếp nhận lúc 14h00 13/02/2026. Hẹn trả kết quả: 14h00 06/03/2026. "
    "Tra cứu: https://dichvucong.hatinh.gov.vn/tra-cuu",
    "dossier.completion_requested": "Hồ sơ trực tuyến TN-260213-0042 (Đăng ký khai sinh) chưa được tiếp "
    "nhận. Lý do: Thành phần hồ sơ chưa đầy đủ. Cần bổ sung, hoàn thiện: 1. Giấy chứng sinh (bản "
    "chính). 2. Văn bản ủy quyền có chứng thực.",
    "dossier.supplement_requested": "Hồ sơ 000.00.12.H42-260302-0003 (Cấp Phiếu lý lịch tư pháp cho công "
    "dân Việt Nam) cần bổ sung, hoàn thiện. Lý do: Thông tin nơi cư trú chưa khớp với Cơ sở dữ liệu "
    "quốc gia về dân cư. Cần bổ sung: 1. Giấy xác nhận thông tin về cư trú (bản chính). "
    "Hạn nộp: 18/03/2026.",
    "dossier.supplement_received": "Hồ sơ 000.00.12.H42-260302-0003 (Cấp Phiếu lý lịch tư pháp cho công "
    "dân Việt Nam) đã nhận đủ hồ sơ bổ sung lúc 10h00 10/03/2026. Hẹn trả kết quả mới: 10h00 24/03/2026.",
    "dossier.extended": "Sở Tư pháp tỉnh Hà Tĩnh xin lỗi Ông/Bà: hồ sơ 000.00.12.H42-260309-0001 chưa "
    "được giải quyết đúng hẹn. Lý do: Cần xác minh thông tin tại cơ quan công an nơi Ông/Bà từng cư "
    "trú. Hẹn trả kết quả mới: 20/03/2026.",
    "dossier.result_ready": "Hồ sơ 000.00.12.H42-260309-0001 (Cấp Phiếu lý lịch tư pháp cho công dân "
    "Việt Nam) đã có kết quả. Nhận tại: Quầy số 3, Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh. "
    "Phí, lệ phí: 200.000 đồng. Mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
    "dossier.stopped": "Hồ sơ 000.00.12.H42-260302-0005 (Đăng ký khai sinh) đã dừng giải quyết. Lý do: "
    "Theo đề nghị rút hồ sơ của Ông/Bà ngày 12/03/2026. Chi tiết: https://dichvucong.hatinh.gov.vn/tra-cuu",
    "dossier.incident_reported": (
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh xin lỗi Ông/Bà: hồ sơ "
        "000.00.12.H42-260302-0006 bị thất lạc hoặc hư hỏng. Bản chính giấy chứng sinh bị thất "
        "lạc khi chuyển hồ sơ giấy. Cơ quan đang khắc phục."
    ),
    "dossier.apology_overdue": (
        "Cảnh báo: hồ sơ 000.00.12.H42-260309-0001 chưa có kết quả, chưa có Mẫu 04; hẹn trả 17h00 16/03/2026."
    ),
    "dossier.consultation_overdue": (
        "Cảnh báo: Công an tỉnh Hà Tĩnh quá hạn trả lời xin ý kiến về hồ sơ "
        "000.00.12.H42-260302-0003 (hạn 17h00 06/03/2026)."
    ),
    "dossier.urged": (
        "Đôn đốc hồ sơ 000.00.12.H42-260302-0003: Người nộp đã hỏi hai lần, đề nghị trả kết quả "
        "đúng hẹn (hẹn trả 17h00 16/03/2026)"
    ),
    "petition.updated": (
        "PAKN-7KQ2MX9HTA: Đã công khai kết quả. Sở đã trả kết quả và xin lỗi Bà về sự chậm trễ."
    ),
}


@pytest.mark.parametrize("template_key", sorted(EMAILS))
def test_email_in_vietnamese(template_key, committed, mailoutbox):
    with committed():
        message = notify(
            template_key=template_key,
            channel="email",
            recipient="hoa.nguyen@example.vn",
            context=CONTEXTS[template_key],
            subject_ref="dossier:42",
            idempotency_key=f"{template_key}:42:email",
        )

    subject, body = EMAILS[template_key]
    message.refresh_from_db()
    assert (message.subject, message.body, message.language) == (subject, body, "vi")
    assert [(m.subject, m.body, m.to) for m in mailoutbox] == [(subject, body, ["hoa.nguyen@example.vn"])]


@pytest.mark.parametrize("template_key", sorted(SMS))
def test_sms_in_vietnamese(template_key, committed):
    from motcua.notifications import sms

    with committed():
        message = notify(
            template_key=template_key,
            channel="sms",
            recipient="0912 345 678",
            context=CONTEXTS[template_key],
            subject_ref="dossier:42",
            idempotency_key=f"{template_key}:42:sms",
        )

    message.refresh_from_db()
    assert (message.subject, message.body) == ("", SMS[template_key])
    assert len(message.body) <= 320
    assert [(s.phone, s.text) for s in sms.outbox] == [("+84912345678", SMS[template_key])]


def test_every_template_key_has_all_files_for_both_languages():
    assert set(TEMPLATE_SPECS) == set(EMAILS) == set(SMS)
    for key in TEMPLATE_SPECS:
        for language in ("vi", "en"):
            folder = APP_TEMPLATES / "notifications" / key / language
            assert {"subject.txt", "email.txt", "sms.txt"} <= {p.name for p in folder.iterdir()}, folder


_VARIABLE = re.compile(r"{{\s*(\w+)|{%\s*(?:el)?if\s+(\w+)")


@pytest.mark.parametrize("path", sorted((APP_TEMPLATES / "notifications").rglob("*.txt")), ids=str)
def test_templates_only_use_the_keys_of_their_spec(path: Path):
    """A misspelt variable would render as an empty string: every name must be a declared key."""
    relative = path.relative_to(APP_TEMPLATES / "notifications")
    key = relative.parts[0]
    allowed = (
        set().union(*(spec.allowed for spec in TEMPLATE_SPECS.values()))
        if key == "_footer"
        else TEMPLATE_SPECS[key].allowed
    )
    used = {a or b for a, b in _VARIABLE.findall(path.read_text())}
    assert used <= allowed, (relative, used - allowed)


def test_english_email_and_sms(committed, mailoutbox):
    from motcua.notifications import sms

    with committed():
        notify(
            template_key="dossier.extended",
            channel="email",
            recipient="hoa.nguyen@example.vn",
            context=CONTEXTS["dossier.extended"],
            subject_ref="dossier:42",
            language="en",
            idempotency_key="ext:email",
        )
        notify(
            template_key="dossier.accepted",
            channel="sms",
            recipient="+84912345678",
            context=CONTEXTS["dossier.accepted"],
            subject_ref="dossier:42",
            language="en",
            idempotency_key="acc:sms",
        )

    (email,) = mailoutbox
    assert email.subject == "Dossier 000.00.12.H42-260309-0001: apology and new date for the result"
    assert email.body == (
        "Dear Nguyễn Thị Hoà,\n"
        "\n"
        "Sở Tư pháp tỉnh Hà Tĩnh sincerely apologises that your dossier 000.00.12.H42-260309-0001 could "
        "not be completed by the date given to you.\n"
        "\n"
        "Procedure: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\n"
        "Reason: Cần xác minh thông tin tại cơ quan công an nơi Ông/Bà từng cư trú.\n"
        "\n"
        "Previous date for the result: 16/03/2026\n"
        "New date for the result: 20/03/2026\n"
        "\n"
        "We ask for your understanding.\n"
        "\n"
        "Yours faithfully,\n"
        "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh\n"
        "\n"
        "This message was sent automatically by the electronic one-stop shop; please do not reply to it.\n"
    )
    assert [s.text for s in sms.outbox] == [
        "Dossier 000.00.12.H42-260213-0007 (Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam) was accepted "
        "at 14:00 13/02/2026. Result due: 14:00 06/03/2026. Track: https://dichvucong.hatinh.gov.vn/tra-cuu"
    ]
    assert set(Message.objects.values_list("language", flat=True)) == {"en"}
