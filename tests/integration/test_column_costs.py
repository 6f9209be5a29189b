"""What a column page costs, counted against DynamoDB Local (SPEC §4 budgets).

Budget: a page of 25 tickets of a "me" or "unassigned" column (no other filter) is at
most 2 requests (the column's GetItem and one Query of its queue) and 4 RCU — the same
with 50 tickets in the tenant as with 20,000. The 20,000 are written straight into the
table with BatchWriteItem (volume seeding, the one place a test pokes items in), spread
over several assignees, open and closed, each shaped like a ticket ingest writes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.clock import iso
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.helpdesk.columns import (
    ColumnFilters,
    ColumnToggles,
    column_page,
    create_column,
)
from chalicelib.store import keys
from chalicelib.store.helpdesk import Ticket
from chalicelib.store.meter import measure

pytestmark = pytest.mark.ddb_local
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CHANNEL = "01jchannel0000000000000000"
TEXT = "Hola, quisiera saber en qué estado está mi pedido número 4821; lo compré hace una semana y nada"


def ticket(tenant_id: str, number: int, assignee: str | None, active: bool) -> Ticket:
    """A ticket as ingest writes it (a 100-character preview, an assignment reason)."""
    at = START + timedelta(seconds=number)
    return Ticket(
        keys.ticket_pk(tenant_id, number), keys.ticket_sk(),
        GSI2PK=keys.queue_pk(tenant_id, assignee, active), GSI2SK=keys.queue_sk(iso(at), number),
        tenant_id=tenant_id, number=number, status="open" if active else "closed",
        channel_id=CHANNEL, channel_type="whatsapp", client_id=f"c{number:025d}",
        assignee_id=assignee, created_at=at, last_activity_at=at, last_client_message_at=at,
        last_message={"text": TEXT[:100], "direction": "in", "at": iso(at)},
        assignment={"rule": "online, auto-assignment on, serves the channel", "chosen": assignee}
        if assignee else None,
        auto_replies={},
    )  # fmt: skip


def seed(
    tenant_id: str, numbers: range, assignees: list[str | None], closed_every: int = 0
) -> None:
    """Ticket items straight into the table, several BatchWriteItem streams at once;
    every ``closed_every``-th one closed."""

    def write(chunk: range) -> None:
        with Ticket.batch_write() as batch:
            for n in chunk:
                assignee = assignees[n % len(assignees)]
                active = not closed_every or n % closed_every != 0
                batch.save(ticket(tenant_id, n, assignee, active))

    size = 1000
    chunks = [
        range(s, min(s + size, numbers.stop)) for s in range(numbers.start, numbers.stop, size)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, chunks))


def page_cost(principal: Principal, column_id: str) -> tuple[int, float, list[int]]:
    with measure() as meter:
        page = column_page(principal, column_id, 25, None)
    assert len(page.tickets) == 25 and page.next_cursor
    return meter.requests, meter.read_units, [t.number for t in page.tickets]


@pytest.mark.volume
def test_a_column_page_costs_the_same_with_50_tickets_as_with_20000(admin_principal):
    admin = admin_principal
    tenant_id = admin.tenant_id
    mine = create_column(admin, "Mine", "tickets", ColumnFilters(assignee="me"), ColumnToggles())
    waiting = create_column(
        admin, "Waiting", "tickets", ColumnFilters(assignee="unassigned"), ColumnToggles()
    )
    assignees: list[str | None] = [admin.user_id, None]
    seed(tenant_id, range(1, 51), assignees)  # 50 open tickets: 25 mine, 25 unassigned
    small = {c.column.column_id: page_cost(admin, c.column.column_id) for c in (mine, waiting)}

    started = time.perf_counter()
    many = [admin.user_id, None, "u-agent-1", "u-agent-2", "u-agent-3", "u-agent-4"]
    seed(tenant_id, range(51, 20_001), many, closed_every=7)
    print(f"seeded 19,950 tickets in {time.perf_counter() - started:.1f}s")
    large = {c.column.column_id: page_cost(admin, c.column.column_id) for c in (mine, waiting)}

    for column_id in small:
        (requests, units, before), (requests_after, units_after, after) = (
            small[column_id],
            large[column_id],
        )
        print(
            "column page:",
            column_id,
            "small:",
            requests,
            units,
            "large:",
            requests_after,
            units_after,
        )
        assert requests <= 2 and units <= 4, small[column_id]
        assert (requests_after, units_after) == (requests, units)
        assert after[0] > before[0]  # the newest tickets, not the first ones seeded
        assert after == sorted(after, reverse=True)
