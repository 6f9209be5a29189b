"""The X (Twitter) adapter against Account Activity API payloads (tests/fixtures/twitter)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.channels import twitter
from chalicelib.channels.events import MalformedPayload
from tests.support.payloads import fixture_text, payload
from tests.support.webhooks import x_signature

CONSUMER_SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"
US = "1484998420316315650"
CLIENT = "3001969357"


def fixture(name: str) -> str:
    return fixture_text(f"twitter/{name}")


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# --- CRC and signature --------------------------------------------------------------
def test_crc_response_token() -> None:
    token = "9b4507b3-9040-4669-9ca3-6b94edb50553"
    answer = twitter.crc_response(token, CONSUMER_SECRET)
    assert answer == {"response_token": x_signature(CONSUMER_SECRET, token.encode())}
    assert json.loads(json.dumps(answer)) == answer  # the JSON body the GET returns


def test_signature_computed_as_documented_is_accepted() -> None:
    body = fixture("twitter_dm.json").encode()
    header = x_signature(CONSUMER_SECRET, body)
    assert twitter.verify_signature(body, header, CONSUMER_SECRET) is True


def test_wrong_signature_is_refused() -> None:
    body = fixture("twitter_dm.json").encode()
    assert not twitter.verify_signature(body, x_signature("other", body), CONSUMER_SECRET)
    assert not twitter.verify_signature(
        body + b"\n", x_signature(CONSUMER_SECRET, body), CONSUMER_SECRET
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256",
        "sha256=not base64!",
        "sha256=" + hmac.new(CONSUMER_SECRET.encode(), b"{}", hashlib.sha256).hexdigest(),
        "sha1=" + base64.b64encode(hmac.new(b"k", b"{}", hashlib.sha1).digest()).decode(),
        "sha256=" + base64.b64encode(b"short").decode(),
    ],
)
def test_missing_or_garbled_signature_is_refused(header: str | None) -> None:
    assert twitter.verify_signature(b"{}", header, CONSUMER_SECRET) is False


def test_without_a_consumer_secret_nothing_is_accepted() -> None:
    assert twitter.verify_signature(b"{}", x_signature("", b"{}"), "") is False


# --- direct messages ----------------------------------------------------------------
def test_direct_message() -> None:
    [message] = twitter.parse(fixture("twitter_dm.json"))
    assert message.channel_type == "twitter"
    assert message.account_id == US  # for_user_id
    assert message.provider_message_id == "1766812345678901234"
    assert message.sender_id == CLIENT
    assert message.sender_name == "Jordan Brinks"  # from the users map
    assert message.sender_handle == "@furiouscamper"
    assert message.text == "Hi, my order #4512 hasn't arrived & the tracking link is broken"
    assert message.public is False
    assert message.sent_at == at(1772620800.123)
    assert message.attachments == []


def test_our_own_direct_message_is_ignored() -> None:
    assert twitter.parse(fixture("twitter_own_dm.json")) == []


# --- mentions -----------------------------------------------------------------------
def test_mention_uses_the_extended_full_text() -> None:
    [message] = twitter.parse(fixture("twitter_mention.json"))
    assert message.public is True
    assert message.provider_message_id == "1766812500000000000"
    assert message.sender_id == CLIENT
    assert message.sender_name == "Jordan Brinks"
    assert message.sender_handle == "@furiouscamper"
    assert message.text == (
        "@atiende_demo I ordered the blue runners two weeks ago and still nothing. "
        "Support email bounced & the chat says it's closed. Can someone please look at "
        "order #4512? This is the box I got instead"
    )  # unescaped, not truncated, without the t.co link of the photo
    assert message.sent_at == at(1772620860)
    [photo] = message.attachments
    assert (photo.kind, photo.mime_type, photo.provider_media_id) == (
        "image",
        "image/jpeg",
        "1766812500000000001",
    )
    assert photo.url == "https://pbs.twimg.com/media/GIq2abcXwAAb1cD.jpg"
    assert message.reply_to_provider_id is None
    assert message.thread_key == "1766812500000000000"  # it starts its conversation
    assert "user_has_blocked" not in message.extra


def test_batch_skips_our_tweets_and_retweets() -> None:
    dm, reply, quote = twitter.parse(fixture("twitter_batch.json"))
    assert dm.public is False
    assert dm.text == "Here's the unboxing"
    [video] = dm.attachments
    assert video.kind == "video"
    assert video.mime_type == "video/mp4"
    assert video.url is not None and video.url.endswith("/720x1280/c.mp4")  # best bitrate
    assert reply.public is True
    assert reply.sender_handle == "@analopez_mx"
    assert reply.text == "@atiende_demo @furiouscamper same here, order #4519 <still> pending"
    assert reply.reply_to_provider_id == "1766812600000000000"
    assert reply.thread_key is None  # a reply: the v1.1 tweet does not name the root
    assert quote.extra == {"quoted_tweet_id": "1766812600000000000"}
    assert quote.thread_key == "1766812900000000000"


def _tweet(**fields: Any) -> dict[str, Any]:
    [tweet] = payload("twitter/tweet_create_events.json")["tweet_create_events"]  # by CLIENT
    tweet.update(fields)
    return tweet


def test_mention_from_a_blocked_user_is_kept_and_flagged() -> None:
    body = payload("twitter/tweet_create_events.json", {"user_has_blocked": "true"})
    [message] = twitter.parse(json.dumps(body))
    assert message.extra == {"user_has_blocked": "true"}
    assert message.sent_at == datetime(2026, 3, 4, 10, 41, tzinfo=UTC)  # from created_at


def test_conversation_id_when_present_is_the_thread() -> None:
    tweet = _tweet(in_reply_to_status_id_str="1", conversation_id_str="1766812000000000000")
    [message] = twitter.parse(
        json.dumps(payload("twitter/tweet_create_events.json", {"tweet_create_events": [tweet]}))
    )
    assert message.thread_key == "1766812000000000000"
    assert message.reply_to_provider_id == "1"


def test_other_activity_is_not_a_message() -> None:
    body = payload("twitter/other_activity.json")  # to US
    assert twitter.parse(json.dumps(body)) == []


# --- malformed bodies ---------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '[{"for_user_id": "1"}]',
        "null",
        '{"direct_message_events": []}',
        '{"for_user_id": ""}',
        '{"for_user_id": "1", "direct_message_events": {"type": "message_create"}}',
        '{"for_user_id": "1", "direct_message_events": [{"type": "message_create"}]}',
        '{"for_user_id": "1", "tweet_create_events": [{"text": "no author"}]}',
    ],
)
def test_malformed_bodies_raise(body: str) -> None:
    with pytest.raises(MalformedPayload):
        twitter.parse(body)


def test_direct_message_without_id_raises() -> None:
    body = json.loads(fixture("twitter_dm.json"))
    del body["direct_message_events"][0]["id"]
    with pytest.raises(MalformedPayload):
        twitter.parse(json.dumps(body))
