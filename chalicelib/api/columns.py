"""Columns (SPEC §4): a user's own board of ticket views, and the pages of each column."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.domain.helpdesk.columns import (
    MAX_COLUMNS,
    ColumnFilters,
    ColumnToggles,
    ColumnView,
    column_page,
    create_column,
    delete_column,
    get_column,
    list_columns,
    reorder,
    update_column,
)
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.helpdesk import Ticket

resource = Resource(__name__, "columns")

Kind = Literal["tickets", "messages"]


class ColumnIn(RequestModel):
    name: str = Field(min_length=1, max_length=60)
    kind: Kind = "tickets"
    filters: ColumnFilters = Field(default_factory=ColumnFilters)
    toggles: ColumnToggles = Field(default_factory=ColumnToggles)


class ColumnPatch(RequestModel):
    """Each given filter or toggle replaces that one; the others stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=60)
    kind: Kind | None = None
    filters: ColumnFilters | None = None
    toggles: ColumnToggles | None = None


class OrderIn(RequestModel):
    ids: list[str] = Field(max_length=MAX_COLUMNS)


class ColumnOut(ResponseModel):
    id: str
    name: str
    kind: Kind
    filters: ColumnFilters
    toggles: ColumnToggles
    position: int
    created_at: datetime
    updated_at: datetime


class ColumnList(ResponseModel):
    items: list[ColumnOut]


class ItemsQuery(RequestModel):
    limit: int = Field(25, ge=1, le=50)
    cursor: str | None = Field(None, max_length=8192)


class LastMessage(ResponseModel):
    text: str
    direction: str
    at: datetime


class TicketCard(ResponseModel):
    """A ticket as a ``tickets`` column shows it."""

    number: int
    status: str
    channel_type: str
    channel_id: str
    client_id: str
    assignee_id: str | None
    important: bool
    sentiment_end: str
    tags: list[str]
    last_activity_at: datetime
    last_message: LastMessage | None
    sla: dict[str, Any]


class MessageCard(ResponseModel):
    """A ``messages`` column: each ticket as its latest message (the preview the ticket
    keeps, up to 100 characters), with the ticket's number and client."""

    number: int
    client_id: str
    channel_type: str
    channel_id: str
    status: str
    assignee_id: str | None
    text: str
    direction: str | None
    at: datetime


class ColumnItems(ResponseModel):
    kind: Kind
    items: list[TicketCard | MessageCard]
    next_cursor: str | None


def column_out(view: ColumnView) -> ColumnOut:
    column = view.column
    return ColumnOut(
        id=column.column_id,
        name=column.name,
        kind=column.column_kind,
        filters=ColumnFilters.model_validate(column.filters),
        toggles=ColumnToggles.model_validate(column.toggles),
        position=view.position,
        created_at=column.created_at,
        updated_at=column.updated_at,
    )


def _preview(ticket: Ticket) -> LastMessage | None:
    last = ticket.last_message
    if not last:
        return None
    return LastMessage(
        text=last.get("text", ""),
        direction=last.get("direction", "in"),
        at=last.get("at") or ticket.last_activity_at,
    )


def ticket_card(ticket: Ticket) -> TicketCard:
    return TicketCard(
        number=ticket.number, status=ticket.status, channel_type=ticket.channel_type,
        channel_id=ticket.channel_id, client_id=ticket.client_id, assignee_id=ticket.assignee_id,
        important=bool(ticket.important), sentiment_end=ticket.sentiment_end,
        tags=list(ticket.tags or []), last_activity_at=ticket.last_activity_at,
        last_message=_preview(ticket), sla=dict(ticket.sla or {}),
    )  # fmt: skip


def message_card(ticket: Ticket) -> MessageCard:
    last = _preview(ticket)
    return MessageCard(
        number=ticket.number, client_id=ticket.client_id, channel_type=ticket.channel_type,
        channel_id=ticket.channel_id, status=ticket.status, assignee_id=ticket.assignee_id,
        text=last.text if last else "", direction=last.direction if last else None,
        at=last.at if last else ticket.last_activity_at,
    )  # fmt: skip


@resource.route(
    "/v1/columns", summary="The caller's columns, in board order.", response=ColumnList,
    action="tickets.read",
)  # fmt: skip
def list_(call: Call) -> ColumnList:
    return ColumnList(items=[column_out(v) for v in list_columns(call.principal)])


@resource.route(
    "/v1/columns", "POST", summary="Add a column at the end of the caller's board.",
    body=ColumnIn, response=ColumnOut, status=201, action="columns.manage", errors=(409,),
)  # fmt: skip
def create(call: Call) -> ColumnOut:
    body: ColumnIn = call.body
    return column_out(
        create_column(call.principal, body.name, body.kind, body.filters, body.toggles)
    )


@resource.route(
    "/v1/columns/order", "PUT", summary="Reorder the caller's columns (every id, once).",
    body=OrderIn, response=ColumnList, action="columns.manage",
)  # fmt: skip
def put_order(call: Call) -> ColumnList:
    return ColumnList(items=[column_out(v) for v in reorder(call.principal, call.body.ids)])


@resource.route(
    "/v1/columns/{column_id}", summary="One of the caller's columns.", response=ColumnOut,
    action="tickets.read",
)  # fmt: skip
def get(call: Call, column_id: str) -> ColumnOut:
    return column_out(get_column(call.principal, column_id))


@resource.route(
    "/v1/columns/{column_id}", "PATCH", summary="Rename, refilter or restyle a column.",
    body=ColumnPatch, response=ColumnOut, action="columns.manage",
)  # fmt: skip
def patch(call: Call, column_id: str) -> ColumnOut:
    body: ColumnPatch = call.body
    changes: dict[str, Any] = {}
    for name in ("name", "kind"):
        value = getattr(body, name)
        if value is not None:
            changes[name] = value
    for name in ("filters", "toggles"):
        value = getattr(body, name)
        if value is not None:
            changes[name] = value.model_dump(mode="json", exclude_unset=True)
    return column_out(update_column(call.principal, column_id, changes))


@resource.route(
    "/v1/columns/{column_id}", "DELETE", summary="Remove a column from the caller's board.",
    status=204, action="columns.manage",
)  # fmt: skip
def delete(call: Call, column_id: str) -> None:
    delete_column(call.principal, column_id)


@resource.route(
    "/v1/columns/{column_id}/items",
    summary="One page of a column: tickets (or their latest messages), newest activity first.",
    query=ItemsQuery, response=ColumnItems, action="tickets.read",
)  # fmt: skip
def items(call: Call, column_id: str) -> ColumnItems:
    page = column_page(call.principal, column_id, call.query.limit, call.query.cursor)
    render = message_card if page.column.column_kind == "messages" else ticket_card
    return ColumnItems(
        kind=page.column.column_kind,
        items=[render(t) for t in page.tickets],
        next_cursor=page.next_cursor,
    )
