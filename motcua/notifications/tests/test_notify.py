"""notify: validate, record once per idempotency key, schedule delivery only after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.core.errors import Conflict, ValidationFailed
from motcua.notifications import sms
from motcua.notifications.models import Message, MessageState
from motcua.notifications.services import notify

from .contexts import ACCEPTED, COMPLETION_REQUESTED, NOW

pytestmark = pytest.mark.django_db


def accepted(**overrides):
    args = {
        "template_key": "dossier.accepted",
        "channel": "email",
        "recipient": "hoa.nguyen@example.vn",
        "context": ACCEPTED,
        "subject_ref": "dossier:42",
        "idempotency_key": "dossier:42:accepted:email",
    }
    return notify(**{**args, **overrides})


def test_records_the_message_queued_and_delivers_it_after_commit(frozen, committed, mailoutbox):
    with committed() as callbacks:
        message = accepted()
        assert (message.state, message.attempts, mailoutbox) == (MessageState.QUEUED, 0, [])

    assert len(callbacks) == 1
    message.refresh_from_db()
    assert (message.subject_type, message.subject_id, message.subject_ref) == ("dossier", "42", "dossier:42")
    assert (message.state, message.attempts, message.sent_at, message.last_error) == (
        MessageState.SENT,
        1,
        NOW,
        "",
    )
    (email,) = mailoutbox
    assert email.extra_headers["Message-ID"] == message.provider_message_id
    assert message.provider_message_id.endswith(f".motcua.{message.pk}@localhost>")
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_same_idempotency_key_sends_once(committed, mailoutbox):
    with committed():
        first = accepted()
    with committed() as callbacks:
        again = accepted()  # a retried task or a double click
        again_in_same_transaction = accepted()

    assert again.pk == again_in_same_transaction.pk == first.pk
    assert callbacks == []
    assert Message.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_key_reused_for_another_notification_is_a_conflict(committed, mailoutbox):
    with committed():
        accepted()
    with pytest.raises(Conflict) as refused:
        accepted(channel="sms", recipient="0912345678")  # the caller forgot the channel in its key

    assert refused.value.code == "idempotency_key_reused"
    assert Message.objects.count() == 1
    assert len(mailoutbox) == 1


def test_nothing_is_recorded_or_sent_when_the_transaction_rolls_back(committed, mailoutbox):
    with committed() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        accepted()
        accepted(channel="sms", recipient="0912345678", idempotency_key="dossier:42:accepted:sms")
        raise RuntimeError("the dossier act failed after notify")

    assert callbacks == []
    assert Message.objects.count() == 0
    assert (mailoutbox, sms.outbox) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_rollback(mailoutbox):
    """Without the test transaction: on_commit runs on a real COMMIT and never after a ROLLBACK."""
    with pytest.raises(RuntimeError), transaction.atomic():
        accepted(idempotency_key="rolled-back")
        raise RuntimeError
    with transaction.atomic():
        accepted(idempotency_key="committed")
        assert mailoutbox == []

    assert list(Message.objects.values_list("idempotency_key", "state")) == [("committed", "sent")]
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(+84) 38-123-4567", "+84381234567"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, stored, committed):
    with committed():
        message = accepted(channel="sms", recipient=raw)
    assert Message.objects.get(pk=message.pk).recipient == stored
    assert [s.phone for s in sms.outbox] == [stored]


def test_email_domain_is_lower_cased(committed):
    message = accepted(recipient="  Hoa.Nguyen@Example.VN ")
    assert message.recipient == "Hoa.Nguyen@example.vn"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "912345678",
        "01234567890",
        "0212345678",
        "02393855555",
        "+85512345678",
        "09123456789",
        "0912-abc-678",
    ],
)
def test_invalid_phone_is_refused_in_vietnamese_and_english(raw):
    with pytest.raises(ValidationFailed) as refused:
        accepted(channel="sms", recipient=raw)

    error = refused.value
    assert (error.code, error.field, error.status) == ("invalid_recipient", "recipient", 400)
    assert error.message("vi") == (
        "Số điện thoại không hợp lệ: cần số di động Việt Nam dạng 0xxxxxxxxx hoặc +84xxxxxxxxx."
    )
    assert error.message("en") == (
        "Invalid phone number: a Vietnamese mobile number is required, as 0xxxxxxxxx or +84xxxxxxxxx."
    )
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "raw", ["", "hoa.nguyen", "hoa@", "@example.vn", "hoa nguyen@example.vn", "0912345678"]
)
def test_invalid_email_is_refused_in_vietnamese_and_english(raw):
    with pytest.raises(ValidationFailed) as refused:
        accepted(recipient=raw)

    error = refused.value
    assert (error.code, error.field) == ("invalid_recipient", "recipient")
    assert (error.message("vi"), error.message("en")) == (
        "Địa chỉ e-mail không hợp lệ.",
        "Invalid e-mail address.",
    )
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"channel": "zalo"}, "invalid_channel", "channel"),
        ({"language": "fr"}, "unsupported_language", "language"),
        ({"template_key": "dossier.lost"}, "unknown_template", "template_key"),
        ({"subject_ref": "42"}, "invalid_subject_ref", "subject_ref"),
        ({"subject_ref": "Dossier:42"}, "invalid_subject_ref", "subject_ref"),
        ({"idempotency_key": "  "}, "invalid_idempotency_key", "idempotency_key"),
        ({"idempotency_key": "k" * 201}, "invalid_idempotency_key", "idempotency_key"),
        ({"context": {**ACCEPTED, "due_at": " "}}, "missing_context", "context"),
        ({"context": {**ACCEPTED, "dossier_cod": "x"}}, "unexpected_context", "context"),
        ({"context": {**ACCEPTED, "due_at": "2026-03-06T14:00"}}, "invalid_context", "context"),
        ({"context": {**ACCEPTED, "dossier_code": None}}, "invalid_context", "context"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_recorded(overrides, code, field):
    with pytest.raises(ValidationFailed) as refused:
        accepted(**overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Message.objects.count() == 0


def test_missing_context_names_every_missing_key():
    context = {k: v for k, v in ACCEPTED.items() if k not in ("due_at", "dossier_code")}
    with pytest.raises(ValidationFailed) as refused:
        accepted(context=context)
    assert refused.value.extra == {"keys": ["dossier_code", "due_at"]}
    assert refused.value.message("vi") == "Thiếu nội dung cho mẫu thông báo: dossier_code, due_at."


def test_free_text_dates_are_kept_as_given():
    message = accepted(context={**ACCEPTED, "due_at": "trong ngày"})
    assert "Thời gian hẹn trả kết quả: trong ngày\n" in message.body


def test_long_sms_switches_to_the_short_form_with_the_link(settings):
    long_guidance = "\n".join(
        f"{i}. Bản sao chứng thực giấy tờ số {i} của người yêu cầu." for i in range(1, 8)
    )
    message = accepted(
        template_key="dossier.completion_requested",
        channel="sms",
        recipient="0912345678",
        context={**COMPLETION_REQUESTED, "guidance": long_guidance, "lookup_url": "https://dvc.vn/hs/1"},
    )
    assert message.body == (
        "Hồ sơ trực tuyến TN-260213-0042 (Đăng ký khai sinh) chưa được tiếp nhận, cần bổ sung, hoàn thiện. "
        "Lý do và hướng dẫn đầy đủ: https://dvc.vn/hs/1"
    )


def test_sms_without_a_short_form_is_cut_at_a_word(settings):
    settings.MOTCUA_SMS_MAX_CHARS = 120
    message = accepted(channel="sms", recipient="0912345678")
    assert message.body == (
        "Hồ sơ 000.00.12.H42-260213-0007 (Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam) đã được "
        "tiếp nhận lúc 14h00…"
    )
    assert len(message.body) <= 120


def test_unaccented_sms_when_the_gateway_needs_gsm7(settings):
    settings.MOTCUA_SMS_UNACCENTED = True
    message = accepted(
        template_key="dossier.stopped",
        channel="sms",
        recipient="0912345678",
        context={
            "applicant_name": "Đỗ Thị Thuỷ",
            "dossier_code": "000.00.12.H42-260302-0005",
            "procedure_name": "Đăng ký khai sinh",
            "unit_name": "UBND xã Đức Thọ",
            "reason": "Theo đề nghị rút hồ sơ của Ông/Bà",
        },
    )
    assert message.body == (
        "Ho so 000.00.12.H42-260302-0005 (Dang ky khai sinh) da dung giai quyet. "
        "Ly do: Theo de nghi rut ho so cua Ong/Ba."
    )
    assert message.body.isascii()
