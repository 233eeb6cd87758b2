"""Import of the national portal's procedure records (JSON lines) and Excel lists.

Idempotent: a record whose content hash equals the newest version's is unchanged; changed content
makes a new draft version (or replaces the current draft). Each record is saved inside its own
savepoint, so a refused record leaves nothing behind and the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.text import fold

from . import parsing, services
from .models import (
    AgencyRole,
    ChannelOffer,
    ComponentTemplate,
    Fee,
    Field,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ResultDocument,
    VersionAgency,
    VersionStatus,
    levels_to_text,
)

PARSED_FIELDS = ("levels", "field", "channels", "time_limit", "fees", "components", "legal_bases", "results")

AGENCY_COLUMNS = [
    (AgencyRole.IMPLEMENTING, "co_quan_thuc_hien"),
    (AgencyRole.COMPETENT, "co_quan_co_tham_quyen"),
    (AgencyRole.AUTHORISED, "co_quan_duoc_uy_quyen"),
    (AgencyRole.COORDINATING, "co_quan_phoi_hop"),
    (AgencyRole.RECEIVING, "dia_chi_tiep_nhan"),
]


class RecordRefused(Exception):
    pass


@dataclass
class ImportReport:
    records_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    processes_generated: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    parse: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {name: {"parsed": 0, "not_parsed": []} for name in PARSED_FIELDS}
    )
    time_limits_none_given: list[dict[str, str]] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)
    agencies_unmatched: list[str] = field(default_factory=list)

    def count(self, name: str, code: str, ok: bool) -> None:
        entry = self.parse[name]
        if ok:
            entry["parsed"] += 1
        else:
            entry["not_parsed"].append(code)

    def as_dict(self) -> dict[str, Any]:
        valid = self.records_read - len(self.failed)
        return {
            "records_read": self.records_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "published": self.published,
            "processes_generated": self.processes_generated,
            "failed": self.failed,
            "parse": {
                name: {
                    "parsed": entry["parsed"],
                    "total": valid,
                    "rate": round(entry["parsed"] / valid, 4) if valid else None,
                    "not_parsed": entry["not_parsed"],
                }
                for name, entry in self.parse.items()
            },
            "time_limits_none_given": self.time_limits_none_given,
            "fields_created": sorted(set(self.fields_created)),
            "agencies_unmatched": sorted(set(self.agencies_unmatched)),
        }


def content_hash(record: dict[str, Any]) -> str:
    payload = {k: v for k, v in record.items() if not k.startswith("_")}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class Importer:
    def __init__(
        self,
        *,
        publish: bool = False,
        effective_from: dt.date | None = None,
        actor: User | None = None,
        province_code: str | None = None,
    ) -> None:
        from django.conf import settings

        from motcua.units.models import Agency

        self.publish = publish
        self.effective_from = effective_from or clock.today()
        self.actor = actor
        self.province_code: str = province_code or str(settings.MOTCUA_PROVINCE_CODE)
        self.report = ImportReport()
        self.fields = {f.name_folded: f for f in Field.objects.all()}
        self.agencies: dict[str, int] = {}
        for agency_id, name in Agency.objects.filter(valid_to__isnull=True).values_list("id", "name"):
            self.agencies.setdefault(fold(name), agency_id)
        self.published_ids: list[int] = []

    # --- sources ---

    def import_path(self, path: Path) -> ImportReport:
        paths = (
            sorted(p for p in path.iterdir() if p.suffix in (".jsonl", ".xlsx")) if path.is_dir() else [path]
        )
        for source in paths:
            if source.suffix == ".xlsx":
                self.import_records(self._excel_records(source), partial=True)
            else:
                self.import_records(self._jsonl_records(source), partial=False)
        if self.publish and self.published_ids:
            self.report.processes_generated += services.generate_default_processes(
                version_ids=self.published_ids, province_code=self.province_code
            )
        return self.report

    @staticmethod
    def _jsonl_records(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path.name}:{number}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    yield where, f"không phải JSON / not JSON ({error.msg})"
                    continue
                yield (
                    where,
                    record if isinstance(record, dict) else "không phải đối tượng JSON / not a JSON object",
                )

    @staticmethod
    def _excel_records(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            header: list[str] | None = None
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [str(c).strip() if c is not None else "" for c in row]
                if header is None:
                    if cells and cells[0] == "Mã số":
                        header = cells
                    continue
                if not any(cells):
                    continue
                values = dict(zip(header, cells, strict=False))
                yield (
                    f"{path.name}:{number}",
                    {
                        "ma_thu_tuc": values.get("Mã số", ""),
                        "ten_thu_tuc": values.get("Tên", ""),
                        "co_quan_thuc_hien": values.get("Cơ quan thực hiện", ""),
                        "linh_vuc": values.get("Lĩnh vực", ""),
                        "_issuer": values.get("Cơ quan ban hành", ""),
                        "_separators": "\n;",
                    },
                )
        finally:
            workbook.close()

    # --- records ---

    def import_records(self, records: Iterator[tuple[str, dict[str, Any] | str]], *, partial: bool) -> None:
        seen: dict[str, str] = {}
        for where, record in records:
            self.report.records_read += 1
            code = record.get("ma_thu_tuc", "").strip() if isinstance(record, dict) else ""
            try:
                if isinstance(record, str):
                    raise RecordRefused(record)
                name = str(record.get("ten_thu_tuc") or "").strip()
                if not code:
                    raise RecordRefused("thiếu mã thủ tục / no procedure code (ma_thu_tuc)")
                if not name:
                    raise RecordRefused("thiếu tên thủ tục / no procedure name (ten_thu_tuc)")
                if code in seen:
                    raise RecordRefused(f"mã trùng với {seen[code]} / duplicate code, first at {seen[code]}")
                seen[code] = where
                fields_before, created_before = dict(self.fields), len(self.report.fields_created)
                try:
                    with transaction.atomic():
                        outcome = (
                            self._import_excel_row(code, record) if partial else self._import(code, record)
                        )
                except Exception:
                    self.fields = fields_before
                    del self.report.fields_created[created_before:]
                    raise
                setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            except Exception as refusal:  # one bad record never stops the others
                self.report.failed.append(
                    {
                        "line": where,
                        "code": code or None,
                        "reason": f"{where} ({code or 'không mã'}): {refusal}",
                    }
                )

    def _field(self, name: str) -> Field | None:
        name = " ".join(name.split())
        if not parsing.clean(name):
            return None
        key = fold(name)
        found = self.fields.get(key)
        if found is None:
            found = Field.objects.create(name=name, name_folded=key)
            self.fields[key] = found
            self.report.fields_created.append(name)
        return found

    def _import_excel_row(self, code: str, record: dict[str, Any]) -> str:
        if Procedure.objects.filter(code=code).exists():
            return "unchanged"  # The list carries less than a record; never overwrite a richer version.
        procedure = Procedure.objects.create(code=code, name=record["ten_thu_tuc"])
        version = ProcedureVersion(
            procedure=procedure,
            number=1,
            name=record["ten_thu_tuc"],
            field=self._field(record.get("linh_vuc", "")),
            field_raw=record.get("linh_vuc", ""),
            source_hash=content_hash(record),
        )
        version.save()
        self._agencies(version, record)
        return "created"

    def _import(self, code: str, record: dict[str, Any]) -> str:
        digest = content_hash(record)
        parsed = self._parse(code, record)
        procedure = Procedure.objects.filter(code=code).first()
        outcome = "created"
        if procedure is None:
            _, _, suffix = code.partition(".H")
            procedure = Procedure.objects.create(
                code=code, name=record["ten_thu_tuc"], local_suffix=suffix and f"H{suffix}"
            )
            number = 1
        else:
            latest = procedure.versions.order_by("-number").first()
            if latest is not None and latest.source_hash == digest:
                if self.publish and latest.status == VersionStatus.DRAFT:
                    self._publish(latest, record)
                return "unchanged"
            outcome = "updated"
            if latest is not None and latest.status == VersionStatus.DRAFT:
                number = latest.number
                latest.delete()
            else:
                number = (procedure.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = self._build(procedure, number, record, digest, parsed)
        if self.publish:
            self._publish(version, record)
        return outcome

    def _publish(self, version: ProcedureVersion, record: dict[str, Any]) -> None:
        decision = parsing.clean(record.get("so_quyet_dinh")) or version.decision
        if not decision:
            raise RecordRefused(
                "không có số quyết định công bố, không công bố được / no publication decision"
            )
        services.publish_version(
            version_id=version.pk, actor=self.actor, effective_from=self.effective_from, decision=decision
        )
        self.report.published += 1
        self.published_ids.append(version.pk)

    def _parse(self, code: str, record: dict[str, Any]) -> dict[str, Any]:
        report = self.report
        levels = parsing.parse_levels(record.get("cap_thuc_hien", ""))
        report.count("levels", code, bool(levels))
        report.count("field", code, bool(parsing.clean(record.get("linh_vuc"))))
        offers = parsing.parse_channels(record.get("cach_thuc_thuc_hien", ""))
        report.count("channels", code, bool(offers))
        timed = bool(offers) and all(o.amount is not None for o in offers)
        report.count("time_limit", code, timed)
        for offer in offers:
            if offer.amount is None:
                report.time_limits_none_given.append(
                    {"code": code, "channel": offer.channel, "raw": offer.time_raw or offer.raw[:80]}
                )
        report.count("fees", code, bool(offers) and all(o.fee_parsed for o in offers))
        cases = parsing.parse_components(record.get("thanh_phan_ho_so", ""))
        report.count("components", code, any(case.components for case in cases))
        legal = parsing.parse_legal_bases(record.get("can_cu_phap_ly", ""))
        report.count("legal_bases", code, bool(legal))
        results = parsing.parse_results(record.get("ket_qua_xu_ly", ""))
        report.count("results", code, bool(results.results))
        return {"levels": levels, "offers": offers, "cases": cases, "legal": legal, "results": results}

    def _agencies(self, version: ProcedureVersion, record: dict[str, Any]) -> None:
        rows = []
        for role, column in AGENCY_COLUMNS:
            text = str(record.get(column) or "")
            for position, name in enumerate(parsing.split_list(text, record.get("_separators", ",;\n"))):
                key = fold(name)
                agency_id = self.agencies.get(key)
                if agency_id is None and role != AgencyRole.RECEIVING:
                    self.report.agencies_unmatched.append(name)
                rows.append(
                    VersionAgency(
                        version=version,
                        role=role,
                        name=name[:500],
                        name_folded=key[:500],
                        agency_id=agency_id,
                        position=position,
                    )
                )
        VersionAgency.objects.bulk_create(rows)

    def _build(
        self, procedure: Procedure, number: int, record: dict[str, Any], digest: str, parsed: dict[str, Any]
    ) -> ProcedureVersion:
        clean = parsing.clean
        results: parsing.ParsedResults = parsed["results"]
        offers: list[parsing.ParsedOffer] = parsed["offers"]
        applicants = parsing.split_list(record.get("doi_tuong_thuc_hien", ""))
        version = ProcedureVersion(
            procedure=procedure,
            number=number,
            name=record["ten_thu_tuc"].strip(),
            decision=clean(record.get("so_quyet_dinh")),
            levels=levels_to_text(parsed["levels"]),
            procedure_type=clean(record.get("loai_thu_tuc")),
            field=self._field(record.get("linh_vuc", "")),
            field_raw=record.get("linh_vuc", "") or "",
            applicant_types=applicants,
            applicant_types_raw=record.get("doi_tuong_thuc_hien", "") or "",
            steps=clean(record.get("trinh_tu_thuc_hien")),
            requirements=clean(record.get("yeu_cau_dieu_kien")),
            description=results.description,
            keywords=results.keywords,
            related_procedures=clean(record.get("thu_tuc_lien_quan")),
            source_url=(record.get("detail_url") or "")[:500],
            source_hash=digest,
            channels_raw=record.get("cach_thuc_thuc_hien", "") or "",
            components_raw=record.get("thanh_phan_ho_so", "") or "",
            legal_bases_raw=record.get("can_cu_phap_ly", "") or "",
            results_raw=record.get("ket_qua_xu_ly", "") or "",
            online_level=services.derive_online_level({o.channel for o in offers}),
        )
        version.save()
        self._agencies(version, record)
        ResultDocument.objects.bulk_create(
            ResultDocument(version=version, name=name, code=code, position=i)
            for i, (name, code) in enumerate(results.results)
        )
        LegalBasis.objects.bulk_create(
            LegalBasis(
                version=version,
                number=lb.number[:120],
                title=lb.title,
                issued_on=lb.issued_on,
                issuer=lb.issuer,
                position=i,
            )
            for i, lb in enumerate(parsed["legal"])
        )
        cases: list[parsing.ParsedCase] = parsed["cases"] or [parsing.ParsedCase(name="")]
        saved_cases = ProcedureCase.objects.bulk_create(
            ProcedureCase(version=version, name=case.name, position=i) for i, case in enumerate(cases)
        )
        ComponentTemplate.objects.bulk_create(
            ComponentTemplate(
                case=saved,
                name=component.name,
                form_template=component.form_template[:255],
                originals=component.originals,
                copies=component.copies,
                raw=component.raw,
                position=i,
            )
            for saved, case in zip(saved_cases, cases, strict=True)
            for i, component in enumerate(case.components)
        )
        saved_offers = ChannelOffer.objects.bulk_create(
            ChannelOffer(
                version=version,
                channel=offer.channel,
                time_limit_amount=offer.amount,
                time_limit_unit=offer.unit,
                time_limit_raw=offer.time_raw,
                description=offer.description,
                raw=offer.raw,
                position=i,
            )
            for i, offer in enumerate(offers)
        )
        Fee.objects.bulk_create(
            Fee(
                offer=saved,
                kind=fee.kind,
                amount=fee.amount,
                description=fee.description,
                raw=fee.raw,
                position=i,
            )
            for saved, offer in zip(saved_offers, offers, strict=True)
            for i, fee in enumerate(offer.fees)
        )
        return version


def import_procedures(
    path: Path,
    *,
    publish: bool = False,
    effective_from: dt.date | None = None,
    actor: User | None = None,
) -> ImportReport:
    importer = Importer(publish=publish, effective_from=effective_from, actor=actor)
    return importer.import_path(path)
