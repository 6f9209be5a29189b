"""The Meta adapter against payloads shaped like Meta's documented webhook examples.

Fixtures live in tests/fixtures/meta: WhatsApp Cloud API (``whatsapp_business_account``),
Messenger and Page feed (``page``) and Instagram (``instagram``) bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.channels import meta
from chalicelib.channels.events import InboundMessage, MalformedPayload, StatusUpdate
from tests.support.payloads import FIXTURES as ALL_FIXTURES
from tests.support.payloads import WA, fixture_text, payload

FIXTURES = ALL_FIXTURES / "meta"
APP_SECRET = "6b1a9f2c3d4e5f60718293a4b5c6d7e8"
WA_PHONE_ID = "106540352242922"
PAGE_ID = "682498302938465"
PSID = "6912345678901234"
IG_ID = "17841405822304914"
IGSID = "1254459154682919"


def fixture(name: str) -> str:
    return fixture_text(f"meta/{name}")


def messages(name: str) -> list[InboundMessage]:
    events = meta.parse(fixture(name))
    assert all(isinstance(event, InboundMessage) for event in events)
    return [event for event in events if isinstance(event, InboundMessage)]


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The header exactly as Meta documents it: sha256=<hex HMAC-SHA256(app secret, body)>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wa_body(message: dict[str, Any]) -> str:
    """meta/whatsapp_text.json (Sheena Nelson writing to WA_PHONE_ID) with this message."""
    return json.dumps(payload("meta/whatsapp_text.json", {
        WA + "metadata.phone_number_id": WA_PHONE_ID, WA + "messages": [message]}))  # fmt: skip


# --- WhatsApp -----------------------------------------------------------------------
def test_whatsapp_text() -> None:
    [message] = messages("whatsapp_text.json")
    assert message.channel_type == "whatsapp"
    assert message.account_id == WA_PHONE_ID  # metadata.phone_number_id, not the WABA id
    assert message.provider_message_id == (
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    )
    assert message.sender_id == "16505551234"
    assert message.sender_name == "Sheena Nelson"
    assert message.sender_handle == "+16505551234"
    assert message.text == "Does it come in another color?"
    assert message.public is False
    assert message.sent_at == at(1749416383)
    assert message.sent_at.tzinfo is not None
    assert message.attachments == []
    assert message.reply_to_provider_id is None


def test_whatsapp_image_keeps_the_caption_and_the_media_reference() -> None:
    [message] = messages("whatsapp_image.json")
    assert message.text == "Taj Mahal"
    [attachment] = message.attachments
    assert attachment.kind == "image"
    assert attachment.mime_type == "image/jpeg"
    assert attachment.provider_media_id == "1003383421387256"
    assert attachment.url is not None
    assert attachment.url.startswith("https://lookaside.fbsbx.com/whatsapp_business/")
    assert message.sent_at == at(1744344496)


def test_whatsapp_reaction_gets_a_stable_derived_id() -> None:
    [message] = messages("whatsapp_reaction.json")
    target = "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
    assert message.reaction == "\U0001f44d"
    assert message.reply_to_provider_id == target
    assert message.text == ""
    assert message.provider_message_id.startswith("reaction:")
    assert target not in message.provider_message_id
    # A redelivery yields the same id; another emoji on the same message another one.
    [again] = messages("whatsapp_reaction.json")
    assert again.provider_message_id == message.provider_message_id
    other = json.loads(fixture("whatsapp_reaction.json"))
    other["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["emoji"] = "\u2764\ufe0f"
    [heart] = meta.parse(json.dumps(other))
    assert heart.provider_message_id != message.provider_message_id


def test_whatsapp_removed_reaction_is_not_a_message() -> None:
    body = wa_body(
        {
            "from": "16505551234",
            "id": "wamid.REMOVED",
            "timestamp": "1749419544",
            "type": "reaction",
            "reaction": {"message_id": "wamid.TARGET"},  # no emoji: the reaction was removed
        }
    )
    assert meta.parse(body) == []


def test_whatsapp_reply_points_at_the_quoted_message() -> None:
    [message] = messages("whatsapp_reply.json")
    assert (
        message.reply_to_provider_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    )
    assert message.text == "Yes, please send it to the same address"


def test_whatsapp_delivered_status() -> None:
    [status] = meta.parse(fixture("whatsapp_status_delivered.json"))
    assert isinstance(status, StatusUpdate)
    assert status.channel_type == "whatsapp"
    assert status.account_id == WA_PHONE_ID
    assert (
        status.provider_message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    )
    assert status.status == "delivered"
    assert status.at == at(1750030073)
    assert status.error is None


def test_whatsapp_failed_status_carries_the_error() -> None:
    [status] = meta.parse(fixture("whatsapp_status_failed.json"))
    assert isinstance(status, StatusUpdate)
    assert status.status == "failed"
    assert status.error is not None
    assert status.error.startswith(
        "131049: This message was not delivered to maintain healthy ecosystem engagement."
    )
    assert "the message failed to be delivered" in status.error


def test_whatsapp_batch_of_two_numbers_and_many_types() -> None:
    events = meta.parse(fixture("whatsapp_batch.json"))
    summary = [
        (e.account_id, e.kind, e.text if isinstance(e, InboundMessage) else e.status)
        for e in events
    ]
    assert summary == [
        (WA_PHONE_ID, "message", "Track my order"),
        (WA_PHONE_ID, "message", "Mexico City store"),
        (
            WA_PHONE_ID,
            "message",
            "[location] Zócalo, Plaza de la Constitución, Centro, CDMX (19.4326, -99.1332)",
        ),
        (WA_PHONE_ID, "message", "My invoice"),
        (WA_PHONE_ID, "message", ""),
        (WA_PHONE_ID, "message", ""),
        (WA_PHONE_ID, "message", "[contact] Luis Ortega +52 55 8765 4321"),
        (WA_PHONE_ID, "message", "Yes, it was solved"),
        (WA_PHONE_ID, "message", "[unsupported message type: unsupported]"),
        (WA_PHONE_ID, "status", "read"),
        ("109181625448792", "message", "Hola, ¿siguen abiertos?"),
        ("109181625448792", "status", "sent"),
    ]
    found = [e for e in events if isinstance(e, InboundMessage)]
    button, row, place, document, voice, sticker, _card, template, unsupported = found[:9]
    assert button.extra == {"interactive_type": "button_reply", "reply_id": "track-order"}
    assert button.reply_to_provider_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCUVRUT05TX01FTlVfMQA="
    assert row.extra["reply_id"] == "store-cdmx"
    assert place.sender_name == "Mariana Ruiz"  # the second contact of the same value
    assert place.extra == {"latitude": "19.4326", "longitude": "-99.1332"}
    assert [a.kind for a in place.attachments] == ["location"]
    assert document.attachments[0].model_dump(exclude_none=True) == {
        "kind": "document",
        "mime_type": "application/pdf",
        "name": "factura-2026-03.pdf",
        "provider_media_id": "1234567890123456",
    }
    assert (voice.attachments[0].kind, voice.attachments[0].mime_type) == (
        "audio",
        "audio/ogg; codecs=opus",
    )
    assert sticker.attachments[0].kind == "sticker"
    assert template.extra == {"button_payload": "survey-yes"}
    assert unsupported.extra["error"].startswith("131051: Message type unknown")
    assert found[-1].sender_name == "Tomás Díaz"


def test_whatsapp_unknown_type_is_kept_not_dropped() -> None:
    body = wa_body(
        {"from": "16505551234", "id": "wamid.POLL", "timestamp": "1772620800", "type": "poll"}
    )
    [message] = meta.parse(body)
    assert isinstance(message, InboundMessage)
    assert message.text == "[unsupported message type: poll]"
    assert message.provider_message_id == "wamid.POLL"


def test_whatsapp_flow_answer_keeps_its_json() -> None:
    response = '{"flow_token": "abc", "rating": "5"}'
    interactive = {"type": "nfm_reply", "nfm_reply": {"body": "Sent", "response_json": response}}
    body = wa_body(
        {
            "from": "16505551234",
            "id": "wamid.FLOW",
            "timestamp": "1772620800",
            "type": "interactive",
            "interactive": interactive,
        }
    )
    [message] = meta.parse(body)
    assert isinstance(message, InboundMessage)
    assert message.text == "Sent"
    assert message.extra["response_json"] == response


def test_whatsapp_non_message_fields_are_ignored() -> None:
    assert meta.parse(fixture("whatsapp_account_update.json")) == []


def test_missing_timestamp_falls_back_to_now(frozen_clock: Any) -> None:
    body = wa_body({"from": "16505551234", "id": "wamid.X", "type": "text", "text": {"body": "hi"}})
    [message] = meta.parse(body)
    assert isinstance(message, InboundMessage)
    assert message.sent_at == frozen_clock.now()


# --- Messenger ----------------------------------------------------------------------
def test_messenger_text() -> None:
    [message] = messages("messenger_text.json")
    assert message.channel_type == "facebook"
    assert message.account_id == PAGE_ID
    assert message.sender_id == PSID
    assert message.provider_message_id.startswith("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM")
    assert message.text == "Hi! Is my order #4512 shipped yet?"
    assert message.sent_at == at(1772620800.987)
    assert message.public is False


def test_messenger_echo_of_our_own_message_is_ignored() -> None:
    assert meta.parse(fixture("messenger_echo.json")) == []


def test_messenger_batch() -> None:
    events = meta.parse(fixture("messenger_batch.json"))
    kinds = [(e.account_id, e.kind) for e in events]
    assert kinds == [(PAGE_ID, "message")] * 4 + [(PAGE_ID, "status")] * 2 + [
        (PAGE_ID, "message"),
        ("1092837465019283", "message"),  # standby: still the client's message
    ]
    photo, sticker, link, reaction, delivered, delivered_too, postback, standby = events
    our_reply = "m_eY3Xq8nS4bUeR2Qo6TT3V0kHjOqPxQeWyNw8h4f2pB1cYdLmZr9sKaFgE7uJt6Cv5Hn0MbWxq3Lp2Ds8"
    assert isinstance(photo, InboundMessage)
    assert photo.text == "This is what arrived"
    assert photo.reply_to_provider_id == our_reply
    assert [(a.kind, a.url is not None) for a in photo.attachments] == [("image", True)]
    assert isinstance(sticker, InboundMessage)
    assert sticker.attachments[0].kind == "sticker"
    assert isinstance(link, InboundMessage)
    assert (
        link.text == "Same as this one\nBlue running shoes https://shop.example.com/p/blue-runner"
    )
    assert link.attachments == []
    assert isinstance(reaction, InboundMessage)
    assert reaction.reaction == "\u2764\ufe0f"
    assert reaction.reply_to_provider_id == our_reply
    assert reaction.provider_message_id.startswith("reaction:")  # the unreact is skipped
    assert isinstance(delivered, StatusUpdate)
    assert isinstance(delivered_too, StatusUpdate)
    assert (delivered.provider_message_id, delivered.status) == (our_reply, "delivered")
    assert delivered.at == at(1772620920)  # the watermark: deliveries carry no timestamp
    assert delivered_too.provider_message_id.startswith("m_qW2Er4")
    assert isinstance(postback, InboundMessage)
    assert postback.text == "Talk to a person"
    assert postback.extra == {"postback_payload": "HUMAN_AGENT"}
    assert isinstance(standby, InboundMessage)
    assert standby.text == "Is anyone there?"
    assert standby.sender_id == "7123456789012345"


# --- Instagram ----------------------------------------------------------------------
def test_instagram_text() -> None:
    [message] = messages("instagram_text.json")
    assert message.channel_type == "instagram"
    assert message.account_id == IG_ID
    assert message.sender_id == IGSID
    assert message.provider_message_id.startswith("aWdfZAG1faXRlbToxOklHTWVzc2FnZA")
    assert message.text == "Do you ship to Guadalajara?"
    assert message.sent_at == at(1772620844.853)


def test_instagram_batch() -> None:
    events = meta.parse(fixture("instagram_batch.json"))
    kinds = [e.kind for e in events]
    assert kinds == ["message", "status", "message", "message", "message", "message"]
    story_reply, seen, reaction, reel, unsupported, comment = events
    assert isinstance(story_reply, InboundMessage)
    assert story_reply.text == "Is this one still available?"
    assert story_reply.extra["story_url"].startswith("https://lookaside.fbsbx.com/")
    # the echo of our "Yes! Which size?" is skipped; its read receipt names it
    assert isinstance(seen, StatusUpdate)
    assert seen.status == "read"
    assert seen.provider_message_id.endswith("OmVjaG8A")
    assert isinstance(reaction, InboundMessage)
    assert reaction.reaction == "\u2764\ufe0f"
    assert isinstance(reel, InboundMessage)
    assert [(a.kind, a.name) for a in reel.attachments] == [("file", "New spring collection")]
    assert isinstance(unsupported, InboundMessage)
    assert unsupported.text == "[unsupported message type: unsupported]"
    assert isinstance(comment, InboundMessage)
    assert comment.public is True
    assert comment.provider_message_id == "17865799348089039"
    assert comment.sender_handle == "@caro.mtz"
    assert comment.thread_key == "18045678901234567"
    assert comment.reply_to_provider_id == "17861234567890123"
    assert comment.sent_at == at(1772621060)  # no time of its own: the entry's


# --- Page comments ------------------------------------------------------------------
def test_page_comment_is_public_and_threaded_by_post() -> None:
    [comment] = messages("page_comment.json")
    assert comment.channel_type == "facebook"
    assert comment.account_id == PAGE_ID
    assert comment.public is True
    assert comment.provider_message_id == "1098765432101234_876543210987654"
    assert comment.sender_id == "24488791044112233"
    assert comment.sender_name == "Carlos Méndez"
    assert comment.text == "Do you have this in size 42?"
    assert comment.thread_key == f"{PAGE_ID}_1098765432101234"
    assert comment.reply_to_provider_id is None  # a top-level comment: its parent is the post
    assert comment.sent_at == at(1772620865)
    assert comment.extra == {
        "permalink_url": "https://www.facebook.com/682498302938465/posts/1098765432101234"
    }


def test_page_feed_batch_keeps_only_new_comments_from_others() -> None:
    [reply] = messages("page_feed_batch.json")  # not ours, edits, removals, likes
    assert reply.provider_message_id == "1098765432101234_876543210999999"
    assert reply.reply_to_provider_id == "1098765432101234_876543210987654"
    assert reply.thread_key == f"{PAGE_ID}_1098765432101234"
    assert [(a.kind, a.url) for a in reply.attachments] == [
        ("image", "https://scontent.xx.fbcdn.net/v/t39.30808-6/441234567_n.jpg")
    ]


def test_every_fixture_parses_to_aware_utc_times() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        for event in meta.parse(path.read_text(encoding="utf-8")):
            moment = event.sent_at if isinstance(event, InboundMessage) else event.at
            assert moment.utcoffset() == timedelta(0), path.name


# --- signature and verification -----------------------------------------------------
def test_signature_computed_as_documented_is_accepted() -> None:
    body = fixture("whatsapp_text.json").encode()
    assert meta.verify_signature(body, sign(body), APP_SECRET) is True
    assert meta.verify_signature(body, sign(body).upper().replace("SHA256", "sha256"), APP_SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256",
        "sha256=",
        "sha1=" + hmac.new(APP_SECRET.encode(), b"{}", hashlib.sha1).hexdigest(),
        "sha256=" + "zz" * 32,
        "sha256=" + "ab" * 31,
        "sha256=é" + "a" * 63,
        "md5=0123",
    ],
)
def test_missing_or_garbled_signature_is_refused(header: str | None) -> None:
    assert meta.verify_signature(b"{}", header, APP_SECRET) is False


def test_wrong_signature_is_refused() -> None:
    body = fixture("messenger_text.json").encode()
    assert meta.verify_signature(body, sign(body, "another-secret"), APP_SECRET) is False
    assert meta.verify_signature(body + b" ", sign(body), APP_SECRET) is False
    reserialised = json.dumps(json.loads(body)).encode()  # the HMAC is over the raw bytes
    assert meta.verify_signature(reserialised, sign(body), APP_SECRET) is False


def test_without_an_app_secret_nothing_is_accepted() -> None:
    assert meta.verify_signature(b"{}", sign(b"{}", ""), "") is False


def test_verification_get_echoes_the_challenge() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "s3cret", "hub.challenge": "1158201444"}
    assert meta.verification_challenge(params, "s3cret") == "1158201444"


@pytest.mark.parametrize(
    ("params", "configured"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}, "s3cret"),
        ({"hub.mode": "unsubscribe", "hub.verify_token": "s3cret", "hub.challenge": "1"}, "s3cret"),
        ({"hub.mode": "subscribe", "hub.verify_token": "s3cret"}, "s3cret"),
        ({"hub.verify_token": "s3cret", "hub.challenge": "1"}, "s3cret"),
        ({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}, ""),
        ({}, "s3cret"),
    ],
)
def test_verification_get_is_refused(params: dict[str, str], configured: str) -> None:
    assert meta.verification_challenge(params, configured) is None


# --- malformed bodies ---------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "",
        "[]",
        '[{"object": "page", "entry": []}]',
        "42",
        "null",
        '{"object": "page"}',
        '{"object": "page", "entry": null}',
        '{"object": "page", "entry": {"id": "1"}}',
        '{"object": "page", "entry": ["x"]}',
        '{"object": "user", "entry": []}',
        '{"entry": []}',
        '{"object": "page", "entry": [{"time": 1}]}',
    ],
)
def test_malformed_bodies_raise(body: str) -> None:
    with pytest.raises(MalformedPayload):
        meta.parse(body)


@pytest.mark.parametrize(
    "message",
    [
        {"from": "16505551234", "timestamp": "1", "type": "text", "text": {"body": "no id"}},
        {"id": "wamid.NOFROM", "timestamp": "1", "type": "text", "text": {"body": "no sender"}},
        {"from": "1", "id": "wamid.X", "type": "image", "image": "not an object"},
        {"from": "1", "id": "wamid.X", "type": "reaction", "reaction": {"emoji": "x"}},
    ],
)
def test_events_missing_their_ids_raise(message: dict[str, Any]) -> None:
    with pytest.raises(MalformedPayload):
        meta.parse(wa_body(message))


def test_whatsapp_messages_without_metadata_raise() -> None:
    body = json.loads(fixture("whatsapp_text.json"))
    del body["entry"][0]["changes"][0]["value"]["metadata"]
    with pytest.raises(MalformedPayload):
        meta.parse(json.dumps(body))


def test_messenger_message_without_mid_raises() -> None:
    body = json.loads(fixture("messenger_text.json"))
    del body["entry"][0]["messaging"][0]["message"]["mid"]
    with pytest.raises(MalformedPayload):
        meta.parse(json.dumps(body))


def test_page_comment_without_its_author_raises() -> None:
    """Dead-lettered rather than dropped: the comment cannot be tied to a client."""
    body = json.loads(fixture("page_comment.json"))
    del body["entry"][0]["changes"][0]["value"]["from"]
    with pytest.raises(MalformedPayload):
        meta.parse(json.dumps(body))


def test_instagram_own_comment_is_ignored_and_dashboard_test_shape_is_read() -> None:
    # the account's own comment (from IG_ID), then the dashboard's "Test" button's message
    body = payload("meta/instagram_own_comment_and_dashboard_test.json")
    [message] = meta.parse(json.dumps(body))
    assert isinstance(message, InboundMessage)
    assert (message.provider_message_id, message.sender_id, message.text) == (
        "random_mid",
        "12334",
        "random_text",
    )
    assert message.sent_at == at(1527459824)
