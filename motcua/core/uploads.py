"""Checks every uploaded file must pass before it is stored (issue #9, Security).

``check_upload`` refuses, with a Vietnamese and an English message: a name with a path separator,
a NUL or a ``..`` part (and returns the name trimmed); an empty file; and, for ZIP containers
(``.zip``, ``.docx``, ``.xlsx``, …, recognised by content), an archive bomb: more than
``MAX_ENTRIES`` entries, more than ``MAX_UNCOMPRESSED`` bytes once expanded, or an entry expanding
more than ``MAX_RATIO`` times (past its first MiB). The sizes are read from the archive's
directory and then verified while expanding, in chunks, so a forged directory cannot get past
either. What types are accepted at all is the caller's rule (dossier files: PDF, JPEG, PNG by
their first bytes).
"""

from __future__ import annotations

import io
import zipfile
from typing import Final

from .errors import ValidationFailed

MAX_ENTRIES: Final = 10_000
MAX_UNCOMPRESSED: Final = 100 * 1024 * 1024
MAX_RATIO: Final = 100
# Below this many expanded bytes an entry cannot be a bomb, whatever its ratio (small XML parts of
# a DOCX compress very well).
RATIO_FROM: Final = 1024 * 1024
ZIP_MAGIC: Final = b"PK\x03\x04"


def _refuse(vi: str, en: str, code: str) -> ValidationFailed:
    return ValidationFailed(vi, en, code=code, field="file")


def clean_name(name: str) -> str:
    if any(ch in name for ch in ("/", "\\", "\x00")) or name.strip() in {".", ".."}:
        raise _refuse(
            "Tên tệp không được chứa dấu phân cách thư mục (/ hoặc \\).",
            "The file name may not contain a path separator (/ or \\).",
            "invalid_file_name",
        )
    return name.strip()[:255]


def check_archive(content: bytes) -> None:
    """Refuse a ZIP-based file that expands too much (a decompression bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as error:
        raise _refuse("Tệp nén bị hỏng.", "The archive is corrupt.", "corrupt_archive") from error
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise _bomb()
    declared = sum(e.file_size for e in entries)
    if declared > MAX_UNCOMPRESSED:
        raise _bomb()
    total = 0
    for entry in entries:
        size = 0
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(64 * 1024):
                    size += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNCOMPRESSED or (
                        size > RATIO_FROM and size > max(entry.compress_size, 1) * MAX_RATIO
                    ):
                        raise _bomb()
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
            raise _refuse("Tệp nén bị hỏng.", "The archive is corrupt.", "corrupt_archive") from error


def _bomb() -> ValidationFailed:
    return _refuse(
        "Tệp nén giải nén ra quá lớn (nghi là bom giải nén).",
        "The archive expands too much (a suspected decompression bomb).",
        "archive_bomb",
    )


def check_upload(content: bytes, name: str) -> str:
    """Check an upload's name and content; returns the cleaned name."""
    cleaned = clean_name(name)
    if not content:
        raise _refuse("Tệp rỗng.", "The file is empty.", "empty_file")
    if content.startswith(ZIP_MAGIC):
        check_archive(content)
    return cleaned
