"""notify_many: a batch of prepared notices recorded in a fixed few statements, once per key, all or
nothing; with send_now, sent after the commit and the sent ones recorded together, a failure on the
back-off path (decision 0052)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from motcua.core.errors import Conflict, ValidationFailed
from motcua.notifications import services, sms
from motcua.notifications.models import Message, MessageState
from motcua.notifications.services import Notice, notify, notify_many, prepare

from . import backends
from .contexts import ACCEPTED, NOW

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def notices(*dossiers: int) -> list[Notice]:
    return [
        Notice(
            template_key="dossier.accepted",
            channel=channel,
            recipient=recipient,
            context=ACCEPTED,
            subject_ref=f"dossier:{pk}",
            idempotency_key=f"dossier-event:{pk}:{channel}",
        )
        for pk in dossiers
        for channel, recipient in (("email", f"an{pk}@example.vn"), ("sms", f"0912 345 {pk:03d}"))
    ]


def recorded() -> list[tuple]:
    return list(
        Message.objects.order_by("pk").values_list(
            "idempotency_key", "channel", "recipient", "subject_id", "state", "attempts"
        )
    )


def test_a_batch_records_every_message_in_one_read_and_one_insert(database_queue, frozen, committed):
    prepared = [prepare(n) for n in notices(1, 2, 3)]
    with committed() as callbacks, CaptureQueriesContext(connection) as captured:
        messages = notify_many(prepared)
    # Its savepoint, the keys already recorded, the insert of all six.
    assert [q["sql"].split()[0] for q in captured.captured_queries] == [
        "SAVEPOINT",
        "SELECT",
        "INSERT",
        "RELEASE",
    ]
    assert len(callbacks) == 1
    assert recorded() == [
        (f"dossier-event:{pk}:{channel}", channel, recipient, str(pk), MessageState.QUEUED, 0)
        for pk in (1, 2, 3)
        for channel, recipient in (("email", f"an{pk}@example.vn"), ("sms", f"+84912345{pk:03d}"))
    ]
    assert [m.pk for m in messages] == list(Message.objects.order_by("pk").values_list("pk", flat=True))
    kept = {f.attname: [getattr(m, f.attname) for m in messages] for f in Message._meta.concrete_fields}
    read = {
        f.attname: [getattr(m, f.attname) for m in Message.objects.order_by("pk")]
        for f in Message._meta.concrete_fields
    }
    assert kept == read  # what the caller holds is the rows as written
    tasks = DBTaskResult.objects.values_list("task_path", "args_kwargs")
    assert sorted((path, args["args"]) for path, args in tasks) == [
        ("motcua.notifications.tasks.deliver_message", [m.pk]) for m in messages
    ]


def test_a_rerun_records_nothing_new_and_schedules_nothing(database_queue, frozen, committed):
    with committed():
        first = notify_many([prepare(n) for n in notices(1, 2)])
    singles = [notify(**vars(n)) for n in notices(3)]  # recorded by notify itself
    with committed() as callbacks, CaptureQueriesContext(connection) as captured:
        again = notify_many([prepare(n) for n in notices(1, 3, 2)])
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SAVEPOINT", "SELECT", "RELEASE"]
    assert callbacks == []
    assert [m.pk for m in again] == [m.pk for m in (first[0], first[1], *singles, first[2], first[3])]
    assert Message.objects.count() == 6
    assert DBTaskResult.objects.count() == 4  # the first batch's, nothing more


def test_the_same_key_twice_in_a_batch_is_recorded_once():
    twice = [prepare(n) for n in [*notices(1), notices(1)[0]]]
    messages = notify_many(twice)
    assert [m.pk for m in messages] == [messages[0].pk, messages[1].pk, messages[0].pk]
    assert Message.objects.count() == 2


def test_a_key_of_another_notification_refuses_the_whole_batch():
    notify(**vars(notices(2)[1]))
    other = Notice(**{**vars(notices(2)[1]), "subject_ref": "dossier:99"})
    with pytest.raises(Conflict) as refused:
        notify_many([prepare(n) for n in [*notices(1), other]])
    assert refused.value.code == "idempotency_key_reused"
    assert Message.objects.count() == 1  # nothing of the batch recorded


def test_prepare_refuses_as_notify_does():
    bad = Notice(**{**vars(notices(1)[1]), "recipient": "12345"})
    with pytest.raises(ValidationFailed) as refused:
        prepare(bad)
    assert refused.value.code == "invalid_recipient"
    assert Message.objects.count() == 0


def test_a_key_recorded_by_another_transaction_meanwhile_is_not_duplicated(monkeypatch):
    theirs = notify(**vars(notices(1)[0]))
    real = services._recorded
    calls = []

    def read_too_early(keys):  # the first read ran before the other transaction committed
        calls.append(sorted(keys))
        return {} if len(calls) == 1 else real(keys)

    monkeypatch.setattr(services, "_recorded", read_too_early)
    messages = notify_many([prepare(n) for n in notices(1)])
    assert calls == [["dossier-event:1:email", "dossier-event:1:sms"], ["dossier-event:1:email"]]
    assert messages[0].pk == theirs.pk and messages[1].pk != theirs.pk
    assert Message.objects.count() == 2


def test_send_now_sends_after_the_commit_and_records_the_sent_in_one_update(frozen, committed, mailoutbox):
    with CaptureQueriesContext(connection) as captured, committed():
        messages = notify_many([prepare(n) for n in notices(1, 2)], send_now=True)
        assert [(m.state, m.attempts, m.claimed_at) for m in messages] == [(MessageState.SENDING, 1, NOW)] * 4
        assert (mailoutbox, sms.outbox) == ([], [])
    assert [q["sql"].split()[0] for q in captured.captured_queries] == [
        "SAVEPOINT",
        "SELECT",
        "INSERT",
        "RELEASE",
        "UPDATE",
    ]
    assert [e.to for e in mailoutbox] == [["an1@example.vn"], ["an2@example.vn"]]
    assert [(s.phone, s.reference) for s in sms.outbox] == [
        ("+84912345001", f"motcua-{messages[1].pk}"),
        ("+84912345002", f"motcua-{messages[3].pk}"),
    ]
    read = list(Message.objects.order_by("pk"))
    for kept, row in zip(messages, read, strict=True):
        assert {f.attname: getattr(kept, f.attname) for f in Message._meta.concrete_fields} == {
            f.attname: getattr(row, f.attname) for f in Message._meta.concrete_fields
        }
    assert [(m.state, m.sent_at, m.last_error) for m in read] == [(MessageState.SENT, NOW, "")] * 4
    assert [m.provider_message_id for m in read] == [
        mailoutbox[0].extra_headers["Message-ID"],
        sms.outbox[0].provider_id,
        mailoutbox[1].extra_headers["Message-ID"],
        sms.outbox[1].provider_id,
    ]


def test_a_failed_send_takes_the_back_off_path_and_the_others_are_sent(
    database_queue, settings, frozen, committed, mailoutbox
):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.tests.backends.FlakySmsBackend"
    backends.fail_next("sms", 1)  # the first SMS: the gateway is busy
    with committed():
        messages = notify_many([prepare(n) for n in notices(1, 2)], send_now=True)
    read = list(
        Message.objects.order_by("pk").values_list("state", "attempts", "next_attempt_at", "last_error")
    )
    assert read == [
        (MessageState.SENT, 1, None, ""),
        (MessageState.FAILED, 1, NOW + 5 * MINUTE, "SmsError: gateway busy (503) for +84******001"),
        (MessageState.SENT, 1, None, ""),
        (MessageState.SENT, 1, None, ""),
    ]
    (retry,) = DBTaskResult.objects.all()
    assert (retry.task_path, retry.args_kwargs, retry.run_after) == (
        "motcua.notifications.tasks.deliver_message",
        {"args": [messages[1].pk], "kwargs": {}},
        NOW + 5 * MINUTE,
    )
    assert messages[1].state == MessageState.FAILED
    frozen.shift(5 * 60)
    assert services.deliver(message_id=messages[1].pk).state == MessageState.SENT
    assert (backends.calls["sms"], len(sms.outbox), len(mailoutbox)) == (3, 2, 2)


def test_a_claim_lost_before_the_update_is_not_overwritten(frozen):
    messages = notify_many([prepare(n) for n in notices(1)], send_now=True)  # not committed: no send yet
    Message.objects.filter(pk=messages[0].pk).update(state=MessageState.FAILED, next_attempt_at=NOW)
    services._mark_sent_many([(m, NOW, f"id-{m.pk}") for m in messages])
    assert list(Message.objects.order_by("pk").values_list("state", "provider_message_id")) == [
        (MessageState.FAILED, ""),
        (MessageState.SENT, f"id-{messages[1].pk}"),
    ]
    assert [m.state for m in messages] == [MessageState.FAILED, MessageState.SENT]  # read back, or as written


def test_an_empty_batch_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify_many([]) == []


def test_the_sent_are_recorded_fifty_at_a_time(frozen, committed, mailoutbox):
    """A process killed while sending a batch leaves at most fifty sent messages SENDING (sent
    again after the lease); the batch of sixty is recorded by two UPDATEs."""
    assert services.MARK_SENT_EVERY == 50
    with CaptureQueriesContext(connection) as captured, committed():
        messages = notify_many([prepare(n) for n in notices(*range(1, 31))], send_now=True)
        recorded = len(captured.captured_queries)
    updates = captured.captured_queries[recorded:]
    assert [q["sql"].split()[0] for q in updates] == ["UPDATE", "UPDATE"]
    assert len(messages) == 60 and (len(mailoutbox), len(sms.outbox)) == (30, 30)
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}
