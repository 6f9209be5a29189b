"""A signed webhook becomes exactly one message in exactly one ticket (SPEC §3)."""

import json

import pytest

from chalicelib import aws as aws_clients
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.helpdesk import Client, Ticket
from tests.support import webhooks
from tests.support.queues import queue_depth, run_inbound_worker
from tests.support.tickets_read import messages_of, open_tickets

PHONE_NUMBER_ID = "106540352242922"


signed = webhooks.meta_headers


def whatsapp_text(
    message_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDNkE",
    sender="56912345678",
    text="Hola, ¿mi pedido? 📦",
    timestamp="1772460000",
):
    """María José's text to PHONE_NUMBER_ID (tests/fixtures/meta/whatsapp_text.json)."""
    return webhooks.whatsapp_text(
        sender, text, message_id, timestamp, "María José", PHONE_NUMBER_ID
    )


@pytest.fixture
def whatsapp(world, admin):
    created = world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": "Ventas", "credentials": {"access_token": "EAAG-token-1234567890"},
        "identifiers": {"phone_number_id": PHONE_NUMBER_ID, "business_account_id": "102290129340398",
                        "display_phone_number": "+56 9 1111 2222"}})  # fmt: skip
    assert created.status_code == 201
    tenant = world.call("GET", "/v1/me", admin).json["tenant"]["id"]
    return {"channel": created.json, "tenant": tenant}


def tickets_of(tenant):
    return sorted(open_tickets(tenant), key=lambda t: t.number)


def test_a_signed_whatsapp_message_becomes_a_ticket_with_one_message(world, whatsapp):
    body = whatsapp_text()
    response = world.api.post("/webhooks/meta", headers=signed(body), body=body)
    assert response.status_code == 200
    run_inbound_worker()
    [ticket] = tickets_of(whatsapp["tenant"])
    assert ticket.number == 1 and ticket.channel_type == "whatsapp"
    messages = list(messages_of(whatsapp["tenant"], 1))
    assert [m.text for m in messages] == ["Hola, ¿mi pedido? 📦"]
    client = Client.get(keys.client_pk(whatsapp["tenant"], ticket.client_id), keys.client_sk())
    assert client.name == "María José" and client.open_ticket == 1


def test_the_same_webhook_twice_stores_one_message(world, whatsapp):
    body = whatsapp_text()
    for _ in range(3):
        assert world.api.post("/webhooks/meta", headers=signed(body), body=body).status_code == 200
    run_inbound_worker()
    assert len(tickets_of(whatsapp["tenant"])) == 1
    assert len(list(messages_of(whatsapp["tenant"], 1))) == 1


def test_a_second_message_joins_the_open_ticket_and_another_client_opens_the_next(world, whatsapp):
    for body in (
        whatsapp_text(),
        whatsapp_text(message_id="wamid.2", text="¿Hola?", timestamp="1772460060"),
        whatsapp_text(message_id="wamid.3", sender="56987654321", text="Otra persona"),
    ):
        world.api.post("/webhooks/meta", headers=signed(body), body=body)
    run_inbound_worker()
    tickets = tickets_of(whatsapp["tenant"])
    assert [t.number for t in tickets] == [1, 2]
    first = [m.text for m in messages_of(whatsapp["tenant"], 1)]
    assert first == ["Hola, ¿mi pedido? 📦", "¿Hola?"]


def test_a_bad_signature_is_401_and_queues_nothing(world, whatsapp):
    body = whatsapp_text()
    bad = {**signed(body), "X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert world.api.post("/webhooks/meta", headers=bad, body=body).status_code == 401
    missing = {"Content-Type": "application/json"}
    assert world.api.post("/webhooks/meta", headers=missing, body=body).status_code == 401
    assert queue_depth("inbound") == 0


def test_meta_verification_handshake(world):
    token = get_settings().meta_verify_token.get_secret_value()
    ok = world.api.get(
        f"/webhooks/meta?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
    )
    assert ok.status_code == 200 and ok.body == b"1158201444"
    wrong = world.api.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1")
    assert wrong.status_code == 403


def test_a_payload_that_never_parses_ends_in_the_dead_letter_queue_alone(world, whatsapp):
    sqs = aws_clients.client("sqs")
    sqs.set_queue_attributes(
        QueueUrl=aws_clients.queue_url("inbound"), Attributes={"VisibilityTimeout": "0"}
    )
    garbage = b'{"object": "whatsapp_business_account", "entry": "not a list"}'
    world.api.post("/webhooks/meta", headers=signed(garbage), body=garbage)
    good = whatsapp_text()
    world.api.post("/webhooks/meta", headers=signed(good), body=good)
    for _ in range(8):
        run_inbound_worker()
    assert len(tickets_of(whatsapp["tenant"])) == 1
    assert queue_depth("inbound") == 0 and queue_depth("inbound-dlq") == 1


def test_an_online_agent_with_the_channel_gets_the_ticket_and_the_reason_is_kept(
    world, admin, whatsapp
):
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    agent_id = world.call("GET", "/v1/me", agent).json["user"]["id"]
    table = world.call(
        "PUT",
        "/v1/assignments",
        admin,
        {
            "agents": [
                {"user_id": agent_id, "auto_assign": True, "channels": [whatsapp["channel"]["id"]]}
            ]
        },
    )
    assert table.status_code == 200, table.json
    assert world.call("PUT", "/v1/me/presence", agent, {"presence": "online"}).status_code == 200
    body = whatsapp_text()
    world.api.post("/webhooks/meta", headers=signed(body), body=body)
    run_inbound_worker()
    [ticket] = tickets_of(whatsapp["tenant"])
    assert ticket.assignee_id == agent_id
    assert ticket.assignment["chosen"] == agent_id
    assert ticket.assignment["eligible"] == 1
    assert ticket.assignment["candidates"][0][:2] == [agent_id, 0]  # who, with how many open


def test_with_nobody_online_the_ticket_waits_and_the_no_agent_reply_is_queued(
    world, admin, whatsapp
):
    world.call(
        "PATCH",
        f"/v1/channels/{whatsapp['channel']['id']}",
        admin,
        {
            "settings": {
                "auto_replies": {
                    "no_agent": {
                        "enabled": True,
                        "text": "Ahora no hay ejecutivos; te responderemos pronto.",
                    }
                }
            }
        },
    )
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    agent_id = world.call("GET", "/v1/me", agent).json["user"]["id"]
    world.call(
        "PUT",
        "/v1/assignments",
        admin,
        {
            "agents": [
                {"user_id": agent_id, "auto_assign": True, "channels": [whatsapp["channel"]["id"]]}
            ]
        },
    )
    body = whatsapp_text()
    world.api.post("/webhooks/meta", headers=signed(body), body=body)
    run_inbound_worker()
    [ticket] = tickets_of(whatsapp["tenant"])
    assert ticket.assignee_id is None
    replies = [m for m in messages_of(whatsapp["tenant"], 1) if m.direction == "out"]
    assert [m.text for m in replies] == ["Ahora no hay ejecutivos; te responderemos pronto."]
    assert queue_depth("outbound") == 1
    # the agent comes online: the waiting ticket is handed out
    world.call("PUT", "/v1/me/presence", agent, {"presence": "online"})
    assert Ticket.get(ticket.PK, ticket.SK).assignee_id == agent_id


def test_a_body_that_fits_sqs_only_before_escaping_waits_in_s3(world, whatsapp, monkeypatch):
    from chalicelib.api import webhooks

    body = whatsapp_text(text='"¿stock?" ' * 60)  # quotes and accents grow when escaped
    monkeypatch.setattr(webhooks, "SQS_BODY_LIMIT", len(body) + 50)
    assert world.api.post("/webhooks/meta", headers=signed(body), body=body).status_code == 200
    sqs = aws_clients.client("sqs")
    [queued] = sqs.receive_message(QueueUrl=aws_clients.queue_url("inbound"))["Messages"]
    assert len(queued["Body"].encode()) <= len(body) + 50
    assert json.loads(queued["Body"])["body_s3_key"].startswith("inbound/raw/meta/")
    sqs.change_message_visibility(QueueUrl=aws_clients.queue_url("inbound"),
                                  ReceiptHandle=queued["ReceiptHandle"], VisibilityTimeout=0)  # fmt: skip
    run_inbound_worker()
    [ticket] = tickets_of(whatsapp["tenant"])
    assert messages_of(whatsapp["tenant"], ticket.number)[0].text.startswith('"¿stock?"')


def test_a_new_clients_name_is_searchable_and_the_assignee_is_notified(world, admin, whatsapp):
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    agent_id = world.call("GET", "/v1/me", agent).json["user"]["id"]
    world.call("PUT", "/v1/assignments", admin, {"agents": [
        {"user_id": agent_id, "auto_assign": True, "channels": [whatsapp["channel"]["id"]]}]})  # fmt: skip
    world.call("PUT", "/v1/me/presence", agent, {"presence": "online"})
    body = whatsapp_text()  # from "María José"
    world.api.post("/webhooks/meta", headers=signed(body), body=body)
    run_inbound_worker()
    found = world.call("GET", "/v1/search/tickets?name=jose", admin)
    assert found.status_code == 200, found.json
    assert [t["number"] for t in found.json["items"]] == [1]
    notes = world.call("GET", "/v1/notifications", agent).json
    assert notes["unread_count"] == 1 and notes["items"][0]["kind"] == "assigned"


def test_out_of_hours_replies_follow_the_business_hours_schedule(world, admin, whatsapp,
                                                                 frozen_clock):  # fmt: skip
    """The auto-reply's "outside business hours" is the SLA's Schedule (hours.py): a
    holiday is closed and a daylight-saving change moves the local opening; the quiet
    period between two replies of a ticket is calendar time."""
    from datetime import UTC, datetime

    changed = world.call("PATCH", f"/v1/channels/{whatsapp['channel']['id']}", admin, {"settings": {
        "business_hours": {"timezone": "America/Santiago", "holidays": ["2026-04-07"],
                           "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}},
        "auto_replies": {"quiet_period_minutes": 60,
                         "out_of_hours": {"enabled": True, "text": "Volvemos a las 9 🙂"}}}})  # fmt: skip
    assert changed.status_code == 200, changed.json
    sent = 0

    def client_writes_at(local: str) -> list[str]:
        nonlocal sent
        sent += 1
        frozen_clock.freeze(datetime.fromisoformat(local).astimezone(UTC))
        body = whatsapp_text(message_id=f"wamid.hours{sent}",
                             timestamp=str(int(frozen_clock.now().timestamp())))  # fmt: skip
        assert world.api.post("/webhooks/meta", headers=signed(body), body=body).status_code == 200
        run_inbound_worker()
        return [m.text for m in messages_of(whatsapp["tenant"], 1) if m.direction == "out"]

    # Chile left summer time the night before: 08:30 local is 12:30 UTC, which by the old
    # offset would have been 09:30 (open)
    assert client_writes_at("2026-04-06T08:30:00-04:00") == ["Volvemos a las 9 🙂"]
    assert len(client_writes_at("2026-04-06T08:50:00-04:00")) == 1  # within the quiet period
    assert len(client_writes_at("2026-04-06T10:00:00-04:00")) == 1  # open: no reply
    assert len(client_writes_at("2026-04-07T11:00:00-04:00")) == 2  # a holiday: closed
    assert len(client_writes_at("2026-04-08T11:00:00-04:00")) == 2  # a working day: open
    assert len(client_writes_at("2026-04-11T11:00:00-04:00")) == 3  # a Saturday: closed
