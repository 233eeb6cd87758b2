"""Query budgets of the dossier acts (decision 0008; the dossier_flow bench): a regression that adds
queries to the accept path or a transition (a lookup in a loop, a chain walked twice, the calendar
rebuilt) fails here before it shows in the bench.

Counted inside the test's transaction (savepoints included). The after-commit side effects are
checked apart: one callback per act, which only enqueues the notification task (the worker renders).
Before the performance work (PostgreSQL, bench loop, side effects included): accept 50, forward 30,
assign 27, appraise 22, approve 21, sign 27, issue 35, return 20; after: 26, 18, 16, 13, 12, 18, 16, 12.
Then accept 26 → 23 (the two intake lookups of the test included): one upsert per counter instead of
three statements, one query for the version in force, and the calendar checked by its token alone.
Each budget then grew by one for the integration outbox: one INSERT per event in the act (ADR 0022).
Then (ADR 0032) the budgets became exact, and accept 24 → 18: the frozen parts of a published version
(cases, templates, offers and fees) read once per process (catalog.selectors.version_parts), the
receiving unit read with its office hours, the unit's and agency's parent taken from the rows already
read; each transition one less (the chain of the locked dossier's agency and unit).
Then (ADR 0043) accept 18 → 15 and every transition 4-5 less: the actor's memberships, the agency
and unit chains, the receiving unit and competent agency and the office hours are kept per process
under the reference revision (one token read per act, folded into the lock of a transition); the
lock reads the dossier's last event and the calendar's revision token in the same statement, and
intake reads every revision token in one; forward reads the agency and the process budget from
the same per-process data (catalogue revision) and the existing tasks once; sign creates its result
row without get_or_create's savepoint and second write.
Then (ADR 0044) accept 15 → 14: the accepted dossier is inserted once with its final values (its id
taken with the revision tokens) instead of an INSERT and an UPDATE; on PostgreSQL 14 → 13: the code
and ledger counters in one statement (SQLite has no data-modifying CTE: two).
Then (ADR 0048), with the database task queue of production (not counted here: the tests' queue is
the immediate one), the task rows are written without a savepoint (an act that notifies: two
statements less) and an acceptance writes everything that does not need its code before taking it.
Then (ADR 0054) every transition one less: the dossier's clock events come with the lock, as one
JSON column, instead of a statement of their own.
Then (decision 0056), on PostgreSQL only, rows an act writes go with the act's next statement
(``rows.together``): a transition's event, outbox row and clock event ride on the dossier's UPDATE
(two or three statements less), and so do the assign's task UPDATE and the issue's result UPDATE;
an acceptance's components (their keys taken with the revision tokens), clock event and outbox row
ride on the code counters' statement and its event on the dossier's INSERT. Here the officer's
memberships are read after the components are written (the gate's per-process data is cold in a
test), so the components go in front of that read, not of the counters: four statements less than
SQLite, five in a warm process (test_intake_reads). On both databases, the acts that check or change
the open lead task (assign, appraise, consult, request supplement) read it with the lock, and sign
and issue the dossier's result row: each of these four one less.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection, transaction

from motcua.core.errors import Conflict, NotFound
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent

from .factories import vn

pytestmark = pytest.mark.django_db

OUTBOX = 1  # the integration outbox row written with each event (ADR 0022)
ACCEPT_BUDGET = 13 + OUTBOX  # SQLite; PostgreSQL four less (both counters in one statement; 0056)
TRANSITION_BUDGET = {
    "forward": 9 + OUTBOX,
    "assign": 9 + OUTBOX,
    "appraise": 5 + OUTBOX,
    "approve": 6 + OUTBOX,
    "sign": 6 + OUTBOX,
    "issue": 8 + OUTBOX,
    "return": 6 + OUTBOX,
}
# PostgreSQL (decision 0056): the statements that ride on the dossier's UPDATE (its event, its outbox
# row and, for the issue that stops the clock, its clock event).
# The assign's task UPDATE and the issue's result UPDATE ride too.
MERGED = {"forward": 2, "assign": 3, "appraise": 2, "approve": 2, "sign": 2, "issue": 4, "return": 2}


def test_accept_and_transitions_stay_within_their_query_budget(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    w = world
    # Warm the per-process calendar cache, as a running server has it.
    with time_machine.travel(vn(2026, 3, 2, 8, 0), tick=False):
        services.receive_at_counter(intake=w.intake(), actor=w.reception)
    with (
        time_machine.travel(vn(2026, 3, 3, 9, 0), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_num_queries(ACCEPT_BUDGET - 4 * (connection.vendor == "postgresql")),
    ):
        dossier = services.receive_at_counter(intake=w.intake(), actor=w.reception)
    assert len(callbacks) == 1
    callbacks[0]()
    assert dossier.code and dossier.state == "received"
    d = dossier.pk
    acts = {
        "forward": lambda: services.forward_dossier(dossier_id=d, actor=w.reception),
        "assign": lambda: services.assign_handler(dossier_id=d, actor=w.leader, handler_id=w.handler.pk),
        "appraise": lambda: services.appraise(dossier_id=d, actor=w.handler, opinion="Đủ"),
        "approve": lambda: services.approve(dossier_id=d, actor=w.approver),
        "sign": lambda: services.sign_result(dossier_id=d, actor=w.approver),
        "issue": lambda: services.issue_result(dossier_id=d, actor=w.clerk, number="12/QĐ-STP"),
        "return": lambda: services.return_result(dossier_id=d, actor=w.reception),
    }
    for hour, (name, act) in enumerate(acts.items(), start=10):
        with (
            time_machine.travel(vn(2026, 3, 3, hour, 0), tick=False),
            django_capture_on_commit_callbacks() as callbacks,
            django_assert_num_queries(
                TRANSITION_BUDGET[name] - MERGED[name] * (connection.vendor == "postgresql")
            ),
        ):
            act()
        assert len(callbacks) == 1
        callbacks[0]()
    dossier.refresh_from_db()
    assert dossier.state == "returned"


def test_the_lock_reads_what_the_orm_reads(world):
    """``_lock``'s hand-written statement (ADR 0043) builds the dossier and its related rows with
    the same values as ``select_related``, and notes the last event."""
    w = world
    with time_machine.travel(vn(2026, 3, 3, 9, 0), tick=False):
        dossier = services.receive_at_counter(intake=w.intake(), actor=w.reception)
        services.forward_dossier(dossier_id=dossier.pk, actor=w.reception)
    expected = Dossier.objects.select_related(
        "procedure_version", "competent_agency__admin_unit", "received_at_unit"
    ).get(pk=dossier.pk)
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()

    def values(instance) -> dict:
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    with transaction.atomic(), services._memo_scope():
        locked = services._lock(dossier.pk, expected_version=expected.version)
        assert services._recall(("last_event", dossier.pk)) == (True, (last.seq, last.hash, last.at))
    assert values(locked) == values(expected)
    assert values(locked.procedure_version) == values(expected.procedure_version)
    assert values(locked.competent_agency) == values(expected.competent_agency)
    assert values(locked.competent_agency.admin_unit) == values(expected.competent_agency.admin_unit)
    assert values(locked.received_at_unit) == values(expected.received_at_unit)
    with pytest.raises(Conflict) as stale, transaction.atomic(), services._memo_scope():
        services._lock(dossier.pk, expected_version=expected.version - 1)
    assert stale.value.code == "stale_dossier"
    with pytest.raises(NotFound), transaction.atomic(), services._memo_scope():
        services._lock(dossier.pk + 1000, expected_version=None)


def test_the_lock_reads_the_open_lead_task_and_the_result_as_the_orm_reads_them(
    world, django_assert_num_queries
):
    """``_lock(lead_task=True, result=True)`` (decision 0056) reads the open lead task and the
    dossier's result row in the lock's statement: the act's first ``_lead_task`` and ``_result_of``
    get them without a statement, with the values the ORM reads, and a later call reads them again;
    a dossier without them gets None."""
    from motcua.dossiers.models import ProcessingTask, Result

    w = world

    def values(instance) -> dict | None:
        if instance is None:
            return None
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    def check(dossier_id: int) -> tuple[dict | None, dict | None]:
        task = ProcessingTask.objects.filter(dossier_id=dossier_id, is_lead=True, completed_at=None)
        expected = (
            values(task.order_by("position", "id").first()),
            values(Result.objects.filter(dossier_id=dossier_id).first()),
        )
        with transaction.atomic(), services._memo_scope():
            locked = services._lock(dossier_id, expected_version=None, lead_task=True, result=True)
            with django_assert_num_queries(0):
                assert (values(services._lead_task(locked)), values(services._result_of(locked))) == expected
            with django_assert_num_queries(2):  # once taken, each is read again
                assert (values(services._lead_task(locked)), values(services._result_of(locked))) == expected
        return expected

    with time_machine.travel(vn(2026, 3, 3, 9, 0), tick=False):
        fresh = services.receive_at_counter(intake=w.intake(), actor=w.reception)
        dossier = services.receive_at_counter(intake=w.intake(), actor=w.reception)
        services.forward_dossier(dossier_id=dossier.pk, actor=w.reception)
        services.assign_handler(dossier_id=dossier.pk, actor=w.leader, handler_id=w.handler.pk)
        assert check(fresh.pk) == (None, None)
        task, result = check(dossier.pk)
        assert task is not None and task["assignee_id"] == w.handler.pk and result is None
        services.appraise(dossier_id=dossier.pk, actor=w.handler, opinion="Đủ")
        services.approve(dossier_id=dossier.pk, actor=w.approver)
        services.sign_result(dossier_id=dossier.pk, actor=w.approver)
        _task, result = check(dossier.pk)
        assert result is not None and result["signer_id"] == w.approver.pk


def test_an_acceptance_writes_only_its_event_and_dossier_row_once_its_code_is_taken(world, settings):
    """Decision 0048: the code counter's row stays locked until commit, so everything that does not
    need the code (the components, the clock event, the outbox row, the notification task) is
    written before the counter statement, and only the event (its data and hash carry the code) and
    the dossier row after it (on PostgreSQL as one statement, decision 0056); the event keeps the id
    taken with the dossier's, and its clock event, outbox row and task point to it."""
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers.models import ClockEvent

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    w = world
    with time_machine.travel(vn(2026, 3, 2, 8, 0), tick=False):
        services.receive_at_counter(intake=w.intake(), actor=w.reception)  # warm the caches
    with (
        time_machine.travel(vn(2026, 3, 3, 9, 0), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        dossier = services.receive_at_counter(intake=w.intake(), actor=w.reception)
    statements = [q["sql"] for q in queries.captured_queries]
    counter = next(i for i, sql in enumerate(statements) if '"dossiers_codecounter"' in sql)
    after = statements[counter + 1 :]
    # the rows each later statement writes (on PostgreSQL one statement carries several, as
    # data-modifying CTEs: decision 0056)
    assert [re.findall(r'INSERT INTO ("\w+")', sql) for sql in after if "INSERT INTO" in sql] == (
        [['"dossiers_ledgercounter"'], ['"dossiers_dossierevent"'], ['"dossiers_dossier"']]
        if connection.vendor == "sqlite"
        else [['"dossiers_dossierevent"', '"dossiers_dossier"']]
    )
    # and then only the end of the act's transaction (a savepoint inside the test's transaction)
    assert [sql.split()[0] for sql in after if "INSERT INTO" not in sql] == ["RELEASE"]
    event = DossierEvent.objects.get(dossier=dossier)
    assert event.data["code"] == dossier.code == "000.00.12.H38-260303-0001"
    assert sorted(event.data) == ["code", "due_at", "due_explanation", "handover_due_at"]
    assert ClockEvent.objects.get(dossier=dossier).event_id == event.pk
    with connection.cursor() as cursor:  # the outbox is integration's (above dossiers): its table
        cursor.execute("SELECT event_id FROM integration_outboxevent WHERE dossier_id = %s", [dossier.pk])
        assert cursor.fetchall() == [(event.pk,)]
    notify = DBTaskResult.objects.filter(task_path="motcua.dossiers.effects.notify_event")
    assert [row["args"] for row in notify.values_list("args_kwargs", flat=True)][-1] == [event.pk]
    from motcua.dossiers.history import verify_history

    assert verify_history(dossier.pk) == []


def test_with_related_reads_what_select_related_reads(world, django_assert_num_queries):
    """``rows.with_related`` (decision 0048): the dossier and the rows ``select_related`` would
    bring, with the same values, and nothing more read when they are used; a NULL foreign key
    gives None, as ``select_related`` does; no row, None; a path that is not a forward foreign key
    is refused."""
    from motcua.core import rows
    from motcua.dossiers.selectors import DOSSIER_RELATED

    w = world
    with time_machine.travel(vn(2026, 3, 3, 9, 0), tick=False):
        dossier = services.receive_at_counter(intake=w.intake(), actor=w.reception)
    expected = Dossier.objects.select_related(*DOSSIER_RELATED, "parent").get(pk=dossier.pk)

    def values(instance) -> dict:
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    with django_assert_num_queries(1):
        read = rows.with_related(Dossier, dossier.pk, *DOSSIER_RELATED, "parent")
    with django_assert_num_queries(0):
        assert values(read) == values(expected)
        for left, right in (
            (read.procedure_version, expected.procedure_version),
            (read.procedure_version.procedure, expected.procedure_version.procedure),
            (read.received_at_unit, expected.received_at_unit),
            (read.competent_agency, expected.competent_agency),
            (read.competent_agency.admin_unit, expected.competent_agency.admin_unit),
            (read.return_unit, expected.return_unit),
        ):
            assert type(left) is type(right) and values(left) == values(right)
        assert read.parent is None and expected.parent is None
        assert read.procedure_version.procedure.code == expected.procedure_version.procedure.code != ""
    assert rows.with_related(Dossier, dossier.pk + 1000, *DOSSIER_RELATED) is None
    with pytest.raises(ValueError, match="events: events is not a forward foreign key"):
        rows.with_related(Dossier, dossier.pk, "events")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
def test_no_statement_of_the_acts_is_planned_again_on_every_call(world):
    """Decision 0043's premise: psycopg prepares an act's statements and PostgreSQL plans each once
    per connection. A statement whose generic plan PostgreSQL judges dearer than its custom ones is
    planned again on every call instead (the intake's token read was, with ``generate_series(1,
    $n)``: 0.17 ms of server time per acceptance; decision 0057). Twelve life cycles: psycopg
    prepares a statement at its third call, and PostgreSQL tries five custom plans before it
    compares; then no statement planned more than eight times may have only custom plans."""
    w = world
    for n in range(12):
        with time_machine.travel(vn(2026, 3, 3, 8, n), tick=False):
            d = services.receive_at_counter(intake=w.intake(), actor=w.reception).pk
            services.forward_dossier(dossier_id=d, actor=w.reception)
            services.assign_handler(dossier_id=d, actor=w.leader, handler_id=w.handler.pk)
            services.appraise(dossier_id=d, actor=w.handler, opinion="Đủ")
            services.approve(dossier_id=d, actor=w.approver)
            services.sign_result(dossier_id=d, actor=w.approver)
            services.issue_result(dossier_id=d, actor=w.clerk, number=f"{n}/QĐ-STP")
            services.return_result(dossier_id=d, actor=w.reception)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE generic_plans + custom_plans > 8"
        )
        found = cursor.fetchall()
    assert len(found) >= 8  # the acts' statements were prepared (else this proves nothing)
    assert [statement[:100] for statement, generic, _custom in found if generic == 0] == []
