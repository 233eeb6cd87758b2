"""The names the table keeps as plain strings match the apps that own them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from motcua.accounts.models import Role
from motcua.deadlines.timeline import ClockEventKind
from motcua.workflow import ClockEffect
from motcua.workflow import roles as r


def test_role_names_mirror_accounts_role() -> None:
    assert list(r.ROLES) == [role.value for role in Role]
    for role in Role:
        assert getattr(r, role.name) == role.value
    assert r.SYSTEM not in {role.value for role in Role}
    assert {role.value for role in Role} | {"system"} == r.ACTORS
    assert {role.value for role in Role} - {
        "citizen",
        "organisation",
        "authorised_rep",
        "system_admin",
    } == r.STAFF


def test_clock_effects_name_clock_event_kinds() -> None:
    assert {effect: effect.clock_event for effect in ClockEffect} == {
        ClockEffect.NONE: None,
        ClockEffect.START: ClockEventKind.START,
        ClockEffect.RESTART_OR_PAUSE_REQUEST: ClockEventKind.SUPPLEMENT_REQUESTED,
        ClockEffect.RESUME: ClockEventKind.SUPPLEMENT_RECEIVED,
        ClockEffect.PAUSE: ClockEventKind.FINANCIAL_OBLIGATION_REQUESTED,
        ClockEffect.RESUME_PAYMENT: ClockEventKind.PAID,
        ClockEffect.EXTEND: ClockEventKind.EXTENDED,
        ClockEffect.STOP: ClockEventKind.STOPPED,
        ClockEffect.FINISH: ClockEventKind.FINISHED,
    }
    assert {effect.clock_event for effect in ClockEffect} - {None} == {kind.value for kind in ClockEventKind}


def test_the_table_imports_without_django() -> None:
    repo = Path(__file__).resolve().parents[3]
    code = (
        "import sys; import motcua.workflow, motcua.workflow.diagram; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(repo)}, cwd=repo)
