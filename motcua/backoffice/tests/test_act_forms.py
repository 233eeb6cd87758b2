"""Each act form of the staff page maps onto the arguments of the act's entry in the registry
(``dossiers.acts``): field names as users see them, renamed to the service's names in one table."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.backoffice import dossier_views as views
from motcua.backoffice import forms as f
from motcua.dossiers import acts

FORMS = {a.value: form for a, form in views.ACTS.items()} | views.EXTRA_ACTS


def test_the_page_offers_the_registry_acts_it_has_forms_for():
    assert set(FORMS) <= set(acts.ACTS)
    # Through the API only: resubmission and incidents are recorded by systems, the successor
    # transfer by the reorganisation tooling.
    assert set(acts.ACTS) - set(FORMS) == {"resubmit", "report_incident", "transfer_to_successor"}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_field_is_an_argument_of_the_act(name):
    act = acts.ACTS[name]
    arguments = set(act.arguments) | {"version"}
    if act.target in views.TARGET_FIELD:
        arguments.add(views.TARGET_FIELD[act.target])
    form = FORMS[name]()
    mapped = {views.ARGUMENT_OF_FIELD.get(n, n) for n in form.fields}
    if "document" in mapped:
        mapped = (mapped - {"document"}) | {"content", "file_name"}
    assert mapped <= arguments, mapped - arguments
    if act.required is not None:
        field = next(n for n in form.fields if views.ARGUMENT_OF_FIELD.get(n, n) == act.required)
        assert form.fields[field].required, name


def test_cleaned_data_becomes_the_service_arguments():
    class Upload:
        name = "kq.pdf"

        def read(self):
            return b"%PDF-1.7"

    values = views.act_values(
        {
            "version": 3,
            "missing": [4, 5],
            "handler": 7,
            "deadline": dt.date(2026, 3, 9),
            "recipient_kind": "",
            "document": Upload(),
        }
    )
    assert values == {
        "version": 3,
        "missing_component_ids": [4, 5],
        "handler_id": 7,
        "deadline": f.end_of_day(dt.date(2026, 3, 9)),
        "recipient_kind": "applicant",
        "content": b"%PDF-1.7",
        "file_name": "kq.pdf",
    }
