"""The tenant's bot (SPEC §4 "Bot"): while a ticket's bot is on, the client's messages go
to the bot (its webhook subscribed to ``bot.message``, a real HTTP server here) and the
bot answers through ``POST /v1/bot/tickets/{number}/messages``, signed with its secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.clock import now
from tests.support.desk import Desk, World, bot_signed, run_worker
from tests.support.fakes import FakeProvider, serving

SECRET = "whsec_bot-Secret-7d1e8b4f9c2a"


@pytest.fixture
def desk(api, mailbox):
    return Desk(World(api, mailbox))


@pytest.fixture
def bot_server() -> Iterator[FakeProvider]:
    with serving(FakeProvider()) as fake:
        for _ in range(10):
            fake.queue("/bot", 200, {"ok": True})
        yield fake


def connect_bot(desk: Desk, url: str, events: tuple[str, ...] = ("bot.message",)) -> str:
    hook = desk.call("POST", "/v1/integrations", desk.admin,
                     {"url": url, "events": list(events), "secret": SECRET})  # fmt: skip
    assert hook.status_code == 201, hook.json
    return str(hook.json["id"])


def bot_on(desk: Desk, number: int = 1, enabled: bool = True) -> None:
    switched = desk.call("PUT", f"/v1/tickets/{number}/bot", desk.admin, {"enabled": enabled})
    assert switched.status_code == 200, switched.json


def heard(bot: FakeProvider) -> list[dict[str, Any]]:
    """The bot.message deliveries the bot received, checked against their signature."""
    run_worker("deliver_integrations")
    found = []
    for request in bot.requests:
        stamp = request.headers["x-atiende-timestamp"]
        mac = hmac.new(SECRET.encode(), stamp.encode() + b"." + request.body, hashlib.sha256)
        assert request.headers["x-atiende-signature"] == "sha256=" + mac.hexdigest()
        if request.headers["x-atiende-event"] == "bot.message":
            found.append(request.json)
    return found


def signed(desk: Desk, hook_id: str, body: dict[str, Any], secret: str = SECRET,
           stamp: int | None = None, tenant: str | None = None) -> dict[str, str]:  # fmt: skip
    return bot_signed(desk, hook_id, body, secret, stamp, tenant)


def answer(desk: Desk, hook_id: str, body: dict[str, Any], number: int = 1, **signing: Any) -> Any:
    return desk.world.api.post(f"/v1/bot/tickets/{number}/messages",
                               headers=signed(desk, hook_id, body, **signing),
                               body=json.dumps(body))  # fmt: skip


def status_and_code(response: Any) -> tuple[int, str]:
    return response.status_code, json.loads(response.body)["error"]["code"]


def test_the_bot_hears_the_client_and_answers_once_through_the_api(desk, bot_server):
    desk.client_writes(text="Hola")
    hook_id = connect_bot(desk, bot_server.url + "/bot")
    bot_on(desk)
    run_worker("deliver_integrations")
    bot_server.requests.clear()

    desk.client_writes(text="¿Tienen envío a Arica? 🚚")
    [event] = heard(bot_server)
    assert event["event"] == "bot.message" and event["tenant_id"] == desk.tenant
    data = event["data"]
    assert data["ticket"] == 1 and data["text"] == "¿Tienen envío a Arica? 🚚"
    assert data["channel_type"] == "whatsapp" and data["client_name"] == "María José"
    before = desk.call("GET", "/v1/tickets/1", desk.admin).json
    assert data["message_id"] in [m["id"] for m in before["messages"]]

    body = {"id": "answer-1", "text": "Sí, llegamos a Arica en 3 días 😊",
            "reply_to": data["message_id"]}  # fmt: skip
    sent = answer(desk, hook_id, body)
    assert sent.status_code == 201, sent.body
    first = json.loads(sent.body)
    assert first["repeated"] is False and first["status"] == "queued"
    again = answer(desk, hook_id, body)  # a retry of the same answer
    assert again.status_code == 201 and json.loads(again.body)["id"] == first["id"]
    assert json.loads(again.body)["repeated"] is True

    after = desk.call("GET", "/v1/tickets/1", desk.admin).json
    bots = [m for m in after["messages"] if m["direction"] == "out"]
    assert [(m["id"], m["author_id"], m["text"]) for m in bots] == [
        (first["id"], f"bot:{hook_id}", "Sí, llegamos a Arica en 3 días 😊")
    ]
    # the bot neither takes the ticket nor counts as a person's first response
    assert after["assignee_id"] == before["assignee_id"]
    assert after["first_response_at"] is None
    run_worker("send_outbound")
    sent_message = desk.call("GET", "/v1/tickets/1", desk.admin).json["messages"][-1]
    assert sent_message["id"] == first["id"] and sent_message["status"] == "sent"


def test_with_the_bot_off_the_client_is_not_sent_to_it(desk, bot_server):
    desk.client_writes(text="Hola")
    connect_bot(desk, bot_server.url + "/bot")
    bot_on(desk)
    bot_on(desk, enabled=False)
    run_worker("deliver_integrations")
    desk.client_writes(text="¿Alguien?")
    assert heard(bot_server) == []


def test_only_a_signed_call_of_the_accounts_bot_is_taken(desk, bot_server, frozen_clock):
    desk.client_writes(text="Hola")
    hook_id = connect_bot(desk, bot_server.url + "/bot")
    other_hook = connect_bot(desk, bot_server.url + "/other", events=("ticket.created",))
    body = {"id": "a-1", "text": "Hola, soy el bot"}

    unsigned = desk.world.api.post("/v1/bot/tickets/1/messages", body=json.dumps(body),
                                   headers={"Content-Type": "application/json"})  # fmt: skip
    assert status_and_code(unsigned) == (401, "bot_unauthorized")
    assert "X-Atiende-Signature" in json.loads(unsigned.body)["error"]["message"]
    wrong = answer(desk, hook_id, body, secret="whsec_not-the-secret")
    assert status_and_code(wrong) == (401, "bot_unauthorized")
    assert "does not match" in json.loads(wrong.body)["error"]["message"]
    stale = answer(desk, hook_id, body, stamp=int((now() - timedelta(minutes=6)).timestamp()))
    assert status_and_code(stale) == (401, "bot_unauthorized")
    assert "current Unix time" in json.loads(stale.body)["error"]["message"]
    elsewhere = answer(desk, hook_id, body, tenant="01someoneelse000000000000")
    assert status_and_code(elsewhere) == (401, "bot_unauthorized")
    not_the_bot = answer(desk, other_hook, body)
    assert status_and_code(not_the_bot) == (401, "bot_unauthorized")
    assert "bot.message" in json.loads(not_the_bot.body)["error"]["message"]
    # a stranger's bad body is a 401 too: the signature is checked before the body
    garbage = desk.world.api.post("/v1/bot/tickets/1/messages", body="{not json",
                                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert garbage.status_code == 401

    off = answer(desk, hook_id, body)
    assert status_and_code(off) == (409, "bot_off")
    bot_on(desk)
    assert answer(desk, hook_id, body, number=99).status_code == 404
    empty = answer(desk, hook_id, {"id": "a-2", "text": ""})
    assert empty.status_code == 400
    assert json.loads(empty.body)["error"]["details"][0]["loc"] == ["body", "text"]
    unknown = answer(desk, hook_id, {"id": "a-3", "text": "hola", "reply_to": "nope"})
    assert status_and_code(unknown) == (400, "reply_to")
    messages = desk.call("GET", "/v1/tickets/1", desk.admin).json["messages"]
    assert [m for m in messages if m["direction"] == "out"] == []  # nothing was stored
