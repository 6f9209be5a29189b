"""What a page of orders costs, counted against DynamoDB Local (docs/data-model.md
"Orders"), and what each write of an order costs.

Budget: a page of 25 orders of any one-filter list (every order, a status, a payment
state, an agent, a channel, a client, a ticket) is ONE Query and at most 3 RCU, the same
with 50 orders in the tenant as with 20,000; a list with several filters is one Query
reading at most ``FILTERED_READ`` (200) listings of ~0.8 KB (at most 22 RCU), whatever
the tenant's size.
The 20,000 orders' listings are written straight into the table with BatchWriteItem
(volume seeding, the one place a test pokes items in), shaped as the API writes them."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.orders import lists, orders, payments
from chalicelib.store import keys
from chalicelib.store import orders as store
from chalicelib.store.meter import measure
from chalicelib.store.order_models import Order, OrderListing

pytestmark = pytest.mark.ddb_local
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AGENT, CLIENT, CHANNEL, TICKET = (
    "01jagent00000000000000000a",
    "c-probe",
    "01jchannel0000000000000000",
    7,
)
LINES = [{"description": "Polera talla M", "quantity": 2, "unit_price": 9990, "total": 19980,
          "product_id": None, "sku": None}]  # fmt: skip


def order(tenant_id: str, number: int, probe: bool) -> Order:
    """An order as the API writes it: the 50 probe orders all annulled, overpaid, of the
    probed agent, client, channel and ticket; of the rest, one in ten of each probed value
    (one in a hundred of the client), spread over 40 agents, 2,000 clients, 10 channels."""
    at = START + timedelta(minutes=number)
    tenth = probe or number % 10 == 0
    return Order(
        keys.order_pk(tenant_id, number), keys.order_sk(), tenant_id=tenant_id, number=number,
        status="annulled" if tenth else "open",
        payment_state="overpaid" if probe or number % 10 == 1 else "unpaid", currency="CLP",
        lines=LINES, total=19980, paid=0, pending=0,
        client_id=CLIENT if probe or number % 100 == 2 else f"c-{number % 2000}",
        client_name="María José Pérez",
        ticket_number=TICKET if probe else number // 4 + 100,
        channel_id=CHANNEL if probe or number % 10 == 3 else f"{CHANNEL[:-1]}{number % 10}",
        channel_type="whatsapp",
        agent_id=AGENT if probe or number % 10 == 4 else f"{AGENT[:-1]}{number % 40}",
        standalone=False, created_at=at, updated_at=at,
        annulment={"reason": "duplicada", "by": AGENT, "at": "2026-03-02T12:00:00.000Z"}
        if tenth else None,
        payments_count=0, version=1,
    )  # fmt: skip


#: the partitions the measured lists read; a seeded order's other listings (other agents',
#: clients', open orders...) are left out: no Query of these partitions reads them
PROBED = {keys.orders_listing_pk("", facet, value).removeprefix("TENANT##") for facet, value in (
    ("ALL", None), ("STATUS", "annulled"), ("PAY", "overpaid"), ("AGENT", AGENT),
    ("CHANNEL", CHANNEL), ("CLIENT", CLIENT), ("TICKET", TICKET))}  # fmt: skip


def seed(tenant_id: str, numbers: range, probe: bool) -> None:
    """The orders' listings of the probed lists straight into the table, BatchWriteItem
    requests of 25 from 16 threads."""
    raw = [
        listing.serialize()
        for n in numbers
        for made in (order(tenant_id, n, probe),)
        for listing in store.listing_items(made, orders.summary(made))
        if listing.PK.removeprefix(keys.tenant_pk(tenant_id) + "#") in PROBED
    ]
    client = OrderListing._get_connection().connection.client
    table = OrderListing.Meta.table_name

    def write(chunk: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(write, [raw[i : i + 25] for i in range(0, len(raw), 25)]))


LISTS: dict[str, dict[str, Any]] = {
    "every order": {},
    "status": {"status": "annulled"},
    "payment state": {"payment_state": "overpaid"},
    "agent": {"agent": AGENT},
    "channel": {"channel": CHANNEL},
    "client": {"client": CLIENT},
    "ticket": {"ticket": TICKET},
    "status and payment state": {"status": "annulled", "payment_state": "overpaid"},
    "agent, channel and dates": {"agent": AGENT, "channel": CHANNEL,
                                 "since": date(2026, 3, 2), "until": date(2026, 3, 31)},
}  # fmt: skip


def page_cost(admin: Principal, filters: dict[str, Any]) -> tuple[int, float, list[int]]:
    with measure() as meter:
        items, _ = lists.list_orders(admin, filters, 25, None)
    queries = meter.count("Query")
    return queries, meter.read_units, [item["number"] for item in items]


@pytest.mark.volume
def test_a_page_of_orders_costs_the_same_with_50_orders_as_with_20000(admin_principal):
    admin = admin_principal
    tenant_id = admin.tenant_id
    seed(tenant_id, range(1, 51), probe=True)
    small = {name: page_cost(admin, filters) for name, filters in LISTS.items()}
    started = time.perf_counter()
    seed(tenant_id, range(51, 20_001), probe=False)
    print(f"seeded 19,950 orders' listings in {time.perf_counter() - started:.1f}s")
    large = {name: page_cost(admin, filters) for name, filters in LISTS.items()}
    for name in LISTS:
        (queries, units, _), (queries_after, units_after, after) = small[name], large[name]
        print(
            f"{name}: {queries} Query, {units} RCU with 50; {queries_after}, {units_after} with 20,000"
        )
        assert queries == queries_after == 1, name
        assert after == sorted(after, reverse=True), name  # newest first
        if len(LISTS[name]) == 1 or not LISTS[name]:
            assert units <= 3 and units_after <= units + 0.5, (name, small[name], large[name])
        else:  # filtered as it reads: bounded by FILTERED_READ listings, never the tenant's size
            assert units <= 22 and units_after <= 22, (name, small[name], large[name])
    assert large["every order"][2][0] == 20_000  # the newest, not the first seeded
    assert large["client"][2][0] > 50  # the client's newest orders


def test_what_each_write_of_an_order_costs(admin_principal):
    """The write units of each operation (docs/data-model.md "Orders" counts them):
    transactional items are billed double."""
    admin = admin_principal
    body = {"currency": "CLP", "note": None, "lines": [dict(LINES[0], total=None)]}
    with measure() as create:
        made = orders.create_standalone(admin, body, None, {"name": "Ana Pérez"})
    number = int(made.number)
    with measure() as record:
        _, payment = payments.record(admin, number, {"amount": 19980, "method": "cash",
                                                     "paid_on": "2026-12-05", "proof": None})  # fmt: skip
    with measure() as reconcile:
        payments.settle(admin, number, payment.payment_id, "reconcile")
    costs = {"create": create.write_units, "record": record.write_units,
             "reconcile": reconcile.write_units}  # fmt: skip
    print("write units:", costs)
    # standalone: counter, order, 5 listings, history, client = 9 items; payment changes:
    # order, 5 listings (a moved payment state: 1 delete + 1 put more), history, payment
    assert costs["create"] <= 2 * 9 + 2, costs
    assert costs["record"] <= 2 * 8 + 2, costs
    assert costs["reconcile"] <= 2 * 9 + 2, costs
