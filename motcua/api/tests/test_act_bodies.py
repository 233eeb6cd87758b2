"""Each act route of the API carries the arguments of the act's entry in the registry
(``dossiers.acts``) under the service's own names, and nothing the service would not take."""

from __future__ import annotations

import pytest

from motcua.api.dossiers import ACTS
from motcua.dossiers import acts


def test_the_api_offers_every_act_of_the_registry():
    assert set(ACTS) == set(acts.ACTS)


@pytest.mark.parametrize("name", sorted(acts.ACTS))
def test_each_body_carries_the_registry_arguments(name):
    spec, act = ACTS[name], acts.ACTS[name]
    fields = set(spec.body().fields) - {"version"}
    if spec.target is not None:
        fields.discard(spec.target)
    assert fields <= set(act.arguments), fields - set(act.arguments)
    if act.required is not None:
        assert act.required in fields
    assert spec.summary == act.summary
