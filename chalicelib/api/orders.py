"""Orders (docs/orders.md): made from a conversation or standalone, listed, annulled,
deleted, commented; their history. Payments are in ``api/payments.py``.

The rules (who sees which order, the state machine, the numbers) are in
``domain/orders/``; an order the caller may not see is a 404, an action the role lacks
a 403."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from chalicelib.domain.helpdesk.tickets import parse_number as ticket_number
from chalicelib.domain.orders import lists
from chalicelib.domain.orders import orders as domain
from chalicelib.domain.orders.events import payment_view
from chalicelib.domain.orders.lines import MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE
from chalicelib.http.pagination import PageQuery, encode_cursor
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store import orders as store
from chalicelib.store.order_models import Order, OrderComment, OrderHistory, Payment

resource = Resource(__name__, "orders")

Currency = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, upper case: CLP, BRL, USD...")
PaymentState = Literal["unpaid", "partially_paid", "paid", "overpaid"]


# --- shapes -----------------------------------------------------------------------------------
class LineIn(RequestModel):
    description: str | None = Field(None, min_length=1, max_length=500)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price: int | None = Field(None, ge=0, le=MAX_UNIT_PRICE,
                                   description="minor units of the order's currency")  # fmt: skip
    product_id: str | None = Field(None, min_length=1, max_length=64)


class OrderIn(RequestModel):
    currency: str = Currency
    note: str | None = Field(None, max_length=1000)
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)


class NewClientIn(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)


class StandaloneOrderIn(OrderIn):
    client_id: str | None = Field(None, pattern=r"^[0-9A-Za-z_-]{1,64}$")
    client: NewClientIn | None = None

    @model_validator(mode="after")
    def _one_client(self) -> StandaloneOrderIn:
        if (self.client_id is None) == (self.client is None):
            raise ValueError("give either client_id (an existing client) or client (a new one)")
        return self


class LineOut(ResponseModel):
    description: str
    quantity: int
    unit_price: int
    total: int
    product_id: str | None
    sku: str | None


class ClientRef(ResponseModel):
    id: str
    name: str | None


class Annulment(ResponseModel):
    reason: str
    by: str
    by_name: str | None = None
    at: datetime


class OrderSummaryOut(ResponseModel):
    number: int
    reference: str
    status: Literal["open", "annulled"]
    payment_state: PaymentState
    currency: str
    total: int
    paid: int = Field(description="reconciled money")
    pending: int = Field(description="money of pending payments (not counted as paid)")
    balance: int = Field(description="total - paid (negative when overpaid)")
    client: ClientRef
    ticket_number: int | None
    channel_id: str | None
    channel_type: str | None
    agent_id: str = Field(description="who made it")
    agent_name: str | None = Field(description="their name when they made it")
    standalone: bool
    created_at: datetime
    updated_at: datetime
    annulment: Annulment | None
    payments_count: int
    version: int


class PaymentOut(ResponseModel):
    id: str
    order_number: int
    amount: int
    currency: str
    method: str
    reference: str | None
    paid_on: date
    proof: dict[str, str] | None = Field(description="{name, content_type}")
    status: Literal["pending", "reconciled", "rejected"]
    rejection_reason: str | None
    recorded_by: str
    recorded_by_name: str | None = Field(description="their name when they recorded it")
    recorded_at: datetime
    settled_by: str | None
    settled_by_name: str | None = Field(description="their name when they settled it")
    settled_at: datetime | None


class OrderOut(OrderSummaryOut):
    note: str | None
    lines: list[LineOut]
    payments: list[PaymentOut]


class OrderPage(ResponseModel):
    items: list[OrderSummaryOut]
    next_cursor: str | None


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(**payment_view(payment))


def order_out(order: Order, payments: list[Payment]) -> OrderOut:
    return OrderOut(
        **domain.summary(order),
        note=order.note,
        lines=[LineOut(**line) for line in order.lines or []],
        payments=[payment_out(p) for p in payments],
    )


def fresh(order: Order) -> OrderOut:
    """The order as just written, with its payments (one strongly consistent Query)."""
    found, payments = store.order_with_payments(order.tenant_id, int(order.number), True)
    return order_out(found or order, payments)


def page_out(found: tuple[list[dict[str, Any]], str | None]) -> OrderPage:
    items, cursor = found
    return OrderPage(items=[OrderSummaryOut(**item) for item in items], next_cursor=cursor)


# --- making orders ----------------------------------------------------------------------------
@resource.route(
    "/v1/tickets/{number}/orders", "POST",
    summary="Make an order from a conversation: the ticket's client, channel and ticket linked.",
    body=OrderIn, response=OrderOut, status=201, action="orders.create", errors=(409,),
)  # fmt: skip
def create_from_ticket(call: Call, number: str) -> OrderOut:
    body: OrderIn = call.body
    draft = body.model_dump(exclude_none=False)
    order = domain.create_from_ticket(call.principal, ticket_number(number), draft)
    return order_out(order, [])


@resource.route(
    "/v1/orders", "POST",
    summary="Make a standalone order, for an existing client (client_id) or a new one (client).",
    body=StandaloneOrderIn, response=OrderOut, status=201, action="orders.standalone",
    errors=(409,),
)  # fmt: skip
def create_standalone(call: Call) -> OrderOut:
    body: StandaloneOrderIn = call.body
    draft = body.model_dump(exclude={"client_id", "client"})
    new_client = body.client.model_dump() if body.client else None
    order = domain.create_standalone(call.principal, draft, body.client_id, new_client)
    return order_out(order, [])


# --- lists ------------------------------------------------------------------------------------
class OrderQuery(PageQuery):
    status: Literal["open", "annulled"] | None = None
    payment_state: PaymentState | None = None
    agent: str | None = Field(None, pattern=r"^[0-9a-z]{26}$", description="who made it")
    channel: str | None = Field(None, min_length=1, max_length=64)
    client: str | None = Field(None, pattern=r"^[0-9A-Za-z_-]{1,64}$")
    from_: date | None = Field(None, alias="from", description="first day, tenant's timezone")
    to: date | None = Field(None, description="last day (inclusive), tenant's timezone")


@resource.route(
    "/v1/orders",
    summary="Orders, newest first, by status, payment state, agent, channel, client and dates "
    "(agents: the orders they made).",
    query=OrderQuery, response=OrderPage, action="orders.read",
)  # fmt: skip
def list_orders(call: Call) -> OrderPage:
    q: OrderQuery = call.query
    filters = {"status": q.status, "payment_state": q.payment_state, "agent": q.agent,
               "channel": q.channel, "client": q.client, "since": q.from_, "until": q.to}  # fmt: skip
    return page_out(lists.list_orders(call.principal, filters, q.limit, q.cursor))


@resource.route(
    "/v1/tickets/{number}/orders",
    summary="A ticket's orders, newest first.",
    query=PageQuery, response=OrderPage, action="orders.read",
)  # fmt: skip
def ticket_orders(call: Call, number: str) -> OrderPage:
    q: PageQuery = call.query
    return page_out(lists.ticket_orders(call.principal, ticket_number(number), q.limit, q.cursor))


@resource.route(
    "/v1/clients/{client_id}/orders",
    summary="A client's orders, newest first.",
    query=PageQuery, response=OrderPage, action="orders.read",
)  # fmt: skip
def client_orders(call: Call, client_id: str) -> OrderPage:
    q: PageQuery = call.query
    return page_out(lists.client_orders(call.principal, client_id, q.limit, q.cursor))


# --- one order --------------------------------------------------------------------------------
@resource.route(
    "/v1/orders/{number}",
    summary="An order with its payments (one Query); {number} is 123 or ORD-000123.",
    response=OrderOut, action="orders.read",
)  # fmt: skip
def get_order(call: Call, number: str) -> OrderOut:
    return order_out(*domain.load_with_payments(call.principal, number))


@resource.route(
    "/v1/orders/{number}", "DELETE",
    summary="Delete an order that never had a payment (else 409: annul it instead).",
    action="orders.manage", status=204, errors=(409,),
)  # fmt: skip
def delete_order(call: Call, number: str) -> None:
    domain.delete(call.principal, number)


class AnnulIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


@resource.route(
    "/v1/orders/{number}/annul", "POST",
    summary="Annul an open order (it takes no new payment); the reason is kept.",
    body=AnnulIn, response=OrderOut, action="orders.manage", errors=(409,),
)  # fmt: skip
def annul_order(call: Call, number: str) -> OrderOut:
    body: AnnulIn = call.body
    return fresh(domain.annul(call.principal, number, body.reason))


# --- comments and history ---------------------------------------------------------------------
class CommentIn(RequestModel):
    text: str = Field(min_length=1, max_length=4000)


class CommentOut(ResponseModel):
    id: str
    order_number: int
    author_id: str
    author_name: str | None
    text: str
    created_at: datetime


class CommentPage(ResponseModel):
    items: list[CommentOut]
    next_cursor: str | None


def comment_out(comment: OrderComment) -> CommentOut:
    return CommentOut(id=comment.comment_id, order_number=int(comment.order_number),
                      author_id=comment.author_id, author_name=comment.author_name,
                      text=comment.text,
                      created_at=comment.created_at)  # fmt: skip


@resource.route(
    "/v1/orders/{number}/comments", "POST",
    summary="Comment on an order (never edited nor deleted).",
    body=CommentIn, response=CommentOut, status=201, action="orders.comment",
)  # fmt: skip
def add_comment(call: Call, number: str) -> CommentOut:
    from chalicelib.domain.orders.activity import add_comment as add

    body: CommentIn = call.body
    return comment_out(add(call.principal, number, body.text))


@resource.route(
    "/v1/orders/{number}/comments",
    summary="An order's comments, oldest first.",
    query=PageQuery, response=CommentPage, action="orders.read",
)  # fmt: skip
def list_comments(call: Call, number: str) -> CommentPage:
    from chalicelib.domain.orders.activity import comments_page

    q: PageQuery = call.query
    found, last = comments_page(call.principal, number, q.limit, q.cursor)
    return CommentPage(items=[comment_out(c) for c in found], next_cursor=encode_cursor(last))


class HistoryOut(ResponseModel):
    id: str
    at: datetime
    actor_id: str
    actor_name: str | None = Field(description="their name when they did it")
    what: str
    payment_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class HistoryPage(ResponseModel):
    items: list[HistoryOut]
    next_cursor: str | None


def history_out(entry: OrderHistory) -> HistoryOut:
    return HistoryOut(id=entry.entry_id, at=entry.at, actor_id=entry.actor_id,
                      actor_name=entry.actor_name, what=entry.what,
                      payment_id=entry.payment_id, before=entry.before,
                      after=entry.after)  # fmt: skip


@resource.route(
    "/v1/orders/{number}/history",
    summary="An order's history, newest first: who, what, before, after, when.",
    query=PageQuery, response=HistoryPage, action="orders.read",
)  # fmt: skip
def order_history(call: Call, number: str) -> HistoryPage:
    from chalicelib.domain.orders.activity import history_page

    q: PageQuery = call.query
    found, last = history_page(call.principal, number, q.limit, q.cursor)
    return HistoryPage(items=[history_out(e) for e in found], next_cursor=encode_cursor(last))
