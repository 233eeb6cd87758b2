"""The registry of acts (``dossiers.acts``) agrees with the services it names and the state table:
every act an officer does on a dossier is there once, with arguments its service takes, the gate
permission the service checks, and the version check in one place."""

from __future__ import annotations

import inspect

import pytest

from motcua.accounts.gate import PERMISSIONS
from motcua.dossiers import acts, services
from motcua.workflow import Act

TARGET_ARGUMENT = {"dossier": "dossier_id", "consultation": "consultation_id", "task": "task_id"}


def test_every_act_on_a_dossier_is_in_the_registry():
    # ``submit`` opens a dossier (no dossier yet, no version): not an act on one.
    assert set(acts.ACTS) == {a.value for a in Act} - {Act.SUBMIT} | {
        acts.COMPLETE_TASK,
        acts.URGE,
        acts.TRANSFER_TO_SUCCESSOR,
    }
    assert len(acts.ACTS) == 26


@pytest.mark.parametrize("name", sorted(acts.ACTS))
def test_each_entry_matches_its_service(name):
    act = acts.ACTS[name]
    parameters = inspect.signature(act.service).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    assert set(act.arguments) <= set(parameters), set(act.arguments) - set(parameters)
    assert TARGET_ARGUMENT[act.target] in parameters
    assert "actor" in parameters
    assert ("expected_version" in parameters) is act.versioned
    if act.required is not None:
        assert act.required in act.arguments
        assert parameters[act.required].default is inspect.Parameter.empty
    # Every argument the service needs (no default) is one the registry passes.
    needed = {
        n for n, p in parameters.items() if p.default is inspect.Parameter.empty and n not in ("actor",)
    }
    assert needed - {TARGET_ARGUMENT[act.target]} <= set(act.arguments), name
    assert act.permission in PERMISSIONS
    assert act.service.__name__ in services.__all__


def test_acts_without_a_version_in_their_service():
    assert sorted(n for n, a in acts.ACTS.items() if not a.versioned) == ["complete_task", "urge"]
    assert {n: a.target for n, a in acts.ACTS.items() if a.target != "dossier"} == {
        "answer_consultation": "consultation",
        "complete_task": "task",
    }
