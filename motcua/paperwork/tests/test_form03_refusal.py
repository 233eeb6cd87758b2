"""Form 03 (SPEC §11 scenario 4): refused, with the reason in words."""

from __future__ import annotations

from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import flat, pdf_text


def test_refusal_states_the_reason(samples: dict[str, Rendered]) -> None:
    text = flat(pdf_text(samples["03"].pdf))
    assert "Quý Công ty: Công ty TNHH Thương mại Hồng Lĩnh; mã số doanh nghiệp: 3001234567" in text
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in text
    assert "thuộc thẩm quyền giải quyết của Bộ Công Thương" in text
    assert "Xin thông báo cho Quý Công ty được biết và thực hiện./." in text
    assert "Nguyễn Hữu Lộc (giám đốc)" in text  # the person who handed the papers in signs
    assert "Lê Văn Nam" in text
    assert "Hà Tĩnh, ngày 13 tháng 02 năm 2026" in text
