"""Schemathesis against the live API (the WSGI app, in process) with a valid token on a small
seeded workspace: no server error, and no answer that breaks the OpenAPI document."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from liant.wsgi import application
from tests.api.conftest import seed, token_for

# The API's contract does not depend on the database: checked once per `make test`, on the
# SQLite pass, which keeps CI within its 30 minutes (the PostgreSQL pass runs tests/api).
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the contract is checked on the SQLite pass"
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """As Django's test client does: the end of a request must not close the connection that
    holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def live_token(workspace, owner) -> str:
    seed(workspace, owner, "a")
    return token_for(workspace, owner, "admin")


# Read from the app itself at collection (no database needed for the document).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


# Lists (a GET without an id) only read: fewer examples each keeps the run short as the API
# grows; every operation that takes an id or changes something keeps the full count.
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
LISTS = [op for op in OPERATIONS if op.method.upper() == "GET" and "{" not in op.path]
OTHERS = [op for op in OPERATIONS if op not in LISTS]


def check(case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def run_examples(operation, token: str, examples: int) -> None:
    """Hypothesis draws the cases from the operation's own schema. One pytest test per
    operation, each with its own id: schemathesis' `parametrize()` gives every operation the
    same node id under pytest 9, and pytest-xdist then ran only the first of them."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same cases every run: a failure is reproducible, never flaky
        suppress_health_check=list(HealthCheck),
    )
    def examples_of(case) -> None:
        check(case, token)

    examples_of()


def test_every_operation_is_checked():
    assert len(OPERATIONS) >= 50 and LISTS and OTHERS


@pytest.mark.parametrize("operation", OTHERS, ids=lambda op: op.label)
@override_settings(LIANT_API_RATE_LIMIT=100_000)
@pytest.mark.django_db
def test_the_api_keeps_its_own_contract(operation, live_token):
    run_examples(operation, live_token, 10)


@pytest.mark.parametrize("operation", LISTS, ids=lambda op: op.label)
@override_settings(LIANT_API_RATE_LIMIT=100_000)
@pytest.mark.django_db
def test_the_lists_keep_their_contract(operation, live_token):
    run_examples(operation, live_token, 5)
