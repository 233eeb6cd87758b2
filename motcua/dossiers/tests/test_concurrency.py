"""Two officers at once: gap-free codes under concurrent acceptance; one act wins, the other is refused.

Real threads, each with its own database connection, committing for real (``transactional_db``).
On PostgreSQL the counter row and the dossier row are locked with SELECT … FOR UPDATE; on SQLite
``transaction_mode = IMMEDIATE`` serialises writers at BEGIN. Both must give the same answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from motcua.core.errors import Conflict
from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.workflow import WorkflowRefusal

from .factories import vn

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as error:  # collected and asserted on by the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture(autouse=True)
def _file_database(settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("threads need a file database on SQLite (shared-cache memory databases lock per table)")


def test_concurrent_acceptances_get_consecutive_codes(world):
    submitted = [
        services.submit_dossier(
            intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8, i)
        )
        for i in range(8)
    ]
    results = _run_together(
        [
            lambda pk=d.pk: services.accept_dossier(
                dossier_id=pk, actor=world.reception, at=vn(2026, 3, 2, 10)
            )
            for d in submitted
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    assert codes == [f"000.00.12.H38-260302-{n:04d}" for n in range(1, 9)]


def test_concurrent_counter_acceptances_get_consecutive_codes_and_ledger_lines(world):
    """ADR 0044: the counter acceptance inserts its dossier once, at the end, and on PostgreSQL takes
    both numbers in one statement; eight at once still get codes and ledger lines 1-8, no gap,
    no deadlock, each row with its own."""
    results = _run_together(
        [
            lambda i=i: services.receive_at_counter(
                intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 10, i)
            )
            for i in range(8)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    found = sorted(Dossier.objects.values_list("code", "ledger_year", "ledger_number"))
    assert found == [(f"000.00.12.H38-260302-{n:04d}", 2026, n) for n in range(1, 9)]
    assert sorted((r.code, r.ledger_number) for r in results) == [(c, n) for c, _, n in found]
    assert all(verify_history(r.pk) == [] for r in results)


def test_two_officers_on_one_dossier_one_wins(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    version = dossier.version
    results = _run_together(
        [
            lambda: services.approve(
                dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 3, 9), expected_version=version
            ),
            lambda: services.propose_refusal(
                dossier_id=dossier.pk,
                actor=world.handler,
                reason="Không đủ điều kiện",
                at=vn(2026, 3, 3, 9),
                expected_version=version,
            ),
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict | WorkflowRefusal), results
    assert isinstance(errors[0], Conflict) and errors[0].code == "stale_dossier"
    assert "Hồ sơ đã được cán bộ khác cập nhật" in errors[0].message_vi
    dossier.refresh_from_db()
    assert dossier.version == version + 1
    assert DossierEvent.objects.filter(dossier=dossier).count() == 5
    assert verify_history(dossier.pk) == []


def test_without_expected_version_the_loser_gets_the_table_refusal(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="issuing")
    results = _run_together(
        [
            lambda: services.issue_result(
                dossier_id=dossier.pk, actor=world.clerk, number="1/QĐ", at=vn(2026, 3, 3, 9)
            ),
            lambda: services.issue_result(
                dossier_id=dossier.pk, actor=world.clerk, number="2/QĐ", at=vn(2026, 3, 3, 9)
            ),
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], WorkflowRefusal), results
    dossier.refresh_from_db()
    assert dossier.state == "result_ready"
    assert DossierEvent.objects.filter(dossier=dossier, name="result_issued").count() == 1


def test_two_requests_with_one_idempotency_key_open_one_dossier(world):
    intake = world.intake(idempotency_key="counter:5b0f3c1e-double-click")
    results = _run_together(
        [lambda: services.receive_at_counter(intake=intake, actor=world.reception, at=vn(2026, 3, 2, 9))] * 4
    )
    assert all(isinstance(r, Dossier) for r in results), results
    assert len({r.pk for r in results}) == 1
    dossier = Dossier.objects.get()
    assert (dossier.code, dossier.ledger_number) == ("000.00.12.H38-260302-0001", 1)
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
