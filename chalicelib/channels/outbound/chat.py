"""The web chat widget reads replies from our own table: sending is done once stored.

No provider, no HTTP: the reply's provider id is our own message id.
"""

from __future__ import annotations

from chalicelib.channels.outbound.model import OutboundRequest, SendResult
from chalicelib.channels.outbound.transport import Exchange


def send(request: OutboundRequest, exchange: Exchange) -> SendResult:
    return SendResult(request.message_id)
