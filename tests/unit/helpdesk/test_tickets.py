"""The ticket (SPEC §4): view, status, assignment, important, merge, next, replies."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import aws
from chalicelib.domain.accounts.settings_items import QUICK_REPLIES  # noqa: F401
from chalicelib.domain.inbound.ingest import client_id_for
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import AgentState, Client
from chalicelib.store.meter import measure
from tests.support.desk import Desk, World, run_effects


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
    refused(unknown, 400, "There is no such department.", ("body", "department_id"))
    extra = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"colour": "red"})
    refused(extra, 400, "", ("body", "colour"))
    status = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "escalated"})
    refused(status, 400, "", ("body", "status"))  # escalate and merge have their own routes


def define_field(desk, key, applies_to, kind="text", **body):
    made = desk.call("POST", "/v1/custom-fields", desk.admin, {
        "applies_to": applies_to, "key": key, "label": key.title(), "type": kind, **body})  # fmt: skip
    assert made.status_code == 201, made.json


def refused(response, status, message, loc=None):
    """The status, the message (a part of it) and, for a 400, the field named in details."""
    assert response.status_code == status, response.json
    assert message in response.json["error"]["message"], response.json
    if loc is not None:
        assert list(loc) in [d["loc"] for d in response.json["error"]["details"]], response.json


def stored(desk, number):
    """The ticket view without what depends on the clock (seconds left to deadlines)."""
    view = desk.call("GET", f"/v1/tickets/{number}", desk.admin).json
    view.pop("sla_time_left", None)
    return view


def test_patch_takes_only_the_accounts_departments_groups_tags_and_ticket_fields(desk):
    desk.client_writes()
    department = desk.call("POST", "/v1/departments", desk.admin, {"name": "Ventas"}).json["id"]
    group = desk.call("POST", "/v1/agent-groups", desk.admin, {"name": "Turno", "members": []})
    assert group.status_code == 201, group.json
    tag = desk.call("POST", "/v1/tags", desk.admin, {"name": "VIP"}).json["id"]
    define_field(desk, "priority", "ticket", "select", options=["Alta", "Baja"])
    define_field(desk, "order_no", "ticket", "number")
    define_field(desk, "segment", "client")
    beta = desk.world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    their_department = desk.call("POST", "/v1/departments", beta, {"name": "Ventas"}).json["id"]
    their_group = desk.call("POST", "/v1/agent-groups", beta, {"name": "Turno", "members": []})
    their_tag = desk.call("POST", "/v1/tags", beta, {"name": "VIP"}).json["id"]
    before = stored(desk, 1)
    fields_bad = "Some custom fields are not valid"
    for body, message, loc in [
        ({"department_id": "nope"}, "There is no such department.", ("body", "department_id")),
        ({"department_id": their_department}, "There is no such department.",
         ("body", "department_id")),
        ({"group_id": "nope"}, "There is no such agent group.", ("body", "group_id")),
        ({"group_id": their_group.json["id"]}, "There is no such agent group.",
         ("body", "group_id")),
        ({"tags": [tag, their_tag]}, f"Unknown tags: {their_tag}; use the account's tags",
         ("body", "tags")),
        ({"metadata": {"priority": "Urgente"}}, f"{fields_bad}: priority.",
         ("body", "metadata", "priority")),
        ({"metadata": {"order_no": "diez"}}, f"{fields_bad}: order_no.",
         ("body", "metadata", "order_no")),
        ({"metadata": {"segment": "B2B"}}, f"{fields_bad}: segment.",  # a client's field
         ("body", "metadata", "segment")),
        ({"sentiment_start": "furious"}, "", ("body", "sentiment_start")),
        # the valid parts of a refused change are not applied either
        ({"status": "closed", "important": True, "department_id": department, "tags": ["nope"]},
         "Unknown tags: nope", ("body", "tags")),
    ]:  # fmt: skip
        refused(desk.call("PATCH", "/v1/tickets/1", desk.admin, body), 400, message, loc)
    assert stored(desk, 1) == before  # nothing half-written
    changed = desk.call("PATCH", "/v1/tickets/1", desk.admin, {
        "department_id": department, "group_id": group.json["id"], "tags": [tag, tag],
        "metadata": {"priority": "ALTA", "order_no": 10}, "sentiment_start": "angry",
        "sentiment_end": "happy"})  # fmt: skip
    assert changed.status_code == 200, changed.json
    ticket = changed.json
    assert (ticket["department_id"], ticket["group_id"], ticket["tags"]) == (
        department, group.json["id"], [tag])  # fmt: skip
    assert ticket["metadata"] == {"priority": "Alta", "order_no": 10}
    assert (ticket["sentiment_start"], ticket["sentiment_end"]) == ("angry", "happy")
    [entry] = [e for e in desk.call("GET", "/v1/tickets/1/history", desk.admin).json["items"]
               if e["action"] == "updated"]  # fmt: skip
    assert entry["before"]["department_id"] is None and entry["before"]["metadata"] == {}
    assert entry["after"]["department_id"] == department
    assert entry["after"]["metadata"] == {"priority": "Alta", "order_no": 10}
    cleared = desk.call("PATCH", "/v1/tickets/1", desk.admin, {"department_id": None, "tags": []})
    assert cleared.json["department_id"] is None and cleared.json["tags"] == []


def history(desk, number):
    """The ticket's recorded changes, oldest first (without the synthesised opening)."""
    items = desk.call("GET", f"/v1/tickets/{number}/history", desk.admin).json["items"]
    return [e for e in reversed(items) if e["actor_id"] is not None]


def test_a_patch_of_important_tags_and_status_is_one_transaction_with_an_entry_each(desk):
    desk.client_writes()
    tag = desk.call("POST", "/v1/tags", desk.admin, {"name": "VIP"}).json["id"]
    admin_id = desk.call("GET", "/v1/me", desk.admin).json["user"]["id"]
    with measure() as meter:
        changed = desk.call("PATCH", "/v1/tickets/1", desk.admin,
                            {"important": True, "tags": [tag], "status": "closed"})  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert (changed.json["important"], changed.json["tags"], changed.json["status"]) == (
        True, [tag], "closed")  # fmt: skip
    writes = {op: n for op, n in meter.summary()["by_operation"].items()
              if op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                        "TransactWriteItems")}  # fmt: skip
    assert writes == {"TransactWriteItems": 1}, meter.summary()
    entries = history(desk, 1)
    assert [(e["action"], e["before"], e["after"]) for e in entries] == [
        ("important", {"important": False}, {"important": True}),
        ("updated", {"tags": []}, {"tags": [tag]}),
        ("status", {"status": "open"}, {"status": "closed"}),
    ]
    assert {e["actor_id"] for e in entries} == {admin_id}
    assert entries[0]["at"] <= entries[1]["at"] <= entries[2]["at"]


def test_a_patch_whose_status_is_refused_writes_none_of_its_parts(desk):
    desk.client_writes()
    assert desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "closed"}).status_code == 200
    desk.client_writes(text="otra cosa")  # the client's ticket 2 is now the open one
    tag = desk.call("POST", "/v1/tags", desk.admin, {"name": "VIP"}).json["id"]
    before, recorded = stored(desk, 1), history(desk, 1)
    reopened = desk.call("PATCH", "/v1/tickets/1", desk.admin,
                         {"important": True, "tags": [tag], "sentiment_end": "happy",
                          "status": "open"})  # fmt: skip
    refused(reopened, 409, "already has ticket 2 open")
    assert reopened.json["error"]["code"] == "client_has_open_ticket"
    after = stored(desk, 1)
    assert (after["important"], after["tags"], after["sentiment_end"]) == (False, [], "neutral")
    assert after == before and history(desk, 1) == recorded


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
    refused(desk.call("POST", "/v1/tickets/next", plain), 403,
            "does not allow this: take the next waiting ticket")  # fmt: skip
    refused(desk.call("POST", "/v1/tickets/next", dispenser), 404,
            "No ticket is waiting on your channels.")  # fmt: skip
    desk.client_writes(sender="56900000001")
    desk.client_writes(sender="56900000002")
    taken = desk.call("POST", "/v1/tickets/next", dispenser)
    assert taken.status_code == 200 and taken.json["number"] == 1
    assert taken.json["assignee_id"] == dispenser_id
    assert desk.call("POST", "/v1/tickets/next", dispenser).json["number"] == 2
    refused(desk.call("POST", "/v1/tickets/next", dispenser), 404,
            "No ticket is waiting on your channels.")  # fmt: skip


def test_merge_is_atomic_and_leaves_a_read_only_pointer(desk):
    desk.client_writes(sender="56900000001", text="uno")
    desk.client_writes(sender="56900000002", text="dos")
    desk.client_writes(sender="56900000003", text="tres")
    refused(desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 1}), 409,
            "cannot be merged into itself")  # fmt: skip
    desk.call("PATCH", "/v1/tickets/3", desk.admin, {"status": "closed"})
    into_closed = desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 3})
    assert into_closed.status_code == 409 and "closed" in into_closed.json["error"]["message"]
    merged = desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 2})
    assert merged.status_code == 200, merged.json
    assert merged.json["status"] == "merged" and merged.json["merged_into"] == 2
    run_effects()  # the merged ticket's record copies its messages into the target
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


def test_a_merge_is_in_the_history_of_both_tickets(desk):
    for n in range(1, 4):
        desk.client_writes(sender=f"5690000000{n}", text=f"t{n}")
    admin_id = desk.call("GET", "/v1/me", desk.admin).json["user"]["id"]
    assert desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 2}).status_code == 200
    assert desk.call("POST", "/v1/tickets/3/merge", desk.admin, {"into": 2}).status_code == 200
    [first] = [e for e in history(desk, 1) if e["action"] == "merged"]
    [third] = [e for e in history(desk, 3) if e["action"] == "merged"]
    assert [(e["actor_id"], e["action"], e["before"], e["after"], e["at"])
            for e in history(desk, 2)] == [
        (admin_id, "merged_in", {"merged_from": []}, {"merged_from": [1]}, first["at"]),
        (admin_id, "merged_in", {"merged_from": [1]}, {"merged_from": [1, 3]}, third["at"]),
    ]  # fmt: skip


def test_merge_refusals_say_why_and_change_nothing(desk):
    for n in range(1, 6):
        desk.client_writes(sender=f"5690000000{n}", text=f"t{n}")
    assert desk.call("PATCH", "/v1/tickets/3", desk.admin, {"status": "closed"}).status_code == 200
    escalated = desk.call("POST", "/v1/tickets/4/escalate", desk.admin,
                          {"email": "legal@partner.example.com"})  # fmt: skip
    assert escalated.status_code == 200, escalated.json
    assert desk.call("POST", "/v1/tickets/5/merge", desk.admin, {"into": 2}).status_code == 200
    before = stored(desk, 1)
    for into, status, code, message in [
        (1, 409, "merge_into_itself", "A ticket cannot be merged into itself."),
        (3, 409, "merge_target_not_open", "Ticket 3 is closed: merge only into an open ticket."),
        (4, 409, "merge_target_not_open",
         "Ticket 4 is escalated: merge only into an open ticket."),
        (5, 409, "merge_target_not_open", "Ticket 5 is merged: merge only into an open ticket."),
        (99, 404, "not_found", "There is no such ticket."),
    ]:  # fmt: skip
        response = desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": into})
        refused(response, status, message)
        assert response.json["error"]["code"] == code, response.json
    refused(desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 0}), 400, "",
            ("body", "into"))  # fmt: skip
    # a read-only ticket is not merged anywhere either
    for source, message in [(4, "Ticket 4 was escalated to legal@partner.example.com"),
                            (5, "Ticket 5 was merged into ticket 2")]:  # fmt: skip
        refused(desk.call("POST", f"/v1/tickets/{source}/merge", desk.admin, {"into": 1}), 409,
                message)  # fmt: skip
    assert stored(desk, 1) == before
    assert desk.call("GET", "/v1/tickets/2", desk.admin).json["merged_from"] == [5]


def test_an_escalated_ticket_takes_no_reply_nor_change(desk):
    desk.client_writes()
    desk.call("POST", "/v1/tickets/1/escalate", desk.admin, {"email": "legal@partner.example.com"})
    says = "Ticket 1 was escalated to legal@partner.example.com and is read-only."
    for method, path, body in [
        ("POST", "/v1/tickets/1/messages", {"text": "hola"}),
        ("PATCH", "/v1/tickets/1", {"status": "open"}),
        ("PATCH", "/v1/tickets/1", {"sentiment_end": "happy"}),
        ("POST", "/v1/tickets/1/important", None),
        ("PUT", "/v1/tickets/1/assignee", {"user_id": None}),
    ]:
        response = desk.call(method, path, desk.admin, body)
        refused(response, 409, says)
        assert response.json["error"]["code"] == "ticket_escalated"


def test_assignment_by_hand_to_a_user_or_a_group_and_transfer_between_agents(desk):
    desk.client_writes()
    pat, pat_id = desk.person("pat@acme.example.com", "agent")
    sam, sam_id = desk.person(
        "sam@acme.example.com", "agent", permissions=["transfer_conversations"]
    )
    group = desk.call("POST", "/v1/agent-groups", desk.admin,
                      {"name": "Turno noche", "members": [pat_id, sam_id]}).json["id"]  # fmt: skip
    beta = desk.world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    theirs = desk.call("POST", "/v1/agent-groups", beta, {"name": "Turno", "members": []})
    given = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin, {"user_id": sam_id})
    assert given.status_code == 200 and given.json["assignee_id"] == sam_id
    # sam may transfer: his ticket goes to pat
    moved = desk.call("PUT", "/v1/tickets/1/assignee", sam, {"user_id": pat_id})
    assert moved.status_code == 200, moved.json
    assert moved.json["assignee_id"] == pat_id and moved.json["assignment"]["by"] == sam_id
    assert (load(desk, sam_id), load(desk, pat_id)) == (0, 1)
    # pat may not: transferring needs transfer_conversations
    forbidden = desk.call("PUT", "/v1/tickets/1/assignee", pat, {"user_id": sam_id})
    refused(forbidden, 403, "assign or transfer a ticket to a user or a group")
    assert forbidden.json["error"]["details"] == {"action": "tickets.assign", "role": "agent"}
    # to a group: the assignee stays
    grouped = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin, {"group_id": group})
    assert grouped.status_code == 200, grouped.json
    assert (grouped.json["group_id"], grouped.json["assignee_id"]) == (group, pat_id)
    # to a group and nobody: the ticket waits for the group
    waiting = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin,
                        {"user_id": None, "group_id": group})  # fmt: skip
    assert (waiting.json["group_id"], waiting.json["assignee_id"]) == (group, None)
    assert load(desk, pat_id) == 0
    actions = [(e["action"], e["after"]) for e in
               desk.call("GET", "/v1/tickets/1/history", desk.admin).json["items"]]  # fmt: skip
    assert ("group", {"group_id": group}) in actions
    assert ("assigned", {"assignee_id": pat_id}) in actions
    for body, status, message, loc in [
        ({}, 400, "Give user_id, group_id or both.", None),
        ({"group_id": "nope"}, 400, "There is no such agent group.", ("body", "group_id")),
        ({"group_id": theirs.json["id"]}, 400, "There is no such agent group.",
         ("body", "group_id")),
        ({"user_id": "nope"}, 400, "Assign tickets to an active admin, supervisor, agent",
         ("body", "user_id")),
    ]:  # fmt: skip
        refused(desk.call("PUT", "/v1/tickets/1/assignee", desk.admin, body), status, message, loc)
    assert desk.call("GET", "/v1/tickets/1", desk.admin).json["group_id"] == group


def writes_of(meter):
    return {op: n for op, n in meter.summary()["by_operation"].items()
            if op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                      "TransactWriteItems")}  # fmt: skip


def after_commit(monkeypatch):
    """What a change tells afterwards: (assignee notified, integration event), as a list."""
    told = []
    monkeypatch.setattr(
        "chalicelib.domain.notifications.notify_assigned",
        lambda ticket, by: told.append(("notified", ticket.assignee_id)),
    )
    monkeypatch.setattr(
        "chalicelib.domain.integrations.emit",
        lambda tenant, event, data: told.append((event, data["assignee_id"])),
    )
    return told


def test_an_assignment_to_a_user_and_a_group_is_one_transaction_with_an_entry_each(
    desk, monkeypatch
):
    desk.client_writes()
    _, pat_id = desk.person("pat@acme.example.com", "agent")
    group = desk.call("POST", "/v1/agent-groups", desk.admin,
                      {"name": "Turno noche", "members": [pat_id]}).json["id"]  # fmt: skip
    admin_id = desk.call("GET", "/v1/me", desk.admin).json["user"]["id"]
    told = after_commit(monkeypatch)
    with measure() as meter:
        given = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin,
                          {"user_id": pat_id, "group_id": group})  # fmt: skip
    assert given.status_code == 200, given.json
    assert (given.json["assignee_id"], given.json["group_id"]) == (pat_id, group)
    assert writes_of(meter) == {"TransactWriteItems": 1}, meter.summary()
    entries = history(desk, 1)
    assert [(e["action"], e["before"], e["after"]) for e in entries] == [
        ("assigned", {"assignee_id": None}, {"assignee_id": pat_id}),
        ("group", {"group_id": None}, {"group_id": group}),
    ]
    assert {e["actor_id"] for e in entries} == {admin_id}
    assert entries[0]["at"] <= entries[1]["at"]
    assert sorted(told) == [("notified", pat_id), ("ticket.assigned", pat_id)]
    assert load(desk, pat_id) == 1


def test_an_assignment_whose_group_part_is_refused_writes_neither_part(desk, monkeypatch):
    """The ticket becomes read-only (merged elsewhere, say) by the time the group part is
    decided, after the user part was: neither is written, nobody is told."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.helpdesk import tickets as domain

    desk.client_writes()
    _, pat_id = desk.person("pat@acme.example.com", "agent")
    group = desk.call("POST", "/v1/agent-groups", desk.admin,
                      {"name": "Turno noche", "members": [pat_id]}).json["id"]  # fmt: skip
    before, recorded = stored(desk, 1), history(desk, 1)
    writable = domain.require_writable

    def merged_once_pat_has_it(ticket):
        writable(ticket)
        if ticket.assignee_id == pat_id:
            raise Conflict("Ticket 1 was merged into ticket 9; work there.", code="ticket_merged")

    monkeypatch.setattr(domain, "require_writable", merged_once_pat_has_it)
    told = after_commit(monkeypatch)
    put = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin,
                    {"user_id": pat_id, "group_id": group})  # fmt: skip
    refused(put, 409, "was merged into ticket 9")
    monkeypatch.undo()
    after = stored(desk, 1)
    assert (after["assignee_id"], after["group_id"]) == (None, None)
    assert after == before and history(desk, 1) == recorded
    assert told == [] and load(desk, pat_id) == 0


def test_an_agent_who_transfers_to_a_colleague_and_a_group_does_both(desk):
    """The agent no longer sees the ticket once it is the colleague's: the group is set in
    the same transaction, not afterwards (when it would be a 404 with the ticket moved)."""
    desk.client_writes()
    _, pat_id = desk.person("pat@acme.example.com", "agent")
    sam, sam_id = desk.person(
        "sam@acme.example.com", "agent", permissions=["transfer_conversations"]
    )
    group = desk.call("POST", "/v1/agent-groups", desk.admin,
                      {"name": "Turno noche", "members": [pat_id, sam_id]}).json["id"]  # fmt: skip
    assert desk.call("PUT", "/v1/tickets/1/assignee", desk.admin,
                     {"user_id": sam_id}).status_code == 200  # fmt: skip
    moved = desk.call("PUT", "/v1/tickets/1/assignee", sam, {"user_id": pat_id, "group_id": group})
    assert moved.status_code == 200, moved.json
    assert (moved.json["assignee_id"], moved.json["group_id"]) == (pat_id, group)
    assert moved.json["assignment"]["by"] == sam_id
    assert [e["action"] for e in history(desk, 1)] == ["assigned", "assigned", "group"]
    assert (load(desk, sam_id), load(desk, pat_id)) == (0, 1)
    assert desk.call("GET", "/v1/tickets/1", sam).status_code == 404


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
    assert outbound_bodies() == []  # the request stores it; its record queues it
    run_effects()
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
    assert public.json["error"]["details"][0]["loc"] == ["body", "attachments"]
    foreign = dict(attachment, s3_key="uploads/other-tenant/a.pdf")
    refused(desk.call("POST", "/v1/tickets/1/messages", desk.admin,
                      {"text": "ver", "attachments": [foreign]}), 400,
            "Attach only files uploaded to this account.", ("body", "attachments", 0, "s3_key"))  # fmt: skip
    ok = desk.call(
        "POST", "/v1/tickets/1/messages", desk.admin, {"text": "ver", "attachments": [attachment]}
    )
    assert ok.status_code == 201 and ok.json["attachments"][0]["filename"] == "a.pdf"
    empty = desk.call("POST", "/v1/tickets/1/messages", desk.admin, {"text": "  "})
    refused(empty, 400, "Write something or attach a file.", ("body", "text"))
    unknown = desk.call(
        "POST", "/v1/tickets/1/messages", desk.admin, {"text": "x", "quick_reply": "nada"}
    )
    refused(unknown, 400, "There is no quick reply “/nada”.", ("body", "quick_reply"))
    other = desk.call(
        "POST", "/v1/tickets/1/messages", desk.admin, {"text": "x", "reply_to": "nope"}
    )
    refused(other, 400, "That message is not part of this ticket.", ("body", "reply_to"))
    desk.client_writes(sender="56900000009", text="otro cliente")
    elsewhere = desk.call("GET", "/v1/tickets/2", desk.admin).json["messages"][0]["id"]
    refused(desk.call("POST", "/v1/tickets/1/messages", desk.admin,
                      {"text": "x", "reply_to": elsewhere}), 400,
            "That message is not part of this ticket.", ("body", "reply_to"))  # fmt: skip
    template = desk.call("POST", "/v1/tickets/1/messages", desk.admin,
                         {"template": {"name": "nada", "language": "es"}})  # fmt: skip
    refused(template, 400, "There is no WhatsApp template “nada” in language “es”.")
    analyst, _ = desk.person("ann@acme.example.com", "analyst")
    as_analyst = desk.call("POST", "/v1/tickets/1/messages", analyst, {"text": "x"})
    refused(as_analyst, 403, "Your role (analyst) does not allow this")
    assert [m["direction"] for m in desk.call("GET", "/v1/tickets/1", desk.admin).json["messages"]
            ] == ["in", "out"]  # only the one good reply was stored  # fmt: skip
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


def test_a_template_is_only_for_whatsapp_tickets(desk):
    from chalicelib.channels.events import InboundMessage
    from chalicelib.clock import now
    from chalicelib.domain.channels.service import get_channel
    from chalicelib.domain.inbound.ingest import ingest_message

    made = desk.call("POST", "/v1/channels", desk.admin, {
        "type": "email", "name": "Soporte", "identifiers": {"address": "soporte@acme.example.com"}})  # fmt: skip
    assert made.status_code == 201, made.json
    channel = get_channel(desk.tenant, made.json["id"])
    number = ingest_message(channel, InboundMessage(
        channel_type="email", account_id=channel.account_id, provider_message_id="<m1@example.com>",
        sender_id="ana@example.com", sender_name="Ana", text="Hola", sent_at=now())).ticket_number  # fmt: skip
    desk.call("POST", "/v1/templates", desk.admin, {
        "name": "seguimiento", "language": "es", "category": "UTILITY", "body": "Hola {{1}}"})  # fmt: skip
    response = desk.call("POST", f"/v1/tickets/{number}/messages", desk.admin, {"template": {
        "name": "seguimiento", "language": "es", "parameters": ["Ana"]}})  # fmt: skip
    refused(response, 400, "Templates are for WhatsApp tickets.", ("body", "template"))


def test_a_store_review_is_answered_only_in_public(desk):
    from chalicelib.channels.events import InboundMessage
    from chalicelib.clock import now
    from chalicelib.domain.channels.service import get_channel
    from chalicelib.domain.inbound.ingest import ingest_message

    made = desk.call("POST", "/v1/channels", desk.admin, {
        "type": "app_store", "name": "Acme iOS", "identifiers": {"app_id": "1234567890"},
        "credentials": {"issuer_id": "57246542-96fe-1a63", "key_id": "2X9R4HXF34",
                        "private_key": "-----BEGIN PRIVATE KEY-----" + "M" * 40}})  # fmt: skip
    assert made.status_code == 201, made.json
    channel = get_channel(desk.tenant, made.json["id"])
    review = "00000028-b08c-0014-7c1e-000000000004"
    number = ingest_message(channel, InboundMessage(
        channel_type="app_store", account_id=channel.account_id, provider_message_id=review,
        sender_id=f"review:{review}", sender_name="ana", text="Se cierra sola", public=True,
        rating=2, sent_at=now(), thread_key=review)).ticket_number  # fmt: skip
    path = f"/v1/tickets/{number}/messages"
    private = desk.call("POST", path, desk.admin, {"text": "Gracias, lo revisamos"})
    refused(private, 400, "A store review is answered in public", ("body", "public"))
    assert private.json["error"]["code"] == "review_reply_private"
    public = desk.call("POST", path, desk.admin, {"text": "Gracias, lo revisamos", "public": True})
    assert public.status_code == 201 and public.json["public"] is True, public.json


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


def test_a_public_answer_on_facebook_names_the_comment_it_goes_under(desk):
    from chalicelib.channels.events import InboundMessage
    from chalicelib.clock import now
    from chalicelib.domain.channels.service import get_channel
    from chalicelib.domain.inbound.ingest import ingest_message

    made = desk.call("POST", "/v1/channels", desk.admin, {
        "type": "facebook", "name": "Acme", "identifiers": {"page_id": "1122334455", "page_name": "Acme"},
        "credentials": {"page_access_token": "EAAG-page-token-1234567890"}})  # fmt: skip
    assert made.status_code == 201, made.json
    channel = get_channel(desk.tenant, made.json["id"])

    def client_says(provider_id: str, text: str, public: bool) -> int:
        return ingest_message(channel, InboundMessage(
            channel_type="facebook", account_id=channel.account_id, provider_message_id=provider_id,
            sender_id="5566778899", sender_name="Ana Pérez", text=text, public=public,
            sent_at=now())).ticket_number  # fmt: skip

    number = client_says("1122334455_987654321", "¿Tienen talla M?", public=True)
    client_says("m_private-1", "te escribo por interno", public=False)
    messages = desk.call("GET", f"/v1/tickets/{number}", desk.admin).json["messages"]
    comment = next(m["id"] for m in messages if m["text"] == "¿Tienen talla M?")
    dm = next(m["id"] for m in messages if m["text"] == "te escribo por interno")
    path = f"/v1/tickets/{number}/messages"

    unnamed = desk.call("POST", path, desk.admin, {"text": "¡Sí!", "public": True})
    refused(unnamed, 400, "published under the client's comment", ("body", "reply_to"))
    assert unnamed.json["error"]["code"] == "reply_to_required"
    under_a_dm = desk.call(
        "POST", path, desk.admin, {"text": "¡Sí!", "public": True, "reply_to": dm}
    )
    refused(under_a_dm, 400, "that message is not one", ("body", "reply_to"))
    assert under_a_dm.json["error"]["code"] == "reply_to_not_public"
    assert [m for m in desk.call("GET", f"/v1/tickets/{number}", desk.admin).json["messages"]
            if m["direction"] == "out"] == []  # fmt: skip

    under = desk.call(
        "POST", path, desk.admin, {"text": "¡Sí!", "public": True, "reply_to": comment}
    )
    assert under.status_code == 201 and under.json["public"] is True, under.json
    private = desk.call("POST", path, desk.admin, {"text": "Te escribo por interno"})
    assert private.status_code == 201, private.json
