"""What each form of TT03/2025 prints, as frozen dataclasses: nothing more, nothing looked up later.

A form is rendered from one of the ``Form0x…`` contexts below (``render.render_pdf(ctx)``), so it
can be filled from any source: a dossier and its event log, the national portal, a sample, a test.
The dossier app builds these; paperwork never reads a model.

Conventions: every instant is an aware ``datetime`` (printed in Vietnam's time zone; a naive one
is refused here, not at print time); text is printed as given and HTML-escaped; counts are ints;
amounts are whole đồng. Sequences may be passed as lists; they are stored as tuples.

Form numbering follows TT03/2025 (SPEC §4.4 note): 05 is the new stop-processing notice, 06 the
control slip (TT01/2018's 05), 07 the ledger (TT01/2018's 06).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from motcua.core.clock import VN_TZ
from motcua.deadlines.arithmetic import Timeliness

__all__ = [
    "FORM_TYPES",
    "ComponentLine",
    "FeeLine",
    "Form01Receipt",
    "Form02Completion",
    "Form03Refusal",
    "Form04Apology",
    "Form05StopNotice",
    "Form06ControlSlip",
    "Form07Ledger",
    "FormContext",
    "HandoverRow",
    "HelpContact",
    "LedgerRow",
    "Party",
    "Signer",
    "UnitHeader",
]


# The book number is also printed in the page footer (a CSS string), so it is kept to plain characters.
_BOOK = re.compile(r"[0-9A-Za-z./-]{0,20}")


def _check(obj: object, *, required: tuple[str, ...] = ()) -> None:
    """Store sequences as tuples, refuse naive datetimes and blank required text. (The values are
    read from the instance's ``__dict__``, where a dataclass without slots keeps its fields: a Form 01
    checks eight objects, and ``dataclasses.fields`` builds its answer anew on every call.)"""
    values = vars(obj)
    for name, value in list(values.items()):
        if isinstance(value, list):
            value = tuple(value)
            object.__setattr__(obj, name, value)
        if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{type(obj).__name__}.{name}: naive datetime, a time zone is required")
    for name in required:
        if not str(values[name]).strip():
            raise ValueError(f"{type(obj).__name__}.{name} is required")


def _not_before(obj: object, earlier: str, later: str) -> None:
    first, second = getattr(obj, earlier), getattr(obj, later)
    if first is not None and second is not None and second < first:
        raise ValueError(f"{type(obj).__name__}: {later} ({second}) is before {earlier} ({first})")


# --- parts -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Party:
    """An applicant or recipient: *Ông/Bà* or an organisation, as printed."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    identifier: str = ""  # personal identification number (CCCD), or the enterprise code
    identifier_label: str = "Số định danh cá nhân"  # "Mã số doanh nghiệp" for an enterprise
    salutation: str = "Ông/Bà"  # how the form addresses them: "Tổ chức", "Quý Công ty" …

    def __post_init__(self) -> None:
        _check(self, required=("name",))


@dataclass(frozen=True, kw_only=True)
class UnitHeader:
    """The upper-left block of a state document and the place of the date line (NĐ 30/2020).

    ``parent_body`` is the *cơ quan chủ quản* ("UBND tỉnh Hà Tĩnh"; empty for a UBND itself),
    ``issuing_body`` the unit that issues the form ("Trung tâm Phục vụ hành chính công tỉnh Hà
    Tĩnh"); both are printed in capitals. ``place`` starts the date line: "Hà Tĩnh, ngày …".
    """

    issuing_body: str
    parent_body: str = ""
    place: str

    def __post_init__(self) -> None:
        _check(self, required=("issuing_body", "place"))


@dataclass(frozen=True, kw_only=True)
class Signer:
    """A signature block: "KT. GIÁM ĐỐC" (``authority``), "PHÓ GIÁM ĐỐC" (``title``), the name."""

    title: str
    name: str = ""
    authority: str = ""


@dataclass(frozen=True, kw_only=True)
class HelpContact:
    """Where the applicant gets help (Forms 02, 03): officer, phone or extension, web address."""

    officer: str = ""
    phone: str = ""
    website: str = ""


@dataclass(frozen=True, kw_only=True)
class ComponentLine:
    """One paper of a dossier with its quantity per copy type (Form 01 item 1; Form 02's list)."""

    name: str
    originals: int = 0  # bản chính
    copies: int = 0  # bản sao (photo)
    certified_copies: int = 0  # bản sao chứng thực
    electronic: int = 0  # bản điện tử (uploaded, digitized or reused from a national database)
    note: str = ""

    def __post_init__(self) -> None:
        _check(self, required=("name",))
        if min(self.originals, self.copies, self.certified_copies, self.electronic) < 0:
            raise ValueError(f"ComponentLine {self.name!r}: negative quantity")


@dataclass(frozen=True, kw_only=True)
class FeeLine:
    """A fee or charge: "Lệ phí …: 30.000 đồng", or the catalogue's free text when no amount."""

    name: str
    amount: int | None = None
    text: str = ""

    def __post_init__(self) -> None:
        _check(self, required=("name",))
        if self.amount is not None and self.amount < 0:
            raise ValueError(f"FeeLine {self.name!r}: negative amount")


@dataclass(frozen=True, kw_only=True)
class HandoverRow:
    """One row of Form 06: an agency's step, how the dossier reached it, and how the step ended.

    ``giver`` handed the dossier to ``agency`` at ``handed_at``; ``receiver`` (someone at
    ``agency``) took it at ``received_at``. ``timeliness`` classifies *this agency's* step against
    its own budget (SPEC §6.1 rule 9, TT01/2018 indicator 2); None while the step is open.
    """

    agency: str
    giver: str
    handed_at: datetime
    receiver: str
    received_at: datetime | None = None
    timeliness: Timeliness | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _check(self, required=("agency",))
        _not_before(self, "handed_at", "received_at")
        if self.timeliness is not None:
            object.__setattr__(self, "timeliness", Timeliness(self.timeliness))


@dataclass(frozen=True, kw_only=True)
class LedgerRow:
    """One line of the ledger (Form 07). ``number`` runs through the year across books."""

    number: int
    code: str
    procedure: str
    sets: int
    applicant: Party
    lead_agency: str
    received_at: datetime
    due_at: datetime
    forwarded_at: datetime | None = None  # chuyển hồ sơ đến cơ quan giải quyết
    result_received_at: datetime | None = None  # nhận kết quả từ cơ quan giải quyết
    returned_at: datetime | None = None  # trả kết quả cho cá nhân, tổ chức
    receipt_signature: str = ""  # "Ký nhận": who signed for the result, or blank for a pen
    note: str = ""

    def __post_init__(self) -> None:
        _check(self, required=("code", "procedure"))
        if self.number < 1:
            raise ValueError(f"LedgerRow {self.code}: number must be ≥ 1")
        _not_before(self, "received_at", "due_at")


# --- forms ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Form01Receipt:
    """Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (on acceptance; the clock starts)."""

    form_number: ClassVar[str] = "01"
    title: ClassVar[str] = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"

    header: UnitHeader
    code: str
    tracking_url: str  # public tracking page; printed as a QR code and as text
    applicant: Party
    procedure: str
    components: Sequence[ComponentLine]
    sets: int = 1
    time_limit: str  # "10 ngày làm việc", as published for the procedure and channel
    received_at: datetime  # item 4, the start of the clock
    due_at: datetime  # item 5, the appointment
    due_explanation: str = ""  # deadlines.explain(...), printed under item 5
    return_place: str  # item 6
    ledger_book: str = ""
    ledger_number: int | None = None
    officer: Signer  # the receiving officer
    submitter: str = ""  # who handed the papers in, if not the applicant (a representative, the post)
    fees: Sequence[FeeLine] = ()

    def __post_init__(self) -> None:
        _check(self, required=("code", "procedure", "time_limit", "return_place", "tracking_url"))
        _not_before(self, "received_at", "due_at")
        if self.sets < 1:
            raise ValueError("Form01Receipt.sets must be ≥ 1")

    @property
    def issued_on(self) -> datetime:
        return self.received_at


@dataclass(frozen=True, kw_only=True)
class Form02Completion:
    """Mẫu số 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.

    Everything missing goes in ONE list, in one go (ND61 Arts 11(2)(c), 15(3), 17(1)(a)). At intake
    there is no dossier code (SPEC §11 scenario 3); during appraisal ``code`` is the dossier's.
    """

    form_number: ClassVar[str] = "02"
    title: ClassVar[str] = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"

    header: UnitHeader
    issued_on: date
    number: str = ""  # số ký hiệu, e.g. "15/HDHS"
    code: str = ""
    applicant: Party
    procedure: str
    items: Sequence[ComponentLine]
    reason: str
    help: HelpContact
    officer: Signer  # the guiding officer (người hướng dẫn)
    submitter: str = ""  # who handed the papers in, if not the applicant

    def __post_init__(self) -> None:
        _check(self, required=("procedure", "reason"))
        if not self.items:
            raise ValueError("Form02Completion.items: list every missing item, in one go")


@dataclass(frozen=True, kw_only=True)
class Form03Refusal:
    """Mẫu số 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ (at intake, or after appraisal)."""

    form_number: ClassVar[str] = "03"
    title: ClassVar[str] = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"

    header: UnitHeader
    issued_on: date
    number: str = ""
    code: str = ""
    applicant: Party
    procedure: str
    reason: str
    help: HelpContact | None = None
    officer: Signer  # the receiving officer
    submitter: str = ""  # who handed the papers in, if not the applicant

    def __post_init__(self) -> None:
        _check(self, required=("procedure", "reason"))


@dataclass(frozen=True, kw_only=True)
class Form04Apology:
    """Mẫu số 04 — Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (ND61 Art 19(9)).

    Issued by the processing agency (``header``), not the one-stop unit.
    """

    form_number: ClassVar[str] = "04"
    title: ClassVar[str] = "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"

    header: UnitHeader
    issued_on: date
    number: str = ""
    recipient: Party
    procedure: str
    code: str
    received_at: datetime
    original_due_at: datetime
    reason: str
    new_due_at: datetime
    signer: Signer
    one_stop_unit: str  # a copy goes to it ("Nơi nhận")

    def __post_init__(self) -> None:
        _check(self, required=("code", "procedure", "reason", "one_stop_unit"))
        _not_before(self, "received_at", "original_due_at")
        if self.new_due_at <= self.original_due_at:
            raise ValueError("Form04Apology.new_due_at must be after original_due_at")


@dataclass(frozen=True, kw_only=True)
class Form05StopNotice:
    """Mẫu số 05 (TT03/2025, new) — Thông báo dừng giải quyết hồ sơ (ND118 Art 21; TT03 Art 7)."""

    form_number: ClassVar[str] = "05"
    title: ClassVar[str] = "Thông báo dừng giải quyết hồ sơ"

    header: UnitHeader
    issued_on: date
    number: str = ""
    code: str
    applicant: Party
    procedure: str
    received_at: datetime
    requested_at: datetime  # when the applicant asked to stop
    request_channel: str = ""  # "trực tiếp", "qua Cổng Dịch vụ công quốc gia", "bưu chính công ích"
    grounds: str  # the applicant's grounds, as written
    stage: str  # how far processing had got
    decision: str
    stopped_at: datetime
    fees: str  # what happens to fees and charges already paid
    originals: str  # what happens to the original papers
    signer: Signer

    def __post_init__(self) -> None:
        _check(self, required=("code", "procedure", "grounds", "stage", "decision", "fees", "originals"))
        _not_before(self, "received_at", "requested_at")
        _not_before(self, "requested_at", "stopped_at")


@dataclass(frozen=True, kw_only=True)
class Form06ControlSlip:
    """Mẫu số 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ: a view over the hand-overs."""

    form_number: ClassVar[str] = "06"
    title: ClassVar[str] = "Phiếu kiểm soát quá trình giải quyết hồ sơ"

    header: UnitHeader
    code: str
    applicant: Party
    procedure: str
    received_at: datetime
    due_at: datetime
    lead_agency: str
    coordinating_agencies: Sequence[str] = ()
    rows: Sequence[HandoverRow] = ()

    def __post_init__(self) -> None:
        _check(self, required=("code", "procedure", "lead_agency"))
        _not_before(self, "received_at", "due_at")

    @property
    def issued_on(self) -> datetime:
        return self.received_at


@dataclass(frozen=True, kw_only=True)
class Form07Ledger:
    """Mẫu số 07 — Sổ theo dõi hồ sơ (A4 landscape): one book per year, closed at year end.

    TT01/2018 Art 10(2): numbering starts at 01 each year and continues across books without
    restarting, so a printout may start anywhere but never skips or repeats a number.
    """

    form_number: ClassVar[str] = "07"
    title: ClassVar[str] = "Sổ theo dõi hồ sơ"

    header: UnitHeader
    year: int
    book: str = ""
    rows: Sequence[LedgerRow] = ()

    def __post_init__(self) -> None:
        _check(self)
        if not _BOOK.fullmatch(self.book):
            raise ValueError(
                f"Form07Ledger.book: up to 20 letters, digits, '.', '/' or '-', got {self.book!r}"
            )
        previous: LedgerRow | None = None
        for row in self.rows:
            year = row.received_at.astimezone(VN_TZ).year
            if year != self.year:
                raise ValueError(
                    f"Form07Ledger {self.year}: row {row.number} ({row.code}) was received in {year}"
                )
            if previous is not None and row.number != previous.number + 1:
                raise ValueError(
                    f"Form07Ledger {self.year}: number {row.number} follows {previous.number}; "
                    "ledger numbers run on without gaps or repeats (TT01/2018 Art 10(2))"
                )
            previous = row


FormContext = (
    Form01Receipt
    | Form02Completion
    | Form03Refusal
    | Form04Apology
    | Form05StopNotice
    | Form06ControlSlip
    | Form07Ledger
)

FORM_TYPES: tuple[type[FormContext], ...] = (
    Form01Receipt,
    Form02Completion,
    Form03Refusal,
    Form04Apology,
    Form05StopNotice,
    Form06ControlSlip,
    Form07Ledger,
)
