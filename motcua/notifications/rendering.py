"""Render a notification from its templates: which keys each template needs, and text shaping.

Templates live in ``templates/notifications/<template_key>/<language>/``: ``subject.txt`` and
``email.txt`` for e-mail, ``sms.txt`` (and, where the full text may not fit, ``sms_short.txt``) for
SMS. A province may override any of them from the project's ``templates/`` folder. They are plain
text: a private template engine renders them without HTML escaping.

Context values are strings or integers. A value whose key ends in ``_at`` and that is an ISO 8601
date (``2026-03-06``) or aware date-time (``2026-02-13T14:00:00+07:00``) is written the way the
language and channel expect ("14 giờ 00 phút, ngày 13/02/2026" in a Vietnamese e-mail, "14h00
13/02/2026" in a Vietnamese SMS); any other value is used as given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.conf import settings
from django.template import Context, Engine, Library
from django.template.exceptions import TemplateDoesNotExist
from django.utils import translation

from motcua.core.clock import to_local
from motcua.core.errors import ValidationFailed

from .models import Channel, Language

APP_TEMPLATES = Path(__file__).resolve().parent / "templates"

# Shared by every template: where the dossier can be followed, and who to call.
_COMMON_OPTIONAL = frozenset({"lookup_url", "contact"})


@dataclass(frozen=True)
class TemplateSpec:
    required: frozenset[str]
    optional: frozenset[str] = frozenset()

    @property
    def allowed(self) -> frozenset[str]:
        return self.required | self.optional | _COMMON_OPTIONAL


def _spec(required: str, optional: str = "") -> TemplateSpec:
    return TemplateSpec(frozenset(required.split()), frozenset(optional.split()))


# SPEC §5.2: T2/T7 accept, T5 request completion at intake (no dossier code yet: the online
# submission's reference), T13 request supplement, T14 supplement received (new appointment),
# T20 apology and extension (Form 04), T21/T22 result ready, T15/T23 stop (Form 05).
TEMPLATE_SPECS: Mapping[str, TemplateSpec] = {
    "dossier.accepted": _spec("applicant_name dossier_code procedure_name unit_name received_at due_at"),
    "dossier.completion_requested": _spec(
        "applicant_name reference procedure_name unit_name reason guidance"
    ),
    "dossier.supplement_requested": _spec(
        "applicant_name dossier_code procedure_name unit_name reason guidance", "supplement_due_at"
    ),
    "dossier.supplement_received": _spec(
        "applicant_name dossier_code procedure_name unit_name received_at due_at"
    ),
    "dossier.extended": _spec(
        "applicant_name dossier_code procedure_name unit_name agency_name reason original_due_at new_due_at"
    ),
    "dossier.result_ready": _spec(
        "applicant_name dossier_code procedure_name unit_name pickup_place", "pickup_hours fee_due"
    ),
    "dossier.stopped": _spec("applicant_name dossier_code procedure_name unit_name reason"),
    # T24: a lost or damaged dossier, the apology to the applicant (ND61 Art 21(2)).
    "dossier.incident_reported": _spec("applicant_name dossier_code procedure_name unit_name reason"),
    # To staff: the apology deadline passed (SPEC §6.1 rule 11, scenario 16); an unanswered
    # consultation (ND61 Art 19(5)).
    "dossier.apology_overdue": _spec(
        "recipient_name dossier_code procedure_name agency_name unit_name due_at apology_deadline_at"
    ),
    "dossier.consultation_overdue": _spec(
        "recipient_name dossier_code procedure_name agency_name consulted_agency_name unit_name "
        "requested_at deadline_at"
    ),
    # To staff: a one-stop head or department leader urges the agency handling a dossier (đôn đốc).
    "dossier.urged": _spec(
        "recipient_name dossier_code procedure_name agency_name unit_name urged_by message", "due_at"
    ),
    # To the submitter of a petition (PAKN, SPEC §7.3): received, refused, supplement requested,
    # transferred, answer published; ``unit_name`` is the agency handling it.
    "petition.updated": _spec("submitter_name petition_code title status unit_name", "note due_at"),
}

SUBJECT_MAX_CHARS = 200

# Filters available in every notification template (registered as a builtin of the private engine).
register = Library()


@register.filter
def sentence(value: object) -> str:
    """Free text as a sentence: trimmed, ending with a full stop unless it already has punctuation."""
    text = str(value).strip()
    return text if not text or text[-1] in ".!?…:;" else f"{text}."


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@functools.cache
def _engine() -> Engine:
    project_dirs = [str(d) for conf in settings.TEMPLATES for d in cast(list[object], conf.get("DIRS", []))]
    return Engine(
        dirs=[*project_dirs, str(APP_TEMPLATES)],
        autoescape=False,
        builtins=["motcua.notifications.rendering"],
        string_if_invalid="",
    )


def render(*, template_key: str, channel: str, language: str, context: Mapping[str, str | int]) -> Rendered:
    """The subject and body for one message; raises ValidationFailed on a bad key or context."""
    spec = TEMPLATE_SPECS.get(template_key)
    if spec is None:
        raise ValidationFailed(
            f"Không có mẫu thông báo “{template_key}”.",
            f"There is no notification template “{template_key}”.",
            code="unknown_template",
            field="template_key",
        )
    if language not in Language.values or channel not in Channel.values:
        raise ValidationFailed(
            f"Không có mẫu “{template_key}” cho {channel}/{language}.",
            f"There is no “{template_key}” template for {channel}/{language}.",
            code="unknown_template",
            field="template_key",
        )
    values = _context(spec, context, language=language, channel=channel)
    folder = f"notifications/{template_key}/{language}"
    with translation.override(language):
        if channel == Channel.EMAIL:
            subject = _one_line(_render(f"{folder}/subject.txt", values), SUBJECT_MAX_CHARS)
            return Rendered(subject=subject, body=_paragraphs(_render(f"{folder}/email.txt", values)))
        return Rendered(subject="", body=_sms(folder, values))


def _render(name: str, values: Mapping[str, str | int]) -> str:
    return _engine().get_template(name).render(Context(dict(values), autoescape=False))


def _context(
    spec: TemplateSpec, context: Mapping[str, str | int], *, language: str, channel: str
) -> dict[str, str | int]:
    unexpected = sorted(set(context) - spec.allowed)
    if unexpected:
        raise ValidationFailed(
            f"Mẫu thông báo không dùng các giá trị: {', '.join(unexpected)}.",
            f"The notification template does not use: {', '.join(unexpected)}.",
            code="unexpected_context",
            field="context",
            keys=unexpected,
        )
    missing = sorted(key for key in spec.required if str(context.get(key, "")).strip() == "")
    if missing:
        raise ValidationFailed(
            f"Thiếu nội dung cho mẫu thông báo: {', '.join(missing)}.",
            f"The notification template needs: {', '.join(missing)}.",
            code="missing_context",
            field="context",
            keys=missing,
        )
    values: dict[str, str | int] = {}
    for key, value in context.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationFailed(
                f"Giá trị “{key}” phải là chuỗi hoặc số nguyên.",
                f"The value “{key}” must be a string or an integer.",
                code="invalid_context",
                field="context",
            )
        if isinstance(value, str):
            value = value.strip()
            if key.endswith("_at"):
                value = _format_when(key, value, language=language, channel=channel)
        values[key] = value
    return values


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def _format_when(key: str, value: str, *, language: str, channel: str) -> str:
    if _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if not _ISO_DATETIME.fullmatch(value):
        return value
    try:
        local = to_local(dt.datetime.fromisoformat(value))
    except ValueError as exc:
        raise ValidationFailed(
            f"“{key}” phải là ngày giờ ISO 8601 có múi giờ.",
            f"“{key}” must be an ISO 8601 date-time with a time zone offset.",
            code="invalid_context",
            field="context",
        ) from exc
    day = local.strftime("%d/%m/%Y")
    if language == "vi":
        if channel == Channel.SMS:
            return f"{local:%H}h{local:%M} {day}"
        return f"{local:%H} giờ {local:%M} phút, ngày {day}"
    return f"{local:%H:%M} {day}" if channel == Channel.SMS else f"{local:%H:%M}, {day}"


def _one_line(text: str, limit: int) -> str:
    return truncate(" ".join(text.split()), limit)


def _paragraphs(text: str) -> str:
    """Trailing spaces removed, at most one blank line in a row, no blank lines at either end."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() + "\n"


def _sms(folder: str, values: Mapping[str, str | int]) -> str:
    limit = int(settings.MOTCUA_SMS_MAX_CHARS)
    text = _sms_text(_render(f"{folder}/sms.txt", values))
    if len(text) > limit:
        with contextlib.suppress(TemplateDoesNotExist):
            text = _sms_text(_render(f"{folder}/sms_short.txt", values))
    return truncate(text, limit, ellipsis="..." if settings.MOTCUA_SMS_UNACCENTED else "…")


def _sms_text(text: str) -> str:
    text = " ".join(text.split())
    return unaccented(text) if settings.MOTCUA_SMS_UNACCENTED else text


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a word boundary with ``ellipsis``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space >= len(cut) * 4 // 5:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ellipsis


_ASCII = str.maketrans(
    {"đ": "d", "Đ": "D", "Ð": "D", "…": "...", "–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'"}
)


def unaccented(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Đăng ký" → "Dang ky"), for GSM-7 SMS gateways."""
    decomposed = unicodedata.normalize("NFD", text.translate(_ASCII))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
