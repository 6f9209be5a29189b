"""Connecting Meta channels as Meta expects (issue 13, docs/channels.md "Connecting Meta"):
Facebook Login's code exchanged for a long-lived token, the Pages of ``/me/accounts``,
a Page or its Instagram account connected and subscribed; a WhatsApp number checked and
its templates synced. Against a local fake Graph: what goes on the wire is checked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.channels.service import credentials_of, find_connected
from chalicelib.settings import get_settings, reset_settings
from tests.support.fakes import FakeProvider, serving

V = "/v21.0"
REDIRECT = "http://127.0.0.1:8000/admin/channels/connect/facebook"
USER_TOKEN = "EAAG-short-user-token-1234567890"
LONG_TOKEN = "EAAG-long-lived-user-token-1234567890"
PAGE_TOKEN = "EAAG-page-token-of-cafe-1234567890"
OTHER_PAGE_TOKEN = "EAAG-page-token-of-libreria-1234567890"
SYSTEM_TOKEN = "EAAG-system-user-token-1234567890"
SECRETS = (USER_TOKEN, LONG_TOKEN, PAGE_TOKEN, OTHER_PAGE_TOKEN, SYSTEM_TOKEN)
ACCOUNTS = {
    "data": [
        {"id": "104857600000001", "name": "Café Aurora", "access_token": PAGE_TOKEN,
         "instagram_business_account": {"id": "17841400000000001", "username": "cafe.aurora"}},
    ],
    "paging": {"next": "https://graph.facebook.com/v21.0/me/accounts?after=MQ"},
}  # fmt: skip
ACCOUNTS_2 = {"data": [{"id": "104857600000002", "name": "Librería Sur",
                        "access_token": OTHER_PAGE_TOKEN}]}  # fmt: skip


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    with serving(FakeProvider()) as fake:
        monkeypatch.setenv("GRAPH_API_BASE_URL", fake.url)
        monkeypatch.setenv("META_LOGIN_BASE_URL", "https://login.example.test")
        reset_settings()
        try:
            yield fake
        finally:
            monkeypatch.delenv("GRAPH_API_BASE_URL")
            monkeypatch.delenv("META_LOGIN_BASE_URL")
            reset_settings()


def start(world: Any, admin: str) -> str:
    started = world.call("POST", "/v1/channels/meta/login", admin, {"redirect_uri": REDIRECT})
    assert started.status_code == 200, started.json
    return str(started.json["state"])


def queue_login(graph: FakeProvider) -> None:
    graph.queue(
        f"{V}/oauth/access_token", 200, {"access_token": USER_TOKEN, "token_type": "bearer"}
    )
    graph.queue(f"{V}/oauth/access_token", 200,
                {"access_token": LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944})  # fmt: skip
    graph.queue(f"{V}/me/accounts", 200, ACCOUNTS)
    graph.queue(f"{V}/me/accounts", 200, ACCOUNTS_2)


def log_in(world: Any, admin: str, graph: FakeProvider) -> Any:
    state = start(world, admin)
    queue_login(graph)
    return world.call("POST", "/v1/channels/meta/login/callback", admin,
                      {"code": "the-code", "state": state, "redirect_uri": REDIRECT})  # fmt: skip


def test_the_login_dialog_url_names_the_app_the_return_page_and_a_state(world, admin, graph):
    started = world.call("POST", "/v1/channels/meta/login", admin, {"redirect_uri": REDIRECT})
    assert started.status_code == 200, started.json
    url = urlsplit(started.json["url"])
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "login.example.test",
        "/v21.0/dialog/oauth",
    )
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["client_id"] == get_settings().meta_app_id
    assert query["redirect_uri"] == REDIRECT and query["response_type"] == "code"
    assert query["state"] == started.json["state"] and len(query["state"]) >= 24
    assert {"pages_show_list", "pages_messaging", "instagram_manage_messages"} <= set(
        query["scope"].split(",")
    )
    # only a console connect page may receive the code
    bad = world.call("POST", "/v1/channels/meta/login", admin,
                     {"redirect_uri": "https://evil.example.com/steal"})  # fmt: skip
    assert bad.status_code == 400 and bad.json["error"]["code"] == "validation_error"
    elsewhere = world.call("POST", "/v1/channels/meta/login", admin,
                           {"redirect_uri": "https://evil.example.com/admin/channels/connect/x"})  # fmt: skip
    assert elsewhere.status_code == 400


def test_a_page_is_connected_through_the_login_and_subscribed(world, admin, graph, caplog):
    caplog.set_level(logging.DEBUG)
    done = log_in(world, admin, graph)
    assert done.status_code == 200, done.json
    # the wire: the code, then the long-lived exchange, then /me/accounts (both pages)
    short, long = graph.to(f"{V}/oauth/access_token")
    secret = get_settings().meta_app_secret.get_secret_value()  # type: ignore[union-attr]
    assert short.method == "GET" and short.query == {
        "client_id": get_settings().meta_app_id, "redirect_uri": REDIRECT,
        "client_secret": secret, "code": "the-code"}  # fmt: skip
    assert long.query == {"grant_type": "fb_exchange_token", "client_id": get_settings().meta_app_id,
                          "client_secret": secret, "fb_exchange_token": USER_TOKEN}  # fmt: skip
    first, second = graph.to(f"{V}/me/accounts")
    assert first.query["access_token"] == LONG_TOKEN
    assert first.query["fields"] == "id,name,access_token,instagram_business_account{id,username}"
    assert second.query == {"after": "MQ"}  # the paging link, kept on our Graph's host
    pages = done.json["pages"]
    assert pages == [
        {"id": "104857600000001", "name": "Café Aurora",
         "instagram": {"id": "17841400000000001", "username": "cafe.aurora"},
         "connected": {"facebook": False, "instagram": False}},
        {"id": "104857600000002", "name": "Librería Sur", "instagram": None,
         "connected": {"facebook": False, "instagram": False}},
    ]  # fmt: skip

    graph.queue(f"{V}/104857600000001/subscribed_apps", 200, {"success": True})
    graph.queue(f"{V}/debug_token", 200, {"data": {"is_valid": True, "expires_at": 0}})
    made = world.call("POST", "/v1/channels/meta/pages", admin, {
        "login_id": done.json["login_id"], "page_id": "104857600000001", "type": "facebook"})  # fmt: skip
    assert made.status_code == 201, made.json
    assert made.json["type"] == "facebook" and made.json["name"] == "Café Aurora"
    assert made.json["identifiers"] == {"page_id": "104857600000001", "page_name": "Café Aurora"}
    [subscribed] = graph.to(f"{V}/104857600000001/subscribed_apps")
    assert subscribed.method == "POST" and subscribed.query == {
        "subscribed_fields": "messages,messaging_postbacks,message_echoes,feed",
        "access_token": PAGE_TOKEN}  # fmt: skip
    channel = find_connected("facebook", "104857600000001")
    assert channel is not None and credentials_of(channel) == {"page_access_token": PAGE_TOKEN}

    # the same login: its Instagram account too; the Page shows as connected
    graph.queue(f"{V}/104857600000001/subscribed_apps", 200, {"success": True})
    graph.queue(f"{V}/debug_token", 200, {"data": {"is_valid": True, "expires_at": 0}})
    insta = world.call("POST", "/v1/channels/meta/pages", admin, {
        "login_id": done.json["login_id"], "page_id": "104857600000001", "type": "instagram"})  # fmt: skip
    assert insta.status_code == 201, insta.json
    assert insta.json["name"] == "@cafe.aurora"
    assert insta.json["account_id"] == "17841400000000001"

    # twice: a clear 409, Graph not asked again
    calls = len(graph.requests)
    twice = world.call("POST", "/v1/channels/meta/pages", admin, {
        "login_id": done.json["login_id"], "page_id": "104857600000001", "type": "facebook"})  # fmt: skip
    assert twice.status_code == 409 and twice.json["error"]["code"] == "channel_taken"
    assert len(graph.requests) == calls
    # a Page without Instagram account
    none = world.call("POST", "/v1/channels/meta/pages", admin, {
        "login_id": done.json["login_id"], "page_id": "104857600000002", "type": "instagram"})  # fmt: skip
    assert none.status_code == 400 and none.json["error"]["code"] == "no_instagram_account"

    # no token in any answer nor log
    shown = done.body.decode() + made.body.decode() + insta.body.decode()
    shown += world.call("GET", "/v1/channels", admin).body.decode()
    for token in SECRETS:
        assert token not in shown and token not in caplog.text


def test_a_state_is_used_once_and_expires_in_ten_minutes(world, admin, graph, frozen_clock):
    state = start(world, admin)
    frozen_clock.advance(timedelta(minutes=10, seconds=1))
    late = world.call("POST", "/v1/channels/meta/login/callback", admin,
                      {"code": "c", "state": state, "redirect_uri": REDIRECT})  # fmt: skip
    assert late.status_code == 410 and late.json["error"]["code"] == "login_expired"
    assert graph.requests == []

    done = log_in(world, admin, graph)
    assert done.status_code == 200
    # the Pages of a login last 30 minutes
    frozen_clock.advance(timedelta(minutes=31))
    gone = world.call("POST", "/v1/channels/meta/pages", admin, {
        "login_id": done.json["login_id"], "page_id": "104857600000001", "type": "facebook"})  # fmt: skip
    assert gone.status_code == 410


def test_a_replayed_state_is_refused(world, admin, graph):
    state = start(world, admin)
    queue_login(graph)
    body = {"code": "the-code", "state": state, "redirect_uri": REDIRECT}
    assert world.call("POST", "/v1/channels/meta/login/callback", admin, body).status_code == 200
    replay = world.call("POST", "/v1/channels/meta/login/callback", admin, body)
    assert replay.status_code == 410 and replay.json["error"]["code"] == "login_expired"


def test_a_refused_code_is_400_and_graph_down_is_503(world, admin, graph):
    state = start(world, admin)
    graph.queue(f"{V}/oauth/access_token", 400, {"error": {
        "message": "Invalid verification code format.", "type": "OAuthException", "code": 100}})  # fmt: skip
    refused = world.call("POST", "/v1/channels/meta/login/callback", admin,
                         {"code": "bad", "state": state, "redirect_uri": REDIRECT})  # fmt: skip
    assert refused.status_code == 400 and refused.json["error"]["code"] == "login_refused"
    assert "Invalid verification code" in refused.json["error"]["message"]

    state = start(world, admin)
    graph.queue(f"{V}/oauth/access_token", 500, {"error": {"message": "boom", "code": 2}})
    down = world.call("POST", "/v1/channels/meta/login/callback", admin,
                      {"code": "c", "state": state, "redirect_uri": REDIRECT})  # fmt: skip
    assert down.status_code == 503 and down.json["error"]["code"] == "graph_unavailable"


def test_another_tenant_or_admin_cannot_use_a_state_or_a_login(world, admin, graph):
    state = start(world, admin)
    other = world.signup("Otra", "eva@otra.example.com")["access_token"]
    stolen = world.call("POST", "/v1/channels/meta/login/callback", other,
                        {"code": "c", "state": state, "redirect_uri": REDIRECT})  # fmt: skip
    assert stolen.status_code == 410
    done = world.call("POST", "/v1/channels/meta/login/callback", admin,
                      {"code": "c", "state": state, "redirect_uri": REDIRECT})  # fmt: skip
    assert done.status_code == 400  # Graph (nothing queued) refused: the state was still good
    state = start(world, admin)
    queue_login(graph)
    done = world.call("POST", "/v1/channels/meta/login/callback", admin,
                      {"code": "c", "state": state, "redirect_uri": REDIRECT})  # fmt: skip
    login_id = done.json["login_id"]
    taken = world.call("POST", "/v1/channels/meta/pages", other, {
        "login_id": login_id, "page_id": "104857600000001", "type": "facebook"})  # fmt: skip
    assert taken.status_code == 410


def test_an_agent_may_not_connect(world, admin, graph):
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    refused = world.call("POST", "/v1/channels/meta/login", agent, {"redirect_uri": REDIRECT})
    assert refused.status_code == 403


# --- WhatsApp -------------------------------------------------------------------------------
PHONE_ID, WABA = "106540352242922", "102290129340398"


def test_a_whatsapp_number_is_checked_with_the_system_user_token(world, admin, graph, caplog):
    caplog.set_level(logging.DEBUG)
    graph.queue(f"{V}/{PHONE_ID}", 200, {"display_phone_number": "+56 9 5555 0101",
                                         "verified_name": "Café Aurora", "quality_rating": "GREEN",
                                         "id": PHONE_ID})  # fmt: skip
    checked = world.call("POST", "/v1/channels/whatsapp/check", admin,
                         {"phone_number_id": PHONE_ID, "access_token": SYSTEM_TOKEN})  # fmt: skip
    assert checked.status_code == 200, checked.json
    assert checked.json == {"display_phone_number": "+56 9 5555 0101",
                            "verified_name": "Café Aurora", "quality_rating": "GREEN"}  # fmt: skip
    [asked] = graph.to(f"{V}/{PHONE_ID}")
    assert asked.headers["authorization"] == f"Bearer {SYSTEM_TOKEN}"
    assert asked.query == {"fields": "display_phone_number,verified_name,quality_rating"}
    graph.queue(f"{V}/{PHONE_ID}", 401, {"error": {"message": "Invalid OAuth access token.",
                                                   "type": "OAuthException", "code": 190}})  # fmt: skip
    refused = world.call("POST", "/v1/channels/whatsapp/check", admin,
                         {"phone_number_id": PHONE_ID, "access_token": SYSTEM_TOKEN})  # fmt: skip
    assert refused.status_code == 400 and refused.json["error"]["code"] == "whatsapp_refused"
    assert SYSTEM_TOKEN not in checked.body.decode() + refused.body.decode() + caplog.text


def template(name: str, language: str, body: str, status: str = "APPROVED") -> dict[str, Any]:
    return {"name": name, "language": language, "status": status, "category": "UTILITY",
            "id": "1", "components": [{"type": "BODY", "text": body}]}  # fmt: skip


def test_templates_are_synced_from_the_business_account(world, admin, graph):
    graph.queue(f"{V}/debug_token", 200, {"data": {"is_valid": True, "expires_at": 0}})
    made = world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": "Ventas", "credentials": {"access_token": SYSTEM_TOKEN},
        "identifiers": {"phone_number_id": PHONE_ID, "business_account_id": WABA,
                        "display_phone_number": "+56 9 5555 0101", "verified_name": "Café Aurora",
                        "quality_rating": "GREEN"}})  # fmt: skip
    assert made.status_code == 201, made.json
    channel = made.json["id"]
    path = f"{V}/{WABA}/message_templates"
    graph.queue(path, 200, {"data": [template("pedido_listo", "es", "Hola {{1}}, listo."),
                                     template("paused_one", "es", "x", status="PAUSED")],
                            "paging": {"next": f"https://graph.facebook.com{path}?after=Mg"}})  # fmt: skip
    graph.queue(path, 200, {"data": [template("order_ready", "en_US", "Hi {{1}}", "PENDING")]})
    synced = world.call("POST", f"/v1/channels/{channel}/templates/sync", admin)
    assert synced.status_code == 200, synced.json
    assert synced.json == {"created": 2, "updated": 0, "removed": 0}
    first, second = graph.to(path)
    assert first.headers["authorization"] == f"Bearer {SYSTEM_TOKEN}"
    assert first.query["fields"] == "name,language,status,category,components"
    assert second.query == {"after": "Mg"}
    listed = world.call("GET", "/v1/templates", admin).json["items"]
    assert {(t["name"], t["language"], t["status"], t["channel_id"]) for t in listed} == {
        ("pedido_listo", "es", "approved", channel),
        ("order_ready", "en_US", "pending", channel),
    }

    # again, with one changed and one gone: idempotent otherwise
    graph.queue(path, 200, {"data": [template("pedido_listo", "es", "Hola {{1}}, listo.")]})
    assert world.call("POST", f"/v1/channels/{channel}/templates/sync", admin).json == {
        "created": 0, "updated": 0, "removed": 1}  # fmt: skip
    graph.queue(path, 200, {"data": [template("pedido_listo", "es", "Hola {{1}}, ¡listo!")]})
    assert world.call("POST", f"/v1/channels/{channel}/templates/sync", admin).json == {
        "created": 0, "updated": 1, "removed": 0}  # fmt: skip
    graph.queue(path, 200, {"data": [template("pedido_listo", "es", "Hola {{1}}, ¡listo!")]})
    assert world.call("POST", f"/v1/channels/{channel}/templates/sync", admin).json == {
        "created": 0, "updated": 0, "removed": 0}  # fmt: skip
    assert json.dumps(world.call("GET", "/v1/templates", admin).json).count("pedido_listo") == 1


def test_offline_the_login_is_unavailable_and_the_number_unknown(world, admin):
    """Locally without GRAPH_API_BASE_URL nothing leaves the machine (SPEC §9)."""
    started = world.call("POST", "/v1/channels/meta/login", admin, {"redirect_uri": REDIRECT})
    assert started.status_code == 503 and started.json["error"]["code"] == "graph_not_configured"
    checked = world.call("POST", "/v1/channels/whatsapp/check", admin,
                         {"phone_number_id": PHONE_ID, "access_token": SYSTEM_TOKEN})  # fmt: skip
    assert checked.status_code == 200
    assert checked.json == {"display_phone_number": "", "verified_name": "",
                            "quality_rating": "UNKNOWN"}  # fmt: skip
