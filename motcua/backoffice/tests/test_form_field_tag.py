"""``{% form_field %}`` draws what ``includes/field.html`` draws, for every kind of field;
``{% component_row %}`` what the counter page's checklist loop drew."""

from __future__ import annotations

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from motcua.backoffice import widgets
from motcua.backoffice.forms import CompletionForm, IntakeForm, ReturnForm
from motcua.backoffice.templatetags.backoffice import form_field

pytestmark = pytest.mark.django_db


class Every(forms.Form):
    text = forms.CharField(label='Tên <b>"&', max_length=5, widget=widgets.TextInput)
    plain = forms.CharField(label="Không bắt buộc", required=False)
    number = forms.IntegerField(label="Số", min_value=1, required=False)
    day = forms.DateField(label="Ngày", required=False, widget=widgets.DateInput(attrs={"type": "date"}))
    tick = forms.BooleanField(label="Đồng ý <i>", required=False)
    pick = forms.ChoiceField(label="Chọn", choices=[("a", "A <1>"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        label="Nhiều", choices=[("x", "X"), ("y", "Y & Z")], widget=forms.CheckboxSelectMultiple
    )
    some = forms.MultipleChoiceField(label="Một số", choices=[("x", "X")], required=False)
    note = forms.CharField(label="Ghi chú", widget=widgets.Textarea(attrs={"rows": 2}), required=False)
    upload = forms.FileField(label="Tệp", required=False)


def _same(form: forms.Form) -> int:
    for bound in form:
        assert form_field(bound) == render_to_string("includes/field.html", {"field": bound}), bound.name
    return len(form.fields)


def test_every_kind_of_field_empty_filled_and_refused(world):
    assert _same(Every()) == 10
    assert _same(Every(initial={"text": "x", "pick": "b", "many": ["y"], "tick": True}))
    refused = Every(
        {"text": 'quá dài <"&>', "number": "0", "day": "32/13/2026", "pick": "c", "note": "<script>"}
    )
    assert not refused.is_valid() and len(refused.errors) == 5
    assert _same(refused)
    assert 'id="err_text" role="alert">' in form_field(refused["text"])
    assert _same(Every({"text": "ok", "pick": "a", "many": ["x", "y"], "tick": "on", "some": ["x"]}))


def test_the_staff_forms_fields(world):
    case = world.version.cases.first()
    units = [world.centre]
    assert _same(IntakeForm(initial={"unit": world.centre.pk}, version=world.version, case=case, units=units))
    assert _same(IntakeForm({"email": "x@", "unit": "9"}, version=world.version, case=case, units=units))
    assert _same(ReturnForm())
    completion = CompletionForm()
    completion.fields["missing"].choices = [(1, "Tờ khai"), (2, "Bản sao <CCCD>")]  # type: ignore[attr-defined]
    assert _same(completion)


# The counter page's checklist loop before its rows were drawn by ``{% component_row %}`` (issue #9),
# with Django's own tags: the reference the Python drawing is held to.
ROWS_BEFORE = (Path(__file__).parent / "component_rows_before.html").read_text().rstrip("\n")


def _rows_now() -> str:
    """The checklist loop of the counter page's intake form as it is now."""
    page = (Path(settings.BASE_DIR) / "templates" / "backoffice" / "counter" / "_intake.html").read_text()
    start = page.index("      {% for row in form.component_rows %}")
    return (
        "{% load i18n backoffice %}" + page[start : page.index("{% endfor %}", start) + len("{% endfor %}")]
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_checklist_rows_draw_what_the_template_loop_drew(world, language):
    from motcua.catalog.models import ComponentTemplate
    from motcua.catalog.selectors import forget_version_parts

    case = world.version.cases.first()
    first = case.components.order_by("position").first()
    ComponentTemplate.objects.filter(pk=first.pk).update(
        name='Tờ khai <mẫu> "01" & bản sao', is_required=False
    )
    forget_version_parts()
    before, now = engines["django"].from_string(ROWS_BEFORE), engines["django"].from_string(_rows_now())
    forms_ = [
        IntakeForm(version=world.version, case=case, units=[world.centre]),
        IntakeForm(
            {f"c{first.pk}": "on", f"c{first.pk}_originals": "x", f"c{first.pk}_copies": "-1"},
            version=world.version,
            case=case,
            units=[world.centre],
        ),
        IntakeForm(version=world.version, case=None, units=[world.centre]),  # no checklist: the empty row
    ]
    with translation.override(language):
        drawn = []
        for form in forms_:
            if form.is_bound:
                assert not form.is_valid()
            drawn.append(now.render({"form": form}))
            assert drawn[-1] == before.render({"form": form})
    assert "Tờ khai &lt;mẫu&gt; &quot;01&quot; &amp; bản sao</label></th>" in drawn[0]
    assert 'aria-invalid="true"' in drawn[1] and 'aria-invalid="true"' not in drawn[0]
    assert 'colspan="4"' in drawn[2]
    forget_version_parts()


def test_every_act_form_draws_what_django_templates_draw(world, monkeypatch):
    """The act forms' widgets are drawn in Python (decision 0049): each field of every act form of
    the dossier page, empty and refused with odd characters, as Django's widget templates draw it."""
    from motcua.backoffice.dossier_views import ACTS, EXTRA_ACTS
    from motcua.backoffice.forms import InterAgencyForm, RowChoiceField, UploadForm
    from motcua.units.models import Agency

    classes = sorted(
        {*ACTS.values(), *EXTRA_ACTS.values(), InterAgencyForm, UploadForm}, key=lambda c: c.__name__
    )
    odd = "x <b>\"&'"

    def build(form_class: type[forms.Form], data: dict[str, str] | None) -> forms.Form:
        kwargs = {"agencies": Agency.objects.order_by("name")} if form_class is InterAgencyForm else {}
        form = form_class(data, prefix="p", initial={"version": 3}, **kwargs)
        for field in form.fields.values():
            if isinstance(field, RowChoiceField) and not field.rows:
                field.set_rows(Agency.objects.order_by("name"))
            elif isinstance(field, forms.ChoiceField) and not field.choices:
                field.choices = [(1, "Một <1>"), (2, 'Hai "2"')]
        return form

    def drawn() -> list[str]:
        found = []
        for form_class in classes:
            for data in (
                None,
                {"p-version": "0"} | {f"p-{name}": odd for name in build(form_class, None).fields},
            ):
                form = build(form_class, data)
                found += [str(form_field(b)) for b in form.visible_fields()]
                found += [str(b) for b in form.hidden_fields()]
        return found

    for form_class in classes:
        for name, field in build(form_class, None).fields.items():
            assert type(field.widget).__module__ == widgets.__name__, (form_class.__name__, name)
    python = drawn()
    for widget in [c for c in vars(widgets).values() if isinstance(c, type) and issubclass(c, forms.Widget)]:
        monkeypatch.setattr(widget, "_render", forms.Widget._render)
    assert drawn() == python
    assert len(python) == 2 * sum(len(build(c, None).fields) for c in classes) > 80
    assert any("x &lt;b&gt;&quot;&amp;&#x27;</textarea>" in html for html in python)
