"""The SLA sweep's budget (issue 6): it costs the same requests with 100 as with 20,000
open tickets when the same number of deadlines is due — it reads the due part of the
Due index and nothing else. Counted by the cost meter against DynamoDB Local."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.clock import iso
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.helpdesk.sla import due_keys
from chalicelib.jobs import sla
from chalicelib.store import keys
from chalicelib.store.helpdesk import Ticket
from chalicelib.store.meter import measure

pytestmark = pytest.mark.ddb_local
DUE = 10


def seed(tenant_id: str, first: int, count: int, due_at, opened_at) -> None:
    """Open tickets as the inbound pipeline writes them (volume only: written directly)."""
    with Ticket.batch_write() as batch:
        for number in range(first, first + count):
            ticket = Ticket(
                keys.ticket_pk(tenant_id, number), keys.ticket_sk(),
                GSI2PK=keys.queue_pk(tenant_id, None), GSI2SK=keys.queue_sk(iso(opened_at), number),
                tenant_id=tenant_id, number=number, status="open", channel_id="ch-1",
                channel_type="whatsapp", client_id=f"c{number}", created_at=opened_at,
                last_activity_at=opened_at, sla={"first_response_due": iso(due_at)},
                **due_keys(tenant_id, number, due_at),
            )  # fmt: skip
            batch.save(ticket)


@pytest.mark.volume
def test_the_sweep_costs_the_same_with_100_or_20000_open_tickets(frozen_clock):
    tenant, _ = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                       first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                       password="correct horse battery")  # fmt: skip
    tenant_id = tenant.tenant_id
    start = frozen_clock.now()
    far = start + timedelta(days=30)

    # 100 open tickets, 10 of them due in a minute
    seed(tenant_id, 1, DUE, start + timedelta(minutes=1), start)
    seed(tenant_id, DUE + 1, 100 - DUE, far, start)
    frozen_clock.advance(timedelta(minutes=1, seconds=1))
    with measure() as small:
        assert sla.sweep() == {"due": DUE, "breached": DUE}

    # 20,000 open tickets, again 10 due
    seed(tenant_id, 101, DUE, start + timedelta(minutes=2), start)
    seed(tenant_id, 101 + DUE, 20_000 - 100 - DUE, far, start)
    frozen_clock.advance(timedelta(minutes=1))
    with measure() as large:
        assert sla.sweep() == {"due": DUE, "breached": DUE}

    print("100 open:", small.summary())
    print("20,000 open:", large.summary())
    assert large.summary()["by_operation"] == small.summary()["by_operation"]
    assert large.requests == small.requests
    # a shard's Query rounds what it returns up to 4 KB (0.5 RCU): the same number of due
    # tickets split differently over the shards moves the total by at most that per shard
    assert abs(large.read_units - small.read_units) <= 0.5 * keys.DUE_SHARDS
    assert large.write_units == pytest.approx(small.write_units)
    assert small.count("Scan") == 0
    # 8 shard queries, the tenant's people once; per due ticket a consistent read, the
    # breach transaction, the notification and the notified people's settings
    assert small.count("Query") == keys.DUE_SHARDS + 1
    assert small.requests <= keys.DUE_SHARDS + 2 + DUE * 4, small.summary()


def test_a_minute_with_nothing_due_costs_one_query_per_shard(frozen_clock):
    with measure() as idle:
        assert sla.sweep() == {"due": 0}
    assert idle.requests == keys.DUE_SHARDS and idle.count("Query") == keys.DUE_SHARDS
    assert idle.read_units <= 0.5 * keys.DUE_SHARDS


def test_a_deadline_met_in_time_costs_a_read_and_one_update(frozen_clock):
    start = frozen_clock.now()
    seed("t-costs", 1, 1, start + timedelta(minutes=1), start)
    ticket = Ticket.get(keys.ticket_pk("t-costs", 1), keys.ticket_sk())
    ticket.update(actions=[Ticket.first_response_at.set(start + timedelta(seconds=30))])
    frozen_clock.advance(timedelta(minutes=2))
    with measure() as met:
        assert sla.sweep() == {"due": 1, "cleared": 1}
    print("deadline met:", met.summary())
    assert met.summary()["by_operation"] == {"GetItem": 1, "Query": keys.DUE_SHARDS,
                                             "UpdateItem": 1}  # fmt: skip
    assert met.write_units <= 3, met.summary()
