"""A logging filter that masks personal data before any handler writes it (issue #9, Security).

12-digit citizen ID numbers (căn cước) and Vietnamese phone numbers (0/84/+84 then 9-10 digits,
spaces, dots or dashes allowed) are replaced in the message and its arguments: ``042090001234``
becomes ``04********34``, ``0912 345 678`` becomes ``09******78``; an integer argument of 9 or
more digits is masked the same way. Installed on every handler in
``config/settings.py`` LOGGING.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

# A run of digits (with phone separators) not touching other digits or letters.
_CITIZEN_ID: Final = re.compile(r"(?<![\w])(\d{12})(?![\w])")
_PHONE: Final = re.compile(r"(?<![\w+])((?:\+84|84|0)(?:[\s.\-]?\d){8,10})(?![\w])")


def _hide_digits(digits: str) -> str:
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def _hide(match: re.Match[str]) -> str:
    return _hide_digits(re.sub(r"\D", "", match.group(1)))


def mask(text: str) -> str:
    """``text`` with citizen ID numbers and phone numbers masked."""
    return _PHONE.sub(_hide, _CITIZEN_ID.sub(_hide, text))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= 9:
        # A number that long is an identifier or a phone number whose leading 0 was lost.
        return _hide_digits(str(abs(value)))
    return value


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return True
