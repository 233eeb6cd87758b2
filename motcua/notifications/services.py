"""Notifications: record a message from a template, deliver it after commit, retry with back-off.

``notify`` validates and renders, records the message QUEUED under the caller's idempotency key and
schedules ``tasks.deliver_message`` with ``transaction.on_commit``: nothing is sent if the caller's
transaction rolls back, and the same key never sends twice. A caller that is itself a background
task (the dossier notifications) passes ``send_now``: the message is recorded already claimed
(SENDING) and sent by that process after the commit, without a task of its own. ``notify_many``
does the same for a batch of prepared notices (``prepare``) in a fixed few statements (the outbox
pump's notifications, decision 0052). ``deliver`` claims the message with a conditional update
(QUEUED or due FAILED → SENDING), sends outside any lock, and records SENT, or FAILED with the
error and the next attempt (exponential back-off), or GAVE_UP after
``MOTCUA_NOTIFICATION_MAX_ATTEMPTS`` attempts or a permanent refusal. Delivery errors are recorded,
never raised. ``retry_due_messages`` (command ``retry_failed_messages``, run by the
scheduler) is the safety net: due FAILED messages, QUEUED ones whose task was lost, SENDING ones
whose worker died.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import smtplib
from collections.abc import Collection, Mapping, Sequence
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F, Q

from motcua.core import clock, rows
from motcua.core.errors import Conflict, ValidationFailed

from .models import Channel, Language, Message, MessageState
from .recipients import mask_phone, mask_recipient, normalise_recipient
from .rendering import render
from .sms import SmsError, get_sms_backend
from .tasks import deliver_message

logger = logging.getLogger(__name__)

_SUBJECT_REF = re.compile(r"([a-z][a-z0-9_.-]{0,49}):(\S{1,64})")
MAX_KEY_LENGTH = 200
MAX_ERROR_LENGTH = 2000
MAX_RETRY_DELAY = dt.timedelta(hours=6)
STALE_QUEUED_AFTER = dt.timedelta(minutes=15)
SENDING_LEASE = dt.timedelta(minutes=15)


class DeliveryError(Exception):
    """A backend reported success without sending (e.g. a mail backend that accepted nothing)."""


@dataclasses.dataclass(frozen=True)
class Notice:
    """One message to record, as ``notify``'s arguments (for ``prepare`` and ``notify_many``)."""

    template_key: str
    channel: str
    recipient: str
    context: Mapping[str, str | int]
    subject_ref: str
    idempotency_key: str
    language: str = Language.VI


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A notice validated and rendered (``prepare``): the message to record, not saved yet, and what
    a message already recorded under its key must match."""

    message: Message
    identity: Mapping[str, str]


def prepare(notice: Notice) -> Prepared:
    """Validate and render ``notice``, reading and writing nothing.

    Raises ValidationFailed for a bad channel, recipient (``invalid_recipient``), language, template
    key, context or subject reference, in that order (as ``notify`` does).
    """
    channel, language = notice.channel, notice.language
    if channel not in Channel.values:
        raise ValidationFailed(
            f"Kênh thông báo không hợp lệ: “{channel}” (email hoặc sms).",
            f"Invalid notification channel: “{channel}” (email or sms).",
            code="invalid_channel",
            field="channel",
        )
    if language not in Language.values:
        raise ValidationFailed(
            f"Ngôn ngữ không được hỗ trợ: “{language}” (vi hoặc en).",
            f"Unsupported language: “{language}” (vi or en).",
            code="unsupported_language",
            field="language",
        )
    address = normalise_recipient(channel, notice.recipient)
    subject_type, subject_id = _parse_subject_ref(notice.subject_ref)
    key = notice.idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Khóa chống trùng phải có từ 1 đến {MAX_KEY_LENGTH} ký tự.",
            f"The idempotency key must be 1 to {MAX_KEY_LENGTH} characters long.",
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    rendered = render(
        template_key=notice.template_key, channel=channel, language=language, context=notice.context
    )
    identity = {
        "channel": channel,
        "recipient": address,
        "template_key": notice.template_key,
        "subject_type": subject_type,
        "subject_id": subject_id,
    }
    message = Message(
        **identity, language=language, subject=rendered.subject, body=rendered.body, idempotency_key=key
    )
    return Prepared(message=message, identity=identity)


def _claim_now(message: Message, now: dt.datetime) -> None:
    """Record ``message`` already claimed by this process, as ``deliver``'s claim would leave it: no
    other worker takes it, and if this one dies before recording the outcome, ``retry_due_messages``
    releases it after the lease and it is sent again."""
    message.state, message.attempts, message.claimed_at = MessageState.SENDING, 1, now


def notify(
    *,
    template_key: str,
    channel: str,
    recipient: str,
    context: Mapping[str, str | int],
    subject_ref: str,
    language: str = Language.VI,
    idempotency_key: str,
    send_now: bool = False,
) -> Message:
    """Render and record one message, and schedule its delivery after the current transaction commits.

    Returns the new message (QUEUED), or the message already recorded under ``idempotency_key``
    (then nothing new is scheduled). After the commit, a ``deliver_message`` task is enqueued for the new
    message. With ``send_now`` (for a caller that is itself a background task, such as the dossier
    notifications) the message is recorded SENDING, claimed by this process, which sends it right
    after the commit instead: one task fewer, and no claim to write. A failure takes the same
    back-off path as ``deliver`` (a deferred task per retry).

    Raises ValidationFailed for a bad channel, recipient (``invalid_recipient``), language, template
    key, context or subject reference, and Conflict (``idempotency_key_reused``) when the key already
    names a different notification.
    """
    prepared = prepare(
        Notice(
            template_key=template_key,
            channel=channel,
            recipient=recipient,
            context=context,
            subject_ref=subject_ref,
            idempotency_key=idempotency_key,
            language=language,
        )
    )
    message, identity = prepared.message, prepared.identity
    key = message.idempotency_key

    existing = rows.first(Message, idempotency_key=key)
    if existing is not None:
        return _same_notification(existing, identity)
    if send_now:
        _claim_now(message, clock.now())
    try:
        with transaction.atomic():
            rows.insert(message)  # one statement built once (decision 0043); Message has no model signals
    except IntegrityError:
        # Another transaction recorded the same key between our read and our insert.
        existing = rows.first(Message, idempotency_key=key)
        if existing is None:
            raise
        return _same_notification(existing, identity)

    if send_now:
        transaction.on_commit(partial(_send_claimed, message), robust=True)
    else:
        message_id = message.pk
        transaction.on_commit(lambda: _enqueue(message_id))
    return message


def notify_many(prepared: Sequence[Prepared], *, send_now: bool = False) -> list[Message]:
    """``notify`` for a batch of prepared notices (``prepare``), in a fixed few statements: one read of
    the keys already recorded, one multi-row insert of the new messages (decision 0052).

    Returns, in the order given, each notice's message: the new one, or the one already recorded
    under its key (a re-run, another worker, or an earlier notice of this batch with the same key),
    for which nothing new is scheduled. A key recorded by another transaction between the read and
    the insert is skipped by the insert (``rows.insert_new``) and read back, never duplicated. After
    the commit, as ``notify``: a ``deliver_message`` task per new message; with ``send_now``, the
    new messages are recorded claimed (SENDING) and this process sends them all right after the
    commit, recording the sent ones in a few UPDATEs (``_send_claimed_many``).

    All or nothing, in a savepoint of its own: raises Conflict (``idempotency_key_reused``) when a
    key already names a different notification, and then records nothing.
    """
    if not prepared:
        return []
    with transaction.atomic():
        recorded = _recorded({p.message.idempotency_key for p in prepared})
        result: list[Message] = []
        new: dict[str, tuple[int, Prepared]] = {}
        now = clock.now()
        for p in prepared:
            key = p.message.idempotency_key
            if key in recorded:
                result.append(_same_notification(recorded[key], p.identity))
            elif key in new:
                result.append(_same_notification(new[key][1].message, p.identity))
            else:
                if send_now:
                    _claim_now(p.message, now)
                new[key] = (len(result), p)
                result.append(p.message)
        messages = [p.message for _index, p in new.values()]
        inserted = rows.insert_new(messages, unique="idempotency_key")
        if len(inserted) < len(messages):
            # Recorded by another transaction between our read and our insert: theirs stands.
            skipped = {m.idempotency_key for m in messages if m.pk is None}
            theirs = _recorded(skipped)
            for key in skipped:
                if key not in theirs:
                    raise IntegrityError(f"notification key {key} conflicted, yet no row holds it")
                index, p = new[key]
                result[index] = _same_notification(theirs[key], p.identity)
        if inserted:
            if send_now:
                transaction.on_commit(partial(_send_claimed_many, inserted), robust=True)
            else:
                transaction.on_commit(partial(_enqueue_each, [m.pk for m in inserted]))
    return result


def _recorded(keys: Collection[str]) -> dict[str, Message]:
    """The messages recorded under ``keys``, by key: one statement (``rows.where_in``)."""
    return {m.idempotency_key: m for m in rows.where_in(Message, "idempotency_key", sorted(keys))}


def _enqueue_each(message_ids: Sequence[int]) -> None:
    for message_id in message_ids:
        _enqueue(message_id)


def deliver(*, message_id: int) -> Message | None:
    """Try to send one message now. Never raises for a delivery error; returns the message as left.

    Does nothing (and returns the message unchanged) when it is SENT, GAVE_UP, being sent by
    another worker, or FAILED with its next attempt still in the future. Returns None when the row
    does not exist.
    """
    now = clock.now()
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(Q(state=MessageState.QUEUED) | Q(state=MessageState.FAILED, next_attempt_at__lte=now))
        .update(
            state=MessageState.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            next_attempt_at=None,
            updated_at=now,
        )
    )
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        logger.warning("notification message %s does not exist; nothing to deliver", message_id)
        return None
    if not claimed:
        return message
    return _send_claimed(message)


def _log_sent(message: Message) -> None:
    logger.info(
        "notification message %s (%s, %s to %s) sent on attempt %s",
        message.pk,
        message.template_key,
        message.channel,
        mask_recipient(message.channel, message.recipient),
        message.attempts,
    )


def _send_claimed(message: Message) -> Message:
    """Send a message this process has claimed (SENDING) and record the outcome; never raises for a
    delivery error."""
    try:
        provider_id = _send(message)
    except Exception as exc:  # every backend error is recorded on the message, never raised
        return _record_failure(message, exc)

    sent_at = clock.now()
    recorded = _mark_sent(message, sent_at=sent_at, provider_id=provider_id[:200])
    _log_sent(message)
    if recorded:  # the row as just written, without reading it back
        message.state, message.sent_at, message.updated_at = MessageState.SENT, sent_at, sent_at
        message.provider_message_id, message.last_error = provider_id[:200], ""
    else:
        message.refresh_from_db()
    return message


_MARK_SENT: dict[str, tuple[str, list[Any]]] = {}


def _mark_sent(message: Message, *, sent_at: dt.datetime, provider_id: str) -> int:
    """``Message.objects.filter(pk=…, state=SENDING).update(state=SENT, sent_at=…,
    provider_message_id=…, last_error="", updated_at=sent_at)``, the statement built once per
    database (decision 0043): written only while this process holds the claim. Returns the rows
    changed (0 or 1)."""
    connection = connections[DEFAULT_DB_ALIAS]
    built = _MARK_SENT.get(connection.vendor)
    if built is None:
        meta = Message._meta
        names = ("state", "sent_at", "provider_message_id", "last_error", "updated_at")
        by_name = {f.name: f for f in meta.concrete_fields}
        fields = [by_name[name] for name in names]
        sets = ", ".join(f"{rows.quote(f.column)} = %s" for f in fields)
        table, pk, state = rows.quote(meta.db_table), rows.quote(meta.pk.column), rows.quote(fields[0].column)
        sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s AND {state} = %s"  # noqa: S608 - names from _meta
        built = (sql, fields)
        _MARK_SENT[connection.vendor] = built
    sql, fields = built
    values = [MessageState.SENT, sent_at, provider_id, "", sent_at]
    prepared = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*prepared, message.pk, fields[0].get_db_prep_save(MessageState.SENDING, connection)]
        )
        return int(cursor.rowcount)


# The sent messages of a batch are recorded by one UPDATE per this many, or per this long since the
# first of them was sent: a process killed in between leaves at most these SENDING, to be sent again
# after the lease (as one killed between a send and its UPDATE does, decision 0046).
MARK_SENT_EVERY = 50
MARK_SENT_WITHIN = dt.timedelta(seconds=1)


def _send_claimed_many(messages: Sequence[Message]) -> list[Message]:
    """``_send_claimed`` for a batch (``notify_many(send_now=True)``): send each message this process
    has claimed, record the sent ones together (``_mark_sent_many``), a failure by itself on the
    back-off path (``_record_failure``); never raises for a delivery error."""
    sent: list[tuple[Message, dt.datetime, str]] = []
    for message in messages:
        try:
            provider_id = _send(message)
        except Exception as exc:  # every backend error is recorded on the message, never raised
            _record_failure(message, exc)
            continue
        sent.append((message, clock.now(), provider_id[:200]))
        _log_sent(message)
        if len(sent) >= MARK_SENT_EVERY or sent[-1][1] - sent[0][1] >= MARK_SENT_WITHIN:
            _mark_sent_many(sent)
            sent = []
    _mark_sent_many(sent)
    return list(messages)


_MARK_SENT_MANY: dict[str, str] = {}


def _mark_sent_many(sent: Sequence[tuple[Message, dt.datetime, str]]) -> None:
    """``_mark_sent`` for several messages in one statement: each (message, sent_at, provider id)
    becomes SENT with its own time and provider id, only while still SENDING (this process's claim).
    The instances are updated in memory as the rows were written; one whose claim was lost (a
    message left SENDING past the lease and released meanwhile) is read back instead.

    On PostgreSQL ``UPDATE … FROM unnest(ids, times, provider ids)``, built once (``rows.arrays``);
    elsewhere a ``CASE`` per column over the messages."""
    if not sent:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    meta = Message._meta
    by_name = {f.name: f for f in meta.concrete_fields}
    q = rows.quote
    table, pk = q(meta.db_table), q(meta.pk.column)
    state, last_error = q(by_name["state"].column), q(by_name["last_error"].column)
    sent_at, provider, updated_at = (
        q(by_name[n].column) for n in ("sent_at", "provider_message_id", "updated_at")
    )
    ids = [message.pk for message, _at, _provider in sent]
    times = [by_name["sent_at"].get_db_prep_save(at, connection) for _message, at, _provider in sent]
    providers = [provider_id for _message, _at, provider_id in sent]
    sending = by_name["state"].get_db_prep_save(MessageState.SENDING, connection)
    sets = [by_name["state"].get_db_prep_save(MessageState.SENT, connection), ""]
    if rows.arrays():
        sql = _MARK_SENT_MANY.get(connection.vendor)
        if sql is None:
            arrays = ", ".join(rows.array_of(by_name[n]) for n in ("id", "sent_at", "provider_message_id"))
            sql = (
                f"UPDATE {table} SET {state} = %s, {last_error} = %s, {sent_at} = v.sent_at, "  # noqa: S608
                f"{provider} = v.provider, {updated_at} = v.sent_at "
                f"FROM unnest({arrays}) AS v(id, sent_at, provider) "
                f"WHERE {table}.{pk} = v.id AND {table}.{state} = %s RETURNING {table}.{pk}"
            )
            _MARK_SENT_MANY[connection.vendor] = sql
        params: list[Any] = [*sets, ids, times, providers, sending]
    else:
        whens = " ".join(["WHEN %s THEN %s"] * len(sent))
        sql = (
            f"UPDATE {table} SET {state} = %s, {last_error} = %s, "  # noqa: S608 - names from _meta
            f"{sent_at} = CASE {pk} {whens} END, {provider} = CASE {pk} {whens} END, "
            f"{updated_at} = CASE {pk} {whens} END "
            f"WHERE {pk} IN ({', '.join(['%s'] * len(sent))}) AND {state} = %s RETURNING {pk}"
        )
        by_time = [value for pair in zip(ids, times, strict=True) for value in pair]
        by_provider = [value for pair in zip(ids, providers, strict=True) for value in pair]
        params = [*sets, *by_time, *by_provider, *by_time, *ids, sending]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = {row[0] for row in cursor.fetchall()}
    for message, at, provider_id in sent:
        if message.pk in written:  # the row as just written, without reading it back
            message.state, message.sent_at, message.updated_at = MessageState.SENT, at, at
            message.provider_message_id, message.last_error = provider_id, ""
        else:
            message.refresh_from_db()


@dataclasses.dataclass(frozen=True)
class RetryReport:
    interrupted: int
    """SENDING past the lease (the worker died): made FAILED and due now, or GAVE_UP."""
    failed_due: int
    """FAILED messages whose next attempt is due."""
    queued_stale: int
    """QUEUED messages older than the stale delay (their task was lost)."""
    enqueued: int
    """Delivery tasks enqueued (failed_due + queued_stale, minus enqueue errors)."""


def retry_due_messages(
    *,
    at: dt.datetime | None = None,
    limit: int = 500,
    stale_after: dt.timedelta = STALE_QUEUED_AFTER,
    lease: dt.timedelta = SENDING_LEASE,
) -> RetryReport:
    """Enqueue delivery for every message that is due and has no task on its way; safe to run often.

    A message enqueued twice is still sent once: ``deliver`` claims it with a conditional update.
    """
    now = at or clock.now()
    interrupted = 0
    stuck = Message.objects.filter(state=MessageState.SENDING, claimed_at__lte=now - lease).order_by("pk")
    for message in stuck[:limit]:
        interrupted += _release_interrupted(message, now)

    due = Q(state=MessageState.FAILED, next_attempt_at__lte=now)
    stale = Q(state=MessageState.QUEUED, created_at__lte=now - stale_after)
    rows = list(Message.objects.filter(due | stale).order_by("pk").values_list("pk", "state")[:limit])
    enqueued = sum(1 for pk, _state in rows if _enqueue(pk))
    return RetryReport(
        interrupted=interrupted,
        failed_due=sum(1 for _pk, state in rows if state == MessageState.FAILED),
        queued_stale=sum(1 for _pk, state in rows if state == MessageState.QUEUED),
        enqueued=enqueued,
    )


def max_attempts() -> int:
    return max(1, int(settings.MOTCUA_NOTIFICATION_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after the ``attempts``-th failed attempt: base, 2×base, 4×base … at most 6 hours."""
    base = dt.timedelta(seconds=int(settings.MOTCUA_NOTIFICATION_RETRY_SECONDS))
    factor: int = 2 ** min(max(0, attempts - 1), 16)
    return min(base * factor, MAX_RETRY_DELAY)


# --- helpers ---


def _parse_subject_ref(subject_ref: str) -> tuple[str, str]:
    match = _SUBJECT_REF.fullmatch(subject_ref or "")
    if match is None:
        raise ValidationFailed(
            "Tham chiếu đối tượng phải có dạng “loại:mã”, ví dụ “dossier:123”.",
            "The subject reference must look like “type:id”, e.g. “dossier:123”.",
            code="invalid_subject_ref",
            field="subject_ref",
        )
    return match.group(1), match.group(2)


def _same_notification(existing: Message, identity: Mapping[str, str]) -> Message:
    if any(getattr(existing, field) != value for field, value in identity.items()):
        raise Conflict(
            f"Khóa chống trùng “{existing.idempotency_key}” đã được dùng cho một thông báo khác.",
            f"The idempotency key “{existing.idempotency_key}” was already used for another notification.",
            code="idempotency_key_reused",
            field="idempotency_key",
        )
    return existing


def _enqueue(message_id: int, run_after: dt.datetime | None = None) -> bool:
    """Enqueue delivery; an enqueue error is logged (the retry command picks the message up later)."""
    try:
        task = deliver_message if run_after is None else deliver_message.using(run_after=run_after)
        task.enqueue(message_id)
    except Exception:
        logger.exception("could not enqueue delivery of notification message %s", message_id)
        return False
    return True


def _send(message: Message) -> str:
    if message.channel == Channel.SMS:
        return get_sms_backend().send(message.recipient, message.body, reference=f"motcua-{message.pk}")
    return _send_email(message)


def _send_email(message: Message) -> str:
    sender = str(settings.DEFAULT_FROM_EMAIL or "")
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message_id_header = make_msgid(idstring=f"motcua.{message.pk}", domain=domain)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=sender,
        to=[message.recipient],
        headers={
            "Message-ID": message_id_header,
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies
        },
    )
    if email.send(fail_silently=False) != 1:
        raise DeliveryError("the mail backend accepted no message")
    return message_id_header


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, SmsError):
        return exc.permanent
    return isinstance(exc, smtplib.SMTPRecipientsRefused)


def _describe(exc: Exception, message: Message) -> str:
    """The error for technical support, without the recipient's address or number."""
    text = f"{type(exc).__name__}: {exc}"
    masked = mask_recipient(message.channel, message.recipient)
    text = text.replace(message.recipient, masked)
    if message.channel == Channel.SMS:
        text = text.replace(f"0{message.recipient[3:]}", mask_phone(message.recipient))
    return text[:MAX_ERROR_LENGTH]


def _record_failure(message: Message, exc: Exception) -> Message:
    now = clock.now()
    error = _describe(exc, message)
    give_up = _is_permanent(exc) or message.attempts >= max_attempts()
    next_attempt_at = None if give_up else now + retry_delay(message.attempts)
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=MessageState.GAVE_UP if give_up else MessageState.FAILED,
        last_error=error,
        next_attempt_at=next_attempt_at,
        updated_at=now,
    )
    masked = mask_recipient(message.channel, message.recipient)
    if give_up:
        logger.error(
            "notification message %s (%s, %s to %s) given up after attempt %s: %s",
            message.pk,
            message.template_key,
            message.channel,
            masked,
            message.attempts,
            error,
        )
    else:
        logger.warning(
            "notification message %s (%s, %s to %s) failed on attempt %s, next at %s: %s",
            message.pk,
            message.template_key,
            message.channel,
            masked,
            message.attempts,
            next_attempt_at,
            error,
        )
        if next_attempt_at is not None and deliver_message.get_backend().supports_defer:
            message_id, run_after = message.pk, next_attempt_at
            transaction.on_commit(lambda: _enqueue(message_id, run_after))
    message.refresh_from_db()
    return message


def _release_interrupted(message: Message, now: dt.datetime) -> int:
    give_up = message.attempts >= max_attempts()
    return Message.objects.filter(
        pk=message.pk, state=MessageState.SENDING, claimed_at=message.claimed_at
    ).update(
        state=MessageState.GAVE_UP if give_up else MessageState.FAILED,
        next_attempt_at=None if give_up else now,
        last_error="Interrupted: the worker stopped while sending; the message may have been delivered.",
        updated_at=now,
    )
