"""The acts on a dossier as the interfaces offer them: one registry for the API and the staff pages.

Each entry names the act, the one service of ``services`` that does it, the keyword arguments an
interface may pass to it (besides the dossier, the actor and the version), the argument holding
the reason or note the act requires (the service refuses it blank), the gate permission the
service checks, and what the act is aimed at (the dossier, one of its consultations or one of its
tasks). ``perform`` is the one way an interface does an act: the API (``api/dossiers.py``) turns
its request body into the arguments, the back office (``backoffice/dossier_views.py``) its form's
cleaned data; neither calls a dossier service for an act itself, so the two cannot drift apart.

Renaming happens in the interfaces only: form field and API field names stay what users and
clients see; the arguments here are the services' own names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.workflow import Act

from . import services
from .models import Consultation, Dossier, ProcessingTask

# Acts outside the state table (the dossier does not move): an agency's part done, urging.
COMPLETE_TASK: Final = "complete_task"
URGE: Final = "urge"
TRANSFER_TO_SUCCESSOR: Final = "transfer_to_successor"

Target = Literal["dossier", "consultation", "task"]


@dataclass(frozen=True, slots=True)
class ActDef:
    name: str
    service: Callable[..., Any]
    summary: str
    arguments: tuple[str, ...] = ()
    required: str | None = None  # the argument holding the reason or note that may not be blank
    permission: str = ""  # the gate permission the service checks (accounts.gate.PERMISSIONS)
    target: Target = "dossier"
    versioned: bool = True  # the service takes ``expected_version``; otherwise ``perform`` checks it


def _act(name: str, service: Callable[..., Any], summary: str, *arguments: str, **options: Any) -> ActDef:
    options.setdefault("permission", f"dossier.{name}")
    return ActDef(name, service, summary, arguments, **options)


ACTS: Final[dict[str, ActDef]] = {
    a.name: a
    for a in (
        _act(Act.ACCEPT, services.accept_dossier, "Accept an online submission (T7)"),
        _act(
            Act.REQUEST_COMPLETION,
            services.request_completion,
            "Ask for completion at intake (T5)",
            "reason",
            "missing_component_ids",
            "guidance",
            required="reason",
        ),
        _act(Act.REFUSE_AT_INTAKE, services.refuse_at_intake, "Refuse (T8)", "reason", required="reason"),
        _act(Act.RESUBMIT, services.resubmit_dossier, "Resubmit (T6)", "components"),
        _act(
            Act.FORWARD,
            services.forward_dossier,
            "Forward to the competent agency, or to others (T9, T18)",
            "tasks",
        ),
        _act(Act.ASSIGN, services.assign_handler, "Assign a handler (T10)", "handler_id"),
        _act(Act.APPRAISE, services.appraise, "Record the appraisal (T11)", "opinion", required="opinion"),
        _act(
            Act.CONSULT,
            services.consult,
            "Consult another agency",
            "agency_id",
            "content",
            "deadline",
            required="content",
        ),
        _act(
            Act.ANSWER_CONSULTATION,
            services.answer_consultation,
            "Answer a consultation",
            "response",
            required="response",
            target="consultation",
        ),
        _act(
            Act.REQUEST_SUPPLEMENT,
            services.request_supplement,
            "Ask for a supplement (T12)",
            "reason",
            "missing_component_ids",
            "guidance",
            "override_basis",
            "confirm_repeat",
            required="reason",
        ),
        _act(
            Act.RECEIVE_SUPPLEMENT, services.receive_supplement, "Receive the supplement (T13)", "components"
        ),
        _act(
            Act.REQUEST_FINANCIAL_OBLIGATION,
            services.request_financial_obligation,
            "Ask for a financial obligation (T16)",
            "amount",
            "description",
            required="description",
        ),
        _act(Act.CONFIRM_PAYMENT, services.confirm_payment, "Confirm payment", "receipt_no"),
        _act(Act.PROPOSE_REFUSAL, services.propose_refusal, "Propose refusal", "reason", required="reason"),
        _act(
            Act.REFUSE_AFTER_APPRAISAL,
            services.refuse_after_appraisal,
            "Refuse after appraisal",
            "reason",
            required="reason",
        ),
        _act(Act.APPROVE, services.approve, "Approve", "opinion"),
        _act(Act.SIGN_RESULT, services.sign_result, "Sign the result", "content", "file_name"),
        _act(
            Act.ISSUE_RESULT,
            services.issue_result,
            "Issue the result",
            "number",
            "result_code",
            "content",
            "file_name",
        ),
        _act(
            Act.RETURN_RESULT,
            services.return_result,
            "Return the result",
            "delivery_method",
            "recipient_kind",
            "recipient_name",
            "recipient_identifier",
            "authorisation_number",
            "tracking_number",
        ),
        _act(
            Act.APOLOGISE_AND_EXTEND,
            services.apologise_and_extend,
            "Apologise and extend (Form 04)",
            "reason",
            "new_due",
            required="reason",
        ),
        _act(
            Act.REQUEST_WITHDRAWAL,
            services.request_withdrawal,
            "Record a withdrawal request",
            "reason",
            required="reason",
        ),
        _act(Act.STOP_PROCESSING, services.stop_processing, "Stop processing", "reason"),
        _act(
            Act.REPORT_INCIDENT, services.report_incident, "Report an incident", "reason", required="reason"
        ),
        # The successor agency takes the dossier over: the gate asks for the assigning permission there.
        _act(
            TRANSFER_TO_SUCCESSOR,
            services.transfer_to_successor,
            "Transfer to successor",
            permission="dossier.assign",
        ),
        _act(
            COMPLETE_TASK,
            services.complete_task,
            "Complete an agency's task",
            "outcome",
            "opinion",
            permission="dossier.answer_consultation",
            target="task",
            versioned=False,
        ),
        _act(
            URGE,
            services.urge,
            "Urge the agency handling the dossier",
            "message",
            required="message",
            versioned=False,
        ),
    )
}


def perform(
    name: str,
    *,
    dossier: Dossier,
    actor: User,
    version: int,
    values: Mapping[str, Any],
    target_id: int | None = None,
) -> Any:
    """Do act ``name`` on ``dossier`` through its service, with the arguments of ``values`` the act
    takes (other keys are ignored: an interface passes its cleaned input as it is, renamed).

    ``target_id`` is the consultation or task the act is aimed at, which must belong to the dossier
    (a 404 otherwise). ``version`` is the dossier version the actor saw: the service refuses a
    stale one; for the acts whose service takes none it is checked here first (under the service's
    own lock a task is completed once anyway)."""
    act = ACTS[name]
    kwargs = {key: values[key] for key in act.arguments if key in values}
    if act.target == "consultation":
        if target_id is None or not Consultation.objects.filter(pk=target_id, dossier=dossier).exists():
            raise NotFound(
                "Không tìm thấy yêu cầu phối hợp của hồ sơ.",
                "No such consultation on this dossier.",
                code="consultation_not_found",
            )
        kwargs["consultation_id"] = target_id
    elif act.target == "task":
        if target_id is None or not ProcessingTask.objects.filter(pk=target_id, dossier=dossier).exists():
            raise NotFound("Không tìm thấy bước xử lý.", "Task not found.", code="task_not_found")
        kwargs["task_id"] = target_id
    else:
        kwargs["dossier_id"] = dossier.pk
    if act.versioned:
        kwargs["expected_version"] = version
    elif dossier.version != version:
        raise services._stale(dossier, version)  # the services' own refusal of a stale version
    return act.service(actor=actor, **kwargs)
