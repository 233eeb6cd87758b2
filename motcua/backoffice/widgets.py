"""Form widgets drawn in Python: the HTML of Django's own widget templates
(``django/forms/widgets/input.html``, ``select.html``, ``select_option.html``, ``textarea.html``,
``input_option.html``, ``attrs.html``), character for character, without a template render per
widget and per option.

The staff search form is drawn on every search, with a select of every agency and of every state:
through the widget templates that was about a quarter of the page's CPU (ADR 0039). The context is
still Django's (``get_context``: values, ``selected``, ids, option groups); only the drawing moves
to Python. Tests compare both drawings of the search form (``test_search_form_widgets``) and of the
counter page (``test_counter_widgets``), whose intake form has about thirty widgets (issue #9).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    """``attrs.html``: `` name="value"`` each, a bare `` name`` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    name = conditional_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _input_option(widget: dict[str, Any]) -> str:
    """``input_option.html``: one radio button or check box of a choice, its label around it when
    ``wrap_label`` (a bound field's ``tag()`` draws it bare)."""
    if not widget["wrap_label"]:
        return _input(widget)
    id_ = widget["attrs"].get("id")
    label_for = f' for="{conditional_escape(id_)}"' if id_ else ""
    return f"<label{label_for}>{_input(widget)} {conditional_escape(widget['label'])}</label>"


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(
            f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>\n"
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


class RadioSelect(forms.RadioSelect):
    """Each radio button drawn in Python (a bound field's ``tag()``, what ``includes/field.html``
    draws); the whole group, rarer, still through Django's ``radio.html``."""

    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        if template_name == self.option_template_name:
            return mark_safe(_input_option(context["widget"]))  # every value escaped above
        drawn: SafeString = super()._render(template_name, context, renderer)  # type: ignore[misc]
        return drawn
