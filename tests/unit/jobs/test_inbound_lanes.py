"""The inbound consumer's batch (chalicelib/jobs/inbound.py): clients side by side, each
client's messages in order, a failure retried with every later record of its client,
the channel looked up once per warm Lambda for a short while. No table: the events'
handling is replaced by a recorder."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.app import SQSEvent

from chalicelib.channels.events import InboundMessage, StatusUpdate, WebhookEnvelope
from chalicelib.clock import clock
from chalicelib.jobs import inbound

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _message(sender: str, n: int) -> InboundMessage:
    return InboundMessage(channel_type="whatsapp", account_id="106540352242922",
                          provider_message_id=f"wamid.{sender}.{n}", sender_id=sender,
                          text=f"{sender} {n}", sent_at=AT + timedelta(seconds=n))  # fmt: skip


def _record(*events: Any) -> dict[str, Any]:
    body = "[" + ",".join(e.model_dump_json() for e in events) + "]"
    envelope = WebhookEnvelope(provider="poll", received_at=AT, body=body)
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "r",
            "body": envelope.model_dump_json(), "attributes": {}, "messageAttributes": {},
            "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:atiende-test-inbound"}  # fmt: skip


def _consume(records: list[dict[str, Any]]) -> set[str]:
    answer = inbound.consume(SQSEvent({"Records": records}, None))
    return {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}


class Recorder:
    """Stands for ingest: records what it was given, by which thread; fails on demand."""

    def __init__(self, fail: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.fail = fail
        self.done: list[str] = []
        self.lock = threading.Lock()
        #: events that each wait for the other: they pass only if run at the same time
        self.meet: set[str] = set()
        self.barrier = threading.Barrier(2, timeout=5)

    def __call__(self, event: Any) -> None:
        if event.provider_message_id in self.meet:
            self.barrier.wait()  # BrokenBarrierError (the record fails) when run in turn
        if event.provider_message_id in self.fail:
            raise RuntimeError("throttled")
        with self.lock:
            self.done.append(event.provider_message_id)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recording = Recorder()
    monkeypatch.setattr(inbound, "handle_event", recording)
    monkeypatch.setattr(inbound, "WORKERS", 4)
    return recording


def test_each_clients_messages_keep_their_order_and_clients_run_side_by_side(recorder):
    recorder.meet = {"wamid.ana.0", "wamid.bea.0"}
    records = [_record(_message(sender, n)) for n in range(5) for sender in ("ana", "bea", "eva")]
    assert _consume(records) == set()
    for sender in ("ana", "bea", "eva"):
        mine = [done for done in recorder.done if done.startswith(f"wamid.{sender}.")]
        assert mine == [f"wamid.{sender}.{n}" for n in range(5)]


def test_a_failure_retries_its_record_and_every_later_record_of_that_client_only(recorder):
    recorder.fail = {"wamid.ana.1"}
    records = [_record(_message(sender, n)) for n in range(4) for sender in ("ana", "bea")]
    ids = [r["messageId"] for r in records]  # ana.0 bea.0 ana.1 bea.1 ana.2 ...
    assert _consume(records) == {ids[2], ids[4], ids[6]}  # ana.1, ana.2, ana.3
    assert [d for d in recorder.done if d.startswith("wamid.ana.")] == ["wamid.ana.0"]
    assert [d for d in recorder.done if d.startswith("wamid.bea.")] == [
        f"wamid.bea.{n}" for n in range(4)
    ]


def test_a_record_that_cannot_be_parsed_fails_alone(recorder):
    good = _record(_message("ana", 0))
    bad = {**_record(_message("bea", 0)), "body": '{"provider": "poll", "body": "[{"}'}
    assert _consume([bad, good]) == {bad["messageId"]}
    assert recorder.done == ["wamid.ana.0"]


def test_a_record_of_several_clients_fails_when_one_of_its_events_fails(recorder):
    recorder.fail = {"wamid.bea.0"}
    both = _record(_message("ana", 0), _message("bea", 0))
    assert _consume([both]) == {both["messageId"]}
    assert recorder.done == ["wamid.ana.0"]  # stored once; its redelivery is a duplicate


def test_statuses_of_one_sent_message_keep_their_order(recorder, monkeypatch):
    statuses = [
        StatusUpdate(
            channel_type="whatsapp",
            account_id="106540352242922",
            provider_message_id="wamid.out.1",
            status=status,
            at=AT,
        )
        for status in ("sent", "delivered", "read")
    ]
    order: list[str] = []
    monkeypatch.setattr(inbound, "parse", lambda envelope: [statuses[int(envelope.body)]])
    monkeypatch.setattr(inbound, "handle_event", lambda event: order.append(event.status))
    records = [_record(_message("ana", 0)) for _ in statuses]
    for n, record in enumerate(records):
        record["body"] = WebhookEnvelope(
            provider="poll", received_at=AT, body=str(n)
        ).model_dump_json()
    assert _consume(records) == set()
    assert order == ["sent", "delivered", "read"]


def test_a_connected_channel_is_looked_up_once_per_short_while(monkeypatch):
    from chalicelib.domain.channels import service

    asked: list[tuple[str, str]] = []
    channel = object()
    answers: dict[str, Any] = {"106540352242922": channel, "unknown": None}

    def find_connected(channel_type: str, account: str) -> Any:
        asked.append((channel_type, account))
        return answers[account]

    monkeypatch.setattr(service, "find_connected", find_connected)
    inbound.forget()
    clock.freeze(AT)
    try:
        assert inbound.channel_for("whatsapp", "106540352242922") is channel
        assert inbound.channel_for("whatsapp", "106540352242922") is channel
        assert len(asked) == 1
        clock.advance(inbound.CHANNEL_TTL)
        assert inbound.channel_for("whatsapp", "106540352242922") is channel
        assert len(asked) == 2  # expired: asked again
        # an account with no channel is asked every time: it may be connected any moment
        assert inbound.channel_for("whatsapp", "unknown") is None
        assert inbound.channel_for("whatsapp", "unknown") is None
        assert asked.count(("whatsapp", "unknown")) == 2
    finally:
        clock.release()
        inbound.forget()
