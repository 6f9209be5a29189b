"""Lists of orders (docs/orders.md, docs/data-model.md "Orders"): each page is one Query of
one listing partition, newest first, whatever the tenant's size.

A list with several filters reads the partition of its most selective facet (client >
ticket > agent > channel > payment state > status > every order) and filters the rest
as it reads, at most ``store.orders.FILTERED_READ`` items a page. A date range is a key
range. Who sees what narrows the list the same way: an agent's list of every order is
the orders they made (the orders of their tickets are on each ticket's list); a
stakeholder's leaves out others' standalone orders.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.clock import iso, timezone_of
from chalicelib.cursors import decode_cursor, encode_cursor
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.helpdesk.visibility import agent_channels, may_see
from chalicelib.domain.orders.orders import EVERY_ORDER
from chalicelib.store import keys
from chalicelib.store import orders as store
from chalicelib.store.accounts import Tenant, get_or_none
from chalicelib.store.order_models import OrderListing
from chalicelib.store.search import get_tickets

#: the facets in the order a list with several filters prefers them (most selective first)
SELECTIVITY = (
    ("client", "CLIENT", "client_id"),
    ("ticket", "TICKET", "ticket_number"),
    ("agent", "AGENT", "agent_id"),
    ("channel", "CHANNEL", "channel_id"),
    ("payment_state", "PAY", "payment_state"),
    ("status", "STATUS", "status"),
)

Page = tuple[list[dict[str, Any]], str | None]


def _bounds(
    tenant_id: str, since: date | None, until: date | None
) -> tuple[str | None, str | None]:
    """The UTC key range of the days [since, until] in the tenant's timezone."""
    if since is None and until is None:
        return None, None
    tenant = get_or_none(Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk())
    zone = timezone_of(tenant.timezone if tenant else None)

    def start_of(day: date) -> str:
        return iso(datetime.combine(day, time(0), tzinfo=zone))

    return (
        start_of(since) if since else None,
        start_of(until + timedelta(days=1)) if until else None,
    )


def list_orders(
    principal: Principal, filters: dict[str, Any], limit: int, cursor: str | None
) -> Page:
    """A page of the tenant's orders matching ``filters`` (status, payment_state, agent,
    channel, client, ticket; ``since``/``until`` dates), as the caller may see them."""
    wanted = {name: value for name, value in filters.items() if value is not None}
    since, until = _bounds(principal.tenant_id, wanted.pop("since", None),
                           wanted.pop("until", None))  # fmt: skip
    own_only = principal.role not in EVERY_ORDER and principal.role != "stakeholder"
    if own_only:
        if wanted.get("agent", principal.user_id) != principal.user_id:
            return [], None
        wanted["agent"] = principal.user_id
    partition = keys.orders_listing_pk(principal.tenant_id, "ALL")
    attribute_filters: dict[str, Any] = {}
    chosen = False
    for name, facet, attribute in SELECTIVITY:
        if name not in wanted:
            continue
        if not chosen:
            partition = keys.orders_listing_pk(principal.tenant_id, facet, wanted[name])
            chosen = True
        else:
            attribute_filters[attribute] = wanted[name]
    if principal.role == "stakeholder" and "ticket" not in wanted:
        attribute_filters["visible_to"] = principal.user_id
    page = store.listing_page(
        partition, since=since, until=until, filters=attribute_filters, limit=limit,
        start=decode_cursor(cursor, partition),
    )  # fmt: skip
    return [dict(item.summary) for item in page.items], encode_cursor(page.last_key)


def _seen_by_agent(principal: Principal, items: list[OrderListing]) -> list[OrderListing]:
    """Of a page, the orders an agent sees: theirs and those of tickets they see (the
    page's tickets read in one BatchGetItem)."""
    numbers = sorted({int(i.ticket_number) for i in items if i.ticket_number is not None
                      and i.agent_id != principal.user_id})  # fmt: skip
    channels = agent_channels(principal) if numbers else []
    seen = {int(t.number) for t in get_tickets(principal.tenant_id, numbers)
            if may_see(principal, t, channels)}  # fmt: skip
    return [i for i in items if i.agent_id == principal.user_id
            or (i.ticket_number is not None and int(i.ticket_number) in seen)]  # fmt: skip


def ticket_orders(principal: Principal, number: int, limit: int, cursor: str | None) -> Page:
    """The orders of a ticket the caller sees (404 otherwise)."""
    from chalicelib.domain.helpdesk.tickets import load_ticket

    ticket = load_ticket(principal, number)
    return _facet_page(principal, "ticket", int(ticket.number), limit, cursor)


def client_orders(principal: Principal, client_id: str, limit: int, cursor: str | None) -> Page:
    """The orders of a client the caller sees (404 otherwise)."""
    from chalicelib.domain.helpdesk.clients import load_client

    client = load_client(principal, client_id)
    return _facet_page(principal, "client", client.client_id, limit, cursor)


def _facet_page(
    principal: Principal, name: str, value: Any, limit: int, cursor: str | None
) -> Page:
    filters: dict[str, Any] = {name: value}
    if principal.role == "agent":
        # an agent's own list would narrow to the orders they made: read the facet and
        # keep what they see instead
        facet = dict((n, f) for n, f, _ in SELECTIVITY)[name]
        partition = keys.orders_listing_pk(principal.tenant_id, facet, value)
        page = store.listing_page(partition, since=None, until=None, filters={}, limit=limit,
                                  start=decode_cursor(cursor, partition))  # fmt: skip
        items = page.items if name == "ticket" else _seen_by_agent(principal, page.items)
        return [dict(item.summary) for item in items], encode_cursor(page.last_key)
    return list_orders(principal, filters, limit, cursor)
