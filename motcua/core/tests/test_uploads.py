"""Upload checks: path separators in names, empty files, archive bombs (ZIP, DOCX, XLSX)."""

from __future__ import annotations

import io
import zipfile

import pytest

from motcua.core import uploads
from motcua.core.errors import ValidationFailed


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _code(content: bytes, name: str = "tep.docx") -> str:
    with pytest.raises(ValidationFailed) as refused:
        uploads.check_upload(content, name)
    assert refused.value.field == "file"
    return refused.value.code


@pytest.mark.parametrize("name", ["../x.pdf", "a/b.pdf", "a\\b.pdf", "x\x00.pdf", ".."])
def test_names_with_path_separators_are_refused(name):
    assert _code(b"%PDF-1.4", name) == "invalid_file_name"


def test_a_plain_name_is_kept():
    assert uploads.check_upload(b"%PDF-1.4", "  Giấy khai sinh.pdf ") == "Giấy khai sinh.pdf"


def test_empty_file():
    assert _code(b"", "x.pdf") == "empty_file"


def test_a_normal_docx_like_archive_passes():
    content = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>" + b"x" * 5000})
    assert uploads.check_upload(content, "don.docx") == "don.docx"


def test_a_highly_compressed_entry_is_a_bomb(monkeypatch):
    content = _zip({"xl/sheet1.xml": b"\0" * (2 * 1024 * 1024)})
    assert _code(content, "bang.xlsx") == "archive_bomb"


def test_too_much_in_total_is_a_bomb(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED", 10_000)
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**6)
    content = _zip({f"part{i}.xml": bytes(range(256)) * 20 for i in range(3)})
    assert _code(content, "x.zip") == "archive_bomb"


def test_too_many_entries_is_a_bomb(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ENTRIES", 5)
    content = _zip({f"f{i}": b"a" for i in range(6)})
    assert _code(content, "x.zip") == "archive_bomb"


def test_a_forged_directory_is_caught_while_expanding(monkeypatch):
    content = bytearray(_zip({"a.xml": b"\0" * 50_000}))
    # Lie in the central directory: claim 10 bytes uncompressed.
    at = content.rfind(b"PK\x01\x02")
    content[at + 24 : at + 28] = (10).to_bytes(4, "little")
    assert _code(bytes(content), "x.zip") in {"archive_bomb", "corrupt_archive"}


def test_a_corrupt_archive():
    assert _code(uploads.ZIP_MAGIC + b"garbage", "x.zip") == "corrupt_archive"
