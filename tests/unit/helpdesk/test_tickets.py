"""The ticket (SPEC §4): view, status, assignment, important, merge, next, replies."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from desk_world import Desk, World

from chalicelib import aws
from chalicelib.domain.accounts.settings_items import QUICK_REPLIES  # noqa: F401
from chalicelib.domain.inbound.ingest import client_id_for
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import AgentState, Client


@pytest.fixture
def desk(api, mailbox):
    return Desk(World(api, mailbox))


def outbound_bodies():
    sqs = aws.client("sqs")
    found = sqs.receive_message(QueueUrl=aws.queue_url("outbound"), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]


def load(desk, user_id):
    state = get_or_none(AgentState, keys.tenant_pk(desk.tenant), keys.agent_state_sk(user_id))
    return int(state.open_tickets)


def test_the_ticket_view_has_its_messages_and_whatsapp_window(desk):
    desk.client_writes(text="Hola")
    desk.client_writes(text="¿Hay stock? 👟")
    ticket = desk.call("GET", "/v1/tickets/1", desk.admin)
    assert ticket.status_code == 200
    assert [m["text"] for m in ticket.json["messages"]] == ["Hola", "¿Hay stock? 👟"]
    assert ticket.json["reply_window_closes_at"] is not None
    assert desk.call("GET", "/v1/tickets/2", desk.admin).status_code == 404
    assert desk.call("GET", "/v1/tickets/abc", desk.admin).status_code == 404


def test_an_agent_sees_only_their_tickets_and_the_unassigned_of_their_channels(desk):
    pat, _ = desk.person("pat@acme.example.com", "agent", online=True)
    lee, _ = desk.person("lee@acme.example.com", "agent")
    desk.client_writes()
    assert desk.call("GET", "/v1/tickets/1", lee).status_code == 404  # pat's ticket
    assert desk.call("GET", "/v1/tickets/1", pat).status_code == 200
    assert desk.call("PUT", "/v1/me/presence", pat, {"presence": "offline"}).status_code == 200
    desk.client_writes(sender="56900000009")  # nobody online: unassigned, lee serves the channel
    assert desk.call("GET", "/v1/tickets/2", lee).status_code == 200


def test_close_releases_the_client_and_the_next_message_opens_a_new_ticket(desk):
    _, pat_id = desk.person("pat@acme.example.com", "agent", online=True)
    desk.client_writes()
    assert load(desk, pat_id) == 1
    closed = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "closed"})
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed" and closed.json["closed_at"]
    assert load(desk, pat_id) == 0
    desk.client_writes(text="otra cosa")
    assert desk.call("GET", "/v1/tickets/2", desk.admin).json["messages"][0]["text"] == "otra cosa"
    reopened = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "open"})
    assert reopened.status_code == 409
    assert "already has ticket 2 open" in reopened.json["error"]["message"]
    assert desk.call("PATCH", "/v1/tickets/2", desk.admin, {"status": "closed"}).status_code == 200
    assert (
        desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "open"}).json["status"] == "open"
    )
    client = Client.get(keys.client_pk(desk.tenant, client_id_for(desk.channel_id, "56912345678")),
                        keys.client_sk())  # fmt: skip
    assert client.open_ticket == 1


def test_pending_sentiment_and_bad_input(desk):
    desk.client_writes()
    changed = desk.call("PATCH", "/v1/tickets/1", desk.admin,
                        {"status": "pending", "sentiment_end": "happy"})  # fmt: skip
    assert changed.json["status"] == "pending" and changed.json["sentiment_end"] == "happy"
    bad = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"sentiment_end": "furious"})
    assert bad.status_code == 400 and bad.json["error"]["details"][0]["loc"][-1] == "sentiment_end"
    unknown = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"department_id": "nope"})
    assert unknown.status_code == 400
    assert desk.call("PATCH", "/v1/tickets/1", desk.admin, {"colour": "red"}).status_code == 400


def test_important_cannot_be_undone(desk):
    desk.client_writes()
    assert desk.call("POST", "/v1/tickets/1/important", desk.admin).json["important"] is True
    again = desk.call("POST", "/v1/tickets/1/important", desk.admin)
    assert again.status_code == 409 and "cannot be undone" in again.json["error"]["message"]
    clear = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"important": False})
    assert clear.status_code == 409 and "cannot be undone" in clear.json["error"]["message"]


def test_assignment_by_hand_needs_the_permission(desk):
    desk.client_writes()
    pat, pat_id = desk.person("pat@acme.example.com", "agent")
    sam, _ = desk.person("sam@acme.example.com", "agent", permissions=["transfer_conversations"])
    boss, _ = desk.person("boss@acme.example.com", "supervisor")
    _, analyst_id = desk.person("ann@acme.example.com", "analyst")
    assert desk.call("PUT", "/v1/tickets/1/assignee", pat, {"user_id": pat_id}).status_code == 403
    bad = desk.call("PUT", "/v1/tickets/1/assignee", boss, {"user_id": analyst_id})
    assert (
        bad.status_code == 400 and "active admin, supervisor, agent" in bad.json["error"]["message"]
    )
    given = desk.call("PUT", "/v1/tickets/1/assignee", boss, {"user_id": pat_id})
    assert given.status_code == 200 and given.json["assignee_id"] == pat_id
    assert load(desk, pat_id) == 1
    moved = desk.call("PUT", "/v1/tickets/1/assignee", sam, {"user_id": None})
    assert moved.status_code == 404  # sam sees neither pat's tickets nor may reach them
    back = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin, {"user_id": None})
    assert back.json["assignee_id"] is None and load(desk, pat_id) == 0


def test_next_ticket_for_the_dispenser(desk):
    plain, _ = desk.person("pat@acme.example.com", "agent")
    dispenser, dispenser_id = desk.person("dee@acme.example.com", "agent",
                                          permissions=["conversation_dispenser"])  # fmt: skip
    assert desk.call("POST", "/v1/tickets/next", plain).status_code == 403
    assert desk.call("POST", "/v1/tickets/next", dispenser).status_code == 404
    desk.client_writes(sender="56900000001")
    desk.client_writes(sender="56900000002")
    taken = desk.call("POST", "/v1/tickets/next", dispenser)
    assert taken.status_code == 200 and taken.json["number"] == 1
    assert taken.json["assignee_id"] == dispenser_id
    assert desk.call("POST", "/v1/tickets/next", dispenser).json["number"] == 2
    assert desk.call("POST", "/v1/tickets/next", dispenser).status_code == 404


def test_merge_is_atomic_and_leaves_a_read_only_pointer(desk):
    desk.client_writes(sender="56900000001", text="uno")
    desk.client_writes(sender="56900000002", text="dos")
    desk.client_writes(sender="56900000003", text="tres")
    assert desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 1}).status_code == 409
    desk.call("PATCH", "/v1/tickets/3", desk.admin, {"status": "closed"})
    into_closed = desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 3})
    assert into_closed.status_code == 409 and "closed" in into_closed.json["error"]["message"]
    merged = desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 2})
    assert merged.status_code == 200, merged.json
    assert merged.json["status"] == "merged" and merged.json["merged_into"] == 2
    target = desk.call("GET", "/v1/tickets/2", desk.admin).json
    assert sorted(m["text"] for m in target["messages"]) == ["dos", "uno"]
    assert target["merged_from"] == [1]
    for attempt in (
        desk.call("POST", "/v1/tickets/1/messages", desk.admin, {"text": "hola"}),
        desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "closed"}),
        desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 2}),
        desk.call("POST", "/v1/tickets/2/merge", desk.admin, {"into": 1}),
    ):
        assert attempt.status_code == 409, attempt.json
        assert (
            "merged into ticket 2" in attempt.json["error"]["message"]
            or "merge only into" in attempt.json["error"]["message"]
        )
    # the merged ticket's client writes again: a new ticket, not the read-only one
    desk.client_writes(sender="56900000001", text="sigo aquí")
    assert desk.call("GET", "/v1/tickets/4", desk.admin).json["messages"][0]["text"] == "sigo aquí"


def test_a_reply_is_queued_and_the_answering_agent_takes_the_ticket(desk):
    pat, pat_id = desk.person("pat@acme.example.com", "agent", online=True)
    sam, sam_id = desk.person("sam@acme.example.com", "stakeholder")
    desk.client_writes(name="María José")
    assert desk.call("GET", "/v1/tickets/1", pat).json["assignee_id"] == pat_id
    QUICK = desk.call("POST", "/v1/quick-replies", desk.admin,
                      {"shortcut": "hola", "text": "¡Hola {{client.first_name}}! Soy {{agent.first_name}} 😊"})  # fmt: skip
    assert QUICK.status_code == 201, QUICK.json
    sent = desk.call("POST", "/v1/tickets/1/messages", sam, {"text": "/hola ¿en qué te ayudo?"})
    assert sent.status_code == 201, sent.json
    assert sent.json["text"] == "¡Hola María! Soy Pat 😊\n¿en qué te ayudo?"
    assert sent.json["status"] == "queued" and sent.json["direction"] == "out"
    ticket = desk.call("GET", "/v1/tickets/1", desk.admin).json
    assert ticket["assignee_id"] == sam_id and ticket["first_response_at"]
    assert load(desk, pat_id) == 0
    [queued] = outbound_bodies()
    assert queued == {"type": "send_message", "tenant_id": desk.tenant, "ticket_number": 1,
                      "message_id": sent.json["id"]}  # fmt: skip


def test_reply_rules(desk):
    desk.client_writes()
    attachment = {"s3_key": f"uploads/{desk.tenant}/2026/11/x/a.pdf", "content_type": "application/pdf",
                  "filename": "a.pdf", "size": 10}  # fmt: skip
    public = desk.call("POST", "/v1/tickets/1/messages", desk.admin,
                       {"text": "ver", "public": True, "attachments": [attachment]})  # fmt: skip
    assert public.status_code == 400
    assert public.json["error"]["message"] == "Attachments go only in private messages."
    foreign = dict(attachment, s3_key="uploads/other-tenant/a.pdf")
    assert desk.call("POST", "/v1/tickets/1/messages", desk.admin,
                     {"text": "ver", "attachments": [foreign]}).status_code == 400  # fmt: skip
    ok = desk.call(
        "POST", "/v1/tickets/1/messages", desk.admin, {"text": "ver", "attachments": [attachment]}
    )
    assert ok.status_code == 201 and ok.json["attachments"][0]["filename"] == "a.pdf"
    empty = desk.call("POST", "/v1/tickets/1/messages", desk.admin, {"text": "  "})
    assert empty.status_code == 400
    unknown = desk.call(
        "POST", "/v1/tickets/1/messages", desk.admin, {"text": "x", "quick_reply": "nada"}
    )
    assert unknown.status_code == 400 and "no quick reply" in unknown.json["error"]["message"]
    other = desk.call(
        "POST", "/v1/tickets/1/messages", desk.admin, {"text": "x", "reply_to": "nope"}
    )
    assert other.status_code == 400
    analyst, _ = desk.person("ann@acme.example.com", "analyst")
    assert desk.call("POST", "/v1/tickets/1/messages", analyst, {"text": "x"}).status_code == 403
    desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "closed"})
    closed = desk.call("POST", "/v1/tickets/1/messages", desk.admin, {"text": "x"})
    assert closed.status_code == 409 and "reopen it" in closed.json["error"]["message"]


def test_whatsapp_free_text_after_24_hours_is_refused(desk):
    from chalicelib.clock import now

    desk.client_writes(at=int(now().timestamp()) - 25 * 3600)
    refused = desk.call("POST", "/v1/tickets/1/messages", desk.admin, {"text": "¿sigues ahí?"})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "whatsapp_window_closed"
    assert "approved template" in refused.json["error"]["message"]
    created = desk.call("POST", "/v1/templates", desk.admin, {
        "name": "seguimiento", "language": "es", "category": "UTILITY",
        "body": "Hola {{1}}, ¿pudimos ayudarte?"})  # fmt: skip
    assert created.status_code == 201, created.json
    sent = desk.call("POST", "/v1/tickets/1/messages", desk.admin, {"template": {
        "name": "seguimiento", "language": "es", "parameters": ["María"]}})  # fmt: skip
    assert sent.status_code == 201, sent.json
    assert sent.json["text"] == "Hola María, ¿pudimos ayudarte?"


@pytest.mark.ddb_local  # a real engine: moto's table is not safe across threads
def test_two_agents_replying_and_reassigning_at_once_lose_nothing(desk):
    _, a_id = desk.person("a@acme.example.com", "agent", permissions=["transfer_conversations"])
    _, b_id = desk.person("b@acme.example.com", "agent", permissions=["transfer_conversations"])
    boss, _ = desk.person("boss@acme.example.com", "supervisor")
    desk.client_writes()

    def act(i):
        if i % 3 == 0:
            return desk.call("POST", "/v1/tickets/1/messages", boss, {"text": f"respuesta {i}"})
        who = a_id if i % 2 else b_id
        return desk.call("PUT", "/v1/tickets/1/assignee", boss, {"user_id": who})

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(act, range(12)))
    assert all(r.status_code in (200, 201) for r in results), [
        (r.status_code, r.json) for r in results if r.status_code >= 300
    ]
    ticket = desk.call("GET", "/v1/tickets/1", desk.admin).json
    replies = [m for m in ticket["messages"] if m["direction"] == "out"]
    assert len(replies) == 4
    history = desk.call("GET", "/v1/tickets/1/history?limit=100", desk.admin)
    if history.status_code == 200:  # the history route (api/ticket_activity.py)
        assigned = [e for e in history.json["items"] if e["action"] == "assigned"]
        latest = max(e["at"] for e in assigned)  # entries of one millisecond are unordered
        assert ticket["assignee_id"] in [
            e["after"]["assignee_id"] for e in assigned if e["at"] == latest
        ]
    total = sum(load(desk, u) for u in (a_id, b_id) if get_or_none(
        AgentState, keys.tenant_pk(desk.tenant), keys.agent_state_sk(u)))  # fmt: skip
    assert total == (1 if ticket["assignee_id"] in (a_id, b_id) else 0)
