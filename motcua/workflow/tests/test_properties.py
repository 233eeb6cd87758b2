"""Random sequences of acts from random roles, applied through check(): the dossier never leaves the
set of states, a refused act changes nothing, and a terminal state stays terminal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workflow import (
    TERMINAL,
    TRANSITIONS,
    Act,
    Position,
    State,
    Step,
    WorkflowRefusal,
    after,
    allowed_acts,
    check,
    national_status,
)
from motcua.workflow.states import STEP_STATES
from motcua.workflow.tests.support import EVERYONE

roles = st.sets(st.sampled_from(EVERYONE), max_size=3)


def _apply(position: Position, act: Act, held: set[str]) -> Position:
    before = position
    try:
        row = check(act=act, state=position.state, step=position.step, roles=held)
    except WorkflowRefusal:
        assert act not in allowed_acts(position.state, position.step, held)
        return before
    assert act in allowed_acts(position.state, position.step, held)
    assert position.state not in TERMINAL, "a terminal state allowed an act"
    return after(row, state=position.state, step=position.step)


# Where a walk stops exploring processing: the guided walk avoids these three times in four.
_DETOURS = frozenset(
    {State.INTAKE_REFUSED, State.STOPPED, State.REFUSED_AFTER_APPRAISAL, State.WITHDRAWAL_REQUESTED}
)


def _detours(act: Act, state: State) -> bool:
    return any(row.act == act and state in row.sources and row.target in _DETOURS for row in TRANSITIONS)


def _check_invariants(position: Position, was_terminal: bool) -> None:
    assert position.state in set(State)
    assert position.step is None or position.step in set(Step)
    if position.state not in STEP_STATES:
        assert position.step is None
    if position.state == State.IN_PROCESSING:
        assert position.step is not None
    if was_terminal:
        assert position.state in TERMINAL


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    start=st.sampled_from([State.DRAFT, State.NEW]),
    moves=st.lists(st.tuples(st.sampled_from(list(Act)), roles), max_size=60),
)
def test_random_acts_from_random_roles(start: State, moves: list[tuple[Act, set[str]]]) -> None:
    position = Position(start, None)
    for act, held in moves:
        was_terminal = position.state in TERMINAL
        position = _apply(position, act, held)
        _check_invariants(position, was_terminal)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(start=st.sampled_from([State.DRAFT, State.NEW]), data=st.data())
def test_random_walks_along_allowed_acts(start: State, data: st.DataObject) -> None:
    """Mostly acts the table allows someone to do, by someone allowed, so walks get deep into
    processing; one time in ten a random act, or random roles, instead."""
    position = Position(start, None)
    statuses: list[int | None] = [national_status(position.state)]
    for _ in range(50):
        possible = allowed_acts(position.state, position.step, EVERYONE)
        lasting = [act for act in possible if not _detours(act, position.state)]
        keep_alive, wild_act, wild_roles = data.draw(
            st.tuples(st.integers(0, 3), st.integers(0, 9), st.integers(0, 9))
        )
        choices = lasting if lasting and keep_alive else possible  # three times in four: stay alive
        act = data.draw(st.sampled_from(choices if choices and wild_act else list(Act)))
        able = sorted({role for row in TRANSITIONS if row.act == act for role in row.roles})
        held = {data.draw(st.sampled_from(able))} if wild_roles else data.draw(roles)
        was_terminal = position.state in TERMINAL
        position = _apply(position, act, held)
        _check_invariants(position, was_terminal)
        statuses.append(national_status(position.state))
    # The national status never goes back to "submitted" after acceptance.
    accepted = [i for i, code in enumerate(statuses) if code == 2]
    if accepted:
        assert all(code not in (None, 1) for code in statuses[accepted[0] :])
