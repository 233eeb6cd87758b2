"""The operator pages and services: retry, skip, subscriptions; bad input; permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.core.errors import Conflict, PermissionRefused, ValidationFailed
from motcua.dossiers.tests.factories import vn
from motcua.integration import outbox, services
from motcua.integration.models import Delivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead(factory, receiver, outbox_settings):
    """Dossier with two events: 'accepted' dead-lettered (receiver answered 500), 'forwarded' waiting."""
    outbox_settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 1
    WebhookSubscription.objects.create(name="Hệ thống A", url=receiver.url)
    factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    receiver.plan = [500]
    outbox.pump()
    return Delivery.objects.get(outbox_event__name="accepted")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.vn/hook",
        "example.vn/hook",
        "http:///hook",
        "http://user:pass@example.vn/hook",
        "http://exa mple.vn/hook",
        "http://example.vn:99999/hook",
        "http://intranet/hook",
        "https://example.vn/" + "a" * 500,
    ],
)
def test_malformed_subscription_urls_are_refused(operator, url):
    with pytest.raises(ValidationFailed) as refused:
        services.create_subscription(actor=operator, name="Hệ thống A", url=url)
    assert refused.value.code == "invalid_webhook_url"
    assert refused.value.message("vi").startswith("Địa chỉ nhận không hợp lệ")
    assert refused.value.message("en").startswith("Invalid receiving address")
    assert WebhookSubscription.objects.count() == 0


def test_good_subscription(operator):
    sub = services.create_subscription(
        actor=operator,
        name=" Hệ thống A ",
        url="https://a.example.vn/hook",
        events=["forwarded", " accepted", ""],
    )
    assert (sub.name, sub.url, sub.events, sub.is_active, len(sub.secret)) == (
        "Hệ thống A",
        "https://a.example.vn/hook",
        ["accepted", "forwarded"],
        True,
        64,
    )
    assert services.check_url("http://127.0.0.1:8150/x") == "http://127.0.0.1:8150/x"


def test_only_the_operator_may_act(dead, world):
    with pytest.raises(PermissionRefused):
        services.retry_delivery(actor=world.reception, delivery_id=dead.pk)
    with pytest.raises(PermissionRefused):
        services.create_subscription(actor=world.head, name="X", url="https://x.example.vn/")
    assert Delivery.objects.get(pk=dead.pk).state == "dead"


def test_skip_needs_a_reason_and_a_settled_delivery_cannot_be_retried(dead, operator, receiver):
    with pytest.raises(ValidationFailed) as refused:
        services.skip_delivery(actor=operator, delivery_id=dead.pk, reason="  ")
    assert refused.value.code == "reason_required"
    services.skip_delivery(actor=operator, delivery_id=dead.pk, reason="Hệ thống A đã nhận qua kênh khác")
    with pytest.raises(Conflict) as conflict:
        services.retry_delivery(actor=operator, delivery_id=dead.pk)
    assert conflict.value.code == "delivery_not_retryable"


def test_retry_through_the_page(client, dead, operator, receiver):
    client.force_login(operator)
    page = client.get(reverse("backoffice:outbox"), {"state": "dead"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="delivery-{dead.pk}"' in html and "HTTP 500" in html and f'id="retry-{dead.pk}"' in html
    answer = client.post(
        reverse("backoffice:outbox"), {"delivery": dead.pk, "action": "retry", "state": "dead"}
    )
    assert answer.status_code == 303 and answer["Location"].endswith("?state=dead&destination=")
    retried = Delivery.objects.get(pk=dead.pk)
    assert (retried.state, retried.attempts, retried.settled_by) == ("pending", 0, "quantri")
    assert outbox.pump().delivered == 2
    assert [b["event"]["name"] for b in receiver.bodies()] == ["accepted", "accepted", "forwarded"]
    assert set(receiver.accepted.values()) == {1} and len(receiver.accepted) == 2


def test_skip_through_the_page(client, dead, operator, receiver):
    client.force_login(operator)
    answer = client.post(
        reverse("backoffice:outbox"), {"delivery": dead.pk, "action": "skip", "reason": "Đã gửi tay"}
    )
    assert answer.status_code == 303
    skipped = Delivery.objects.get(pk=dead.pk)
    assert skipped.state == "skipped" and skipped.last_error.endswith("[skipped] Đã gửi tay")
    assert outbox.pump().delivered == 1  # the dossier's next event goes now
    assert [b["event"]["name"] for b in receiver.bodies()] == ["accepted", "forwarded"]
    # Skipping without a reason shows the error and changes nothing.
    client.post(reverse("backoffice:outbox"), {"delivery": dead.pk, "action": "skip", "reason": ""})
    page = client.get(reverse("backoffice:outbox"))
    assert "Cần ghi lý do bỏ qua." in page.content.decode()
    assert Delivery.objects.get(pk=dead.pk).state == "skipped"


def test_pages_refuse_other_staff(client, world):
    client.force_login(world.reception)
    assert client.get(reverse("backoffice:outbox")).status_code == 403
    assert client.post(reverse("backoffice:webhooks"), {"action": "create"}).status_code == 403


def test_subscription_page(client, operator):
    client.force_login(operator)
    bad = client.post(
        reverse("backoffice:webhooks"),
        {"action": "create", "name": "Hệ thống B", "url": "ftp://b.example.vn"},
    )
    assert bad.status_code == 400
    assert (
        "Địa chỉ nhận không hợp lệ" in bad.content.decode() and 'value="Hệ thống B"' in bad.content.decode()
    )
    good = client.post(
        reverse("backoffice:webhooks"),
        {
            "action": "create",
            "name": "Hệ thống B",
            "url": "https://b.example.vn/hook",
            "events": "accepted, forwarded",
        },
    )
    assert good.status_code == 303
    sub = WebhookSubscription.objects.get()
    assert (sub.name, sub.events) == ("Hệ thống B", ["accepted", "forwarded"])
    client.post(reverse("backoffice:webhooks"), {"action": "pause", "subscription": sub.pk})
    assert WebhookSubscription.objects.get().is_active is False
    page = client.get(reverse("backoffice:webhooks")).content.decode()
    assert sub.secret in page and "https://b.example.vn/hook" in page


def test_the_api_does_what_the_page_does(client, dead, operator, receiver, world):
    client.force_login(world.reception)
    refused = client.get("/api/v1/outbox/deliveries")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    client.force_login(operator)
    listed = client.get("/api/v1/outbox/deliveries", {"state": "dead"}).json()
    assert [(d["id"], d["event"], d["state"], d["attempts"], d["last_status"]) for d in listed] == [
        (dead.pk, "accepted", "dead", 1, "500")
    ]
    no_reason = client.post(
        f"/api/v1/outbox/deliveries/{dead.pk}/skip", {"reason": ""}, content_type="application/json"
    )
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    retried = client.post(f"/api/v1/outbox/deliveries/{dead.pk}/retry")
    assert retried.status_code == 200 and (retried.json()["state"], retried.json()["attempts"]) == (
        "pending",
        0,
    )
    missing = client.post("/api/v1/outbox/deliveries/999999/retry")
    assert missing.status_code == 404 and missing.json()["code"] == "delivery_not_found"
    bad = client.post(
        "/api/v1/outbox/webhooks", {"name": "B", "url": "not a url"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_webhook_url"
    made = client.post(
        "/api/v1/outbox/webhooks",
        {"name": "B", "url": "https://b.example.vn/hook", "events": ["accepted"]},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["events"] == ["accepted"]
    paused = client.post(
        f"/api/v1/outbox/webhooks/{made.json()['id']}/active",
        {"active": False},
        content_type="application/json",
    )
    assert paused.json()["is_active"] is False


def test_admin_form_refuses_a_malformed_url():
    from motcua.integration.admin import WebhookSubscriptionForm

    form = WebhookSubscriptionForm(
        data={"name": "C", "url": "http://user:pw@c.example.vn/hook", "events": "[]", "is_active": True}
    )
    assert not form.is_valid()
    assert form.errors["url"] == [
        "Địa chỉ nhận không hợp lệ: cần một địa chỉ http:// hoặc https:// đầy đủ (tối đa 500 ký tự)."
    ]
    good = WebhookSubscriptionForm(
        data={"name": "C", "url": "https://c.example.vn/h", "events": "[]", "is_active": True}
    )
    assert good.is_valid(), good.errors
