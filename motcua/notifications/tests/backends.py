"""Backends that fail on purpose, named in settings overrides by the tests."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

from motcua.notifications.sms import LoggingSmsBackend, SmsError

# How many more calls fail before the backends work again (None: fail for ever).
failures_left: dict[str, int | None] = {"sms": 0, "email": 0}
calls: dict[str, int] = {"sms": 0, "email": 0}


def reset() -> None:
    failures_left.update(sms=0, email=0)
    calls.update(sms=0, email=0)


def fail_next(channel: str, times: int | None) -> None:
    failures_left[channel] = times


def _should_fail(channel: str) -> bool:
    calls[channel] += 1
    left = failures_left[channel]
    if left is None:
        return True
    if left > 0:
        failures_left[channel] = left - 1
        return True
    return False


class FlakySmsBackend(LoggingSmsBackend):
    def send(self, phone: str, text: str, *, reference: str = "") -> str:
        if _should_fail("sms"):
            # A careless gateway message quoting the number: it must not reach last_error as is.
            raise SmsError(f"gateway busy (503) for {phone}")
        return super().send(phone, text, reference=reference)


class RefusingSmsBackend(LoggingSmsBackend):
    def send(self, phone: str, text: str, *, reference: str = "") -> str:
        calls["sms"] += 1
        raise SmsError("gateway answered HTTP 400", permanent=True)


class FlakyEmailBackend(BaseEmailBackend):
    """Like the locmem backend, but the next ``failures_left["email"]`` sends raise."""

    def send_messages(self, email_messages):
        from django.core import mail

        if _should_fail("email"):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        for message in email_messages:
            message.message()
            mail.outbox.append(message)
        return len(email_messages)


class RefusingEmailBackend(BaseEmailBackend):
    """The mail server refuses the recipient (a permanent error)."""

    def send_messages(self, email_messages):
        recipients = {address: (550, b"5.1.1 User unknown") for m in email_messages for address in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)
