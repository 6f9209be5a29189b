"""What live updates cost, counted against DynamoDB Local (docs/decisions.md, "Live
updates"): an idle console's poll is one small read, however busy the tenant was; a poll
that finds changes is the same read; the table's stream writes each tenant's pulse once
per batch, however many records of it the batch holds, and nothing on the ingest path."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

import app
from chalicelib.channels.events import InboundMessage
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect
from chalicelib.domain.helpdesk import live
from chalicelib.domain.helpdesk.live import Touch, changes_since
from chalicelib.domain.inbound.ingest import ingest_message
from chalicelib.store import keys
from chalicelib.store.helpdesk import Ticket
from chalicelib.store.meter import WRITE_OPERATIONS, measure
from devstack.lambda_events import LambdaContext
from tests.support.table_stream import run_effects

pytestmark = pytest.mark.ddb_local
PASSWORD = "correct horse battery"


def open_desk(company: str, phone: str) -> tuple[Principal, Any]:
    domain = company.lower()
    tenant, admin = signup(company_name=company, locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email=f"ana@{domain}.example.com",
                           password=PASSWORD)  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": phone, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip
    return principal, channel


def message(channel: Any, n: int, sender: str = "56912345678") -> InboundMessage:
    return InboundMessage(channel_type="whatsapp", account_id=channel.account_id,
                          provider_message_id=f"wamid.{sender}.{n}", sender_id=sender,
                          sender_name="María", text=f"mensaje {n}",
                          sent_at=now() - timedelta(minutes=90) + timedelta(seconds=n))  # fmt: skip


@pytest.fixture
def desk() -> tuple[Principal, Any]:
    live.forget()  # a new table: what an earlier test's process remembered is gone
    return open_desk("Acme", "106540352242922")


def test_an_idle_poll_is_one_small_read_before_and_after_a_busy_minute(desk):
    principal, channel = desk
    with measure() as first:
        start = changes_since(principal, None)  # no change ever: no pulse yet
    assert first.summary()["by_operation"] == {"GetItem": 1}, first.summary()
    for n in range(30):  # thirty clients write in
        ingest_message(channel, message(channel, n, sender=f"5691234{n:04d}"))
    run_effects()
    busy = changes_since(principal, start.seq)
    assert {c.ticket for c in busy.changes} == set(range(1, 31)) and busy.complete
    with measure() as idle:
        feed = changes_since(principal, busy.seq)
    assert (feed.changes, feed.complete, feed.seq) == ([], True, busy.seq)
    print("an idle poll:", idle.summary())
    assert idle.summary()["by_operation"] == {"GetItem": 1}, idle.summary()
    assert idle.requests == 1 and idle.read_units == 0.5 and idle.write_units == 0


def test_a_poll_that_finds_changes_is_the_same_read_even_with_the_pulse_full(desk):
    principal, _ = desk
    start = changes_since(principal, None).seq
    touches = [Touch(n, ticket=True, message=True, status="escalated",
                     channel_type="twitter_search", channel_hint="abcd", assignee_hint="efgh",
                     assignee_before="ijkl") for n in range(1_000_000, 1_000_030)]  # fmt: skip
    at = now()
    for second in range(20):  # far more than the pulse keeps
        live.publish(principal.tenant_id, touches, at=at + timedelta(seconds=second))
    with measure() as meter:
        feed = changes_since(principal, start)
    assert not feed.complete and feed.changes  # some were dropped: refresh everything
    print("a poll of a full pulse:", meter.summary(), len(feed.changes), "changes")
    assert meter.summary()["by_operation"] == {"GetItem": 1}
    assert meter.read_units == 0.5  # the item is under 4 KB


def test_an_idle_poll_through_the_api_is_the_token_check_and_that_read(api):
    """What one poll costs a console: every route checks the token (1 BatchGetItem of the
    user and the session, docs/decisions.md), then the pulse."""
    live.forget()
    signed = json.loads(api.post("/v1/signup", headers={"Content-Type": "application/json"}, body=json.dumps({
        "company_name": "Acme", "first_name": "Ana", "last_name": "Admin",
        "email": "ana@acme.example.com", "password": PASSWORD})).body)  # fmt: skip
    headers = {"Authorization": f"Bearer {signed['access_token']}"}
    seq = json.loads(api.get("/v1/changes", headers=headers).body)["seq"]
    with measure() as meter:
        answer = api.get(f"/v1/changes?since={seq}", headers=headers)
    assert answer.status_code == 200 and json.loads(answer.body)["changes"] == []
    print("an idle poll through the API:", meter.summary())
    assert meter.summary()["by_operation"] == {"BatchGetItem": 1, "GetItem": 1}
    assert meter.read_units == 1.5 and meter.write_units == 0


def test_the_stream_writes_one_pulse_per_tenant_and_batch(desk):
    """A batch of 40 records (20 tickets of each of two tenants changed, each twice) is two
    PutItems; a warm Lambda reads nothing first; a cold one reads each pulse once."""
    acme, acme_channel = desk
    other, other_channel = open_desk("Otra", "106540352299999")
    for channel in (acme_channel, other_channel):
        for n in range(20):
            ingest_message(channel, message(channel, n, sender=f"5699876{n:04d}"))
    run_effects()
    live.forget()  # a cold Lambda

    def batch(sentiment: str) -> dict[str, Any]:
        records: list[dict[str, Any]] = []
        for principal in (acme, other):
            for number in range(1, 21):
                ticket = Ticket.get(keys.ticket_pk(principal.tenant_id, number), keys.ticket_sk())
                changed = Ticket.from_raw_data(ticket.serialize())
                changed.important = True
                felt = Ticket.from_raw_data(changed.serialize())
                felt.sentiment_end = sentiment
                records += [record(len(records) + 1, changed, ticket),
                            record(len(records) + 2, felt, changed)]  # fmt: skip
        return {"Records": records}

    first, second = batch("happy"), batch("angry")
    with measure() as cold:
        assert app.apply_effects(first, LambdaContext("apply_effects")) == {"batchItemFailures": []}
    with measure() as warm:
        app.apply_effects(second, LambdaContext("apply_effects"))
    print("a cold batch:", cold.summary(), "a warm batch:", warm.summary())
    assert cold.summary()["by_operation"] == {"GetItem": 2, "PutItem": 2}, cold.summary()
    assert warm.summary()["by_operation"] == {"PutItem": 2}, warm.summary()
    assert warm.write_requests == 2 and warm.write_units <= 2 * 4
    assert not any(op in WRITE_OPERATIONS for op in cold.operations if op != "PutItem")
    for principal in (acme, other):
        feed = changes_since(principal, 0)
        assert {c.ticket for c in feed.changes} == set(range(1, 21))


def record(sequence: int, new: Any, old: Any) -> dict[str, Any]:
    """A MODIFY record of the table's stream as Lambda hands it over."""
    return {
        "eventID": str(sequence), "eventName": "MODIFY", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/atiende-test/stream/x",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_772_452_800, "Keys": {"PK": {"S": new.PK}, "SK": {"S": new.SK}},
            "NewImage": new.serialize(), "OldImage": old.serialize(), "SequenceNumber": str(sequence),
            "SizeBytes": 500, "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }  # fmt: skip
