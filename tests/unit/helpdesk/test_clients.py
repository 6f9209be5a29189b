"""Clients (SPEC §4): reading and editing name, email, phone, RUT and custom fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.accounts.history import read_history
from chalicelib.domain.helpdesk import clients as clients_domain
from chalicelib.domain.helpdesk.search_terms import name_words
from chalicelib.store.search import words_starting
from tests.support.desk import Desk


@pytest.fixture
def desk(world, frozen_clock):
    return Desk(world, every_role=True, email_channel=True)


def define(desk: Desk, key: str, type: str = "text", **body) -> None:
    created = desk.call("POST", "/v1/custom-fields", desk.admin, {
        "applies_to": "client", "key": key, "label": key.title(), "type": type, **body})  # fmt: skip
    assert created.status_code == 201, created.json


def client_path(desk: Desk, sender: str, channel: str | None = None) -> str:
    return f"/v1/clients/{desk.client_id(sender, channel)}"


def test_a_client_is_read_and_edited_field_by_field_with_history(desk, frozen_clock):
    define(desk, "plan", "select", options=["Gold", "Silver"])
    define(desk, "segment")
    desk.message("56912345678", name="María José")
    path = client_path(desk, "56912345678")
    client = desk.call("GET", path, desk.admin).json
    assert client["name"] == "María José" and client["open_ticket"] == 1
    assert client["tickets"] == [1] and client["channel_type"] == "whatsapp"
    assert (client["email"], client["phone"], client["rut"], client["custom"]) == (
        None,
        None,
        None,
        {},
    )

    edited = desk.call("PATCH", path, desk.admin, {
        "name": "  José Pérez ", "email": " Jose.Perez@Example.COM ", "phone": "+56 9 (1234) 56.78",
        "rut": "12.345.678-5", "custom": {"plan": "gold"}})  # fmt: skip
    assert edited.status_code == 200, edited.json
    body = edited.json
    assert (body["name"], body["email"], body["phone"], body["rut"]) == (
        "José Pérez",
        "jose.perez@example.com",
        "+56912345678",
        "12345678-5",
    )
    assert body["custom"] == {"plan": "Gold"} and body["updated_at"]
    assert desk.call("GET", path, desk.admin).json == body

    frozen_clock.advance(timedelta(minutes=1))
    again = desk.call("PATCH", path, desk.admin, {"custom": {"segment": "B2B"}, "rut": "123456785"})
    assert again.json["custom"] == {"plan": "Gold", "segment": "B2B"}  # merged, not replaced
    frozen_clock.advance(timedelta(minutes=1))
    removed = desk.call("PATCH", path, desk.admin, {"email": None, "phone": None,
                                                    "custom": {"plan": None}}).json  # fmt: skip
    assert (removed["email"], removed["phone"], removed["custom"]) == (
        None,
        None,
        {"segment": "B2B"},
    )
    assert removed["rut"] == "12345678-5"

    history, _ = read_history(desk.tenant, "client", body["id"], 10, None)
    assert [h.action for h in history] == ["updated", "updated", "updated"]  # the no-op made none
    latest, first = history[0], history[-1]
    assert first.actor_id == desk.ids["admin"]
    assert first.before["name"] == "María José" and first.after["name"] == "José Pérez"
    assert first.after["rut"] == "12345678-5" and first.before["rut"] is None
    assert latest.before["email"] == "jose.perez@example.com" and latest.after["email"] is None


def test_a_new_name_replaces_the_search_words(desk):
    desk.message("56912345678", name="María José")
    path = client_path(desk, "56912345678")
    client_id = desk.client_id("56912345678")

    def words() -> set[str]:
        found = set()
        for prefix in ("ma", "jo", "pe", "go"):
            found |= {
                w.word for w in words_starting(desk.tenant, prefix, 50) if w.client_id == client_id
            }
        return found

    assert words() == {"maria", "jose"}
    desk.call("PATCH", path, desk.admin, {"name": "José Pérez"})
    assert words() == {"jose", "perez"}
    [entry] = [w for w in words_starting(desk.tenant, "jose", 5) if w.client_id == client_id]
    assert entry.name == "José Pérez"  # the kept word holds the new name
    desk.call("PATCH", path, desk.admin, {"name": "Gómez"})
    assert words() == {"gomez"}
    assert name_words("Gómez") == ["gomez"]


def test_bad_input_is_a_400_naming_the_field(desk):
    define(desk, "plan", "select", options=["Gold", "Silver"])
    desk.message("56912345678", name="Ana")
    path = client_path(desk, "56912345678")
    cases = [
        ({"name": ""}, ["body", "name"]),
        ({"name": "x" * 201}, ["body", "name"]),
        ({"name": None}, ["body", "name"]),
        ({"email": "not an email"}, ["body", "email"]),
        ({"phone": "call me"}, ["body", "phone"]),
        ({"phone": "123"}, ["body", "phone"]),
        ({"rut": "12.345.678-9"}, ["body", "rut"]),
        ({"rut": "hello"}, ["body", "rut"]),
        ({"custom": {"plan": "Platinum"}}, ["body", "custom", "plan"]),
        ({"custom": {"nope": "x"}}, ["body", "custom", "nope"]),
        ({"handle": "@ana"}, ["body", "handle"]),
    ]
    for body, loc in cases:
        response = desk.call("PATCH", path, desk.admin, body)
        assert response.status_code == 400, (body, response.json)
        assert loc in [d["loc"] for d in response.json["error"]["details"]], (body, response.json)
    wrong_digit = desk.call("PATCH", path, desk.admin, {"rut": "12.345.678-9"}).json["error"]
    assert "the check digit should be 5" in wrong_digit["message"]
    assert wrong_digit["details"][0]["type"] == "rut_check_digit"
    assert desk.call("GET", path, desk.admin).json["name"] == "Ana"  # nothing half-written


def test_two_edits_at_once_never_lose_each_others_fields(desk, monkeypatch):
    define(desk, "plan")
    define(desk, "segment")
    desk.message("56912345678", name="Ana")
    path = client_path(desk, "56912345678")
    real_load = clients_domain.load_client
    interrupted = []

    def load_then_someone_else_edits(principal, client_id, consistent=False):
        client = real_load(principal, client_id, consistent)
        if not interrupted:  # between this read and its write, a colleague saves theirs
            interrupted.append(True)
            clients_domain.update_client(principal, client_id, {
                "custom": {"segment": "B2B"}, "name": "Ana Colega", "phone": "+56 2 2222 2222"})  # fmt: skip
        return client

    monkeypatch.setattr(clients_domain, "load_client", load_then_someone_else_edits)
    mine = desk.call("PATCH", path, desk.admin, {"custom": {"plan": "Gold"}, "name": "Ana Mía"})
    assert mine.status_code == 200, mine.json
    monkeypatch.undo()
    final = desk.call("GET", path, desk.admin).json
    assert final["custom"] == {"plan": "Gold", "segment": "B2B"}
    assert final["name"] == "Ana Mía" and final["phone"] == "+56222222222"
    client_id = desk.client_id("56912345678")
    indexed = {w.word for w in words_starting(desk.tenant, "an", 20) if w.client_id == client_id}
    indexed |= {w.word for w in words_starting(desk.tenant, "co", 20) if w.client_id == client_id}
    indexed |= {w.word for w in words_starting(desk.tenant, "mi", 20) if w.client_id == client_id}
    assert indexed == {"ana", "mia"}  # the colleague's words went with their name


def test_who_may_see_and_edit_a_client(desk):
    desk.serve("agent", [desk.whatsapp])
    desk.assign(desk.message("56911111111", name="Del Agente"), "agent")
    desk.message("56922222222", name="Sin Asignar")  # unassigned, on the agent's channel
    desk.message("otro@example.com", name="Por Correo", channel=desk.email)  # not their channel
    desk.assign(desk.message("56933333333", name="De Otro"), "supervisor")
    paths = {
        "own": client_path(desk, "56911111111"),
        "unassigned": client_path(desk, "56922222222"),
        "other_channel": client_path(desk, "otro@example.com", desk.email),
        "someone_elses": client_path(desk, "56933333333"),
    }
    for role, token in desk.tokens.items():
        for label, path in paths.items():
            read = desk.call("GET", path, token)
            edit = desk.call("PATCH", path, token, {"phone": "+56 9 5555 5555"})
            if role in ("orders_admin", "account_contact"):
                assert (read.status_code, edit.status_code) == (403, 403), (role, label)
            elif role == "analyst":
                assert (read.status_code, edit.status_code) == (200, 403), (role, label)
                assert edit.json["error"]["details"]["action"] == "clients.manage"
            elif role == "agent" and label in ("other_channel", "someone_elses"):
                assert (read.status_code, edit.status_code) == (404, 404), (role, label)
            else:
                assert (read.status_code, edit.status_code) == (200, 200), (role, label, edit.json)
    missing = desk.call("GET", "/v1/clients/c0000000000000000000000000", desk.admin)
    assert missing.status_code == 404
    assert desk.call("GET", "/v1/clients/not%20an%20id!", desk.admin).status_code == 404


def test_another_tenant_never_reads_nor_edits_a_client(world, desk):
    desk.message("56912345678", name="Ana")
    path = client_path(desk, "56912345678")
    other = Desk(
        world, company="Beta", domain="beta.example.com", every_role=True, email_channel=True
    )
    assert other.call("GET", path, other.admin).status_code == 404
    assert other.call("PATCH", path, other.admin, {"name": "Robada"}).status_code == 404
    assert desk.call("GET", path, desk.admin).json["name"] == "Ana"
    assert words_starting(other.tenant, "an", 10) == []
