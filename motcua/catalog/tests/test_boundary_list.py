"""The province's list of boundary-independent procedures (decision 0063): applied all or nothing,
on published and draft versions, by the controller or the command."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.accounts.models import Role
from motcua.catalog import services
from motcua.catalog.importer import import_procedures
from motcua.catalog.models import ProcedureVersion, VersionStatus
from motcua.core.errors import PermissionRefused, ValidationFailed

pytestmark = pytest.mark.django_db

CODES = ("1.999101", "1.999102", "1.999103")


@pytest.fixture
def catalogue(tmp_path):
    source = tmp_path / "three.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "ma_thu_tuc": code,
                    "ten_thu_tuc": f"Thủ tục {code}",
                    "so_quyet_dinh": "100/QĐ-UBND",
                    "cap_thuc_hien": "Cấp xã",
                    "linh_vuc": "Hộ tịch",
                    "cach_thuc_thuc_hien": (
                        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí"
                    ),
                },
                ensure_ascii=False,
            )
            + "\n"
            for code in CODES
        ),
        encoding="utf-8",
    )
    import_procedures(source, publish=True, effective_from=dt.date(2025, 7, 1))


def flags() -> dict[tuple[str, str], bool]:
    return {
        (code, status): flag
        for code, status, flag in ProcedureVersion.objects.filter(procedure__code__in=CODES).values_list(
            "procedure__code", "status", "is_boundary_independent"
        )
    }


def test_the_list_sets_the_flag_on_published_and_draft_versions_and_replace_takes_others_off(
    catalogue, make_user, committee
):
    controller = make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)
    services.create_draft(procedure_code="1.999102", actor=controller)
    done = services.apply_boundary_independent_list(
        actor=controller, codes=["1.999101", " 1.999102 ", "1.999101"], decision="50/QĐ-UBND"
    )
    assert (done.listed, done.newly_listed, done.unlisted) == (2, 2, 0)
    assert flags() == {
        ("1.999101", VersionStatus.PUBLISHED): True,
        ("1.999102", VersionStatus.PUBLISHED): True,
        ("1.999102", VersionStatus.DRAFT): True,
        ("1.999103", VersionStatus.PUBLISHED): False,
    }
    again = services.apply_boundary_independent_list(
        actor=controller, codes=["1.999103"], decision="51/QĐ-UBND", replace=True
    )
    assert (again.listed, again.newly_listed, again.unlisted) == (1, 1, 2)
    assert {key for key, flag in flags().items() if flag} == {("1.999103", VersionStatus.PUBLISHED)}


def test_an_unknown_code_refuses_the_whole_list_and_only_the_controller_may(catalogue, make_user, committee):
    controller = make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.apply_boundary_independent_list(
            actor=controller, codes=["1.999101", "9.999999"], decision="50/QĐ-UBND"
        )
    assert (refused.value.code, refused.value.message_vi) == (
        "unknown_procedure_codes",
        "Không có thủ tục mã 9.999999 trong danh mục; danh mục không được áp dụng.",
    )
    with pytest.raises(ValidationFailed) as no_decision:
        services.apply_boundary_independent_list(actor=controller, codes=["1.999101"], decision=" ")
    assert no_decision.value.field == "decision"
    clerk = make_user("vanthu", role=Role.CLERK, agency_id=committee.pk)
    with pytest.raises(PermissionRefused):
        services.apply_boundary_independent_list(actor=clerk, codes=["1.999101"], decision="50/QĐ-UBND")
    assert not any(flags().values())


def test_the_command_reads_a_csv_with_a_header(catalogue, tmp_path, capsys):
    listing = tmp_path / "danh-muc.csv"
    listing.write_text("ma_thu_tuc,ten\n1.999101,Thủ tục A\n1.999103,Thủ tục C\n\n", encoding="utf-8")
    call_command("load_boundary_independent_list", str(listing), "--decision", "52/QĐ-UBND")
    assert capsys.readouterr().out.strip().endswith("2 procedures listed (2 new), 0 taken off")
    assert {code for (code, _), flag in flags().items() if flag} == {"1.999101", "1.999103"}
    bad = tmp_path / "sai.csv"
    bad.write_text("1.999101\n1.000000\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"1\.000000"):
        call_command("load_boundary_independent_list", str(bad), "--decision", "53/QĐ-UBND", "--replace")
    assert {code for (code, _), flag in flags().items() if flag} == {"1.999101", "1.999103"}


def test_the_api_applies_the_list_as_the_command_does(catalogue, client, make_user, committee):
    url = "/api/v1/catalog/boundary-independent-list"
    client.force_login(make_user("vanthu", role=Role.CLERK, agency_id=committee.pk))
    assert (
        client.post(url, {"codes": ["1.999101"], "decision": "50/QĐ-UBND"}, "application/json").status_code
        == 403
    )
    client.force_login(make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk))
    unknown = client.post(url, {"codes": ["1.999101", "2.0"], "decision": "50/QĐ-UBND"}, "application/json")
    assert (unknown.status_code, unknown.json()["code"], unknown.json()["detail_en"]) == (
        400,
        "unknown_procedure_codes",
        "No procedure has the code 2.0; the list was not applied.",
    )
    done = client.post(url, {"codes": ["1.999102"], "decision": "50/QĐ-UBND"}, "application/json")
    assert (done.status_code, done.json()) == (200, {"listed": 1, "newly_listed": 1, "unlisted": 0})
    assert {code for (code, _), flag in flags().items() if flag} == {"1.999102"}
