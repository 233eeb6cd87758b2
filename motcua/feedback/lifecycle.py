"""The petition (PAKN) life cycle: states, acts, which limit each act must meet. Pure Python.

SPEC §7.3, the DVCQG flow: a petition waits for receipt (new, supplemented, or transferred here),
then is refused, sent back for a supplement, transferred to the competent agency, or taken into
processing; an answer waits for publication; publication ends it. The time limits are those QD766
indicator 5.2 checks, counted in working days from receipt or transfer (SPEC §7.3 [S]; the legal
basis is believed to be the DVCQG operating rules, QĐ 31/2021/QĐ-TTg [I]), so they are a setting
(``MOTCUA_PETITION_WORKING_DAYS``) with these defaults.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, NamedTuple


class PetitionState(StrEnum):
    RECEIVED = "received"  # WAITING_RECEIPT: new, supplemented or transferred here
    SUPPLEMENT_REQUESTED = "supplement_requested"
    REFUSED = "refused"
    PROCESSING = "processing"
    ANSWERED = "answered"  # ANSWERED_PENDING_PUBLISH
    PUBLISHED = "published"


class Limit(StrEnum):
    """Which time limit an act is measured against."""

    REFUSE = "refuse"
    SUPPLEMENT = "supplement"
    TRANSFER = "transfer"
    RESOLVE = "resolve"
    PUBLISH = "publish"


# Working days from receipt or transfer (publication: from the answer). ND20 Art 9(d): a petition
# outside the receiver's competence is transferred within 5 working days.
DEFAULT_WORKING_DAYS: Final[dict[Limit, int]] = {
    Limit.REFUSE: 2,
    Limit.SUPPLEMENT: 5,
    Limit.TRANSFER: 5,
    Limit.RESOLVE: 15,
    Limit.PUBLISH: 2,
}


class Transition(NamedTuple):
    act: str
    event: str
    sources: frozenset[PetitionState]
    target: PetitionState
    limit: Limit | None
    by_staff: bool
    vi: str
    en: str


S = PetitionState
_WAITING = frozenset({S.RECEIVED})

TRANSITIONS: Final[dict[str, Transition]] = {
    t.act: t
    for t in (
        Transition(
            "submit",
            "submitted",
            frozenset(),
            S.RECEIVED,
            None,
            False,
            "Gửi phản ánh, kiến nghị",
            "Submitted",
        ),
        Transition(
            "refuse", "refused", _WAITING, S.REFUSED, Limit.REFUSE, True, "Từ chối tiếp nhận", "Refused"
        ),
        Transition(
            "request_supplement",
            "supplement_requested",
            _WAITING,
            S.SUPPLEMENT_REQUESTED,
            Limit.SUPPLEMENT,
            True,
            "Yêu cầu bổ sung thông tin",
            "Supplement requested",
        ),
        Transition(
            "supplement",
            "supplemented",
            frozenset({S.SUPPLEMENT_REQUESTED}),
            S.RECEIVED,
            None,
            False,
            "Người gửi bổ sung thông tin",
            "Supplemented by the submitter",
        ),
        Transition(
            "transfer",
            "transferred",
            _WAITING,
            S.RECEIVED,
            Limit.TRANSFER,
            True,
            "Chuyển cơ quan có thẩm quyền",
            "Transferred to the competent agency",
        ),
        Transition(
            "accept",
            "accepted",
            _WAITING,
            S.PROCESSING,
            None,
            True,
            "Tiếp nhận, xử lý",
            "Taken into processing",
        ),
        Transition(
            "answer",
            "answered",
            frozenset({S.PROCESSING}),
            S.ANSWERED,
            Limit.RESOLVE,
            True,
            "Trả lời (chờ công khai)",
            "Answered (awaiting publication)",
        ),
        Transition(
            "publish",
            "published",
            frozenset({S.ANSWERED}),
            S.PUBLISHED,
            Limit.PUBLISH,
            True,
            "Công khai kết quả trả lời",
            "Answer published",
        ),
    )
}

STATE_LABELS: Final[dict[PetitionState, tuple[str, str]]] = {
    S.RECEIVED: ("Chờ tiếp nhận", "Awaiting receipt"),
    S.SUPPLEMENT_REQUESTED: ("Chờ bổ sung thông tin", "Awaiting a supplement"),
    S.REFUSED: ("Không tiếp nhận", "Refused"),
    S.PROCESSING: ("Đang xử lý", "In processing"),
    S.ANSWERED: ("Đã trả lời, chờ công khai", "Answered, awaiting publication"),
    S.PUBLISHED: ("Đã công khai kết quả", "Answer published"),
}

# Where the petition may still be acted on by staff, and which acts they see.
OPEN_STATES: Final = frozenset({S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.PROCESSING, S.ANSWERED})


def acts_from(state: PetitionState) -> list[Transition]:
    """The staff acts allowed from ``state``, in table order."""
    return [t for t in TRANSITIONS.values() if t.by_staff and state in t.sources]
