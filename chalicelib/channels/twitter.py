"""X (Twitter) Account Activity API webhooks: direct messages and mentions.

The protocol, from X's "Securing webhooks" and "Account Activity data objects" guides:

* the CRC: X sends ``GET ?crc_token=...`` at registration and periodically; the answer
  is ``{"response_token": "sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>"}``;
* every POST carries ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the
  raw body, keyed with the consumer secret>``;
* the body names the subscribed account in ``for_user_id`` (the channel's account id)
  and carries ``direct_message_events`` (with a ``users`` map for names),
  ``tweet_create_events`` (v1.1 Tweet objects) and other activity we do not ingest.

The account's own activity comes back too (DMs it sent, its tweets) and is skipped, as
are retweets. Texts are HTML-escaped by X (``&amp;``) and unescaped here; the ``t.co``
link X appends for attached media is removed since the media is an attachment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import mimetypes
from typing import Any
from urllib.parse import urlparse

from chalicelib.channels.events import Attachment, InboundMessage
from chalicelib.channels.provider_json import (
    AttachmentKind,
    JSONObject,
    load_object,
    obj,
    objects,
    opt_obj,
    required_id,
    string,
    timestamp,
)
from chalicelib.clock import now

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_MEDIA: dict[str, AttachmentKind] = {"photo": "image", "video": "video", "animated_gif": "video"}


def _hmac_base64(secret: str, message: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def crc_response(crc_token: str, consumer_secret: str) -> dict[str, str]:
    """The JSON body answering a CRC check (it must come back within three seconds)."""
    return {"response_token": "sha256=" + _hmac_base64(consumer_secret, crc_token.encode("utf-8"))}


def verify_signature(raw_body: bytes, header: str | None, consumer_secret: str) -> bool:
    """True when ``header`` is ``sha256=<base64>`` and matches the body's HMAC.

    A missing or garbled header (other algorithm, not base64, wrong length) or an unset
    consumer secret is refused.
    """
    if not header or not consumer_secret:
        return False
    algorithm, _, encoded = header.strip().partition("=")
    if algorithm.strip().lower() != "sha256" or not encoded:
        return False
    try:
        received = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(consumer_secret.encode("utf-8"), raw_body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, received)


def parse(body: str) -> list[InboundMessage]:
    """The direct messages and mentions a client sent to the subscribed account.

    Raises :class:`MalformedPayload` for a body that is not a JSON object, has no
    ``for_user_id`` or carries an event without its ids.
    """
    payload = load_object(body)
    account_id = required_id(payload.get("for_user_id"), "for_user_id")
    users = opt_obj(payload.get("users"), "users")
    messages: list[InboundMessage] = []
    for event in objects(payload.get("direct_message_events"), "direct_message_events"):
        message = _direct_message(event, account_id, users)
        if message is not None:
            messages.append(message)
    flagged = str(payload.get("user_has_blocked")).lower() == "true"
    for tweet in objects(payload.get("tweet_create_events"), "tweet_create_events"):
        message = _mention(tweet, account_id, users, flagged)
        if message is not None:
            messages.append(message)
    return messages


def _direct_message(event: JSONObject, account_id: str, users: JSONObject) -> InboundMessage | None:
    if event.get("type") != "message_create":
        return None
    create = obj(event.get("message_create"), "message_create")
    sender_id = required_id(create.get("sender_id"), "message_create.sender_id")
    if sender_id == account_id:
        return None  # a DM the account sent (from our app or any other client)
    data = opt_obj(create.get("message_data"), "message_data")
    attachment = opt_obj(data.get("attachment"), "message_data.attachment")
    media = [obj(attachment["media"], "attachment.media")] if "media" in attachment else []
    name, handle = _user(users, sender_id)
    extra: dict[str, str] = {}
    quick_reply = opt_obj(data.get("quick_reply_response"), "quick_reply_response")
    if metadata := string(quick_reply.get("metadata")):
        extra["quick_reply_metadata"] = metadata
    return InboundMessage(
        channel_type="twitter",
        account_id=account_id,
        provider_message_id=required_id(event.get("id"), "direct_message_event.id"),
        sender_id=sender_id,
        sender_name=name,
        sender_handle=handle,
        text=_clean_text(string(data.get("text")), media),
        sent_at=timestamp(event.get("created_timestamp")) or now(),
        attachments=[_attachment(item) for item in media],
        extra=extra,
    )


def _mention(
    tweet: JSONObject, account_id: str, users: JSONObject, blocked: bool
) -> InboundMessage | None:
    """A public tweet about the account: a mention, a reply to it, or a quote of it."""
    author = opt_obj(tweet.get("user"), "tweet.user")
    author_id = required_id(author.get("id_str") or author.get("id"), "tweet.user.id")
    if author_id == account_id or "retweeted_status" in tweet:
        return None  # our own tweet, or a retweet (a share, not something said to us)
    tweet_id = required_id(tweet.get("id_str") or tweet.get("id"), "tweet.id")
    extended = opt_obj(tweet.get("extended_tweet"), "tweet.extended_tweet")
    text = string(extended.get("full_text")) or string(tweet.get("full_text"))
    media = _tweet_media(extended or tweet)
    name, handle = _user(users, author_id)
    screen_name = string(author.get("screen_name"))
    reply_to = string(tweet.get("in_reply_to_status_id_str")) or string(
        tweet.get("in_reply_to_status_id")
    )
    # v1.1 tweets carry no conversation id: the root is only known for a tweet that
    # starts one (itself) or when X sends ``conversation_id`` (v2-shaped payloads).
    root = string(tweet.get("conversation_id_str")) or string(tweet.get("conversation_id"))
    extra: dict[str, str] = {}
    if quoted := string(tweet.get("quoted_status_id_str")):
        extra["quoted_tweet_id"] = quoted
    if blocked:
        extra["user_has_blocked"] = "true"  # the account blocked the author; kept, flagged
    return InboundMessage(
        channel_type="twitter",
        account_id=account_id,
        provider_message_id=tweet_id,
        sender_id=author_id,
        sender_name=string(author.get("name")) or name,
        sender_handle=f"@{screen_name}" if screen_name else handle,
        text=_clean_text(text or string(tweet.get("text")), media),
        public=True,
        sent_at=timestamp(tweet.get("timestamp_ms")) or timestamp(tweet.get("created_at")) or now(),
        attachments=[_attachment(item) for item in media],
        reply_to_provider_id=reply_to or None,
        thread_key=root or (tweet_id if not reply_to else None),
        extra=extra,
    )


def _user(users: JSONObject, user_id: str) -> tuple[str | None, str | None]:
    """Name and ``@handle`` from the payload's ``users`` map (DMs carry no user object)."""
    user = users.get(user_id)
    if not isinstance(user, dict):
        return None, None
    screen_name = string(user.get("screen_name"))
    return string(user.get("name")), f"@{screen_name}" if screen_name else None


def _tweet_media(container: JSONObject) -> list[JSONObject]:
    """``extended_entities`` lists every photo of a tweet; ``entities`` only the first."""
    for key in ("extended_entities", "entities"):
        media = objects(opt_obj(container.get(key), f"tweet.{key}").get("media"), "media")
        if media:
            return media
    return []


def _clean_text(text: str | None, media: list[JSONObject]) -> str:
    """Unescape X's HTML entities and drop the ``t.co`` links standing for the media."""
    clean = html.unescape(text or "")
    for item in media:
        if link := string(item.get("url")):
            clean = clean.replace(link, "")
    return clean.strip()


def _attachment(media: JSONObject) -> Attachment:
    media_type = string(media.get("type")) or ""
    url = string(media.get("media_url_https")) or string(media.get("media_url"))
    mime_type = _guess_mime(url)
    if media_type in ("video", "animated_gif") and (variant := _best_variant(media)):
        url, mime_type = string(variant.get("url")) or url, string(variant.get("content_type"))
    return Attachment(
        kind=_MEDIA.get(media_type, "file"),
        url=url,
        mime_type=mime_type,
        provider_media_id=string(media.get("id_str")) or string(media.get("id")),
    )


def _best_variant(media: JSONObject) -> JSONObject | None:
    """The highest-bitrate MP4 of a video (the other variants are HLS playlists)."""
    info = opt_obj(media.get("video_info"), "media.video_info")
    variants = [
        variant
        for variant in objects(info.get("variants"), "video_info.variants")
        if variant.get("content_type") == "video/mp4"
    ]
    return max(variants, key=_bitrate, default=None)


def _bitrate(variant: JSONObject) -> int:
    value: Any = variant.get("bitrate")
    return value if isinstance(value, int) else 0


def _guess_mime(url: str | None) -> str | None:
    return mimetypes.guess_type(urlparse(url).path)[0] if url else None
