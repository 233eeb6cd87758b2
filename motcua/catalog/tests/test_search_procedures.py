"""One search box over the real records: with or without accents, small typos, on either database."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import search_procedure_ids

pytestmark = pytest.mark.django_db


def _codes(query: str) -> list[str]:
    ids = search_procedure_ids(query)
    by_id = dict(Procedure.objects.filter(pk__in=ids).values_list("id", "code"))
    return [by_id[i] for i in ids]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dang ky khai sinh", "1.001193"),
        ("Đăng ký khai sinh", "1.001193"),
        ("khai sinh", "1.001193"),
        ("dang ki ket hon", "1.000894"),
        ("đăng ký kết hôn", "1.000894"),
        ("chung thuc ban sao", "2.000815"),
        ("CHỨNG THỰC BẢN SAO", "2.000815"),
        ("1.004884", "1.004884"),
    ],
)
def test_the_right_procedure_comes_first(real_catalog, query, first):
    assert _codes(query)[0] == first


def test_a_typo_still_finds_marriage_registration_in_the_top_three(real_catalog):
    assert _codes("dang ky ket hom")[:3].count("1.000894") == 1


def test_nothing_matches_nonsense(real_catalog):
    assert _codes("zzqxw") == []
    assert _codes("   ") == []
