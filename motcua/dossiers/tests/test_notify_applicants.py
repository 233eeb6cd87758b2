"""The outbox pump notifies the applicants of a batch of events at once (``effects.notify_applicants``,
decision 0052): one read of the events, one of the keys, one insert, one UPDATE for the sent; an
event that cannot be notified is logged, left to the recovery sweep, and holds up none of the others."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import effects, services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications import sms
from motcua.notifications.models import Message, MessageState

from .factories import applicant, vn

pytestmark = pytest.mark.django_db

BATCH_FAILED = "notifying the applicants of 3 dossier events in one batch failed"


@pytest.fixture
def accepted(world):
    """Three dossiers accepted at the counter, each with its own applicant, and their events."""
    sms.outbox.clear()
    dossiers = [
        services.receive_at_counter(
            intake=world.intake(
                applicant=applicant(
                    identifier_number=f"04209000123{n}", email=f"an{n}@example.vn", phone=f"0912 345 67{n}"
                )
            ),
            actor=world.reception,
            at=vn(2026, 3, 2, 8 + n),
        )
        for n in range(3)
    ]
    events = [DossierEvent.objects.get(dossier=d, name="accepted") for d in dossiers]
    yield dossiers, events
    sms.outbox.clear()


def _kinds(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0] for q in captured.captured_queries]


def _messages() -> list[tuple]:
    return list(
        Message.objects.order_by("pk").values_list(
            "idempotency_key", "channel", "recipient", "template_key", "subject_id", "state"
        )
    )


def _expected(dossiers, events, state=MessageState.SENT) -> list[tuple]:
    return [
        (f"dossier-event:{event.pk}:{channel}", channel, recipient, "dossier.accepted", str(d.pk), state)
        for n, (d, event) in enumerate(zip(dossiers, events, strict=True))
        for channel, recipient in (("email", f"an{n}@example.vn"), ("sms", f"+8491234567{n}"))
    ]


def test_a_batch_of_events_in_a_fixed_few_statements(accepted, django_capture_on_commit_callbacks):
    dossiers, events = accepted
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        assert effects.notify_applicants(e.pk for e in events) == 6  # in the pump's (the test's) transaction
        recorded = len(captured.captured_queries)
    # Savepoint, the events with their dossiers, notify_many's savepoint, the keys, the insert; after
    # the commit one UPDATE for the six sent.
    assert _kinds(captured)[:recorded] == [
        "SAVEPOINT",
        "SELECT",
        "SAVEPOINT",
        "SELECT",
        "INSERT",
        "RELEASE",
        "RELEASE",
    ]
    assert _kinds(captured)[recorded:] == ["UPDATE"]
    assert _messages() == _expected(dossiers, events)
    assert [m.to for m in mail.outbox] == [["an0@example.vn"], ["an1@example.vn"], ["an2@example.vn"]]
    assert [s.phone for s in sms.outbox] == ["+84912345670", "+84912345671", "+84912345672"]
    assert all(d.code in m.body for d, m in zip(dossiers, mail.outbox, strict=True))


def test_a_rerun_records_and_sends_nothing(accepted, django_capture_on_commit_callbacks):
    dossiers, events = accepted
    with django_capture_on_commit_callbacks(execute=True):
        effects.notify_applicants(e.pk for e in events)
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks() as callbacks:
        assert effects.notify_applicants([events[1].pk, events[0].pk, events[2].pk, events[1].pk]) == 6
    assert _kinds(captured) == ["SAVEPOINT", "SELECT", "SAVEPOINT", "SELECT", "RELEASE", "RELEASE"]
    assert callbacks == []
    assert _messages() == _expected(dossiers, events)
    assert (len(mail.outbox), len(sms.outbox)) == (3, 3)
    assert effects.notify_missed_events(since=vn(2026, 3, 1, 0)) == 0


@pytest.mark.parametrize("broken_by", ["template", "recipient"])
def test_one_event_that_cannot_be_notified_holds_up_none_of_the_others(
    accepted, broken_by, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    dossiers, events = accepted
    broken = dossiers[1]
    if broken_by == "template":
        real = effects.context_for

        def context_for(event, dossier):  # the template asks for a value this context lacks
            context = real(event, dossier)
            return {k: v for k, v in context.items() if k != "due_at"} if dossier.pk == broken.pk else context

        monkeypatch.setattr(effects, "context_for", context_for)
    else:
        Dossier.objects.filter(pk=broken.pk).update(applicant_phone="12345")  # refused by normalise_recipient

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert effects.notify_applicants(e.pk for e in events) == 4
    assert f"notifying the applicant of dossier event {events[1].pk} failed" in caplog.text
    assert BATCH_FAILED not in caplog.text  # the others went in the batch
    fine = [0, 2]
    assert _messages() == [m for m in _expected(dossiers, events) if m[4] != str(broken.pk)]
    assert [m.to for m in mail.outbox] == [[f"an{n}@example.vn"] for n in fine]

    # Mended, the recovery sweep finds it (and only it) and notifies it once.
    monkeypatch.undo()
    Dossier.objects.filter(pk=broken.pk).update(applicant_phone="+84912345671")
    with django_capture_on_commit_callbacks(execute=True):
        assert effects.notify_missed_events(since=vn(2026, 3, 1, 0)) == 1
    assert sorted(_messages()) == sorted(_expected(dossiers, events))
    assert (len(mail.outbox), len(sms.outbox)) == (3, 3)


def test_a_batch_that_fails_falls_back_to_one_event_at_a_time(
    accepted, caplog, django_capture_on_commit_callbacks
):
    """A key already naming another notification refuses the whole batch (notify_many is all or
    nothing): its savepoint is rolled back, and each event is notified in its own, as before."""
    dossiers, events = accepted
    other = Message.objects.create(
        channel="sms",
        recipient="+84912345671",
        template_key="dossier.stopped",
        body="…",
        subject_type="dossier",
        subject_id=str(dossiers[1].pk),
        idempotency_key=f"dossier-event:{events[1].pk}:sms",
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert effects.notify_applicants(e.pk for e in events) == 4
    assert BATCH_FAILED in caplog.text
    assert f"notifying the applicant of dossier event {events[1].pk} failed" in caplog.text
    assert f"notifying the applicant of dossier event {events[0].pk} failed" not in caplog.text
    assert _messages() == [
        (
            other.idempotency_key,
            "sms",
            "+84912345671",
            "dossier.stopped",
            str(dossiers[1].pk),
            MessageState.QUEUED,
        ),
        *[m for m in _expected(dossiers, events) if m[4] != str(dossiers[1].pk)],
    ]
    assert [m.to for m in mail.outbox] == [["an0@example.vn"], ["an2@example.vn"]]
