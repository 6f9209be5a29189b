"""Channel credentials about to expire (SPEC §5, docs/sla.md "Channel notices"): a Meta
token's expiry is asked of Graph's ``debug_token`` (a local fake Graph) when the channel
is connected or its credentials replaced; the token-expiry job emails the account
contacts taking channel notices 7 days before, once per channel and expiry."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.jobs import tokens
from chalicelib.settings import get_settings, reset_settings
from chalicelib.store import keys
from chalicelib.store.channels import Channel
from chalicelib.store.deadlines import CREDENTIALS_WARNING, CredentialsDeadline
from tests.support.fakes import FakeProvider, serving
from tests.support.payloads import payload

DEBUG_TOKEN = "/v21.0/debug_token"
TOKEN = "EAAG-expiring-token-1234567890"
WHATSAPP = {
    "phone_number_id": "106540352242922",
    "business_account_id": "102290129340398",
    "display_phone_number": "+56 9 1234 5678",
}
#: the frozen clock starts at 2026-03-02 12:00 UTC; the token lives 60 days
EXPIRES = datetime(2026, 5, 1, 15, 30, tzinfo=UTC)


def debug_answer(expires_at: int, **extra: Any) -> dict[str, Any]:
    """The Graph API's debug_token answer for a token expiring at ``expires_at``."""
    answer = payload("graph/debug_token.json", {"data.expires_at": expires_at})
    answer["data"].update(extra)
    return dict(answer)


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    with serving(FakeProvider()) as fake:
        monkeypatch.setenv("GRAPH_API_BASE_URL", fake.url)
        reset_settings()
        try:
            yield fake
        finally:
            monkeypatch.delenv("GRAPH_API_BASE_URL")
            reset_settings()


def contacts(world: Any, admin: str) -> None:
    for first, email, channels in (("Tito", "tito@acme.example.com", True),
                                   ("Carla", "carla@acme.example.com", False)):  # fmt: skip
        created = world.call("POST", "/v1/account-contacts", admin, {
            "first_name": first, "last_name": "Contacto", "email": email,
            "email_preferences": {"channels": channels}})  # fmt: skip
        assert created.status_code == 201, created.json
    world.new_mail()


def connect(world: Any, admin: str, token: str = TOKEN) -> Any:
    return world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": "Ventas", "identifiers": WHATSAPP,
        "credentials": {"access_token": token}})  # fmt: skip


def deadlines(tenant: str) -> list[CredentialsDeadline]:
    return list(CredentialsDeadline.query(keys.tenant_pk(tenant),
                                          CredentialsDeadline.SK.startswith("CREDENTIALS_EXPIRY#")))  # fmt: skip


def tenant_of(world: Any, admin: str) -> str:
    return world.call("GET", "/v1/me", admin).json["tenant"]["id"]


def test_the_contacts_are_warned_once_seven_days_before_the_token_expires(
    world, admin, graph, frozen_clock
):
    contacts(world, admin)
    graph.queue(DEBUG_TOKEN, 200, debug_answer(int(EXPIRES.timestamp())))
    created = connect(world, admin)
    assert created.status_code == 201, created.json
    channel_id, tenant = created.json["id"], tenant_of(world, admin)

    # Graph was asked with the channel's token and the app token <app id>|<app secret>
    [asked] = graph.to(DEBUG_TOKEN)
    assert asked.method == "GET" and asked.query["input_token"] == TOKEN
    settings = get_settings()
    assert settings.meta_app_secret is not None
    assert asked.query["access_token"] == (
        f"{settings.meta_app_id}|{settings.meta_app_secret.get_secret_value()}"
    )
    # the API shows the expiry, never the token
    shown = world.call("GET", f"/v1/channels/{channel_id}", admin)
    assert shown.json["credentials_expire_at"].startswith("2026-05-01T15:30:00")
    assert TOKEN not in shown.body.decode() + created.body.decode()
    stored = Channel.get(keys.tenant_pk(tenant), keys.channel_sk(channel_id))
    assert stored.credentials_expire_at == EXPIRES
    [deadline] = deadlines(tenant)
    assert deadline.due_at == EXPIRES - CREDENTIALS_WARNING

    # a second before the warning: nothing; at it: one email; again: none
    frozen_clock.advance(EXPIRES - CREDENTIALS_WARNING - frozen_clock.now() - timedelta(seconds=1))
    assert tokens.scheduled_run() == {}
    assert world.new_mail() == []
    frozen_clock.advance(timedelta(seconds=1))
    assert tokens.scheduled_run() == {"credentials_warned": 1}
    assert tokens.scheduled_run() == {}
    [mail] = world.new_mail()
    recipients = {a.strip() for a in mail["To"].split(",")}
    assert "tito@acme.example.com" in recipients and "carla@acme.example.com" not in recipients
    # the tenant's timezone (America/Santiago, UTC-4 in May)
    assert (
        mail["Subject"] == "Las credenciales del canal “Ventas” de Acme vencen el 2026-05-01 11:30"
    )
    body = mail.get_body(("plain",)).get_content()
    assert "2026-05-01 11:30 (hora de America/Santiago)" in body
    assert f"/channels/{channel_id}" in body
    assert TOKEN not in mail.as_string()
    assert deadlines(tenant) == []
    frozen_clock.advance(timedelta(days=1))
    assert tokens.scheduled_run() == {} and world.new_mail() == []


def test_new_credentials_move_the_warning_and_two_runs_warn_once(world, admin, graph, frozen_clock):
    contacts(world, admin)
    graph.queue(DEBUG_TOKEN, 200, debug_answer(int(EXPIRES.timestamp())))
    channel_id = connect(world, admin).json["id"]
    tenant = tenant_of(world, admin)
    later = EXPIRES + timedelta(days=30)
    graph.queue(DEBUG_TOKEN, 200, debug_answer(int(later.timestamp())))
    replaced = world.call("PATCH", f"/v1/channels/{channel_id}", admin,
                          {"credentials": {"access_token": "EAAG-renewed-token-0987654321"}})  # fmt: skip
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["credentials_expire_at"].startswith("2026-05-31T15:30:00")
    [deadline] = deadlines(tenant)
    assert deadline.credentials_expire_at == later

    frozen_clock.advance(EXPIRES - CREDENTIALS_WARNING - frozen_clock.now())
    assert tokens.warn_expiring_credentials() == {}  # the old token's warning is gone
    frozen_clock.advance(timedelta(days=30))
    # two runs that both read the due warning: only the one that removes it emails
    [due] = deadlines(tenant)
    from chalicelib.jobs.tokens import _warn

    assert _warn(due, frozen_clock.now()) == "warned"
    assert _warn(due, frozen_clock.now()) == "lost"
    assert len(world.new_mail()) == 1


def test_a_token_that_never_expires_makes_no_deadline(world, admin, graph):
    graph.queue(DEBUG_TOKEN, 200, debug_answer(0))
    created = connect(world, admin)
    assert created.status_code == 201, created.json
    assert created.json["credentials_expire_at"] is None
    assert len(graph.to(DEBUG_TOKEN)) == 1
    assert deadlines(tenant_of(world, admin)) == []


def test_a_failing_debug_token_still_connects_the_channel(world, admin, graph, caplog):
    caplog.set_level(logging.INFO)
    graph.queue(DEBUG_TOKEN, 400, payload("graph/error_invalid_token.json"))
    created = connect(world, admin)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "connected"
    assert created.json["credentials_expire_at"] is None
    assert deadlines(tenant_of(world, admin)) == []
    assert "debug_token failed" in caplog.text
    secret = get_settings().meta_app_secret
    assert secret is not None
    assert TOKEN not in caplog.text and secret.get_secret_value() not in caplog.text


def test_an_unreachable_graph_still_connects_the_channel(
    world, admin, monkeypatch: pytest.MonkeyPatch
):
    from devstack.ddb_local import free_port

    monkeypatch.setenv("GRAPH_API_BASE_URL", f"http://127.0.0.1:{free_port()}")  # nobody there
    reset_settings()
    try:
        created = connect(world, admin)
    finally:
        monkeypatch.delenv("GRAPH_API_BASE_URL")
        reset_settings()
    assert created.status_code == 201, created.json
    assert created.json["credentials_expire_at"] is None


def test_locally_without_a_graph_url_nothing_is_asked(world, admin, graph, monkeypatch):
    monkeypatch.delenv("GRAPH_API_BASE_URL")
    reset_settings()
    created = connect(world, admin)
    assert created.status_code == 201, created.json
    assert created.json["credentials_expire_at"] is None
    assert graph.requests == []
    monkeypatch.setenv("GRAPH_API_BASE_URL", graph.url)  # the fixture's teardown removes it


def test_a_disconnected_channel_is_not_warned(world, admin, graph, frozen_clock):
    contacts(world, admin)
    graph.queue(DEBUG_TOKEN, 200, debug_answer(int(EXPIRES.timestamp())))
    channel_id = connect(world, admin).json["id"]
    assert world.call("DELETE", f"/v1/channels/{channel_id}", admin).status_code in (200, 204)
    frozen_clock.advance(EXPIRES - CREDENTIALS_WARNING - frozen_clock.now())
    assert tokens.warn_expiring_credentials() == {"stale": 1}
    assert world.new_mail() == []
    assert deadlines(tenant_of(world, admin)) == []
