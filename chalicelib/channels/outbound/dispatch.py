"""``send``: the one call the outbound queue worker makes.

The sender is the channel type's descriptor's (``replies`` in
``chalicelib/channels/registry.py``), public (comment, reply, mention, review answer) or
private (direct message), imported the first time it sends. Channels with one kind of
message (WhatsApp, email, chat) send it whatever ``public`` says; store reviews can only
be answered in public, and a private answer is refused rather than published.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chalicelib.channels.outbound.model import OutboundRequest, SendError, SendResult
from chalicelib.channels.outbound.transport import (
    Exchange,
    Transport,
    http_transport,
    secret_values,
)
from chalicelib.channels.registry import PROVIDERS

log = logging.getLogger(__name__)

Sender = Callable[[OutboundRequest, Exchange], SendResult]


def send(request: OutboundRequest, transport: Transport | None = None) -> SendResult:
    """Send one reply through its channel's provider.

    Raises :class:`SendError`: ``retryable`` when trying again later can succeed (honour
    ``retry_after``), ``credentials_rejected`` when a person must reconnect the channel.
    ``transport`` replaces the network for every HTTP request (tests); by default live
    requests go out and the others get a synthetic success (SPEC §9).
    """
    sender = _sender(request)
    _check(request)
    exchange = Exchange(
        request.message_id,
        transport or http_transport,
        secrets=secret_values(request.credentials),
        label=request.channel_type,
    )
    result = sender(request, exchange)
    log.info(
        "outbound message sent",
        extra={
            "message_id": request.message_id,
            "channel_type": request.channel_type,
            "provider_message_id": result.provider_message_id,
            "provider_requests": exchange.count,
        },
    )
    return result


def _sender(request: OutboundRequest) -> Sender:
    provider = PROVIDERS.get(request.channel_type)
    sender: Sender | None = provider.sender(request.public) if provider else None
    if sender is None:
        kind = "public" if request.public else "private"
        raise SendError(
            f"a {request.channel_type} channel cannot send a {kind} message", retryable=False
        )
    return sender


def _check(request: OutboundRequest) -> None:
    if request.public and request.attachments:
        raise SendError("attachments go only in private messages", retryable=False)
    if not (request.text.strip() or request.attachments or request.template or request.interactive):
        raise SendError("the message is empty", retryable=False)
