"""Looking a person up by identifier number (the counter's earlier dossiers, staff search) can be an
index search on PostgreSQL, the representative's partial index included: the filters
``queues.search_dossiers`` and ``queues.earlier_applicant`` use match the indexes' predicates.

The filters are planned alone, without the model's ordering: on the near-empty test table a query
ordered by ``created_at`` walks ``dossier_created`` instead (cheapest for a handful of rows); at
1,000,000 dossiers the ordered query takes the identifier indexes (0.16 ms, ADR 0041)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from motcua.dossiers.models import Dossier

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_search_by_identifier_uses_both_indexes():
    number = "042099000123"
    either = Dossier.objects.filter(Q(applicant_identifier=number) | Q(representative_identifier=number))
    found = plan(either.order_by().values("pk"))
    assert "dossier_applicant_id_no" in found and "dossier_representative_id_no" in found, found


def test_earlier_applicant_uses_the_applicant_index():
    found = plan(
        Dossier.objects.filter(applicant_identifier="042099000123").order_by().values("applicant_name")
    )
    assert "dossier_applicant_id_no" in found, found
