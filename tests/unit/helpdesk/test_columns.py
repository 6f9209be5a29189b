"""Columns (SPEC §4): each user's board, and pages of tickets newest activity first.

The desk (tests/support/desk.py, as test_clients.py and test_search.py build it) is a tenant
built through the API — users of every role, a WhatsApp and an email channel — that opens
tickets the way the inbound consumer does: ``ingest_message`` then ``index_new_client`` for a
new client.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.channels.events import InboundMessage
from chalicelib.clock import clock
from chalicelib.domain.channels.service import get_channel
from chalicelib.domain.helpdesk import columns as columns_domain
from chalicelib.domain.inbound.ingest import ingest_message
from tests.support.desk import Desk


@pytest.fixture
def desk(world, frozen_clock):
    return Desk(world, every_role=True, email_channel=True)


def column(desk: Desk, token: str | None = None, name: str = "Mine", **body: Any) -> dict:
    created = desk.call("POST", "/v1/columns", token or desk.admin, {"name": name, **body})
    assert created.status_code == 201, created.json
    return created.json


def page(desk: Desk, column_id: str, token: str | None = None, **query: Any) -> Any:
    params = "&".join(f"{k}={v}" for k, v in query.items() if v is not None)
    response = desk.call("GET", f"/v1/columns/{column_id}/items?{params}", token or desk.admin)
    assert response.status_code == 200, response.json
    return response.json


def numbers(desk: Desk, column_id: str, token: str | None = None, limit: int = 50) -> list[int]:
    """Every ticket of a column, following its cursors."""
    found: list[int] = []
    cursor = None
    for _ in range(100):
        result = page(desk, column_id, token, limit=limit, cursor=cursor)
        found += [item["number"] for item in result["items"]]
        cursor = result["next_cursor"]
        if not cursor:
            return found
    raise AssertionError("the column never ended")


# --- the board ------------------------------------------------------------------------------
def test_a_column_is_created_read_changed_reordered_and_deleted(desk):
    first = column(desk, name="Mis tickets")
    assert first["kind"] == "tickets" and first["position"] == 0
    assert first["filters"]["assignee"] == "me"
    assert first["filters"]["statuses"] == ["open", "pending"]
    assert first["toggles"] == {"show_preview": True, "show_client": True, "show_sla": True,
                                "compact": False}  # fmt: skip
    second = column(desk, name="Sin asignar", kind="messages",
                    filters={"assignee": "unassigned", "channel_types": ["whatsapp"]},
                    toggles={"compact": True})  # fmt: skip
    assert second["position"] == 1 and second["toggles"]["compact"] is True
    listed = desk.call("GET", "/v1/columns", desk.admin).json["items"]
    assert [c["name"] for c in listed] == ["Mis tickets", "Sin asignar"]
    assert desk.call("GET", f"/v1/columns/{first['id']}", desk.admin).json == first

    path = f"/v1/columns/{second['id']}"
    changed = desk.call("PATCH", path, desk.admin,
                        {"name": "WhatsApp", "filters": {"important": True},
                         "toggles": {"show_sla": False}}).json  # fmt: skip
    assert changed["name"] == "WhatsApp" and changed["kind"] == "messages"
    assert changed["filters"]["important"] is True
    assert changed["filters"]["assignee"] == "unassigned"  # a filter not given stays
    assert changed["filters"]["channel_types"] == ["whatsapp"]
    assert changed["toggles"] == {"show_preview": True, "show_client": True, "show_sla": False,
                                  "compact": True}  # fmt: skip
    cleared = desk.call("PATCH", path, desk.admin, {"filters": {"important": None}}).json
    assert cleared["filters"]["important"] is None

    reordered = desk.call(
        "PUT", "/v1/columns/order", desk.admin, {"ids": [second["id"], first["id"]]}
    )
    assert reordered.status_code == 200, reordered.json
    assert [(c["name"], c["position"]) for c in reordered.json["items"]] == [
        ("WhatsApp", 0), ("Mis tickets", 1)]  # fmt: skip
    assert desk.call("GET", f"/v1/columns/{first['id']}", desk.admin).json["position"] == 1

    assert desk.call("DELETE", path, desk.admin).status_code == 204
    assert desk.call("GET", path, desk.admin).status_code == 404
    assert desk.call("DELETE", path, desk.admin).status_code == 404
    listed = desk.call("GET", "/v1/columns", desk.admin).json["items"]
    assert [(c["name"], c["position"]) for c in listed] == [("Mis tickets", 0)]


def test_a_user_only_ever_sees_their_own_columns(desk):
    mine = column(desk, name="Admin's")
    theirs = column(desk, desk.tokens["supervisor"], name="Supervisor's")
    for method, suffix, body in (("GET", "", None), ("PATCH", "", {"name": "x"}),
                                 ("DELETE", "", None), ("GET", "/items", None)):  # fmt: skip
        response = desk.call(
            method, f"/v1/columns/{mine['id']}{suffix}", desk.tokens["supervisor"], body
        )
        assert response.status_code == 404, (method, suffix, response.json)
    listed = desk.call("GET", "/v1/columns", desk.tokens["supervisor"]).json["items"]
    assert [c["id"] for c in listed] == [theirs["id"]]
    refused = desk.call("PUT", "/v1/columns/order", desk.tokens["supervisor"],
                        {"ids": [mine["id"], theirs["id"]]})  # fmt: skip
    assert refused.status_code == 400
    assert refused.json["error"]["message"] == "List each of your columns exactly once."
    assert {"loc": ["body", "ids"], "msg": f"no column {mine['id']}", "type": "reference"} in (
        refused.json["error"]["details"]
    )


def test_bad_columns_are_refused_with_field_details(desk):
    cases = [
        ({"name": ""}, ["body", "name"]),
        ({"name": "x" * 61}, ["body", "name"]),
        ({"name": "ok", "kind": "boards"}, ["body", "kind"]),
        ({"name": "ok", "filters": {"statuses": []}}, ["body", "filters", "statuses"]),
        ({"name": "ok", "filters": {"statuses": ["solved"]}}, ["body", "filters", "statuses", 0]),
        ({"name": "ok", "filters": {"channel_types": ["fax"]}}, ["body", "filters", "channel_types", 0]),
        ({"name": "ok", "filters": {"sentiment": {"end": "sad"}}}, ["body", "filters", "sentiment", "end"]),
        ({"name": "ok", "filters": {"important": "very"}}, ["body", "filters", "important"]),
        ({"name": "ok", "filters": {"color": "red"}}, ["body", "filters", "color"]),
        ({"name": "ok", "toggles": {"show_preview": "maybe"}}, ["body", "toggles", "show_preview"]),
        ({"name": "ok", "filters": {"assignee": "01aaaaaaaaaaaaaaaaaaaaaaaa"}}, ["body", "filters", "assignee"]),
        ({"name": "ok", "filters": {"department_id": "nope"}}, ["body", "filters", "department_id"]),
        ({"name": "ok", "filters": {"group_id": "nope"}}, ["body", "filters", "group_id"]),
        ({"name": "ok", "filters": {"channel_ids": ["nope"]}}, ["body", "filters", "channel_ids"]),
        ({"name": "ok", "filters": {"tags": ["nope"]}}, ["body", "filters", "tags"]),
    ]  # fmt: skip
    for body, loc in cases:
        response = desk.call("POST", "/v1/columns", desk.admin, body)
        assert response.status_code == 400, (body, response.json)
        assert loc in [d["loc"] for d in response.json["error"]["details"]], (body, response.json)
        if "filters" in body and loc[-1] in ("assignee", "department_id", "group_id",
                                             "channel_ids", "tags"):  # fmt: skip
            assert response.json["error"]["message"] == (
                "Some filters refer to things this account does not have."
            )
    assert desk.call("GET", "/v1/columns", desk.admin).json["items"] == []
    made = column(desk)
    response = desk.call("PATCH", f"/v1/columns/{made['id']}", desk.admin,
                         {"filters": {"assignee": "01aaaaaaaaaaaaaaaaaaaaaaaa"}})  # fmt: skip
    assert response.status_code == 400
    assert desk.call("GET", f"/v1/columns/{made['id']}", desk.admin).json == made


def test_a_column_may_name_the_accounts_own_users_channels_departments_groups_and_tags(desk):
    department = desk.call("POST", "/v1/departments", desk.admin, {"name": "Ventas"}).json["id"]
    group = desk.call("POST", "/v1/agent-groups", desk.admin,
                      {"name": "Turno", "members": [desk.ids["agent"]]}).json["id"]  # fmt: skip
    tag = desk.call("POST", "/v1/tags", desk.admin, {"name": "VIP"}).json["id"]
    made = column(desk, filters={"assignee": desk.ids["agent"], "department_id": department,
                                 "group_id": group, "tags": [tag, tag],
                                 "channel_ids": [desk.whatsapp, desk.email]})  # fmt: skip
    assert made["filters"]["tags"] == [tag]
    assert made["filters"]["assignee"] == desk.ids["agent"]


def test_a_board_holds_at_most_twenty_columns(desk):
    for n in range(columns_domain.MAX_COLUMNS):
        column(desk, name=f"c{n}")
    refused = desk.call("POST", "/v1/columns", desk.admin, {"name": "one too many"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "column_limit"
    assert refused.json["error"]["message"] == (
        f"A board holds at most {columns_domain.MAX_COLUMNS} columns; delete one first."
    )
    # another user's board is their own
    column(desk, desk.tokens["agent"], name="agent's first")


def test_reordering_needs_each_column_exactly_once(desk):
    a, b = column(desk, name="a")["id"], column(desk, name="b")["id"]
    for ids in ([a], [a, a, b], [a, b, "01aaaaaaaaaaaaaaaaaaaaaaaa"], []):
        response = desk.call("PUT", "/v1/columns/order", desk.admin, {"ids": ids})
        assert response.status_code == 400, ids
        assert response.json["error"]["message"] == "List each of your columns exactly once.", ids
    listed = desk.call("GET", "/v1/columns", desk.admin).json["items"]
    assert [c["name"] for c in listed] == ["a", "b"]


# --- pages ----------------------------------------------------------------------------------
def test_my_column_pages_through_my_tickets_newest_activity_first(desk):
    for n in range(5):
        desk.assign(desk.message(f"5691000000{n}"), "admin")
    desk.message("56910000001", "otra vez")  # ticket 2 becomes the most recent
    desk.message("56999999999")  # unassigned: not mine
    mine = column(desk)
    first = page(desk, mine["id"], limit=2)
    assert [i["number"] for i in first["items"]] == [2, 5]
    assert first["items"][0]["last_message"]["text"] == "otra vez"
    assert set(first["items"][0]) == {
        "number", "status", "channel_type", "channel_id", "client_id", "assignee_id",
        "important", "sentiment_end", "tags", "last_activity_at", "last_message", "sla"}  # fmt: skip
    second = page(desk, mine["id"], limit=2, cursor=first["next_cursor"])
    assert [i["number"] for i in second["items"]] == [4, 3]
    assert numbers(desk, mine["id"], limit=2) == [2, 5, 4, 3, 1]
    assert page(desk, mine["id"], limit=50)["next_cursor"] is None


def test_an_unassigned_column_and_the_agents_narrowed_view(desk):
    desk.serve("agent", [desk.whatsapp])
    on_whatsapp = desk.message("56911111111")
    on_email = desk.message("cliente@example.com", channel=desk.email)
    for_agent = desk.message("56922222222")
    desk.assign(for_agent, "agent")
    for_supervisor = desk.message("56933333333")
    desk.assign(for_supervisor, "supervisor")

    unassigned = column(desk, filters={"assignee": "unassigned"})
    assert numbers(desk, unassigned["id"]) == [on_email, on_whatsapp]

    agent = desk.tokens["agent"]
    agents_unassigned = column(desk, agent, filters={"assignee": "unassigned"})
    assert numbers(desk, agents_unassigned["id"], agent) == [on_whatsapp]  # not the email one
    agents_any = column(desk, agent, filters={"assignee": "any"})
    assert numbers(desk, agents_any["id"], agent) == [for_agent, on_whatsapp]
    agents_mine = column(desk, agent)
    assert numbers(desk, agents_mine["id"], agent) == [for_agent]
    someone_elses = column(desk, agent, filters={"assignee": desk.ids["supervisor"]})
    assert numbers(desk, someone_elses["id"], agent) == []
    restricted = column(
        desk, agent, filters={"assignee": "unassigned", "channel_ids": [desk.email]}
    )
    assert numbers(desk, restricted["id"], agent) == []


def test_an_any_column_merges_every_queue_newest_first(desk):
    made = []
    for n in range(9):
        number = desk.message(f"5694000000{n}")
        desk.assign(number, [None, "admin", "agent", "supervisor", "stakeholder"][n % 5])
        made.append(number)
    desk.message("56940000003", "de nuevo")  # moves ticket 4 to the top
    everyone = column(desk, filters={"assignee": "any"})
    expected = [4, 9, 8, 7, 6, 5, 3, 2, 1]
    for limit in (1, 2, 4, 50):
        assert numbers(desk, everyone["id"], limit=limit) == expected, limit
    supervisor = desk.tokens["supervisor"]
    theirs = column(desk, supervisor, filters={"assignee": "any"})
    assert numbers(desk, theirs["id"], supervisor, limit=3) == expected
    analyst = desk.tokens["analyst"]
    analysts = column(desk, analyst, filters={"assignee": desk.ids["agent"]})
    assert numbers(desk, analysts["id"], analyst) == [8, 3]


def test_statuses_choose_the_open_and_the_finished_queues(desk):
    for n in range(4):
        desk.assign(desk.message(f"5695000000{n}"), "admin")
    desk.patch_ticket(2, status="closed")
    desk.patch_ticket(3, status="pending")
    default = column(desk)  # open and pending; a status change is no client activity
    assert numbers(desk, default["id"]) == [4, 3, 1]
    closed = column(desk, filters={"statuses": ["closed"]})
    assert numbers(desk, closed["id"]) == [2]
    pending = column(desk, filters={"statuses": ["pending"]})
    assert numbers(desk, pending["id"]) == [3]
    everything = column(desk, filters={"statuses": ["open", "pending", "closed"]})
    assert numbers(desk, everything["id"], limit=1) == [4, 3, 2, 1]
    again = desk.message("56950000001", "sigo esperando")  # the closed ticket's client again
    desk.assign(again, "admin")
    assert numbers(desk, everything["id"], limit=1) == [again, 4, 3, 2, 1]


def test_the_other_filters(desk):
    tag = desk.call("POST", "/v1/tags", desk.admin, {"name": "VIP"}).json["id"]
    department = desk.call("POST", "/v1/departments", desk.admin, {"name": "Ventas"}).json["id"]
    group = desk.call("POST", "/v1/agent-groups", desk.admin, {"name": "Turno", "members": []})
    for n in range(6):
        desk.assign(desk.message(f"5696000000{n}"), "admin")
    desk.assign(desk.message("vip@example.com", channel=desk.email), "admin")  # 7
    desk.patch_ticket(1, important=True)
    desk.patch_ticket(2, tags=[tag])
    desk.patch_ticket(3, sentiment_end="angry")
    desk.patch_ticket(4, department_id=department)
    grouped = desk.call("PUT", "/v1/tickets/5/assignee", desk.admin, {"group_id": group.json["id"]})
    assert grouped.status_code == 200, grouped.json
    cases = [
        ({"important": True}, [1]),
        ({"important": False}, [7, 6, 5, 4, 3, 2]),
        ({"tags": [tag]}, [2]),
        ({"sentiment": {"end": "angry"}}, [3]),
        ({"sentiment": {"start": "neutral", "end": "neutral"}}, [7, 6, 5, 4, 2, 1]),
        ({"department_id": department}, [4]),
        ({"group_id": group.json["id"]}, [5]),
        ({"channel_types": ["email"]}, [7]),
        ({"channel_ids": [desk.whatsapp]}, [6, 5, 4, 3, 2, 1]),
        ({"sla_breached": True}, []),
        ({"sla_breached": False}, [7, 6, 5, 4, 3, 2, 1]),
    ]
    for filters, expected in cases:
        made = column(desk, name="f", filters=filters)
        assert numbers(desk, made["id"], limit=2) == expected, filters
        desk.call("DELETE", f"/v1/columns/{made['id']}", desk.admin)


def test_a_selective_filter_reads_in_bounded_steps_and_goes_on_with_a_cursor(desk, monkeypatch):
    monkeypatch.setattr(columns_domain, "CONTINUE_READ", 2)
    monkeypatch.setattr(columns_domain, "EXTRA_QUERIES", 1)
    for n in range(12):
        desk.assign(desk.message(f"5697000000{n:02d}"), "admin")
    desk.patch_ticket(1, important=True)
    made = column(desk, filters={"important": True})
    first = page(desk, made["id"], limit=2)
    assert first["items"] == [] and first["next_cursor"]  # read 4 of 12, none matched
    assert numbers(desk, made["id"], limit=2) == [1]


def test_a_messages_column_shows_each_tickets_latest_message(desk):
    desk.assign(desk.message("56980000000", "¿Dónde está mi pedido?"), "admin")
    desk.message("56980000000", "¿Hola? 📦")
    made = column(desk, kind="messages")
    [item] = page(desk, made["id"])["items"]
    assert item["number"] == 1 and item["text"] == "¿Hola? 📦" and item["direction"] == "in"
    assert item["client_id"] == desk.client_id("56980000000")


def test_a_tampered_or_foreign_cursor_is_refused(desk):
    for n in range(3):
        desk.assign(desk.message(f"5698100000{n}"), "admin")
    mine = column(desk)
    other = column(desk, name="other")
    cursor = page(desk, mine["id"], limit=1)["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    payload = json.loads(raw[16:])
    payload["q"][0][0] = desk.ids["agent"]
    forged = base64.urlsafe_b64encode(raw[:16] + json.dumps(payload).encode()).decode().rstrip("=")
    for bad in (
        forged,
        cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB"),
        "garbage",
        other_cursor(desk, other),
    ):
        response = desk.call("GET", f"/v1/columns/{mine['id']}/items?cursor={bad}", desk.admin)
        assert response.status_code == 400, bad
        assert response.json["error"]["code"] == "invalid_cursor"
        assert response.json["error"]["message"] == "The page cursor is not valid for this list."
    # a cursor is bound to the column as it was: after an edit it no longer applies
    desk.call("PATCH", f"/v1/columns/{mine['id']}", desk.admin, {"filters": {"important": False}})
    response = desk.call("GET", f"/v1/columns/{mine['id']}/items?cursor={cursor}", desk.admin)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_cursor"
    bad_limit = desk.call("GET", f"/v1/columns/{mine['id']}/items?limit=51", desk.admin)
    assert bad_limit.status_code == 400
    assert bad_limit.json["error"]["details"][0]["loc"] == ["query", "limit"]


def other_cursor(desk: Desk, other: dict) -> str:
    desk.call(
        "PATCH", f"/v1/columns/{other['id']}", desk.admin, {"filters": {"statuses": ["open"]}}
    )
    cursor = page(desk, other["id"], limit=1)["next_cursor"]
    assert cursor
    return cursor


# --- who may ----------------------------------------------------------------------------------
def test_each_role_may_do_what_the_access_table_says(desk):
    desk.assign(desk.message("56982000000"), "admin")
    for role, token in desk.tokens.items():
        allowed = role in ("admin", "supervisor", "agent", "analyst", "stakeholder")
        created = desk.call("POST", "/v1/columns", token, {"name": role})
        listed = desk.call("GET", "/v1/columns", token)
        if not allowed:
            assert created.status_code == 403 and listed.status_code == 403, role
            assert created.json["error"]["details"]["action"] == "columns.manage"
            assert listed.json["error"]["details"]["action"] == "tickets.read"
            continue
        assert created.status_code == 201 and listed.status_code == 200, role
        column_id = created.json["id"]
        assert desk.call("GET", f"/v1/columns/{column_id}/items", token).status_code == 200
        assert (
            desk.call("PATCH", f"/v1/columns/{column_id}", token, {"name": "x"}).status_code == 200
        )
        assert desk.call("DELETE", f"/v1/columns/{column_id}", token).status_code == 204


def test_another_tenant_never_sees_a_column_nor_its_tickets(world, desk):
    desk.assign(desk.message("56983000000"), "admin")
    mine = column(desk, filters={"assignee": "any"})
    other = Desk(
        world, company="Beta", domain="beta.example.com", every_role=True, email_channel=True
    )
    for method, suffix in (("GET", ""), ("GET", "/items"), ("DELETE", ""), ("PATCH", "")):
        response = other.call(method, f"/v1/columns/{mine['id']}{suffix}", other.admin,
                              {"name": "x"} if method == "PATCH" else None)  # fmt: skip
        assert response.status_code == 404
    assert other.call("GET", "/v1/columns", other.admin).json["items"] == []
    theirs = column(other, filters={"assignee": "any"})
    assert page(other, theirs["id"])["items"] == []
    assert numbers(desk, mine["id"]) == [1]


def test_seeded_activity_times_sort_like_the_clock(desk):
    """Tickets opened within one second still come newest first (number breaks ties)."""
    clock.freeze(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    found = get_channel(desk.tenant, desk.whatsapp)
    for n in range(3):
        ingest_message(found, InboundMessage(
            channel_type="whatsapp", account_id=found.account_id, provider_message_id=f"same.{n}",
            sender_id=f"5698400000{n}", text="x", sent_at=clock.now()))  # fmt: skip
    everyone = column(desk, filters={"assignee": "unassigned"})
    assert numbers(desk, everyone["id"], limit=1) == [3, 2, 1]
