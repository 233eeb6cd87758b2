"""Who may act: role names as plain strings, so the table imports without Django.

They mirror ``motcua.accounts.models.Role`` value for value (a test checks it). ``SYSTEM`` is not a
role a person holds: it names acts the system performs itself (forwarding an online dossier, payment
reconciliation, pushing an e-result, a withdrawal request arriving from the national portal).
"""

from __future__ import annotations

from typing import Final

RECEPTION_OFFICER: Final = "reception_officer"
ONE_STOP_HEAD: Final = "one_stop_head"
DEPT_LEADER: Final = "dept_leader"
HANDLER: Final = "handler"
APPROVER: Final = "approver"
CLERK: Final = "clerk"
COORDINATOR: Final = "coordinator"
FINANCE: Final = "finance"
PROCEDURE_CONTROLLER: Final = "procedure_controller"
POSTAL_AGENT: Final = "postal_agent"
INSPECTOR: Final = "inspector"
SUPPORT: Final = "support"
CITIZEN: Final = "citizen"
ORGANISATION: Final = "organisation"
AUTHORISED_REP: Final = "authorised_rep"
SYSTEM_ADMIN: Final = "system_admin"

SYSTEM: Final = "system"

# Every role of accounts.Role, in its order.
ROLES: Final[tuple[str, ...]] = (
    RECEPTION_OFFICER,
    ONE_STOP_HEAD,
    DEPT_LEADER,
    HANDLER,
    APPROVER,
    CLERK,
    COORDINATOR,
    FINANCE,
    PROCEDURE_CONTROLLER,
    POSTAL_AGENT,
    INSPECTOR,
    SUPPORT,
    CITIZEN,
    ORGANISATION,
    AUTHORISED_REP,
    SYSTEM_ADMIN,
)

# The applicant side: the SPEC's "Citizen" actor (a person, an organisation, or their representative).
APPLICANT: Final = frozenset({CITIZEN, ORGANISATION, AUTHORISED_REP})

# Everyone who works for an agency or a one-stop unit. The system administrator is left out on
# purpose: technical support is never a back door around the workflow (STYLE.md).
STAFF: Final = frozenset(ROLES) - APPLICANT - {SYSTEM_ADMIN}

# Everything that may appear in the ``roles`` column of the table.
ACTORS: Final = frozenset(ROLES) | {SYSTEM}
