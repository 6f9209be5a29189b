"""What the summary and the monitoring table cost, counted against DynamoDB Local
(docs/analytics.md "The counter model").

Budget: ``GET /v1/analytics/summary`` reads one item per day of the range of one series —
one BatchGetItem per 100 days, 0.5 read units a day with counts (an empty day costs
nothing) — plus the tenant (its timezone) and
the channel or user named: the same requests and capacity units with 100 tickets as with
20,000.

Volume seeding (the one place these tests poke items in): the tickets are written with
BatchWriteItem, and their counters by adding up, per series and day, the very events
``counting.ticket_events`` makes of each ticket (one UpdateItem per series and day instead
of one transaction per event: the sums are the same, the seeding minutes fewer)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.analytics import counting, monitor
from chalicelib.domain.analytics.metrics import local_day
from chalicelib.domain.analytics.summary import summary
from chalicelib.store import keys
from chalicelib.store.analytics import Bump, StatsDay, _bump_actions
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Ticket
from chalicelib.store.meter import measure

pytestmark = pytest.mark.ddb_local
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 09:00 in Santiago
CHANNELS = [f"01jchannel00000000000000{i:02d}" for i in range(10)]
#: a first response of 30 s to 6 h and a resolution of 10 min to 2 days, cycling
ANSWERED = [30 * 2**i for i in range(10)]
RESOLVED = [600 * 2**i for i in range(9)]


def ticket(tenant_id: str, number: int, agents: list[str]) -> Ticket:
    """A closed ticket of one of 7 days, answered and resolved in one of the cycles; each
    agent has a week of 7 tickets in turn (the first 7 are the probed agent's)."""
    created = START + timedelta(days=number % 7, minutes=number % 600)
    answered = created + timedelta(seconds=ANSWERED[number % len(ANSWERED)])
    closed = answered + timedelta(seconds=RESOLVED[number % len(RESOLVED)])
    return Ticket(
        keys.ticket_pk(tenant_id, number), keys.ticket_sk(), tenant_id=tenant_id,
        number=number, status="closed", channel_id=CHANNELS[number % 10],
        channel_type="whatsapp", client_id=f"c-{number}", assignee_id=agents[(number - 1) // 7 % len(agents)],
        created_at=created, last_activity_at=closed, first_response_at=answered,
        closed_at=closed, sla={}, version=3,
    )  # fmt: skip


def seed(tenant_id: str, numbers: range, agents: list[str]) -> None:
    made = [ticket(tenant_id, n, agents) for n in numbers]
    client = Ticket._get_connection().connection.client
    table = Ticket.Meta.table_name

    def write(chunk: list[Ticket]) -> None:
        requests = [{"PutRequest": {"Item": t.serialize()}} for t in chunk]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(write, [made[i : i + 25] for i in range(0, len(made), 25)]))
    sums: dict[tuple[str, str], dict[str, float]] = {}
    for t in made:
        for event in counting.ticket_events(t, None):
            for part in event.parts:
                day = local_day(part.at, "America/Santiago")
                for series in counting._series(part):
                    adds = sums.setdefault((series, day), {})
                    for name, value in part.adds.items():
                        adds[name] = adds.get(name, 0) + value
    for (series, day), adds in sums.items():
        StatsDay(keys.stats_pk(tenant_id, series), keys.stats_sk(day)).update_only(
            _bump_actions(tenant_id, Bump(series, day, adds))
        )


def cost(admin: Any, **series: str) -> tuple[dict[str, int], float, dict[str, Any]]:
    with measure() as meter:
        found = summary(admin, date(2026, 3, 2), date(2026, 3, 8), **series)
    requests = {name: op.requests for name, op in meter.operations.items()}
    return requests, meter.read_units, found["total"]


@pytest.mark.volume
def test_a_summary_costs_the_same_with_100_tickets_as_with_20000(admin_principal):
    admin = admin_principal
    tenant_id = admin.tenant_id
    agents = [admin.user_id] + [f"01jagent0000000000000000{i:02d}" for i in range(39)]
    for channel_id in CHANNELS:
        Channel(keys.tenant_pk(tenant_id), keys.channel_sk(channel_id), tenant_id=tenant_id,
                channel_id=channel_id, channel_type="whatsapp", name="Ventas",
                account_id=channel_id, identifiers={}, created_at=START, updated_at=START).save()  # fmt: skip
    wanted = {"all": {}, "channel": {"channel": CHANNELS[3]}, "agent": {"agent": admin.user_id}}

    seed(tenant_id, range(1, 101), agents)
    small = {name: cost(admin, **series) for name, series in wanted.items()}
    seed(tenant_id, range(101, 20_001), agents)
    large = {name: cost(admin, **series) for name, series in wanted.items()}
    for name in wanted:
        (requests, units, _), (requests_after, units_after, _) = (
            small[name],
            large[name],
        )
        print(
            f"{name}: {requests} {units} RCU with 100 tickets; {requests_after} {units_after} RCU with 20,000"
        )
        assert requests == requests_after, name
        assert requests["BatchGetItem"] == 1, name  # the series' 7 days
        assert sum(requests.values()) == (2 if name == "all" else 3), (
            requests
        )  # + tenant (+ channel or user)
        assert units == units_after, name
        assert units == 7 * 0.5 + 0.5 * (sum(requests.values()) - 1), (name, units)
    assert small["all"][2]["tickets"]["opened"] == 100
    assert large["all"][2]["tickets"]["opened"] == 20_000
    answered = [n for n in range(1, 20_001) if local_day(ticket(tenant_id, n, agents).first_response_at,
                                                          "America/Santiago") <= "2026-03-08"]  # fmt: skip
    frt = large["all"][2]["first_response"]["calendar"]
    assert frt["count"] == len(answered)
    mean = sum(ANSWERED[n % len(ANSWERED)] for n in answered) / len(answered)
    assert frt["mean_seconds"] == round(mean, 1)


def test_the_monitoring_table_costs_the_same_with_few_and_many_tickets(admin_principal):
    """The tenant, its users and agent states, and today's counters (one BatchGetItem):
    the tickets are never read (an admin without an agent row: one counting Query)."""
    admin = admin_principal
    with measure() as meter:
        table = monitor.monitoring_table(admin)
    requests = {name: op.requests for name, op in meter.operations.items()}
    assert [row["user_id"] for row in table["agents"]] == [admin.user_id]
    assert requests == {"GetItem": 1, "Query": 3, "BatchGetItem": 1}, requests


def test_a_busy_days_counters_stay_under_4_kb(admin_principal):
    """A day's item is read at 0.5 units while it stays under 4 KB: a day whose durations
    fill half of every histogram (far more spread than a real desk's) still does."""
    admin = admin_principal
    adds: dict[str, float] = {}
    for metric in ("first_response", "first_resolution", "full_resolution"):
        for clock in ("calendar", "business"):
            name = counting.prefix(metric, clock)
            adds[counting.count_name(name)] = 123_456
            adds[counting.sum_name(name)] = 98_765_432.125
            for i in range(0, 91, 2):
                adds[counting.bucket_name(name, i)] = 4_321
    for other in (
        "msgs_in",
        "msgs_out",
        "bot_out",
        "auto_out",
        "opened",
        "closed",
        "reopened",
        "orders",
        "payments",
        "sla_first_response_met",
        "sla_resolution_breached",
    ):
        adds[other] = 123_456
    StatsDay(keys.stats_pk(admin.tenant_id, "all"), "2026-03-02").update_only(
        _bump_actions(admin.tenant_id, Bump("all", "2026-03-02", adds))
    )
    with measure() as meter:
        summary(admin, date(2026, 3, 2), date(2026, 3, 2))
    assert meter.operations["BatchGetItem"].read_units == 0.5
