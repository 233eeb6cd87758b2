"""``{% frozen %}``: parts of a page rendered once per language and key (decision 0040)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import RequestFactory
from django.utils import translation

from motcua.core.templatetags import frozen

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __str__(self) -> str:
        self.calls += 1
        return str(self.calls)


def test_a_part_is_rendered_once_per_language_and_named_value():
    template = Template(
        '{% load i18n frozen %}{% frozen kind %}{{ counter }} {% translate "Đăng nhập" %}{% endfrozen %}'
    )
    counter = Counter()
    with translation.override("vi"):
        assert template.render(Context({"counter": counter, "kind": "staff"})) == "1 Đăng nhập"
        assert template.render(Context({"counter": counter, "kind": "staff"})) == "1 Đăng nhập"
        assert template.render(Context({"counter": counter, "kind": "citizen"})) == "2 Đăng nhập"
    with translation.override("en"):
        assert template.render(Context({"counter": counter, "kind": "staff"})) == "3 Sign in"
        assert template.render(Context({"counter": counter, "kind": "citizen"})) == "4 Sign in"
        assert template.render(Context({"counter": counter, "kind": "citizen"})) == "4 Sign in"
    with translation.override("vi"):
        assert template.render(Context({"counter": counter, "kind": "staff"})) == "1 Đăng nhập"
    assert counter.calls == 4


def test_each_render_gets_its_own_csrf_token_exactly_as_the_tag_writes_it():
    template = Template(
        "{% load frozen %}{% frozen %}<form>{% csrf_token %}</form>{% csrf_token %}{% endfrozen %}"
    )
    plain = Template("<form>{% csrf_token %}</form>{% csrf_token %}")
    for token in ("first-token", "second-token", "NOTPROVIDED", ""):
        context = {"csrf_token": token}
        assert template.render(Context(context)) == plain.render(Context(context))
    assert template.render(Context({"csrf_token": "abc"})) == (
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc"></form>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="abc">'
    )


def test_names_set_inside_a_part_stay_inside_it_whether_kept_or_not():
    template = Template(
        '{% load frozen %}{% frozen %}{% url "portal:home" as home %}{% endfrozen %}[{{ home }}]'
    )
    assert template.render(Context()) == "[]"
    assert template.render(Context()) == "[]"


def test_a_block_inside_a_part_is_refused_when_the_template_is_compiled():
    with pytest.raises(TemplateSyntaxError, match=r"may not hold a \{% block %\}"):
        Template("{% load frozen %}{% frozen %}{% block title %}x{% endblock %}{% endfrozen %}")


def test_a_part_inside_a_language_block_is_refused_and_one_holding_it_keeps_its_language():
    with pytest.raises(TemplateSyntaxError, match=r"may not stand inside \{% language %\}"):
        Template('{% load i18n frozen %}{% language "en" %}{% frozen %}x{% endfrozen %}{% endlanguage %}')
    # The other way round is fine: the block's language is part of what the part renders.
    template = Template(
        "{% load i18n frozen %}{% frozen %}{% get_current_language as a %}{{ a }}"
        '{% language "en" %}{% get_current_language as b %}/{{ b }}{% endlanguage %}{% endfrozen %}'
    )
    with translation.override("vi"):
        assert template.render(Context()) == "vi/en"
        assert template.render(Context()) == "vi/en"
    with translation.override("en"):
        assert template.render(Context()) == "en/en"


def test_a_changed_setting_empties_every_part(settings):
    template = Template("{% load frozen %}{% frozen %}{{ counter }}{% endfrozen %}")
    counter = Counter()
    assert template.render(Context({"counter": counter})) == "1"
    assert template.render(Context({"counter": counter})) == "1"
    settings.STATIC_URL = "/tinh/"
    assert template.render(Context({"counter": counter})) == "2"
    assert template.render(Context({"counter": counter})) == "2"


def test_a_part_keeps_a_bounded_number_of_keys(monkeypatch):
    monkeypatch.setattr(frozen, "KEYS", 2)
    template = Template("{% load frozen %}{% frozen n %}{{ counter }}{% endfrozen %}")
    counter = Counter()
    outputs = [template.render(Context({"counter": counter, "n": n})) for n in (1, 2, 3, 3, 1)]
    assert outputs == ["1", "2", "3", "4", "1"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff"])
def test_the_frozen_page_chrome_is_the_chrome_without_frozen_parts(language, who):
    """base.html with its {% frozen %} tags taken out renders the same page, for each language and
    kind of user, first render and kept alike (the CSRF tokens aside, which are masked afresh)."""
    source = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    plain = engines["django"].from_string(re.sub(r"\{% (?:end)?frozen[^%]*%\}", "", source))
    kept = engines["django"].get_template("base.html")
    request = RequestFactory().get("/tra-cuu/?ma=X")
    request.user = _user(who)
    frozen.forget_all()
    with translation.override(language):
        pages = [TOKEN_INPUT.sub("", t.render({}, request)) for t in (plain, kept, kept)]
    assert pages[1] == pages[0]
    assert pages[2] == pages[0]
    assert 'value="/tra-cuu/?ma=X"' in pages[0]


def _user(who: str) -> object:
    from django.contrib.auth.models import AnonymousUser

    if who == "anonymous":
        return AnonymousUser()
    # The user model by name: core is below accounts (layers of DESIGN.md).
    return get_user_model().objects.create_user(username=f"{who}@example.vn", password="x" * 12, kind=who)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "errors",
    [
        {"ma": "", "so": "", "form": ""},
        {"ma": "Cần ghi mã hồ sơ.", "so": "Cần ghi đúng 4 chữ số cuối.", "form": ""},
        {"ma": "", "so": "", "form": "Không tìm thấy hồ sơ."},
    ],
)
def test_the_tracking_page_with_frozen_parts_is_the_page_without_them(language, errors):
    source = (Path(settings.BASE_DIR) / "templates" / "portal" / "tracking.html").read_text()
    plain = engines["django"].from_string(re.sub(r"\{% (?:end)?frozen[^%]*%\}", "", source))
    kept = engines["django"].get_template("portal/tracking.html")
    request = RequestFactory().post("/tra-cuu/")
    request.user = _user("anonymous")
    frozen.forget_all()
    context = {"code": '"><b>000.00.12.H42-260302-0001', "errors": errors}
    with translation.override(language):
        pages = [TOKEN_INPUT.sub("", t.render(context, request)) for t in (plain, kept, kept)]
    assert pages[1] == pages[0]
    assert pages[2] == pages[0]
    assert 'value="&quot;&gt;&lt;b&gt;000.00.12.H42-260302-0001"' in pages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("who", ["anonymous", "citizen"])
@pytest.mark.parametrize("dated", [True, False])
def test_the_tracking_answer_with_frozen_parts_is_the_answer_without_them(language, who, dated):
    """The found dossier's section: labels kept per language, the dossier's values written around
    them on each render (decision 0042); the same page as without the frozen tags, for a visitor
    and a signed-in citizen, with and without the dates, whatever the first dossier rendered."""
    import datetime as dt
    from types import SimpleNamespace

    source = (Path(settings.BASE_DIR) / "templates" / "portal" / "tracking.html").read_text()
    plain = engines["django"].from_string(re.sub(r"\{% (?:end)?frozen[^%]*%\}", "", source))
    kept = engines["django"].get_template("portal/tracking.html")
    request = RequestFactory().post("/tra-cuu/")
    request.user = _user(who)
    when = dt.datetime(2026, 3, 2, 1, 7, tzinfo=dt.UTC) if dated else None
    # What dossiers.online.track returns (core may not import dossiers: layers of DESIGN.md).
    fields = ("pk", "reference", "state", "submitted_at", "received_at", "due_at", "procedure_name")
    answers = [
        SimpleNamespace(**dict(zip(fields, values, strict=True)))
        for values in (
            (1, "000.00.12.H42-260302-0001", "received", when, when, when, "Thủ tục <b>A</b>"),
            (2, "H42-<i>-0002", "submitted", None, when, None, "Thủ tục B"),
        )
    ]
    frozen.forget_all()
    with translation.override(language):
        for found in answers:
            context = {
                "code": found.reference,
                "errors": {"ma": "", "so": "", "form": ""},
                "found": found,
                # As portal.tracking_views._when writes them (Vietnam's time).
                **{
                    name: f"{value + dt.timedelta(hours=7):%H:%M %d/%m/%Y}" if value else ""
                    for name in ("submitted_at", "received_at", "due_at")
                    for value in [getattr(found, name)]
                },
                "state": f"Trạng thái {found.state}",
                "next_step": "Chờ <xử lý>",
                "is_own": False,
            }
            pages = [TOKEN_INPUT.sub("", t.render(context, request)) for t in (plain, kept, kept)]
            assert pages[1] == pages[0]
            assert pages[2] == pages[0]
            assert f'<h2 id="found-title">{"Dossier" if language == "en" else "Hồ sơ"} ' in pages[0]
            assert '<dd id="tracking-state">Trạng thái ' + found.state + "</dd>" in pages[0]
    assert "H42-&lt;i&gt;-0002</h2>" in pages[0]
    assert "<dd>Chờ &lt;xử lý&gt;</dd>" in pages[0]
    assert ("<dd>08:07 02/03/2026</dd>" in pages[0]) is dated
    assert ('<p class="muted">' in pages[0]) is (who == "anonymous")
