"""Reading a ticket with its latest messages (the help desk's other routes come later)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.accounts.principal import Principal
from chalicelib.http.errors import NotFound
from chalicelib.http.routing import Call, Resource, ResponseModel
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import AgentState, Message, Ticket

resource = Resource(__name__, "tickets")
LAST_MESSAGES = 50


class MessageOut(ResponseModel):
    id: str
    direction: str
    author_id: str | None
    text: str
    public: bool
    status: str | None
    reply_to: str | None
    attachments: list[dict[str, Any]]
    sent_at: datetime


class TicketOut(ResponseModel):
    number: int
    status: str
    channel_id: str
    channel_type: str
    client_id: str
    assignee_id: str | None
    assignment: dict[str, Any] | None
    important: bool
    sentiment_start: str
    sentiment_end: str
    created_at: datetime
    last_activity_at: datetime
    messages: list[MessageOut]


def may_see(principal: Principal, ticket: Ticket) -> bool:
    """Agents see tickets assigned to them and unassigned tickets of their channels."""
    if principal.role != "agent":
        return True
    if ticket.assignee_id == principal.user_id:
        return True
    if ticket.assignee_id is None:
        state = get_or_none(
            AgentState, keys.tenant_pk(principal.tenant_id), keys.agent_state_sk(principal.user_id)
        )
        return bool(state and ticket.channel_id in (state.channels or []))
    return False


@resource.route(
    "/v1/tickets/{number}",
    summary="A ticket and its latest 50 messages.",
    response=TicketOut,
    action="tickets.read",
)
def get_ticket(call: Call, number: str) -> TicketOut:
    tenant_id = call.principal.tenant_id
    ticket = (
        get_or_none(Ticket, keys.ticket_pk(tenant_id, int(number)), keys.ticket_sk())
        if number.isdigit()
        else None
    )
    if ticket is None or not may_see(call.principal, ticket):
        raise NotFound("There is no such ticket.")  # an agent learns nothing of others' tickets
    latest = list(
        Message.timeline.query(
            keys.timeline_pk(tenant_id, ticket.number),
            scan_index_forward=False,
            limit=LAST_MESSAGES,
        )
    )
    return TicketOut(
        number=ticket.number, status=ticket.status, channel_id=ticket.channel_id,
        channel_type=ticket.channel_type, client_id=ticket.client_id, assignee_id=ticket.assignee_id,
        assignment=ticket.assignment, important=bool(ticket.important),
        sentiment_start=ticket.sentiment_start, sentiment_end=ticket.sentiment_end,
        created_at=ticket.created_at, last_activity_at=ticket.last_activity_at,
        messages=[MessageOut(id=m.message_id, direction=m.direction, author_id=m.author_id, text=m.text,
                             public=bool(m.public), status=m.status, reply_to=m.reply_to,
                             attachments=list(m.attachments or []), sent_at=m.sent_at)
                  for m in reversed(latest)],
    )  # fmt: skip
