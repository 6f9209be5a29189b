"""500 messages, delivered 1-3 times each, shuffled, in concurrent batches, while 10%
of DynamoDB calls fail with throttling: exactly 500 messages, each in its client's
ticket, ticket numbers 1..N without gaps, nothing dead-lettered."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from tickets_read import messages_of, open_tickets

import app
from chalicelib.channels.events import InboundMessage, WebhookEnvelope
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect
from chalicelib.domain.inbound.ingest import client_id_for
from chalicelib.store import keys
from chalicelib.store.helpdesk import Client
from devstack.lambda_events import LambdaContext

pytestmark = pytest.mark.ddb_local
MAX_RECEIVES = 5  # the inbound queue's maxReceiveCount (infra/resources.yaml)


@pytest.fixture
def channels():
    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    whatsapp = connect(
        principal,
        "whatsapp",
        "Ventas",
        {
            "phone_number_id": "106540352242922",
            "business_account_id": "102290129340398",
            "display_phone_number": "+56 9 1111 2222",
        },
        {"access_token": "EAAG-token-1234567890"},
        None,
    )
    facebook = connect(
        principal,
        "facebook",
        "Página",
        {"page_id": "1122334455"},
        {"page_access_token": "EAAG-token-1234567890"},
        None,
    )
    chat = connect(principal, "chat", "Web", {"site_name": "acme.example.com"}, {}, None)
    return tenant.tenant_id, [whatsapp, facebook, chat]


def messages(channels, count=500, clients_per_channel=15):
    rng = random.Random(7)
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    found = []
    for i in range(count):
        channel = rng.choice(channels)
        sender = f"client-{rng.randrange(clients_per_channel)}"
        found.append(InboundMessage(
            channel_type=channel.channel_type, account_id=channel.account_id,
            provider_message_id=f"pm-{i}", sender_id=sender, text=f"mensaje {i}",
            sent_at=start + timedelta(seconds=i)))  # fmt: skip
    return found


class Throttler:
    """Fails a share of DynamoDB calls the way DynamoDB does when throttling: an HTTP 400
    ``ProvisionedThroughputExceededException`` on the wire, which the SDK retries (a
    few times, with backoff) before the error reaches our code and fails the record."""

    def __init__(self, share: float) -> None:
        self.share = share
        self.rng = random.Random(11)
        self.lock = threading.Lock()
        self.failed = 0
        self.original = botocore.endpoint.Endpoint._send

    def __enter__(self):
        throttler = self

        def send(endpoint, request):
            target = request.headers.get("X-Amz-Target", b"")
            target = target.decode() if isinstance(target, bytes) else str(target)
            if target.startswith("DynamoDB_"):
                with throttler.lock:
                    fail = throttler.rng.random() < throttler.share
                    throttler.failed += fail
                if fail:
                    return _throttled(request.url)
            return throttler.original(endpoint, request)

        botocore.endpoint.Endpoint._send = send
        return self

    def __exit__(self, *exc):
        botocore.endpoint.Endpoint._send = self.original


def _throttled(url: str) -> AWSResponse:
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#"
                                 "ProvisionedThroughputExceededException",
                       "message": "injected throttling"}).encode()  # fmt: skip

    class Raw:
        def stream(self, **_):
            yield body

    return AWSResponse(url, 400, {"Content-Type": "application/x-amz-json-1.0",
                                  "x-amzn-RequestId": str(uuid.uuid4())}, Raw())  # fmt: skip


def record(body: str) -> dict:
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": body, "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:atiende-test-inbound",
            "awsRegion": "us-east-1"}  # fmt: skip


def test_exactly_once_under_redelivery_concurrency_and_throttling(channels):
    tenant_id, connected = channels
    sent = messages(connected)
    rng = random.Random(3)
    deliveries = []
    for message in sent:
        body = WebhookEnvelope(
            provider="poll",
            received_at=datetime.now(UTC),
            body="[" + message.model_dump_json() + "]",
        ).model_dump_json()
        deliveries += [body] * rng.randint(1, 3)
    rng.shuffle(deliveries)
    pending = [record(body) for body in deliveries]
    receives: dict[str, int] = defaultdict(int)
    dead: list[dict] = []

    def run_batch(batch):
        result = app.receive_inbound({"Records": batch}, LambdaContext("receive_inbound"))
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        return [r for r in batch if r["messageId"] in failed]

    with Throttler(0.10) as throttler, ThreadPoolExecutor(max_workers=4) as pool:
        while pending:
            batches = [pending[i : i + 10] for i in range(0, len(pending), 10)]
            retry = [r for failed in pool.map(run_batch, batches) for r in failed]
            pending = []
            for r in retry:
                receives[r["messageId"]] += 1
                (dead if receives[r["messageId"]] >= MAX_RECEIVES else pending).append(r)
    assert throttler.failed > 50  # the injector really fired
    assert dead == []

    tickets = sorted(open_tickets(tenant_id), key=lambda t: t.number)
    pairs = {(m.channel_type, m.account_id, m.sender_id) for m in sent}
    assert [t.number for t in tickets] == list(range(1, len(pairs) + 1))  # no gap, no duplicate
    stored = {}
    for ticket in tickets:
        for m in messages_of(tenant_id, ticket.number):
            assert m.provider_message_id not in stored
            stored[m.provider_message_id] = ticket
    assert len(stored) == 500
    by_channel = {c.account_id: c for c in connected}
    for m in sent:
        channel = by_channel[m.account_id]
        client = Client.get(
            keys.client_pk(tenant_id, client_id_for(channel.channel_id, m.sender_id)),
            keys.client_sk(),
        )
        assert stored[m.provider_message_id].number == client.open_ticket
        assert stored[m.provider_message_id].client_id == client.client_id
