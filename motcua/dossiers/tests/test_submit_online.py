"""Online submission (T1, T5-T7) from a draft, with uploads and documents reused from the store."""

from __future__ import annotations

import pytest

from motcua.catalog.models import AgencyRole, VersionAgency
from motcua.core.errors import NotFound, PermissionRefused, ValidationFailed
from motcua.dossiers import online, services
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierFile,
    Draft,
    StoredDocument,
    StoredDocumentSource,
)
from motcua.workflow import State

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def competent(world):
    """The version names the justice department as competent (as an imported record does)."""
    VersionAgency.objects.bulk_create(
        [
            VersionAgency(
                version=world.version,
                role=AgencyRole.COMPETENT,
                name=world.agency.name,
                name_folded=world.agency.name_folded,
                agency=world.agency,
            )
        ]
    )


def _filled_draft(world, **data):
    draft = online.start_draft(actor=world.citizen, procedure_version_id=world.version.pk)
    values = {
        "applicant_full_name": "Nguyễn Văn An",
        "applicant_identifier_type": "citizen_id",
        "applicant_identifier_number": "042090001234",
        "applicant_phone": "0912 345 678",
        "received_at_unit_id": str(world.centre.pk),
        **data,
    }
    return online.save_draft(draft_id=draft.pk, actor=world.citizen, values=values)


def _templates(world):
    return list(world.version.cases.first().components.order_by("position"))


def test_a_draft_with_two_uploads_and_one_reused_document_is_submitted(world):
    kept = online.keep_upload(actor=world.citizen, content=PNG, name="cccd.png", title="Căn cước")
    t1, t2 = _templates(world)
    draft = _filled_draft(world)
    online.upload_to_draft(
        draft_id=draft.pk, actor=world.citizen, template_id=t1.pk, content=PDF, name="a.pdf"
    )
    online.pick_from_store(draft_id=draft.pk, actor=world.citizen, template_id=t2.pk, document_id=kept.pk)

    dossier = online.submit_draft(draft_id=draft.pk, actor=world.citizen)

    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert dossier.code is None
    assert dossier.temporary_reference.startswith("TMP-")
    assert dossier.channel == "online"
    assert dossier.submitted_by_id == world.citizen.pk
    assert dossier.has_reused_components is True
    components = list(dossier.components.order_by("position"))
    assert [c.template_id for c in components] == [t1.pk, t2.pk]
    assert [c.reused_from for c in components] == ["", f"KHO:{kept.pk}"]
    assert [c.copy_type for c in components] == ["electronic", "electronic"]
    files = DossierFile.objects.filter(component__dossier=dossier).order_by("component__position")
    assert [f.content_type for f in files] == ["application/pdf", "image/png"]
    assert files[1].sha256 == kept.sha256
    assert files[0].file.read() == PDF
    draft.refresh_from_db()
    assert draft.dossier_id == dossier.pk
    assert draft.submitted_at is not None
    # Every upload is in the store: the new one and the reused one, once each.
    assert StoredDocument.objects.filter(owner=world.citizen).count() == 2
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("name", flat=True)) == ["submitted"]


def test_a_missing_component_refuses_the_submission_and_the_draft_stays_a_draft(world):
    t1, t2 = _templates(world)
    draft = _filled_draft(world)
    online.upload_to_draft(
        draft_id=draft.pk, actor=world.citizen, template_id=t1.pk, content=PDF, name="a.pdf"
    )

    with pytest.raises(ValidationFailed) as caught:
        online.submit_draft(draft_id=draft.pk, actor=world.citizen)

    assert caught.value.code == "missing_components"
    assert caught.value.field == f"component_{t2.pk}"
    assert caught.value.message_vi == "Còn thiếu thành phần bắt buộc: Thành phần 2."
    assert Dossier.objects.count() == 0
    draft.refresh_from_db()
    assert draft.submitted_at is None and draft.dossier_id is None
    assert list(draft.slots) == [str(t1.pk)]


def test_a_bad_field_at_submission_names_the_field_and_leaves_nothing(world):
    t1, t2 = _templates(world)
    draft = _filled_draft(world, applicant_phone="12345")
    for template in (t1, t2):
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=world.citizen,
            template_id=template.pk,
            content=PDF + str(template.pk).encode(),
            name="x.pdf",
        )
    with pytest.raises(ValidationFailed) as caught:
        online.submit_draft(draft_id=draft.pk, actor=world.citizen)
    assert (caught.value.code, caught.value.field) == ("invalid_phone", "applicant.phone")
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert Draft.objects.get(pk=draft.pk).submitted_at is None


def test_a_failure_after_the_dossier_is_opened_rolls_everything_back(world, monkeypatch):
    """A dropped connection (any error) after submit_dossier ran: no dossier, the draft unchanged."""
    t1, t2 = _templates(world)
    draft = _filled_draft(world)
    for template in (t1, t2):
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=world.citizen,
            template_id=template.pk,
            content=PDF + str(template.pk).encode(),
            name="x.pdf",
        )

    def broken(*args, **kwargs):
        raise ConnectionError("client went away")

    monkeypatch.setattr(online, "_files_for", broken)
    with pytest.raises(ConnectionError):
        online.submit_draft(draft_id=draft.pk, actor=world.citizen)
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert Draft.objects.get(pk=draft.pk).submitted_at is None


def test_uploads_are_checked_by_content_and_size(world, settings):
    t1, _t2 = _templates(world)
    draft = _filled_draft(world)
    with pytest.raises(ValidationFailed) as caught:
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=world.citizen,
            template_id=t1.pk,
            content=b"MZ\x90\x00 not a pdf",
            name="a.pdf",
        )
    assert (caught.value.code, caught.value.field) == ("unsupported_file_type", f"component_{t1.pk}")
    settings.MOTCUA_DOSSIER_FILE_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as caught:
        online.upload_to_draft(
            draft_id=draft.pk, actor=world.citizen, template_id=t1.pk, content=PDF + b"0" * 100, name="a.pdf"
        )
    assert caught.value.code == "file_too_large"
    assert StoredDocument.objects.count() == 0
    assert Draft.objects.get(pk=draft.pk).slots == {}


def test_nobody_reaches_another_persons_draft_or_store_document(world, make_user):
    from motcua.accounts.models import Role
    from motcua.accounts.services import grant_membership

    other = make_user("nguoikhac")
    grant_membership(user=other, role=Role.CITIZEN)
    theirs = online.keep_upload(actor=other, content=PDF, name="b.pdf", title="Giấy của người khác")
    t1, _t2 = _templates(world)
    draft = _filled_draft(world)
    with pytest.raises(ValidationFailed) as caught:
        online.pick_from_store(
            draft_id=draft.pk, actor=world.citizen, template_id=t1.pk, document_id=theirs.pk
        )
    assert caught.value.code == "document_not_found"
    with pytest.raises(NotFound):
        online.save_draft(draft_id=draft.pk, actor=other, values={"summary": "x"})
    with pytest.raises(NotFound):
        online.submit_draft(draft_id=draft.pk, actor=other)
    assert Draft.objects.get(pk=draft.pk).slots == {}


def test_an_unverified_account_cannot_start_a_draft(world, make_user):
    stranger = make_user("chuaxacminh")
    with pytest.raises(PermissionRefused) as caught:
        online.start_draft(actor=stranger, procedure_version_id=world.version.pk)
    assert caught.value.code == "account_not_verified"
    assert Draft.objects.count() == 0


def test_completion_online_then_acceptance_then_the_e_result_lands_in_the_store(
    world, django_capture_on_commit_callbacks
):
    t1, t2 = _templates(world)
    draft = _filled_draft(world)
    online.upload_to_draft(
        draft_id=draft.pk, actor=world.citizen, template_id=t1.pk, content=PDF, name="a.pdf"
    )
    online.upload_to_draft(
        draft_id=draft.pk, actor=world.citizen, template_id=t2.pk, content=PDF + b"2", name="b.pdf"
    )
    dossier = online.submit_draft(draft_id=draft.pk, actor=world.citizen)
    services.request_completion(
        dossier_id=dossier.pk,
        actor=world.reception,
        reason="Bản chụp thành phần 2 bị mờ",
        missing_component_ids=[t2.pk],
    )
    fresh = online.keep_upload(
        actor=world.citizen, content=PDF + b"clear", name="b2.pdf", title="Thành phần 2"
    )
    online.complete_online(
        dossier_id=dossier.pk,
        actor=world.citizen,
        items=[online.CompletionItem(t2.pk, fresh.pk, reused=False)],
    )
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert dossier.components.filter(template=t2).count() == 2
    services.accept_dossier(dossier_id=dossier.pk, actor=world.reception)
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception)
    services.assign_handler(dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk)
    services.appraise(dossier_id=dossier.pk, actor=world.handler, opinion="Đủ điều kiện")
    services.approve(dossier_id=dossier.pk, actor=world.approver)
    services.sign_result(dossier_id=dossier.pk, actor=world.approver)
    result_pdf = PDF + b"% ket qua\n"
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="15/GP", content=result_pdf)
    dossier.refresh_from_db()
    assert dossier.state == State.RESULT_READY
    assert dossier.code is not None
    stored = StoredDocument.objects.get(owner=world.citizen, source=StoredDocumentSource.RESULT)
    assert stored.dossier_id == dossier.pk
    assert stored.result_code == "15/GP"
    assert stored.file.read() == result_pdf


def test_completion_is_refused_for_someone_elses_dossier(world, make_user):
    from motcua.accounts.models import Role
    from motcua.accounts.services import grant_membership

    t1, t2 = _templates(world)
    draft = _filled_draft(world)
    for template in (t1, t2):
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=world.citizen,
            template_id=template.pk,
            content=PDF + str(template.pk).encode(),
            name="x.pdf",
        )
    dossier = online.submit_draft(draft_id=draft.pk, actor=world.citizen)
    other = make_user("nguoikhac")
    grant_membership(user=other, role=Role.CITIZEN)
    theirs = online.keep_upload(actor=other, content=PDF + b"o", name="o.pdf", title="x")
    with pytest.raises(NotFound):
        online.complete_online(
            dossier_id=dossier.pk, actor=other, items=[online.CompletionItem(t1.pk, theirs.pk, reused=True)]
        )


def test_a_file_digitized_at_the_counter_goes_to_the_store_of_the_vouched_identity_only(
    world, factory, make_user, django_capture_on_commit_callbacks
):
    from motcua.accounts.models import Role
    from motcua.accounts.services import grant_membership
    from motcua.dossiers.tests.factories import vn

    vouched = make_user("vneid")
    vouched.identifier, vouched.identity_verified = "042090001234", True
    vouched.save()
    grant_membership(user=vouched, role=Role.CITIZEN)
    claimed = make_user("tu-khai")  # same number typed by someone else, not vouched for
    claimed.identifier = "042090001234"
    claimed.save()
    dossier = factory.create(at=vn(2026, 3, 3, 9))
    component = dossier.components.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_component_file(
            component_id=component.pk, actor=world.reception, content=PDF, name="scan.pdf"
        )
    assert list(StoredDocument.objects.values_list("owner__username", "source", "title")) == [
        ("vneid", "counter", component.name)
    ]
