"""Orders in the table: the writes where two writers meet, each with the condition that
settles it, and the reads of an order's partition and of its lists.

A new order claims the tenant's next number in one transaction with the order, its
listings and its first history entry (and a new client's item): numbers are gapless and
a retry cannot make two. Every later change is one transaction too: the order on
condition it is still at the version it was decided on, its listings rewritten (a moved
facet is a delete and a put), the history entry, and a payment's own conditional write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import iso
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import (
    AlreadyStored,
    Item,
    LostRace,
    condition_failed,
    failed_conditions,
    lost_race,
    transaction,
)
from chalicelib.store.helpdesk import Client
from chalicelib.store.order_models import (
    Order,
    OrderComment,
    OrderCounter,
    OrderHistory,
    OrderListing,
    Payment,
)

#: the most listing items one filtered page reads (a page may come back short, with a cursor)
FILTERED_READ = 200


class PaymentMoved(Exception):
    """The payment is no longer in the status the transition was decided from."""


# --- where an order is listed ---------------------------------------------------------------
def facets_of(order: Order) -> list[tuple[str, Any]]:
    """The lists ``order`` appears in: every order, its status, its payment state, its
    agent, client, and (from a conversation) its channel and ticket."""
    found: list[tuple[str, Any]] = [
        ("ALL", None),
        ("STATUS", order.status),
        ("PAY", order.payment_state),
        ("AGENT", order.agent_id),
        ("CLIENT", order.client_id),
    ]
    if order.channel_id:
        found.append(("CHANNEL", order.channel_id))
    if order.ticket_number is not None:
        found.append(("TICKET", int(order.ticket_number)))
    return found


def listing_items(order: Order, summary: dict[str, Any]) -> list[OrderListing]:
    """The listing items of ``order`` carrying ``summary`` (what a list shows of it)."""
    sk = keys.orders_listing_sk(iso(order.created_at), int(order.number))
    return [
        OrderListing(
            keys.orders_listing_pk(order.tenant_id, facet, value),
            sk,
            tenant_id=order.tenant_id,
            number=int(order.number),
            status=order.status,
            payment_state=order.payment_state,
            agent_id=order.agent_id,
            channel_id=order.channel_id,
            client_id=order.client_id,
            ticket_number=order.ticket_number,
            standalone=bool(order.standalone),
            summary=summary,
        )
        for facet, value in facets_of(order)
    ]


# --- a new order ------------------------------------------------------------------------------
def counter_last(tenant_id: str) -> int | None:
    """The last order number given (None: the tenant never made one), read strongly."""
    counter = get_or_none(
        OrderCounter, keys.tenant_pk(tenant_id), keys.order_counter_sk(), consistent=True
    )
    return None if counter is None else int(counter.last or 0)


def create(
    order: Order,
    listings: Sequence[OrderListing],
    history: OrderHistory,
    *,
    last: int | None,
    new_client: Client | None = None,
) -> bool:
    """Write a new order numbered ``last + 1`` with its listings, its history entry and
    (``new_client``) the client it is for, all or nothing; the counter moves only from
    ``last``. False when another order took the number first (read again, try again)."""
    counter_key = (keys.tenant_pk(order.tenant_id), keys.order_counter_sk())
    number = int(order.number)
    try:
        with transaction() as write:
            if last is None:
                write.save(OrderCounter(*counter_key, last=number),
                           condition=OrderCounter.PK.does_not_exist())  # fmt: skip
            else:
                write.update(OrderCounter(*counter_key), actions=[OrderCounter.last.set(number)],
                             condition=OrderCounter.last == last)  # fmt: skip
            write.save(order, condition=Order.PK.does_not_exist())
            for listing in listings:
                write.save(listing)
            write.save(history, condition=OrderHistory.PK.does_not_exist())
            if new_client is not None:
                write.save(new_client, condition=Client.PK.does_not_exist())
    except TransactWriteError as exc:
        if lost_race(exc):
            return False
        raise
    return True


# --- reading an order -------------------------------------------------------------------------
def get_order(tenant_id: str, number: int, consistent: bool = False) -> Order | None:
    found = get_or_none(Order, keys.order_pk(tenant_id, number), keys.order_sk(), consistent)
    return found if isinstance(found, Order) else None


def order_with_payments(
    tenant_id: str, number: int, consistent: bool = False
) -> tuple[Order | None, list[Payment]]:
    """The order and its payments in one Query (``ORDER`` and ``P#...`` sort together)."""
    found = Item.query(
        keys.order_pk(tenant_id, number),
        Item.SK >= keys.order_sk(),  # noqa: SIM300
        consistent_read=consistent,
    )
    order: Order | None = None
    payments: list[Payment] = []
    for item in found:
        if isinstance(item, Order):
            order = item
        elif isinstance(item, Payment):
            payments.append(item)
    payments.sort(key=lambda p: (p.recorded_at, p.payment_id))
    return order, payments


def get_payment(tenant_id: str, number: int, payment_id: str) -> Payment | None:
    found = get_or_none(
        Payment, keys.order_pk(tenant_id, number), keys.order_payment_sk(payment_id), True
    )
    return found if isinstance(found, Payment) else None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    last_key: dict[str, Any] | None


def _partition_page(
    model: Any, tenant_id: str, number: int, prefix: str, newest_first: bool,
    limit: int, start: dict[str, Any] | None,
) -> Page:  # fmt: skip
    found = model.query(
        keys.order_pk(tenant_id, number),
        model.SK.startswith(prefix),
        scan_index_forward=not newest_first,
        limit=limit,
        last_evaluated_key=start,
    )
    items = [item for item in found if isinstance(item, model)]
    return Page(items, found.last_evaluated_key)


def comments_page(tenant_id: str, number: int, limit: int, start: dict[str, Any] | None) -> Page:
    """An order's comments, oldest first."""
    return _partition_page(OrderComment, tenant_id, number, keys.order_comments_prefix(),
                           False, limit, start)  # fmt: skip


def history_page(tenant_id: str, number: int, limit: int, start: dict[str, Any] | None) -> Page:
    """An order's history, newest first."""
    return _partition_page(OrderHistory, tenant_id, number, keys.order_history_prefix(),
                           True, limit, start)  # fmt: skip


def add_comment(comment: OrderComment, history: OrderHistory) -> None:
    """A comment and its history entry, together; ``AlreadyStored`` if the id was taken."""
    try:
        with transaction() as write:
            write.save(comment, condition=OrderComment.PK.does_not_exist())
            write.save(history, condition=OrderHistory.PK.does_not_exist())
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise AlreadyStored(comment.SK) from exc
        raise


# --- changes ----------------------------------------------------------------------------------
def commit(
    order: Order,
    version: int,
    listings_before: Sequence[OrderListing],
    listings_after: Sequence[OrderListing],
    history: OrderHistory,
    *,
    payment: Payment | None = None,
    payment_was: str | None = None,
) -> None:
    """Write ``order`` (its next version) on condition it is still at ``version``, its
    listings (those no longer true deleted), ``history`` and ``payment``: a new one
    (``payment_was`` None) or one moving from status ``payment_was``. ``LostRace`` when
    the order changed meanwhile, ``PaymentMoved`` when the payment did."""
    after_keys = {(item.PK, item.SK) for item in listings_after}
    write: Any
    try:
        with transaction() as write:
            write.save(order, condition=Order.version == version)
            for listing in listings_before:
                if (listing.PK, listing.SK) not in after_keys:
                    write.delete(listing)
            for listing in listings_after:
                write.save(listing)
            write.save(history, condition=OrderHistory.PK.does_not_exist())
            if payment is not None:
                condition = (
                    Payment.PK.does_not_exist()
                    if payment_was is None
                    else Payment.status == payment_was
                )
                write.save(payment, condition=condition)
    except TransactWriteError as exc:
        if payment is not None and (payment.PK, payment.SK) in failed_conditions(write, exc):
            raise PaymentMoved(payment.payment_id) from exc
        if lost_race(exc):
            raise LostRace(f"order {order.number}") from exc
        raise


def delete(order: Order, version: int, listings: Sequence[OrderListing]) -> None:
    """Delete an order and its listings on condition it is at ``version`` and has never had
    a payment; ``LostRace`` otherwise. Its comments and history go after (``sweep``)."""
    try:
        with transaction() as write:
            write.delete(order, condition=(Order.version == version) & (Order.payments_count == 0))
            for listing in listings:
                write.delete(listing)
    except TransactWriteError as exc:
        if lost_race(exc):
            raise LostRace(f"order {order.number}") from exc
        raise


def sweep(tenant_id: str, number: int) -> None:
    """What remains of a deleted order's partition (comments, history): batch deletes,
    idempotent (nothing reads a partition whose order is gone)."""
    found = Item.query(keys.order_pk(tenant_id, number))
    with Item.batch_write() as batch:
        for item in found:
            batch.delete(item)


# --- lists ------------------------------------------------------------------------------------
def listing_page(
    partition: str,
    *,
    since: str | None,
    until: str | None,
    filters: dict[str, Any],
    limit: int,
    start: dict[str, Any] | None,
) -> Page:
    """One page of a listing partition, newest first: created in [``since``, ``until``)
    (UTC ISO times), the listings whose attributes equal ``filters`` (``visible_to`` a
    user: standalone ones only theirs). One Query; with filters it reads at most
    ``FILTERED_READ`` items and may come back short with a cursor, as DynamoDB does."""
    key_condition: Any = None
    if since and until:
        key_condition = OrderListing.SK.between(since, until)
    elif since:
        key_condition = OrderListing.SK >= since  # noqa: SIM300
    elif until:
        key_condition = OrderListing.SK < until  # noqa: SIM300
    condition = None
    for name, value in filters.items():
        if name == "visible_to":
            clause = (OrderListing.standalone == False) | (OrderListing.agent_id == value)  # noqa: E712
        else:
            clause = getattr(OrderListing, name) == value
        condition = clause if condition is None else condition & clause
    read = limit if condition is None else max(limit, FILTERED_READ)
    answer = OrderListing._get_connection().query(
        partition,
        range_key_condition=key_condition,
        filter_condition=condition,
        exclusive_start_key=start,
        limit=read,
        scan_index_forward=False,
    )
    items = [OrderListing.from_raw_data(raw) for raw in answer.get("Items", [])]
    last = answer.get("LastEvaluatedKey")
    if len(items) > limit:
        items = items[:limit]
        last = {"PK": {"S": items[-1].PK}, "SK": {"S": items[-1].SK}}
    return Page(items, last)
