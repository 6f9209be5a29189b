"""The web chat widget's public API (SPEC §3): sessions, messages, conversation, limits."""

from datetime import timedelta

import jwt
import pytest

import app
from chalicelib.domain import chat
from chalicelib.domain.channels.service import find_connected
from chalicelib.domain.inbound.autoreply import queue_outbound
from chalicelib.store import keys
from chalicelib.store.helpdesk import Client
from devstack.worker import deliver_once, sqs_consumers
from tests.support.table_stream import run_effects
from tests.support.tickets_read import messages_of, open_tickets

SITE = "https://www.acme.example.com"
OTHER_SITE = "https://evil.example.net"


def run_inbound_worker():
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "receive_inbound"]
    while deliver_once(source, handler, wait_seconds=0):
        pass
    run_effects()  # what the stored messages cause (jobs/effects.py)


def connect_chat(world, admin, allowed_origins=None):
    identifiers = {"site_name": "acme.example.com"}
    if allowed_origins is not None:
        identifiers["allowed_origins"] = allowed_origins
    created = world.call("POST", "/v1/channels", admin, {
        "type": "chat", "name": "Web", "identifiers": identifiers})  # fmt: skip
    assert created.status_code == 201, created.json
    return created.json


@pytest.fixture
def widget(world, admin):
    channel = connect_chat(world, admin, ["www.acme.example.com/"])  # typed loosely on purpose
    tenant = world.call("GET", "/v1/me", admin).json["tenant"]["id"]
    return {
        "channel": channel,
        "public_key": channel["identifiers"]["public_key"],
        "tenant": tenant,
    }


def open_session(world, public_key, origin=SITE, **fields):
    headers = {"Origin": origin} if origin else {}
    return world.call(
        "POST", "/chat/v1/sessions", body={"public_key": public_key, **fields}, headers=headers
    )


def send(
    world, token, text="Hola, ¿tienen envío a regiones?", client_message_id="m-1", origin=SITE
):
    headers = {"Origin": origin} if origin else {}
    return world.call("POST", "/chat/v1/messages", token,
                      {"text": text, "client_message_id": client_message_id}, headers)  # fmt: skip


def read(world, token, after=None, origin=SITE):
    path = "/chat/v1/messages" + (f"?after={after}" if after else "")
    return world.call("GET", path, token, headers={"Origin": origin} if origin else {})


def visitor_token(world, widget, **fields):
    response = open_session(world, widget["public_key"], **fields)
    assert response.status_code == 201, response.json
    return response.json["visitor_token"]


def timeline(tenant, number=1):
    return list(messages_of(tenant, number))


def test_a_visitor_writes_an_agent_answers_and_the_widget_shows_both(world, widget, frozen_clock):
    session = open_session(world, widget["public_key"], name="Camila", email="camila@example.org")
    assert session.status_code == 201, session.json
    assert session.json["expires_in"] == 24 * 3600
    assert session.json["site_name"] == "acme.example.com"  # the widget's header
    assert session.headers["Access-Control-Allow-Origin"] == SITE
    token = session.json["visitor_token"]
    assert read(world, token).json == []  # nothing written yet

    sent = send(world, token)
    assert sent.status_code == 202 and sent.json == {"accepted": True}
    assert sent.headers["Access-Control-Allow-Origin"] == SITE
    run_inbound_worker()

    [ticket] = open_tickets(widget["tenant"])
    assert ticket.number == 1 and ticket.channel_type == "chat"
    client = Client.get(keys.client_pk(widget["tenant"], ticket.client_id), keys.client_sk())
    assert client.sender_id == session.json["visitor_id"]
    assert (client.name, client.handle, client.open_ticket) == ("Camila", "camila@example.org", 1)
    [stored] = timeline(widget["tenant"])
    assert stored.text == "Hola, ¿tienen envío a regiones?"
    assert stored.provider_message_id == f"{session.json['visitor_id']}:m-1"

    seen = read(world, token)
    assert seen.status_code == 200 and seen.headers["Access-Control-Allow-Origin"] == SITE
    [mine] = seen.json
    assert mine["direction"] == "in" and mine["client_message_id"] == "m-1"
    assert mine["text"] == "Hola, ¿tienen envío a regiones?" and mine["status"] is None

    frozen_clock.advance(timedelta(minutes=2))
    channel = find_connected("chat", widget["public_key"])
    queue_outbound(channel, 1, "¡Hola Camila! Sí, enviamos a todo Chile.", frozen_clock.now(),
                   author_id="agent-1")  # fmt: skip
    both = read(world, token).json
    assert [(m["direction"], m["text"]) for m in both] == [
        ("in", "Hola, ¿tienen envío a regiones?"),
        ("out", "¡Hola Camila! Sí, enviamos a todo Chile."),
    ]
    assert both[1]["status"] == "queued" and both[1]["client_message_id"] is None
    assert "author_id" not in both[1]

    newer = read(world, token, after=mine["sent_at"]).json
    assert [m["direction"] for m in newer] == ["out"]
    assert read(world, token, after=both[1]["sent_at"]).json == []


def test_a_retried_send_is_stored_once(world, widget):
    token = visitor_token(world, widget)
    for _ in range(3):
        assert send(world, token, client_message_id="retry-me").status_code == 202
    assert send(world, token, text="Otra cosa", client_message_id="m-2").status_code == 202
    run_inbound_worker()
    assert sorted(m.text for m in timeline(widget["tenant"])) == [
        "Hola, ¿tienen envío a regiones?",
        "Otra cosa",
    ]
    assert len(read(world, token).json) == 2


def test_two_visitors_have_their_own_tickets_and_see_only_their_own(world, widget):
    first, second = visitor_token(world, widget), visitor_token(world, widget)
    send(world, first, text="Soy la primera")
    send(world, second, text="Soy el segundo")
    run_inbound_worker()
    assert [m["text"] for m in read(world, first).json] == ["Soy la primera"]
    assert [m["text"] for m in read(world, second).json] == ["Soy el segundo"]


def test_a_missing_forged_foreign_or_expired_token_is_401(world, admin, widget, frozen_clock):
    token = visitor_token(world, widget)
    header, payload, signature = token.split(".")
    forged_payload = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "sub": "someone-else"},
        "not-our-secret-but-long-enough-for-hs256-keys",
        algorithm="HS256",
    )
    candidates = {
        "missing": None,
        "garbage": "not-a-token",
        "bad signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "other key": forged_payload,
        "an agent's access token": admin,
    }
    for label, candidate in candidates.items():
        for response in (send(world, candidate), read(world, candidate)):
            assert response.status_code == 401, label
            assert response.json["error"]["code"] == "invalid_visitor_token", label
            assert "Access-Control-Allow-Origin" not in response.headers, label
    # the visitor token is no access token either
    assert world.call("GET", "/v1/me", token).status_code == 401

    frozen_clock.advance(timedelta(hours=24, seconds=1))
    expired = read(world, token)
    assert expired.status_code == 401 and "expired" in expired.json["error"]["message"]
    # ours, merely expired: the widget's site may read the 401 and open a new session
    assert expired.headers["Access-Control-Allow-Origin"] == SITE


def test_the_token_is_checked_before_the_body(world, widget):
    assert send(world, None, text="").status_code == 401


def test_an_unknown_or_disconnected_public_key_is_404(world, admin, widget):
    token = visitor_token(world, widget)
    unknown = open_session(world, "pk_doesnotexist")
    assert unknown.status_code == 404
    assert unknown.json["error"]["code"] == "unknown_public_key"
    assert "public key" in unknown.json["error"]["message"]
    deleted = world.call("DELETE", f"/v1/channels/{widget['channel']['id']}", admin)
    assert deleted.status_code in (200, 204), deleted.json
    assert open_session(world, widget["public_key"]).status_code == 404
    gone = send(world, token)  # a token issued before: refused, not accepted and dropped
    assert gone.status_code == 410 and gone.json["error"]["code"] == "chat_disconnected"


def test_only_allowed_sites_open_sessions_and_use_their_tokens(world, admin, widget):
    for origin in (OTHER_SITE, "http://www.acme.example.com", "null", None):
        refused = open_session(world, widget["public_key"], origin=origin)
        assert refused.status_code == 403, origin
        assert refused.json["error"]["code"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in refused.headers
    # the browser's spelling of an allowed site, default port included, is the same site
    assert open_session(world, widget["public_key"], origin=SITE + ":443").status_code == 201

    token = visitor_token(world, widget)
    elsewhere = send(world, token, origin=OTHER_SITE)
    assert elsewhere.status_code == 403
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    assert read(world, token, origin=OTHER_SITE).status_code == 403
    # a caller that is not a browser names no site: the token alone decides
    assert send(world, token, origin=None).status_code == 202

    anywhere = connect_chat(world, admin)  # no allowed origins: any site
    key = anywhere["identifiers"]["public_key"]
    opened = open_session(world, key, origin=OTHER_SITE)
    assert opened.status_code == 201
    assert opened.headers["Access-Control-Allow-Origin"] == OTHER_SITE
    assert open_session(world, key, origin=None).status_code == 201
    other = send(world, opened.json["visitor_token"], origin="https://third.example.com")
    assert other.status_code == 202
    assert other.headers["Access-Control-Allow-Origin"] == "https://third.example.com"


def test_the_admin_changes_the_allowed_sites_and_the_key_stays(world, admin, widget):
    path = f"/v1/channels/{widget['channel']['id']}"
    patched = world.call("PATCH", path, admin, {
        "identifiers": {"allowed_origins": [OTHER_SITE], "site_name": "Acme"}})  # fmt: skip
    assert patched.status_code == 200, patched.json
    assert patched.json["identifiers"] == {
        "site_name": "Acme", "allowed_origins": [OTHER_SITE], "public_key": widget["public_key"]}  # fmt: skip
    assert patched.json["account_id"] == widget["public_key"]
    assert open_session(world, widget["public_key"]).status_code == 403  # no longer allowed
    opened = open_session(world, widget["public_key"], origin=OTHER_SITE)
    assert opened.status_code == 201 and opened.json["site_name"] == "Acme"

    # the key is in every site's snippet: it never changes; nor do unknown fields pass
    for bad in ({"public_key": "pk_mine"}, {"allowed_origins": "x"}, {"color": "red"}):
        refused = world.call("PATCH", path, admin, {"identifiers": bad})
        assert refused.status_code == 400, bad
    assert world.call("GET", path, admin).json["identifiers"]["public_key"] == widget["public_key"]


def test_other_channels_identifiers_do_not_change_in_place(world, admin):
    created = world.call("POST", "/v1/channels", admin, {
        "type": "email", "name": "Soporte",
        "identifiers": {"address": "soporte@acme.example.com"}})  # fmt: skip
    assert created.status_code == 201, created.json
    refused = world.call("PATCH", f"/v1/channels/{created.json['id']}", admin, {
        "identifiers": {"address": "otro@acme.example.com"}})  # fmt: skip
    assert refused.status_code == 400 and refused.json["error"]["code"] == "identifiers_fixed"


def test_a_preflight_is_answered_for_any_site(world, widget):
    for path in ("/chat/v1/sessions", "/chat/v1/messages"):
        response = world.api.options(path, headers={
            "Origin": OTHER_SITE, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})  # fmt: skip
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == OTHER_SITE
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_sessions_are_limited_per_address(world, widget, frozen_clock):
    frozen_clock.advance(timedelta(seconds=15))  # 45 s before the window ends
    for _ in range(chat.SESSIONS_PER_IP):
        assert open_session(world, widget["public_key"]).status_code == 201
    throttled = open_session(world, widget["public_key"])
    assert throttled.status_code == 429
    assert throttled.json["error"]["code"] == "throttled"
    assert throttled.headers["Retry-After"] == "45"
    assert throttled.headers["Access-Control-Allow-Origin"] == SITE  # the widget can read it
    frozen_clock.advance(timedelta(seconds=45))
    assert open_session(world, widget["public_key"]).status_code == 201


def test_messages_are_limited_per_visitor(world, widget, frozen_clock):
    token = visitor_token(world, widget)
    for n in range(chat.MESSAGES_PER_VISITOR):
        assert send(world, token, client_message_id=f"m-{n}").status_code == 202
    throttled = send(world, token, client_message_id="one-too-many")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "60"
    # another visitor (same address) is not held back
    assert send(world, visitor_token(world, widget)).status_code == 202
    frozen_clock.advance(timedelta(minutes=1))
    assert send(world, token, client_message_id="one-too-many").status_code == 202


def test_messages_are_limited_per_address(world, widget, frozen_clock, monkeypatch):
    monkeypatch.setattr(chat, "MESSAGES_PER_IP", 3)
    tokens = [visitor_token(world, widget) for _ in range(2)]
    for n in range(3):
        assert send(world, tokens[n % 2], client_message_id=f"m-{n}").status_code == 202
    assert send(world, tokens[1], client_message_id="m-9").status_code == 429


@pytest.mark.parametrize(
    "body",
    [
        {"text": "", "client_message_id": "m-1"},
        {"text": "   ", "client_message_id": "m-1"},
        {"text": "x" * 4001, "client_message_id": "m-1"},
        {"text": "hola"},
        {"text": "hola", "client_message_id": ""},
        {"text": "hola", "client_message_id": "x" * 65},
        {"text": "hola", "client_message_id": "has#hash"},
        {"text": "hola", "client_message_id": "m-1", "sender_id": "someone-else"},
    ],
)
def test_a_bad_message_body_is_400(world, widget, body):
    token = visitor_token(world, widget)
    response = world.call("POST", "/chat/v1/messages", token, body, {"Origin": SITE})
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert response.headers["Access-Control-Allow-Origin"] == SITE


def test_the_longest_message_is_accepted(world, widget):
    token = visitor_token(world, widget)
    assert send(world, token, text="x" * 4000, client_message_id="m" * 64).status_code == 202


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"public_key": ""},
        {"public_key": "pk_x", "email": "not an email"},
        {"public_key": "pk_x", "name": "x" * 101},
        {"public_key": "pk_x", "tenant_id": "t1"},
    ],
)
def test_a_bad_session_body_is_400(world, body):
    response = world.call("POST", "/chat/v1/sessions", body=body, headers={"Origin": SITE})
    assert response.status_code == 400, response.json


def test_a_bad_after_is_400(world, widget):
    token = visitor_token(world, widget)
    assert read(world, token, after="yesterday").status_code == 400


def test_what_each_widget_call_costs(world, widget):
    from chalicelib.store.meter import measure

    with measure() as opening:
        token = visitor_token(world, widget)
    assert opening.summary()["by_operation"] == {"Query": 1, "UpdateItem": 1}
    with measure() as sending:
        assert send(world, token).status_code == 202
    # the channel (still connected?), 2 counters, the send's first time
    assert sending.summary()["by_operation"] == {"GetItem": 1, "UpdateItem": 3}
    run_inbound_worker()
    with measure() as reading:
        assert len(read(world, token).json) == 1
    assert reading.summary()["by_operation"] == {"GetItem": 1, "Query": 1}


def test_the_auto_replies_reach_the_widget(world, admin, widget):
    """Out of hours and nobody to take it: both replies are read by the widget."""
    settings = {
        "business_hours": {"timezone": "America/Santiago", "weekly": {}},  # never open
        "auto_replies": {
            "out_of_hours": {"enabled": True, "text": "Estamos cerrados; respondemos mañana."},
            "no_agent": {"enabled": True, "text": "Todos nuestros agentes están ocupados."},
        },
    }
    patched = world.call("PATCH", f"/v1/channels/{widget['channel']['id']}", admin,
                         {"settings": settings})  # fmt: skip
    assert patched.status_code == 200, patched.json
    token = visitor_token(world, widget, name="Camila", email="camila@example.org")
    assert send(world, token).status_code == 202
    run_inbound_worker()
    run_effects()  # the replies' own records: sent (the widget reads them from the table)
    seen = read(world, token).json
    assert seen[0]["direction"] == "in"
    replies = {m["text"]: m["status"] for m in seen if m["direction"] == "out"}
    assert set(replies) == {
        "Estamos cerrados; respondemos mañana.",
        "Todos nuestros agentes están ocupados.",
    }
