"""What happens around a ticket besides replies (SPEC §4): internal comments, a message's
context, older messages, the client's previous tickets, the ticket's history, escalation
to an outside person and the bot switch. docs/helpdesk.md "Ticket activity" is the user's
description; the routes are in ``api/ticket_activity.py``.

- A comment is one PutItem in the ticket's partition (``C#<id>``, ids sort by time) and
  is never edited nor deleted. Merged and escalated tickets are read-only: no comments.
- Every change of the ticket itself goes through ``tickets.apply_change`` (one
  transaction with its history entry, entity ``ticket``).
- Escalation emails the client's last 100 messages through the mail queue, only after
  the transaction that makes the ticket ``escalated`` succeeded.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.channels.registry import label_of
from chalicelib.clock import now, timezone_of
from chalicelib.cursors import decode_cursor
from chalicelib.domain.accounts.history import HistoryOut, read_history
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, Invalid, NotFound, Unavailable
from chalicelib.domain.helpdesk.assignment import RULE
from chalicelib.domain.helpdesk.tickets import (
    Change,
    agent_channels,
    apply_change,
    close_items,
    load_ticket,
    may_see,
    queue_fields,
    require_writable,
)
from chalicelib.domain.helpdesk.timeline import messages_page
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store import tickets as ticket_store
from chalicelib.store.accounts import HistoryEntry, Tenant, User, get_or_none
from chalicelib.store.base import AlreadyStored
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Comment, Message, Ticket

log = logging.getLogger(__name__)

COMMENT_MAX = 4000
MENTIONS_MAX = 20
NOTE_MAX = 2000
CONTEXT_MAX = 50
PREVIOUS_MAX = 50
TRANSCRIPT_MESSAGES = 100
#: a transcript's messages, in UTF-8 bytes of text: the queued email (text + HTML, as
#: JSON) must stay under SQS's 256 KiB; the oldest messages are left out beyond it
TRANSCRIPT_BUDGETS = (80_000, 40_000, 20_000)
TRANSCRIPT_MESSAGE_CHARACTERS = 4000
SQS_MAX_BYTES = 250_000

#: a message id: its time to the microsecond, a dash, a hash or ``o`` + randomness
MESSAGE_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-z]{1,40}$")
#: a comment or user id (``ids.new_id``)
ITEM_ID = re.compile(r"^[0-9a-z]{26}$")


# --- comments ----------------------------------------------------------------------------------
def comment_key(tenant_id: str, number: int, comment_id: str) -> tuple[str, str]:
    return keys.ticket_pk(tenant_id, number), keys.comment_sk(comment_id)


def _field_error(field: str, message: str, kind: str = "value_error") -> Invalid:
    return Invalid(
        "The request is not valid.",
        code="validation_error",
        details=[{"loc": ["body", *field.split(".")], "msg": message, "type": kind}],
    )


def check_mentions(tenant_id: str, mentions: list[str]) -> list[str]:
    """The mentioned user ids, each once, in order; 400 naming every one that is not a user
    of the tenant (one BatchGet)."""
    wanted = list(dict.fromkeys(mentions))
    if not wanted:
        return []
    found = {
        user.user_id
        for user in User.batch_get([(keys.tenant_pk(tenant_id), keys.user_sk(u)) for u in wanted])
        if isinstance(user, User) and user.tenant_id == tenant_id
    }
    unknown = [(i, u) for i, u in enumerate(mentions) if u not in found]
    if unknown:
        raise Invalid(
            "Only users of this account can be mentioned.",
            code="validation_error",
            details=[
                {"loc": ["body", "mentions", i], "msg": f"{u} is not a user of this account",
                 "type": "unknown_user"}
                for i, u in unknown
            ],
        )  # fmt: skip
    return wanted


def add_comment(
    principal: Principal,
    number: int,
    text: str,
    reply_to: str | None = None,
    mentions: list[str] | None = None,
) -> Comment:
    """An internal note; ``reply_to`` must be a comment of the same ticket."""
    ticket = load_ticket(principal, number)
    require_writable(ticket)
    tenant_id, n = principal.tenant_id, int(ticket.number)
    if reply_to is not None:
        parent = (
            get_or_none(Comment, *comment_key(tenant_id, n, reply_to))
            if ITEM_ID.match(reply_to)
            else None
        )
        if parent is None:
            raise _field_error(
                "reply_to", f"ticket {n} has no comment {reply_to}", "unknown_comment"
            )
    mentioned = check_mentions(tenant_id, mentions or [])
    at = now()
    comment_id = new_id()
    comment = Comment(
        *comment_key(tenant_id, n, comment_id),
        tenant_id=tenant_id, comment_id=comment_id, ticket_number=n,
        author_id=principal.user_id, text=text, reply_to=reply_to, mentions=mentioned,
        created_at=at,
    )  # fmt: skip
    try:
        ticket_store.add_comment(comment)
    except AlreadyStored as exc:  # pragma: no cover - 80 random bits collided
        raise Conflict("The comment could not be stored; try again.", code="conflict") from exc
    _emit("comment.created", tenant_id, {
        "ticket": n, "comment_id": comment_id, "author_id": principal.user_id,
        "text": text, "reply_to": reply_to, "mentions": mentioned,
    })  # fmt: skip
    notify_mentions(ticket, comment)
    return comment


def notify_mentions(ticket: Ticket, comment: Comment) -> None:
    """Tell the mentioned users about the comment (``notifications.notify_mentioned``:
    those who may see the ticket, not the author). Called after the comment is stored;
    it never raises, so a failed notification never fails the comment."""
    if comment.mentions:
        from chalicelib.domain.notifications import notify_mentioned

        notify_mentioned(ticket, comment)


def comments_page(
    principal: Principal, number: int, limit: int, cursor: str | None
) -> tuple[list[Comment], dict[str, Any] | None]:
    """Oldest first, flat: a reply carries ``reply_to`` (threads are drawn by the client).
    ``cursor`` is checked after the ticket: one not seen is a 404 whatever the cursor."""
    ticket = load_ticket(principal, number)
    partition = keys.ticket_pk(principal.tenant_id, int(ticket.number))
    found = Comment.query(
        partition,
        Comment.SK.startswith(keys.comments_prefix()),
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, partition),
    )
    return [c for c in found if isinstance(c, Comment)], found.last_evaluated_key


def get_comment(principal: Principal, number: int, comment_id: str) -> Comment:
    ticket = load_ticket(principal, number)
    comment = (
        get_or_none(Comment, *comment_key(principal.tenant_id, int(ticket.number), comment_id))
        if ITEM_ID.match(comment_id)
        else None
    )
    if comment is None:
        raise NotFound("This ticket has no such comment.")
    return comment


# --- messages: context and older pages ------------------------------------------------------------
@dataclass
class Context:
    message: Message
    before: list[Message]  # oldest first
    after: list[Message]  # oldest first
    more_before: bool
    more_after: bool


def message_context(principal: Principal, number: int, message_id: str, around: int) -> Context:
    """The message and up to ``around`` messages on each side: two Queries (the first
    one, newest first, starts at the message itself: it is there or the answer is 404)."""
    ticket = load_ticket(principal, number)
    tenant_id, n = principal.tenant_id, int(ticket.number)
    missing = NotFound(f"Ticket {n} has no message {message_id}.")
    if not MESSAGE_ID.match(message_id):
        raise missing
    upto = [
        m
        for m in Message.query(
            keys.ticket_pk(tenant_id, n),
            Message.SK.between(keys.messages_prefix(), keys.message_sk(message_id)),
            scan_index_forward=False,
            limit=around + 2,
        )
        if isinstance(m, Message)
    ]
    if not upto or upto[0].message_id != message_id:
        raise missing
    earlier = upto[1:]
    later = messages_page(tenant_id, n, around + 1, after=message_id)
    return Context(
        message=upto[0],
        before=list(reversed(earlier[:around])),
        after=later[:around],
        more_before=len(earlier) > around,
        more_after=len(later) > around,
    )


def older_messages(
    principal: Principal, number: int, before: str | None, limit: int
) -> tuple[list[Message], str | None]:
    """The ``limit`` messages right before ``before`` (the latest ones without it), oldest
    first, and the id to ask with for the page before them (None: nothing older)."""
    ticket = load_ticket(principal, number)
    found = messages_page(
        principal.tenant_id, int(ticket.number), limit + 1, before=before, newest_first=True
    )
    page = list(reversed(found[:limit]))
    more = len(found) > limit
    return page, (page[0].message_id if more and page else None)


# --- the client's previous tickets -----------------------------------------------------------------
def previous_tickets(principal: Principal, number: int) -> list[Ticket]:
    """The client's other tickets on this channel, newest first: the newest 50 numbers of
    the client's list in one BatchGet, then only those the caller may see."""
    ticket = load_ticket(principal, number)
    client = get_or_none(
        Client, keys.client_pk(principal.tenant_id, ticket.client_id), keys.client_sk()
    )
    if client is None:
        return []
    numbers = sorted({int(n) for n in client.tickets or []} - {int(ticket.number)}, reverse=True)
    numbers = numbers[:PREVIOUS_MAX]
    if not numbers:
        return []
    found = [
        t
        for t in Ticket.batch_get(
            [(keys.ticket_pk(principal.tenant_id, n), keys.ticket_sk()) for n in numbers]
        )
        if isinstance(t, Ticket)
    ]
    channels = agent_channels(principal) if principal.role == "agent" else None
    visible = [t for t in found if may_see(principal, t, channels)]
    return sorted(visible, key=lambda t: int(t.number), reverse=True)


# --- history -----------------------------------------------------------------------------------
def ticket_history(
    principal: Principal, number: int, limit: int, cursor: str | None
) -> tuple[list[HistoryOut], dict[str, Any] | None]:
    """Newest first: every change recorded by ``apply_change``; the last page ends with
    what happened before any change was recorded: the automatic assignment and the
    ticket's creation (actor null), synthesised from the ticket itself (so the last page
    may hold up to two entries more than ``limit``)."""
    ticket = load_ticket(principal, number)
    n = str(ticket.number)
    partition = keys.history_pk(principal.tenant_id, "ticket", n)
    entries, last = read_history(
        principal.tenant_id, "ticket", n, limit, decode_cursor(cursor, partition)
    )
    if last is None:
        entries.extend(_opening_entries(ticket))
    return entries, last


def _opening_entries(ticket: Ticket) -> list[HistoryOut]:
    opened = HistoryOut(
        actor_id=None,
        action="created",
        before=None,
        after={"status": "open", "channel_id": ticket.channel_id, "client_id": ticket.client_id},
        at=ticket.created_at,
    )
    assignment = dict(ticket.assignment or {})
    automatic: HistoryOut | None = None
    if assignment and "by" not in assignment:  # the assignment is still the automatic one
        automatic = HistoryOut(
            actor_id=None,
            action="assigned automatically",
            before={"assignee_id": None},
            after={"assignee_id": assignment.get("chosen") or ticket.assignee_id,
                   "reason": {"rule": RULE, **assignment}},
            at=ticket.created_at,
        )  # fmt: skip
    elif assignment:  # someone reassigned it since: the first assignee is in the history
        first = _first_assignee(ticket)
        if first is not None:
            automatic = HistoryOut(
                actor_id=None,
                action="assigned automatically",
                before={"assignee_id": None},
                after={"assignee_id": first, "reason": None},
                at=ticket.created_at,
            )
    return [automatic, opened] if automatic else [opened]


def _first_assignee(ticket: Ticket) -> str | None:
    """Who had the ticket before the first recorded change of assignee (only the
    automatic assignment gives a ticket its first assignee without a history entry)."""
    for entry in HistoryEntry.query(
        keys.history_pk(ticket.tenant_id, "ticket", str(ticket.number)), limit=25
    ):
        before = entry.before or {}
        if "assignee_id" in before:
            found: str | None = before["assignee_id"]
            return found
    return None


# --- escalation --------------------------------------------------------------------------------
def _emit(event: str, tenant_id: str, data: dict[str, Any]) -> None:
    from chalicelib.domain.integrations import emit

    emit(tenant_id, event, data)


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def client_name(client: Client | None, ticket: Ticket) -> str:
    if client is None:
        return ticket.client_id
    for value in (client.name, client.handle, client.email, client.phone, client.sender_id):
        if _one_line(value):
            return _one_line(value)
    return ticket.client_id


def client_messages(tenant_id: str, number: int, count: int) -> list[Message]:
    """The client's last ``count`` messages (direction ``in``), oldest first."""
    found = Message.query(
        keys.ticket_pk(tenant_id, number),
        Message.SK.between(keys.messages_prefix(), keys.MESSAGES_END),
        filter_condition=Message.direction == "in",
        scan_index_forward=False,
        limit=count,
        page_size=max(count, 100),
    )
    return list(reversed([m for m in found if isinstance(m, Message)]))


def _entries(
    messages: list[Message], zone: ZoneInfo, budget: int
) -> tuple[list[tuple[str, str, list[str]]], int]:
    """Transcript lines (time, text, attachment names), newest kept first within the
    byte budget; returns them oldest first and how many older ones were left out."""
    kept: list[tuple[str, str, list[str]]] = []
    used = 0
    for message in reversed(messages):
        text = message.text or ""
        if len(text) > TRANSCRIPT_MESSAGE_CHARACTERS:
            text = text[:TRANSCRIPT_MESSAGE_CHARACTERS] + "…"
        files = [
            _one_line(str(a.get("name") or a.get("filename") or a.get("kind") or "file"))[:120]
            for a in (message.attachments or [])
            if isinstance(a, dict)
        ]
        size = len(text.encode()) + sum(len(f) for f in files) + 40
        if kept and used + size > budget:
            break
        used += size
        at = message.sent_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        kept.append((at, text, files))
    return list(reversed(kept)), len(messages) - len(kept)


def escalation_email(principal: Principal, ticket: Ticket, to: str, note: str | None) -> Any:
    """The transcript email, rendered before the ticket changes (nothing is queued yet)."""
    from chalicelib.mail.templates import render_escalation

    tenant_id = principal.tenant_id
    tenant = get_or_none(Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk())
    client = get_or_none(Client, keys.client_pk(tenant_id, ticket.client_id), keys.client_sk())
    channel = get_or_none(Channel, keys.tenant_pk(tenant_id), keys.channel_sk(ticket.channel_id))
    user = principal.user
    sender = _one_line(f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}")
    kind = label_of(ticket.channel_type)
    values = {
        "number": int(ticket.number),
        "client": client_name(client, ticket),
        "channel": f"{_one_line(channel.name)} ({kind})" if channel else kind,
        "sender": sender or _one_line(getattr(user, "email", "")) or "Atiende",
        "company": _one_line(tenant.name) if tenant else "Atiende",
        "timezone": tenant.timezone if tenant else "UTC",
    }
    messages = client_messages(tenant_id, int(ticket.number), TRANSCRIPT_MESSAGES)
    zone = timezone_of(tenant.timezone if tenant else None)
    email = None
    for budget in TRANSCRIPT_BUDGETS:
        entries, omitted = _entries(messages, zone, budget)
        email = render_escalation(
            tenant.locale if tenant else "es", to, tenant_id=tenant_id, values=values,
            note=note, entries=entries, omitted=omitted,
            reply_to=getattr(user, "email", None),
        )  # fmt: skip
        if len(email.model_dump_json().encode()) <= SQS_MAX_BYTES:
            break
    return email


def escalate(principal: Principal, number: int, to: str, note: str | None) -> Ticket:
    """Email the client's last 100 messages to ``to``, and the ticket becomes escalated
    and read-only (a closed ticket is refused: reopen it first). The client is released,
    so their next message opens a new ticket; the assignee's load drops."""
    from chalicelib.mail import message as mail

    def check(ticket: Ticket) -> None:
        require_writable(ticket)  # merged, or escalated already: 409
        if ticket.status == "closed":
            raise Conflict(
                f"Ticket {ticket.number} is closed; reopen it to escalate it.",
                code="ticket_closed",
            )

    current = load_ticket(principal, number, consistent=True)
    check(current)
    email = escalation_email(principal, current, to, note)

    def decide(ticket: Ticket) -> Change:
        check(ticket)
        return Change(
            "escalated",
            {"status": "escalated", "escalated_to": to,
             **queue_fields(ticket, ticket.assignee_id, "escalated")},
            close_items(ticket, "escalated"),
        )  # fmt: skip

    ticket = apply_change(principal, number, decide)
    # the ticket is escalated whatever becomes of the email: tell its people now (never
    # raises), before a queue failure turns the answer into a 503
    from chalicelib.domain.notifications import notify_escalated

    notify_escalated(ticket, principal.user_id)
    try:
        mail.enqueue(email)
    except Exception as exc:
        log.exception("escalation email not queued", extra={"ticket": int(ticket.number)})
        raise Unavailable(
            f"Ticket {ticket.number} was escalated, but its transcript email could not be "
            "queued; it has been logged for an administrator.",
            code="escalation_email_not_queued",
        ) from exc
    return ticket


# --- the bot switch ---------------------------------------------------------------------------------
def set_bot(principal: Principal, number: int, enabled: bool) -> Ticket:
    """Turn the bot on or off for this ticket (history action ``bot``); the same value
    again changes nothing and records nothing. The tenant's bot is its active webhook
    subscribed to ``bot.message`` (docs/integrations.md "The bot"): turning the bot on
    without one is a 409 — the client's messages would go nowhere."""

    def decide(ticket: Ticket) -> Change | None:
        require_writable(ticket)
        if bool(ticket.bot) == enabled:
            return None
        if enabled:
            from chalicelib.domain.integrations import subscribed

            if not subscribed(principal.tenant_id, "bot.message"):
                raise Conflict(
                    "This account has no bot: add an active webhook that listens to "
                    "bot.message (see /v1/integrations), then turn the bot on.",
                    code="no_bot_integration",
                )
        return Change("bot", {"bot": enabled})

    return apply_change(principal, number, decide)
