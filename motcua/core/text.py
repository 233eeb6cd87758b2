"""Vietnamese text normalisation for search and sorting (see STACK.md, "Vietnamese text").

``fold("Đăng ký khai sinh") == "dang ky khai sinh"``; "Hòa"/"Hoà" and "Thủy"/"Thuỷ" fold equal.
"""

from __future__ import annotations

import re
import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d", "’": "'", "‘": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, đ→d, single-spaced form of ``text`` for matching."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_EXTRA).casefold()).strip()


def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts Vietnamese names in dictionary order outside PostgreSQL's ``vi-x-icu``.

    Folded text first (so "Đà Nẵng" sorts among the D's), then the NFC original to break ties.
    """
    return fold(text), unicodedata.normalize("NFC", text)


def nfc(text: str) -> str:
    """The NFC form, as stored."""
    return unicodedata.normalize("NFC", text).strip()
