"""Connecting an X account (issue 13): OAuth 1.0a user context against a fake X, then
the Account Activity subscription. Request tokens stay on the server, for ten minutes,
for the company that asked; no secret is ever shown or logged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from chalicelib.domain.channels.service import credentials_of, find_connected
from chalicelib.settings import reset_settings
from tests.support.fakes import FakeProvider, serving

CONSUMER_KEY = "local-twitter-consumer-key"  # the local defaults (chalicelib/settings.py)
CONSUMER_SECRET = "local-twitter-consumer-secret"
WEBHOOK_ID = "1000000000000000001"
CALLBACK = "http://127.0.0.1:8000/admin/channels/connect/twitter"
REQUEST_TOKEN = "NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0"
REQUEST_SECRET = "veNRnAWe6inFuo8o2u8SLLZLjolYDmDP7SzL0YfYI-request-secret"
VERIFIER = "uw7NjWHT6OJ1MpJOXsHfNxoAhPKpgI8BlYDhxEjIBY"
ACCESS_TOKEN = "2244994945-6K7lAHl8w5bWfhM2dDnOTvExgX3Ol5FhqFlTgfvc1"
ACCESS_SECRET = "SFu1u3vTwWbvDbbmHSnN5nNHMv4ZAyJu9hN93EPHaSecret"
SUBSCRIPTION = f"/2/account_activity/webhooks/{WEBHOOK_ID}/subscriptions/all"

REQUEST_TOKEN_ANSWER = (
    f"oauth_token={REQUEST_TOKEN}&oauth_token_secret={REQUEST_SECRET}&oauth_callback_confirmed=true"
).encode()
ACCESS_TOKEN_ANSWER = (
    f"oauth_token={ACCESS_TOKEN}&oauth_token_secret={ACCESS_SECRET}"
    "&user_id=2244994945&screen_name=AcmeAyuda"
).encode()


@pytest.fixture
def x(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    with serving(FakeProvider()) as fake:
        monkeypatch.setenv("TWITTER_API_BASE_URL", fake.url)
        reset_settings()
        try:
            yield fake
        finally:
            monkeypatch.delenv("TWITTER_API_BASE_URL")
            reset_settings()


def oauth_fields(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def enc(value: str) -> str:
    return quote(value, safe="-._~")


def expected_base(method: str, url: str, fields: dict[str, str]) -> str:
    """RFC 5849 §3.4.1, written out here: the expectation, not our code."""
    params = sorted((enc(k), enc(v)) for k, v in fields.items() if k != "oauth_signature")
    normalized = "&".join(f"{k}={v}" for k, v in params)
    return f"{method}&{enc(url)}&{enc(normalized)}"


def expected_signature(base: str, token_secret: str = "") -> str:
    key = f"{enc(CONSUMER_SECRET)}&{enc(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


def start(world: Any, admin: str, x: FakeProvider) -> Any:
    x.queue("/oauth/request_token", 200, REQUEST_TOKEN_ANSWER)
    return world.call("POST", "/v1/channels/twitter/login", admin, {"callback_url": CALLBACK})


def finish(world: Any, admin: str, x: FakeProvider, **body: Any) -> Any:
    x.queue("/oauth/access_token", 200, ACCESS_TOKEN_ANSWER)
    x.queue(SUBSCRIPTION, 200, {"data": {"subscribed": True}})
    return world.call("POST", "/v1/channels/twitter/login/callback", admin,
                      {"oauth_token": REQUEST_TOKEN, "oauth_verifier": VERIFIER, **body})  # fmt: skip


def test_the_admin_is_sent_to_x_with_a_signed_request_token_request(world, admin, x):
    started = start(world, admin, x)
    assert started.status_code == 200, started.json
    assert started.json == {"url": f"{x.url}/oauth/authorize?oauth_token={REQUEST_TOKEN}"}
    assert REQUEST_SECRET not in started.body.decode()

    (seen,) = x.to("/oauth/request_token")
    assert seen.method == "POST" and seen.body == b""
    fields = oauth_fields(seen.headers["authorization"])
    assert set(fields) == {
        "oauth_callback",
        "oauth_consumer_key",
        "oauth_nonce",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_version",
    }  # fmt: skip  (no oauth_token yet)
    assert fields["oauth_callback"] == CALLBACK
    assert fields["oauth_consumer_key"] == CONSUMER_KEY
    assert fields["oauth_signature_method"] == "HMAC-SHA1" and fields["oauth_version"] == "1.0"
    base = expected_base("POST", f"{x.url}/oauth/request_token", fields)
    assert base == (
        "POST&" + enc(f"{x.url}/oauth/request_token") + "&"
        + enc(f"oauth_callback={enc(CALLBACK)}&oauth_consumer_key={CONSUMER_KEY}"
              f"&oauth_nonce={fields['oauth_nonce']}&oauth_signature_method=HMAC-SHA1"
              f"&oauth_timestamp={fields['oauth_timestamp']}&oauth_version=1.0")
    )  # fmt: skip
    assert fields["oauth_signature"] == expected_signature(base)
    # the header itself: every value percent-encoded inside double quotes
    assert f'oauth_callback="{enc(CALLBACK)}"' in seen.headers["authorization"]


def test_the_callback_connects_the_account_subscribed_to_its_activity(world, admin, x, caplog):
    caplog.set_level(logging.DEBUG)
    start(world, admin, x)
    connected = finish(world, admin, x)
    assert connected.status_code == 201, connected.json
    channel = connected.json
    assert channel["type"] == "twitter" and channel["name"] == "@AcmeAyuda"
    assert channel["identifiers"] == {"user_id": "2244994945", "screen_name": "AcmeAyuda"}
    assert channel["account_id"] == "2244994945" and channel["has_credentials"] is True

    (exchange,) = x.to("/oauth/access_token")
    fields = oauth_fields(exchange.headers["authorization"])
    assert fields["oauth_token"] == REQUEST_TOKEN and fields["oauth_verifier"] == VERIFIER
    base = expected_base("POST", f"{x.url}/oauth/access_token", fields)
    assert fields["oauth_signature"] == expected_signature(base, REQUEST_SECRET)

    (subscribed,) = x.to(SUBSCRIPTION)
    assert subscribed.method == "POST"
    fields = oauth_fields(subscribed.headers["authorization"])
    assert fields["oauth_token"] == ACCESS_TOKEN
    base = expected_base("POST", f"{x.url}{SUBSCRIPTION}", fields)
    assert fields["oauth_signature"] == expected_signature(base, ACCESS_SECRET)

    stored = find_connected("twitter", "2244994945")
    assert stored is not None and stored.channel_id == channel["id"]
    assert credentials_of(stored) == {"access_token": ACCESS_TOKEN,
                                      "access_token_secret": ACCESS_SECRET}  # fmt: skip
    shown = (
        connected.body.decode()
        + world.call("GET", f"/v1/channels/{channel['id']}", admin).body.decode()
    )
    shown += world.call("GET", f"/v1/channels/{channel['id']}/history", admin).body.decode()
    for secret in (REQUEST_SECRET, ACCESS_TOKEN, ACCESS_SECRET, CONSUMER_SECRET):
        assert secret not in shown and secret not in caplog.text


def test_the_channel_can_be_named_at_the_callback(world, admin, x):
    start(world, admin, x)
    assert finish(world, admin, x, name="Soporte X").json["name"] == "Soporte X"


def test_a_request_token_is_spent_by_the_first_callback(world, admin, x):
    start(world, admin, x)
    assert finish(world, admin, x).status_code == 201
    again = finish(world, admin, x)
    assert again.status_code == 400 and again.json["error"]["code"] == "unknown_login"
    assert len(x.to("/oauth/access_token")) == 1


def test_a_request_token_lives_ten_minutes(world, admin, x, frozen_clock):
    start(world, admin, x)
    frozen_clock.advance(timedelta(minutes=10, seconds=1))
    late = finish(world, admin, x)
    assert late.status_code == 410 and late.json["error"]["code"] == "login_expired"
    assert x.to("/oauth/access_token") == [] and find_connected("twitter", "2244994945") is None


def test_a_request_token_nine_minutes_old_still_works(world, admin, x, frozen_clock):
    start(world, admin, x)
    frozen_clock.advance(timedelta(minutes=9))
    assert finish(world, admin, x).status_code == 201


def test_an_unknown_request_token_is_refused(world, admin, x):
    refused = finish(world, admin, x)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "unknown_login"
    assert x.to("/oauth/access_token") == []


def test_another_company_cannot_finish_the_login(world, admin, x):
    start(world, admin, x)
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    refused = finish(world, other, x)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "unknown_login"
    assert x.to("/oauth/access_token") == []
    assert finish(world, admin, x).status_code == 201  # still the first company's to finish


def test_x_refusing_the_verifier_is_a_clear_error_and_connects_nothing(world, admin, x):
    start(world, admin, x)
    x.queue(
        "/oauth/access_token",
        401,
        {"errors": [{"code": 32, "message": "Invalid oauth_verifier parameter"}]},
    )
    refused = world.call("POST", "/v1/channels/twitter/login/callback", admin,
                         {"oauth_token": REQUEST_TOKEN, "oauth_verifier": "wrong"})  # fmt: skip
    assert refused.status_code == 400 and refused.json["error"]["code"] == "x_refused"
    assert "Invalid oauth_verifier parameter" in refused.json["error"]["message"]
    assert find_connected("twitter", "2244994945") is None


def test_x_refusing_the_app_is_a_503_naming_x(world, admin, x):
    x.queue(
        "/oauth/request_token",
        401,
        {"errors": [{"code": 32, "message": "Could not authenticate you."}]},
    )
    refused = world.call("POST", "/v1/channels/twitter/login", admin, {"callback_url": CALLBACK})
    assert refused.status_code == 503 and refused.json["error"]["code"] == "x_refused"
    assert "Could not authenticate you." in refused.json["error"]["message"]


def test_an_unconfirmed_callback_is_refused(world, admin, x):
    x.queue(
        "/oauth/request_token",
        200,
        b"oauth_token=abc&oauth_token_secret=def&oauth_callback_confirmed=false",
    )
    refused = world.call("POST", "/v1/channels/twitter/login", admin, {"callback_url": CALLBACK})
    assert refused.status_code == 503


def test_a_failed_subscription_connects_nothing(world, admin, x):
    start(world, admin, x)
    x.queue("/oauth/access_token", 200, ACCESS_TOKEN_ANSWER)
    x.queue(SUBSCRIPTION, 403, {"title": "Forbidden", "detail": "Subscription limit reached"})
    refused = world.call("POST", "/v1/channels/twitter/login/callback", admin,
                         {"oauth_token": REQUEST_TOKEN, "oauth_verifier": VERIFIER})  # fmt: skip
    assert (
        refused.status_code == 503
        and "Subscription limit reached" in refused.json["error"]["message"]
    )
    assert find_connected("twitter", "2244994945") is None
    assert world.call("GET", "/v1/channels", admin).json["items"] == []


def test_the_callback_url_must_be_a_web_address(world, admin, x):
    refused = world.call("POST", "/v1/channels/twitter/login", admin,
                         {"callback_url": "javascript:alert(1)"})  # fmt: skip
    assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_callback_url"
    assert x.requests == []


def test_agents_cannot_connect_x(world, admin, x):
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    refused = world.call("POST", "/v1/channels/twitter/login", agent, {"callback_url": CALLBACK})
    assert refused.status_code == 403 and x.requests == []


def test_the_subscription_state_is_asked_of_x_and_can_be_renewed(world, admin, x):
    start(world, admin, x)
    channel = finish(world, admin, x).json["id"]
    x.queue(SUBSCRIPTION, 200, {"data": {"subscribed": False}})
    state = world.call("GET", f"/v1/channels/{channel}/twitter-subscription", admin)
    assert state.status_code == 200 and state.json == {"subscribed": False, "reason": None}
    x.queue(SUBSCRIPTION, 200, {"data": {"subscribed": True}})
    x.queue(SUBSCRIPTION, 200, {"data": {"subscribed": True}})
    renewed = world.call("POST", f"/v1/channels/{channel}/twitter-subscription", admin)
    assert renewed.json == {"subscribed": True, "reason": None}
    assert [r.method for r in x.to(SUBSCRIPTION)] == ["POST", "GET", "POST", "GET"]


def test_the_subscription_state_of_an_unreachable_x_is_unknown(world, admin, x):
    start(world, admin, x)
    channel = finish(world, admin, x).json["id"]
    x.queue(SUBSCRIPTION, 500, {"title": "Internal Error"})
    state = world.call("GET", f"/v1/channels/{channel}/twitter-subscription", admin)
    assert state.json["subscribed"] is None and state.json["reason"]


def test_x_is_not_asked_locally_without_its_base_url(world, admin):
    refused = world.call("POST", "/v1/channels/twitter/login", admin, {"callback_url": CALLBACK})
    assert refused.status_code == 503 and refused.json["error"]["code"] == "x_not_configured"


def test_the_email_setup_is_derived_from_the_address_and_the_region(world, admin):
    created = world.call("POST", "/v1/channels", admin, {"type": "email", "name": "Soporte",
                         "identifiers": {"address": "Soporte@Acme.example.com"}})  # fmt: skip
    setup = world.call("GET", f"/v1/channels/{created.json['id']}/email-setup", admin)
    assert setup.status_code == 200, setup.json
    body = setup.json
    region = body["region"]
    assert body["address"] == "soporte@acme.example.com" and body["domain"] == "acme.example.com"
    mx = next(r for r in body["records"] if r["type"] == "MX")
    assert mx == {"type": "MX", "name": "acme.example.com", "priority": 10, "purpose": "receive",
                  "value": f"inbound-smtp.{region}.amazonaws.com"}  # fmt: skip
    assert {r["purpose"] for r in body["records"]} == {"receive", "send_spf", "send_dkim"}
    assert body["sns_topic"].endswith("-inbound-email")
    assert urlsplit(body["webhook_url"]).path == "/webhooks/email"


def test_the_email_setup_is_only_for_email_channels(world, admin):
    created = world.call("POST", "/v1/channels", admin, {"type": "chat", "name": "Web",
                         "identifiers": {"site_name": "acme.example.com"}})  # fmt: skip
    refused = world.call("GET", f"/v1/channels/{created.json['id']}/email-setup", admin)
    assert refused.status_code == 400


def test_another_company_sees_neither_the_subscription_nor_the_email_setup(world, admin, x):
    start(world, admin, x)
    channel = finish(world, admin, x).json["id"]
    inbox = world.call("POST", "/v1/channels", admin, {"type": "email", "name": "Soporte",
                       "identifiers": {"address": "soporte@acme.example.com"}}).json["id"]  # fmt: skip
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    asked = len(x.requests)
    for path in (
        f"/v1/channels/{channel}/twitter-subscription",
        f"/v1/channels/{inbox}/email-setup",
    ):
        assert world.call("GET", path, other).status_code == 404
    renew = world.call("POST", f"/v1/channels/{channel}/twitter-subscription", other)
    assert renew.status_code == 404 and len(x.requests) == asked
