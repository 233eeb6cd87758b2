"""``any_of``: integer membership written as a literal ``IN`` list (ADR 0038)."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User

pytestmark = pytest.mark.django_db


def test_any_of_matches_exactly_the_listed_ids():
    users = [User.objects.create(username=f"u{i}") for i in range(4)]
    wanted = [users[3].pk, users[1].pk, str(users[0].pk)]  # any order; numeric strings too
    found = User.objects.filter(pk__any_of=wanted).order_by("pk").values_list("username", flat=True)
    assert list(found) == ["u0", "u1", "u3"]
    assert list(User.objects.filter(pk__any_of=[])) == []
    assert User.objects.filter(pk__any_of=[users[2].pk]).get() == users[2]


def test_any_of_writes_literals_not_one_placeholder_per_value():
    sql, params = User.objects.filter(pk__any_of=[7, 3]).query.sql_with_params()
    assert sql.endswith('WHERE "accounts_user"."id" IN (7, 3)')
    assert params == ()


def test_any_of_refuses_anything_but_integers():
    with pytest.raises(ValueError):
        list(User.objects.filter(pk__any_of=["1; DROP TABLE accounts_user"]))
