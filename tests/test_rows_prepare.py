"""``rows.prepared`` gives, column by column, what the fields' own ``get_db_prep_save(pre_save())``
gives (decision 0055): for every concrete column of every model, with values of each plain type
and the values its fast path must leave to the field (lazy strings, choices, naive datetimes)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import TextChoices
from django.utils.functional import lazy

from motcua.core import rows

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::RuntimeWarning")]


class _Colour(TextChoices):
    RED = "red", "Đỏ"


_lazy_text = lazy(lambda: "chữ trì hoãn", str)()
_AWARE = dt.datetime(2026, 3, 3, 15, 20, 7, 123456, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
_SAMPLES: tuple[Any, ...] = (
    None,
    "Nguyễn Văn A",
    "",
    _lazy_text,
    _Colour.RED,
    0,
    7,
    2**40,
    True,
    False,
    _AWARE,
    _AWARE.replace(tzinfo=None),
    dt.date(2026, 3, 3),
)


def _columns() -> list[Any]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if rows.plan([field])[0][2]  # the columns with a fast path
    ]


def test_every_kind_has_columns_here():
    kinds = {rows.plan([field])[0][2] for field in _columns()}
    assert kinds == {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize("add", [True, False])
def test_prepared_gives_what_the_field_gives_for_every_column(add):
    compared = 0
    for field in _columns():
        planned = rows.plan([field])
        for sample in _SAMPLES:
            instance = field.model()
            setattr(instance, field.attname, sample)
            try:
                expected = field.get_db_prep_save(field.pre_save(instance, add), connection)
            except Exception as error:  # the field refuses it: so must prepared, the same way
                with pytest.raises(type(error)):
                    rows.prepared(planned, instance, connection, add)
                continue
            got = rows.prepared(planned, instance, connection, add)
            assert got == [expected], (field, sample)
            assert type(got[0]) is type(expected), (field, sample)
            compared += 1
    assert compared > 1000


def test_prepared_leaves_a_column_without_a_fast_path_to_its_field():
    from motcua.dossiers.models import DossierEvent

    field = DossierEvent._meta.get_field("data")  # a JSONField: adapted by the backend
    event = DossierEvent(data={"a": 1})
    expected = field.get_db_prep_save(field.pre_save(event, True), connection)
    got = rows.prepared(rows.plan([field]), event, connection, True)
    assert rows.plan([field])[0][2] == 0
    assert type(got[0]) is type(expected)
    assert repr(got[0]) == repr(expected)
