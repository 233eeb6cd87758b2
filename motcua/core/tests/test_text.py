from __future__ import annotations

import pytest

from motcua.core.text import fold, nfc, sort_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
        ("Phường Yên Hoà", "phuong yen hoa"),
        ("Phường Yên Hòa", "phuong yen hoa"),
        ("Thuỷ", "thuy"),
        ("Thủy", "thuy"),
        ("Ea H’Leo", "ea h'leo"),
        ("Ðà Nẵng", "da nang"),  # the look-alike capital eth
        ("  Chứng   thực\tbản sao ", "chung thuc ban sao"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_nfd_and_nfc_fold_equal():
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Hà Tĩnh")) == fold("Hà Tĩnh") == "ha tinh"


def test_sort_key_puts_d_stroke_among_the_ds():
    names = ["Đà Nẵng", "Yên Bái", "An Giang", "Âm", "Ăn", "Cà Mau", "Điện Biên", "Bắc Ninh"]
    expected = ["Âm", "Ăn", "An Giang", "Bắc Ninh", "Cà Mau", "Đà Nẵng", "Điện Biên", "Yên Bái"]
    assert sorted(names, key=sort_key) == expected


def test_nfc_normalises_and_strips():
    assert nfc(" Hòa ") == "Hòa"
