"""Template tags of the staff pages.

``{% dossier_path "backoffice:dossier" pk %}``: what ``{% url "backoffice:dossier" pk %}`` gives, for
the links of a list: the path is reversed once per URL name (and script prefix) and the id put in
its place. Django's ``reverse`` costs tens of microseconds and a list draws one or two per row: a
tenth of the overview's rendering (ADR 0039).

``{% dossier_row item urge %}``: one row of a work list (``queues.QueueItem``), the HTML the list
template drew per row, drawn in Python: on the overview's two lists of 25 rows the template's per-row
work (variables, filters, the urge form) was half of the page's CPU (ADR 0039). A test compares it
with the template it replaces.

``{% form_field form.name %}``: what ``{% include "includes/field.html" with field=form.name %}``
draws (the label, the widget, the errors), drawn in Python: the counter page includes that template
for each of its fifteen fields, which was a fifth of the page's rendering (issue #9). A test compares
both for every kind of field, with and without errors.

``{% component_row row %}``: one row of the counter's checklist (``IntakeForm.component_rows``): the
tick box, the component's name with its labels, the two counts. Drawn in Python for the same
reason; a test compares it with the template loop it replaces (``component_rows_before.html``).

``{% counter_options counters counter %}``: the options of the counter picker on the counter page,
one per counter of the officer's units, drawn in Python (the template's loop was a quarter of the
page once the intake form was kept, decision 0053).

``{% remaining r %}``: the remaining office time of a dossier (``queues.Remaining``), with words and
a CSS class, not colour alone. A tag in Python rather than an included template: a work list shows
it on every row, and an ``{% include %}`` per row was most of the list's rendering time (ADR 0038).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.forms import BoundField
from django.template.defaultfilters import date, truncatechars
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext

from motcua.backoffice.widgets import esc
from motcua.dossiers.queues import QueueItem, Remaining

register = template.Library()


def _choices(field: BoundField) -> str:
    """``{% for radio in field %}<label class="choice">{{ radio.tag }} {{ radio.choice_label }}</label>``"""
    return "".join(
        f'<label class="choice">{option.tag()} {esc(option.choice_label)}</label>' for option in field
    )


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None)
    multiple = getattr(widget, "allow_multiple_selected", False)
    errors = field.errors
    label = esc(field.label)
    if input_type == "radio" or (input_type == "checkbox" and multiple):
        body = f"<fieldset><legend>{label}</legend>{_choices(field)}</fieldset>"
    elif input_type == "checkbox":
        body = f'<label class="choice">{field} {label}</label>'
    else:
        required = ' <span aria-hidden="true">*</span>' if field.field.required else ""
        body = f'<label for="{esc(field.id_for_label)}">{label}{required}</label>\n    {field}'
    error_text = (
        f'<p class="field-error" id="err_{esc(field.html_name)}" role="alert">'
        + " ".join(str(esc(e)) for e in errors)
        + "</p>"
        if errors
        else ""
    )
    has_error = " has-error" if errors else ""
    # Every value escaped above; the widget's HTML is already safe.
    return mark_safe(f'<div class="field{has_error}">\n  \n    {body}\n  \n  {error_text}\n</div>\n')


@register.simple_tag
def component_row(row: dict[str, Any]) -> SafeString:
    name = esc(row["template"].name)
    tick, originals, copies = row["tick"], row["originals"], row["copies"]
    required = f' <span class="tag">{esc(gettext("bắt buộc"))}</span>' if row["template"].is_required else ""
    return mark_safe(  # every value escaped above; the widgets' HTML is already safe
        f"<tr>\n          <td>{tick}</td>\n"
        f'          <th scope="row"><label for="{esc(tick.id_for_label)}">{name}</label>{required}</th>\n'
        f'          <td><label class="vh" for="{esc(originals.id_for_label)}">'
        f"{esc(gettext('Số bản chính'))}: {name}</label>{originals}</td>\n"
        f'          <td><label class="vh" for="{esc(copies.id_for_label)}">'
        f"{esc(gettext('Số bản sao'))}: {name}</label>{copies}</td>\n"
        "        </tr>"
    )


@register.simple_tag
def counter_options(counters: Any, chosen: Any) -> SafeString:
    """``{% for c in counters %}<option value="{{ c.pk }}"{% if c.pk == chosen.pk %} selected{% endif %}>
    {{ c.one_stop_unit.name }} — {{ c.name }}</option>{% endfor %}`` (without the line break)."""
    return mark_safe(  # every value escaped
        "".join(
            f'<option value="{c.pk}"{" selected" if c.pk == chosen.pk else ""}>'
            f"{esc(c.one_stop_unit.name)} — {esc(c.name)}</option>"
            for c in counters
        )
    )


@register.simple_tag
def remaining(r: Remaining | None) -> SafeString:
    if r is None:
        return mark_safe('<span class="muted">—</span>')
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


def _day(value: Any, use_tz: bool | None, fmt: str) -> str:
    """As ``{{ value|date:fmt }}`` in a template (local time first)."""
    return str(date(template_localtime(value, use_tz=use_tz), fmt))


@register.simple_tag(takes_context=True)
def dossier_row(context: template.Context, item: QueueItem, urge: object = False) -> SafeString:
    row, e = item.dossier, conditional_escape
    reference = e(row.reference)
    consultation = ""
    if item.consultation:
        c = item.consultation
        consultation = (
            f'<br><span class="muted">{e(gettext("Xin ý kiến"))}: {e(truncatechars(c.content, 80))} — '
            f"{e(gettext('hạn'))} {e(_day(c.deadline, context.use_tz, 'd/m/Y'))}</span>"
        )
    due = e(_day(row.due_at, context.use_tz, "H:i d/m/Y")) if row.due_at else "—"
    css = e(item.remaining.css) if item.remaining is not None else ""
    html = (
        f'<tr class="{css}"><th scope="row"><a href="{e(dossier_path("backoffice:dossier", row.pk))}">'
        f"{reference}</a></th>\n"
        f"      <td>{e(row.applicant_name)}</td>\n"
        f"      <td>{e(row.procedure_name)}{consultation}</td>\n"
        f"      <td>{due}</td>\n"
        f"      <td>{remaining(item.remaining)}</td>"
    )
    if urge:
        token = context.get("csrf_token")
        csrf = ""
        if token and token != "NOTPROVIDED":  # noqa: S105 - Django's marker for no token, no secret
            csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(token)}">'
        label = e(gettext("Đôn đốc"))
        html += (
            f'\n      <td><form method="post" action="{e(dossier_path("backoffice:dossier_act", row.pk))}" '
            f'class="urge-row">{csrf}<input type="hidden" name="act" value="urge">'
            '<input type="hidden" name="next" value="overview">'
            f'<input type="hidden" name="urge-version" value="{row.version:d}">'
            '<input type="hidden" name="urge-message" '
            f'value="{e(gettext("Đề nghị khẩn trương giải quyết hồ sơ đúng hạn."))}">'
            f'<button type="submit" aria-label="{label} {reference}">{label}</button></form></td>'
        )
    return mark_safe(html + "</tr>")  # every value escaped above
