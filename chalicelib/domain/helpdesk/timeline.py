"""A ticket's messages: ids that sort by time and make redeliveries collide, and reads.

Messages live in their ticket's partition (``M#<id>``), so the ticket with its latest
50 messages is one Query: the ticket item's sort key ``TICKET`` sorts right after them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from chalicelib.store import keys
from chalicelib.store.base import Item
from chalicelib.store.helpdesk import Message, Ticket


def compact(at: datetime) -> str:
    """``20260302T120001123456Z``: UTC to the microsecond, sorting as time does."""
    if at.tzinfo is None:
        raise ValueError("a message time must carry its timezone")
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def inbound_message_id(sent_at: datetime, channel_id: str, provider_message_id: str) -> str:
    """Same provider message, same id: the provider's time and a hash of its id."""
    digest = hashlib.sha256(f"{channel_id}\x00{provider_message_id}".encode()).hexdigest()
    return f"{compact(sent_at)}-{digest[:16]}"


def new_message_id(at: datetime) -> str:
    """An id for a message we write (replies, auto-replies): time and randomness."""
    return f"{compact(at)}-o{secrets.token_hex(8)}"


def message_key(tenant_id: str, number: int, message_id: str) -> tuple[str, str]:
    return keys.ticket_pk(tenant_id, number), keys.message_sk(message_id)


def ticket_with_latest(
    tenant_id: str, number: int, limit: int, consistent: bool = False
) -> tuple[Ticket | None, list[Message]]:
    """The ticket and its latest ``limit`` messages, oldest first: one Query."""
    found = list(
        Item.query(  # the base model: a subclass would filter the other kinds out
            keys.ticket_pk(tenant_id, number),
            Item.SK.between(keys.messages_prefix(), keys.ticket_sk()),
            scan_index_forward=False,
            limit=limit + 1,
            consistent_read=consistent,
        )
    )
    ticket = next((i for i in found if isinstance(i, Ticket)), None)
    messages = [i for i in found if isinstance(i, Message)]
    return ticket, list(reversed(messages))


def messages_page(
    tenant_id: str,
    number: int,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    newest_first: bool = False,
) -> list[Message]:
    """Messages of a ticket strictly after / before the given message ids."""
    low = keys.messages_after(after) if after else keys.messages_prefix()
    high = keys.message_sk(before) if before else keys.MESSAGES_END
    found = Message.query(
        keys.ticket_pk(tenant_id, number),
        Message.SK.between(low, high),
        scan_index_forward=not newest_first,
        limit=limit + 1,
    )
    items: list[Any] = [m for m in found if isinstance(m, Message) and high != m.SK]
    return items[:limit]


def all_messages(tenant_id: str, number: int) -> list[Message]:
    """Every message of a ticket, oldest first (merge, escalation transcripts)."""
    return [
        m
        for m in Message.query(
            keys.ticket_pk(tenant_id, number), Message.SK.startswith(keys.messages_prefix())
        )
        if isinstance(m, Message)
    ]
