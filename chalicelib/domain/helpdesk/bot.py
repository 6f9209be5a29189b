"""The tenant's bot (SPEC §4 "Bot"): while a ticket's bot is on, the client's messages go
to the bot and the bot may answer through the API.

The bot is the tenant's active webhook subscribed to ``bot.message`` (``/v1/integrations``):
the consumer emits that event for each new client message of a ticket whose bot is on
(jobs/inbound.py), delivered signed like every other event. The bot answers with
``POST /v1/bot/tickets/{number}/messages``, signed the same way with the same secret, so
no user session or extra credential is involved:

    X-Atiende-Tenant: <tenant id>          (the delivery's "tenant_id")
    X-Atiende-Integration: <webhook id>
    X-Atiende-Timestamp: <Unix seconds>    (within 5 minutes of ours)
    X-Atiende-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">

The body's ``id`` is the bot's own key for the answer: the same ``id`` again (a retry, a
replayed request) answers with the message already stored and sends nothing twice.
A bot's answer is the bot's (``author_id`` ``bot:<webhook id>``): it neither takes the
ticket nor counts as the first response of the SLA, which measures people.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from chalicelib.clock import now
from chalicelib.domain.errors import Conflict, NotFound, Unauthenticated
from chalicelib.domain.helpdesk.replies import (
    answered_provider_id,
    check_answerable,
    check_free_text_window,
    touch_for_reply,
)
from chalicelib.domain.helpdesk.tickets import require_writable
from chalicelib.domain.helpdesk.timeline import message_key, new_message_id
from chalicelib.domain.integrations import get_integration, secret_of, sign
from chalicelib.store import keys, messages
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import AlreadyStored
from chalicelib.store.helpdesk import BotAnswer, Message, Ticket
from chalicelib.untrusted import is_ascii_number

EVENT = "bot.message"
#: a signed call older or newer than this is refused (replays, skewed clocks)
TOLERANCE_SECONDS = 300


class BotUnauthorized(Unauthenticated):
    """The call is not signed by an active bot webhook of the account it names."""

    code = "bot_unauthorized"


@dataclass(frozen=True)
class BotCaller:
    tenant_id: str
    integration_id: str


def verify(headers: dict[str, str], raw_body: bytes) -> BotCaller:
    """The webhook that signed this call, or 401 (which header is wrong is said; whether
    a webhook exists is not, to another tenant's guess)."""
    tenant_id = headers.get("x-atiende-tenant", "")
    integration_id = headers.get("x-atiende-integration", "")
    stamp = headers.get("x-atiende-timestamp", "")
    signature = headers.get("x-atiende-signature", "")
    if not (tenant_id and integration_id and stamp and signature):
        raise BotUnauthorized(
            "Sign the call: X-Atiende-Tenant, X-Atiende-Integration, X-Atiende-Timestamp "
            'and X-Atiende-Signature are required (docs/integrations.md, "The bot").'
        )
    if not is_ascii_number(stamp) or abs(now().timestamp() - int(stamp)) > TOLERANCE_SECONDS:
        raise BotUnauthorized(
            f"X-Atiende-Timestamp must be the current Unix time (within {TOLERANCE_SECONDS} s)."
        )
    refused = BotUnauthorized("The signature does not match a bot webhook of this account.")
    try:
        integration = get_integration(tenant_id, integration_id)
    except NotFound:
        raise refused from None
    expected = sign(secret_of(integration), stamp, raw_body)
    if not hmac.compare_digest(expected, signature):
        raise refused
    if not integration.active or EVENT not in integration.events:
        raise BotUnauthorized(
            "This webhook is not the account's bot: it must be active and listen to bot.message."
        )
    return BotCaller(tenant_id, integration_id)


def answer_key(caller: BotCaller, answer_id: str) -> str:
    return hashlib.sha256(f"{caller.integration_id}\x00{answer_id}".encode()).hexdigest()[:32]


def bot_reply(
    caller: BotCaller, number: int, *, answer_id: str, text: str, public: bool,
    reply_to: str | None,
) -> tuple[Message, bool]:  # fmt: skip
    """Store the bot's answer queued (the table's stream puts it on the outbound queue);
    returns it and whether it is new (False: this ``answer_id`` was answered before)."""
    tenant_id = caller.tenant_id
    claim_key = (
        keys.ticket_pk(tenant_id, number),
        keys.bot_answer_sk(answer_key(caller, answer_id)),
    )
    earlier = get_or_none(BotAnswer, *claim_key, consistent=True)
    if earlier is not None:
        return _stored(tenant_id, earlier), False
    ticket = get_or_none(
        Ticket, keys.ticket_pk(tenant_id, number), keys.ticket_sk(), consistent=True
    )
    if ticket is None:
        raise NotFound(f"There is no ticket {number}.")
    require_writable(ticket)  # a merged or escalated ticket says so before "bot off"
    if not ticket.bot:
        raise Conflict(
            f"The bot is off for ticket {number}: an agent turned it off or never on.",
            code="bot_off",
        )
    check_answerable(ticket, public)
    at = now()
    check_free_text_window(ticket, at)
    reply_to_provider = answered_provider_id(ticket, public, reply_to)
    message_id = new_message_id(at)
    message = Message(
        *message_key(tenant_id, number, message_id),
        tenant_id=tenant_id, message_id=message_id, ticket_number=number,
        channel_id=ticket.channel_id, direction="out", author_id=f"bot:{caller.integration_id}",
        text=text, public=public, reply_to=reply_to_provider, status="queued", extra={},
        attachments=[], sent_at=at, stored_at=at,
    )  # fmt: skip
    claim = BotAnswer(*claim_key, tenant_id=tenant_id, ticket_number=number,
                      message_id=message_id, created_at=at,
                      expires_at=int(at.timestamp()) + 7 * 86400)  # fmt: skip
    try:
        messages.put_answer_once(claim, message)
    except AlreadyStored:  # the same answer, at the same time
        found = get_or_none(BotAnswer, *claim_key, consistent=True)
        if found is not None:
            return _stored(tenant_id, found), False
        raise
    touch_for_reply(ticket, text, at, first_response=False)
    return message, True  # the table's stream puts it on the outbound queue


def _stored(tenant_id: str, claim: Any) -> Message:
    found = get_or_none(Message, *message_key(tenant_id, int(claim.ticket_number),
                                              claim.message_id), consistent=True)  # fmt: skip
    if found is None:  # pragma: no cover - written in the claim's transaction
        raise Conflict("The earlier answer with this id is not readable; try again.")
    return found
