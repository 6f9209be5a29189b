"""Around an order: its comments (never edited nor deleted) and its history."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import iso, now
from chalicelib.cursors import decode_cursor
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.orders.orders import history_entry, load_order, person_name
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store import orders as store
from chalicelib.store.order_models import OrderComment, OrderHistory


def add_comment(principal: Principal, number: int | str, text: str) -> OrderComment:
    """A comment on an order the caller sees, with its history entry."""
    order = load_order(principal, number)
    at = now()
    comment_id = new_id()
    comment = OrderComment(
        keys.order_pk(order.tenant_id, order.number), keys.order_comment_sk(comment_id),
        tenant_id=order.tenant_id, comment_id=comment_id, order_number=int(order.number),
        author_id=principal.user_id, author_name=person_name(principal), text=text,
        created_at=at,
    )  # fmt: skip
    entry = history_entry(order, principal, "order.commented", at,
                          after={"comment_id": comment_id, "at": iso(at)})  # fmt: skip
    store.add_comment(comment, entry)
    return comment


def comments_page(
    principal: Principal, number: int | str, limit: int, cursor: str | None
) -> tuple[list[OrderComment], dict[str, Any] | None]:
    """The order's comments, oldest first (404 when the order is not seen)."""
    order = load_order(principal, number)
    partition = keys.order_pk(order.tenant_id, order.number)
    page = store.comments_page(order.tenant_id, int(order.number), limit,
                               decode_cursor(cursor, partition))  # fmt: skip
    return page.items, page.last_key


def history_page(
    principal: Principal, number: int | str, limit: int, cursor: str | None
) -> tuple[list[OrderHistory], dict[str, Any] | None]:
    """The order's history, newest first (404 when the order is not seen)."""
    order = load_order(principal, number)
    partition = keys.order_pk(order.tenant_id, order.number)
    page = store.history_page(order.tenant_id, int(order.number), limit,
                              decode_cursor(cursor, partition))  # fmt: skip
    return page.items, page.last_key
