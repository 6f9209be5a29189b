"""Budgets of SPEC §2's hot paths, counted by the cost meter against DynamoDB Local:
login, refresh and the per-request token check cost at most 2 requests each."""

import json

import pytest

import app
from chalicelib.domain.accounts import sessions
from chalicelib.domain.errors import Throttled, Unauthenticated
from chalicelib.store.meter import WRITE_OPERATIONS, measure

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


def test_a_failed_login_reads_only_the_user_and_counts_in_one_transaction(signed_up):
    with measure() as meter, pytest.raises(Unauthenticated):
        sessions.login("ana@acme.example.com", "wrong password!", "203.0.113.9")
    reads = sum(c.requests for op, c in meter.operations.items() if op not in WRITE_OPERATIONS)
    assert reads == meter.count("Query") == 1, meter.summary()
    # the pair, address and source counters, all or none
    assert meter.count("TransactWriteItems") == meter.requests - 1 == 1, meter.summary()
    assert app  # the app module wires the same code the API runs


def test_a_login_while_blocked_costs_the_same_for_a_known_and_an_unknown_address(signed_up):
    def blocked_attempt(email: str, source: str) -> dict:
        for _ in range(6):  # 5 free, the 6th blocks this address from this source
            with pytest.raises(Unauthenticated):
                sessions.login(email, "wrong password!", source)
        with measure() as meter, pytest.raises(Throttled):
            sessions.login(email, "wrong password!", source)
        return {
            op: (c.requests, c.items, c.read_units, c.write_units)
            for op, c in meter.operations.items()
        }

    known = blocked_attempt("ana@acme.example.com", "203.0.113.9")
    unknown = blocked_attempt("nadie@acme.example.com", "203.0.113.8")
    # the same lookup; DynamoDB Local reports 0 units when it finds nothing, 0.5 for the user
    assert known.pop("Query")[:2] == unknown.pop("Query")[:2] == (1, 1)
    assert known == unknown
    # the user, a cancelled transaction, then the counters to say how long to wait
    assert set(known) == {"TransactWriteItems", "BatchGetItem"}, known
