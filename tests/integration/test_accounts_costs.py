"""Budgets of SPEC §2's hot paths, counted by the cost meter against DynamoDB Local:
login, refresh and the per-request token check cost at most 2 requests each."""

import json

import pytest

import app
from chalicelib.domain.accounts import sessions
from chalicelib.http.errors import Unauthorized
from chalicelib.store.meter import measure

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.ddb_local


@pytest.fixture
def signed_up(api):
    response = api.post(
        "/v1/signup",
        headers={"Content-Type": "application/json"},
        body=json.dumps(
            {
                "company_name": "Acme",
                "first_name": "Ana",
                "last_name": "Admin",
                "email": "ana@acme.example.com",
                "password": PASSWORD,
            }
        ),
    )
    assert response.status_code == 201
    return json.loads(response.body)


def test_login_costs_two_requests(signed_up):
    with measure() as meter:
        sessions.login("ana@acme.example.com", PASSWORD, "203.0.113.9")
    assert meter.requests == 2, meter.summary()
    assert meter.count("Query") == 1 and meter.count("TransactWriteItems") == 1
    assert meter.count("Scan") == 0


def test_refresh_costs_two_requests(signed_up):
    with measure() as meter:
        sessions.refresh(signed_up["refresh_token"])
    assert meter.requests == 2, meter.summary()
    assert meter.count("TransactWriteItems") == 1


def test_a_token_check_costs_one_request(signed_up):
    with measure() as meter:
        principal = sessions.authenticate(signed_up["access_token"])
    assert principal.role == "admin"
    assert meter.requests == 1, meter.summary()
    assert meter.count("BatchGetItem") == 1
    assert meter.read_units <= 1.0


def test_a_failed_login_still_reads_only_the_user(signed_up):
    with measure() as meter, pytest.raises(Unauthorized):
        sessions.login("ana@acme.example.com", "wrong password!", "203.0.113.9")
    reads = meter.count("Query") + meter.count("GetItem")
    assert reads == 1, meter.summary()
    assert app  # the app module wires the same code the API runs
