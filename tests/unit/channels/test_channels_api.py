"""Connecting channels (SPEC §3): per-type identifiers, write-only credentials, limits."""

import json
import logging

import pytest

from chalicelib.domain.channels.service import credentials_of, find_connected

PLANTED = "EAAG-planted-secret-token-1234567890"

VALID = {
    "whatsapp": ({"phone_number_id": "106540352242922", "business_account_id": "102290129340398",
                  "display_phone_number": "+56 9 1234 5678"}, {"access_token": PLANTED}),
    "facebook": ({"page_id": "1122334455", "page_name": "Acme"}, {"page_access_token": PLANTED}),
    "instagram": ({"instagram_account_id": "17841400000000000", "page_id": "1122334455"},
                  {"page_access_token": PLANTED}),
    "twitter": ({"user_id": "2244994945", "screen_name": "acme"},
                {"access_token": PLANTED, "access_token_secret": PLANTED}),
    "twitter_search": ({"keywords": ["acme", "#acmeayuda"]}, {"bearer_token": PLANTED}),
    "email": ({"address": "Soporte@Acme.example.com"}, {}),
    "chat": ({"site_name": "acme.example.com"}, {}),
    "app_store": ({"app_id": "1234567890"}, {"issuer_id": "57246542-96fe-1a63",
                  "key_id": "2X9R4HXF34", "private_key": "-----BEGIN PRIVATE KEY-----" + PLANTED}),
    "play_store": ({"package_name": "com.acme.app"}, {"service_account_json": '{"type": "service_account", "x": "' + PLANTED + '"}'}),
}  # fmt: skip


def connect(world, admin, channel_type, **extra):
    identifiers, credentials = VALID[channel_type]
    return world.call("POST", "/v1/channels", admin, {
        "type": channel_type, "name": f"Acme {channel_type}", "identifiers": identifiers,
        "credentials": credentials, **extra})  # fmt: skip


@pytest.mark.parametrize("channel_type", list(VALID))
def test_every_channel_type_connects_and_never_shows_its_credentials(
    world, admin, channel_type, caplog
):
    caplog.set_level(logging.DEBUG)
    created = connect(world, admin, channel_type)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["type"] == channel_type and body["status"] == "connected"
    shown = (
        created.body.decode() + world.call("GET", f"/v1/channels/{body['id']}", admin).body.decode()
    )
    shown += world.call("GET", "/v1/channels", admin).body.decode()
    shown += world.call("GET", f"/v1/channels/{body['id']}/history", admin).body.decode()
    assert PLANTED not in shown and PLANTED not in caplog.text
    channel = find_connected(channel_type, body["account_id"])
    assert channel is not None and channel.channel_id == body["id"]
    assert PLANTED not in (channel.sealed_credentials or "")  # sealed in the table too
    if VALID[channel_type][1]:
        assert PLANTED in json.dumps(credentials_of(channel))


def test_the_email_inbox_is_found_by_its_lower_cased_address(world, admin):
    created = connect(world, admin, "email").json
    assert created["account_id"] == "soporte@acme.example.com"


def test_a_chat_channel_gets_a_public_key(world, admin):
    created = connect(world, admin, "chat").json
    assert created["identifiers"]["public_key"].startswith("pk_")
    assert created["account_id"] == created["identifiers"]["public_key"]


def test_wrong_identifiers_or_credentials_are_a_400_naming_the_field(world, admin):
    bad = world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": "x", "identifiers": {"phone_number_id": "abc"},
        "credentials": {"access_token": PLANTED}})  # fmt: skip
    assert bad.status_code == 400
    fields = {tuple(d["loc"]) for d in bad.json["error"]["details"]}
    assert ("body.identifiers", "phone_number_id") in fields
    assert ("body.identifiers", "business_account_id") in fields
    assert PLANTED not in bad.body.decode()
    unknown = world.call("POST", "/v1/channels", admin, {"type": "telegram", "name": "x"})
    assert unknown.status_code == 400
    assert world.call("GET", "/v1/channels", admin).json["items"] == []


def test_the_free_plan_allows_one_whatsapp_number(world, admin):
    assert connect(world, admin, "whatsapp").status_code == 201
    other = dict(VALID["whatsapp"][0], phone_number_id="106540352249999")
    second = world.call(
        "POST",
        "/v1/channels",
        admin,
        {
            "type": "whatsapp",
            "name": "2",
            "identifiers": other,
            "credentials": {"access_token": PLANTED},
        },
    )
    assert second.status_code == 402
    assert "allows 1 WhatsApp numbers" in second.json["error"]["message"]
    assert "WhatsApp Business numbers" in second.json["error"]["message"]


def test_one_provider_account_connects_to_one_company(world, admin):
    assert connect(world, admin, "facebook").status_code == 201
    other_admin = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    taken = connect(world, other_admin, "facebook")
    assert taken.status_code == 409 and taken.json["error"]["code"] == "channel_taken"


def test_disconnecting_stops_webhooks_erases_credentials_and_frees_the_account(world, admin):
    created = connect(world, admin, "whatsapp").json
    gone = world.call("DELETE", f"/v1/channels/{created['id']}", admin)
    assert gone.status_code == 200 and gone.json["status"] == "disconnected"
    assert gone.json["has_credentials"] is False
    assert find_connected("whatsapp", created["account_id"]) is None
    assert (
        world.call("PATCH", f"/v1/channels/{created['id']}", admin, {"name": "x"}).status_code
        == 409
    )
    again = connect(world, admin, "whatsapp")  # the plan's slot and the account are free again
    assert again.status_code == 201


def test_settings_are_validated_and_merged(world, admin):
    created = connect(world, admin, "email").json
    patched = world.call("PATCH", f"/v1/channels/{created['id']}", admin, {"settings": {
        "sla": {"first_response_minutes": 30, "resolution_minutes": 480, "mode": "business"},
        "business_hours": {"timezone": "America/Santiago",
                           "weekly": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]},
                           "holidays": ["2026-12-25"]},
        "auto_replies": {"out_of_hours": {"enabled": True, "text": "Volvemos a las 9 🙂"}},
    }})  # fmt: skip
    assert patched.status_code == 200, patched.json
    settings = patched.json["settings"]
    assert settings["sla"]["first_response_minutes"] == 30
    assert settings["auto_replies"]["out_of_hours"]["text"] == "Volvemos a las 9 🙂"
    overlapping = world.call(
        "PATCH",
        f"/v1/channels/{created['id']}",
        admin,
        {
            "settings": {
                "business_hours": {"weekly": {"tue": [["09:00", "13:00"], ["12:00", "18:00"]]}}
            }
        },
    )
    assert overlapping.status_code == 400
    bad_zone = world.call(
        "PATCH",
        f"/v1/channels/{created['id']}",
        admin,
        {"settings": {"business_hours": {"timezone": "Mars/Base"}}},
    )
    assert bad_zone.status_code == 400
    kept = world.call("GET", f"/v1/channels/{created['id']}", admin).json["settings"]
    assert kept["sla"]["mode"] == "business"  # refused changes left nothing behind


def test_replacing_credentials_reseals_them(world, admin):
    created = connect(world, admin, "facebook").json
    replaced = world.call(
        "PATCH",
        f"/v1/channels/{created['id']}",
        admin,
        {"credentials": {"page_access_token": "EAAG-new-token-0987654321"}},
    )
    assert replaced.status_code == 200
    channel = find_connected("facebook", created["account_id"])
    assert credentials_of(channel) == {"page_access_token": "EAAG-new-token-0987654321"}


def test_agents_see_channels_but_only_admins_change_them(world, admin):
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    created = connect(world, admin, "email").json
    assert world.call("GET", "/v1/channels", agent).status_code == 200
    assert (
        world.call("PATCH", f"/v1/channels/{created['id']}", agent, {"name": "x"}).status_code
        == 403
    )
    assert connect(world, agent, "chat").status_code == 403
