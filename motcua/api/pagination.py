"""Cursor pagination, the default for every list of the API (decision 0025).

``?cursor=`` opaque, ``page_size`` up to 100 (default 20); newest first by primary key unless the
view sets ``ordering``. The page is ``{"next": url|null, "previous": url|null, "results": [...]}``.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"
