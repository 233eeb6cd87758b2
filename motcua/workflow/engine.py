"""Checking an act against the table: the "check the act" of the one door (STYLE.md, the life cycle).

``dossiers.services`` locks the row, calls ``check`` with the dossier's state and step and the
actor's roles, appends ``transition.event``, and moves the dossier to ``after(transition, ...)``.
Nothing here touches a database; the order of the checks is:

1. no row of the act admits any of the actor's roles (a citizen can never approve) → 403;
2. no row of the act starts from the dossier's state → 400 ``act_not_allowed_in_state``;
3. inside processing, the dossier is not at a step the row starts from → 400 ``act_not_allowed_in_step``;
4. the row for this state does not admit the actor's roles → 403 ``role_not_allowed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, NamedTuple

from motcua.core.errors import MotcuaError, PermissionRefused, ValidationFailed
from motcua.workflow.states import STATE_LABELS, STEP_LABELS, STEP_STATES, State, Step, is_terminal
from motcua.workflow.table import ACT_LABELS, ROWS_BY_ACT, TRANSITIONS, Act, Transition

__all__ = [
    "ActNotAllowed",
    "Position",
    "RoleNotAllowed",
    "WorkflowRefusal",
    "after",
    "allowed_acts",
    "check",
    "is_terminal",
]


class WorkflowRefusal(MotcuaError):
    """The table refuses an act; catch this to catch both refusals below."""

    def __init__(
        self, message_vi: str, message_en: str, *, act: Act, state: State, step: Step | None, **extra: Any
    ) -> None:
        super().__init__(message_vi, message_en, act=act.value, state=state.value, step=_value(step), **extra)
        self.act = act
        self.state = state
        self.step = step


class ActNotAllowed(WorkflowRefusal, ValidationFailed):
    """The act is not possible from the dossier's state (or, inside processing, its step)."""

    code = "act_not_allowed_in_state"


class RoleNotAllowed(WorkflowRefusal, PermissionRefused):
    """None of the actor's roles may perform the act on a dossier in this state."""

    code = "role_not_allowed"


class Position(NamedTuple):
    """Where a dossier is: its state and, while processing, its step."""

    state: State
    step: Step | None


def check(*, act: Act, state: State, step: Step | None, roles: Iterable[str]) -> Transition:
    """The row that allows ``act`` on a dossier at ``state``/``step`` for an actor with ``roles``.

    Raises ``RoleNotAllowed`` (403, ``role_not_allowed``) or ``ActNotAllowed`` (400,
    ``act_not_allowed_in_state`` or ``act_not_allowed_in_step``); changes nothing either way.
    """
    act, state = Act(act), State(state)
    step = None if step is None else Step(step)
    held = _role_names(roles)
    rows = ROWS_BY_ACT[act]
    if not any(row.roles & held for row in rows):
        raise _role_refused(act, state, step, rows)
    row = next((row for row in rows if state in row.sources), None)
    if row is None:
        raise _state_refused(act, state, step)
    if not _step_allows(row, state, step):
        raise _step_refused(act, state, step, row)
    if not row.roles & held:
        raise _role_refused(act, state, step, (row,))
    return row


def after(transition: Transition, *, state: State, step: Step | None) -> Position:
    """Where the dossier is once ``transition`` (as returned by ``check``) has been applied.

    The step is set by the row, kept otherwise, and cleared outside ``STEP_STATES``.
    """
    if state not in transition.sources:
        raise ValueError(f"{transition.number} does not start from {state.value}; call check() first.")
    new_state = transition.target or state
    if new_state not in STEP_STATES:
        return Position(new_state, None)
    return Position(new_state, transition.step or step)


def allowed_acts(state: State, step: Step | None, roles: Iterable[str]) -> list[Act]:
    """The acts ``check`` would allow, in the order of ``Act`` (for showing buttons)."""
    held = _role_names(roles)
    allowed = {
        row.act
        for row in TRANSITIONS
        if state in row.sources and _step_allows(row, state, step) and row.roles & held
    }
    return [act for act in Act if act in allowed]


# --------------------------------------------------------------------------------------------------


def _value(member: Enum | None) -> str | None:
    return None if member is None else str(member.value)


def _role_names(roles: Iterable[str]) -> frozenset[str]:
    """Role names as plain strings (accepts accounts.Role members, which are str subclasses)."""
    return frozenset(str(role.value) if isinstance(role, Enum) else str(role) for role in roles)


def _step_allows(row: Transition, state: State, step: Step | None) -> bool:
    """A row's step guard applies while the dossier keeps a step (see ``states.STEP_STATES``)."""
    if not row.step_sources or state not in STEP_STATES:
        return True
    return step in row.step_sources


def _state_refused(act: Act, state: State, step: Step | None) -> ActNotAllowed:
    label, state_label = ACT_LABELS[act], STATE_LABELS[state]
    return ActNotAllowed(
        f"Không thể «{label.vi_phrase}» hồ sơ ở trạng thái «{state_label.vi}».",
        f"Cannot {label.en_phrase} a dossier that is {state_label.en}.",
        act=act,
        state=state,
        step=step,
        allowed_states=sorted(s.value for row in ROWS_BY_ACT[act] for s in row.sources),
    )


def _step_refused(act: Act, state: State, step: Step | None, row: Transition) -> ActNotAllowed:
    label = ACT_LABELS[act]
    allowed = [s for s in Step if s in row.step_sources]
    allowed_vi = ", ".join(f"«{STEP_LABELS[s].vi}»" for s in allowed)
    allowed_en = ", ".join(STEP_LABELS[s].en for s in allowed)
    if step is None:
        where_vi, where_en = "khi chưa xác định bước xử lý", "whose step is not set"
    else:
        where_vi = f"ở bước «{STEP_LABELS[step].vi}»"
        where_en = f"at the step {STEP_LABELS[step].en}"
    return ActNotAllowed(
        f"Không thể «{label.vi_phrase}» hồ sơ {where_vi}; hồ sơ phải ở bước {allowed_vi}.",
        f"Cannot {label.en_phrase} a dossier {where_en}; it must be at: {allowed_en}.",
        code="act_not_allowed_in_step",
        act=act,
        state=state,
        step=step,
        allowed_steps=[s.value for s in allowed],
    )


def _role_refused(act: Act, state: State, step: Step | None, rows: Iterable[Transition]) -> RoleNotAllowed:
    label, state_label = ACT_LABELS[act], STATE_LABELS[state]
    return RoleNotAllowed(
        f"Vai trò của bạn không được phép «{label.vi_phrase}» hồ sơ ở trạng thái «{state_label.vi}».",
        f"Your roles do not allow you to {label.en_phrase} a dossier that is {state_label.en}.",
        act=act,
        state=state,
        step=step,
        allowed_roles=sorted({role for row in rows for role in row.roles}),
    )
