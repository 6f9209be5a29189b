"""Time-driven work (SPEC §5): what one run of the SLA sweep costs when 5 deadlines are
due among 2,000 open tickets (the cost follows the due ones only: see
tests/integration/test_sla_costs.py for 100 against 20,000)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from benchmarks.harness import Bench, Measured, operation

DUE_PER_RUN = 5
IDLE_TICKETS = 2_000
#: runs prepared (warm-up included); each run finds the next minute's tickets due
MAX_RUNS = 200
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _seed(tenant_id: str, first: int, count: int, due_at: datetime) -> None:
    from chalicelib.clock import iso
    from chalicelib.domain.helpdesk.sla import due_keys
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import Ticket

    with Ticket.batch_write() as batch:
        for number in range(first, first + count):
            batch.save(Ticket(
                keys.ticket_pk(tenant_id, number), keys.ticket_sk(),
                GSI2PK=keys.queue_pk(tenant_id, None), GSI2SK=keys.queue_sk(iso(START), number),
                tenant_id=tenant_id, number=number, status="open", channel_id="ch-bench",
                channel_type="whatsapp", client_id=f"c{number}", created_at=START,
                last_activity_at=START, sla={"first_response_due": iso(due_at)},
                **due_keys(tenant_id, number, due_at),
            ))  # fmt: skip


@operation("sla sweep: 5 due among 2,000 open tickets")
def sla_sweep(bench: Bench) -> Measured:
    """One scheduled run: 8 shard queries, the tenant's people once, then per due ticket a
    consistent read, the breach transaction and the notification of the admin."""
    from chalicelib.clock import clock
    from chalicelib.domain.accounts.tenants import signup
    from chalicelib.jobs import sla

    tenant, _ = signup(company_name="Bench", locale="es", timezone="America/Santiago",
                       first_name="Ana", last_name="Admin",
                       email=f"ana-{uuid.uuid4().hex[:8]}@bench.example.com",
                       password="correct horse battery")  # fmt: skip
    for run in range(MAX_RUNS):
        _seed(tenant.tenant_id, 1 + run * DUE_PER_RUN, DUE_PER_RUN,
              START + timedelta(minutes=run + 1))  # fmt: skip
    _seed(tenant.tenant_id, 1 + MAX_RUNS * DUE_PER_RUN, IDLE_TICKETS,
          START + timedelta(days=30))  # fmt: skip

    def call(i: int) -> None:
        if i >= MAX_RUNS:
            raise RuntimeError(f"the SLA benchmark prepares {MAX_RUNS} runs; ask for fewer")
        clock.freeze(START + timedelta(minutes=i + 1, seconds=30))
        try:
            outcome = sla.sweep()
        finally:
            clock.release()
        if outcome.get("breached") != DUE_PER_RUN:
            raise RuntimeError(f"the sweep settled {outcome}, not {DUE_PER_RUN} breaches")

    return call
