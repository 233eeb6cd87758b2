"""The scheduler's safety net: due failures, queued messages whose task was lost, dead workers."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.notifications import sms
from motcua.notifications.models import Message, MessageState
from motcua.notifications.services import deliver, notify, retry_due_messages

from . import backends
from .contexts import ACCEPTED, NOW

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def notify_sms(key):
    return notify(
        template_key="dossier.accepted",
        channel="sms",
        recipient="0912345678",
        context=ACCEPTED,
        subject_ref="dossier:42",
        idempotency_key=key,
    )


def run_command():
    out = StringIO()
    call_command("retry_failed_messages", stdout=out)
    return out.getvalue()


def test_due_failures_are_sent_by_the_command(settings, frozen, committed):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.tests.backends.FlakySmsBackend"
    backends.fail_next("sms", 2)
    with committed():
        first = notify_sms("a")
        second = notify_sms("b")
    assert {m.state for m in Message.objects.all()} == {MessageState.FAILED}

    assert run_command() == (
        "Notifications: 0 enqueued (0 failed and due, 0 queued without a task), "
        "0 interrupted while sending released.\n"
    )
    frozen.shift(5 * 60)
    assert run_command() == (
        "Notifications: 2 enqueued (2 failed and due, 0 queued without a task), "
        "0 interrupted while sending released.\n"
    )

    assert [m.state for m in Message.objects.order_by("pk")] == [MessageState.SENT, MessageState.SENT]
    assert sorted(s.reference for s in sms.outbox) == sorted([f"motcua-{first.pk}", f"motcua-{second.pk}"])
    assert run_command().startswith("Notifications: 0 enqueued")


def test_a_queued_message_whose_task_was_lost_is_sent_after_fifteen_minutes(frozen):
    message = notify_sms("lost")  # the commit happened, the enqueue did not (no on_commit here)

    frozen.shift(14 * 60)
    assert retry_due_messages().enqueued == 0
    frozen.shift(60)
    report = retry_due_messages()

    assert (report.queued_stale, report.enqueued) == (1, 1)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 1)
    assert len(sms.outbox) == 1


def test_a_message_left_sending_by_a_dead_worker_is_retried_after_the_lease(frozen):
    message = notify_sms("crash")
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENDING, attempts=1, claimed_at=NOW)

    frozen.shift(14 * 60)
    assert retry_due_messages().interrupted == 0
    assert deliver(message_id=message.pk).state == MessageState.SENDING
    frozen.shift(60)
    report = retry_due_messages()

    assert (report.interrupted, report.failed_due, report.enqueued) == (1, 1, 1)
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (MessageState.SENT, 2, "")
    assert len(sms.outbox) == 1


def test_a_dead_worker_on_the_last_attempt_gives_up(settings, frozen):
    settings.MOTCUA_NOTIFICATION_MAX_ATTEMPTS = 2
    message = notify_sms("crash-last")
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENDING, attempts=2, claimed_at=NOW)

    frozen.shift(15 * 60)
    report = retry_due_messages()

    message.refresh_from_db()
    assert (report.interrupted, report.enqueued) == (1, 0)
    assert (message.state, message.last_error) == (
        MessageState.GAVE_UP,
        "Interrupted: the worker stopped while sending; the message may have been delivered.",
    )
    assert sms.outbox == []


def test_sent_and_given_up_messages_are_never_picked_up(frozen, committed):
    with committed():
        notify_sms("sent")
    given_up = notify_sms("given-up")
    Message.objects.filter(pk=given_up.pk).update(state=MessageState.GAVE_UP, attempts=5)

    frozen.shift(24 * 3600)
    assert retry_due_messages().enqueued == 0
    assert len(sms.outbox) == 1
