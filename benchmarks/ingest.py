"""The inbound pipeline (SPEC §3): what ingesting a message costs, and how fast the
consumer stores messages next to the floor of bare PutItem calls of the same items."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.harness import Bench, Measured, extra, operation

PHONE = "106540352242922"
RATE_MESSAGES = 300
RATE_CLIENTS = 30
BATCH = 10
#: messages through each side before the measure (a round's worth), on another desk: DynamoDB
#: Local's JVM compiles the paths it runs, and the side measured first would pay for it
RATE_WARMUP = RATE_MESSAGES
#: rounds of the measure, each on a new desk: the median is the verdict (one round is
#: ~3 s, short enough for a burst of other work on the machine to tip it)
RATE_ROUNDS = 3
#: issue 11: the consumer takes at most this many times the floor's time per message
RATE_GOAL = 2.5


def online_desk(agent: bool = True, phone: str = PHONE) -> tuple[Any, Any]:
    """A tenant and its WhatsApp channel (of the number ``phone``); with ``agent``, its
    admin is online on it with auto-assignment (so new tickets are assigned). Returns
    (admin principal, channel)."""
    from chalicelib.clock import now
    from chalicelib.domain.accounts.principal import Principal
    from chalicelib.domain.accounts.tenants import signup
    from chalicelib.domain.channels.service import connect
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import AgentState

    tenant, admin = signup(company_name="Bench", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin",
                           email=f"ana-{uuid.uuid4().hex[:8]}@bench.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": phone, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip
    if agent:
        AgentState(keys.tenant_pk(tenant.tenant_id), keys.agent_state_sk(admin.user_id),
                   tenant_id=tenant.tenant_id, user_id=admin.user_id, presence="online",
                   auto_assign=True, channels=[channel.channel_id], updated_at=now()).save()  # fmt: skip
    return principal, channel


def _message(n: int, sender: str, phone: str = PHONE) -> Any:
    from chalicelib.channels.events import InboundMessage

    return InboundMessage(channel_type="whatsapp", account_id=phone, provider_message_id=f"wamid.{n}",
                          sender_id=sender, sender_name="María", text=f"mensaje {n}",
                          sent_at=datetime(2026, 3, 2, 12, tzinfo=UTC) + timedelta(seconds=n))  # fmt: skip


@operation("ingest: text into an open ticket")
def into_open_ticket(bench: Bench) -> Measured:
    from chalicelib.domain.inbound.ingest import ingest_message

    channel = online_desk()[1]
    ingest_message(channel, _message(0, "56911111111"))
    return lambda i: ingest_message(channel, _message(i + 1, "56911111111"))


@operation("ingest: first message of a new client, assigned")
def first_message(bench: Bench) -> Measured:
    from chalicelib.domain.inbound.ingest import ingest_message

    channel = online_desk()[1]
    return lambda i: ingest_message(channel, _message(i, f"569{i:08d}"))


@operation("ingest: find the channel of a webhook")
def find_channel(bench: Bench) -> Measured:
    from chalicelib.domain.channels.service import find_connected

    online_desk(agent=False)
    return lambda _: find_connected("whatsapp", PHONE)


def _record(body: str) -> dict[str, Any]:
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": body, "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:atiende-bench-inbound",
            "awsRegion": "us-east-1"}  # fmt: skip


def _consumer_and_floor(
    phone: str, count: int, floor_tenant: str
) -> tuple[Any, list[str], list[Any]]:
    """A desk on ``phone``; the SQS bodies of ``count`` messages of RATE_CLIENTS clients
    to it, and the message items the consumer will store for them, in a tenant of their
    own (``floor_tenant``), for the bare PutItem calls."""
    from chalicelib.channels.events import WebhookEnvelope
    from chalicelib.domain.helpdesk.timeline import inbound_message_id, message_key
    from chalicelib.domain.inbound.ingest import client_id_for
    from chalicelib.store.helpdesk import Message

    channel = online_desk(phone=phone)[1]
    events = [_message(n, f"5698{n % RATE_CLIENTS:07d}", phone) for n in range(count)]
    bodies = [
        WebhookEnvelope(provider="poll", received_at=datetime.now(UTC),
                        body="[" + event.model_dump_json() + "]").model_dump_json()
        for event in events
    ]  # fmt: skip
    items = []
    for n, event in enumerate(events):
        message_id = inbound_message_id(
            event.sent_at, channel.channel_id, event.provider_message_id
        )
        items.append(Message(
            *message_key(floor_tenant, 1 + n % RATE_CLIENTS, message_id),
            tenant_id=floor_tenant, message_id=message_id, ticket_number=1 + n % RATE_CLIENTS,
            channel_id=channel.channel_id, direction="in",
            author_id=client_id_for(channel.channel_id, event.sender_id), text=event.text,
            public=False, provider_message_id=event.provider_message_id, attachments=[], extra={},
            sent_at=event.sent_at, stored_at=event.sent_at,
        ))  # fmt: skip
    return channel, bodies, items


@extra("ingest rate: consumer vs bare PutItem")
def ingest_rate(bench: Bench) -> dict[str, Any]:
    """RATE_MESSAGES messages from RATE_CLIENTS clients through the SQS handler in batches
    of 10 (parsing, channel lookup, tickets, assignment, messages; the clients of a
    batch side by side, as in a Lambda), against the floor: the same message items
    written one after another with bare PutItem calls.

    Side by side: each batch through the consumer, then its ten items by PutItem, and so
    on, so that whatever else the machine does weighs on both alike; both sides are
    warmed first (RATE_WARMUP messages on another channel, and their items)."""
    import app
    from chalicelib.domain.helpdesk.timeline import all_messages
    from chalicelib.store.meter import measure
    from devstack.lambda_events import LambdaContext

    def consume(bodies: list[str]) -> None:
        result = app.receive_inbound(
            {"Records": [_record(b) for b in bodies]}, LambdaContext("receive_inbound")
        )
        if result.get("batchItemFailures"):
            raise RuntimeError(f"the consumer failed records: {result}")

    _, warm_bodies, warm_items = _consumer_and_floor("106540352249999", RATE_WARMUP, "bench-warm")
    for i in range(0, RATE_WARMUP, BATCH):
        consume(warm_bodies[i : i + BATCH])
    for item in warm_items:
        item.save()

    rounds = []
    consumer_calls: Counter[str] = Counter()
    for n in range(RATE_ROUNDS):
        # a new desk each round: its clients' first messages are new tickets again
        channel, bodies, items = _consumer_and_floor(
            f"1065403522429{n:02d}", RATE_MESSAGES, f"bench-floor-{n}"
        )
        consumer_seconds = floor_seconds = 0.0
        for i in range(0, RATE_MESSAGES, BATCH):
            # both sides metered alike (ReturnConsumedCapacity on every call): a fair ratio
            with measure() as batch_cost:
                started = time.perf_counter()
                consume(bodies[i : i + BATCH])
                consumer_seconds += time.perf_counter() - started
            consumer_calls.update({op: c.requests for op, c in batch_cost.operations.items()})
            with measure():
                started = time.perf_counter()
                for item in items[i : i + BATCH]:
                    item.save()
                floor_seconds += time.perf_counter() - started
        stored = sum(len(all_messages(channel.tenant_id, k)) for k in range(1, RATE_CLIENTS + 1))
        if stored != RATE_MESSAGES:
            raise RuntimeError(f"{stored} messages stored of {RATE_MESSAGES}")
        rounds.append((RATE_MESSAGES / consumer_seconds, RATE_MESSAGES / floor_seconds))
    ratios = [floor / consumer for consumer, floor in rounds]
    median = sorted(range(RATE_ROUNDS), key=lambda k: ratios[k])[RATE_ROUNDS // 2]
    consumer_rate, floor_rate = rounds[median]
    ratio = ratios[median]
    consumer_requests = sum(consumer_calls.values()) / RATE_ROUNDS
    text = (
        f"  {RATE_MESSAGES} messages of {RATE_CLIENTS} clients, batches of {BATCH}, one consumer, "
        f"each batch next to its items' PutItem calls, both sides warmed first; "
        f"{RATE_ROUNDS} rounds, the median shown:\n"
        f"  consumer  {consumer_rate:8.1f} messages/s, "
        f"{consumer_requests / RATE_MESSAGES:.2f} DynamoDB requests per message "
        f"({', '.join(f'{op} {round(k / RATE_ROUNDS)}' for op, k in sorted(consumer_calls.items()))})\n"
        f"  PutItem   {floor_rate:8.1f} items/s (the floor: the same items, bare PutItem)\n"
        f"  ratio     {ratio:8.2f}x the floor's time per message "
        f"(rounds: {', '.join(f'{r:.2f}x' for r in ratios)}; "
        f"goal: at most {RATE_GOAL}x: {'met' if ratio <= RATE_GOAL else 'NOT MET'})"
    )
    return {
        "messages": RATE_MESSAGES,
        "consumer_per_second": round(consumer_rate, 1),
        "put_item_per_second": round(floor_rate, 1),
        "ratio": round(ratio, 2),
        "ratios": [round(r, 2) for r in ratios],
        "consumer_requests_per_message": round(consumer_requests / RATE_MESSAGES, 2),
        "goal": RATE_GOAL,
        "within_goal": ratio <= RATE_GOAL,
        "text": text,
    }
