"""Template tags of the staff pages.

``{% remaining r %}``: the remaining office time of a dossier (``queues.Remaining``), with words and
a CSS class, not colour alone. A tag in Python rather than an included template: a work list shows
it on every row, and an ``{% include %}`` per row was most of the list's rendering time (ADR 0038).
"""

from __future__ import annotations

from django import template
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
