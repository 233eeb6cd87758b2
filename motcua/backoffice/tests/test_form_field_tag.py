"""``{% form_field %}`` draws what ``includes/field.html`` draws, for every kind of field."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string

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
