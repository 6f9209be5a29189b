"""``send``: the one call the outbound queue worker makes.

The sender is chosen by channel type and by public (comment, reply, mention, review
answer) or private (direct message). Channels with one kind of message (WhatsApp,
email, chat) send it whatever ``public`` says; store reviews can only be answered in
public, and a private answer is refused rather than published.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chalicelib.channels.outbound import (
    app_store,
    chat,
    email,
    meta_pages,
    play_store,
    twitter,
    whatsapp,
)
from chalicelib.channels.outbound.model import OutboundRequest, SendError, SendResult
from chalicelib.channels.outbound.transport import (
    Exchange,
    Transport,
    http_transport,
    secret_values,
)

log = logging.getLogger(__name__)

Sender = Callable[[OutboundRequest, Exchange], SendResult]

#: ``(channel type, public) -> sender``
ROUTES: dict[tuple[str, bool], Sender] = {
    ("whatsapp", False): whatsapp.send,
    ("whatsapp", True): whatsapp.send,
    ("facebook", False): meta_pages.send_message,
    ("facebook", True): meta_pages.reply_to_comment,
    ("instagram", False): meta_pages.send_message,
    ("instagram", True): meta_pages.reply_to_comment,
    ("twitter", False): twitter.send_dm,
    ("twitter", True): twitter.reply_to_tweet,
    # keyword-search channels only hold an app bearer token: twitter refuses them clearly
    ("twitter_search", False): twitter.send_dm,
    ("twitter_search", True): twitter.reply_to_tweet,
    ("email", False): email.send,
    ("email", True): email.send,
    ("chat", False): chat.send,
    ("chat", True): chat.send,
    ("app_store", True): app_store.reply,
    ("play_store", True): play_store.reply,
}


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
    sender = ROUTES.get((request.channel_type, request.public))
    if sender is None:
        kind = "public" if request.public else "private"
        raise SendError(
            f"a {request.channel_type} channel cannot send a {kind} message", retryable=False
        )
    return sender


def _check(request: OutboundRequest) -> None:
    if request.public and request.attachments:
        raise SendError("attachments go only in private messages", retryable=False)
    if not (request.text.strip() or request.attachments or request.template):
        raise SendError("the message is empty", retryable=False)
