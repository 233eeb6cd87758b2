"""What a citizen reads about a dossier's state: its name and the next step to expect."""

from __future__ import annotations

from django.utils.translation import get_language

from motcua.dossiers import online
from motcua.workflow import State
from motcua.workflow.states import state_label as workflow_state_label


def state_label(state: str) -> str:
    if state not in State._value2member_map_:
        return state
    return workflow_state_label(State(state), get_language())


def next_step(state: str) -> str:
    return online.next_step(state)
