"""Read rendered PDFs back with poppler (pdftotext, pdfinfo, pdffonts).

Poppler is a system package (``apt-get install poppler-utils``). Outside CI a missing binary skips
the test; in CI (``CI`` set) it fails, so the checks never silently stop running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata

import pytest

MM_PER_CSS_PX = 25.4 / 96


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} (poppler-utils) is not installed: apt-get install -y poppler-utils"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _run(name: str, pdf: bytes, *args: str) -> str:
    result = subprocess.run(
        [_tool(name), *args, "-", "-"] if name == "pdftotext" else [_tool(name), *args, "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))


def pdf_text(pdf: bytes, *, page: int | None = None, layout: bool = False) -> str:
    """The text of the PDF (or of one page), as a reader's copy-and-paste would give it."""
    args = ["-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _run("pdftotext", pdf, *args)


def flat(text: str) -> str:
    """Text with every run of whitespace (line breaks from wrapping included) made one space."""
    return " ".join(text.split())


def pdf_fonts(pdf: bytes) -> list[str]:
    """Names of the fonts embedded in the PDF, subset tags dropped ("Motcua-Serif-Bold")."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    return sorted({line.split()[0].split("+", 1)[-1] for line in lines if line.strip()})


def pdf_info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's fields ("Pages", "Page size" …)."""
    info: dict[str, str] = {}
    for line in _run("pdfinfo", pdf).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_sizes_mm(document: object) -> list[tuple[int, int]]:
    """(width, height) of each page of a WeasyPrint document, in whole millimetres."""
    return [
        (round(page.width * MM_PER_CSS_PX), round(page.height * MM_PER_CSS_PX))
        for page in document.pages  # type: ignore[attr-defined]
    ]
