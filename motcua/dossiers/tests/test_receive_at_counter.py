"""Counter intake across boundaries and history (SPEC scenarios 22, 30), applicants and files."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role
from motcua.core import rows
from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.deadlines.models import CalendarDay
from motcua.dossiers import history, services
from motcua.dossiers.applicants import Person, clean_person
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import ClockEvent, Dossier, DossierComponent, DossierEvent, DossierFile, FeeLine
from motcua.units.models import AdminUnit, Agency, AgencyKind, Level, OneStopKind, OneStopUnit

from .factories import PDF, applicant, make_commune, make_procedure, staff, vn

pytestmark = pytest.mark.django_db


def _boundary_independent(version) -> None:
    type(version).objects.filter(pk=version.pk).update(is_boundary_independent=True)
    version.refresh_from_db()


def test_scenario_22_commune_b_receives_what_commune_a_decides(world, make_user, committee):
    """SPEC scenario 22: a procedure on the province's boundary-independent list, decided by commune A,
    received at commune B's centre: B's code, A competent, the return place the applicant chose
    (the counting: ``reports/tests/test_ii06a.py``)."""
    province = world.agency.admin_unit
    commune_a, centre_a = make_commune(province, "28001", "Cẩm Xuyên", committee)
    _commune_b, centre_b = make_commune(province, "28002", "Thạch Hà Mới", committee)
    _boundary_independent(world.version)
    officer_b = staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan-b", one_stop_unit_id=centre_b.pk)
    dossier = services.receive_at_counter(
        intake=world.intake(
            received_at_unit_id=centre_b.pk, competent_agency_id=commune_a.pk, return_unit_id=centre_a.pk
        ),
        actor=officer_b,
        at=vn(2026, 3, 2, 9),
    )
    assert dossier.code == "000.02.00.H42-260302-0001"
    assert (dossier.received_at_unit, dossier.competent_agency, dossier.return_unit) == (
        centre_b,
        commune_a,
        centre_a,
    )
    assert dossier.due_at == vn(2026, 3, 16, 17, 0)  # 10 working days on the province's calendar


def test_scenario_22_deadline_on_the_competent_agency_s_calendar_across_provinces(world, make_user):
    """Received in another province (a listed procedure): the receiving agency's code, the competent
    agency's province calendar (its own day off on 05/03 is skipped)."""
    other_province = AdminUnit.objects.create(
        code="40",
        level=Level.PROVINCE,
        name="Nghệ An",
        full_name="Tỉnh Nghệ An",
        valid_from=dt.date(2025, 7, 1),
    )
    commune_b = Agency.objects.create(
        identifier_code="000.00.15.H40",
        name="UBND xã B",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        admin_unit=other_province,
        name_folded="ubnd xa b",
    )
    centre_b = OneStopUnit.objects.create(
        code="xa-b",
        name="Trung tâm xã B",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=commune_b,
        admin_unit=other_province,
    )
    officer_b = staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan-b", one_stop_unit_id=centre_b.pk)
    # The competent agency's province (42) takes a day off that the receiving province does not.
    CalendarDay.objects.create(
        province=world.agency.admin_unit,
        day=dt.date(2026, 3, 5),
        kind="day_off",
        name_vi="Nghỉ riêng của tỉnh",
        legal_basis="QĐ 1/2026/QĐ-UBND",
    )
    _boundary_independent(world.version)
    dossier = services.receive_at_counter(
        intake=world.intake(received_at_unit_id=centre_b.pk, return_unit_id=world.centre.pk),
        actor=officer_b,
        at=vn(2026, 3, 2, 9),
    )
    assert dossier.code == "000.00.15.H40-260302-0001"
    assert (dossier.received_at_unit, dossier.competent_agency, dossier.return_unit) == (
        centre_b,
        world.agency,
        world.centre,
    )
    assert dossier.due_at == vn(2026, 3, 17, 17, 0)  # 10 working days, skipping 42's day off on 05/03


def test_a_procedure_off_the_list_is_not_received_for_anothermake_commune(world, make_user, committee):
    """Not on the boundary-independent list: commune B's centre refuses a dossier commune A decides,
    says where to go, and writes nothing. The province's agencies stay receivable at B (its area's
    province), and a listed procedure is refused where the centre takes no such dossiers."""
    province = world.agency.admin_unit
    commune_a, _centre_a = make_commune(province, "28001", "Cẩm Xuyên", committee)
    _commune_b, centre_b = make_commune(province, "28002", "Thạch Hà Mới", committee)
    officer_b = staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan-b", one_stop_unit_id=centre_b.pk)
    at = vn(2026, 3, 2, 9)
    with pytest.raises(ValidationFailed) as refused:
        services.receive_at_counter(
            intake=world.intake(received_at_unit_id=centre_b.pk, competent_agency_id=commune_a.pk),
            actor=officer_b,
            at=at,
        )
    assert (refused.value.code, refused.value.field) == ("outside_boundary", "competent_agency_id")
    assert refused.value.message_vi == (
        "Thủ tục này không thuộc danh mục thủ tục hành chính không phụ thuộc vào địa giới hành chính: "
        "Trung tâm xã Thạch Hà Mới không tiếp nhận hồ sơ do UBND xã Cẩm Xuyên giải quyết. Hãy hướng dẫn "
        "người nộp đến bộ phận một cửa nơi UBND xã Cẩm Xuyên tiếp nhận."
    )
    assert (Dossier.objects.count(), DossierEvent.objects.count(), DossierComponent.objects.count()) == (
        0,
        0,
        0,
    )

    # The provincial department is of B's area (the province above the commune).
    dossier = services.receive_at_counter(
        intake=world.intake(received_at_unit_id=centre_b.pk), actor=officer_b, at=at
    )
    assert dossier.competent_agency == world.agency

    _boundary_independent(world.version)
    OneStopUnit.objects.filter(pk=centre_b.pk).update(accepts_boundary_independent=False)
    with pytest.raises(ValidationFailed) as closed:
        services.receive_at_counter(
            intake=world.intake(received_at_unit_id=centre_b.pk, competent_agency_id=commune_a.pk),
            actor=officer_b,
            at=at,
        )
    assert (closed.value.code, closed.value.field) == ("outside_boundary", "received_at_unit_id")
    assert closed.value.message_en == (
        "Trung tâm xã Thạch Hà Mới does not receive boundary-independent dossiers of other areas "
        "(UBND xã Cẩm Xuyên)."
    )
    assert Dossier.objects.count() == 1


def test_scenario_30_legacy_district_unit_is_kept(world, make_user, province):
    legacy_province = AdminUnit.objects.create(
        code="42",
        level=Level.PROVINCE,
        name="Hà Tĩnh",
        full_name="Tỉnh Hà Tĩnh",
        valid_to=dt.date(2025, 6, 30),
    )
    district = AdminUnit.objects.create(
        code="436",
        level=Level.DISTRICT,
        name="Thạch Hà",
        full_name="Huyện Thạch Hà",
        parent=legacy_province,
        valid_to=dt.date(2025, 6, 30),
    )
    district_agency = Agency.objects.create(
        identifier_code="000.00.36.H42",
        name="UBND huyện Thạch Hà",
        kind=AgencyKind.DISTRICT_COMMITTEE,
        admin_unit=district,
        valid_to=dt.date(2025, 6, 30),
        name_folded="ubnd huyen thach ha",
    )
    district_unit = OneStopUnit.objects.create(
        code="bpmc-thach-ha",
        name="Bộ phận Một cửa huyện Thạch Hà",
        kind=OneStopKind.DISTRICT_RECEPTION,
        agency=district_agency,
        admin_unit=district,
        valid_to=dt.date(2025, 6, 30),
    )
    officer = staff(make_user, Role.RECEPTION_OFFICER, "bpmc-huyen", one_stop_unit_id=district_unit.pk)
    dossier = services.receive_at_counter(
        intake=world.intake(
            received_at_unit_id=district_unit.pk,
            competent_agency_id=district_agency.pk,
            applicant=applicant(commune_id=district.pk),
        ),
        actor=officer,
        at=vn(2025, 6, 20, 9),
    )
    assert dossier.code == "000.00.36.H42-250620-0001"
    seen = Dossier.objects.select_related("received_at_unit__admin_unit", "applicant_commune").get(
        pk=dossier.pk
    )
    assert seen.received_at_unit.name == "Bộ phận Một cửa huyện Thạch Hà"
    assert seen.received_at_unit.admin_unit.code == "436" and seen.received_at_unit.admin_unit.is_legacy
    assert seen.applicant_commune.full_name == "Huyện Thạch Hà"
    assert seen.due_at == vn(2025, 7, 4, 17, 0)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"identifier_number": "04209000123"}, "invalid_identifier"),
        ({"identifier_type": "enterprise_code", "identifier_number": "010123456"}, "invalid_identifier"),
        ({"phone": "0123"}, "invalid_phone"),
        ({"email": "khong-hop-le"}, "invalid_email"),
        ({"full_name": "  "}, "required"),
    ],
)
def test_applicant_is_validated(changes, code):
    with pytest.raises(ValidationFailed) as refused:
        clean_person(applicant(**changes), field="applicant")
    assert refused.value.code == code
    assert refused.value.message_vi and refused.value.message_en


def test_applicant_values_are_normalised():
    person = clean_person(
        Person(
            full_name=" Công ty  TNHH  Hoa Sen ",
            identifier_type="enterprise_code",
            identifier_number="0101234567-001",
            kind="organisation",
            phone="+84 912.345.678",
        ),
        field="applicant",
    )
    assert (person.full_name, person.phone, person.identifier_number) == (
        "Công ty TNHH Hoa Sen",
        "0912345678",
        "0101234567-001",
    )


def test_files_are_sniffed_sized_and_hashed(world, factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = factory.create(at=vn(2026, 3, 2, 9))
    component = dossier.components.first()
    stored = services.attach_component_file(
        component_id=component.pk, actor=world.reception, content=PDF, name="don.pdf", at=vn(2026, 3, 2, 10)
    )
    assert (stored.content_type, stored.size) == ("application/pdf", len(PDF))
    assert len(stored.sha256) == 64 and stored.file.read() == PDF
    dossier.refresh_from_db()
    assert dossier.has_digitized_components is True
    component.refresh_from_db()
    assert component.digitized_by == world.reception
    with pytest.raises(ValidationFailed) as exe:
        services.attach_component_file(
            component_id=component.pk, actor=world.reception, content=b"MZ\x90\x00", name="a.pdf"
        )
    assert exe.value.code == "unsupported_file_type"
    settings.MOTCUA_DOSSIER_FILE_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as big:
        services.attach_component_file(
            component_id=component.pk, actor=world.reception, content=PDF, name="b.pdf"
        )
    assert big.value.code == "file_too_large"
    with pytest.raises(PermissionRefused):
        services.attach_component_file(
            component_id=component.pk, actor=world.handler, content=PDF[:5], name="c.pdf"
        )
    assert DossierFile.objects.count() == 1


def test_a_repeated_request_with_its_idempotency_key_gets_the_first_dossier(world):
    intake = world.intake(idempotency_key="counter:7d1e")
    first = services.receive_at_counter(intake=intake, actor=world.reception, at=vn(2026, 3, 2, 9))
    again = services.receive_at_counter(intake=intake, actor=world.reception, at=vn(2026, 3, 2, 9, 1))
    assert again.pk == first.pk and again.code == first.code
    assert Dossier.objects.count() == 1
    other = services.receive_at_counter(
        intake=world.intake(idempotency_key="counter:8e2f"), actor=world.reception, at=vn(2026, 3, 2, 9, 2)
    )
    assert other.code == "000.00.12.H38-260302-0002"
    with pytest.raises(ValidationFailed) as caught:
        services.receive_at_counter(intake=world.intake(idempotency_key="k" * 65), actor=world.reception)
    assert (caught.value.code, caught.value.field) == ("invalid_idempotency_key", "idempotency_key")
    assert Dossier.objects.count() == 2


def _written(dossier_id: int) -> dict[str, Any]:
    """Every row an acceptance wrote for ``dossier_id``, without the ids the database gave them."""

    def strip(row: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v for k, v in row.items() if k not in ("id", "dossier_id", "event_id", "hash", "prev_hash")
        }

    return {
        "dossier": strip(Dossier.objects.filter(pk=dossier_id).values().get()),
        "components": [
            strip(r)
            for r in DossierComponent.objects.filter(dossier_id=dossier_id).order_by("position").values()
        ],
        "fee_lines": [
            strip(r) for r in FeeLine.objects.filter(dossier_id=dossier_id).order_by("id").values()
        ],
        "events": [
            strip(r) for r in DossierEvent.objects.filter(dossier_id=dossier_id).order_by("seq").values()
        ],
        "clock": [strip(r) for r in ClockEvent.objects.filter(dossier_id=dossier_id).values()],
    }


def test_the_accepted_dossier_is_inserted_once_with_what_insert_then_update_wrote(world, monkeypatch):
    """ADR 0044: the counter acceptance inserts the dossier row once, at the end of the act, with its
    final values (its id taken beforehand). The rows are those of the former path (INSERT in NEW
    when opened, then UPDATE of the changed columns), every column of every row; the event's hash
    chains from the new id."""
    version = make_procedure(code="2.000999", fee=50_000)
    templates = list(version.cases.get().components.order_by("position"))
    intake = world.intake(
        version=version,
        idempotency_key="counter:once",
        components=(
            services.ComponentInput(template_id=templates[0].pk, copy_type="certified_copy", count=2),
            services.ComponentInput(template_id=templates[1].pk, reused_from="CSDLQG-DC:042090001234"),
        ),
    )
    at = vn(2026, 3, 2, 9, 30)

    def accept() -> dict[str, Any]:
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
            dossier = services.receive_at_counter(intake=intake, actor=world.reception, at=at)
        # what each statement writes to the dossier's table (on PostgreSQL a statement may carry other
        # rows in front of it, as data-modifying CTEs: decision 0056)
        statements = [
            verb
            for q in captured.captured_queries
            for verb in ('INSERT INTO "dossiers_dossier"', 'UPDATE "dossiers_dossier" SET')
            if f"{verb} " in q["sql"] or q["sql"].endswith(verb)
        ]
        assert verify_history(dossier.pk) == []
        event = DossierEvent.objects.get(dossier_id=dossier.pk)
        assert event.hash == history.event_hash(history.fields_of(event))
        assert event.dossier_id == dossier.pk
        found = _written(dossier.pk)
        # What the act returns is what it wrote.
        assert {
            f.attname: getattr(dossier, f.attname) for f in Dossier._meta.concrete_fields if f.attname != "id"
        } == found["dossier"]
        return {"rows": found, "statements": statements}

    with transaction.atomic():
        once = accept()
        transaction.set_rollback(True)  # the numbers go back: the other path gets the same code

    opened = services._open

    def open_then_insert(*args: Any, **kwargs: Any) -> Dossier:  # the path before ADR 0044
        dossier = opened(*args, **kwargs)
        rows.insert(dossier, with_key=True)
        services._remember(("loaded", dossier.pk), rows.snapshot(dossier))
        return dossier

    monkeypatch.setattr(services, "_open", open_then_insert)
    with transaction.atomic():
        twice = accept()
        transaction.set_rollback(True)

    assert once["rows"] == twice["rows"]
    assert once["statements"] == ['INSERT INTO "dossiers_dossier"']
    assert twice["statements"] == ['INSERT INTO "dossiers_dossier"', 'UPDATE "dossiers_dossier" SET']
    row = once["rows"]["dossier"]
    assert {
        k: row[k] for k in ("code", "ledger_year", "ledger_number", "state", "version", "intake_key")
    } == {
        "code": "000.00.12.H38-260302-0001",
        "ledger_year": 2026,
        "ledger_number": 1,
        "state": "received",
        "version": 2,
        "intake_key": "counter:once",
    }
    assert (row["has_reused_components"], row["time_limit_amount"], row["time_limit_unit"]) == (
        True,
        10,
        "working_day",
    )
    assert (row["received_at"], row["created_at"], row["updated_at"]) == (at, at, at)
    assert (row["due_at"], row["original_due_at"], row["handover_due_at"]) == (
        vn(2026, 3, 16, 17),
        vn(2026, 3, 16, 17),
        vn(2026, 3, 2, 17),
    )
    assert [(c["copy_type"], c["count"], c["reused_from"]) for c in once["rows"]["components"]] == [
        ("certified_copy", 2, ""),
        ("copy", 1, "CSDLQG-DC:042090001234"),
    ]
    assert [(f["amount"], f["description"]) for f in once["rows"]["fee_lines"]] == [(50_000, "Lệ phí")]
    assert [(e["seq"], e["name"], e["state_after"]) for e in once["rows"]["events"]] == [
        (1, "accepted", "received")
    ]
    assert [c["kind"] for c in once["rows"]["clock"]] == ["start"]


def test_a_fee_line_is_written_with_the_components_and_kept_with_its_key(world, django_assert_num_queries):
    """Decision 0060: the fee lines of an acceptance are inserted by ``rows.insert_many``, which on
    PostgreSQL carries the rows waiting in front of it (the components) in the same statement; their
    keys are read back and the dossier's ``fee_lines`` answer from what the act wrote."""
    version = make_procedure(code="2.000998", fee=50_000)
    services.receive_at_counter(
        intake=world.intake(version=version), actor=world.reception, at=vn(2026, 3, 2, 9)
    )
    postgres = connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as captured:
        dossier = services.receive_at_counter(
            intake=world.intake(version=version), actor=world.reception, at=vn(2026, 3, 2, 10)
        )
    fee_statements = [
        q["sql"] for q in captured.captured_queries if 'INSERT INTO "dossiers_feeline"' in q["sql"]
    ]
    assert len(fee_statements) == 1
    # PostgreSQL: the components ride in front of the fee line (one statement for both)
    assert ('INSERT INTO "dossiers_dossiercomponent"' in fee_statements[0]) is postgres
    assert len(captured.captured_queries) == (8 if postgres else 13)  # 9 on PostgreSQL before
    with django_assert_num_queries(0):
        kept = list(dossier.fee_lines.all())
    stored = list(
        FeeLine.objects.filter(dossier=dossier).values_list("pk", "description", "amount", "collect_at")
    )
    assert [(line.pk, line.description, line.amount, line.collect_at) for line in kept] == stored
    assert [(d, a, c) for _, d, a, c in stored] == [("Lệ phí", 50_000, "on_receipt")]
    assert kept[0].pk is not None and kept[0].dossier is dossier


def test_the_unit_serving_an_agency_is_its_own_else_the_nearest_of_its_area(world, committee):
    """Where an online dossier is received when the procedure names no unit (``unit_serving``): the
    agency's own unit, else a unit of its commune, else of its province; never another commune's."""
    province = world.agency.admin_unit
    commune_a, centre_a = make_commune(province, "28001", "Cẩm Xuyên", committee)
    _commune_b, centre_b = make_commune(province, "28002", "Thạch Hà Mới", committee)
    police_a = Agency.objects.create(
        identifier_code="000.01.99.H42",
        name="Công an xã Cẩm Xuyên",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        admin_unit=commune_a.admin_unit,
        name_folded="cong an xa cam xuyen",
    )
    assert services.unit_serving(commune_a.pk) == centre_a  # its own
    assert services.unit_serving(police_a.pk) == centre_a  # its commune's
    assert services.unit_serving(world.agency.pk) == world.centre  # the province's
    assert centre_b not in {services.unit_serving(a) for a in (commune_a.pk, police_a.pk, world.agency.pk)}


def test_a_procedure_of_many_components_is_received_on_either_database(world):
    """Twelve components go in one INSERT of more than 50 parameters: on PostgreSQL through psycopg's
    raw cursor, on SQLite through Django's (the raw cursor is PostgreSQL's only; a real procedure of
    the demo, received at the counter on SQLite, failed there)."""
    version = make_procedure("1.000099.H42", components=12)
    dossier = services.receive_at_counter(
        intake=world.intake(version=version), actor=world.reception, at=vn(2026, 3, 2, 9)
    )
    names = list(dossier.components.order_by("position").values_list("name", flat=True))
    assert names == [f"Thành phần {i}" for i in range(1, 13)]
    assert dossier.code == "000.00.12.H38-260302-0001"
