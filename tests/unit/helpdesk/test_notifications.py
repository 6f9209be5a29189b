"""Notifications (SPEC §5, docs/sla.md): each user reads and marks only their own, with
an unread count; written for SLA breaches, assignments, mentions and escalations; SLA
breach emails for those who ask; channel notices for the account contacts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.clock import now
from chalicelib.domain import notifications
from chalicelib.domain.channels import alerts
from chalicelib.jobs import polling, sla
from chalicelib.store import keys
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Comment, Ticket
from chalicelib.store.notifications import Notification
from tests.support.desk import Desk
from tests.support.roles import World, every_role
from tests.support.world import PASSWORD


def me(world: World, token: str) -> dict[str, Any]:
    return world.call("GET", "/v1/me", token).json


def listing(world: World, token: str, query: str = "") -> dict[str, Any]:
    found = world.call("GET", f"/v1/notifications{query}", token)
    assert found.status_code == 200, found.json
    return found.json


def login(world: World, email: str) -> str:
    signed = world.call("POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
    assert signed.status_code == 200, signed.json
    return signed.json["access_token"]


# --- the routes ---------------------------------------------------------------------------------
def test_every_role_reads_only_its_own_notifications(world):
    admin = world.signup()["access_token"]
    tokens = every_role(world, admin)
    tenant = me(world, admin)["tenant"]["id"]
    for role, token in tokens.items():
        user_id = me(world, token)["user"]["id"]
        assert notifications.notify(tenant, [user_id], "assigned", 1, f"para {role}") == [user_id]
    for role, token in tokens.items():
        found = listing(world, token)
        assert found["unread_count"] == 1, role
        assert [n["text"] for n in found["items"]] == [f"para {role}"], role
        assert found["items"][0]["read"] is False and found["items"][0]["kind"] == "assigned"
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    assert listing(world, other) == {"items": [], "next_cursor": None, "unread_count": 0}
    assert world.call("GET", "/v1/notifications").status_code == 401


def test_paging_the_unread_filter_and_marking_read(world, frozen_clock):
    admin = world.signup()["access_token"]
    profile = me(world, admin)
    tenant, user_id = profile["tenant"]["id"], profile["user"]["id"]
    for n in range(1, 6):
        notifications.notify(tenant, [user_id], "mention", n, f"aviso {n}")
        frozen_clock.advance(timedelta(seconds=1))

    first = listing(world, admin, "?limit=2")
    assert [n["ticket_number"] for n in first["items"]] == [5, 4]  # newest first
    assert first["unread_count"] == 5 and first["next_cursor"]
    second = listing(world, admin, f"?limit=2&cursor={first['next_cursor']}")
    assert [n["ticket_number"] for n in second["items"]] == [3, 2]

    ids = [n["id"] for n in first["items"]]
    marked = world.call("POST", "/v1/notifications/read", admin, {"ids": ids})
    assert marked.status_code == 200, marked.json
    assert marked.json == {"marked": 2, "unread_count": 3}
    again = world.call("POST", "/v1/notifications/read", admin, {"ids": ids})
    assert again.json == {"marked": 0, "unread_count": 3}  # already read: counted once
    unread = listing(world, admin, "?unread=true")
    assert [n["ticket_number"] for n in unread["items"]] == [3, 2, 1]
    everything = listing(world, admin)
    assert [n["read"] for n in everything["items"]] == [True, True, False, False, False]
    read_one = Notification.get(keys.notifications_pk(tenant, user_id),
                                keys.notification_sk(ids[0]))  # fmt: skip
    assert read_one.expires_at and read_one.GSI3PK is None  # TTL removes read ones later

    paged = listing(world, admin, "?unread=true&limit=1")
    assert (
        listing(world, admin, f"?unread=true&limit=5&cursor={paged['next_cursor']}")["items"][0][
            "ticket_number"
        ]
        == 2
    )
    assert world.call("POST", "/v1/notifications/read", admin, {"all": True}).json == {
        "marked": 3,
        "unread_count": 0,
    }
    assert listing(world, admin, "?unread=true")["items"] == []


def test_nobody_marks_or_pages_through_anothers_notifications(world):
    admin = world.signup()["access_token"]
    supervisor = world.user_with_role(admin, "sue@acme.example.com", "supervisor")
    profile = me(world, admin)
    tenant, admin_id = profile["tenant"]["id"], profile["user"]["id"]
    for n in range(3):
        notifications.notify(tenant, [admin_id], "assigned", n + 1, "tuyo")
    mine = listing(world, admin, "?limit=1")
    theirs = world.call("POST", "/v1/notifications/read", supervisor,
                        {"ids": [mine["items"][0]["id"]]})  # fmt: skip
    assert theirs.json == {"marked": 0, "unread_count": 0}
    assert listing(world, admin)["unread_count"] == 3
    stolen = world.call("GET", f"/v1/notifications?cursor={mine['next_cursor']}", supervisor)
    assert stolen.status_code == 400 and stolen.json["error"]["code"] == "invalid_cursor"
    unread_cursor = listing(world, admin, "?unread=true&limit=1")["next_cursor"]
    mixed = world.call("GET", f"/v1/notifications?cursor={unread_cursor}", admin)
    assert mixed.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": ["not-an-id"]},
        {"ids": ["20260302T120000000000Z-0123456789ab"], "all": True},
        {"all": False},
        {"ids": ["20260302T120000000000Z-0123456789ab"] * 101},
        {"all": True, "colour": "red"},
    ],
)
def test_bad_mark_read_bodies_are_400(world, body):
    admin = world.signup()["access_token"]
    refused = world.call("POST", "/v1/notifications/read", admin, body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["code"] == "validation_error"


def test_bad_listing_queries_are_400(world):
    admin = world.signup()["access_token"]
    for query in ("?unread=maybe", "?limit=0", "?limit=101", "?cursor=forged", "?colour=red"):
        assert world.call("GET", f"/v1/notifications{query}", admin).status_code == 400, query


def test_notification_settings_are_per_user(world):
    admin = world.signup()["access_token"]
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    path = "/v1/me/notification-settings"
    assert world.call("GET", path, admin).json == {"email_on_sla_breach": False}
    changed = world.call("PUT", path, admin, {"email_on_sla_breach": True})
    assert changed.status_code == 200 and changed.json == {"email_on_sla_breach": True}
    assert world.call("GET", path, admin).json == {"email_on_sla_breach": True}
    assert world.call("GET", path, agent).json == {"email_on_sla_breach": False}
    for body in ({}, {"email_on_sla_breach": "maybe"}, {"email_on_sla_breach": True, "x": 1}):
        assert world.call("PUT", path, admin, body).status_code == 400, body
    assert world.call("PUT", path, None, {"email_on_sla_breach": True}).status_code == 401


# --- what writes them ----------------------------------------------------------------------------
@pytest.fixture
def desk(api, mailbox, frozen_clock):
    return Desk(World(api, mailbox))


def ticket_of(desk: Desk, number: int = 1) -> Ticket:
    return Ticket.get(keys.ticket_pk(desk.tenant, number), keys.ticket_sk(), consistent_read=True)


def test_an_sla_breach_emails_only_those_who_asked_for_it(desk, frozen_clock):
    sue, _ = desk.person("sue@acme.example.com", "supervisor")
    assert desk.call("PUT", "/v1/me/notification-settings", sue,
                     {"email_on_sla_breach": True}).status_code == 200  # fmt: skip
    changed = desk.call("PATCH", f"/v1/channels/{desk.channel_id}", desk.admin,
                        {"settings": {"sla": {"first_response_minutes": 15}}})  # fmt: skip
    assert changed.status_code == 200
    desk.world.new_mail()
    desk.client_writes()
    frozen_clock.advance(timedelta(minutes=16))
    assert sla.sweep()["breached"] == 1
    mail = desk.world.new_mail()
    assert [m["To"] for m in mail] == ["sue@acme.example.com"]
    assert mail[0]["Subject"] == "Ticket #1: venció el plazo de primera respuesta"
    body = mail[0].get_body(("plain",)).get_content()
    assert "/tickets/1" in body and "09:15" in body  # the deadline in the tenant's time


def test_assignment_mentions_and_escalation_notify_the_right_people(desk, frozen_clock):
    _, pat = desk.person("pat@acme.example.com", "agent", online=True)
    _, sue = desk.person("sue@acme.example.com", "supervisor")
    _, lee = desk.person("lee@acme.example.com", "agent")
    admin_id = desk.call("GET", "/v1/me", desk.admin).json["user"]["id"]
    desk.client_writes()
    ticket = ticket_of(desk)
    assert ticket.assignee_id == pat

    def texts(email: str) -> list[str]:
        return [n["text"] for n in listing(desk.world, login(desk.world, email))["items"]]

    # the automatic assignment already told pat (the inbound consumer calls notify_assigned)
    frozen_clock.advance(timedelta(seconds=1))
    notifications.notify_assigned(ticket, admin_id)
    notifications.notify_assigned(ticket, pat)  # took it themselves: nothing
    assert texts("pat@acme.example.com") == [
        "Ana Admin te asignó el ticket #1.",
        "Se te asignó el ticket #1.",
    ]

    comment = Comment(tenant_id=desk.tenant, comment_id="01kcomment", ticket_number=1,
                      author_id=admin_id, text="¿Lo ves tú? " + "x" * 200,
                      mentions=[sue, lee, admin_id], created_at=now())  # fmt: skip
    notifications.notify_mentioned(ticket, comment)
    notifications.notify_mentioned(ticket, comment)  # a retry writes nothing more
    [mention] = texts("sue@acme.example.com")
    assert mention.startswith("Ana Admin te mencionó en el ticket #1: “¿Lo ves tú? xxx")
    assert mention.endswith("…”")
    assert texts("lee@acme.example.com") == []  # may not see pat's ticket
    assert texts("ana@acme.example.com") == []  # their own mention

    # a comment written through the route tells whom it mentions (who may see the ticket)
    frozen_clock.advance(timedelta(seconds=1))
    noted = desk.call("POST", "/v1/tickets/1/comments", desk.admin,
                      {"text": "Pat, mira esto", "mentions": [pat, lee]})  # fmt: skip
    assert noted.status_code == 201, noted.json
    assert (
        texts("pat@acme.example.com")[0]
        == "Ana Admin te mencionó en el ticket #1: “Pat, mira esto”"
    )
    assert texts("lee@acme.example.com") == []
    pats = listing(desk.world, login(desk.world, "pat@acme.example.com"))
    assert pats["items"][0]["kind"] == "mention" and pats["unread_count"] == 3

    # the escalation route tells the assignee, supervisors and admins, not who escalated
    frozen_clock.advance(timedelta(seconds=1))
    escalated = desk.call("POST", "/v1/tickets/1/escalate", desk.admin,
                          {"email": "legal@partner.example.com", "note": "urgente"})  # fmt: skip
    assert escalated.status_code == 200, escalated.json
    assert texts("sue@acme.example.com")[0] == (
        "Ana Admin escaló el ticket #1 a legal@partner.example.com."
    )
    assert len(texts("sue@acme.example.com")) == 2  # the mention, then the escalation once
    pats = listing(desk.world, login(desk.world, "pat@acme.example.com"))
    assert pats["items"][0]["text"].startswith("Ana Admin escaló")
    assert pats["items"][0]["kind"] == "escalated" and pats["unread_count"] == 4
    assert texts("lee@acme.example.com") == []  # an agent, not the assignee
    assert texts("ana@acme.example.com") == []  # who escalated it


def test_a_manual_assignment_through_the_route_notifies_the_new_assignee(desk, frozen_clock):
    pat_token, pat = desk.person("pat@acme.example.com", "agent")
    desk.client_writes()  # nobody online: unassigned
    frozen_clock.advance(timedelta(seconds=1))
    moved = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin, {"user_id": pat})
    assert moved.status_code == 200, moved.json
    told = listing(desk.world, pat_token)
    assert told["unread_count"] == 1
    assert [(n["kind"], n["text"]) for n in told["items"]] == [
        ("assigned", "Ana Admin te asignó el ticket #1.")
    ]
    admin_id = desk.call("GET", "/v1/me", desk.admin).json["user"]["id"]
    taken = desk.call("PUT", "/v1/tickets/1/assignee", desk.admin, {"user_id": admin_id})
    assert taken.status_code == 200, taken.json
    assert listing(desk.world, desk.admin)["unread_count"] == 0  # took it themselves


def test_a_broken_notification_never_breaks_the_change(desk, monkeypatch):
    desk.person("pat@acme.example.com", "agent", online=True)
    desk.client_writes()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("DynamoDB is having a bad day")

    monkeypatch.setattr(notifications, "notify", broken)
    notifications.notify_assigned(ticket_of(desk), None)  # logged, not raised


# --- channel notices for the account contacts -------------------------------------------------------
def test_refused_credentials_email_the_channel_contacts_once_a_day(desk, frozen_clock):
    created = desk.call("POST", "/v1/account-contacts", desk.admin, {
        "first_name": "Carla", "last_name": "Souza", "email": "carla@cliente.example.com",
        "email_preferences": {"channels": False}})  # fmt: skip
    assert created.status_code == 201, created.json
    tecnico = desk.call("POST", "/v1/account-contacts", desk.admin, {
        "first_name": "Tito", "last_name": "Técnico", "email": "tito@acme.example.com",
        "email_preferences": {"channels": True}})  # fmt: skip
    assert tecnico.status_code == 201, tecnico.json
    desk.world.new_mail()
    channel = Channel.get(keys.tenant_pk(desk.tenant), keys.channel_sk(desk.channel_id))
    assert alerts.notify_credentials_rejected(channel, "HTTP 401: Error validating access token")
    assert not alerts.notify_credentials_rejected(channel, "HTTP 401 again")  # within a day
    [mail] = desk.world.new_mail()
    recipients = {a.strip() for a in mail["To"].split(",")}
    assert "tito@acme.example.com" in recipients and "carla@cliente.example.com" not in recipients
    assert mail["Subject"] == "El canal “Ventas” de Acme dejó de funcionar: reconéctalo"
    body = mail.get_body(("plain",)).get_content()
    assert "Error validating access token" in body and f"/channels/{desk.channel_id}" in body
    assert "EAAG-token" not in mail.as_string()  # never a secret
    frozen_clock.advance(timedelta(days=1, seconds=1))
    polling.on_credentials_rejected(channel)  # the polling job's hook says the same
    assert len(desk.world.new_mail()) == 1
