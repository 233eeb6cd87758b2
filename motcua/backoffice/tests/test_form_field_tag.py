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
    """The checklist loop of the counter page as it is now."""
    page = (Path(settings.BASE_DIR) / "templates" / "backoffice" / "counter" / "page.html").read_text()
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
