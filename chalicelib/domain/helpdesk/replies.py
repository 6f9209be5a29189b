"""Agents' replies (SPEC §4): stored queued, sent by the outbound worker.

A reply is one PutItem (the message, in the ticket's partition) and one UpdateItem of
the ticket (latest activity, its place on the board, first response): 4 WCU, the
budget. When someone other than the assignee answers, the ticket moves to them first
(a transaction with the history entry and both agents' loads).

Rules, each refused with a clear error: attachments only in private messages (400);
a store review is answered only in public (400: the stores have no private channel, and
the worker would otherwise fail the message after it was accepted);
a merged or escalated ticket is read-only, a closed one must be reopened first (409);
WhatsApp takes free text only within 24 hours of the client's last message, after that
only an approved template (409 ``whatsapp_window_closed``); a quick reply by name or as
``/shortcut`` is expanded here, with placeholders filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.channels.registry import is_public_only, public_answer_names_a_post
from chalicelib.clock import iso, now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.settings_items import QUICK_REPLIES
from chalicelib.domain.errors import Conflict, Invalid
from chalicelib.domain.helpdesk.tickets import (
    OPEN_STATES,
    apply_change,
    assignment_change,
    load_ticket,
    require_writable,
)
from chalicelib.domain.helpdesk.timeline import message_key, new_message_id
from chalicelib.domain.inbound.ingest import preview
from chalicelib.domain.uploads import is_own_upload
from chalicelib.store import keys, messages, tickets
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import Client, Message, Ticket

WHATSAPP_WINDOW = timedelta(hours=24)
_SHORTCUT = re.compile(r"^/([\w-]{1,40})(?=\s|$)")
_PLACEHOLDER = re.compile(r"\{\{\s*(client|agent)\.(first_name|name)\s*\}\}")


@dataclass(frozen=True)
class ReplyAttachment:
    s3_key: str
    content_type: str
    filename: str
    size: int


def window_closes_at(ticket: Ticket) -> datetime | None:
    """WhatsApp's customer service window: 24 hours after the client's last message."""
    if ticket.channel_type != "whatsapp" or ticket.last_client_message_at is None:
        return None
    return ticket.last_client_message_at + WHATSAPP_WINDOW


def _bad(message: str, code: str, loc: list[Any]) -> Invalid:
    return Invalid(
        message, code=code, details=[{"loc": ["body", *loc], "msg": message, "type": code}]
    )


def expand_quick_reply(tenant_id: str, text: str, name: str | None) -> str:
    """``name`` (or a leading ``/shortcut`` in the text) replaced by the quick reply's text."""
    shortcut = name.removeprefix("/") if name else None
    rest = text
    if shortcut is None:
        match = _SHORTCUT.match(text)
        if match is None:
            return text
        shortcut, rest = match.group(1), text[match.end() :].lstrip()
    found = [
        item
        for item in QUICK_REPLIES.by_prefix(tenant_id, shortcut, 5)
        if str(item.data.get("shortcut", "")).casefold() == shortcut.casefold()
    ]
    if not found:
        if name is None:
            return text  # "/something" that is no shortcut is just text
        raise _bad(
            f"There is no quick reply “/{shortcut}”.", "unknown_quick_reply", ["quick_reply"]
        )
    body = str(found[0].data["text"])
    return f"{body}\n{rest}" if rest else body


def fill_placeholders(text: str, client: Client | None, principal: Principal) -> str:
    """``{{client.first_name}}``, ``{{client.name}}``, ``{{agent.first_name}}``, ``{{agent.name}}``."""
    user = principal.user
    values = {
        ("client", "name"): (client.name if client and client.name else ""),
        ("agent", "first_name"): getattr(user, "first_name", "") or "",
        ("agent", "name"): " ".join(
            p for p in (getattr(user, "first_name", ""), getattr(user, "last_name", "")) if p
        ),
    }
    values[("client", "first_name")] = values[("client", "name")].split(" ")[0]
    return _PLACEHOLDER.sub(lambda m: values[(m.group(1), m.group(2))], text)


# --- the rules every answer keeps (an agent's here, the bot's in bot.py) ---------------------------
def check_answerable(ticket: Ticket, public: bool) -> None:
    """409 on a read-only or closed ticket; 400 on a private answer to a store review."""
    require_writable(ticket)
    if ticket.status == "closed":
        raise Conflict(
            f"Ticket {ticket.number} is closed; reopen it to answer.", code="ticket_closed"
        )
    if is_public_only(ticket.channel_type) and not public:  # a review's answer is published
        raise _bad(
            "A store review is answered in public: send the reply with public true.",
            "review_reply_private",
            ["public"],
        )


def check_free_text_window(ticket: Ticket, at: datetime) -> None:
    """409 once WhatsApp's 24-hour window has closed: only a template may go then."""
    closes = window_closes_at(ticket)
    if closes is not None and at >= closes:
        raise Conflict(
            f"WhatsApp's 24-hour window for this client closed at {iso(closes)}: "
            "send an approved template (see /v1/templates) instead of free text.",
            code="whatsapp_window_closed",
            details={"window_closed_at": iso(closes)},
        )


def answered_provider_id(ticket: Ticket, public: bool, reply_to: str | None) -> str | None:
    """The provider's id of the message answered (``reply_to``, a message of the ticket),
    for the provider's reply context. A public answer on Facebook, Instagram or X is
    published under one of the client's public messages, so it must name one."""
    public_post = public and public_answer_names_a_post(ticket.channel_type)
    if public_post and reply_to is None:
        raise _bad(
            f"A public answer on {ticket.channel_type} is published under the client's comment "
            "or post: give reply_to, the id of the client's public message answered "
            "(or send it as a private message).",
            "reply_to_required",
            ["reply_to"],
        )
    if reply_to is None:
        return None
    answered = get_or_none(Message, *message_key(ticket.tenant_id, int(ticket.number), reply_to))
    if answered is None:
        raise _bad("That message is not part of this ticket.", "reply_to", ["reply_to"])
    if public_post and not (answered.direction == "in" and answered.public):
        raise _bad(
            "A public answer goes under one of the client's public messages (a comment or "
            "post); that message is not one.",
            "reply_to_not_public",
            ["reply_to"],
        )
    return answered.provider_message_id


def reply(
    principal: Principal,
    number: int,
    *,
    text: str,
    public: bool,
    reply_to: str | None = None,
    quick_reply: str | None = None,
    attachments: list[ReplyAttachment] | None = None,
    template: dict[str, Any] | None = None,
) -> Message:
    attachments = attachments or []
    if attachments and public:
        raise _bad(
            "Attachments go only in private messages.", "attachments_public", ["attachments"]
        )
    for i, a in enumerate(attachments):
        if not is_own_upload(principal.tenant_id, a.s3_key):
            raise _bad("Attach only files uploaded to this account.", "s3_key",
                        ["attachments", i, "s3_key"])  # fmt: skip
    ticket = load_ticket(principal, number, consistent=True)
    check_answerable(ticket, public)
    at = now()
    client = get_or_none(
        Client, keys.client_pk(ticket.tenant_id, ticket.client_id), keys.client_sk()
    )
    extra: dict[str, Any] = {}
    if template is not None:
        if ticket.channel_type != "whatsapp":
            raise _bad("Templates are for WhatsApp tickets.", "template_channel", ["template"])
        from chalicelib.domain.helpdesk.templates import render_template

        found, body = render_template(principal.tenant_id, template["name"], template["language"],
                                      list(template.get("parameters") or []))  # fmt: skip
        extra["template"] = {"name": found["name"], "language": found["language"],
                             "parameters": list(template.get("parameters") or [])}  # fmt: skip
        text = body
    else:
        text = fill_placeholders(expand_quick_reply(principal.tenant_id, text, quick_reply),
                                 client, principal)  # fmt: skip
        if not text.strip() and not attachments:
            raise _bad("Write something or attach a file.", "empty_reply", ["text"])
        check_free_text_window(ticket, at)
    reply_to_provider = answered_provider_id(ticket, public, reply_to)
    files = [{"s3_key": a.s3_key, "content_type": a.content_type, "filename": a.filename,
              "size": a.size} for a in attachments]  # fmt: skip
    return queue_reply(principal, ticket, text=text, public=public, at=at, extra=extra,
                       attachments=files, reply_to=reply_to_provider)  # fmt: skip


def queue_reply(
    principal: Principal,
    ticket: Ticket,
    *,
    text: str,
    public: bool,
    at: datetime,
    extra: dict[str, Any],
    attachments: list[dict[str, Any]],
    reply_to: str | None = None,
) -> Message:
    """Store a checked answer queued for the outbound worker (the catalogue's too): whoever
    answers takes the ticket; ``attachments`` are files of the tenant (``s3_key``,
    ``content_type``, ``filename``, ``size``, optionally a ``caption`` of their own)."""
    if attachments:
        extra = {**extra, "attachments": attachments}
    if ticket.assignee_id != principal.user_id:  # who answers takes the ticket (SPEC §4)
        ticket = apply_change(
            principal, int(ticket.number),
            lambda t: assignment_change(principal, t, principal.user_id, "answered the client"),
        )  # fmt: skip
    message_id = new_message_id(at)
    message = Message(
        *message_key(principal.tenant_id, int(ticket.number), message_id),
        tenant_id=principal.tenant_id, message_id=message_id, ticket_number=int(ticket.number),
        channel_id=ticket.channel_id, direction="out", author_id=principal.user_id, text=text,
        public=public, reply_to=reply_to, status="queued", extra=extra,
        attachments=list(attachments), sent_at=at, stored_at=at,
    )  # fmt: skip
    # stored queued: its record on the table's stream puts it on the outbound queue
    # (jobs/effects.py), so a crash right after this write does not leave it unsent
    messages.put_once(message)
    touch_for_reply(ticket, text, at)
    return message


def touch_for_reply(ticket: Ticket, text: str, at: datetime, first_response: bool = True) -> None:
    """Latest activity and (a person's answer) first response; only while the ticket is
    still open (closed meanwhile: the message is kept and sent all the same)."""
    tickets.touch_for_reply(
        ticket.tenant_id, int(ticket.number), at=at, last_message=preview(text, "out", at),
        first_response=first_response, while_status=OPEN_STATES,
    )  # fmt: skip
