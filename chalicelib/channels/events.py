"""What every channel adapter turns a provider's payload into.

An adapter's ``parse`` returns a list of these; the inbound consumer never sees a
provider's own format. ``account_id`` finds the channel (one query of GSI1);
``provider_message_id`` is unique within the channel and makes ingest exactly-once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

ChannelType = Literal[
    "whatsapp",
    "facebook",
    "instagram",
    "twitter",
    "twitter_search",
    "email",
    "chat",
    "app_store",
    "play_store",
]
# one name per descriptor of ``chalicelib.channels.registry`` (tested): a type for pydantic
# and mypy, not a second list to keep


class Attachment(BaseModel):
    kind: Literal["image", "audio", "video", "document", "sticker", "location", "file"]
    mime_type: str | None = None
    name: str | None = None
    url: str | None = None  # where the provider serves it (fetched later with the channel's token)
    provider_media_id: str | None = None  # e.g. WhatsApp media id
    s3_key: str | None = None  # when the adapter already stored the bytes (email attachments)
    size: int | None = None


class InboundMessage(BaseModel):
    """One message a client wrote (or a review, a comment, a mention)."""

    kind: Literal["message"] = "message"
    channel_type: ChannelType
    account_id: str
    provider_message_id: str = Field(min_length=1)
    sender_id: str = Field(min_length=1)  # the client's identity on this channel
    sender_name: str | None = None
    sender_handle: str | None = None  # @screen_name, email address, phone number
    text: str = ""
    public: bool = False  # a public comment / mention / review, not a private message
    sent_at: datetime
    attachments: list[Attachment] = []
    reply_to_provider_id: str | None = None  # the message this one answers
    thread_key: str | None = None  # provider thread (post id, email thread root)
    reaction: str | None = None  # an emoji reacting to ``reply_to_provider_id``
    subject: str | None = None  # email subject, review title
    rating: int | None = None  # store reviews: 1-5
    extra: dict[str, str] = {}  # provider details worth keeping (e.g. email Message-ID)


class StatusUpdate(BaseModel):
    """What the provider says became of a message we sent."""

    kind: Literal["status"] = "status"
    channel_type: ChannelType
    account_id: str
    provider_message_id: str
    status: Literal["sent", "delivered", "read", "failed"]
    at: datetime
    error: str | None = None


InboundEvent = InboundMessage | StatusUpdate


class WebhookEnvelope(BaseModel):
    """What a verified webhook puts on the inbound queue: the raw body, untouched.

    ``provider`` names the adapter that parses it (``meta``, ``twitter``, ``ses``,
    ``chat``, ``poll``); parsing happens in the consumer, so a payload that can never
    parse is retried, then dead-lettered, without slowing the provider's webhook.
    """

    provider: Literal["meta", "twitter", "ses", "chat", "poll"]
    received_at: datetime
    body: str = ""
    body_s3_key: str | None = None  # a body too large for SQS waits in S3 (claim check)
    headers: dict[str, str] = {}


class MalformedPayload(ValueError):
    """A payload that can never be parsed: retrying will not help (it ends in the DLQ)."""


def parse_normalised(body: str) -> list[InboundEvent]:
    """A body already in our format (the chat widget's messages, a poll's reviews and
    posts): a list of :class:`InboundMessage`."""
    try:
        return list(TypeAdapter(list[InboundMessage]).validate_json(body))
    except ValidationError as exc:
        raise MalformedPayload(str(exc)) from exc
