"""Schemathesis against the API's own OpenAPI description: generated requests to every operation,
signed in as a coordinator (so writes reach the services), never get a 5xx and every response
matches the documented schema. Bounded: a fixed number of examples per operation, derandomised so
CI runs the same requests every time."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from stadsdel.api.api import api


@pytest.fixture
def token(haninge_user):
    from stadsdel.api.models import ApiToken

    _record, value = ApiToken.issue(user=haninge_user)
    return value


@pytest.fixture
def keep_connection():
    """A WSGI request ends by closing the database connection (`close_old_connections`); inside a
    test transaction on PostgreSQL that would close the test's own connection. Django's test
    client disconnects the same handlers while it runs a request; so does this test."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_server_errors_and_responses_match_the_schema(db, token, keep_connection):
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(api.get_openapi_schema()["paths"] and [
        1 for ops in api.get_openapi_schema()["paths"].values() for _ in ops])
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)
            case.validate_response(response, checks=(not_a_server_error, response_schema_conformance,
                                                     content_type_conformance))

        check()
    # The generator did reach the API, and not only its error paths.
    assert len(statuses) > 5 * len(operations)
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
