"""Parsers for the national portal's record format, whose table fields were flattened by the crawler.

Pure functions, no ORM. Every parser returns structured values next to the raw text it read and
never invents a value: a time limit without both a number and a unit is "none given" (``None``).
Column boundaries were lost ("Trực tiếp7 NgàyKhông có thông tinNộp trực tiếp…"), so the parsers
recognise the column *values* the portal uses (channel names, "N Ngày làm việc", "Miễn phí",
"50,000 VNĐ", "1 bản chính", document numbers such as "47/2014/QH13").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from motcua.core.text import fold
from motcua.deadlines.arithmetic import TimeUnit

NO_INFO = ("Không có thông tin", "Không quy định")

LEVELS = {
    "cap bo": "ministry",
    "cap tinh": "province",
    "cap huyen": "district",
    "cap xa": "commune",
    "co quan khac": "other",
}

CHANNELS = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
_CHANNEL_START = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\s*(?:\d|Không))")
_CHANNEL_ANY = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)")
_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"

# Longest first: "Ngày làm việc" before "Ngày". The portal's "Giờ" is counted in working hours.
_UNITS = [
    ("ngày làm việc", TimeUnit.WORKING_DAY),
    ("giờ làm việc", TimeUnit.WORKING_HOUR),
    ("ngày", TimeUnit.CALENDAR_DAY),
    ("giờ", TimeUnit.WORKING_HOUR),
    ("tháng", TimeUnit.MONTH),
]
_TIME = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng)?", re.IGNORECASE)
_MONEY = re.compile(
    r"(?:(Lệ phí|Phí)\s*:?\s*)?(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(VNĐ|VND|Việt Nam Đồng|Đồng|đồng|đ|USD)",
)


def clean(text: str | None) -> str:
    """Strip, and treat the portal's "no information" placeholders as empty."""
    value = (text or "").strip()
    return "" if value in NO_INFO else value


def split_list(text: str, separators: str = ",;\n") -> list[str]:
    """Split on commas and semicolons outside parentheses: "Tổ chức (không bao gồm DN, HTX), Công dân"."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if clean(item)]


def parse_levels(text: str) -> list[str]:
    found = []
    for item in split_list(text):
        level = LEVELS.get(fold(item))
        if level and level not in found:
            found.append(level)
    return found


@dataclass
class ParsedFee:
    amount: int | None
    description: str
    raw: str
    kind: str = "CHARGE"


@dataclass
class ParsedOffer:
    channel: str
    amount: int | None
    unit: str | None
    time_raw: str
    fees: list[ParsedFee]
    description: str
    raw: str

    @property
    def fee_parsed(self) -> bool:
        return bool(self.fees) and all(fee.amount is not None for fee in self.fees)


def parse_amount(digits: str) -> int | None:
    """ "50,000" / "50.000" / "8000" → int; "1,5" (a decimal) → None."""
    if re.fullmatch(r"\d+", digits):
        return int(digits)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
        return int(re.sub(r"[.,]", "", digits))
    return None


def parse_time_limit(text: str) -> tuple[int | None, str | None, str, str]:
    """Read a time limit at the start of ``text``: ``(amount, unit, raw, rest)``.

    A number without a unit, a fraction ("0,5 Ngày") or a number that is money ("120 VNĐ") is not a
    time limit: amount and unit stay ``None`` (never invented).
    """
    for placeholder in (*NO_INFO, "Không"):
        if text.startswith(placeholder):
            return None, None, placeholder, text[len(placeholder) :]
    match = _TIME.match(text)
    if not match:
        return None, None, "", text
    if _MONEY.match(text.lstrip()):
        return None, None, "", text
    number, unit_text = match.group(1), match.group(2)
    if unit_text is None:
        # A bare number ("1Miễn phí"): the unit column was empty. Keep it raw, give no time limit.
        return None, None, match.group(0).strip(), text[match.end() :]
    unit = next(u for label, u in _UNITS if label == unit_text.lower())
    amount = int(number) if number.isdigit() else None
    return (
        amount,
        unit.value if amount is not None else None,
        match.group(0).strip(),
        text[match.end() :],
    )


def _take_parenthesised(text: str) -> tuple[str, str]:
    if not text.startswith("("):
        return "", text
    depth = 0
    for index, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[: index + 1], text[index + 1 :]
    return text, ""


def parse_fee(text: str) -> tuple[list[ParsedFee], str]:
    """Read the fee column at the start of ``text``: ``(fees, rest)``."""
    if text.startswith("Miễn phí"):
        note, rest = _take_parenthesised(text[len("Miễn phí") :])
        raw = "Miễn phí" + note
        return [ParsedFee(amount=0, description=raw, raw=raw)], rest
    for placeholder in NO_INFO:
        if text.startswith(placeholder):
            return [], text[len(placeholder) :]
    match = _MONEY.match(text)
    if not match:
        return [], text
    note, rest = _take_parenthesised(text[match.end() :])
    raw = match.group(0) + note
    amount = parse_amount(match.group(2)) if match.group(3) != "USD" else None
    kind = "FEE" if (match.group(1) or "") == "Phí" else "CHARGE"
    return [ParsedFee(amount=amount, description=raw, raw=raw, kind=kind)], rest


def parse_channels(text: str) -> list[ParsedOffer]:
    """``cach_thuc_thuc_hien`` → one offer per row (channel, time limit, fee, description)."""
    body = text.replace(_CHANNEL_HEADER, "", 1)
    starts = list(_CHANNEL_START.finditer(body)) or list(_CHANNEL_ANY.finditer(body))
    offers: list[ParsedOffer] = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        row = body[match.start() : end]
        after = body[match.end() : end]
        amount, unit, time_raw, rest = parse_time_limit(after)
        fees, rest = parse_fee(rest)
        offers.append(
            ParsedOffer(
                channel=CHANNELS[match.group(1)],
                amount=amount,
                unit=unit,
                time_raw=time_raw,
                fees=fees,
                description=clean(rest),
                raw=row,
            )
        )
    return offers


# --- Components (thành phần hồ sơ) ---

_COMPONENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_QUANTITY = re.compile(
    r"(?:(?<!\d)(\d{1,2})|(\d))\s*bản chính(?:\s*,\s*(\d{1,2})\s*bản sao)?"
    r"|(?:(?<!\d)(\d{1,2})|(\d))\s*bản sao"
)
_TEMPLATE_EXT = re.compile(r"\.(docx|doc|pdf|xlsx|xls|rtf|odt)$", re.IGNORECASE)
_FILE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _-.,")


@dataclass
class ParsedComponent:
    name: str
    form_template: str
    originals: int
    copies: int
    raw: str


@dataclass
class ParsedCase:
    name: str
    components: list[ParsedComponent] = field(default_factory=list)


def split_template(text: str) -> tuple[str, str]:
    """ "Tờ khai (mẫu NA17)101-Mau A17 tam tru.doc" → ("Tờ khai (mẫu NA17)", "101-Mau A17 tam tru.doc")."""
    stripped = text.rstrip()
    ext = _TEMPLATE_EXT.search(stripped)
    if not ext:
        return stripped.strip(), ""
    start = ext.start()
    while start > 0 and stripped[start - 1] in _FILE_CHARS:
        start -= 1
    candidate = stripped[start:].lstrip(" .,-")
    while candidate and not candidate[0].isalnum():
        candidate = candidate[1:]
    if len(candidate) <= len(ext.group(0)):
        return stripped.strip(), ""
    name = stripped[: len(stripped) - len(candidate)].strip()
    return name, candidate


def _case_name(text: str) -> str:
    value = text.strip()
    return "" if value.strip("-– ") == "" else value


def parse_components(text: str) -> list[ParsedCase]:
    """``thanh_phan_ho_so`` → cases, each with its components ("N bản chính, M bản sao")."""
    parts = text.split(_COMPONENT_HEADER)
    if len(parts) == 1:
        return []
    cases: list[ParsedCase] = []
    title = parts[0]
    for segment in parts[1:]:
        case = ParsedCase(name=_case_name(title))
        position = 0
        for match in _QUANTITY.finditer(segment):
            chunk = segment[position : match.start()]
            name, template = split_template(chunk)
            originals = int(match.group(1) or match.group(2) or 0)
            copies = int(match.group(3) or match.group(4) or match.group(5) or 0)
            if name:
                case.components.append(
                    ParsedComponent(
                        name=name,
                        form_template=template,
                        originals=originals,
                        copies=copies,
                        raw=segment[position : match.end()],
                    )
                )
            position = match.end()
        title = segment[position:]
        cases.append(case)
    return cases


# --- Legal bases (căn cứ pháp lý) ---

_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_DOC_NUMBER = re.compile(r"\d+(?:\.\d+)?/\d{4}(?:/(?:UBTVQH\d{2}|QH\d{2}|[A-ZĐ]+g?)(?:-[A-ZĐ]+g?)*)?")
# Issuer symbols that end a document number; a longer capital run swallowed the next title's first letter.
_KNOWN_SYMBOLS = {
    "CP",
    "TTg",
    "BCA",
    "BTC",
    "BTP",
    "BXD",
    "UBND",
    "HĐND",
    "NHNN",
    "BNNMT",
    "BNNPTNT",
    "BTNMT",
    "BLĐTBXH",
    "BYT",
    "BGDĐT",
    "BCT",
    "BGTVT",
    "BKHĐT",
    "BNV",
    "BQP",
    "BTTTT",
    "VPCP",
    "TANDTC",
    "VKSNDTC",
    "BVHTTDL",
    "BKHCN",
    "TTCP",
    "HĐTP",
    "CTN",
    "BDTTG",
    "UBDT",
    "KTNN",
    "BNG",
    "TLĐ",
}
_ISSUERS = [
    ("QH", "Quốc hội"),
    ("UBTVQH", "Ủy ban Thường vụ Quốc hội"),
    ("NĐ-CP", "Chính phủ"),
    ("NQ-CP", "Chính phủ"),
    ("QĐ-TTg", "Thủ tướng Chính phủ"),
    ("BCA", "Bộ Công an"),
    ("BTC", "Bộ Tài chính"),
    ("BTP", "Bộ Tư pháp"),
    ("BXD", "Bộ Xây dựng"),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường"),
    ("BNNPTNT", "Bộ Nông nghiệp và Phát triển nông thôn"),
    ("BTNMT", "Bộ Tài nguyên và Môi trường"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam"),
    ("HĐND", "Hội đồng nhân dân"),
    ("UBND", "Ủy ban nhân dân"),
]
_DATE_NUMERIC = re.compile(r"ngày\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")


@dataclass
class ParsedLegalBasis:
    number: str
    title: str
    issued_on: dt.date | None
    issuer: str


def _issuer(number: str) -> str:
    suffix = number.split("/", 2)[2] if number.count("/") >= 2 else ""
    for key, issuer in _ISSUERS:
        if key == "QH" and re.match(r"QH\d", suffix):
            return issuer
        if key != "QH" and key in suffix:
            return issuer
    return ""


def _issued_on(title: str, number: str) -> dt.date | None:
    """The first date in the title, when its year is the number's year (otherwise it dates another text)."""
    match = _DATE_NUMERIC.search(title) or _DATE_WORDS.search(title)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    if f"/{year}" not in number:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _trim_symbol(body: str, start: int, end: int) -> int:
    """ "…/NĐ-CPLuật số…": the symbol swallowed the capital starting the next title; give it back."""
    if end >= len(body) or not body[end].isalpha():
        return end
    last = body[start:end].rsplit("-", 1)[-1].rsplit("/", 1)[-1]
    for cut in range(0, min(3, len(last) - 1) + 1):
        if last[: len(last) - cut] in _KNOWN_SYMBOLS:
            return end - cut
    return end


def parse_legal_bases(text: str) -> list[ParsedLegalBasis]:
    """``can_cu_phap_ly`` → rows of (title, number). A number glued to the next title ends a row."""
    body = text.replace(_LEGAL_HEADER, "", 1)
    rows: list[tuple[str, str]] = []
    position = 0
    for match in _DOC_NUMBER.finditer(body):
        end = _trim_symbol(body, match.start(), match.end())
        at_boundary = end == len(body) or body[end].isalnum()
        if not at_boundary:
            continue
        number = body[match.start() : end]
        title = body[position : match.start()].strip()
        if not re.search(r"[^\W\d_]", title) and rows:
            previous_title, previous_number = rows[-1]
            rows[-1] = ((previous_title + " " + previous_number).strip(), number)
        else:
            rows.append((title, number))
        position = end
    return [
        ParsedLegalBasis(
            number=number, title=title, issued_on=_issued_on(title, number), issuer=_issuer(number)
        )
        for title, number in rows
    ]


# --- Results, keywords, description (kết quả xử lý …) ---

_RESULT = re.compile(r"(.*?)Mã:\s*(KQ\.[A-Z0-9]+\.\d+)", re.DOTALL)


@dataclass
class ParsedResults:
    results: list[tuple[str, str]]
    keywords: str
    description: str


def parse_results(text: str) -> ParsedResults:
    head, _, tail = text.partition("Từ khóa")
    keywords, _, description = tail.partition("Mô tả")
    description = description.split("Chọn cơ quan thực hiện", 1)[0]
    results = [(m.group(1).strip(), m.group(2)) for m in _RESULT.finditer(head) if m.group(1).strip()]
    if not results and clean(head):
        results = [(clean(head), "")]
    return ParsedResults(results=results, keywords=clean(keywords), description=clean(description))
