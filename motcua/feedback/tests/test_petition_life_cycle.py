"""Petitions (PAKN, SPEC §7.3): submission, the staff acts, their time limits and the history."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Role
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.dossiers.tests.factories import staff, vn
from motcua.feedback import services
from motcua.feedback.models import Petition, PetitionEvent
from motcua.feedback.selectors import petition_counts, petitions_for_user
from motcua.notifications.models import Message

from .conftest import petition_input

pytestmark = pytest.mark.django_db


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(VN_TZ)


def submit(world, at, **overrides):
    overrides.setdefault("agency_id", world.agency.pk)
    return services.submit_petition(data=petition_input(**overrides), at=at)


def test_scenario_28_limits_from_monday_2_march_2026(world):
    """SPEC scenario 28: received Mon 02/03/2026 → refuse by Wed 04/03, transfer by Mon 09/03,
    resolve by Mon 23/03 (15 working days); each at the close of office hours."""
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    assert petition.state == "received"
    assert local(petition.refuse_due_at) == vn(2026, 3, 4, 17, 0)
    assert local(petition.supplement_due_at) == vn(2026, 3, 9, 17, 0)
    assert local(petition.transfer_due_at) == vn(2026, 3, 9, 17, 0)
    assert local(petition.resolve_due_at) == vn(2026, 3, 23, 17, 0)
    assert petition.code.startswith("PAKN-") and len(petition.code) == 15


def test_limits_skip_tet_and_the_weekend(world):
    """Received Fri 13/02/2026 14:00, the eve of Tết (14–22/02 off): day 1 is Mon 23/02."""
    petition = submit(world, vn(2026, 2, 13, 14, 0))
    assert local(petition.refuse_due_at) == vn(2026, 2, 24, 17, 0)
    assert local(petition.supplement_due_at) == vn(2026, 2, 27, 17, 0)
    assert local(petition.resolve_due_at) == vn(2026, 3, 13, 17, 0)


def test_publication_limit_skips_30_april_1_may_and_the_weekend(world, controller):
    petition = submit(world, vn(2026, 4, 20, 9, 0))
    services.accept_petition(petition_id=petition.pk, actor=controller, at=vn(2026, 4, 21, 9, 0))
    answered = services.answer_petition(
        petition_id=petition.pk, actor=controller, answer="Đã chấn chỉnh bộ phận.", at=vn(2026, 4, 29, 15, 0)
    )
    # Thu 30/04 and Fri 01/05 are holidays, 02–03/05 the weekend: Mon 04/05 is day 1.
    assert local(answered.publish_due_at) == vn(2026, 5, 5, 17, 0)


def test_full_life_cycle_with_history_and_notifications(
    world, controller, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        petition = submit(world, vn(2026, 3, 2, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_petition(petition_id=petition.pk, actor=controller, at=vn(2026, 3, 3, 9, 0))
        services.answer_petition(
            petition_id=petition.pk,
            actor=controller,
            answer="Sở đã trả kết quả và xin lỗi.",
            at=vn(2026, 3, 20, 9, 0),
        )
        published = services.publish_petition(
            petition_id=petition.pk, actor=controller, at=vn(2026, 3, 24, 10, 0)
        )
    assert published.state == "published"
    assert local(published.published_at) == vn(2026, 3, 24, 10, 0)
    assert local(published.publish_due_at) == vn(2026, 3, 24, 17, 0)
    assert published.is_late is False
    history = list(
        PetitionEvent.objects.filter(petition=petition).values_list(
            "seq", "name", "state_before", "state_after", "is_on_time"
        )
    )
    assert history == [
        (1, "submitted", "", "received", None),
        (2, "accepted", "received", "processing", None),
        (3, "answered", "processing", "answered", True),
        (4, "published", "answered", "published", True),
    ]
    # The submitter hears of the receipt and of the published answer, by e-mail and SMS.
    messages = list(Message.objects.order_by("id").values_list("channel", "recipient", "subject"))
    assert messages == [
        ("email", "binh@example.vn", f"Phản ánh, kiến nghị {petition.code}: Đã tiếp nhận"),
        ("sms", "+84987654321", ""),
        ("email", "binh@example.vn", f"Phản ánh, kiến nghị {petition.code}: Đã công khai kết quả"),
        ("sms", "+84987654321", ""),
    ]
    assert "Sở đã trả kết quả và xin lỗi." in mailoutbox[-1].body
    assert "Hạn trả lời: 17 giờ 00 phút, ngày 23/03/2026" in mailoutbox[0].body


def test_late_refusal_is_recorded_as_late(world, controller):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    refused = services.refuse_petition(
        petition_id=petition.pk, actor=controller, reason="Không ghi rõ nội dung.", at=vn(2026, 3, 5, 8, 0)
    )
    assert (refused.state, refused.is_late, refused.refusal_reason) == (
        "refused",
        True,
        "Không ghi rõ nội dung.",
    )
    event = PetitionEvent.objects.get(petition=petition, name="refused")
    assert (event.is_on_time, local(event.due_at)) == (False, vn(2026, 3, 4, 17, 0))


def test_refusal_on_the_last_day_after_office_hours_is_on_time(world, controller):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    services.refuse_petition(
        petition_id=petition.pk, actor=controller, reason="Trùng lặp.", at=vn(2026, 3, 4, 19, 0)
    )
    assert PetitionEvent.objects.get(petition=petition, name="refused").is_on_time is True


def test_supplement_restarts_the_clock(world, controller):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    services.request_petition_supplement(
        petition_id=petition.pk, actor=controller, reason="Ghi rõ số hồ sơ.", at=vn(2026, 3, 3, 10, 0)
    )
    with pytest.raises(NotFound):
        services.supplement_petition(
            code=petition.code, phone_last4="0000", text="x", at=vn(2026, 3, 6, 9, 0)
        )
    back = services.supplement_petition(
        code=petition.code.lower(),
        phone_last4="4321",
        text="Số hồ sơ 000.00.12.H38-260213-0001",
        at=vn(2026, 3, 6, 9, 0),
    )
    assert back.state == "received"
    assert back.supplements == "Số hồ sơ 000.00.12.H38-260213-0001"
    assert local(back.resolve_due_at) == vn(2026, 3, 27, 17, 0)
    assert local(back.refuse_due_at) == vn(2026, 3, 10, 17, 0)


def test_transfer_moves_the_petition_and_restarts_the_clock(world, controller):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    moved = services.transfer_petition(
        petition_id=petition.pk,
        actor=controller,
        agency_id=world.other_agency.pk,
        reason="Thuộc thẩm quyền Sở Tài chính.",
        at=vn(2026, 3, 9, 16, 0),
    )
    assert (moved.agency_id, moved.state, moved.is_late) == (world.other_agency.pk, "received", False)
    assert local(moved.resolve_due_at) == vn(2026, 3, 30, 17, 0)
    event = PetitionEvent.objects.get(petition=petition, name="transferred")
    assert event.data == {
        "from_agency": world.agency.pk,
        "from_agency_name": "Sở Tư pháp",
        "to_agency": world.other_agency.pk,
    }


def test_who_may_act(world, controller, make_user, centre):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    # The one-stop head of the commune centre is not above the Department of Justice; the reception
    # officer and the handler hold no feedback permission.
    for user in (world.head, world.reception, world.handler):
        with pytest.raises(PermissionRefused):
            services.accept_petition(petition_id=petition.pk, actor=user, at=vn(2026, 3, 3, 9, 0))
        assert list(petitions_for_user(user)) == []
    assert Petition.objects.get(pk=petition.pk).state == "received"
    assert PetitionEvent.objects.filter(petition=petition).count() == 1
    # The head of the provincial centre acts for the provincial committee, above the department.
    head_above = staff(make_user, Role.ONE_STOP_HEAD, "truong-ttpvhcc", one_stop_unit_id=centre.pk)
    assert list(petitions_for_user(head_above)) == [petition]
    assert list(petitions_for_user(controller)) == [petition]
    accepted = services.accept_petition(petition_id=petition.pk, actor=head_above, at=vn(2026, 3, 3, 9, 0))
    assert accepted.state == "processing"


def test_one_stop_head_handles_petitions_about_dossiers_of_their_centre(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 9, 0), trait="returned")
    petition = services.submit_petition(
        data=petition_input(dossier_code=dossier.code, identifier="042090001234"), at=vn(2026, 3, 5, 9, 0)
    )
    assert (petition.agency_id, petition.one_stop_unit_id, petition.dossier_id) == (
        world.agency.pk,
        world.centre.pk,
        dossier.pk,
    )
    officers = set(petition.officers.values_list("username", flat=True))
    assert officers == {"tiepnhan", "lanhdao", "thuly", "pheduyet", "vanthu"}
    assert list(petitions_for_user(world.head)) == [petition]
    services.accept_petition(petition_id=petition.pk, actor=world.head, at=vn(2026, 3, 5, 10, 0))


def test_act_from_the_wrong_state_is_refused_and_changes_nothing(world, controller):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    with pytest.raises(Conflict) as error:
        services.publish_petition(petition_id=petition.pk, actor=controller, at=vn(2026, 3, 3, 9, 0))
    assert error.value.code == "act_not_allowed"
    assert (
        error.value.message_vi
        == "Không thể “công khai kết quả trả lời” khi phản ánh, kiến nghị đang ở trạng thái “Chờ tiếp nhận”."
    )
    assert Petition.objects.get(pk=petition.pk).version == 1
    with pytest.raises(ValidationFailed) as missing:
        services.refuse_petition(
            petition_id=petition.pk, actor=controller, reason="  ", at=vn(2026, 3, 3, 9, 0)
        )
    assert (missing.value.code, missing.value.field) == ("required", "reason")


@pytest.mark.parametrize(
    ("overrides", "field", "code", "message_en"),
    [
        ({"name": " "}, "name", "required", "The full name is required."),
        ({"identifier": ""}, "identifier", "required", "The citizen ID number is required."),
        (
            {"identifier": "04219000567"},
            "identifier",
            "invalid_identifier",
            "A citizen ID number has exactly 12 digits.",
        ),
        ({"phone": ""}, "phone", "required", "The phone number is required."),
        (
            {"phone": "12345"},
            "phone",
            "invalid_phone",
            "The phone number is not a Vietnamese number (e.g. 0912 345 678).",
        ),
        ({"email": "binh@"}, "email", "invalid_email", "The e-mail address is not valid."),
        ({"address": ""}, "address", "required", "The address is required."),
        (
            {"content": "x" * 5001},
            "content",
            "too_long",
            "The content is longer than 5000 characters (5001).",
        ),
        ({"kind": "recommendation"}, "proposal", "required", "The proposal is required."),
        ({"topic": 9}, "topic", "invalid_topic", "Choose what the petition is about."),
        ({"agency_id": None}, "agency", "agency_required", "Choose the agency the petition is addressed to."),
    ],
)
def test_bad_submissions_are_refused_and_save_nothing(world, overrides, field, code, message_en):
    with pytest.raises(ValidationFailed) as error:
        submit(world, vn(2026, 3, 2, 10, 0), **overrides)
    assert (error.value.field, error.value.code, error.value.message_en) == (field, code, message_en)
    assert error.value.message_vi
    assert Petition.objects.count() == 0
    assert PetitionEvent.objects.count() == 0


def test_a_dossier_can_only_be_linked_by_its_applicant(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 9, 0), trait="received")
    for code in (dossier.code, "000.00.12.H38-260302-9999"):
        with pytest.raises(NotFound) as error:
            services.submit_petition(data=petition_input(dossier_code=code), at=vn(2026, 3, 3, 9, 0))
        assert error.value.message_en == "No dossier with this code matches the applicant details given."
    assert Petition.objects.count() == 0
    linked = services.submit_petition(
        data=petition_input(dossier_code=dossier.code, phone="0912345678"), at=vn(2026, 3, 3, 9, 0)
    )
    assert linked.dossier_id == dossier.pk


def test_history_is_append_only(world):
    petition = submit(world, vn(2026, 3, 2, 10, 0))
    event = PetitionEvent.objects.get(petition=petition)
    event.note = "sửa"
    with pytest.raises(Conflict):
        event.save()
    with pytest.raises(Conflict):
        PetitionEvent.objects.filter(petition=petition).delete()
    with pytest.raises(Conflict):
        PetitionEvent.objects.filter(petition=petition).update(note="x")


def test_petition_counts_for_reports(world, controller):
    on_time = submit(world, vn(2026, 3, 2, 10, 0))
    late = submit(world, vn(2026, 3, 2, 11, 0))
    submit(world, vn(2026, 3, 3, 11, 0))  # open, overdue by 30/03
    submit(world, vn(2026, 4, 1, 11, 0))  # outside the period
    services.refuse_petition(
        petition_id=on_time.pk, actor=controller, reason="Trùng.", at=vn(2026, 3, 3, 9, 0)
    )
    services.refuse_petition(petition_id=late.pk, actor=controller, reason="Trùng.", at=vn(2026, 3, 6, 9, 0))
    counts = petition_counts(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), at=vn(2026, 3, 30, 9, 0))
    assert counts == {
        "total": 3,
        "received": 1,
        "supplement_requested": 0,
        "refused": 2,
        "processing": 0,
        "answered": 0,
        "published": 0,
        "late": 1,
        "on_time": 1,
        "open_overdue": 1,
        "with_dossier": 0,
    }
