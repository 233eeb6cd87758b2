"""Helpers shared by the workflow tests: walking a dossier through the table with given roles."""

from __future__ import annotations

from collections.abc import Iterable

from motcua.workflow import Act, Position, State, Step, after, allowed_acts, check
from motcua.workflow.roles import ACTORS

EVERYONE = sorted(ACTORS)


def perform(position: Position, act: Act, role: str) -> Position:
    """Check ``act`` for one role and return where the dossier ends up."""
    row = check(act=act, state=position.state, step=position.step, roles=[role])
    return after(row, state=position.state, step=position.step)


def walk(start: State, acts: Iterable[tuple[Act, str]], step: Step | None = None) -> Position:
    position = Position(start, step)
    for act, role in acts:
        position = perform(position, act, role)
    return position


def successors(position: Position) -> set[Position]:
    """Every position one allowed act away, whoever acts."""
    return {
        after(check(act=act, state=position.state, step=position.step, roles=EVERYONE), **position._asdict())
        for act in allowed_acts(position.state, position.step, EVERYONE)
    }


def reachable(*starts: Position) -> set[Position]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in successors(todo.pop()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


# A dossier accepted online and appraised: IN_PROCESSING at step APPRAISING.
TO_APPRAISAL = [
    (Act.SUBMIT, "citizen"),
    (Act.ACCEPT, "reception_officer"),
    (Act.FORWARD, "system"),
    (Act.ASSIGN, "dept_leader"),
    (Act.APPRAISE, "handler"),
]
