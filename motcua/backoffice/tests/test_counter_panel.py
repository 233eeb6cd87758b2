"""The counter page's panel (decision 0051): the counters an officer serves at, kept per process
under the reference revision, and the ticket called last with the people waiting, in one read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core import clock
from motcua.dossiers import queues
from motcua.units.models import Counter, QueueTicket

pytestmark = pytest.mark.django_db

URL = "/can-bo/quay/"


def _ticket(counter, number, status, *, day=None, called_minutes=None):
    now = clock.now()
    return QueueTicket(
        counter=counter,
        day=day or clock.today(),
        number=number,
        status=status,
        taken_at=now,
        called_at=now + dt.timedelta(minutes=called_minutes) if called_minutes is not None else None,
    )


def _values(ticket):
    return {f.attname: getattr(ticket, f.attname) for f in ticket._meta.concrete_fields}


def test_the_panel_reads_what_the_querysets_read(world, counter, frozen):
    other = Counter.objects.create(one_stop_unit=world.centre, number=2, name="Quầy 2", queue_prefix="B")
    assert queues.counter_panel(counter) == (None, 0)
    QueueTicket.objects.bulk_create(
        [
            _ticket(counter, 1, "called", called_minutes=5),
            _ticket(counter, 2, "called", called_minutes=9),  # the last called
            _ticket(counter, 3, "called", called_minutes=7),
            _ticket(counter, 4, "waiting"),
            _ticket(counter, 5, "waiting"),
            _ticket(counter, 1, "waiting", day=clock.today() - dt.timedelta(days=1)),  # yesterday's
            _ticket(other, 1, "waiting"),
            _ticket(other, 2, "called", called_minutes=20),
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        called, waiting = queues.counter_panel(counter)
    assert len(queries) == 1
    expected = queues.called_ticket(counter.pk)
    assert _values(called) == _values(expected) and called.number == 2
    assert called.display == expected.display == "A002"
    assert waiting == queues.waiting_tickets(counter.pk).count() == 2
    assert queues.counter_panel(other)[0].display == "B002"
    assert queues.counter_panel(other)[1] == 1


def test_a_counter_opened_anywhere_is_listed_at_the_next_page(client, world, counter, frozen):
    """The counters are kept per process; a counter written by a bulk insert (no signal, as another
    process or a shell would) changes the reference revision and is listed at the next page."""
    client.force_login(world.reception)
    assert "Quầy 1 — Tư pháp" in client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL).content.decode()
    assert not [
        q for q in queries.captured_queries if '"units_counter"' in q["sql"].split("FROM", 1)[-1][:40]
    ]
    assert "Quầy 9" not in page
    Counter.objects.bulk_create(
        [Counter(one_stop_unit=world.centre, number=9, name="Quầy 9", queue_prefix="C")]
    )
    assert "Quầy 9" in client.get(URL).content.decode()
    Counter.objects.filter(number=9).update(is_active=False)
    assert "Quầy 9" not in client.get(URL).content.decode()
