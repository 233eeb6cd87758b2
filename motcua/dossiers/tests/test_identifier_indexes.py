"""Looking a person up by identifier number (the counter's earlier dossiers, staff search) can be an
index search on PostgreSQL, the representative's partial index included: the filters
``queues.search_dossiers`` and ``queues.earlier_applicant`` use match the indexes' predicates. So
can staff search by name and by code, through the trigram indexes, the partial ones of migration
0017 included (the representative's name where given, the temporary reference where set).

The filters are planned alone, without the model's ordering: on the near-empty test table a query
ordered by ``created_at`` walks ``dossier_created`` instead (cheapest for a handful of rows); at
1,000,000 dossiers the ordered query takes the identifier indexes (0.16 ms, ADR 0041)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from motcua.dossiers import queues
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


def test_name_search_reads_both_name_indexes():
    found = plan(queues.with_folded_name_like(Dossier.objects.order_by(), "le van binh").values("pk"))
    assert "dossier_applicant_fold_trgm" in found and "dossier_representative_fold_trgm" in found, found


def test_code_search_reads_both_code_indexes():
    found = plan(queues.with_code_like(Dossier.objects.order_by(), "261127-0011").values("pk"))
    assert "dossier_code_trgm" in found and "dossier_temporary_reference_trgm" in found, found


def test_the_sparse_trigram_indexes_are_partial():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossiers_dossier' "
            "AND indexname LIKE %s ORDER BY indexname",
            ["%trgm"],
        )
        where = {name: definition.partition(" WHERE ")[2] for name, definition in cursor.fetchall()}
    assert where == {
        "dossier_applicant_fold_trgm": "",
        "dossier_code_trgm": "",
        "dossier_representative_fold_trgm": "((representative_name)::text <> ''::text)",
        "dossier_temporary_reference_trgm": "(temporary_reference IS NOT NULL)",
    }
