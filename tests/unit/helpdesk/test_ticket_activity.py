"""Around a ticket (SPEC §4, docs/helpdesk.md "Ticket activity"): comments, a message's
context, older messages, previous tickets, history, escalation and the bot switch — for
every role, across tenants, on read-only tickets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.clock import now
from chalicelib.domain.helpdesk.tickets import (
    apply_change,
    assignment_change,
    merge,
    status_change,
)
from chalicelib.mail.templates import render_escalation
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import AgentState, Client, Message
from tests.support.desk import Desk

PHONE = "106540352240001"
READERS = {"admin", "supervisor", "agent", "analyst", "stakeholder"}
WORKERS = {"admin", "supervisor", "agent", "stakeholder"}


# --- the world ----------------------------------------------------------------------------------
# One tenant with a WhatsApp channel, a user of every role and a second agent who does not serve
# the channel (``outsider``); tickets are opened by ingesting clients' messages.
@pytest.fixture
def desk(world):
    return Desk(world, phone_number_id=PHONE, agent_serves=True, default_caller="admin")


def integration_events() -> list[dict[str, Any]]:
    sqs, url = aws.client("sqs"), aws.queue_url("integrations")
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        found.extend(json.loads(m["Body"]) for m in batch)


def assert_field_error(response: Any, *loc: Any) -> None:
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert [*loc] in [d["loc"] for d in response.json["error"]["details"]], response.json


# --- comments ---------------------------------------------------------------------------------
def test_every_role_comments_and_reads_comments_as_the_access_table_says(world, desk):
    number = desk.write_in("Hola, ¿mi pedido?")
    path = f"/v1/tickets/{number}/comments"
    for role in desk.tokens:
        posted = desk.call("POST", path, role, {"text": f"nota de {role}"})
        expected = 201 if role in WORKERS else 403
        assert posted.status_code == expected, (role, posted.json)
        if expected == 403:
            assert posted.json["error"]["details"]["action"] == "tickets.work"
        listed = desk.call("GET", path, role)
        assert listed.status_code == (200 if role in READERS else 403), (role, listed.json)
    texts = [c["text"] for c in desk.call("GET", path).json["items"]]
    assert texts == [f"nota de {r}" for r in desk.tokens if r in WORKERS]  # oldest first
    # an agent who does not serve the channel learns nothing of the ticket
    assert desk.call("GET", path, "outsider").status_code == 404
    assert desk.call("POST", path, "outsider", {"text": "x"}).status_code == 404


def test_another_tenant_never_reads_nor_comments(world, desk):
    number = desk.write_in("Hola")
    desk.call("POST", f"/v1/tickets/{number}/comments", body={"text": "interna"})
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    for method, path, body in [
        ("GET", f"/v1/tickets/{number}/comments", None),
        ("POST", f"/v1/tickets/{number}/comments", {"text": "hola"}),
        ("GET", f"/v1/tickets/{number}/history", None),
        ("GET", f"/v1/tickets/{number}/previous", None),
        ("GET", f"/v1/tickets/{number}/messages", None),
        ("POST", f"/v1/tickets/{number}/escalate", {"email": "x@y.example.com"}),
        ("PUT", f"/v1/tickets/{number}/bot", {"enabled": True}),
    ]:
        response = world.call(method, path, other, body)
        assert response.status_code == 404, (method, path, response.json)
        assert response.json["error"]["code"] == "not_found"
    assert desk.ticket(number).status == "open" and not desk.ticket(number).bot


def test_replies_mentions_and_pages_of_comments(world, desk):
    number = desk.write_in("Hola")
    other = desk.write_in("Otra persona", sender="56987654321")
    path = f"/v1/tickets/{number}/comments"
    first = desk.call("POST", path, body={"text": "  ¿Alguien lo revisa?  "})
    assert first.status_code == 201 and first.json["text"] == "¿Alguien lo revisa?"
    root = first.json["id"]
    mentions = [desk.id("agent"), desk.id("supervisor"), desk.id("agent")]
    reply = desk.call("POST", path, "agent", {"text": "Yo", "reply_to": root, "mentions": mentions})
    assert reply.status_code == 201, reply.json
    assert reply.json["reply_to"] == root
    assert reply.json["mentions"] == [desk.id("agent"), desk.id("supervisor")]
    assert reply.json["author_id"] == desk.id("agent")
    nested = desk.call(
        "POST", path, "supervisor", {"text": "Gracias", "reply_to": reply.json["id"]}
    )
    assert nested.status_code == 201
    # a page at a time, oldest first, replies in place with their reply_to
    page = desk.call("GET", path + "?limit=2")
    assert [c["text"] for c in page.json["items"]] == ["¿Alguien lo revisa?", "Yo"]
    rest = desk.call("GET", path + f"?limit=2&cursor={page.json['next_cursor']}")
    assert [(c["text"], c["reply_to"]) for c in rest.json["items"]] == [
        ("Gracias", reply.json["id"])
    ]
    one = desk.call("GET", f"{path}/{root}")
    assert one.status_code == 200 and one.json["text"] == "¿Alguien lo revisa?"
    # a cursor of another ticket's comments is refused
    other_path = f"/v1/tickets/{other}/comments"
    desk.call("POST", other_path, body={"text": "a"})
    desk.call("POST", other_path, body={"text": "b"})
    other_cursor = desk.call("GET", other_path + "?limit=1").json["next_cursor"]
    refused = desk.call("GET", path + f"?cursor={other_cursor}")
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_cursor"
    # the tenant's integrations hear of each comment
    created = [e for e in integration_events() if e["event"] == "comment.created"]
    assert {e["data"]["comment_id"] for e in created} >= {root, reply.json["id"]}
    mentioned = next(e for e in created if e["data"]["comment_id"] == reply.json["id"])
    assert mentioned["data"]["mentions"] == [desk.id("agent"), desk.id("supervisor")]


def test_bad_comments_are_refused_with_the_field_named(world, desk):
    number = desk.write_in("Hola")
    other = desk.write_in("Otra persona", sender="56987654321")
    elsewhere = desk.call("POST", f"/v1/tickets/{other}/comments", body={"text": "ajena"}).json
    beta = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    beta_user = desk.me(beta)["id"]
    path = f"/v1/tickets/{number}/comments"
    for body, loc in [
        ({}, ("body", "text")),
        ({"text": "   "}, ("body", "text")),
        ({"text": "x" * 4001}, ("body", "text")),
        ({"text": "ok", "colour": "red"}, ("body", "colour")),
        ({"text": "ok", "mentions": "everyone"}, ("body", "mentions")),
        ({"text": "ok", "mentions": ["not-an-id"]}, ("body", "mentions", 0)),
        ({"text": "ok", "mentions": [beta_user]}, ("body", "mentions", 0)),  # another tenant's
        ({"text": "ok", "mentions": [desk.id("admin"), "0" * 26]}, ("body", "mentions", 1)),
        ({"text": "ok", "reply_to": elsewhere["id"]}, ("body", "reply_to")),  # another ticket's
        ({"text": "ok", "reply_to": "nope"}, ("body", "reply_to")),
    ]:
        assert_field_error(desk.call("POST", path, body=body), *loc)
    assert desk.call("GET", path).json["items"] == []
    assert desk.call("POST", path, body={"text": "x" * 4000}).status_code == 201


def test_a_comment_is_never_edited_nor_deleted(world, desk):
    number = desk.write_in("Hola")
    comment = desk.call("POST", f"/v1/tickets/{number}/comments", body={"text": "firme"}).json
    path = f"/v1/tickets/{number}/comments/{comment['id']}"
    for method in ("PATCH", "PUT", "DELETE"):
        for role in ("admin", "supervisor", "agent", "stakeholder"):
            refused = desk.call(method, path, role, {"text": "cambiada"})
            assert refused.status_code == 405, (method, role, refused.json)
            assert refused.json["error"]["code"] == "comment_immutable"
            assert "never edited nor deleted" in refused.json["error"]["message"]
            assert refused.headers["Allow"] == "GET"
        assert desk.call(method, path, "analyst").status_code == 403
        missing = f"/v1/tickets/{number}/comments/{'0' * 26}"
        assert desk.call(method, missing).status_code == 404
    assert desk.call("GET", path).json["text"] == "firme"


# --- read-only tickets ----------------------------------------------------------------------------
def test_merged_and_escalated_tickets_refuse_every_write_saying_why(world, desk):
    merged = desk.write_in("Primero")
    target = desk.write_in("Otra", sender="56987654321")
    escalated = desk.write_in("Tercera", sender="56911110000")
    merge(desk.principal(), merged, target)
    assert desk.call("POST", f"/v1/tickets/{escalated}/escalate",
                     body={"email": "legal@partner.example.com"}).status_code == 200  # fmt: skip
    writes = [
        ("POST", "comments", {"text": "nota"}),
        ("POST", "escalate", {"email": "otra@partner.example.com"}),
        ("PUT", "bot", {"enabled": True}),
    ]
    for number, code, words in [
        (merged, "ticket_merged", f"merged into ticket {target}"),
        (escalated, "ticket_escalated", "escalated to legal@partner.example.com"),
    ]:
        for method, what, body in writes:
            refused = desk.call(method, f"/v1/tickets/{number}/{what}", body=body)
            assert refused.status_code == 409, (number, what, refused.json)
            assert refused.json["error"]["code"] == code
            assert words in refused.json["error"]["message"]
        # reading stays possible
        for what in ("comments", "history", "previous", "messages"):
            assert desk.call("GET", f"/v1/tickets/{number}/{what}").status_code == 200


# --- messages: context and older pages ---------------------------------------------------------------
def test_the_context_of_a_message(world, desk):
    for i in range(30):
        number = desk.write_in(f"m{i:02d}")
    ids = [m["id"] for m in desk.call("GET", f"/v1/tickets/{number}/messages").json["items"]]
    assert len(ids) == 30
    path = f"/v1/tickets/{number}/messages/{ids[15]}/context"
    around = desk.call("GET", path + "?around=5").json
    assert around["message"]["text"] == "m15"
    assert [m["text"] for m in around["before"]] == ["m10", "m11", "m12", "m13", "m14"]
    assert [m["text"] for m in around["after"]] == ["m16", "m17", "m18", "m19", "m20"]
    assert around["more_before"] and around["more_after"]
    default = desk.call("GET", path).json  # 10 each side
    assert len(default["before"]) == 10 and len(default["after"]) == 10
    edge = desk.call("GET", f"/v1/tickets/{number}/messages/{ids[1]}/context?around=50").json
    assert [m["text"] for m in edge["before"]] == ["m00"] and len(edge["after"]) == 28
    assert not edge["more_before"] and not edge["more_after"]
    for role in desk.tokens:
        answered = desk.call("GET", path, role).status_code
        assert answered == (200 if role in READERS else 403), role
    assert desk.call("GET", path, "outsider").status_code == 404
    # not a message of this ticket
    other = desk.write_in("ajeno", sender="56987654321")
    foreign = desk.call("GET", f"/v1/tickets/{other}/messages").json["items"][0]["id"]
    for missing in (foreign, "20260302T120000000000Z-0000000000000000", "nope"):
        response = desk.call("GET", f"/v1/tickets/{number}/messages/{missing}/context")
        assert response.status_code == 404, missing
    for bad in ("0", "51", "x"):
        assert_field_error(desk.call("GET", path + f"?around={bad}"), "query", "around")


def test_scrolling_back_through_older_messages(world, desk):
    for i in range(60):
        number = desk.write_in(f"m{i:02d}")
    desk.write_out(number, "respuesta")
    path = f"/v1/tickets/{number}/messages"
    latest = desk.call("GET", path).json
    texts = [m["text"] for m in latest["items"]]
    assert len(texts) == 50 and texts[-1] == "respuesta" and texts[0] == "m11"
    older = desk.call("GET", path + f"?before={latest['next_before']}").json
    assert [m["text"] for m in older["items"]] == [f"m{i:02d}" for i in range(11)]
    assert older["next_before"] is None
    small = desk.call("GET", path + "?limit=3").json
    assert [m["text"] for m in small["items"]] == ["m58", "m59", "respuesta"]
    assert_field_error(desk.call("GET", path + "?limit=101"), "query", "limit")
    assert_field_error(desk.call("GET", path + "?before=yesterday"), "query", "before")
    assert desk.call("GET", path, "orders_admin").status_code == 403
    assert desk.call("GET", path, "outsider").status_code == 404


# --- previous tickets ---------------------------------------------------------------------------
def close(desk: Desk, number: int) -> None:
    apply_change(desk.principal(), number, lambda t: status_change(t, "closed", now()))


def test_previous_tickets_of_the_client_newest_first_as_the_caller_may_see(world, desk):
    first = desk.write_in("primera vez")
    close(desk, first)
    second = desk.write_in("segunda vez")
    close(desk, second)
    third = desk.write_in("tercera vez")
    desk.write_in("otra persona", sender="56987654321")
    listed = desk.call("GET", f"/v1/tickets/{third}/previous").json["items"]
    assert [(t["number"], t["status"]) for t in listed] == [(second, "closed"), (first, "closed")]
    assert listed[0]["last_message"]["text"] == "segunda vez"
    assert set(listed[0]) == {"number", "status", "created_at", "last_activity_at", "last_message"}
    assert [
        t["number"] for t in desk.call("GET", f"/v1/tickets/{first}/previous").json["items"]
    ] == [
        third,
        second,
    ]
    # the agent sees the unassigned tickets of their channel, not the supervisor's one
    apply_change(desk.principal(), second, lambda t: assignment_change(
        desk.principal(), t, desk.id("supervisor"), "manual"))  # fmt: skip
    as_agent = desk.call("GET", f"/v1/tickets/{third}/previous", "agent").json["items"]
    assert [t["number"] for t in as_agent] == [first]
    for role in desk.tokens:
        answered = desk.call("GET", f"/v1/tickets/{third}/previous", role).status_code
        assert answered == (200 if role in READERS else 403), role
    assert desk.call("GET", f"/v1/tickets/{third}/previous", "outsider").status_code == 404


# --- history ----------------------------------------------------------------------------------------
def test_history_lists_every_change_newest_first_and_ends_with_the_opening(world, desk):
    number = desk.write_in("Hola")
    apply_change(desk.principal("supervisor"), number,
                 lambda t: status_change(t, "pending", now()))  # fmt: skip
    hook = desk.call("POST", "/v1/integrations", "admin",
                     {"url": "https://bot.example.com/hook", "events": ["bot.message"]})  # fmt: skip
    assert hook.status_code == 201, hook.json
    on = desk.call("PUT", f"/v1/tickets/{number}/bot", body={"enabled": True})
    assert on.status_code == 200, on.json
    items = desk.call("GET", f"/v1/tickets/{number}/history").json
    assert items["next_cursor"] is None
    assert [(e["actor_id"], e["action"]) for e in items["items"]] == [
        (desk.id("admin"), "bot"),
        (desk.id("supervisor"), "status"),
        (None, "created"),
    ]
    bot, status, created = items["items"]
    assert (bot["before"], bot["after"]) == ({"bot": False}, {"bot": True})
    assert (status["before"], status["after"]) == ({"status": "open"}, {"status": "pending"})
    assert (
        created["after"]["status"] == "open" and created["after"]["channel_id"] == desk.channel_id
    )
    # a page at a time: the opening comes on the last one
    page = desk.call("GET", f"/v1/tickets/{number}/history?limit=1").json
    assert [e["action"] for e in page["items"]] == ["bot"]
    actions = []
    cursor = page["next_cursor"]
    while cursor:
        page = desk.call("GET", f"/v1/tickets/{number}/history?limit=1&cursor={cursor}").json
        actions += [e["action"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert actions == ["status", "created"]
    for role in desk.tokens:
        answered = desk.call("GET", f"/v1/tickets/{number}/history", role).status_code
        assert answered == (200 if role in READERS else 403), role
    assert desk.call("GET", f"/v1/tickets/{number}/history", "outsider").status_code == 404
    bad = desk.call("GET", f"/v1/tickets/{number}/history?cursor=forged")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_cursor"


def go_online(desk: Desk) -> None:
    desk.call("PUT", "/v1/assignments", body={"agents": [
        {"user_id": desk.id("agent"), "auto_assign": True, "channels": [desk.channel_id]}]})  # fmt: skip
    assert desk.call("PUT", "/v1/me/presence", "agent", {"presence": "online"}).status_code == 200


def test_history_shows_the_automatic_assignment_and_why(world, desk):
    go_online(desk)
    number = desk.write_in("Hola")
    assert desk.ticket(number).assignee_id == desk.id("agent")
    entries = desk.call("GET", f"/v1/tickets/{number}/history", "agent").json["items"]
    assert [(e["actor_id"], e["action"]) for e in entries] == [
        (None, "assigned automatically"),
        (None, "created"),
    ]
    assigned = entries[0]
    assert assigned["after"]["assignee_id"] == desk.id("agent")
    assert assigned["after"]["reason"]["chosen"] == desk.id("agent")
    assert "fewest open tickets" in assigned["after"]["reason"]["rule"]
    # reassigned by hand: the automatic assignee stays in the history
    apply_change(desk.principal(), number, lambda t: assignment_change(
        desk.principal(), t, desk.id("supervisor"), "vacaciones"))  # fmt: skip
    entries = desk.call("GET", f"/v1/tickets/{number}/history").json["items"]
    assert [e["action"] for e in entries] == ["assigned", "assigned automatically", "created"]
    assert entries[0]["before"] == {"assignee_id": desk.id("agent")}
    assert entries[0]["after"] == {"assignee_id": desk.id("supervisor")}
    assert entries[1]["after"]["assignee_id"] == desk.id("agent")


# --- escalation -------------------------------------------------------------------------------------
def test_escalation_emails_the_clients_last_100_messages_and_makes_the_ticket_read_only(
    world, desk
):
    go_online(desk)
    for i in range(105):
        number = desk.write_in(f"mensaje {i:03d}" + (" <b>urgente</b>" if i == 104 else ""))
    desk.write_out(number, "respuesta del agente")
    agent = (keys.tenant_pk(desk.tenant), keys.agent_state_sk(desk.id("agent")))
    assert int(AgentState.get(*agent).open_tickets) == 1
    desk.world.new_mail()  # invitations are not what this test reads
    body = {"email": "legal@partner.example.com", "note": "Por favor revisen el reclamo.\nGracias"}
    response = desk.call("POST", f"/v1/tickets/{number}/escalate", "agent", body)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "escalated"
    assert response.json["escalated_to"] == "legal@partner.example.com"
    [mail] = desk.world.new_mail()
    assert mail["To"] == "legal@partner.example.com"
    assert f"#{number}" in mail["Subject"] and "María José" in mail["Subject"]
    assert "Acme" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert text.index("Por favor revisen el reclamo.") < text.index("mensaje 005")
    assert "mensaje 004" not in text and "mensaje 005" in text and "mensaje 104" in text
    assert "respuesta del agente" not in text  # only the client's messages
    assert "Últimos 100 mensajes del cliente" in text and "America/Santiago" in text
    assert text.index("mensaje 005") < text.index("mensaje 104")  # oldest first
    html = mail.get_body(("html",)).get_content()
    assert "&lt;b&gt;urgente&lt;/b&gt;" in html and "<b>urgente</b>" not in html
    assert "Por favor revisen el reclamo." in html and "María José" in html
    assert mail["Reply-To"] == "agent@acme.example.com"  # the outside person answers the agent
    # the ticket: escalated, read-only, off the agent's load, the client released
    ticket = desk.ticket(number)
    assert ticket.status == "escalated" and ticket.escalated_to == "legal@partner.example.com"
    assert keys.queue_pk(desk.tenant, desk.id("agent"), active=False) == ticket.GSI2PK
    assert int(AgentState.get(*agent).open_tickets) == 0
    client = get_or_none(Client, keys.client_pk(desk.tenant, ticket.client_id), keys.client_sk())
    assert client.open_ticket is None
    assert desk.write_in("¿Hay novedades?") == number + 1  # Atiende keeps nothing more of it
    assert len(list(Message.query(keys.ticket_pk(desk.tenant, number)))) == 106
    history = desk.call("GET", f"/v1/tickets/{number}/history").json["items"]
    assert history[0]["action"] == "escalated" and history[0]["actor_id"] == desk.id("agent")
    assert history[0]["after"] == {"status": "escalated",
                                   "escalated_to": "legal@partner.example.com"}  # fmt: skip
    assert "ticket.escalated" in [e["event"] for e in integration_events()]
    again = desk.call("POST", f"/v1/tickets/{number}/escalate", body=body)
    assert again.status_code == 409 and again.json["error"]["code"] == "ticket_escalated"
    assert desk.world.new_mail() == []


def test_escalation_refusals(world, desk):
    number = desk.write_in("Hola")
    path = f"/v1/tickets/{number}/escalate"
    good = {"email": "legal@partner.example.com"}
    for body, loc in [
        ({}, ("body", "email")),
        ({"email": "not an address"}, ("body", "email")),
        ({"email": "legal@partner.example.com", "note": "x" * 2001}, ("body", "note")),
        ({"email": "legal@partner.example.com", "cc": "a@b.example.com"}, ("body", "cc")),
    ]:
        assert_field_error(desk.call("POST", path, body=body), *loc)
    for role in ("analyst", "orders_admin", "account_contact"):
        refused = desk.call("POST", path, role, good)
        assert refused.status_code == 403 and refused.json["error"]["details"]["action"] == (
            "tickets.work"
        )
    assert desk.call("POST", path, "outsider", good).status_code == 404
    close(desk, number)
    closed = desk.call("POST", path, body=good)
    assert closed.status_code == 409 and closed.json["error"]["code"] == "ticket_closed"
    assert "reopen" in closed.json["error"]["message"]
    assert desk.ticket(number).status == "closed"
    assert not [m for m in desk.world.new_mail() if "partner" in m["To"]]  # nothing was sent


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "es",
            (
                "te escala el ticket #7",
                "Nota de Ana Admin:",
                "adjunto: foto.jpg",
                "3 mensajes anteriores",
            ),
        ),
        (
            "pt",
            (
                "escala para você o ticket #7",
                "Nota de Ana Admin:",
                "anexo: foto.jpg",
                "3 mensagens anteriores",
            ),
        ),
        (
            "en",
            (
                "escalates ticket #7",
                "Note from Ana Admin:",
                "attachment: foto.jpg",
                "3 earlier messages",
            ),
        ),
    ],
)
def test_the_transcript_speaks_the_tenants_language(locale, words):
    email = render_escalation(
        locale, "legal@partner.example.com", tenant_id="t1",
        values={"number": 7, "client": "María", "channel": "Ventas (WhatsApp)",
                "sender": "Ana Admin", "company": "Acme", "timezone": "America/Santiago"},
        note="Revisen", entries=[("2026-03-02 09:00", "hola", ["foto.jpg"])], omitted=3,
        reply_to="ana@acme.example.com",
    )  # fmt: skip
    for word in words:
        assert word in email.text and word in (email.html or "")
    assert "#7" in email.subject and "María" in email.subject
    assert email.reply_to == "ana@acme.example.com" and email.kind == "escalation"
    assert email.text.index("Revisen") < email.text.index("hola")  # the note on top


# --- the bot ------------------------------------------------------------------------------------------
def test_the_bot_switch(world, desk):
    number = desk.write_in("Hola")
    path = f"/v1/tickets/{number}/bot"
    nobody = desk.call("PUT", path, "agent", {"enabled": True})  # the account has no bot yet
    assert nobody.status_code == 409 and nobody.json["error"]["code"] == "no_bot_integration"
    assert "bot.message" in nobody.json["error"]["message"] and not desk.ticket(number).bot
    hook = desk.call("POST", "/v1/integrations", "admin",
                     {"url": "https://bot.example.com/hook", "events": ["bot.message"]})  # fmt: skip
    assert hook.status_code == 201, hook.json
    on = desk.call("PUT", path, "agent", {"enabled": True})
    assert on.status_code == 200 and on.json["bot"] is True and desk.ticket(number).bot
    again = desk.call("PUT", path, "agent", {"enabled": True})
    assert again.status_code == 200 and again.json["version"] == on.json["version"]
    off = desk.call("PUT", path, "stakeholder", {"enabled": False})
    assert off.json["bot"] is False
    actions = [e["action"] for e in desk.call("GET", f"/v1/tickets/{number}/history").json["items"]]
    assert actions == ["bot", "bot", "created"]
    for body, loc in [({}, ("body", "enabled")), ({"enabled": "yes"}, ("body", "enabled"))]:
        assert_field_error(desk.call("PUT", path, body=body), *loc)
    for role in ("analyst", "orders_admin", "account_contact"):
        assert desk.call("PUT", path, role, {"enabled": True}).status_code == 403
    assert desk.call("PUT", path, "outsider", {"enabled": True}).status_code == 404
    assert desk.call("PUT", "/v1/tickets/999/bot", body={"enabled": True}).status_code == 404
