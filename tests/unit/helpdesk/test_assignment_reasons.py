"""Why each of an agent's latest tickets went to them (issue 13, "Asignaciones"):
``GET /v1/assignments/{user_id}/recent`` reads the reason each assignment kept on the
ticket — chosen as it opened, handed out while waiting, assigned by hand, answered, or
taken as the next one — newest first, for admins and supervisors."""

from __future__ import annotations

import pytest

from chalicelib.store.meter import measure
from tests.support.desk import Desk


@pytest.fixture
def desk(world, frozen_clock):
    return Desk(world, default_caller="admin")


def test_an_automatic_assignment_shows_the_rule_the_candidates_and_the_time(desk):
    _, pat = desk.person("pat@acme.example.com", "agent", online=True)
    _, lu = desk.person("lu@acme.example.com", "agent", online=True)
    first = desk.message("56911111111")
    second = desk.message("56922222222")
    assignees = {desk.ticket(first).assignee_id, desk.ticket(second).assignee_id}
    assert assignees == {pat, lu}  # one each: fewest open tickets first
    who = desk.ticket(second).assignee_id
    with measure() as meter:
        recent = desk.call("GET", f"/v1/assignments/{who}/recent")
    assert recent.status_code == 200, recent.json
    [item] = recent.json["items"]
    assert item["number"] == second and item["how"] == "automatic"
    assert item["eligible"] == 2
    assert item["candidates"][0] == {"user_id": who, "open_tickets": 0}
    assert item["assigned_at"] == item["opened_at"]
    assert "fewest open tickets" in recent.json["rule"]
    # the session's read, the user, and the agent's two queues
    assert meter.summary()["by_operation"].get("Query") == 2


def test_a_waiting_ticket_handed_out_and_manual_changes_say_how_and_by_whom(desk):
    token, pat = desk.person("pat@acme.example.com", "agent", online=False)
    desk.call("PUT", "/v1/assignments", body={"agents": [
        {"user_id": pat, "auto_assign": True, "channels": [desk.channel_id]}]})  # fmt: skip
    waited = desk.message("56911111111")  # nobody online: it waits
    assert desk.ticket(waited).assignee_id is None
    assert desk.call("PUT", "/v1/me/presence", token, {"presence": "online"}).status_code == 200
    by_hand = desk.message("56922222222")  # pat is online now: automatic, then moved away
    admin_id = desk.me(desk.admin)["id"]
    desk.call("PUT", f"/v1/tickets/{by_hand}/assignee", body={"user_id": admin_id})
    desk.call("PUT", f"/v1/tickets/{by_hand}/assignee", body={"user_id": pat})
    items = desk.call("GET", f"/v1/assignments/{pat}/recent").json["items"]
    assert [(i["number"], i["how"], i["by"]) for i in items] == [
        (by_hand, "manual", admin_id),
        (waited, "handed_out", None),
    ]
    assert all(i["assigned_at"] for i in items)
    assert items[1]["eligible"] == 1


def test_only_who_may_read_the_table_sees_why(desk):
    _, pat = desk.person("pat@acme.example.com", "agent", online=True)
    assert desk.call("GET", f"/v1/assignments/{pat}/recent", "supervisor").status_code == 200
    assert desk.call("GET", f"/v1/assignments/{pat}/recent", "agent").status_code == 403
    assert desk.call("GET", "/v1/assignments/nobody/recent").status_code == 404
    other = Desk(desk.world, company="Beta", domain="beta.example.com")
    assert other.call("GET", f"/v1/assignments/{pat}/recent", other.admin).status_code == 404


def test_answering_or_taking_the_next_ticket_is_told_as_such(desk):
    answerer, pat = desk.person("pat@acme.example.com", "agent")  # serves the channel
    taker, lu = desk.person("lu@acme.example.com", "agent",
                            permissions=["conversation_dispenser"])  # fmt: skip
    answered = desk.message("56911111111")  # nobody online: both wait unassigned
    taken = desk.message("56922222222")
    sent = desk.call("POST", f"/v1/tickets/{answered}/messages", answerer, {"text": "Hola"})
    assert sent.status_code == 201, sent.json
    nxt = desk.call("POST", "/v1/tickets/next", taker)
    assert nxt.status_code == 200, nxt.json
    assert nxt.json["number"] == taken
    [mine] = desk.call("GET", f"/v1/assignments/{pat}/recent").json["items"]
    assert (mine["number"], mine["how"], mine["by"]) == (answered, "answered", pat)
    [theirs] = desk.call("GET", f"/v1/assignments/{lu}/recent").json["items"]
    assert (theirs["number"], theirs["how"], theirs["by"]) == (taken, "took_next", lu)
