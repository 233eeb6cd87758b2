"""End to end with the real queue: acts commit, the wake-up enqueues the pump on the database queue,
``manage.py db_worker`` runs it, the webhook receiver and the national stand-in get everything."""

from __future__ import annotations

import signal
import time

import pytest
from django.core.management import call_command

from motcua.dossiers.tests.factories import vn
from motcua.integration import outbox
from motcua.integration.models import Delivery, WebhookSubscription


@pytest.mark.django_db(transaction=True)
def test_db_worker_delivers_what_the_acts_committed(settings, factory, standin, receiver):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_AUTOWAKE = True
    WebhookSubscription.objects.create(name="Hệ thống A", url=receiver.url)
    outbox._woken_until = None
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    pumps = DBTaskResult.objects.filter(task_path="motcua.integration.tasks.pump_outbox")
    # One run per one-second window: two acts give one run, or two if they straddle a second.
    runs = list(pumps.values_list("run_after", flat=True))
    assert 1 <= len(runs) <= 2 and all(r.microsecond == 0 for r in runs)
    time.sleep(max((max(runs) - outbox.clock.now()).total_seconds(), 0) + 0.1)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    finally:  # the worker installs its own shutdown handlers: give the test process its own back
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert set(pumps.values_list("status", flat=True)) == {"SUCCESSFUL"}
    results = list(pumps.values_list("return_value", flat=True))
    assert sum(r["delivered"] for r in results) == 4 and sum(r["dispatched"] for r in results) == 4
    assert [b["event"]["name"] for b in receiver.bodies()] == ["accepted", "forwarded"]
    held = standin.portal.records()
    assert [t["TrangThai"] for t in held["trail"][dossier.code]] == ["2", "4"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    # The applicant's acceptance e-mail and SMS went with the same run (decision 0051): no task of
    # their own, sent once.
    from django.core import mail

    from motcua.notifications.models import Message

    assert not DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.notify_event").exists()
    assert sorted(Message.objects.values_list("subject_id", "template_key", "channel", "state")) == [
        (str(dossier.pk), "dossier.accepted", "email", "sent"),
        (str(dossier.pk), "dossier.accepted", "sms", "sent"),
    ]
    assert [m.to for m in mail.outbox] == [[dossier.applicant_email]]
    outbox._woken_until = None
