"""docs/workflow.md is generated from the table; this test fails when the committed page drifts.

Regenerate with: MOTCUA_REGENERATE_DOCS=1 .venv/bin/pytest motcua/workflow -q
"""

from __future__ import annotations

import os
from pathlib import Path

from motcua.workflow import TRANSITIONS, State
from motcua.workflow.diagram import DOC_PATH, render_markdown, state_diagram, step_diagram

REPO = Path(__file__).resolve().parents[3]


def test_committed_page_matches_the_table() -> None:
    path = REPO / DOC_PATH
    text = render_markdown()
    if os.environ.get("MOTCUA_REGENERATE_DOCS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{DOC_PATH} is missing; run MOTCUA_REGENERATE_DOCS=1 pytest motcua/workflow"
    assert path.read_text(encoding="utf-8") == text, (
        f"{DOC_PATH} is out of date: run MOTCUA_REGENERATE_DOCS=1 .venv/bin/pytest motcua/workflow, "
        "then commit it"
    )


def test_every_row_and_state_is_drawn() -> None:
    diagram, steps, page = state_diagram(), step_diagram(), render_markdown()
    assert diagram.startswith("stateDiagram-v2\n")
    assert steps.startswith("stateDiagram-v2\n")
    for row in TRANSITIONS:
        assert f"| {row.number} |" in page
        assert f": {row.number} {row.act.value}" in diagram + steps, row.number
    for state in State:
        assert f" as {state.name}\n" in diagram
    assert page.count("```mermaid") == 2


def test_rendering_is_deterministic() -> None:
    assert render_markdown() == render_markdown()
