"""notify(send_now=True): recorded already claimed, sent by the caller's process after the commit,
without a delivery task; a failure takes deliver's back-off path; a process that dies before sending
leaves a message the retry sweep sends once (decision 0046)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import signals
from django_tasks_db.models import DBTaskResult

from motcua.notifications import sms
from motcua.notifications.models import Message, MessageState
from motcua.notifications.services import deliver, notify, retry_due_messages

from . import backends
from .contexts import ACCEPTED, NOW

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def notify_sms(key="dossier-event:7:sms"):
    return notify(
        template_key="dossier.accepted",
        channel="sms",
        recipient="0912 345 678",
        context=ACCEPTED,
        subject_ref="dossier:42",
        idempotency_key=key,
        send_now=True,
    )


def row(message):
    fields = Message._meta.concrete_fields
    read = Message.objects.get(pk=message.pk)
    return {f.attname: getattr(read, f.attname) for f in fields}, {
        f.attname: getattr(message, f.attname) for f in fields
    }


def test_recorded_claimed_then_sent_after_the_commit_without_a_task(database_queue, frozen, committed):
    with committed() as callbacks:
        message = notify_sms()
        recorded = Message.objects.get(pk=message.pk)
        assert (recorded.state, recorded.attempts, recorded.claimed_at) == (MessageState.SENDING, 1, NOW)
        assert sms.outbox == []
    assert len(callbacks) == 1
    assert [(s.phone, s.reference) for s in sms.outbox] == [("+84912345678", f"motcua-{message.pk}")]
    read, kept = row(message)
    assert read == kept  # what the caller holds is the row as written
    assert (read["state"], read["attempts"], read["sent_at"]) == (MessageState.SENT, 1, NOW)
    assert read["provider_message_id"] == sms.outbox[0].provider_id
    assert DBTaskResult.objects.count() == 0  # no deliver_message task
    assert deliver(message_id=message.pk).state == MessageState.SENT  # a task run anyway sends nothing
    assert len(sms.outbox) == 1


def test_the_same_key_again_returns_the_message_and_sends_nothing(frozen, committed):
    with committed():
        first = notify_sms()
    with committed() as callbacks:
        again = notify_sms()
    assert again.pk == first.pk and callbacks == []
    assert len(sms.outbox) == 1


def test_a_failure_takes_the_back_off_path_with_a_deferred_task(database_queue, settings, frozen, committed):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.tests.backends.FlakySmsBackend"
    backends.fail_next("sms", 1)
    with committed():
        message = notify_sms()
    read, kept = row(message)
    assert read == kept
    assert (read["state"], read["attempts"], read["next_attempt_at"]) == (
        MessageState.FAILED,
        1,
        NOW + 5 * MINUTE,
    )
    assert read["last_error"] == "SmsError: gateway busy (503) for +84******678"
    (retry,) = DBTaskResult.objects.all()
    assert (retry.task_path, retry.args_kwargs, retry.run_after) == (
        "motcua.notifications.tasks.deliver_message",
        {"args": [message.pk], "kwargs": {}},
        NOW + 5 * MINUTE,
    )
    frozen.shift(5 * 60)
    assert deliver(message_id=message.pk).state == MessageState.SENT
    assert (backends.calls["sms"], len(sms.outbox)) == (2, 1)


def test_a_process_that_died_before_sending_leaves_it_to_the_sweep_once(frozen):
    message = notify_sms()  # not committed here: the process "died" before its after-commit send
    assert Message.objects.get(pk=message.pk).state == MessageState.SENDING
    frozen.shift(14 * 60)
    assert retry_due_messages().interrupted == 0  # the claim still holds
    assert sms.outbox == []
    frozen.shift(2 * 60)
    report = retry_due_messages()  # past the lease: released and sent again
    assert (report.interrupted, report.failed_due, report.enqueued) == (1, 1, 1)
    read = Message.objects.get(pk=message.pk)
    assert (read.state, read.attempts, len(sms.outbox)) == (MessageState.SENT, 2, 1)
    frozen.shift(60 * 60)
    retry_due_messages()
    assert len(sms.outbox) == 1


def test_message_has_no_save_signal_receivers():
    # notify writes it through core.rows, which sends no model signals: a receiver added later must
    # be noticed here.
    for signal in (signals.pre_save, signals.post_save):
        assert signal.has_listeners(Message) is False
