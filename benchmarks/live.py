"""Live updates (issue 12, item 6; docs/decisions.md, "Live updates"): what a console's poll
costs when nothing changed, and what the table's stream writes per batch to tell the
consoles (tests/integration/test_live_costs.py asserts the same numbers)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from benchmarks.accounts import _signed_up
from benchmarks.harness import Bench, Measured, operation
from benchmarks.ingest import online_desk

#: tickets a busy batch touches (each with its ticket and message records)
BATCH_TICKETS = 20


def _busy_pulse(tenant_id: str) -> int:
    """The tenant's pulse after a busy minute (full: the most a poll can read); its seq."""
    from chalicelib.clock import now
    from chalicelib.domain.helpdesk.live import publish
    from chalicelib.store.live import read_pulse

    start = now()
    for second in range(60):
        publish(tenant_id, _touches(second * BATCH_TICKETS), at=start + timedelta(seconds=second))
    state = read_pulse(tenant_id)
    assert state is not None
    return state.seq


def _touches(first: int) -> list[Any]:
    from chalicelib.domain.helpdesk.live import Touch

    return [Touch(n, ticket=True, message=True, status="open", channel_type="whatsapp",
                  channel_hint="1bjv", assignee_hint="wi7g")
            for n in range(first + 1, first + BATCH_TICKETS + 1)]  # fmt: skip


@operation("live: an idle poll (the pulse's GetItem)")
def idle_poll(bench: Bench) -> Measured:
    """Nothing changed since the caller's last poll: one eventually consistent GetItem of a
    pulse kept under 4 KB, 0.5 RCU, however busy the tenant was before."""
    from chalicelib.domain.helpdesk.live import changes_since

    principal, _ = online_desk()
    seq = _busy_pulse(principal.tenant_id)

    def call(_: int) -> None:
        feed = changes_since(principal, seq)
        if feed.changes or not feed.complete:
            raise RuntimeError("an idle poll found changes")

    return call


@operation("live: an idle poll through the API (token check + pulse)")
def idle_poll_http(bench: Bench) -> Measured:
    """What one console's poll costs in DynamoDB: the token check every route makes (a
    BatchGetItem of the user and the session) and the pulse's GetItem."""
    signed = _signed_up(bench, "live@bench.example.com")
    headers = {"Authorization": f"Bearer {signed['access_token']}"}
    seq = _busy_pulse(signed["tenant"]["id"])

    def call(_: int) -> None:
        answer = bench.api.get(f"/v1/changes?since={seq}", headers=headers)
        if answer.status_code != 200 or json.loads(answer.body)["changes"]:
            raise RuntimeError(f"the poll answered {answer.status_code}: {answer.body!r}")

    return call


@operation(f"live: the stream tells a batch of {BATCH_TICKETS} tickets (warm, 1 PutItem)")
def stream_batch(bench: Bench) -> Measured:
    """The pulse write at the end of a stream batch: one PutItem per tenant, no read (a warm
    Lambda remembers the pulse it wrote); up to 4 WCU as the pulse fills."""
    from chalicelib.domain.helpdesk.live import publish

    principal, _ = online_desk()
    _busy_pulse(principal.tenant_id)

    def call(i: int) -> None:
        publish(principal.tenant_id, _touches(10_000 + i * BATCH_TICKETS))

    return call
