"""What a stored item causes follows from the table's stream, once per cause however often
the stream is read (jobs/effects.py; the local worker's reader in devstack/worker.py)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import aws as aws_clients
from chalicelib.channels.events import InboundMessage
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect
from chalicelib.domain.inbound.ingest import ingest_message
from chalicelib.jobs import effects
from chalicelib.store import keys
from chalicelib.store import notifications as notification_store
from chalicelib.store.helpdesk import AgentState, Ticket
from chalicelib.store.search import words_starting
from devstack.worker import STREAM_MAX_RETRIES
from tests.support.table_stream import (
    drain_integrations,
    read_stream_again,
    run_effects,
    table_stream,
)

PHONE = "106540352242922"


@pytest.fixture
def desk() -> tuple[Principal, Any]:
    """A tenant, its WhatsApp channel and its admin online on it (new tickets are theirs)."""
    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": PHONE, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip
    AgentState(keys.tenant_pk(tenant.tenant_id), keys.agent_state_sk(admin.user_id),
               tenant_id=tenant.tenant_id, user_id=admin.user_id, presence="online",
               auto_assign=True, channels=[channel.channel_id], updated_at=now()).save()  # fmt: skip
    run_effects()  # the signup's own changes
    drain_integrations()
    return principal, channel


def message(n: int, sender: str = "56912345678", name: str = "María José Pérez") -> InboundMessage:
    return InboundMessage(channel_type="whatsapp", account_id=PHONE, provider_message_id=f"wamid.{n}",
                          sender_id=sender, sender_name=name, text=f"mensaje {n}",
                          sent_at=datetime(2026, 3, 2, 12, 0, n, tzinfo=UTC))  # fmt: skip


def test_the_table_created_from_the_template_has_a_stream_of_both_images():
    described = aws_clients.client("dynamodb").describe_table(TableName=table_stream().table)
    assert described["Table"]["StreamSpecification"] == {
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}  # fmt: skip


def test_the_first_message_of_a_client_causes_its_effects_once_however_often_it_is_read(desk):
    principal, channel = desk
    outcome = ingest_message(channel, message(1))
    assert outcome.new_client and outcome.assignee_id == principal.user_id
    assert drain_integrations() == []  # nothing happens in ingest's own path

    run_effects()
    first = drain_integrations()
    assert sorted(e["event"] for e in first) == ["message.received", "ticket.created"]
    created = next(e for e in first if e["event"] == "ticket.created")
    assert created["data"] == {"ticket": 1, "channel_id": channel.channel_id,
                               "assignee_id": principal.user_id}  # fmt: skip

    assert read_stream_again() > 0  # every record again: a crash before the checkpoint
    again = drain_integrations()
    assert sorted(e["event_id"] for e in again) == sorted(e["event_id"] for e in first)
    assert notification_store.unread_count(principal.tenant_id, principal.user_id) == 1
    [notification] = notification_store.oldest_unread(principal.tenant_id, principal.user_id, 5)
    assert notification.category == "assigned" and notification.ticket_number == 1
    for word in ("maria", "jose", "perez"):
        assert [w.word for w in words_starting(principal.tenant_id, word, 5)] == [word]


def test_a_message_into_an_open_ticket_is_told_to_the_integrations(desk):
    _, channel = desk
    ingest_message(channel, message(1))
    run_effects()
    drain_integrations()
    ingest_message(channel, message(2))
    ingest_message(channel, message(2))  # a redelivery: stored once, told once
    run_effects()
    [received] = drain_integrations()
    assert received["event"] == "message.received"
    assert received["data"] == {"ticket": 1, "channel_id": channel.channel_id, "text": "mensaje 2"}
    assert received["created_at"].startswith("2026-")


def test_while_the_bot_is_on_it_hears_the_clients_messages(desk):
    principal, channel = desk
    ingest_message(channel, message(1))
    Ticket(keys.ticket_pk(principal.tenant_id, 1), keys.ticket_sk()).update(
        actions=[Ticket.bot.set(True)]
    )
    run_effects()
    drain_integrations()
    ingest_message(channel, message(2))
    run_effects()
    events = {e["event"]: e for e in drain_integrations()}
    assert set(events) == {"message.received", "bot.message"}
    bot = events["bot.message"]["data"]
    assert bot["ticket"] == 1 and bot["text"] == "mensaje 2"
    assert bot["client_name"] == "María José Pérez" and bot["channel_type"] == "whatsapp"


def test_a_failed_effect_is_retried_from_its_record_and_the_records_before_it_are_not(
    desk, monkeypatch
):
    _, channel = desk
    ingest_message(channel, message(1))
    real_emit, calls = effects.emit, Counter()

    def flaky(cause, event, at, data):
        calls[event] += 1
        if event == "message.received" and calls[event] == 1:
            raise ConnectionError("SQS is not answering")
        real_emit(cause, event, at, data)

    monkeypatch.setattr(effects, "emit", flaky)
    run_effects()
    assert calls == {"ticket.created": 1, "message.received": 2}
    assert sorted(e["event"] for e in drain_integrations()) == [
        "message.received", "ticket.created"]  # fmt: skip


def test_a_record_that_fails_every_retry_is_described_in_the_dead_letter_queue(desk, monkeypatch):
    principal, channel = desk

    def broken(message):
        raise RuntimeError("a bug")

    monkeypatch.setattr(effects, "message_received", broken)
    ingest_message(channel, message(1))
    stream = table_stream()
    stream.drain()
    assert stream.dead_lettered == 1
    sqs = aws_clients.client("sqs")
    [dead] = sqs.receive_message(QueueUrl=aws_clients.queue_url("effects-dlq"))["Messages"]
    info = json.loads(dead["Body"])["DDBStreamBatchInfo"]
    assert info["streamArn"] == stream.arn and info["batchSize"] >= 1
    assert json.loads(dead["Body"])["requestContext"]["approximateInvokeCount"] == (
        STREAM_MAX_RETRIES + 1
    )
    # the ticket's own effects were done; the stream goes on after the dead batch
    ingest_message(channel, message(2, sender="56900000002", name="Pedro"))
    monkeypatch.undo()
    stream.drain()
    assert [w.word for w in words_starting(principal.tenant_id, "pedro", 5)] == ["pedro"]


# --- auto-replies -----------------------------------------------------------------------------
@pytest.fixture
def unattended() -> Any:
    """A WhatsApp channel nobody serves, with the first-message and no-agent replies on."""
    from chalicelib.store.channels import Channel

    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": PHONE, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip
    Channel(channel.PK, channel.SK).update(actions=[Channel.settings.set({"auto_replies": {
        "first_message": {"enabled": True, "text": "¡Hola! Gracias por escribirnos."},
        "no_agent": {"enabled": True, "text": "Ahora no hay ejecutivos disponibles."}}})])  # fmt: skip
    run_effects()
    return Channel.get(channel.PK, channel.SK)


def outbound(tenant_id: str, number: int) -> list[Any]:
    from tests.support.tickets_read import messages_of

    return [m for m in messages_of(tenant_id, number) if m.direction == "out"]


def sends() -> list[str]:
    """Message ids on the outbound queue (removed from it)."""
    sqs, url = aws_clients.client("sqs"), aws_clients.queue_url("outbound")
    found = []
    while received := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"])["message_id"] for m in received]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])  # fmt: skip
    return found


def test_a_new_tickets_auto_replies_are_queued_and_sent_once_however_often_it_is_handed_over(
    unattended,
):
    ingest_message(unattended, message(1))
    assert outbound(unattended.tenant_id, 1) == []  # not in ingest's own path
    run_effects()
    replies = outbound(unattended.tenant_id, 1)
    assert sorted(m.extra["auto_reply"] for m in replies) == ["first_message", "no_agent"]
    assert {m.status for m in replies} == {"queued"}
    assert sorted(sends()) == sorted(m.message_id for m in replies)
    ticket = Ticket.get(keys.ticket_pk(unattended.tenant_id, 1), keys.ticket_sk())
    slots = ticket.auto_replies.as_dict()

    read_stream_again()  # the whole stream again, as after a crash before the checkpoint
    assert [m.message_id for m in outbound(unattended.tenant_id, 1)] == [
        m.message_id for m in replies]  # fmt: skip
    assert Ticket.get(ticket.PK, ticket.SK).auto_replies.as_dict() == slots
    # the queued replies' records came again: the worker sends each message once
    assert sorted(set(sends())) == sorted(m.message_id for m in replies)


def test_the_second_ticket_of_a_client_gets_no_first_message_reply(unattended):
    from chalicelib.domain.helpdesk.tickets import apply_change, status_change

    ingest_message(unattended, message(1))
    run_effects()
    admin = Principal(unattended.tenant_id, "system", "admin", frozenset(), "s", None)
    apply_change(admin, 1, lambda t: status_change(t, "closed", now()))
    ingest_message(unattended, message(2))
    run_effects()
    assert [m.extra["auto_reply"] for m in outbound(unattended.tenant_id, 2)] == ["no_agent"]


def test_an_autoresponder_gets_no_auto_reply(unattended):
    robot = message(1).model_copy(update={"extra": {"auto_submitted": "auto-replied"}})
    ingest_message(unattended, robot)
    run_effects()
    assert outbound(unattended.tenant_id, 1) == []
    assert sends() == []


# --- replies and the sweep --------------------------------------------------------------------
def test_a_reply_goes_on_the_outbound_queue_from_its_record_not_from_the_request(
    desk, frozen_clock
):
    from chalicelib.domain.helpdesk.replies import reply

    principal, channel = desk
    ingest_message(channel, message(1))
    run_effects()
    sends()
    answer = reply(principal, 1, text="¡Hola! Ya lo revisamos.", public=False)
    assert answer.status == "queued" and sends() == []  # the request only stored it
    run_effects()
    assert sends() == [answer.message_id]
    read_stream_again()  # the record again: another copy, which the worker sends once
    assert set(sends()) == {answer.message_id}


def test_a_reply_whose_trip_to_the_queue_failed_is_sent_by_the_sweep_after_five_minutes(
    desk, frozen_clock, monkeypatch
):
    from botocore.exceptions import EndpointConnectionError

    from chalicelib.domain.helpdesk.replies import reply
    from chalicelib.jobs import effects_sweep
    from chalicelib.store.helpdesk import Message

    principal, channel = desk
    ingest_message(channel, message(1))
    run_effects()
    sends()
    answer = reply(principal, 1, text="¡Hola!", public=False)

    def unreachable(message):
        raise EndpointConnectionError(endpoint_url="https://sqs.us-east-1.amazonaws.com")

    monkeypatch.setattr(effects, "enqueue_send", unreachable)
    run_effects()  # the record is done (the rest of the stream goes on); the message is marked
    monkeypatch.undo()
    assert sends() == [] and effects_sweep.stuck_sends(frozen_clock.now()) == []
    frozen_clock.freeze(frozen_clock.now() + effects.SEND_REDRIVE_AFTER)
    [stuck] = effects_sweep.stuck_sends(frozen_clock.now())
    assert stuck.message_id == answer.message_id

    assert effects_sweep.scheduled_run() == {"sends": 1, "batches": 0}
    assert sends() == [answer.message_id]
    assert effects_sweep.stuck_sends(frozen_clock.now()) == []
    stored = Message.get(answer.PK, answer.SK)
    assert stored.status == "queued" and stored.DuePK is None
    assert effects_sweep.scheduled_run() == {"sends": 0, "batches": 0}


def test_a_dead_stream_batch_is_re_driven_by_the_sweep(desk, monkeypatch):
    from chalicelib.jobs import effects_sweep

    principal, channel = desk

    def broken(message):
        raise RuntimeError("a bug, fixed by the next deployment")

    monkeypatch.setattr(effects, "message_received", broken)
    ingest_message(channel, message(1))
    assert table_stream().drain() and table_stream().dead_lettered == 1
    assert sorted(e["event"] for e in drain_integrations()) == ["ticket.created"]
    monkeypatch.undo()

    assert effects_sweep.sweep(now()) == {"sends": 0, "batches": 1}
    # the dead part of the batch again (from the failed record on): the message's event
    assert [e["event"] for e in drain_integrations()] == ["message.received"]
    sqs = aws_clients.client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=aws_clients.queue_url("effects-dlq"))
    assert notification_store.unread_count(principal.tenant_id, principal.user_id) == 1


# --- merge ------------------------------------------------------------------------------------
def test_a_merged_tickets_messages_are_copied_into_the_target_from_its_record(desk):
    from chalicelib.domain.helpdesk.tickets import merge
    from tests.support.tickets_read import messages_of

    principal, channel = desk
    ingest_message(channel, message(1, sender="56900000001"))
    ingest_message(channel, message(2, sender="56900000002"))
    run_effects()
    drain_integrations()
    merge(principal, 1, into=2)
    assert [m.text for m in messages_of(principal.tenant_id, 2)] == ["mensaje 2"]
    run_effects()
    copied = messages_of(principal.tenant_id, 2)
    assert [(m.text, m.merged_from) for m in copied] == [("mensaje 1", 1), ("mensaje 2", None)]
    # the copies cause nothing: no second message.received, no auto-reply
    assert [e["event"] for e in drain_integrations()] == ["ticket.merged"]
    read_stream_again()
    assert [m.message_id for m in messages_of(principal.tenant_id, 2)] == [
        m.message_id for m in copied]  # fmt: skip


def test_a_message_stored_in_a_ticket_being_merged_reaches_the_target_too(desk):
    from chalicelib.domain.helpdesk.tickets import merge
    from tests.support.tickets_read import messages_of

    principal, channel = desk
    ingest_message(channel, message(1, sender="56900000001"))
    ingest_message(channel, message(2, sender="56900000002"))
    merge(principal, 1, into=2)
    run_effects()
    # a message of the first client that was being ingested into ticket 1 as it merged
    from chalicelib.domain.helpdesk.timeline import message_key
    from chalicelib.store.helpdesk import Message

    late = Message(*message_key(principal.tenant_id, 1, "20260302T120009000000Z-late"),
                   tenant_id=principal.tenant_id, message_id="20260302T120009000000Z-late",
                   ticket_number=1, channel_id=channel.channel_id, direction="in",
                   text="¿sigue ahí?", sent_at=now(), stored_at=now())  # fmt: skip
    late.save()
    run_effects()
    assert "¿sigue ahí?" in [m.text for m in messages_of(principal.tenant_id, 2)]
