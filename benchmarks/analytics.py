"""Analytics' budgets (issue 16, docs/analytics.md "The counter model"): counting a message
is one transaction written by the stream consumer (never the request); the summary reads
one item per day of one series; the monitoring table a handful of items whatever the
volume. The write units a counted message puts on the tenant's ``all`` item of the day
tell how many counted events a second one tenant can take before that partition's 1,000
write units a second throttle it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.harness import Bench, Measured, operation
from benchmarks.orders import _admin, _call


def _tenant_of(bench: Bench, headers: dict[str, str]) -> str:
    return str(_call(bench, "GET", "/v1/me", headers)["tenant"]["id"])


@operation("count a message (stream consumer)")
def count_message(bench: Bench) -> Measured:
    """What the stream consumer writes for one client's message: the event's mark and the
    ``all`` and channel counters of its day, in one TransactWriteItems."""
    from chalicelib.domain.analytics.counting import count_change
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import Message

    headers = _admin(bench, "analytics-count@bench.example.com")
    tenant_id = _tenant_of(bench, headers)
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    def call(i: int) -> None:
        at = start + timedelta(seconds=i)
        message_id = f"{at.strftime('%Y%m%dT%H%M%S')}-bench{i:06d}"
        message = Message(keys.ticket_pk(tenant_id, 1), keys.message_sk(message_id),
                          tenant_id=tenant_id, message_id=message_id, ticket_number=1,
                          channel_id="01jbenchchannel00000000000", direction="in", text="hola",
                          sent_at=at, stored_at=at)  # fmt: skip
        if count_change(message, None) != 1:
            raise RuntimeError("the message was not counted once")

    return call


def _summary(bench: Bench, email: str, days: int) -> Measured:
    headers = _admin(bench, email)
    first = datetime(2026, 3, 2, tzinfo=UTC).date()
    last = first + timedelta(days=days - 1)
    path = f"/v1/analytics/summary?from={first.isoformat()}&to={last.isoformat()}"

    def call(i: int) -> None:
        found: Any = _call(bench, "GET", path, headers)
        if len(found["days"]) != days:
            raise RuntimeError(f"{len(found['days'])} days answered")

    return call


@operation("analytics summary, 7 days")
def summary_week(bench: Bench) -> Measured:
    """GET /v1/analytics/summary of a week: the session's check, the tenant, one
    BatchGetItem of the 7 days."""
    return _summary(bench, "analytics-week@bench.example.com", 7)


@operation("analytics summary, 366 days")
def summary_year(bench: Bench) -> Measured:
    """GET /v1/analytics/summary of a year: 4 BatchGetItem calls (100 days each)."""
    return _summary(bench, "analytics-year@bench.example.com", 366)


@operation("monitoring table")
def monitoring(bench: Bench) -> Measured:
    """GET /v1/analytics/agents: the tenant, its users, the agent states, today's counters."""
    headers = _admin(bench, "analytics-monitor@bench.example.com")

    def call(i: int) -> None:
        _call(bench, "GET", "/v1/analytics/agents", headers)

    return call
