"""Form widgets drawn in Python: the HTML of Django's own widget templates
(``django/forms/widgets/input.html``, ``select.html``, ``select_option.html``, ``textarea.html``,
``input_option.html``, ``attrs.html``), character for character, without a template render per
widget and per option.

The staff search form is drawn on every search, with a select of every agency and of every state:
through the widget templates that was about a quarter of the page's CPU (ADR 0039). The context is
still Django's (``get_context``: values, ``selected``, ids, option groups); only the drawing moves
to Python. Tests compare both drawings of the search form (``test_search_form_widgets``), of the
counter page (``test_counter_widgets``), whose intake form has about thirty widgets, and of the
dossier page with every act form (``test_act_form_widgets``; issue #9).
"""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def esc(value: Any) -> str:
    """What ``conditional_escape`` writes, without the lazy-text check that Django's ``escape`` makes
    on each call (a page escapes hundreds of names, values and labels)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        html_text: str = value.__html__()
        return html_text
    return html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """``attrs.html``: `` name="value"`` each, a bare `` name`` for True, nothing for False."""
    return "".join(
        f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{esc(widget["value"])}"'
    return (
        f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = esc(widget["value"]) if widget["value"] else ""
    name = esc(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _input_option(widget: dict[str, Any]) -> str:
    """``input_option.html``: one radio button or check box of a choice, its label around it when
    ``wrap_label`` (a bound field's ``tag()`` draws it bare)."""
    if not widget["wrap_label"]:
        return _input(widget)
    id_ = widget["attrs"].get("id")
    label_for = f' for="{esc(id_)}"' if id_ else ""
    return f"<label{label_for}>{_input(widget)} {esc(widget['label'])}</label>"


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(
            f'\n  <option value="{esc(option["value"])}"{_attrs(option["attrs"])}>'
            f"{esc(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class TextInput(forms.TextInput):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_input(context["widget"]))  # every value escaped above


class DateInput(forms.DateInput):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_input(context["widget"]))  # every value escaped above


class Select(forms.Select):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_select(context["widget"]))  # every value escaped above


class HiddenInput(forms.HiddenInput):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_input(context["widget"]))  # every value escaped above


class EmailInput(forms.EmailInput):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_input(context["widget"]))  # every value escaped above


class NumberInput(forms.NumberInput):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_input(context["widget"]))  # every value escaped above


class CheckboxInput(forms.CheckboxInput):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_input(context["widget"]))  # every value escaped above


class Textarea(forms.Textarea):
    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        return mark_safe(_textarea(context["widget"]))  # every value escaped above


class _OptionsInPython:
    """A choice widget whose options (``input_option.html``: a radio button, a check box) are drawn in
    Python; the whole group, rarer, still through Django's template."""

    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        if template_name == getattr(self, "option_template_name", None):
            return mark_safe(_input_option(context["widget"]))  # every value escaped above
        drawn: SafeString = super()._render(template_name, context, renderer)  # type: ignore[misc]
        return drawn


class RadioSelect(_OptionsInPython, forms.RadioSelect):
    """Each radio button drawn in Python (a bound field's ``tag()``, what ``includes/field.html``
    draws); the whole group, rarer, still through Django's ``radio.html``."""


class CheckboxSelectMultiple(_OptionsInPython, forms.CheckboxSelectMultiple):
    """Each check box of the group drawn in Python, as ``RadioSelect``'s buttons (``checkbox_option.html``
    is ``input_option.html`` too); the whole group still through Django's ``checkbox_select.html``."""


class ClearableFileInput(forms.ClearableFileInput):
    """``clearable_file_input.html`` without a file already there (the staff forms never show one):
    the bare ``<input type="file">``, no value; with one, Django's template."""

    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        widget = context["widget"]
        if widget["is_initial"]:
            drawn: SafeString = super()._render(template_name, context, renderer)  # type: ignore[misc]
            return drawn
        return mark_safe(  # every value escaped
            f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>'
        )
