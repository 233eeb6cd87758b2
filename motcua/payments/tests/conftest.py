"""A dossier with a fee, accepted from an online submission, its citizen and a finance officer; a
frozen clock on a working Monday morning; helpers to sign callbacks as the sandbox gateway does."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
import time_machine

from motcua.accounts.models import Role, User
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import World, make_procedure, staff, vn
from motcua.payments.gateways import SandboxGateway, callback_body, sign

NOW = vn(2026, 3, 2, 9, 0)
FEE = 50_000


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class Paying:
    world: World
    dossier: Dossier
    citizen: User
    finance: User


def accepted_online(world: World, *, fee: int = FEE, code: str = "1.000099.H42", at: dt.datetime) -> Dossier:  # noqa: F811
    version = make_procedure(code, fee=fee)
    submitted = dossier_services.submit_dossier(
        intake=world.intake(version=version, channel="online"), actor=world.citizen, at=at
    )
    dossier_services.accept_dossier(
        dossier_id=submitted.pk, actor=world.reception, at=at + dt.timedelta(minutes=5)
    )
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def paying(world, make_user, frozen) -> Paying:  # noqa: F811
    dossier = accepted_online(world, at=NOW - dt.timedelta(hours=1))
    finance = staff(make_user, Role.FINANCE, "ketoan", agency_id=world.agency.pk)
    return Paying(world=world, dossier=dossier, citizen=world.citizen, finance=finance)


def signed_callback(
    *,
    reference: str,
    amount: int,
    status: str = "paid",
    transaction_id: str = "SBX0001",
    at: dt.datetime | None = None,
    nonce: str | None = None,
) -> tuple[bytes, str]:
    body = callback_body(
        reference=reference,
        transaction_id=transaction_id,
        amount=amount,
        status=status,
        timestamp=int((at or NOW).timestamp()),
        nonce=nonce or secrets.token_hex(16),
    )
    return body, sign(SandboxGateway().secret(), body)


def return_url(reference: str) -> str:
    return f"/thanh-toan/{reference}/ket-qua/"
