"""The outbox: written with the act, delivered in order, retried with back-off, dead-lettered."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction

from motcua.core.errors import MotcuaError
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.signals import event_recorded
from motcua.dossiers.tests.factories import vn
from motcua.integration import outbox, webhooks
from motcua.integration.models import Delivery, DeliveryState, OutboxEvent, WebhookSubscription

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def _subscribe(url: str, **kw) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="Hệ thống A", url=url, **kw)


def test_every_event_writes_one_outbox_row_in_the_act(factory, outbox_settings):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    rows = list(OutboxEvent.objects.filter(dossier_id=dossier.pk).order_by("id"))
    assert [(r.event_id, r.seq, r.name, r.created_at) for r in rows] == [
        (e.pk, e.seq, e.name, e.at) for e in events
    ]
    assert [r.name for r in rows] == ["accepted", "forwarded", "assigned"]
    assert all(r.dispatched_at is None for r in rows)


def test_a_refused_act_writes_no_outbox_row(factory, world, outbox_settings):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    before = OutboxEvent.objects.count()
    with pytest.raises(MotcuaError):
        dossier_services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 2, 10))
    assert OutboxEvent.objects.count() == before == 1


def test_an_act_rolled_back_after_the_event_leaves_no_outbox_row(factory, world, outbox_settings):
    """A failure later in the same transaction (here: a receiver after ours) undoes the outbox row too."""
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")

    def boom(sender, **kwargs):
        raise RuntimeError("later failure in the act")

    event_recorded.connect(boom, dispatch_uid="test-boom")
    try:
        with pytest.raises(RuntimeError):
            dossier_services.forward_dossier(
                dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 2, 9)
            )
    finally:
        event_recorded.disconnect(dispatch_uid="test-boom")
    assert list(OutboxEvent.objects.values_list("name", flat=True)) == ["accepted"]
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("name", flat=True)) == ["accepted"]


def test_delivers_signed_payloads_in_order(factory, receiver, outbox_settings):
    sub = _subscribe(receiver.url)
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    report = outbox.pump()
    assert (report.dispatched, report.delivered, report.failed, report.dead) == (3, 3, 0, 0)
    bodies = receiver.bodies()
    assert [b["event"]["name"] for b in bodies] == ["accepted", "forwarded", "assigned"]
    first = bodies[0]
    delivery = Delivery.objects.get(uid=first["id"])
    assert first == {
        "id": str(delivery.uid),
        "type": "dossier.accepted",
        "occurred_at": "2026-03-02T01:00:00+00:00",
        "dossier": {"id": dossier.pk, "code": dossier.code},
        "event": {
            "seq": 1,
            "name": "accepted",
            "act": "accept",
            "actor_role": "reception_officer",
            "state_before": "new",
            "state_after": "received",
            "step_after": "",
            "national_status": 2,
        },
    }
    for request in receiver.requests:
        headers = request["headers"]
        assert webhooks.verify(
            sub.secret, headers["X-Motcua-Timestamp"], request["body"], headers["X-Motcua-Signature"]
        )
        assert not webhooks.verify(
            "wrong secret", headers["X-Motcua-Timestamp"], request["body"], headers["X-Motcua-Signature"]
        )
        assert headers["X-Motcua-Event"] == json.loads(request["body"])["type"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    # A second run sends nothing again.
    assert outbox.pump().delivered == 0
    assert len(receiver.requests) == 3


def test_event_filter_of_a_subscription(factory, receiver, outbox_settings):
    _subscribe(receiver.url, events=["forwarded"])
    factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    outbox.pump()
    assert [b["event"]["name"] for b in receiver.bodies()] == ["forwarded"]


def test_back_off_schedule_then_dead_letter(factory, receiver, outbox_settings):
    _subscribe(receiver.url)
    factory.create(at=vn(2026, 3, 2, 8), trait="received")
    receiver.plan = [500, 500, 500, 500]
    schedule = []
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(4):
            report = outbox.pump()
            delivery = Delivery.objects.get()
            schedule.append(
                (delivery.state, delivery.attempts, delivery.next_attempt_at - T0, delivery.last_status)
            )
            # Not due before its time: a run one second early sends nothing.
            if delivery.state == DeliveryState.PENDING:
                traveller.move_to(delivery.next_attempt_at - dt.timedelta(seconds=1))
                assert outbox.pump().delivered + outbox.pump().failed == 0
                traveller.move_to(delivery.next_attempt_at)
    assert schedule == [
        ("pending", 1, dt.timedelta(seconds=30), "500"),
        ("pending", 2, dt.timedelta(seconds=30 + 60), "500"),
        ("pending", 3, dt.timedelta(seconds=30 + 60 + 120), "500"),
        ("dead", 4, dt.timedelta(seconds=30 + 60 + 120), "500"),
    ]
    assert report.dead == 1
    assert Delivery.objects.get().last_error == "HTTP 500"
    assert len(receiver.requests) == 4


def test_retry_delay_is_capped(outbox_settings):
    outbox_settings.MOTCUA_OUTBOX_RETRY_MAX_SECONDS = 100
    assert [outbox.retry_delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 100, 100, 100]


def test_a_failing_dossier_blocks_only_itself(factory, receiver, outbox_settings):
    """Order per dossier: B's later events wait for its failed first one; A's go through."""
    _subscribe(receiver.url)
    first = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")  # accepted, forwarded
    second = factory.create(at=vn(2026, 3, 2, 9), trait="in_processing")
    receiver.plan = [200, 500]  # first's "accepted" goes, second's "accepted" fails
    with time_machine.travel(T0, tick=False) as traveller:
        outbox.pump()
        sent = [(b["dossier"]["id"], b["event"]["name"]) for b in receiver.bodies()]
        assert sent == [(first.pk, "accepted"), (second.pk, "accepted"), (first.pk, "forwarded")]
        states = dict(
            Delivery.objects.filter(dossier_id=second.pk).values_list("outbox_event__name", "state")
        )
        assert states == {"accepted": "pending", "forwarded": "pending"}
        # The blocked event was never attempted.
        assert Delivery.objects.get(dossier_id=second.pk, outbox_event__name="forwarded").attempts == 0
        traveller.move_to(T0 + dt.timedelta(seconds=30))
        outbox.pump()
    sent = [(b["dossier"]["id"], b["event"]["name"]) for b in receiver.bodies()]
    assert sent[3:] == [(second.pk, "accepted"), (second.pk, "forwarded")]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_dead_letter_blocks_the_dossier_until_skipped(factory, receiver, outbox_settings):
    outbox_settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 1
    _subscribe(receiver.url)
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    receiver.plan = [500]
    outbox.pump()
    accepted = Delivery.objects.get(outbox_event__name="accepted")
    forwarded = Delivery.objects.get(outbox_event__name="forwarded")
    assert (accepted.state, forwarded.state, forwarded.attempts) == ("dead", "pending", 0)
    assert outbox.pump().delivered == 0
    Delivery.objects.filter(pk=accepted.pk).update(state=DeliveryState.SKIPPED)
    assert outbox.pump().delivered == 1
    assert [b["event"]["name"] for b in receiver.bodies()] == ["accepted", "forwarded"]
    assert dossier.pk == forwarded.dossier_id


def test_hang_and_failure_deliver_every_event_exactly_once(factory, receiver, outbox_settings):
    """The receiver hangs past the timeout once, then answers 500 once: each id is processed once,
    retries carry the same id, and each delivery is marked delivered once."""
    outbox_settings.MOTCUA_WEBHOOK_TIMEOUT = 0.5
    _subscribe(receiver.url)
    one = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    two = factory.create(at=vn(2026, 3, 2, 9), trait="received")
    receiver.plan = [("hang", 1.5), 500]
    with time_machine.travel(T0, tick=True) as traveller:
        first = outbox.pump()
        # one.accepted hung; two.accepted was given back unsent (the endpoint was silent in this
        # run); one.forwarded waits behind one.accepted.
        assert (first.failed, first.deferred, first.delivered) == (1, 1, 0)
        assert (
            "timeout after 0.5 s"
            in Delivery.objects.get(dossier_id=one.pk, outbox_event__name="accepted").last_error
        )
        traveller.shift(dt.timedelta(seconds=31))
        second = outbox.pump()  # one.accepted gets the 500; two.accepted goes
        assert (second.failed, second.delivered) == (1, 1)
        traveller.shift(dt.timedelta(seconds=61))
        third = outbox.pump()
    assert third.delivered == 2
    uids = {str(u) for u in Delivery.objects.values_list("uid", flat=True)}
    assert set(receiver.accepted) == uids and all(n == 1 for n in receiver.accepted.values())
    hung = str(Delivery.objects.get(dossier_id=one.pk, outbox_event__name="accepted").uid)
    assert receiver.seen[hung] == 3  # hang, 500, success: always the same id
    assert sum(receiver.seen.values()) == 5
    states = dict(Delivery.objects.values_list("uid", "attempts"))
    assert sorted(states.values()) == [1, 1, 3]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert two.pk != one.pk


def test_a_hanging_endpoint_does_not_hold_up_the_others(factory, receiver, outbox_settings):
    """Three dossiers, two subscribers, one of which hangs: one timeout in the run, not three, and
    the healthy subscriber gets every event."""
    import time

    from .conftest import Receiver

    outbox_settings.MOTCUA_WEBHOOK_TIMEOUT = 0.5
    hanging = Receiver()
    try:
        hanging.plan = [("hang", 2)] * 3
        _subscribe(hanging.url)
        _subscribe(receiver.url)
        for hour in (8, 9, 10):
            factory.create(at=vn(2026, 3, 2, hour), trait="received")
        began = time.monotonic()
        report = outbox.pump()
        elapsed = time.monotonic() - began
    finally:
        hanging.stop()
    assert (report.delivered, report.failed, report.deferred) == (3, 1, 2)
    assert len(receiver.accepted) == 3
    assert sum(hanging.seen.values()) == 1
    assert elapsed < 1.5
    waiting = Delivery.objects.filter(destination__endswith=str(WebhookSubscription.objects.first().pk))
    assert sorted(waiting.values_list("state", "attempts")) == [
        ("pending", 0),
        ("pending", 0),
        ("pending", 1),
    ]


def test_expired_claim_is_released(factory, receiver, outbox_settings):
    _subscribe(receiver.url)
    factory.create(at=vn(2026, 3, 2, 8), trait="received")
    with time_machine.travel(T0, tick=False) as traveller:
        outbox.dispatch(now=T0)
        claimed = outbox.claim(now=T0, limit=10)
        assert [d.state for d in claimed] == ["delivering"]
        # The worker dies. Before the lease ends nothing happens; after, the delivery goes again.
        assert outbox.pump().delivered == 0
        traveller.move_to(T0 + outbox.lease() + dt.timedelta(seconds=1))
        report = outbox.pump()
    assert (report.released, report.delivered) == (1, 1)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    # The dead worker's late answer changes nothing.
    assert outbox.record_outcome(claimed[0], outbox.Outcome(ok=False, error="late"), now=T0) == ""
    assert Delivery.objects.get().state == "delivered"


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_event_once(factory, receiver, outbox_settings):
    import threading

    from django.db import connection

    _subscribe(receiver.url)
    for hour in range(8, 14):
        factory.create(at=vn(2026, 3, 2, hour), trait="assigned")
    outbox.dispatch(now=outbox.clock.now())
    errors = []

    def work():
        try:
            for _ in range(5):
                outbox.pump(batch=2, rounds=1)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outbox.pump()
    assert errors == []
    assert Delivery.objects.count() == 18
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert len(receiver.requests) == 18 and set(receiver.seen.values()) == {1}
    by_dossier: dict[int, list[str]] = {}
    for body in receiver.bodies():
        by_dossier.setdefault(body["dossier"]["id"], []).append(body["event"]["name"])
    assert all(names == ["accepted", "forwarded", "assigned"] for names in by_dossier.values())


def test_receiver_inserts_one_row_without_reading(factory, world, outbox_settings, django_assert_num_queries):
    """The receiver's cost in the act: exactly one INSERT."""
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    event = DossierEvent.objects.get(dossier=dossier)
    OutboxEvent.objects.all().delete()
    with transaction.atomic(), django_assert_num_queries(1) as captured:
        outbox.record_event(DossierEvent, event=event, dossier=dossier)
    assert captured.captured_queries[0]["sql"].upper().startswith("INSERT")


def test_wake_and_retries_use_the_database_queue(
    settings, factory, receiver, outbox_settings, django_capture_on_commit_callbacks
):
    """After commit, one deferred pump per one-second window; a failure schedules one run for its retry."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_AUTOWAKE = True
    _subscribe(receiver.url)
    outbox._woken_until = None
    start = T0 + dt.timedelta(milliseconds=300)
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")  # two acts, two commits
        pumps = DBTaskResult.objects.filter(task_path="motcua.integration.tasks.pump_outbox")
        assert list(pumps.values_list("run_after", flat=True)) == [T0 + dt.timedelta(seconds=1)]
        receiver.plan = [500]
        outbox.pump()
        outbox.pump()  # nothing due: the retry run is not enqueued twice
    retry_runs = pumps.exclude(run_after=T0 + dt.timedelta(seconds=1))
    assert list(retry_runs.values_list("run_after", flat=True)) == [start + dt.timedelta(seconds=30)]
    outbox._woken_until = None


def test_a_run_with_nothing_to_do_sends_one_statement(
    factory, receiver, outbox_settings, django_assert_num_queries
):
    """Every web process wakes the pump each second: a run that finds the work done costs one read."""
    _subscribe(receiver.url)
    assert outbox.has_work() is False
    with django_assert_num_queries(1):
        assert outbox.pump() == outbox.PumpReport()
    factory.create(at=vn(2026, 3, 2, 8), trait="received")
    assert outbox.has_work() is True  # an event to fan out
    with time_machine.travel(T0, tick=False):
        outbox.dispatch(now=T0)
        assert outbox.has_work() is True  # a delivery pending
        (claimed,) = outbox.claim(now=T0, limit=10)
        assert outbox.has_work() is True  # a delivery being delivered (its claim may expire)
        outbox.attempt(claimed)
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    assert outbox.has_work() is False
    Delivery.objects.update(state=DeliveryState.DEAD)
    assert outbox.has_work() is False  # a dead letter waits for an operator, not for the pump


def test_with_the_database_queue_the_pump_notifies_the_applicant(
    settings, factory, receiver, outbox_settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Decision 0051: with the database queue and the pump woken by every act, an act writes no
    notification task; the pump records the applicant's e-mail and SMS as it fans the event out and
    sends them after that commit, once. A notification that fails is logged and holds up neither the
    other events nor the webhooks; the recovery sweep notifies it later, and nothing goes twice."""
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers import effects
    from motcua.notifications.models import Message

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_AUTOWAKE = True
    assert effects.notifies_through_outbox()
    _subscribe(receiver.url)
    broken = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    fine = factory.create(at=vn(2026, 3, 2, 9), trait="received")
    assert not DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.notify_event").exists()
    assert Message.objects.count() == 0
    broken_event = DossierEvent.objects.get(dossier=broken)

    real = effects.context_for

    def context_for(event, dossier):
        if dossier.pk == broken.pk:
            raise RuntimeError("template broke")
        return real(event, dossier)

    monkeypatch.setattr(effects, "context_for", context_for)
    with django_capture_on_commit_callbacks(execute=True):
        report = outbox.pump()
    assert (report.dispatched, report.delivered) == (2, 2)
    assert f"notifying the applicant of dossier event {broken_event.pk} failed" in caplog.text
    sent = Message.objects.all()
    assert sorted(sent.values_list("subject_id", "template_key", "channel", "state")) == [
        (str(fine.pk), "dossier.accepted", "email", "sent"),
        (str(fine.pk), "dossier.accepted", "sms", "sent"),
    ]
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    assert fine.code in mail.outbox[0].body
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()

    monkeypatch.setattr(effects, "context_for", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert effects.notify_missed_events(since=vn(2026, 3, 1, 0)) == 1
        assert outbox.pump().dispatched == 0
    assert sorted(sent.values_list("subject_id", "channel", "state")) == sorted(
        [(str(pk), channel, "sent") for pk in (broken.pk, fine.pk) for channel in ("email", "sms")]
    )
    assert len(mail.outbox) == 2
    outbox._woken_until = None


def test_with_the_pump_not_woken_by_acts_the_notification_stays_a_task(settings, factory, outbox_settings):
    """A pump only the 5-minute timer runs would delay the applicant's messages: each act then writes
    its ``notify_event`` task, as before decision 0051, and the pump notifies nobody."""
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers import effects
    from motcua.notifications.models import Message

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_AUTOWAKE = False
    assert not effects.notifies_through_outbox()
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    event = DossierEvent.objects.get(dossier=dossier)
    tasks = DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.notify_event")
    assert [row["args"] for row in tasks.values_list("args_kwargs", flat=True)] == [[event.pk]]
    outbox.pump()
    assert Message.objects.count() == 0


def test_with_the_database_queue_the_pump_enqueues_the_issued_results_store_task(
    settings, factory, outbox_settings, django_capture_on_commit_callbacks
):
    """Decision 0054: with the database queue and the pump woken by every act, the issue act writes
    no task row; the pump enqueues ``store_result`` for the issued result in the transaction that
    marks its outbox row dispatched: a fan-out that rolls back enqueues nothing and leaves the event
    to the next run, which enqueues it once; a later run enqueues nothing again."""
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers import effects

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_AUTOWAKE = True
    assert effects.notifies_through_outbox()
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="result_ready")
    issued = DossierEvent.objects.get(dossier=dossier, name="result_issued")
    stores = DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.store_result")
    assert not DBTaskResult.objects.filter(task_path__startswith="motcua.dossiers.").exists()

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        outbox.dispatch(now=T0)
        assert [row["args"] for row in stores.values_list("args_kwargs", flat=True)] == [[issued.pk]]
        raise Crash  # the pump killed before its commit
    assert not stores.exists()
    assert OutboxEvent.objects.filter(event_id=issued.pk, dispatched_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=False):
        outbox.dispatch(now=T0)
        outbox.dispatch(now=T0)
    assert [row["args"] for row in stores.values_list("args_kwargs", flat=True)] == [[issued.pk]]
    assert stores.get().queue_name == "default" and stores.get().backend_name == "default"
    outbox._woken_until = None


def test_without_the_pump_woken_by_acts_the_issue_act_enqueues_the_store_task(
    settings, factory, outbox_settings
):
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers import effects

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_AUTOWAKE = False
    assert not effects.notifies_through_outbox()
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="result_ready")
    issued = DossierEvent.objects.get(dossier=dossier, name="result_issued")
    stores = DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.store_result")
    assert [row["args"] for row in stores.values_list("args_kwargs", flat=True)] == [[issued.pk]]
    outbox.dispatch(now=T0)
    assert stores.count() == 1
