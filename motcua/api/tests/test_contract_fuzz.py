"""Contract fuzzing (issue #9): schemathesis over the whole OpenAPI schema, as several roles.

Every operation of ``/api/schema/`` gets generated requests (valid and invalid bodies, parameters
and headers) sent through the real Django application and database, each as one of: anonymous, a
citizen's session-less call, and API tokens of a reception officer, a department leader, a handler
and an approver (every permission, so the roles decide). Every response must be no 5xx, carry a
status code and content type the schema declares, and match its declared body. At least 2,000
requests in all. Deterministic (``derandomize``) so a failure replays the same way.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.accounts.gate import PERMISSIONS
from motcua.accounts.tokens import issue_token
from motcua.dossiers.tests.factories import vn

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=False)]

EXAMPLES_PER_OPERATION = 50
# Two shards (one per core under ``-n 2``), each with half the operations and half the requests.
SHARDS = 2
MINIMUM_REQUESTS = 2000
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """The real WSGI application, keeping the test's database connection open between requests
    (as Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_answers_within_its_contract(shard, world, factory, wsgi_app):
    app = wsgi_app
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    for trait in ("received", "in_processing", "appraising", "result_ready"):
        factory.create(at=vn(2026, 3, 2, 8), trait=trait)
    headers: list[dict[str, str]] = [{}]
    for user in (world.reception, world.leader, world.handler, world.approver, world.citizen):
        _token, raw = issue_token(user=user, name=f"fuzz {user.username}", permissions=list(PERMISSIONS))
        headers.append({"Authorization": f"Bearer {raw}"})
    sent = 0
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations[shard::SHARDS]:

        @given(case=operation.as_strategy(), who=st.sampled_from(headers))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case, who):
            nonlocal sent
            cache.clear()  # rate limits and token lockouts are tested elsewhere
            sent += 1
            case.call_and_validate(headers=who, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure
            failures.append(f"{operation.label}: {error}"[:1500])
    print("\n\n".join(failures))
    assert [f.split(":", 1)[0] for f in failures] == []
    print(f"shard {shard}: {sent} requests")
    assert sent >= MINIMUM_REQUESTS // SHARDS
