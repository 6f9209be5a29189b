"""Orders (docs/orders.md): made from a conversation or standalone, numbered without gaps,
annulled or deleted; who sees which; the history every change writes.

An order the caller may not see is a 404, as one of another tenant. Each change reads the
order strongly, decides, and writes in one transaction conditioned on the version it
read; a lost race is read again and decided again (``ATTEMPTS`` times, then 409).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.clock import iso, now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, Forbidden, Invalid, NotFound
from chalicelib.domain.helpdesk.visibility import may_see
from chalicelib.domain.orders.lines import priced_lines
from chalicelib.domain.orders.money import check_currency, payment_state
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store import orders as store
from chalicelib.store.base import LostRace
from chalicelib.store.helpdesk import Client
from chalicelib.store.order_models import Order, OrderHistory, Payment
from chalicelib.store.search import get_ticket

ATTEMPTS = 3
NUMBER_ATTEMPTS = 8  # a busy tenant's creations race for the counter
REFERENCE = re.compile(r"(?:ORD-)?(\d{1,10})")
#: who reaches every order of the tenant
EVERY_ORDER = frozenset({"admin", "supervisor", "orders_admin"})


def reference(number: int | float) -> str:
    """The order's reference as people say it: ``ORD-000123``."""
    return f"ORD-{int(number):06d}"


def parse_number(text: str) -> int:
    """An order number from a route: ``123`` or ``ORD-000123``; 404 for anything else."""
    found = REFERENCE.fullmatch(text or "")
    if found is None or int(found.group(1)) < 1:
        raise NotFound("There is no such order.")
    return int(found.group(1))


# --- what an order shows ----------------------------------------------------------------------
def summary(order: Order) -> dict[str, Any]:
    """The order as lists show it (docs/orders.md OrderSummary), JSON-ready."""
    total, paid = int(order.total), int(order.paid)
    return {
        "number": int(order.number), "reference": reference(order.number),
        "status": order.status, "payment_state": order.payment_state,
        "currency": order.currency, "total": total, "paid": paid,
        "pending": int(order.pending), "balance": total - paid,
        "client": {"id": order.client_id, "name": order.client_name},
        "ticket_number": None if order.ticket_number is None else int(order.ticket_number),
        "channel_id": order.channel_id, "channel_type": order.channel_type,
        "agent_id": order.agent_id, "agent_name": order.agent_name,
        "standalone": bool(order.standalone),
        "created_at": iso(order.created_at), "updated_at": iso(order.updated_at),
        "annulment": order.annulment, "payments_count": int(order.payments_count),
        "version": int(order.version),
    }  # fmt: skip


def state_of(order: Order) -> dict[str, Any]:
    """What history compares of an order."""
    return {"status": order.status, "payment_state": order.payment_state,
            "paid": int(order.paid), "pending": int(order.pending)}  # fmt: skip


def person_name(principal: Principal) -> str:
    """How an order names whoever made, recorded or settled something: kept with it, so
    roles that may not list the team (orders admins) still read who it was."""
    user = principal.user
    name = f"{getattr(user, 'first_name', '') or ''} {getattr(user, 'last_name', '') or ''}"
    return name.strip() or str(getattr(user, "email", "") or principal.user_id)


def history_entry(
    order: Order, actor: Principal, what: str, at: datetime, *,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
    payment_id: str | None = None,
) -> OrderHistory:  # fmt: skip
    """A history entry of ``order`` (the store writes it with the change)."""
    entry_id = new_id()
    # a comment does not move the version: it sorts after the change of that version
    sequence = f"{int(order.version):010d}" + ("c" if what == "order.commented" else "")
    return OrderHistory(
        keys.order_pk(order.tenant_id, order.number),
        keys.order_history_sk(iso(at), sequence, entry_id),
        tenant_id=order.tenant_id, entry_id=entry_id, order_number=int(order.number), at=at,
        actor_id=actor.user_id, actor_name=person_name(actor), what=what, payment_id=payment_id, before=before, after=after,
    )  # fmt: skip


# --- who sees and manages which ---------------------------------------------------------------
def visible(principal: Principal, order: Order) -> bool:
    """Admins, supervisors and orders admins see every order; an agent the orders of the
    tickets they see and the ones they made; a stakeholder the orders of every
    conversation and the ones they made."""
    if order.tenant_id != principal.tenant_id:
        return False
    if principal.role in EVERY_ORDER:
        return True
    if order.agent_id == principal.user_id:
        return True
    if principal.role == "stakeholder":
        return order.ticket_number is not None
    if principal.role == "agent" and order.ticket_number is not None:
        ticket = get_ticket(principal.tenant_id, int(order.ticket_number))
        return ticket is not None and may_see(principal, ticket)
    return False


def require_manager(principal: Principal, order: Order) -> None:
    """``orders.manage`` on this order: admins and supervisors with orders_payments_admin
    on every order; whoever holds only standalone_orders on the standalone orders they
    made (403 otherwise)."""
    if principal.role == "admin":
        return
    if principal.role == "supervisor" and "orders_payments_admin" in principal.permissions:
        return
    if not (order.standalone and order.agent_id == principal.user_id):
        raise Forbidden(
            "With the standalone_orders permission you may annul or delete only the "
            "standalone orders you made.",
            code="forbidden",
        )


def load_order(principal: Principal, number: int | str, consistent: bool = False) -> Order:
    """The order if the caller may see it; 404 otherwise."""
    n = parse_number(str(number))
    order = store.get_order(principal.tenant_id, n, consistent)
    if order is None or not visible(principal, order):
        raise NotFound("There is no such order.")
    return order


def load_with_payments(principal: Principal, number: int | str) -> tuple[Order, list[Payment]]:
    """The order and its payments (one Query) if the caller may see it; 404 otherwise."""
    n = parse_number(str(number))
    order, payments = store.order_with_payments(principal.tenant_id, n)
    if order is None or not visible(principal, order):
        raise NotFound("There is no such order.")
    return order, payments


# --- a new order ------------------------------------------------------------------------------
def create_from_ticket(principal: Principal, ticket_number: int, draft: dict[str, Any]) -> Order:
    """An order for the ticket's client, linked to the ticket and its channel."""
    from chalicelib.domain.helpdesk.tickets import load_ticket, require_writable
    from chalicelib.store.search import get_client

    ticket = load_ticket(principal, ticket_number)
    require_writable(ticket)
    client = get_client(principal.tenant_id, ticket.client_id)
    return _create(principal, draft, client_id=ticket.client_id,
                   client_name=client.name if client else None,
                   ticket=(int(ticket.number), ticket.channel_id, ticket.channel_type))  # fmt: skip


def create_standalone(
    principal: Principal, draft: dict[str, Any], client_id: str | None,
    new_client: dict[str, Any] | None,
) -> Order:  # fmt: skip
    """An order without a conversation, for an existing client or a new one (the client
    is written in the order's transaction: a refused order leaves no client behind)."""
    from chalicelib.domain.helpdesk.clients import load_client

    if client_id is not None:
        try:
            client = load_client(principal, client_id)
        except NotFound as exc:  # a reference in the body, not the route's own item
            raise Invalid(
                "There is no such client: give the id of a client of this account, or a new "
                "client.",
                code="validation_error",
                details=[{"loc": ["body", "client_id"], "msg": "no such client",
                          "type": "unknown_client"}],
            ) from exc  # fmt: skip
        return _create(principal, draft, client_id=client.client_id, client_name=client.name)
    made = _new_client(principal, new_client or {})
    return _create(principal, draft, client_id=made.client_id, client_name=made.name,
                   new_client=made)  # fmt: skip


def _new_client(principal: Principal, fields: dict[str, Any]) -> Client:
    from chalicelib.domain.helpdesk.clients import normalize

    clean = normalize({k: v for k, v in fields.items() if k in ("email", "phone") and v})
    client_id = new_id()
    return Client(
        keys.client_pk(principal.tenant_id, client_id), keys.client_sk(),
        tenant_id=principal.tenant_id, client_id=client_id, channel_id="orders",
        channel_type="orders", sender_id=client_id, name=fields["name"],
        email=clean.get("email"), phone=clean.get("phone"), created_at=now(),
    )  # fmt: skip


def _create(
    principal: Principal, draft: dict[str, Any], *, client_id: str, client_name: str | None,
    ticket: tuple[int, str, str] | None = None, new_client: Client | None = None,
) -> Order:  # fmt: skip
    tenant_id = principal.tenant_id
    currency = check_currency(draft["currency"])
    lines = priced_lines(tenant_id, currency, draft["lines"])
    total = sum(line["total"] for line in lines)
    for _ in range(NUMBER_ATTEMPTS):
        last = store.counter_last(tenant_id)
        number = (last or 0) + 1
        at = now()
        order = Order(
            keys.order_pk(tenant_id, number), keys.order_sk(), tenant_id=tenant_id,
            number=number, status="open", payment_state=payment_state(total, 0),
            currency=currency, note=draft.get("note"), lines=lines, total=total, paid=0,
            pending=0, client_id=client_id, client_name=client_name,
            ticket_number=ticket[0] if ticket else None,
            channel_id=ticket[1] if ticket else None, channel_type=ticket[2] if ticket else None,
            agent_id=principal.user_id, agent_name=person_name(principal),
            standalone=ticket is None, created_at=at,
            updated_at=at, annulment=None, payments_count=0, version=1,
        )  # fmt: skip
        history = history_entry(order, principal, "order.created", at,
                                after={**state_of(order), "total": total})  # fmt: skip
        listings = store.listing_items(order, summary(order))
        if store.create(order, listings, history, last=last, new_client=new_client):
            return order
    raise Conflict("Many orders are being made right now; try again.", code="order_busy")


# --- changes ----------------------------------------------------------------------------------
def copy(order: Order) -> Order:
    return Order.from_raw_data(order.serialize())


def change(
    principal: Principal,
    number: int | str,
    decide: Callable[[Order], tuple[OrderHistory, Payment | None, str | None]],
) -> Order:
    """Apply ``decide`` to a fresh copy of the order (it changes the copy and returns the
    history entry and, for a payment, the payment and the status it moves from) and
    write it on condition nobody changed the order meanwhile; retried on a lost race."""
    for _ in range(ATTEMPTS):
        before = load_order(principal, number, consistent=True)
        after = copy(before)
        after.version = int(before.version) + 1
        history, payment, payment_was = decide(after)
        after.updated_at = history.at
        try:
            store.commit(
                after, int(before.version),
                store.listing_items(before, {}), store.listing_items(after, summary(after)),
                history, payment=payment, payment_was=payment_was,
            )  # fmt: skip
        except LostRace:
            continue
        return after
    raise Conflict("The order changed meanwhile; try again.", code="order_changed")


def annul(principal: Principal, number: int | str, reason: str) -> Order:
    """An open order annulled: it takes no new payment (409 when already annulled)."""

    def decide(order: Order) -> tuple[OrderHistory, None, None]:
        require_manager(principal, order)
        if order.status == "annulled":
            raise Conflict(f"Order {reference(order.number)} is already annulled.",
                           code="order_annulled")  # fmt: skip
        at = now()
        before = state_of(order)
        order.status = "annulled"
        order.annulment = {"reason": reason, "by": principal.user_id,
                           "by_name": person_name(principal), "at": iso(at)}  # fmt: skip
        return history_entry(order, principal, "order.annulled", at, before=before,
                             after={**state_of(order), "reason": reason}), None, None  # fmt: skip

    return change(principal, number, decide)


def delete(principal: Principal, number: int | str) -> None:
    """Delete an order that never had a payment (409 otherwise: annul it instead)."""
    for _ in range(ATTEMPTS):
        order = load_order(principal, number, consistent=True)
        require_manager(principal, order)
        if int(order.payments_count):
            raise Conflict(
                f"Order {reference(order.number)} has payments and cannot be deleted; annul it instead.",
                code="order_has_payments",
            )  # fmt: skip
        try:
            store.delete(order, int(order.version), store.listing_items(order, {}))
        except LostRace:
            continue
        store.sweep(order.tenant_id, int(order.number))
        return
    raise Conflict("The order changed meanwhile; try again.", code="order_changed")
