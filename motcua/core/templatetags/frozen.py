"""``{% frozen %}``: a part of a page rendered once per process and key, then reused (decision 0040).

    {% load frozen %}
    {% frozen errors.ma %}<form …>{% csrf_token %}…<input name="ma" value="{% endfrozen %}{{ code }}…

The page chrome (skip link, header, navigation, language buttons, footer) is the same text for every
request with the same language and signed-in state, yet Django's engine renders it node by node on
every request: about a third of the tracking page's rendering. A frozen part is rendered the first
time a key is seen and its text kept on the compiled template (so per process, and gone with the
template when runserver reloads it). The key is the active language, the script prefix, the
auto-escaping and the values named in the tag: the body must depend on nothing else, so a
``{% block %}`` inside is refused when the template is compiled (a child page could fill it). The
language and script prefix are read once per render (decision 0045), so a part inside
``{% language %}`` is refused too.
``{% csrf_token %}`` is allowed: the kept text has a gap there, filled on each render with this
request's own token, exactly as the tag renders it; no two requests ever share a token. Names set
inside a part (``as var``) stay inside it. The values named in the tag should come from a small set
(a kind of user, a form's message), never from what the visitor typed.

The kept parts are emptied when a setting changes (tests) and when a translation file changes
(runserver's auto-reload). A part keeps at most ``KEYS`` keys; past that it renders every time.
"""

from __future__ import annotations

import weakref
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString

register = template.Library()

KEYS = 64
# What {% csrf_token %} renders inside a part while it is kept: split out, filled on each render.
_MARK = "\x00frozen-csrf-token\x00"
_GAP = CsrfTokenNode().render(Context({"csrf_token": _MARK}))
_NODES: weakref.WeakSet[FrozenNode] = weakref.WeakSet()
_BASE_KEY = "motcua.frozen:language-and-prefix"  # the render-context entry holding both


class FrozenNode(Node):
    # Not walked by get_nodes_by_type (which {% extends %} runs over the parent on every render to
    # find its blocks): a part holds no block, by the check in ``frozen`` below.
    child_nodelists = ()

    def __init__(self, nodelist: NodeList, vary: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.vary = vary
        self.kept: dict[tuple[Any, ...], tuple[SafeString, ...]] = {}
        _NODES.add(self)

    def render(self, context: Context) -> SafeString:
        # The language and script prefix are the same for every part of one render: read once per
        # render (the render context lives as long as the page's rendering, its parent included).
        base = context.render_context.get(_BASE_KEY)
        if base is None:
            base = (translation.get_language(), get_script_prefix())
            context.render_context[_BASE_KEY] = base
        key = (*base, context.autoescape, *(value.resolve(context) for value in self.vary))
        parts = self.kept.get(key)
        if parts is None:
            with context.push(csrf_token=_MARK):
                # Kept as SafeString: returned as they are, without mark_safe's check for lazy text.
                parts = tuple(SafeString(part) for part in self.nodelist.render(context).split(_GAP))
            if len(self.kept) < KEYS:
                self.kept[key] = parts
        if len(parts) == 1:
            return parts[0]
        return SafeString(CsrfTokenNode().render(context).join(parts))


@register.tag
def frozen(parser: Parser, token: Token) -> FrozenNode:
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endfrozen",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% frozen %} may not hold a {% block %}: a page could fill it.")
    # The language is read once per render (FrozenNode.render): a part inside {% language %} would
    # be kept under the page's language instead of the block's.
    if any(command == "language" for command, _token in getattr(parser, "command_stack", ())):
        raise template.TemplateSyntaxError("{% frozen %} may not stand inside {% language %}.")
    return FrozenNode(nodelist, vary)


def forget_all() -> None:
    for node in list(_NODES):
        node.kept.clear()


@receiver(setting_changed)
def _setting_changed(**kwargs: Any) -> None:
    forget_all()


@receiver(file_changed)
def _file_changed(sender: Any, file_path: Any, **kwargs: Any) -> None:
    if str(file_path).endswith(".mo"):
        forget_all()
