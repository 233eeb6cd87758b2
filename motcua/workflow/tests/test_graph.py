"""The shape of the life cycle, explored exhaustively over (state, step) positions with every role."""

from __future__ import annotations

import pytest

from motcua.workflow import TERMINAL, TRANSITIONS, Act, ActNotAllowed, Position, State, allowed_acts, check
from motcua.workflow.states import STEP_STATES
from motcua.workflow.tests.support import EVERYONE, reachable, successors

S = State
STARTS = (Position(S.DRAFT, None), Position(S.NEW, None))
REACHABLE = reachable(*STARTS)


def test_every_state_is_reachable_from_draft_or_new() -> None:
    assert {position.state for position in REACHABLE} == set(State)


def test_returned_is_reachable_from_both_channels() -> None:
    for start in STARTS:
        assert Position(S.RETURNED, None) in reachable(start)


def test_every_position_can_still_end() -> None:
    # No dead ends: from anywhere a dossier can get, a terminal state can be reached.
    for position in REACHABLE:
        assert any(p.state in TERMINAL for p in reachable(position)), position


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_allow_no_act_at_all(state: State) -> None:
    assert allowed_acts(state, None, EVERYONE) == []
    assert all(state not in row.sources for row in TRANSITIONS)
    for act in Act:
        with pytest.raises(ActNotAllowed) as caught:
            check(act=act, state=state, step=None, roles=EVERYONE)
        assert caught.value.code == "act_not_allowed_in_state"


def test_non_terminal_states_have_a_way_out() -> None:
    for state in set(State) - TERMINAL:
        assert any(state in row.sources and row.target not in (None, state) for row in TRANSITIONS), state


def test_positions_are_consistent() -> None:
    for position in REACHABLE:
        if position.state == S.IN_PROCESSING:
            assert position.step is not None, position
        if position.state not in STEP_STATES:
            assert position.step is None, position


def test_the_reachable_positions() -> None:
    # Pinned, so that a change to the table is a conscious one.
    by_state = {state: sorted(str(p.step) for p in REACHABLE if p.state == state) for state in State}
    assert by_state[S.IN_PROCESSING] == sorted(
        [
            "awaiting_assignment",
            "assigned",
            "appraising",
            "consulting",
            "refusal_proposed",
            "signing",
            "issuing",
        ]
    )
    assert by_state[S.PROCESSING_SUPPLEMENT_REQUESTED] == ["appraising", "assigned", "consulting"]
    assert by_state[S.AWAITING_FINANCIAL_OBLIGATION] == sorted(
        ["assigned", "appraising", "consulting", "signing", "issuing"]
    )
    assert by_state[S.WITHDRAWAL_REQUESTED] == sorted(
        ["None", "awaiting_assignment", "assigned", "appraising", "consulting", "refusal_proposed", "signing"]
    )
    # 10 states without a step, and the 7 + 3 + 5 + 7 positions above.
    assert len(REACHABLE) == 10 + 7 + 3 + 5 + 7


def test_successors_of_a_fresh_draft() -> None:
    assert successors(Position(S.DRAFT, None)) == {Position(S.SUBMITTED, None)}
