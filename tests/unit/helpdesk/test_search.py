"""Search (SPEC §4): tickets by number, client name, email and RUT."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from chalicelib.domain.helpdesk.search import index_new_client
from chalicelib.store.helpdesk import Client
from chalicelib.store.meter import measure
from tests.support.desk import Desk


@pytest.fixture
def desk(world, frozen_clock):
    return Desk(world, every_role=True, email_channel=True)


def search(desk: Desk, token: str | None = None, **query: str) -> list[int]:
    params = "&".join(f"{k}={quote(str(v))}" for k, v in query.items())
    response = desk.call("GET", f"/v1/search/tickets?{params}", token or desk.admin)
    assert response.status_code == 200, response.json
    return [item["number"] for item in response.json["items"]]


def patch_client(desk: Desk, sender: str, channel: str | None = None, **changes) -> dict:
    response = desk.call(
        "PATCH", f"/v1/clients/{desk.client_id(sender, channel)}", desk.admin, changes
    )
    assert response.status_code == 200, response.json
    return response.json


def test_by_number(desk):
    desk.message("56912345678", name="José Pérez")
    desk.message("56987654321")
    response = desk.call("GET", "/v1/search/tickets?number=2", desk.admin).json
    [hit] = response["items"]
    assert set(hit) == {
        "number",
        "status",
        "channel_type",
        "client",
        "assignee_id",
        "last_activity_at",
    }
    assert hit["number"] == 2 and hit["status"] == "open" and hit["channel_type"] == "whatsapp"
    assert search(desk, number="1") == [1]
    [named] = desk.call("GET", "/v1/search/tickets?number=1", desk.admin).json["items"]
    assert named["client"] == {"id": desk.client_id("56912345678"), "name": "José Pérez",
                               "email": None, "rut": None}  # fmt: skip
    assert search(desk, number="3") == []


def test_by_name_accents_case_and_word_prefixes_aside(desk):
    jose = desk.message("56911111111", name="José Pérez")
    desk.message("56922222222", name="Josefina Pereira")  # 2
    desk.message("56933333333", name="Pedro Jiménez")  # 3
    second = desk.message("56911111111", name="José Pérez", channel=desk.email)  # another client
    for query in ("jose", "per", "PÉREZ jo", "perez jose", "José   Pérez", "JOSÉ"):
        found = search(desk, name=query)
        assert jose in found, query
    assert search(desk, name="jose perez") == [second, jose]
    assert search(desk, name="jose") == [second, 2, jose]
    assert search(desk, name="pe") == [second, 3, 2, jose]
    assert search(desk, name="josefina") == [2]
    assert search(desk, name="jimenez pedro") == [3]
    assert search(desk, name="perez jimenez") == []
    assert search(desk, name="zz") == []


def test_by_email_and_rut_in_any_common_format(desk):
    by_mail = desk.message("ana@example.com", name="Ana", channel=desk.email)
    other = desk.message("56912345678", name="Ana Rut")
    patch_client(desk, "56912345678", rut="12.345.678-5", email="Ana.Rut@Example.com")
    for spelling in ("12.345.678-5", "12345678-5", "123456785", " 12345678-5 "):
        assert search(desk, rut=spelling) == [other], spelling
    assert search(desk, rut="76.086.428-5") == []
    assert search(desk, email="ANA@example.com") == [by_mail]  # the sender's address, indexed
    assert search(desk, email="ana.rut@example.com") == [other]
    [hit] = desk.call("GET", "/v1/search/tickets?rut=12345678-5", desk.admin).json["items"]
    assert hit["client"]["rut"] == "12345678-5" and hit["client"]["email"] == "ana.rut@example.com"
    # changed and removed with the client
    patch_client(desk, "56912345678", rut="1.234.567-4", email=None)
    assert search(desk, rut="12345678-5") == [] and search(desk, rut="1234567-4") == [other]
    assert search(desk, email="ana.rut@example.com") == []


def test_a_k_check_digit_in_either_case(desk):
    number = desk.message("56912345678", name="Kas")
    patch_client(desk, "56912345678", rut="10.000.013-k")
    assert search(desk, rut="10000013-K") == [number]
    assert search(desk, rut="10.000.013-k") == [number]


def test_every_ticket_of_the_found_clients_newest_first(desk):
    first = desk.message("56912345678", name="Ana")
    desk.patch_ticket(first, status="closed")
    second = desk.message("56912345678", name="Ana")
    patch_client(desk, "56912345678", email="ana@example.com")
    assert second != first
    assert search(desk, email="ana@example.com") == [second, first]
    assert search(desk, name="ana") == [second, first]


def test_bad_searches_are_400(desk):
    cases = [
        ("", ["query"]),
        ("number=1&name=ana", ["query"]),
        ("number=abc", ["query", "number"]),
        ("number=0", ["query", "number"]),
        ("name=a", ["query", "name"]),
        ("name=%21%21", ["query", "name"]),
        ("email=not-an-email", ["query", "email"]),
        ("rut=hello", ["query", "rut"]),
        ("rut=12.345.678-9", ["query", "rut"]),
        ("phone=1234", ["query", "phone"]),
    ]
    for query, loc in cases:
        response = desk.call("GET", f"/v1/search/tickets?{query}", desk.admin)
        assert response.status_code == 400, (query, response.json)
        assert loc in [d["loc"] for d in response.json["error"]["details"]], (query, response.json)
    wrong = desk.call("GET", "/v1/search/tickets?rut=12.345.678-9", desk.admin).json["error"]
    assert "the check digit should be 5" in wrong["message"]


def test_an_agent_finds_only_what_they_may_see(desk):
    desk.serve("agent", [desk.whatsapp])
    own = desk.message("56911111111", name="Ana Uno")
    desk.assign(own, "agent")
    unassigned = desk.message("56922222222", name="Ana Dos")
    by_email = desk.message("ana@example.com", name="Ana Tres", channel=desk.email)
    elsewhere = desk.message("56933333333", name="Ana Cuatro")
    desk.assign(elsewhere, "supervisor")
    everyone = [elsewhere, by_email, unassigned, own]
    assert search(desk, name="ana") == everyone
    for role in ("supervisor", "analyst", "stakeholder"):
        assert search(desk, desk.tokens[role], name="ana") == everyone, role
    agent = desk.tokens["agent"]
    assert search(desk, agent, name="ana") == [unassigned, own]
    assert search(desk, agent, number=str(elsewhere)) == []
    assert search(desk, agent, email="ana@example.com") == []
    for role in ("orders_admin", "account_contact"):
        refused = desk.call("GET", "/v1/search/tickets?name=ana", desk.tokens[role])
        assert refused.status_code == 403
        assert refused.json["error"]["details"]["action"] == "tickets.read"


def test_another_tenant_finds_nothing_of_this_one(world, desk):
    desk.message("ana@example.com", name="Ana Pérez", channel=desk.email)
    patch_client(desk, "ana@example.com", desk.email, rut="12.345.678-5")
    other = Desk(
        world, company="Beta", domain="beta.example.com", every_role=True, email_channel=True
    )
    for query in ("name=ana", "email=ana%40example.com", "rut=12345678-5", "number=1"):
        response = other.call("GET", f"/v1/search/tickets?{query}", other.admin)
        assert response.status_code == 200 and response.json["items"] == [], query
    assert search(desk, name="ana") == [1]


def test_indexing_a_new_client_is_idempotent_and_yields_to_an_edit(desk):
    desk.message("ana@example.com", name="Ana", channel=desk.email)
    client = Client.get(*desk.client_key(desk.email, "ana@example.com"))
    index_new_client(client)  # a redelivery: the same words, the same email
    assert search(desk, name="ana") == [1] and search(desk, email="ana@example.com") == [1]
    patch_client(desk, "ana@example.com", desk.email, name="Bea", email="bea@example.com")
    index_new_client(client)  # late, with the old name: writes nothing
    assert search(desk, name="ana") == [] and search(desk, name="bea") == [1]
    assert search(desk, email="ana@example.com") == []
    assert search(desk, email="bea@example.com") == [1]


def test_a_search_by_email_is_two_requests(desk):
    desk.message("ana@example.com", name="Ana", channel=desk.email)
    with measure() as meter:
        from chalicelib.domain.accounts.principal import Principal
        from chalicelib.domain.helpdesk.search import search_tickets

        principal = Principal(desk.tenant, desk.ids["admin"], "admin", frozenset(), "s", None)
        hits = search_tickets(principal, email="ana@example.com")
    assert [h.ticket.number for h in hits] == [1]
    assert meter.requests == 2, meter.summary()
