"""Technical support sees the messages in the admin, read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.notifications.services import notify

from .contexts import ACCEPTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(client):
    user = get_user_model().objects.create_superuser(username="hotro", password="mat-khau-an-toan-9")
    client.force_login(user)
    return client


def test_message_list_filtered_by_state_and_read_only(support):
    message = notify(
        template_key="dossier.accepted",
        channel="email",
        recipient="hoa.nguyen@example.vn",
        context=ACCEPTED,
        subject_ref="dossier:42",
        idempotency_key="k",
    )

    changelist = reverse("admin:notifications_message_changelist")
    listing = support.get(f"{changelist}?state__exact=queued")
    assert listing.status_code == 200
    assert "dossier.accepted" in listing.content.decode()
    assert support.get(f"{changelist}?state__exact=sent").context["cl"].result_count == 0

    detail = support.get(reverse("admin:notifications_message_change", args=[message.pk]))
    assert detail.status_code == 200
    assert "Kính gửi Ông/Bà Nguyễn Thị Hoà" in detail.content.decode()
    assert support.get(reverse("admin:notifications_message_add")).status_code == 403
    assert support.post(reverse("admin:notifications_message_delete", args=[message.pk])).status_code == 403
