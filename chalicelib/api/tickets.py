"""The ticket (SPEC §4): view, changes, replies, assignment, important, merge, next.

Comments, context, history, previous tickets, escalation and the bot switch are in
``api/ticket_activity.py``; columns in ``api/columns.py``; search in ``api/search.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.clock import now
from chalicelib.domain.accounts.people import find_user
from chalicelib.domain.helpdesk import tickets as domain
from chalicelib.domain.helpdesk.replies import ReplyAttachment, reply, window_closes_at
from chalicelib.domain.helpdesk.sla import time_left
from chalicelib.domain.helpdesk.tickets import apply_change, load_ticket
from chalicelib.domain.helpdesk.timeline import ticket_with_latest
from chalicelib.domain.helpdesk.visibility import may_see
from chalicelib.http.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.helpdesk import Message, Ticket

resource = Resource(__name__, "tickets")
LAST_MESSAGES = 50
Sentiment = Literal["happy", "neutral", "angry"]
WORKERS = ("admin", "supervisor", "agent", "stakeholder")  # who a ticket can be assigned to


class MessageOut(ResponseModel):
    id: str
    direction: str
    author_id: str | None
    text: str
    public: bool
    status: str | None
    status_error: str | None
    reply_to: str | None
    attachments: list[dict[str, Any]]
    sent_at: datetime
    merged_from: int | None = None


class TicketOut(ResponseModel):
    number: int
    status: str
    channel_id: str
    channel_type: str
    client_id: str
    assignee_id: str | None
    group_id: str | None
    department_id: str | None
    assignment: dict[str, Any] | None
    important: bool
    sentiment_start: str
    sentiment_end: str
    tags: list[str]
    metadata: dict[str, Any]
    bot: bool
    merged_into: int | None
    merged_from: list[int]
    escalated_to: str | None
    created_at: datetime
    last_activity_at: datetime
    last_client_message_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    reply_window_closes_at: datetime | None = Field(
        description="WhatsApp: after this only an approved template may be sent"
    )
    sla: dict[str, Any]
    sla_time_left: dict[str, int] = Field(
        description="seconds until each pending deadline (first_response, resolution), "
        "negative once overdue; a met, breached or withdrawn deadline is absent"
    )
    version: int
    messages: list[MessageOut]


def message_out(m: Message) -> MessageOut:
    return MessageOut(
        id=m.message_id, direction=m.direction, author_id=m.author_id, text=m.text,
        public=bool(m.public), status=m.status, status_error=m.status_error, reply_to=m.reply_to,
        attachments=list(m.attachments or []), sent_at=m.sent_at, merged_from=m.merged_from,
    )  # fmt: skip


def ticket_out(ticket: Ticket, messages: list[Message]) -> TicketOut:
    return TicketOut(
        number=ticket.number, status=ticket.status, channel_id=ticket.channel_id,
        channel_type=ticket.channel_type, client_id=ticket.client_id,
        assignee_id=ticket.assignee_id, group_id=ticket.group_id,
        department_id=ticket.department_id, assignment=ticket.assignment,
        important=bool(ticket.important), sentiment_start=ticket.sentiment_start,
        sentiment_end=ticket.sentiment_end, tags=list(ticket.tags or []),
        metadata=dict(ticket.metadata or {}), bot=bool(ticket.bot),
        merged_into=ticket.merged_into, merged_from=[int(n) for n in ticket.merged_from or []],  # type: ignore[call-overload]
        escalated_to=ticket.escalated_to, created_at=ticket.created_at,
        last_activity_at=ticket.last_activity_at,
        last_client_message_at=ticket.last_client_message_at,
        first_response_at=ticket.first_response_at, closed_at=ticket.closed_at,
        reply_window_closes_at=window_closes_at(ticket), sla=dict(ticket.sla or {}),
        sla_time_left=time_left(ticket.sla, status=ticket.status,
                                first_response_at=ticket.first_response_at, at=now()),
        version=int(ticket.version or 0), messages=[message_out(m) for m in messages],
    )  # fmt: skip


@resource.route(
    "/v1/tickets/{number}",
    summary="A ticket and its latest 50 messages (one Query).",
    response=TicketOut,
    action="tickets.read",
)
def get_ticket(call: Call, number: str) -> TicketOut:
    n = domain.parse_number(number)
    ticket, latest = ticket_with_latest(call.principal.tenant_id, n, LAST_MESSAGES)
    if ticket is None or not may_see(call.principal, ticket):
        raise NotFound("There is no such ticket.")  # an agent learns nothing of others' tickets
    return ticket_out(ticket, latest)


# --- changes ---------------------------------------------------------------------------------
class TicketPatch(RequestModel):
    status: Literal["open", "pending", "closed"] | None = None
    sentiment_start: Sentiment | None = None
    sentiment_end: Sentiment | None = None
    department_id: str | None = Field(None, max_length=64)
    group_id: str | None = Field(None, max_length=64)
    tags: list[str] | None = Field(None, max_length=30)
    metadata: dict[str, Any] | None = None
    important: bool | None = Field(None, description="only true; important cannot be undone")


def _check_references(call: Call, body: TicketPatch) -> dict[str, Any]:
    """Department, group and tags must be the tenant's; metadata fits its custom fields."""
    from chalicelib.domain.accounts.custom_fields import validate_values
    from chalicelib.domain.accounts.settings_items import AGENT_GROUPS, DEPARTMENTS

    tenant_id = call.principal.tenant_id
    fields: dict[str, Any] = {}
    given = body.model_fields_set
    for name, kind in (("department_id", DEPARTMENTS), ("group_id", AGENT_GROUPS)):
        if name in given:
            value = getattr(body, name)
            if value is not None and not _exists(kind, tenant_id, value):
                raise BadRequest(f"There is no such {kind.label}.", code="validation_error",
                                 details=[{"loc": ["body", name], "msg": "unknown id",
                                           "type": "unknown"}])  # fmt: skip
            fields[name] = value
    if "tags" in given and body.tags is not None:
        from chalicelib.domain.helpdesk.tags import check_tags

        tags = list(dict.fromkeys(body.tags))
        check_tags(tenant_id, tags)  # 400 naming each id that is not one of the account's tags
        fields["tags"] = tags
    if "metadata" in given and body.metadata is not None:
        fields["metadata"] = validate_values(tenant_id, "ticket", body.metadata,
                                             loc=("body", "metadata"))  # fmt: skip
    for name in ("sentiment_start", "sentiment_end"):
        if name in given and getattr(body, name) is not None:
            fields[name] = getattr(body, name)
    return fields


def _exists(kind: Any, tenant_id: str, item_id: str) -> bool:
    return item_id in kind.existing_ids(tenant_id, [item_id])


@resource.route(
    "/v1/tickets/{number}",
    "PATCH",
    summary="Change status (close, reopen, pending), sentiment, department, group, tags, metadata.",
    body=TicketPatch,
    response=TicketOut,
    action="tickets.work",
    errors=(409,),
)
def patch_ticket(call: Call, number: str) -> TicketOut:
    body: TicketPatch = call.body
    n = domain.parse_number(number)
    load_ticket(call.principal, n)  # 404 before validating references
    if "important" in body.model_fields_set and body.important is not True:
        raise Conflict("Important cannot be undone.", code="important_irreversible")
    # every reference is checked before the write, and the parts are one transaction:
    # bad input never half-writes
    fields = _check_references(call, body)
    important = "important" in body.model_fields_set
    domain.edit(call.principal, n, fields, important=important, status=body.status)
    return get_ticket(call, number)


@resource.route(
    "/v1/tickets/{number}/important",
    "POST",
    summary="Mark the ticket important (irreversible; a second call is 409).",
    response=TicketOut,
    action="tickets.work",
    errors=(409,),
)
def mark_important(call: Call, number: str) -> TicketOut:
    apply_change(call.principal, domain.parse_number(number), domain.important_change)
    return get_ticket(call, number)


class AssigneeIn(RequestModel):
    user_id: str | None = Field(None, max_length=64, description="null: unassigned")
    group_id: str | None = Field(None, max_length=64)


@resource.route(
    "/v1/tickets/{number}/assignee",
    "PUT",
    summary="Assign or transfer the ticket to a user (or nobody) and/or a group.",
    body=AssigneeIn,
    response=TicketOut,
    action="tickets.assign",
    errors=(409,),
)
def assign(call: Call, number: str) -> TicketOut:
    from chalicelib.domain.accounts.settings_items import AGENT_GROUPS

    body: AssigneeIn = call.body
    tenant_id = call.principal.tenant_id
    n = domain.parse_number(number)
    load_ticket(call.principal, n)
    if not body.model_fields_set:
        raise BadRequest("Give user_id, group_id or both.", code="validation_error")
    if "user_id" in body.model_fields_set and body.user_id is not None:
        user = find_user(tenant_id, body.user_id)
        if user is None or not user.active or user.role not in WORKERS:
            raise BadRequest(
                "Assign tickets to an active admin, supervisor, agent or stakeholder of this account.",
                code="validation_error",
                details=[{"loc": ["body", "user_id"], "msg": "not someone who works tickets",
                          "type": "assignee"}],
            )  # fmt: skip
    if body.group_id is not None and not _exists(AGENT_GROUPS, tenant_id, body.group_id):
        raise BadRequest("There is no such agent group.", code="validation_error",
                         details=[{"loc": ["body", "group_id"], "msg": "unknown id",
                                   "type": "unknown"}])  # fmt: skip
    # every reference is checked before the write, and both parts are one transaction:
    # a refused part (a read-only ticket) changes nothing
    given = body.model_fields_set
    domain.assign(call.principal, n,
                  user_id=body.user_id if "user_id" in given else domain.KEEP,
                  group_id=body.group_id if "group_id" in given else domain.KEEP)  # fmt: skip
    return _as_changed(call, n)


def _as_changed(call: Call, n: int) -> TicketOut:
    """The ticket after the caller's own assignment. An agent who transfers a ticket to
    someone else no longer sees it, but a 404 here would say the transfer failed: the
    answer to a change that was made shows the ticket as it now is."""
    ticket, latest = ticket_with_latest(call.principal.tenant_id, n, LAST_MESSAGES)
    if ticket is None:
        raise NotFound("There is no such ticket.")
    return ticket_out(ticket, latest)


@resource.route(
    "/v1/tickets/next",
    "POST",
    summary="Take the next waiting ticket (conversation_dispenser).",
    response=TicketOut,
    action="tickets.next",
    errors=(404,),
)
def next_ticket(call: Call) -> TicketOut:
    taken = domain.take_next(call.principal)
    if taken is None:
        raise NotFound("No ticket is waiting on your channels.", code="no_waiting_ticket")
    return get_ticket(call, str(taken.number))


class MergeIn(RequestModel):
    into: int = Field(ge=1, description="the open ticket that receives this one")


@resource.route(
    "/v1/tickets/{number}/merge",
    "POST",
    summary="Merge this ticket into another open one (atomic; this one becomes read-only).",
    body=MergeIn,
    response=TicketOut,
    action="tickets.work",
    errors=(409,),
)
def merge(call: Call, number: str) -> TicketOut:
    body: MergeIn = call.body
    domain.merge(call.principal, domain.parse_number(number), body.into)
    return get_ticket(call, number)


# --- replies ---------------------------------------------------------------------------------
class AttachmentIn(RequestModel):
    s3_key: str = Field(min_length=1, max_length=1024)
    content_type: str = Field(min_length=3, max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=1, le=16 * 1024 * 1024)


class TemplateIn(RequestModel):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=15)
    parameters: list[str] = Field(default_factory=list, max_length=20)


class ReplyIn(RequestModel):
    text: str = Field("", max_length=4096, description="emoji count once; /shortcut expands")
    public: bool = False
    reply_to: str | None = Field(None, max_length=80, description="a message id of this ticket")
    quick_reply: str | None = Field(None, max_length=41)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)
    template: TemplateIn | None = None


@resource.route(
    "/v1/tickets/{number}/messages",
    "POST",
    summary="Reply: stored queued, sent by the outbound worker; the answering agent takes the ticket.",
    body=ReplyIn,
    response=MessageOut,
    status=201,
    action="tickets.work",
    errors=(409,),
)
def post_reply(call: Call, number: str) -> MessageOut:
    body: ReplyIn = call.body
    if call.principal.role not in WORKERS:
        raise Forbidden("Only people who work tickets may answer.")
    message = reply(
        call.principal, domain.parse_number(number), text=body.text, public=body.public,
        reply_to=body.reply_to, quick_reply=body.quick_reply,
        attachments=[ReplyAttachment(**a.model_dump()) for a in body.attachments],
        template=body.template.model_dump() if body.template else None,
    )  # fmt: skip
    return message_out(message)
