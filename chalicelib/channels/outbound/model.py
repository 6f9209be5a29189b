"""What the outbound queue worker hands the senders, and what it gets back.

A sender either returns a :class:`SendResult` or raises a :class:`SendError` that says
whether trying again can help (``retryable``: rate limits, provider outages, network
failures) or not (a refused message, a missing credential). ``credentials_rejected``
tells the worker that a person must reconnect the channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OutboundAttachment:
    url: str  # a presigned S3 GET URL
    content_type: str
    filename: str
    size: int
    key: str = ""  # S3 key (email attaches the bytes: read them from S3 bucket settings.bucket)
    #: this file's own caption (a catalogue's product line); where a channel captions
    #: files (WhatsApp), the message's text then goes first on its own
    caption: str = ""


@dataclass(frozen=True)
class OutboundRequest:
    message_id: str  # our id (idempotency, outbox file names)
    channel_type: str  # a type of chalicelib/channels/registry.py: its descriptor's senders
    account_id: str  # the channel's provider account id (phone_number_id, page id, ig id, ...)
    identifiers: Mapping[str, Any]  # the channel's public identifiers
    credentials: Mapping[str, Any] = field(repr=False)  # decrypted secrets (never log them)
    # the client's id on the channel (wa phone, PSID, IGSID, X user id, email address, chat
    # session id; for reviews: the review id)
    recipient_id: str
    text: str
    public: bool = False  # comment/reply/mention vs private direct message
    # provider id of the message answered (wamid, comment id, tweet id, email Message-ID, review id)
    reply_to: str | None = None
    attachments: tuple[OutboundAttachment, ...] = ()
    template: Mapping[str, Any] | None = (
        None  # whatsapp: {"name","language","parameters":[str,...]}
    )
    #: whatsapp: an ``interactive`` object sent as is (a catalogue's ``product_list``)
    interactive: Mapping[str, Any] | None = None
    subject: str | None = None  # email
    references: tuple[str, ...] = ()  # email thread Message-IDs


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None
    status: str = "sent"
    #: what else the provider said worth keeping: ``provider_message_ids`` (space-separated)
    #: when one reply took several provider messages, ``ses_message_id`` for email
    extra: Mapping[str, str] = field(default_factory=dict)


class SendError(Exception):
    """The message was not sent. ``reason`` is safe to show and log: it never holds a secret."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        status: int = 0,
        retry_after: float | None = None,
        credentials_rejected: bool | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status  # the provider's HTTP status; 0 when none answered
        self.retry_after = retry_after  # seconds the provider asked us to wait
        self._credentials_rejected = credentials_rejected

    @property
    def credentials_rejected(self) -> bool:
        """401/403, or a provider error code that means the token is bad or lacks access."""
        if self._credentials_rejected is not None:
            return self._credentials_rejected
        return self.status in (401, 403)

    def __repr__(self) -> str:
        return (
            f"SendError({self.reason!r}, retryable={self.retryable}, status={self.status}, "
            f"retry_after={self.retry_after})"
        )
