"""Ingest and its effects under faults, on DynamoDB Local.

**Throttling and redelivery.** 500 messages, delivered 1-3 times each, shuffled, in
concurrent batches, while 10% of DynamoDB calls fail with throttling: exactly 500
messages, each in its client's ticket, ticket numbers 1..N without gaps, nothing
dead-lettered.

**A crash at every step.** A Lambda may die between any two lines. Each scenario below
is run once to count the AWS calls our functions make (the inbound consumer, the table's
stream consumer ``apply_effects``, and the API's domain call), then once per call with
the function dying right after that call returned (the write done, nothing after it),
and then everything is redelivered: the inbound record again, the stream from its last
checkpoint, the outbound worker. Every effect must then be present exactly once. The
crash points, in the order the calls come:

- *The first message of a new client* (an agent online; first-message and
  out-of-hours replies on): the inbound consumer after the channel's query, the
  client's read, the counter's read, the agents' query, the claim's transaction
  (counter, client, agent's load), the ticket's put, the message's put; then the stream
  consumer after the search words' transaction (the Client's record); the tenant's read,
  the notification's transaction, the queue's lookup, ``ticket.created`` queued, the
  channel's and the client's reads, the first-message reply's transaction (slot and
  message) (the Ticket's record); ``message.received`` queued, the ticket's and the
  channel's reads, the out-of-hours reply's transaction (the Message's record); the
  queue's lookup and each reply put on the outbound queue (the replies' records).
  Checked: the name's search words, one notification, one id for each integration
  event, one reply of each kind, each reply sent once.
- *A message into an open ticket whose bot is on*, twice: from a consumer that
  remembers the channel and the client's ticket, after the ticket's touch and the
  message's put; from one that does not, after the channel's query, the client's
  read, the message's put, the ticket's touch; then ``message.received``
  queued, the ticket's read, the client's read, ``bot.message`` queued, the channel's
  read. Checked: one id for each event, no auto-reply.
- *A reply*: after the ticket's read, the client's read, the message's put
  (queued), the ticket's touch; then the queue's lookup and the reply put on the
  outbound queue. Checked: a stored reply is sent exactly once.
- *A merge*: after the reads (the two tickets, the source again, its client,
  the agent's row), the merge's transaction (both tickets, both histories, the client's
  release), ``ticket.merged`` queued; then the source's messages queried and their
  copies written. Checked: the target holds each of the source's messages once (a merge
  that had not committed is asked for again, as a person would).

The outbound worker is not crashed here: it claims a message before sending it
(tests/unit/helpdesk/test_outbound_worker.py).
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import botocore.client
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse

import app
from chalicelib import aws as aws_clients
from chalicelib.channels.events import InboundMessage, WebhookEnvelope
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect
from chalicelib.domain.inbound.ingest import client_id_for
from chalicelib.store import keys
from chalicelib.store.helpdesk import Client
from devstack.lambda_events import LambdaContext
from tests.support.table_stream import run_effects
from tests.support.tickets_read import messages_of, open_tickets

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


# --- a crash at every step ---------------------------------------------------------------------
class Crash(BaseException):
    """The Lambda died here: not an error any handler catches (BaseException)."""


class Crasher:
    """Counts the AWS calls made while armed (inside one of our functions, not the
    harness's own reads of queues and stream) and dies right after the ``at``-th."""

    #: PynamoDB's table metadata, and Lambda's own reads of the stream: not steps of ours
    HARNESS = frozenset({"DescribeTable", "DescribeStream", "GetShardIterator", "GetRecords"})

    def __init__(self, at: int | None = None) -> None:
        self.at = at
        self.calls: list[str] = []
        self.armed = False

    def __enter__(self):
        crasher = self
        self.original = botocore.client.BaseClient._make_api_call

        def call(client, operation, params):
            result = crasher.original(client, operation, params)
            if crasher.armed and operation not in crasher.HARNESS:
                crasher.calls.append(operation)
                if len(crasher.calls) == crasher.at:
                    raise Crash(f"died after call {crasher.at} ({operation})")
            return result

        botocore.client.BaseClient._make_api_call = call
        return self

    def __exit__(self, *exc):
        botocore.client.BaseClient._make_api_call = self.original

    def run(self, work) -> bool:
        """Run ``work`` armed; False when it died."""
        self.armed = True
        try:
            work()
            return True
        except Crash:
            return False
        finally:
            self.armed = False


def desk_for_faults(auto_replies: bool = True):
    """A tenant, its WhatsApp channel and its admin online on it; the first-message and
    out-of-hours replies on (the frozen day is a holiday: closed)."""
    from chalicelib.store.channels import Channel
    from chalicelib.store.helpdesk import AgentState

    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin",
                           email=f"ana-{uuid.uuid4().hex[:8]}@acme.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    phone = f"1065{uuid.uuid4().int % 10**11:011d}"
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": phone, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip
    if auto_replies:
        Channel(channel.PK, channel.SK).update(actions=[Channel.settings.set({
            "business_hours": {"timezone": "America/Santiago", "holidays": ["2026-03-02"],
                               "weekly": {"mon": [["09:00", "18:00"]]}},
            "auto_replies": {
                "first_message": {"enabled": True, "text": "¡Hola! Gracias por escribir."},
                "out_of_hours": {"enabled": True, "text": "Volvemos mañana a las 9."}}})])  # fmt: skip
        channel = Channel.get(channel.PK, channel.SK)
    AgentState(keys.tenant_pk(tenant.tenant_id), keys.agent_state_sk(admin.user_id),
               tenant_id=tenant.tenant_id, user_id=admin.user_id, presence="online",
               auto_assign=True, channels=[channel.channel_id], updated_at=now()).save()  # fmt: skip
    return principal, channel


def webhook(channel, n: int, text: str, sender: str = "56912345678") -> dict:
    event = InboundMessage(channel_type="whatsapp", account_id=channel.account_id,
                           provider_message_id=f"wamid.{channel.channel_id}.{n}",
                           sender_id=sender, sender_name="María José Pérez", text=text,
                           sent_at=now() - timedelta(seconds=60 - n))  # fmt: skip
    body = WebhookEnvelope(provider="poll", received_at=now(),
                           body="[" + event.model_dump_json() + "]").model_dump_json()  # fmt: skip
    return record(body)


def receive(message: dict) -> None:
    """The inbound consumer on one record; a reported failure is a crash of its own."""
    result = app.receive_inbound({"Records": [message]}, LambdaContext("receive_inbound"))
    assert not result.get("batchItemFailures"), result


def deliver_outbound() -> None:
    from devstack.worker import deliver_once, sqs_consumers

    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "send_outbound"]
    while deliver_once(source, handler, wait_seconds=0):
        pass


def settle(*records: dict) -> None:
    """Redeliver everything: the records again, the stream from its checkpoint, the
    outbound queue (nothing dies now)."""
    for message in records:
        receive(message)
    run_effects()
    deliver_outbound()
    run_effects()


def events_of(tenant_id: str) -> dict[str, set[str]]:
    """The integration events queued for the tenant so far: event -> its ids."""
    sqs = aws_clients.client("sqs")
    url = aws_clients.queue_url("integrations")
    found: dict[str, set[str]] = defaultdict(set)
    while received := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in received:
            body = json.loads(m["Body"])
            EVENTS_SEEN[body["tenant_id"]][body["event"]].add(body["event_id"])
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])  # fmt: skip
    found.update({event: set(ids) for event, ids in EVENTS_SEEN[tenant_id].items()})
    return dict(found)


EVENTS_SEEN: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))


def sent_requests(message_id: str) -> int:
    """Requests recorded for one outbound message (the local outbox)."""
    from chalicelib.settings import get_settings

    outbox = get_settings().outbox_dir
    return len(list(outbox.glob(f"*-{message_id}-*.json"))) if outbox else 0


def outbound_of(tenant_id: str, number: int) -> list:
    return [m for m in messages_of(tenant_id, number) if m.direction == "out"]


def crash_points(scenario) -> list[str]:
    """The calls a clean run of ``scenario`` makes (one crash point after each)."""
    with Crasher() as counting:
        scenario(counting)
    return counting.calls


def every_crash(scenario) -> list[str]:
    """``scenario(crasher)`` once per crash point; returns the points."""
    points = crash_points(scenario)
    assert points, "the scenario made no call"
    for at in range(1, len(points) + 1):
        with Crasher(at) as crasher:
            try:
                scenario(crasher)
            except AssertionError as failure:
                raise AssertionError(
                    f"crash after call {at} ({points[at - 1]}): {failure}"
                ) from None
    return points


@pytest.fixture
def faults_clock(frozen_clock):
    """Monday 2 March 2026, 12:00 UTC: a holiday for the channels above (closed)."""
    return frozen_clock


def test_the_first_message_of_a_client_survives_a_crash_at_every_step(faults_clock):
    from chalicelib.store import notifications as notification_store
    from chalicelib.store.search import words_starting

    def scenario(crasher: Crasher) -> None:
        principal, channel = desk_for_faults()
        run_effects()  # the setup's own changes
        tenant = principal.tenant_id
        first = webhook(channel, 1, "Hola, ¿mi pedido?")
        crasher.run(lambda: (receive(first), run_effects()))
        settle(first)

        [ticket] = open_tickets(tenant)
        for word in ("maria", "jose", "perez"):
            assert [w.word for w in words_starting(tenant, word, 5)] == [word]
        assert notification_store.unread_count(tenant, principal.user_id) == 1
        assert len(notification_store.oldest_unread(tenant, principal.user_id, 5)) == 1
        events = events_of(tenant)
        assert {e: len(ids) for e, ids in events.items()} == {
            "ticket.created": 1, "message.received": 1}  # fmt: skip
        replies = outbound_of(tenant, ticket.number)
        assert sorted(m.extra["auto_reply"] for m in replies) == ["first_message", "out_of_hours"]
        for reply in replies:
            assert reply.status == "sent", reply.status
            assert sent_requests(reply.message_id) == 1

    points = every_crash(scenario)
    assert {"TransactWriteItems", "PutItem", "SendMessage"} <= set(points)


@pytest.mark.parametrize("warm", [True, False], ids=["remembered", "cold"])
def test_a_message_to_the_bot_survives_a_crash_at_every_step(faults_clock, warm):
    """``warm``: the consumer remembers the channel and the client's ticket (the touch,
    then the put); cold: it has forgotten them (the channel's query, the client's read,
    the put, then the touch)."""
    from chalicelib.jobs import inbound
    from chalicelib.store.helpdesk import Ticket

    def scenario(crasher: Crasher) -> None:
        principal, channel = desk_for_faults(auto_replies=True)
        first = webhook(channel, 1, "Hola")
        settle(first)
        tenant = principal.tenant_id
        [ticket] = open_tickets(tenant)
        Ticket(ticket.PK, ticket.SK).update(actions=[Ticket.bot.set(True)])
        run_effects()
        before = events_of(tenant)
        replies = len(outbound_of(tenant, ticket.number))
        second = webhook(channel, 2, "¿Tienen envío a Arica?")
        if not warm:
            inbound.forget()
        crasher.run(lambda: (receive(second), run_effects()))
        settle(second)

        events = events_of(tenant)
        assert len(events["message.received"] - before["message.received"]) == 1
        assert len(events.get("bot.message", set())) == 1
        assert len(outbound_of(tenant, ticket.number)) == replies  # the bot answers, not us

    points = every_crash(scenario)
    # the touch first when the consumer remembers the ticket; the channel's query when not
    assert points[0] == ("UpdateItem" if warm else "Query"), points


def test_a_reply_survives_a_crash_at_every_step(faults_clock):
    from chalicelib.domain.helpdesk.replies import reply

    def scenario(crasher: Crasher) -> None:
        principal, channel = desk_for_faults(auto_replies=False)
        first = webhook(channel, 1, "Hola")
        settle(first)
        tenant = principal.tenant_id
        crasher.run(lambda: (reply(principal, 1, text="¡Hola! Ya lo vemos.", public=False),
                             run_effects()))  # fmt: skip
        settle()

        replies = outbound_of(tenant, 1)
        assert len(replies) <= 1  # the request died before storing it, or it is stored once
        for stored in replies:
            assert stored.status == "sent", stored.status
            assert sent_requests(stored.message_id) == 1

    points = every_crash(scenario)
    assert "PutItem" in points and "SendMessage" in points


def test_a_merge_survives_a_crash_at_every_step(faults_clock):
    from chalicelib.domain.helpdesk.tickets import merge
    from chalicelib.store.helpdesk import Ticket

    def scenario(crasher: Crasher) -> None:
        principal, channel = desk_for_faults(auto_replies=False)
        settle(webhook(channel, 1, "uno", sender="56900000001"),
               webhook(channel, 2, "dos", sender="56900000001"),
               webhook(channel, 3, "tres", sender="56900000002"))  # fmt: skip
        tenant = principal.tenant_id
        source = {m.message_id for m in messages_of(tenant, 1)}
        own = {m.message_id for m in messages_of(tenant, 2)}
        crasher.run(lambda: (merge(principal, 1, into=2), run_effects()))
        if Ticket.get(keys.ticket_pk(tenant, 1), keys.ticket_sk()).status != "merged":
            merge(principal, 1, into=2)  # it had not happened: the person asks again
        settle()

        target = messages_of(tenant, 2)
        assert sorted(m.message_id for m in target) == sorted(source | own)
        assert {m.message_id for m in target if m.merged_from == 1} == source

    points = every_crash(scenario)
    assert "TransactWriteItems" in points and "BatchWriteItem" in points
