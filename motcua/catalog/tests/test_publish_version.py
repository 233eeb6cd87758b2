"""Publishing: a published version is frozen on every path; the version in force at an instant."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.catalog import services
from motcua.catalog.importer import import_procedures
from motcua.catalog.models import (
    ChannelOffer,
    Fee,
    Procedure,
    ProcedureVersion,
    PublishedVersionIsFrozen,
    VersionStatus,
)
from motcua.catalog.selectors import version_in_force
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, PermissionRefused

pytestmark = pytest.mark.django_db

RECORD = {
    "ma_thu_tuc": "1.999029",
    "ten_thu_tuc": "Thủ tục thử kịch bản 29",
    "so_quyet_dinh": "100/QĐ-UBND",
    "cap_thuc_hien": "Cấp xã",
    "linh_vuc": "Hộ tịch",
    "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp15 Ngày làm việcMiễn phí",
}


@pytest.fixture
def controller(make_user, committee):
    return make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)


@pytest.fixture
def published(tmp_path) -> ProcedureVersion:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
    import_procedures(source, publish=True, effective_from=dt.date(2025, 7, 1))
    return ProcedureVersion.objects.get(procedure__code="1.999029", number=1)


def _at(day: int, month: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 0, tzinfo=VN_TZ)


def test_scenario_29_a_dossier_keeps_the_limit_in_force_when_accepted(published, controller):
    draft = services.create_draft(procedure_code="1.999029", actor=controller)
    ChannelOffer.objects.filter(version=draft).update(time_limit_amount=10)
    services.publish_version(
        version_id=draft.pk, actor=controller, effective_from=dt.date(2026, 4, 1), decision="200/QĐ-UBND"
    )

    before = version_in_force("1.999029", at=_at(30, 3))
    after = version_in_force("1.999029", at=_at(1, 4))

    assert (before.number, before.offers.get().time_limit) == (1, {"amount": 15, "unit": "working_day"})
    assert (after.number, after.offers.get().time_limit) == (2, {"amount": 10, "unit": "working_day"})
    published.refresh_from_db()
    assert (published.status, published.effective_to) == (VersionStatus.SUPERSEDED, dt.date(2026, 3, 31))
    # Local (UTC+7) day decides: 16:59:59 UTC is still 31/03 in Viet Nam, 17:00 UTC is 01/04.
    assert version_in_force("1.999029", at=dt.datetime(2026, 3, 31, 16, 59, 59, tzinfo=dt.UTC)).number == 1
    assert version_in_force("1.999029", at=dt.datetime(2026, 3, 31, 17, 0, 0, tzinfo=dt.UTC)).number == 2
    assert version_in_force("1.999029", at=dt.date(2025, 6, 30)) is None


def test_the_service_refuses_to_edit_a_published_version(published, controller):
    with pytest.raises(Conflict) as refused:
        services.update_draft(version_id=published.pk, actor=controller, changes={"name": "Tên mới"})
    assert refused.value.code == "published_version_frozen"
    assert ProcedureVersion.objects.get(pk=published.pk).name == "Thủ tục thử kịch bản 29"


def test_save_refuses_a_published_version_and_its_parts(published):
    published.name = "Sửa trộm"
    with pytest.raises(PublishedVersionIsFrozen):
        published.save()
    offer = ChannelOffer.objects.get(version=published)
    offer.time_limit_amount = 1
    with pytest.raises(PublishedVersionIsFrozen):
        offer.save()
    fee = Fee.objects.get(offer=offer)
    with pytest.raises(PublishedVersionIsFrozen):
        fee.delete()
    with pytest.raises(PublishedVersionIsFrozen):
        published.delete()
    assert ProcedureVersion.objects.get(pk=published.pk).name == "Thủ tục thử kịch bản 29"
    assert ChannelOffer.objects.get(version=published).time_limit_amount == 15


def test_the_admin_form_cannot_change_a_published_version(published, admin_client):
    url = reverse("admin:catalog_procedureversion_change", args=[published.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="name"' not in page.content  # read-only view
    response = admin_client.post(url, {"name": "Sửa qua admin"})
    assert response.status_code == 403
    assert ProcedureVersion.objects.get(pk=published.pk).name == "Thủ tục thử kịch bản 29"


def test_a_change_makes_a_new_draft_and_only_a_controller_may(published, controller, make_user):
    clerk = make_user("vanthu", role=Role.CITIZEN)
    with pytest.raises(PermissionRefused):
        services.create_draft(procedure_code="1.999029", actor=clerk)
    draft = services.create_draft(procedure_code="1.999029", actor=controller)
    services.update_draft(version_id=draft.pk, actor=controller, changes={"name": "Tên mới"})
    assert [
        (v.number, v.status, v.name)
        for v in ProcedureVersion.objects.filter(procedure__code="1.999029").order_by("number")
    ] == [
        (1, "published", "Thủ tục thử kịch bản 29"),
        (2, "draft", "Tên mới"),
    ]
    assert draft.offers.get().time_limit == {"amount": 15, "unit": "working_day"}
    with pytest.raises(Conflict):
        services.create_draft(procedure_code="1.999029", actor=controller)
    with pytest.raises(PermissionRefused):
        services.publish_version(version_id=draft.pk, actor=clerk, effective_from=dt.date(2026, 1, 1))
    assert Procedure.objects.get(code="1.999029").name == "Thủ tục thử kịch bản 29"
