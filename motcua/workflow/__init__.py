"""The dossier state table (DESIGN.md "The dossier"): states, acts, who may act, forms, clock effects.

Pure Python, importable without Django. ``dossiers.services`` is the one caller that changes a
dossier: it calls ``check`` and applies ``after``; pages call ``allowed_acts`` to show buttons.
"""

from motcua.workflow.engine import (
    ActNotAllowed,
    Position,
    RoleNotAllowed,
    WorkflowRefusal,
    after,
    allowed_acts,
    check,
)
from motcua.workflow.states import (
    ACTIVE,
    REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS,
    STATE_LABELS,
    STEP_LABELS,
    TERMINAL,
    State,
    Step,
    is_terminal,
    national_status,
)
from motcua.workflow.table import ACT_LABELS, TRANSITIONS, Act, ClockEffect, Transition, transition

__all__ = [
    "ACTIVE",
    "ACT_LABELS",
    "REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS",
    "STATE_LABELS",
    "STEP_LABELS",
    "TERMINAL",
    "TRANSITIONS",
    "Act",
    "ActNotAllowed",
    "ClockEffect",
    "Position",
    "RoleNotAllowed",
    "State",
    "Step",
    "Transition",
    "WorkflowRefusal",
    "after",
    "allowed_acts",
    "check",
    "is_terminal",
    "national_status",
    "transition",
]
