"""The state table drawn for people: Mermaid diagrams and Markdown tables for ``docs/workflow.md``.

A test regenerates the page and fails when the committed file differs, so the picture never drifts
from the code (STYLE.md). To rewrite it: ``MOTCUA_REGENERATE_DOCS=1 .venv/bin/pytest motcua/workflow``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from motcua.workflow import roles as r
from motcua.workflow.states import (
    ACTIVE,
    BEFORE_ACCEPTANCE,
    STATE_LABELS,
    STEP_LABELS,
    TERMINAL,
    State,
    Step,
    national_status,
)
from motcua.workflow.table import TRANSITIONS, Transition

DOC_PATH: Final = "docs/workflow.md"

# The states a decision leaves processing for, drawn as the ends of the step diagram.
_DECISIONS: Final = frozenset({State.RESULT_READY, State.REFUSED_AFTER_APPRAISAL})

_HEADER: Final = """\
# The dossier life cycle

<!-- Generated from motcua/workflow/ by motcua/workflow/diagram.py. Do not edit by hand:
     MOTCUA_REGENERATE_DOCS=1 .venv/bin/pytest motcua/workflow -q -->

The state table of `motcua/workflow/table.py`, drawn. Rules: SPEC §5 (states and transitions),
§6.1 rules 7-8 (clock), DVCQG-SYNC §6.1 (national status codes). A row's T-number is the SPEC's;
a SPEC row naming several acts is split into lettered rows (T21a-c). `NEW` is a pseudo-state: a
dossier being entered at the counter, before any code or clock (SPEC T2-T4 "(counter)").
"""

_STEPS_INTRO: Final = """\
Inside `IN_PROCESSING` the dossier moves through steps (a field, not a state: the national status
stays 4). The approver approves or refuses only after an appraisal is recorded, signs only after
approving, and the clerk issues only after signing. A supplement request (T13), a financial
obligation (T16) or a withdrawal request (T23a) leaves `IN_PROCESSING` and keeps the step, so work
resumes where it stopped.
"""

_LEGEND: Final = """\
Roles: *applicant* = citizen, organisation, authorised_rep; *any staff role* = every role of
`accounts.Role` except the applicant roles and system_admin; *system* = an act the system performs
itself. "(same)" = the state does not change. A step guard applies while the dossier has a step
(`IN_PROCESSING` and the states that return to it). Confidence markers in the source column are the
SPEC's: [V] law read, [S] secondary source, [P] practice, [I] inference (a setting, not a constant).
"""


def render_markdown() -> str:
    """The whole of ``docs/workflow.md``."""
    return "\n".join(
        [
            _HEADER,
            "## States",
            "",
            _fenced(state_diagram()),
            "",
            states_table(),
            "",
            "## Steps inside processing",
            "",
            _STEPS_INTRO,
            _fenced(step_diagram()),
            "",
            "## Transitions",
            "",
            _LEGEND,
            transitions_table(),
        ]
    )


def state_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` of the states; acts that keep the state are loops."""
    lines = ["stateDiagram-v2"]
    for state in State:
        label = STATE_LABELS[state]
        lines.append(f'    state "{label.vi}<br/>{label.en}" as {state.name}')
    lines += ["    [*] --> DRAFT", "    [*] --> NEW"]
    for row in TRANSITIONS:
        if row.target is None and row.step is not None:
            continue  # a move between steps: drawn in the step diagram
        for source in _ordered(row.sources):
            target = row.target or source
            lines.append(f"    {source.name} --> {target.name} : {row.number} {row.act.value}")
    lines += [f"    {state.name} --> [*]" for state in State if state in TERMINAL]
    return "\n".join(lines)


def step_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` of the steps inside IN_PROCESSING, with the guards as edges."""
    lines = ["stateDiagram-v2"]
    for step in Step:
        label = STEP_LABELS[step]
        lines.append(f'    state "{label.vi}<br/>{label.en}" as {step.name}')
    for row in TRANSITIONS:
        edge = f"{row.number} {row.act.value}"
        if row.step is not None:
            sources = [s.name for s in _ordered_steps(row.step_sources)] or ["[*]"]
            lines += [f"    {source} --> {row.step.name} : {edge}" for source in sources]
        elif row.target is not None and row.target in _DECISIONS and row.step_sources:
            lines += [
                f"    {source.name} --> [*] : {edge} to {row.target.name}"
                for source in _ordered_steps(row.step_sources)
            ]
    return "\n".join(lines)


def states_table() -> str:
    lines = [
        "| State | Vietnamese | English | National status (`TrangThaiHoSo`) | Kind |",
        "|---|---|---|---|---|",
    ]
    for state in State:
        label = STATE_LABELS[state]
        code = national_status(state)
        lines.append(
            f"| `{state.name}` | {label.vi} | {label.en} | {'—' if code is None else code} | {_kind(state)} |"
        )
    return "\n".join(lines)


def transitions_table() -> str:
    lines = [
        "| T | From | Act | To | Roles | Form | Clock | Reason | Source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in TRANSITIONS:
        cells = [
            row.number,
            _from(row),
            f"`{row.act.value}` → `{row.event}`",
            _to(row),
            _roles(row.roles),
            "—" if row.form is None else f"Form {row.form.removeprefix('form')}",
            "—" if row.clock.value == "none" else row.clock.value,
            "required" if row.requires_reason else "—",
            row.note_en,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------


def _fenced(diagram: str) -> str:
    return f"```mermaid\n{diagram}\n```"


def _ordered(states: Iterable[State]) -> list[State]:
    chosen = set(states)
    return [state for state in State if state in chosen]


def _ordered_steps(steps: Iterable[Step]) -> list[Step]:
    chosen = set(steps)
    return [step for step in Step if step in chosen]


def _kind(state: State) -> str:
    if state in TERMINAL:
        return "terminal"
    if state in ACTIVE:
        return "active (clock started)"
    if state in BEFORE_ACCEPTANCE:
        return "before acceptance (no code, no clock)"
    return "processing ended; the result or notice awaits return"


def _from(row: Transition) -> str:
    text = ", ".join(f"`{state.name}`" for state in _ordered(row.sources))
    if row.step_sources:
        missing = [step.name for step in Step if step not in row.step_sources]
        if len(missing) < len(row.step_sources):
            text += f"; step: any but {', '.join(missing)}"
        else:
            text += f"; step: {', '.join(step.name for step in _ordered_steps(row.step_sources))}"
    return text


def _to(row: Transition) -> str:
    text = "(same)" if row.target is None else f"`{row.target.name}`"
    if row.step is not None:
        text += f", step {row.step.name}"
    return text


def _roles(roles: frozenset[str]) -> str:
    names: list[str] = []
    rest = set(roles)
    if rest >= r.STAFF:
        names.append("*any staff role*")
        rest -= r.STAFF
    if rest >= r.APPLICANT:
        names.append("*applicant*")
        rest -= r.APPLICANT
    names += [role for role in r.ROLES if role in rest]
    names += ["*system*"] if r.SYSTEM in rest else []
    return ", ".join(names)
