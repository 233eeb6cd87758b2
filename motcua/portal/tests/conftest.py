"""The dossier world (places, staff, a published procedure with online offers) for portal tests."""

from __future__ import annotations

import pytest

from motcua.catalog.models import AgencyRole, VersionAgency
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def online_world(world):  # noqa: F811
    VersionAgency.objects.bulk_create(
        [
            VersionAgency(
                version=world.version,
                role=AgencyRole.COMPETENT,
                name=world.agency.name,
                name_folded=world.agency.name_folded,
                agency=world.agency,
            )
        ]
    )
    return world
