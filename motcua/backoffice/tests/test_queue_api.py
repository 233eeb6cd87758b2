"""Queue numbers: the kiosk API (/api/v1/queue/tickets) and the services under it."""

from __future__ import annotations

import pytest
import time_machine

from motcua.dossiers.tests.factories import vn
from motcua.units.models import QueueTicket
from motcua.units.services import call_next_ticket, take_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/queue/tickets"


def test_kiosk_takes_numbers_and_the_display_lists_the_waiting_ones(client, counter):
    with time_machine.travel(vn(2026, 3, 2, 8), tick=False):
        first = client.post(URL, {"counter": counter.pk}, content_type="application/json")
        second = client.post(URL, {"counter": counter.pk}, content_type="application/json")
        assert (first.status_code, first.json()["display"]) == (201, "A001")
        assert (second.status_code, second.json()["display"]) == (201, "A002")
        listed = client.get(URL, {"counter": counter.pk}).json()["results"]
        assert [t["display"] for t in listed] == ["A001", "A002"]


def test_a_retried_request_gets_the_same_ticket(client, counter):
    with time_machine.travel(vn(2026, 3, 2, 8), tick=False):
        headers = {"Idempotency-Key": "kiosk-1-0001"}
        first = client.post(URL, {"counter": counter.pk}, content_type="application/json", headers=headers)
        again = client.post(URL, {"counter": counter.pk}, content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert QueueTicket.objects.count() == 1


def test_unknown_counter_and_missing_parameter(client, counter):
    assert client.post(URL, {"counter": 999}, content_type="application/json").status_code == 404
    response = client.get(URL)
    assert (response.status_code, response.json()["code"]) == (400, "validation_failed")


def test_numbers_restart_each_day_and_calls_go_in_order(world, counter):
    take_ticket(counter_id=counter.pk, at=vn(2026, 3, 2, 8))
    take_ticket(counter_id=counter.pk, at=vn(2026, 3, 2, 8, 5))
    nxt = take_ticket(counter_id=counter.pk, at=vn(2026, 3, 3, 8))
    assert nxt.number == 1
    called = call_next_ticket(counter_id=counter.pk, actor_id=world.reception.pk, at=vn(2026, 3, 2, 9))
    assert (called.number, called.status, called.called_by_id) == (1, "called", world.reception.pk)
    assert (
        call_next_ticket(counter_id=counter.pk, actor_id=world.reception.pk, at=vn(2026, 3, 2, 9)).number == 2
    )
    assert call_next_ticket(counter_id=counter.pk, actor_id=world.reception.pk, at=vn(2026, 3, 2, 9)) is None
