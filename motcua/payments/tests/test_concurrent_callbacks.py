"""Concurrent callbacks for one payment record it once: real threads, each with its own database
connection, committing for real. On PostgreSQL the payment row is locked (SELECT … FOR UPDATE) and
the ledger refuses a second "paid" entry; on SQLite ``transaction_mode = IMMEDIATE`` serialises
writers at BEGIN (file databases only)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from motcua.accounts.models import Role
from motcua.dossiers.tests.factories import staff
from motcua.payments import services
from motcua.payments.models import CallbackLog, LedgerEntry, Payment

from .conftest import FEE, NOW, accepted_online, return_url, signed_callback

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("threads need a file database on SQLite (shared-cache memory databases lock per table)")


def _together(jobs: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as error:  # collected and asserted on
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_callbacks_of_one_transaction_at_once_record_it_once(world, frozen):
    dossier = accepted_online(world, at=NOW - dt.timedelta(hours=1))
    payment, _url = services.start_online_payment(
        dossier_id=dossier.pk, actor=world.citizen, return_url=return_url
    )
    callbacks = [
        signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX-C") for _ in range(8)
    ]
    results = _together(
        [
            lambda body=body, sig=sig: services.handle_callback(
                gateway_name="sandbox", body=body, signature=sig
            )
            for body, sig in callbacks
        ]
    )
    outcomes = sorted(r.outcome.value if not isinstance(r, Exception) else repr(r) for r in results)
    assert outcomes == ["applied"] + ["duplicate"] * 7
    payment.refresh_from_db()
    assert (payment.state, payment.collected, payment.receipt_number) == ("paid", FEE, "BL2026-000001")
    assert list(LedgerEntry.objects.filter(payment=payment).values_list("kind", "amount")) == [
        ("initiated", 0),
        ("paid", FEE),
    ]
    assert CallbackLog.objects.count() == 8
    assert list(dossier.fee_lines.values_list("is_paid", flat=True)) == [True]


def test_a_replayed_callback_sent_many_times_at_once_is_applied_once(world, frozen):
    dossier = accepted_online(world, at=NOW - dt.timedelta(hours=1))
    payment, _url = services.start_online_payment(
        dossier_id=dossier.pk, actor=world.citizen, return_url=return_url
    )
    body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX-R", nonce="same")
    results = _together(
        [lambda: services.handle_callback(gateway_name="sandbox", body=body, signature=sig) for _ in range(6)]
    )
    applied = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert [r.outcome.value for r in applied] == ["applied"]
    assert sorted(getattr(r, "code", repr(r)) for r in refused) == ["callback_replayed"] * 5
    assert Payment.objects.get().collected == FEE


def test_two_clerks_recording_the_same_fee_at_once_collect_it_once(world, frozen, make_user):
    dossier = accepted_online(world, at=NOW - dt.timedelta(hours=1))
    second = staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan-b", one_stop_unit_id=world.centre.pk)
    results = _together(
        [
            lambda clerk=clerk: services.record_counter_payment(
                dossier_id=dossier.pk, actor=clerk, method="cash"
            )
            for clerk in (world.reception, second)
        ]
    )
    paid = [r for r in results if isinstance(r, Payment)]
    refused = [getattr(r, "code", repr(r)) for r in results if not isinstance(r, Payment)]
    assert len(paid) == 1
    assert refused == ["nothing_due"]
    assert Payment.objects.count() == 1
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == FEE
