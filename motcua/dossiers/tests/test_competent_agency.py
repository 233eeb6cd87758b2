"""The competent agency a version names, the same whichever way it is read: the work lists and a
draft version (``queues.competent_agency_of``, one query) and a frozen version at the counter
(``backoffice.reference.competent_agency``, from the catalogue's page parts kept per process)."""

from __future__ import annotations

import pytest

from motcua.catalog.models import AgencyRole, VersionAgency
from motcua.dossiers import queues

pytestmark = pytest.mark.django_db


def _name(world, agency, role=AgencyRole.COMPETENT, position=0, pk=None) -> VersionAgency:
    """Named on the published version as an import writes it (``bulk_create``: the version is frozen
    for ``save``)."""
    VersionAgency.objects.bulk_create(
        [
            VersionAgency(
                pk=pk,
                version=world.version,
                role=role,
                name=agency.name,
                name_folded=agency.name_folded,
                agency=agency,
                position=position,
            )
        ]
    )
    return VersionAgency.objects.get(version=world.version, agency=agency, role=role, position=position)


def test_two_agencies_at_the_same_rank_give_the_first_named(world):
    """Same role and position: the lower key, as the catalogue's page parts order them, even when the
    database holds the rows in another order (here: the higher key written first)."""
    _name(world, world.other_agency, pk=900_001)
    _name(world, world.agency, pk=900_000)
    assert queues.competent_agency_of(world.version) == world.agency


def test_competent_comes_before_implementing_and_position_orders_the_rest(world):
    _name(world, world.other_agency, role=AgencyRole.IMPLEMENTING)
    _name(world, world.other_agency, position=2)
    _name(world, world.agency, position=1)
    assert queues.competent_agency_of(world.version) == world.agency
    VersionAgency.objects.filter(role=AgencyRole.COMPETENT).delete()
    assert queues.competent_agency_of(world.version) == world.other_agency
