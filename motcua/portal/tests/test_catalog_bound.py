"""Decision 0050: what a visitor types makes the keys of the catalogue pages kept per process, so at
most ``KEPT_PAGES`` of them are kept per catalogue token; past that a page is drawn every time."""

from __future__ import annotations

import pytest

from motcua.core import revisions
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.portal import catalog_views

pytestmark = pytest.mark.django_db


def test_what_a_visitor_types_fills_at_most_the_bound(client, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(catalog_views, "KEPT_PAGES", 3)
    revisions._caches.clear()
    for n in range(6):
        response = client.get("/thu-tuc/", {"q": f"khai sinh {n}"})
        assert response.status_code == 200
        assert f'value="khai sinh {n}"' in response.content.decode()
    pages = revisions.kept(revisions.CATALOG, revisions.tokens(), ("portal.catalog_pages",), dict)
    assert sorted(key[0] for key in pages) == ["khai sinh 0", "khai sinh 1", "khai sinh 2"]
    again = client.get("/thu-tuc/", {"q": "khai sinh 5"})  # not kept: drawn again, the same
    assert 'value="khai sinh 5"' in again.content.decode()
    assert len(pages) == 3
