"""The outgoing half of every channel: ``send(OutboundRequest) -> SendResult``.

A library for the outbound queue worker: one module per provider family builds the
provider's real request, :mod:`.transport` records it in the local outbox, sends it (or,
offline, answers for it) and turns the provider's refusals into :class:`SendError`.
"""

from chalicelib.channels.outbound.dispatch import send
from chalicelib.channels.outbound.model import (
    OutboundAttachment,
    OutboundRequest,
    SendError,
    SendResult,
)
from chalicelib.channels.outbound.transport import HttpRequest, HttpResponse, Transport

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "OutboundAttachment",
    "OutboundRequest",
    "SendError",
    "SendResult",
    "Transport",
    "send",
]
