"""Template tags of the staff pages.

``{% dossier_path "backoffice:dossier" pk %}``: what ``{% url "backoffice:dossier" pk %}`` gives, for
the links of a list: the path is reversed once per URL name (and script prefix) and the id put in
its place. Django's ``reverse`` costs tens of microseconds and a list draws one or two per row: a
tenth of the overview's rendering (ADR 0039).

``{% remaining r %}``: the remaining office time of a dossier (``queues.Remaining``), with words and
a CSS class, not colour alone. A tag in Python rather than an included template: a work list shows
it on every row, and an ``{% include %}`` per row was most of the list's rendering time (ADR 0038).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from motcua.dossiers.queues import Remaining

register = template.Library()


@register.simple_tag
def remaining(r: Remaining | None) -> SafeString:
    if r is None:
        return format_html('<span class="muted">—</span>')
    time = {"d": r.days, "h": r.hours}
    if r.is_overdue:
        text = format_html(
            "<strong>{}</strong> {}", gettext("Quá hạn"), gettext("%(d)s ngày %(h)s giờ làm việc") % time
        )
    elif r.is_due_soon:
        text = format_html(
            "<strong>{}</strong>: {}",
            gettext("Sắp đến hạn"),
            gettext("còn %(d)s ngày %(h)s giờ làm việc") % time,
        )
    else:
        text = format_html("{}", gettext("còn %(d)s ngày %(h)s giờ làm việc") % time)
    return format_html('<span class="remaining {}">{}</span>', r.css, text)


# An id no dossier path holds otherwise: reversed once, then cut around.
_MARK = 987_654_321


@lru_cache(maxsize=32)
def _around_id(name: str, prefix: str) -> tuple[str, str]:
    path = reverse(name, args=[_MARK])
    head, mark, tail = path.partition(str(_MARK))
    if not mark or str(_MARK) in tail:
        raise ValueError(f"{name}: the id cannot be told apart in {path}")
    return head, tail


@register.simple_tag
def dossier_path(name: str, pk: int) -> str:
    head, tail = _around_id(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"
