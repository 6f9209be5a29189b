"""What a plan limit costs, counted against DynamoDB Local (docs/billing.md, "Limits"): the
check on creating a user or a channel is one read, the Tenant's GetItem, which the route
reads anyway (the invitation's email, the channel's own checks); the limit itself is a
condition of the one transaction that creates the thing, never a count of the items."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.store.meter import WRITE_OPERATIONS, measure

pytestmark = pytest.mark.ddb_local
TOKEN = "EAAG-costs-token-1234567890"


def reads(meter: Any) -> dict[str, int]:
    return {op: c.requests for op, c in meter.operations.items() if op not in WRITE_OPERATIONS}


def invite(world: Any, admin: str, email: str) -> Any:
    return world.call("POST", "/v1/users", admin, {
        "first_name": "Pat", "last_name": "Lee", "email": email, "role": "agent"})  # fmt: skip


def whatsapp(world: Any, admin: str, n: int) -> Any:
    return world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": f"Ventas {n}", "credentials": {"access_token": TOKEN},
        "identifiers": {"phone_number_id": f"10654035224{n:04d}", "business_account_id": "102290129340398",
                        "display_phone_number": "+56 9 1111 2222"}})  # fmt: skip


def test_inviting_a_user_reads_the_tenant_once_and_writes_once(world, admin):
    with measure() as meter:
        created = invite(world, admin, "pat@acme.example.com")
    assert created.status_code == 201, created.json
    # the token check (one BatchGetItem) and the Tenant's GetItem: no Query counts users
    assert reads(meter) == {"BatchGetItem": 1, "GetItem": 1}, meter.summary()
    assert meter.count("TransactWriteItems") == 1 and meter.count("UpdateItem") == 0


def test_an_invitation_over_the_limit_is_refused_after_that_one_read_and_writes_nothing(
    world, admin
):
    for email in ("a@acme.example.com", "b@acme.example.com"):
        assert invite(world, admin, email).status_code == 201
    with measure() as meter:
        refused = invite(world, admin, "c@acme.example.com")
    assert refused.status_code == 402 and refused.json["error"]["code"] == "plan_limit"
    assert reads(meter) == {"BatchGetItem": 1, "GetItem": 1}, meter.summary()
    assert not any(op in WRITE_OPERATIONS for op in meter.operations), meter.summary()


def test_connecting_a_whatsapp_number_reads_the_tenant_once_and_writes_once(world, admin):
    with measure() as meter:
        created = whatsapp(world, admin, 1)
    assert created.status_code == 201, created.json
    assert reads(meter) == {"BatchGetItem": 1, "GetItem": 1}, meter.summary()
    assert meter.count("TransactWriteItems") == 1
    with measure() as meter:
        refused = whatsapp(world, admin, 2)
    assert refused.status_code == 402, refused.json
    assert reads(meter) == {"BatchGetItem": 1, "GetItem": 1}, meter.summary()
    assert not any(op in WRITE_OPERATIONS for op in meter.operations), meter.summary()
