"""Every route of the OpenAPI document, fed what a careless or hostile client sends:
bodies nested a thousand levels deep, page cursors of another list, unknown paths and
methods, a body of the wrong media type, text with control characters.

Each answer is a 4xx in the error format of SPEC §10, never a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest

from chalicelib.http.routing import REGISTRY
from chalicelib.settings import get_settings
from tests.support.world import fill, make_items, operations

NESTED = ("[" * 1000 + "]" * 1000).encode()
ROUTES = {(route.method, route.path): route for route in REGISTRY}


def error_of(response):
    assert set(response.json) == {"error"}, response.json
    assert set(response.json["error"]) == {"code", "message", "details"}
    return response.json["error"]


@pytest.fixture
def tenant_items(world, admin, fake_stripe):
    """The admin and one item of every kind a path can address (billing's against the
    fake Stripe)."""
    return admin, make_items(world, admin)


def send(world, method, path, token, raw, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = getattr(world.api, method.lower())(path, headers=headers, body=raw)
    response.json = json.loads(response.body) if response.body else None
    return response


def test_a_deeply_nested_body_is_a_400_on_every_route(world, tenant_items):
    admin, items = tenant_items
    checked = 0
    for path, method, _op in operations():
        if method not in ("POST", "PUT", "PATCH") or path == "/v1/auth/logout":
            continue
        route = ROUTES[(method, path)]
        response = send(world, method, fill(path, items), admin, NESTED)
        assert response.status_code < 500, (method, path, response.json)
        if not route.reads_body:
            continue  # a route without a body does not read it (POST .../important)
        error = error_of(response)
        if route.public and response.status_code == 401:
            # a public route that checks its caller first (a signature, a visitor token):
            # a caller who cannot prove who they are learns nothing about the body
            assert error["code"] != "too_deep"
        else:
            assert (response.status_code, error["code"]) == (400, "too_deep"), (method, path)
        checked += 1
    assert checked > 30


def test_a_signed_meta_or_x_webhook_nested_too_deep_is_refused_with_the_reason(world):
    settings = get_settings()
    for path, header, secret, prefix in (
        ("/webhooks/meta", "X-Hub-Signature-256", settings.meta_app_secret, "sha256="),
        ("/webhooks/twitter", "x-twitter-webhooks-signature", settings.twitter_consumer_secret,
         "sha256="),
    ):  # fmt: skip
        digest = hmac.new(secret.get_secret_value().encode(), NESTED, hashlib.sha256)
        if path == "/webhooks/twitter":
            import base64

            signature = prefix + base64.b64encode(digest.digest()).decode()
        else:
            signature = prefix + digest.hexdigest()
        response = world.api.post(
            path, headers={"Content-Type": "application/json", header: signature}, body=NESTED
        )
        body = json.loads(response.body)
        assert response.status_code == 400, (path, body)
        assert body["error"]["code"] == "too_deep"
        assert "deeper than 32" in body["error"]["message"]


def test_a_cursor_of_another_list_is_a_400_on_every_list(world, tenant_items):
    admin, items = tenant_items
    assert world.call("POST", "/v1/departments", admin, {"name": "Soporte"}).status_code == 201
    page = world.call("GET", "/v1/departments?limit=1", admin).json
    foreign = page["next_cursor"]
    assert foreign
    # the cursor goes on in its own list
    assert world.call("GET", f"/v1/departments?limit=1&cursor={foreign}", admin).status_code == 200
    checked = 0
    for path, method, op in operations():
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if method != "GET" or "cursor" not in names or path == "/v1/departments":
            continue
        response = world.call(method, f"{fill(path, items)}?cursor={foreign}", admin)
        assert response.status_code == 400, (path, response.status_code, response.json)
        assert error_of(response)["code"] == "invalid_cursor", path
        checked += 1
    assert checked >= 20


def test_an_unknown_path_is_a_404_in_the_api_format_without_echoing_the_token(world, admin):
    for path in ("/nope", "/v1/nothing/here/at/all", "/"):
        for method in ("GET", "POST", "DELETE"):
            response = send(world, method, path, admin, b"{}")
            assert response.status_code == 404, (method, path, response.body)
            assert error_of(response)["code"] == "no_route"
            assert admin not in response.body.decode()


def test_a_method_a_path_does_not_take_is_a_405_with_allow(world, admin):
    response = send(world, "PUT", "/v1/users", admin, b"{}")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, POST"
    assert send(world, "OPTIONS", "/v1/users", None, b"").status_code == 405


def test_a_stranger_gets_401_before_any_media_type_check_on_every_private_route(world):
    checked = 0
    for path, method, _op in operations():
        route = ROUTES[(method, path)]
        if route.public or not route.reads_body:
            continue
        response = send(world, method, re.sub(r"\{[^}]+\}", "1", path), None, b"{}", "text/plain")
        assert response.status_code == 401, (method, path, response.status_code)
        assert error_of(response)["code"] == "unauthorized"
        checked += 1
    assert checked > 30


def test_authentication_comes_before_the_media_type(world, admin):
    stranger = send(world, "PATCH", "/v1/establishment", None, b"{}", "text/plain")
    assert stranger.status_code == 401 and error_of(stranger)["code"] == "unauthorized"
    known = send(world, "PATCH", "/v1/establishment", admin, b"{}", "text/plain")
    assert known.status_code == 415
    assert error_of(known)["details"] == {"accepted": ["application/json"]}
    charset = send(world, "POST", "/v1/departments", admin, b'{"name": "Caja"}',
                   "application/json; charset=utf-8")  # fmt: skip
    assert charset.status_code == 201


@pytest.mark.parametrize(
    ("name", "character"),
    [
        ("Ventas\x00", "U+0000"),
        ("\x1b[31mVentas", "U+001B"),
        ("Ventas \u202egnp.exe", "U+202E"),
        ("Ventas \ufdd0", "U+FDD0"),
        ("Ventas \uffff", "U+FFFF"),
        ("Ventas \ud800", "U+D800"),
        ("Ventas\x85", "U+0085"),
    ],
)
def test_control_and_invisible_characters_are_refused_naming_the_field(
    world, admin, name, character
):
    raw = json.dumps({"name": name}).encode()  # \ud800 travels as a JSON escape
    response = send(world, "POST", "/v1/departments", admin, raw)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == ["body", "name"]
    assert character in error["details"][0]["msg"]
    names = [d["name"] for d in world.call("GET", "/v1/departments", admin).json["items"]]
    assert name not in names  # nothing written


def test_text_is_stored_in_nfc_with_tabs_newlines_and_emoji_joiners_kept(world, admin):
    decomposed = "Jose\u0301 \U0001f469\u200d\U0001f4bb\tcaja\r\nnorte"
    created = world.call(
        "POST", "/v1/departments", admin, {"name": "Atención", "description": decomposed}
    )
    assert created.status_code == 201, created.json
    assert created.json["description"] == "José \U0001f469\u200d\U0001f4bb\tcaja\nnorte"


def test_control_characters_in_the_query_and_in_keys_are_refused(world, admin):
    response = world.call("GET", "/v1/quick-replies?prefix=ho%1Bla", admin)
    assert response.status_code == 400
    assert error_of(response)["details"][0]["loc"] == ["query", "prefix"]


@pytest.mark.parametrize("number", ["%C2%B2", "%D9%A3", "1%C2%B2", "0"])
def test_a_ticket_number_of_other_digits_is_a_404(world, admin, number):
    response = world.call("GET", f"/v1/tickets/{number}", admin)
    assert response.status_code == 404, response.json
    assert re.search("ticket", response.json["error"]["message"])


def test_a_refresh_token_with_other_digits_is_a_401(world):
    response = world.call("POST", "/v1/auth/refresh", None, {"refresh_token": "rt1.a.b.c.².d"})
    assert response.status_code == 401


@pytest.mark.parametrize("item", ["%00", "x%1B", "%E2%80%AE", "%ED%A0%80"])
def test_a_path_with_control_characters_or_broken_utf8_is_a_404(world, admin, item):
    for path in (f"/v1/departments/{item}", f"/v1/users/{item}/history"):
        response = world.call("GET", path, admin)
        assert response.status_code == 404, (path, response.json)
        error_of(response)
