"""deliver: send once, record failures with back-off, give up after the limit, never raise."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from motcua.notifications import sms
from motcua.notifications.models import Message, MessageState
from motcua.notifications.services import deliver, notify, retry_delay
from motcua.notifications.tasks import deliver_message

from . import backends
from .contexts import ACCEPTED, NOW

pytestmark = pytest.mark.django_db

FLAKY_SMS = "motcua.notifications.tests.backends.FlakySmsBackend"
FLAKY_EMAIL = "motcua.notifications.tests.backends.FlakyEmailBackend"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def flaky(settings):
    settings.MOTCUA_SMS_BACKEND = FLAKY_SMS
    settings.EMAIL_BACKEND = FLAKY_EMAIL


def notify_sms(key="dossier:42:accepted:sms", recipient="0912345678"):
    return notify(
        template_key="dossier.accepted",
        channel="sms",
        recipient=recipient,
        context=ACCEPTED,
        subject_ref="dossier:42",
        idempotency_key=key,
    )


def notify_email():
    return notify(
        template_key="dossier.accepted",
        channel="email",
        recipient="hoa.nguyen@example.vn",
        context=ACCEPTED,
        subject_ref="dossier:42",
        idempotency_key="dossier:42:accepted:email",
    )


def state(message):
    message.refresh_from_db()
    return message.state, message.attempts, message.next_attempt_at, message.last_error


def test_failed_sms_is_recorded_with_the_error_then_sent_on_retry(flaky, frozen, committed):
    backends.fail_next("sms", 1)
    with committed():
        message = notify_sms()

    assert state(message) == (
        MessageState.FAILED,
        1,
        NOW + 5 * MINUTE,
        "SmsError: gateway busy (503) for +84******678",
    )
    assert sms.outbox == []

    frozen.shift(4 * 60)
    assert deliver(message_id=message.pk).state == MessageState.FAILED  # not due yet: nothing happens
    assert backends.calls["sms"] == 1

    frozen.shift(60)
    delivered = deliver(message_id=message.pk)

    assert (delivered.state, delivered.attempts, delivered.last_error, delivered.next_attempt_at) == (
        MessageState.SENT,
        2,
        "",
        None,
    )
    assert delivered.sent_at == NOW + 5 * MINUTE
    assert [(s.phone, s.reference) for s in sms.outbox] == [("+84912345678", f"motcua-{message.pk}")]
    assert delivered.provider_message_id == sms.outbox[0].provider_id


def test_failed_email_then_sent_once(flaky, frozen, committed, mailoutbox):
    backends.fail_next("email", 1)
    with committed():
        message = notify_email()
    assert state(message)[:2] == (MessageState.FAILED, 1)
    assert message.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mailoutbox == []

    frozen.shift(5 * 60)
    deliver(message_id=message.pk)
    deliver(message_id=message.pk)  # a duplicate task: already SENT, nothing happens

    assert state(message)[:2] == (MessageState.SENT, 2)
    assert len(mailoutbox) == 1
    assert backends.calls["email"] == 2


def test_gives_up_after_five_attempts_with_exponential_back_off(flaky, frozen, committed):
    backends.fail_next("sms", None)
    with committed():
        message = notify_sms()

    waits = []
    while state(message)[0] == MessageState.FAILED:
        wait = message.next_attempt_at - dt.datetime.now(tz=dt.UTC)
        waits.append(wait)
        frozen.shift(wait)
        assert deliver(message_id=message.pk) is not None

    assert waits == [5 * MINUTE, 10 * MINUTE, 20 * MINUTE, 40 * MINUTE]
    assert state(message) == (
        MessageState.GAVE_UP,
        5,
        None,
        "SmsError: gateway busy (503) for +84******678",
    )
    assert message.sent_at is None
    frozen.shift(24 * 3600)
    deliver(message_id=message.pk)
    assert backends.calls["sms"] == 5
    assert sms.outbox == []


def test_the_limit_is_a_setting(flaky, settings, committed):
    settings.MOTCUA_NOTIFICATION_MAX_ATTEMPTS = 1
    backends.fail_next("sms", None)
    with committed():
        message = notify_sms()
    assert state(message)[:3] == (MessageState.GAVE_UP, 1, None)


def test_a_permanent_refusal_is_not_retried(settings, committed):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.tests.backends.RefusingSmsBackend"
    with committed():
        message = notify_sms()
    assert state(message) == (MessageState.GAVE_UP, 1, None, "SmsError: gateway answered HTTP 400")


def test_a_misconfigured_backend_is_recorded_not_raised(settings, committed):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.sms.NoSuchBackend"
    with committed():
        message = notify_sms()
    status, attempts, _next, error = state(message)
    assert (status, attempts) == (MessageState.FAILED, 1)
    assert error.startswith('ImportError: Module "motcua.notifications.sms" does not define')


def test_a_message_being_sent_by_another_worker_is_left_alone():
    message = notify_sms()  # not committed: no task ran
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENDING, attempts=1)

    assert deliver(message_id=message.pk).state == MessageState.SENDING
    assert sms.outbox == []


def test_deliver_and_the_task_for_a_missing_message():
    assert deliver(message_id=987654) is None
    assert deliver_message.call(987654) == "missing"


def test_the_task_returns_the_state():
    message = notify_sms()
    assert deliver_message.call(message.pk) == "sent"
    assert deliver_message.call(message.pk) == "sent"
    assert len(sms.outbox) == 1


def test_retry_delay_doubles_up_to_six_hours(settings):
    settings.MOTCUA_NOTIFICATION_RETRY_SECONDS = 300
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5)] == [dt.timedelta(minutes=m) for m in (5, 10, 20, 40, 80)]
    assert retry_delay(20) == dt.timedelta(hours=6)


def test_with_the_database_queue_a_failure_is_re_enqueued_to_run_after_the_back_off(
    flaky, settings, frozen, committed
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    backends.fail_next("sms", 1)
    with committed():
        message = notify_sms()

    (queued,) = DBTaskResult.objects.all()
    assert (queued.task_path, queued.args_kwargs) == (
        "motcua.notifications.tasks.deliver_message",
        {"args": [message.pk], "kwargs": {}},
    )
    assert state(message)[:2] == (MessageState.QUEUED, 0)

    with committed():  # what the db_worker does with the queued task
        deliver_message.call(message.pk)

    assert state(message)[:3] == (MessageState.FAILED, 1, NOW + 5 * MINUTE)
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert (retry.args_kwargs, retry.run_after) == ({"args": [message.pk], "kwargs": {}}, NOW + 5 * MINUTE)


def test_a_refused_e_mail_address_is_given_up_at_once_without_the_address_in_the_error(settings, committed):
    settings.EMAIL_BACKEND = "motcua.notifications.tests.backends.RefusingEmailBackend"
    with committed():
        message = notify_email()
    assert state(message) == (
        MessageState.GAVE_UP,
        1,
        None,
        "SMTPRecipientsRefused: {'h***@example.vn': (550, b'5.1.1 User unknown')}",
    )
