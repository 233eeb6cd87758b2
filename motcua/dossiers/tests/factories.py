"""Building dossiers through the real services, so every history row exists.

``World`` holds the places, staff and a published procedure; ``DossierFactory`` walks a dossier to a
trait (``received``, ``in_processing``, ``assigned``, ``appraising``, ``result_ready``, ``returned``)
act by act, each at a given instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from motcua.accounts.models import Role, User
from motcua.accounts.services import grant_membership
from motcua.catalog.models import (
    Channel,
    ChannelOffer,
    ComponentTemplate,
    Fee,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
)
from motcua.catalog.services import publish_version
from motcua.core.clock import VN_TZ
from motcua.dossiers import services
from motcua.dossiers.applicants import IdentifierType, Person
from motcua.dossiers.models import Dossier
from motcua.units.models import AdminUnit, Agency, AgencyKind, Level, OneStopKind, OneStopUnit


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def make_procedure(
    code: str = "1.000001.H42",
    *,
    amount: int = 10,
    unit: str = "working_day",
    effective_from: dt.date = dt.date(2025, 1, 1),
    components: int = 2,
    policy: str = "restart",
    fee: int | None = None,
    procedure: Procedure | None = None,
) -> ProcedureVersion:
    """A published version with one case, ``components`` required templates and in-person and
    online offers with the time limit."""
    procedure = procedure or Procedure.objects.create(code=code, name=f"Thủ tục {code}")
    number = procedure.versions.count() + 1
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        name=f"Thủ tục {code}",
        supplement_clock_policy=policy,
        decision="QĐ 1/2025",
    )
    version.save()
    case = ProcedureCase(version=version, name="Trường hợp chung")
    case.save()
    for i in range(components):
        ComponentTemplate(case=case, name=f"Thành phần {i + 1}", position=i, is_required=True).save()
    for position, channel in enumerate((Channel.IN_PERSON, Channel.ONLINE, Channel.POSTAL)):
        offer = ChannelOffer(
            version=version,
            channel=channel,
            time_limit_amount=amount,
            time_limit_unit=unit,
            position=position,
        )
        offer.save()
        if fee is not None:
            Fee(offer=offer, amount=fee, description="Lệ phí").save()
    return publish_version(
        version_id=version.pk, actor=None, effective_from=effective_from, at=vn(2025, 1, 1)
    )


def applicant(**overrides: Any) -> Person:
    values: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "identifier_type": IdentifierType.CITIZEN_ID,
        "identifier_number": "042090001234",
        "date_of_birth": dt.date(1990, 5, 1),
        "address": "Thôn 1, xã Thạch Hà",
        "phone": "0912 345 678",
        "email": "an@example.vn",
    }
    values.update(overrides)
    return Person(**values)


@dataclass
class World:
    centre: OneStopUnit
    agency: Agency  # the competent agency
    other_agency: Agency
    version: ProcedureVersion
    reception: User
    head: User
    leader: User
    handler: User
    approver: User
    clerk: User
    coordinator: User
    citizen: User
    extra: dict[str, Any] = field(default_factory=dict)

    def intake(self, **overrides: Any) -> services.Intake:
        version = overrides.pop("version", self.version)
        case = version.cases.first()
        templates = list(case.components.all()) if case else []
        values: dict[str, Any] = {
            "procedure_version_id": version.pk,
            "procedure_case_id": case.pk if case else None,
            "applicant": applicant(),
            "received_at_unit_id": self.centre.pk,
            "competent_agency_id": self.agency.pk,
            "components": tuple(services.ComponentInput(template_id=t.pk) for t in templates),
        }
        values.update(overrides)
        return services.Intake(**values)


TRAITS = (
    "received",
    "in_processing",
    "assigned",
    "appraising",
    "signing",
    "issuing",
    "result_ready",
    "returned",
)


class DossierFactory:
    """``DossierFactory(world).create(at=..., trait="appraising")``: one act per step, an hour apart."""

    def __init__(self, world: World) -> None:
        self.world = world

    def create(
        self, *, at: dt.datetime, trait: str = "received", step: dt.timedelta | None = None, **intake: Any
    ) -> Dossier:
        w = self.world
        gap = step or dt.timedelta(minutes=30)
        dossier = services.receive_at_counter(intake=w.intake(**intake), actor=w.reception, at=at)
        acts = [
            (
                "in_processing",
                lambda t: services.forward_dossier(dossier_id=dossier.pk, actor=w.reception, at=t),
            ),
            (
                "assigned",
                lambda t: services.assign_handler(
                    dossier_id=dossier.pk, actor=w.leader, handler_id=w.handler.pk, at=t
                ),
            ),
            (
                "appraising",
                lambda t: services.appraise(
                    dossier_id=dossier.pk, actor=w.handler, opinion="Đủ điều kiện", at=t
                ),
            ),
            ("signing", lambda t: services.approve(dossier_id=dossier.pk, actor=w.approver, at=t)),
            ("issuing", lambda t: services.sign_result(dossier_id=dossier.pk, actor=w.approver, at=t)),
            (
                "result_ready",
                lambda t: services.issue_result(
                    dossier_id=dossier.pk, actor=w.clerk, number="12/QĐ-STP", at=t
                ),
            ),
            ("returned", lambda t: services.return_result(dossier_id=dossier.pk, actor=w.reception, at=t)),
        ]
        when = at
        for name, act in acts:
            if TRAITS.index(trait) < TRAITS.index(name):
                break
            when = when + gap
            act(when)
        dossier.refresh_from_db()
        return dossier


def staff(make_user: Any, role: Role, username: str, **place: Any) -> User:
    user = make_user(username)
    grant_membership(user=user, role=role, **place)
    return user


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # the smallest file the result acts take as a PDF


def make_commune(province: AdminUnit, code: str, name: str, parent: Agency) -> tuple[Agency, OneStopUnit]:
    """A commune (administrative unit), its People's Committee and its centre."""
    area = AdminUnit.objects.create(
        code=code,
        level=Level.COMMUNE,
        name=name,
        full_name=f"Xã {name}",
        parent=province,
        valid_from=dt.date(2025, 7, 1),
    )
    committee = Agency.objects.create(
        identifier_code=f"000.{code[-2:]}.00.H42",
        name=f"UBND xã {name}",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        admin_unit=area,
        parent=parent,
        name_folded=f"ubnd xa {name.lower()}",
    )
    centre = OneStopUnit.objects.create(
        code=f"xa-{code}",
        name=f"Trung tâm xã {name}",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=committee,
        admin_unit=area,
    )
    return committee, centre
