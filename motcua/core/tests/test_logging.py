"""No personal data in logs: citizen ID numbers and phone numbers are masked by the filter."""

from __future__ import annotations

import logging

import pytest

from motcua.core.logging import MaskPersonalData, mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CCCD 042090001234 nộp hồ sơ", "CCCD 04********34 nộp hồ sơ"),
        ("gọi 0912 345 678 hoặc +84 912.345.678", "gọi 09******78 hoặc 84*******78"),
        ("điện thoại bàn 0239-3855-123", "điện thoại bàn 02*******23"),
        ("mã hồ sơ 000.00.12.H42-260302-0001", "mã hồ sơ 000.00.12.H42-260302-0001"),
        ("năm 2026, 10 ngày làm việc, số 12", "năm 2026, 10 ngày làm việc, số 12"),
    ],
)
def test_mask(text, masked):
    assert mask(text) == masked


def test_the_filter_masks_message_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("motcua.test.pii")
    logger.addFilter(MaskPersonalData())
    try:
        with caplog.at_level(logging.INFO, logger="motcua.test.pii"):
            logger.info("applicant %s phone %s", "042090001234", 912345678)
            try:
                raise ValueError("bad id 042090001234")
            except ValueError:
                logger.exception("failed for %(phone)s", {"phone": "0912345678"})
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "042090001234" not in text
    assert "0912345678" not in text and "912345678" not in text
    assert "applicant 04********34 phone 91*****78" in text
    assert "failed for 09******78" in text
    assert "ValueError: bad id 04********34" in text


def test_the_settings_install_the_filter_on_every_handler(settings):
    handlers = settings.LOGGING["handlers"]
    assert handlers
    assert all("mask_personal_data" in handler.get("filters", []) for handler in handlers.values())


def test_every_configured_handler_masks(settings):
    from logging.config import dictConfig

    dictConfig(settings.LOGGING)
    loggers = [
        logging.getLogger(),
        *(logging.getLogger(n) for n in ("django", "django.request", "django.server")),
    ]
    for logger in loggers:
        for handler in logger.handlers:
            assert any(isinstance(f, MaskPersonalData) for f in handler.filters), (logger.name, handler)
    assert logging.getLogger("django").handlers
