"""Ledger invariants as a property test: whatever sequence of callbacks (paid, failed, duplicated,
replayed, tampered, with wrong amounts) and refunds arrives, a payment's money is the sum of its
entries, its state agrees with that sum, it holds at most one "paid" and one "refunded" entry, and
its fee lines are paid exactly while a payment that settles them holds the money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import MotcuaError
from motcua.payments import services
from motcua.payments.models import PAID_STATES, LedgerEntry, Payment

from .conftest import FEE, NOW, return_url, signed_callback

pytestmark = pytest.mark.django_db

Step = tuple[str, str, int, bool]  # (what, transaction id, amount delta, replay the previous message)

steps = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["paid", "failed"]),
            st.sampled_from(["T1", "T2"]),
            st.sampled_from([0, 0, 0, 1]),
            st.booleans(),
        ),
        st.just(("refund", "", 0, False)),
        st.just(("tamper", "T1", 0, False)),
    ),
    max_size=8,
)


def _check(payment: Payment) -> None:
    payment.refresh_from_db()
    entries = list(LedgerEntry.objects.filter(payment=payment).order_by("seq"))
    total = sum(e.amount for e in entries)
    assert payment.collected == total
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[-1].state_after == payment.state
    kinds = [e.kind for e in entries]
    assert kinds.count("paid") <= 1 and kinds.count("refunded") <= 1
    assert kinds[0] == "initiated"
    if payment.state in PAID_STATES:
        assert total == payment.amount and payment.receipt_number
    else:
        assert total == 0
    if payment.state == "refunded":
        assert kinds.index("refunded") > kinds.index("paid")
    lines_paid = set(payment.fee_lines.values_list("is_paid", flat=True))
    assert lines_paid == {payment.state in PAID_STATES and payment.settles_fees}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_the_sum_of_the_entries_is_the_state(paying, sequence: list[Step]):
    with transaction.atomic():
        payment, _url = services.start_online_payment(
            dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
        )
        previous: tuple[bytes, str] | None = None
        for i, (what, txn, delta, replay) in enumerate(sequence):
            at = NOW + dt.timedelta(seconds=i)
            try:
                if what == "refund":
                    services.refund_payment(reference=payment.reference, actor=paying.finance, reason="Hoàn")
                elif replay and previous is not None:
                    services.handle_callback(
                        gateway_name="sandbox", body=previous[0], signature=previous[1], at=at
                    )
                else:
                    body, sig = signed_callback(
                        reference=payment.reference,
                        amount=FEE + delta,
                        status=what if what != "tamper" else "paid",
                        transaction_id=txn,
                        at=at,
                    )
                    if what == "tamper":
                        body = body.replace(b'"status":"paid"', b'"status":"failed"')
                    previous = (body, sig)
                    services.handle_callback(gateway_name="sandbox", body=body, signature=sig, at=at)
            except MotcuaError:
                pass  # refused acts must change nothing: checked below like every other step
            _check(payment)
        transaction.set_rollback(True)
