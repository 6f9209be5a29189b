"""Every operation of the OpenAPI document, driven by schemathesis as an admin of a tenant.

Bounded: a fixed number of examples per operation, derandomized, no example database.
Each response must be no server error, match its declared schema, and have a declared
status. The document is the one ``/v1/openapi.json`` serves.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.http.openapi import openapi_document
from tests.support.chalice_wsgi import as_wsgi

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

import app  # noqa: E402,F401  (registers every route before the document is built)

schema = schemathesis.openapi.from_dict(openapi_document())
#: the test client of the running test (set by the ``admin_headers`` fixture)
_current: dict[str, Any] = {}
schema.app = as_wsgi(_current)


@pytest.fixture
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a generated input names (a webhook URL, a certificate URL), nothing leaves
    this machine."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ConnectionRefusedError(f"the fuzzing test does not reach {host}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def admin_headers(api: Any, only_loopback: None, fake_stripe: Any) -> Iterator[dict[str, str]]:
    """An admin's headers; billing's routes talk to the fake Stripe (on this machine)."""
    response = api.post(
        "/v1/signup",
        headers={"Content-Type": "application/json"},
        body=json.dumps(
            {
                "company_name": "Fuzz",
                "locale": "es",
                "timezone": "America/Santiago",
                "first_name": "Ana",
                "last_name": "Admin",
                "email": "ana@fuzz.example.com",
                "password": "correct horse battery",
            }
        ),
    )
    assert response.status_code == 201, response.body
    _current["http"] = api
    yield {"Authorization": f"Bearer {json.loads(response.body)['access_token']}"}


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
def test_every_operation_answers_as_documented(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS, app=schema.app)
