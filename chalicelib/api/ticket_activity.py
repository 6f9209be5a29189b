"""Around a ticket (SPEC §4): comments, a message's context, older messages, the client's
previous tickets, history, escalation and the bot switch. The rules are in
``domain/helpdesk/activity.py``; docs/helpdesk.md "Ticket activity" describes them.

Reading needs ``tickets.read``, writing ``tickets.work``; an agent reaches only the
tickets they see (404 otherwise, as for a ticket of another tenant).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import EmailStr, Field, StrictBool

from chalicelib.api.settings_crud import HistoryPage
from chalicelib.api.tickets import MessageOut, message_out
from chalicelib.domain.helpdesk import activity
from chalicelib.domain.helpdesk.tickets import parse_number
from chalicelib.http.errors import MethodNotAllowed
from chalicelib.http.pagination import PageQuery, encode_cursor
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.helpdesk import Comment, Ticket

resource = Resource(__name__, "ticket_activity")

UserId = Annotated[str, Field(pattern=r"^[0-9a-z]{26}$", description="a user id")]
MessageId = Annotated[str, Field(pattern=activity.MESSAGE_ID.pattern, max_length=80)]


# --- comments ----------------------------------------------------------------------------------
class CommentIn(RequestModel):
    text: str = Field(min_length=1, max_length=activity.COMMENT_MAX)
    reply_to: str | None = Field(
        None, max_length=40, description="the id of a comment of the same ticket"
    )
    mentions: list[UserId] = Field(
        default_factory=list,
        max_length=activity.MENTIONS_MAX,
        description="ids of users of the account (notified in a later version)",
    )


class CommentOut(ResponseModel):
    id: str
    ticket_number: int
    author_id: str
    text: str
    reply_to: str | None
    mentions: list[str]
    created_at: datetime


class CommentPage(ResponseModel):
    items: list[CommentOut]
    next_cursor: str | None


def comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.comment_id, ticket_number=int(comment.ticket_number),
        author_id=comment.author_id, text=comment.text, reply_to=comment.reply_to,
        mentions=list(comment.mentions or []), created_at=comment.created_at,
    )  # fmt: skip


@resource.route(
    "/v1/tickets/{number}/comments",
    "POST",
    summary="Add an internal comment (never edited nor deleted); not on merged or escalated tickets.",
    body=CommentIn,
    response=CommentOut,
    status=201,
    action="tickets.work",
    errors=(409,),
)
def add_comment(call: Call, number: str) -> CommentOut:
    body: CommentIn = call.body
    comment = activity.add_comment(
        call.principal, parse_number(number), body.text, body.reply_to, body.mentions
    )
    return comment_out(comment)


@resource.route(
    "/v1/tickets/{number}/comments",
    summary="The ticket's comments, oldest first; a reply names the comment it answers.",
    query=PageQuery,
    response=CommentPage,
    action="tickets.read",
)
def list_comments(call: Call, number: str) -> CommentPage:
    query: PageQuery = call.query
    found, last = activity.comments_page(
        call.principal, parse_number(number), query.limit, query.cursor
    )
    return CommentPage(items=[comment_out(c) for c in found], next_cursor=encode_cursor(last))


@resource.route(
    "/v1/tickets/{number}/comments/{comment_id}",
    summary="One comment.",
    response=CommentOut,
    action="tickets.read",
)
def get_comment(call: Call, number: str, comment_id: str) -> CommentOut:
    return comment_out(activity.get_comment(call.principal, parse_number(number), comment_id))


def never_changed(call: Call, number: str, comment_id: str) -> None:
    activity.get_comment(call.principal, parse_number(number), comment_id)  # 404 first
    raise MethodNotAllowed(
        "Comments are never edited nor deleted; add a new comment (it may reply to this one).",
        code="comment_immutable",
        headers={"Allow": "GET"},
    )


for _method in ("PATCH", "PUT", "DELETE"):

    def _refuse(call: Call, number: str, comment_id: str) -> None:
        never_changed(call, number, comment_id)

    _refuse.__name__ = f"{_method.lower()}_comment"
    resource.route(
        "/v1/tickets/{number}/comments/{comment_id}",
        _method,
        summary="Always 405: comments are never edited nor deleted.",
        status=405,
        action="tickets.work",
    )(_refuse)


# --- messages ------------------------------------------------------------------------------
class ContextQuery(RequestModel):
    around: int = Field(10, ge=1, le=activity.CONTEXT_MAX)


class MessageContextOut(ResponseModel):
    message: MessageOut
    before: list[MessageOut] = Field(description="oldest first, up to `around`")
    after: list[MessageOut] = Field(description="oldest first, up to `around`")
    more_before: bool
    more_after: bool


@resource.route(
    "/v1/tickets/{number}/messages/{message_id}/context",
    summary="A message with up to `around` messages before and after it (two Queries).",
    query=ContextQuery,
    response=MessageContextOut,
    action="tickets.read",
)
def message_context(call: Call, number: str, message_id: str) -> MessageContextOut:
    query: ContextQuery = call.query
    found = activity.message_context(call.principal, parse_number(number), message_id, query.around)
    return MessageContextOut(
        message=message_out(found.message),
        before=[message_out(m) for m in found.before],
        after=[message_out(m) for m in found.after],
        more_before=found.more_before,
        more_after=found.more_after,
    )


class MessagesQuery(RequestModel):
    before: MessageId | None = Field(
        None, description="a message id: the page ends right before it (default: the latest)"
    )
    limit: int = Field(50, ge=1, le=100)


class MessagePage(ResponseModel):
    items: list[MessageOut] = Field(description="oldest first")
    next_before: str | None = Field(description="ask with before=this for the older page")


@resource.route(
    "/v1/tickets/{number}/messages",
    summary="Scroll back: the messages before a given one (newest page first, each oldest first).",
    query=MessagesQuery,
    response=MessagePage,
    action="tickets.read",
)
def list_messages(call: Call, number: str) -> MessagePage:
    query: MessagesQuery = call.query
    page, next_before = activity.older_messages(
        call.principal, parse_number(number), query.before, query.limit
    )
    return MessagePage(items=[message_out(m) for m in page], next_before=next_before)


# --- previous tickets and history ----------------------------------------------------------
class PreviousTicketOut(ResponseModel):
    number: int
    status: str
    created_at: datetime
    last_activity_at: datetime
    last_message: dict[str, Any] | None


class PreviousTickets(ResponseModel):
    items: list[PreviousTicketOut]


@resource.route(
    "/v1/tickets/{number}/previous",
    summary="The client's other tickets (this channel), newest first, at most 50.",
    response=PreviousTickets,
    action="tickets.read",
)
def previous(call: Call, number: str) -> PreviousTickets:
    found = activity.previous_tickets(call.principal, parse_number(number))
    return PreviousTickets(
        items=[
            PreviousTicketOut(
                number=int(t.number),
                status=t.status,
                created_at=t.created_at,
                last_activity_at=t.last_activity_at,
                last_message=t.last_message,
            )
            for t in found
        ]
    )


@resource.route(
    "/v1/tickets/{number}/history",
    summary="Every change of the ticket, newest first: who, what, before, after, when.",
    query=PageQuery,
    response=HistoryPage,
    action="tickets.read",
)
def history(call: Call, number: str) -> HistoryPage:
    query: PageQuery = call.query
    entries, last = activity.ticket_history(
        call.principal, parse_number(number), query.limit, query.cursor
    )
    return HistoryPage(items=entries, next_cursor=encode_cursor(last))


# --- escalation and the bot ------------------------------------------------------------------
class EscalateIn(RequestModel):
    email: EmailStr = Field(description="the outside person who receives the transcript")
    note: str | None = Field(None, max_length=activity.NOTE_MAX, description="shown on top")


class TicketStateOut(ResponseModel):
    number: int
    status: str
    escalated_to: str | None
    bot: bool
    version: int


def state_out(ticket: Ticket) -> TicketStateOut:
    return TicketStateOut(
        number=int(ticket.number), status=ticket.status, escalated_to=ticket.escalated_to,
        bot=bool(ticket.bot), version=int(ticket.version or 0),
    )  # fmt: skip


@resource.route(
    "/v1/tickets/{number}/escalate",
    "POST",
    summary="Email the client's last 100 messages to an outside person; the ticket becomes "
    "escalated and read-only.",
    body=EscalateIn,
    response=TicketStateOut,
    action="tickets.work",
    errors=(409,),
)
def escalate(call: Call, number: str) -> TicketStateOut:
    body: EscalateIn = call.body
    ticket = activity.escalate(call.principal, parse_number(number), str(body.email), body.note)
    return state_out(ticket)


class BotIn(RequestModel):
    enabled: StrictBool


@resource.route(
    "/v1/tickets/{number}/bot",
    "PUT",
    summary="Turn the bot on or off for this ticket.",
    body=BotIn,
    response=TicketStateOut,
    action="tickets.work",
    errors=(409,),
)
def set_bot(call: Call, number: str) -> TicketStateOut:
    body: BotIn = call.body
    return state_out(activity.set_bot(call.principal, parse_number(number), body.enabled))
