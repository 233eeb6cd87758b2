"""The recovery sweep: an event whose notification task never ran (a crash between commit and the
worker, a database restart mid-task) is notified after the fact, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.dossiers import effects, services
from motcua.notifications.models import Message

from .factories import vn

pytestmark = pytest.mark.django_db


def test_events_without_messages_are_notified_once(world):
    # In a test transaction the after-commit hook never runs: the acceptance has no message yet.
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    assert Message.objects.count() == 0
    notified = effects.notify_missed_events(since=vn(2026, 3, 1, 0))
    assert notified == 1  # "accepted" notifies; "forwarded" notifies nobody
    rows = sorted(Message.objects.values_list("template_key", "channel", "recipient"))
    assert rows == [
        ("dossier.accepted", "email", "an@example.vn"),
        ("dossier.accepted", "sms", "+84912345678"),
    ]
    assert effects.notify_missed_events(since=vn(2026, 3, 1, 0)) == 0
    assert Message.objects.count() == 2


def test_the_window_bounds_the_sweep(world, capsys):
    services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    assert effects.notify_missed_events(since=vn(2026, 3, 3, 0)) == 0
    call_command("notify_missed_events", "--hours", "1000000")
    assert capsys.readouterr().out == "Dossier events notified after the fact: 1.\n"
    assert Message.objects.count() == 2


def test_with_the_database_queue_the_task_row_commits_with_the_act(
    world, settings, django_capture_on_commit_callbacks
):
    """The notification task is a row of the act's own transaction: nothing waits for an after-commit
    hook (a process killed right after COMMIT loses nothing), and the row rolls back with the act."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert effects._queue_commits_with_the_act()
    with django_capture_on_commit_callbacks() as callbacks:
        dossier = services.receive_at_counter(
            intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9)
        )
    assert callbacks == []
    tasks = DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.notify_event")
    event_id = dossier.events.get().pk
    assert [row["args"] for row in tasks.values_list("args_kwargs", flat=True)] == [[event_id]]

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 10))
        assert tasks.count() == 2
        raise Undone
    assert tasks.count() == 1


def test_an_issued_result_enqueues_its_two_tasks_without_a_savepoint(world, settings, caplog):
    """The e-result for the store and the notification: two task rows and nothing else (decision
    0048); a task refused before its row is sent is logged by name and never undoes the act, and
    the other task is still enqueued; a database error on the row fails the act."""
    from django.db import DatabaseError, connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        effects.after_event(event_id=41, name="result_issued")
    verbs = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert verbs == ["INSERT", "INSERT"]
    rows = DBTaskResult.objects.order_by("task_path").values_list("task_path", "args_kwargs")
    assert [(path, kwargs["args"]) for path, kwargs in rows] == [
        ("motcua.dossiers.effects.notify_event", [41]),
        ("motcua.dossiers.effects.store_result", [41]),
    ]

    def refused(event_id: int) -> None:
        raise RuntimeError("queue refused the task")

    with transaction.atomic():
        effects._enqueue(
            42, [("the e-result for the store", refused), ("the notification", effects.notify_event.enqueue)]
        )
    assert "enqueueing the e-result for the store of dossier event 42 failed" in caplog.text
    assert "the notification of dossier event 42" not in caplog.text
    assert sorted(
        kwargs["args"][0] for kwargs in DBTaskResult.objects.values_list("args_kwargs", flat=True)
    ) == [41, 41, 42]

    def broken(event_id: int) -> None:
        raise DatabaseError("disk full")

    with pytest.raises(DatabaseError, match="disk full"), transaction.atomic():
        effects._enqueue(43, [("the notification", broken)])
    assert DBTaskResult.objects.count() == 3
