"""Analytics' items (docs/analytics.md "The counter model"): a series' counters per local
day, the marks of the events already counted, and the report index.

A counter item has one number attribute per thing it counts (``msgs_in``,
``frt_cal_n``, ``frt_cal_h17`` ...): DynamoDB's ADD creates each at its first count, so
the names are open-ended and the items are read raw (the model declares none of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from chalicelib.store import keys
from chalicelib.store.base import Item, condition_failed, transaction


class StatsDay(Item, discriminator="StatsDay"):
    """One series' counts of one local day (its counters are undeclared attributes)."""

    tenant_id = UnicodeAttribute()
    series = UnicodeAttribute()
    day = UnicodeAttribute()


class CountedEvent(Item, discriminator="CountedEvent"):
    """An event added to the counters; its presence stops a second count."""

    tenant_id = UnicodeAttribute()


class ReportIndex(Item, discriminator="ReportIndex"):
    """A ticket (by the day it was created) or a payment (by the day it was recorded) in
    the list a report pages through."""

    tenant_id = UnicodeAttribute()
    day = UnicodeAttribute()
    number = NumberAttribute()  # the ticket's, or the payment's order's
    payment_id = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class Bump:
    """Numbers to add to one series' counters of one day."""

    series: str
    day: str
    adds: Mapping[str, int | float]


@dataclass(frozen=True)
class Counted:
    """One event's whole effect on the counters, written at most once under its key."""

    tenant_id: str
    event_key: str
    bumps: Sequence[Bump]
    index: Sequence[ReportIndex] = field(default_factory=tuple)


def count_once(counted: Counted) -> bool:
    """Add an event's numbers (and its report index entries) in one transaction with its
    mark; False when the mark was there: counted before, nothing added."""
    bumps = [b for b in counted.bumps if any(b.adds.values())]
    if not bumps and not counted.index:
        return True
    mark = CountedEvent(keys.counted_pk(counted.tenant_id, counted.event_key), keys.counted_sk(),
                        tenant_id=counted.tenant_id)  # fmt: skip
    try:
        with transaction() as write:
            write.save(mark, condition=CountedEvent.PK.does_not_exist())
            for bump in bumps:
                write.update(StatsDay(keys.stats_pk(counted.tenant_id, bump.series),
                                      keys.stats_sk(bump.day)),
                             actions=_bump_actions(counted.tenant_id, bump))  # fmt: skip
            for entry in counted.index:
                write.save(entry)
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _bump_actions(tenant_id: str, bump: Bump) -> list[Any]:
    actions: list[Any] = [
        UnicodeAttribute(attr_name="kind").set("StatsDay"), StatsDay.tenant_id.set(tenant_id),
        StatsDay.series.set(bump.series), StatsDay.day.set(bump.day),
    ]  # fmt: skip
    for name, value in bump.adds.items():
        if value:
            actions.append(NumberAttribute(attr_name=name).add(value))
    return actions


_ITEM_ATTRIBUTES = frozenset({"PK", "SK", "kind", "tenant_id", "series", "day", "expires_at"})


def read_days(tenant_id: str, series: str, days: Sequence[str]) -> dict[str, dict[str, float]]:
    """A series' counters of ``days`` (those that have any), by day: one BatchGetItem per
    100 days. Each day's item is read on its own, so a day costs 0.5 read units (an item
    under 4 KB) however many things it counts: the summary's cost is the number of days,
    never the volume (a Query would add up the items' sizes, which grow a few bytes as
    their numbers get longer)."""
    found = _batch_raw(tenant_id, [(series, day) for day in days])
    return {day: counters for (_, day), counters in found.items()}


def read_day_of_each(
    tenant_id: str, series: Iterable[str], day: str
) -> dict[str, dict[str, float]]:
    """One day's counters of several series (the monitoring table: every agent's today),
    by series: one BatchGetItem per 100 series."""
    found = _batch_raw(tenant_id, [(s, day) for s in dict.fromkeys(series)])
    return {s: counters for (s, _), counters in found.items()}


def _batch_raw(
    tenant_id: str, wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, float]]:
    """Counter items by (series, day), read raw: the model declares none of the counters."""
    connection = StatsDay._get_connection()
    table = StatsDay.Meta.table_name
    found: dict[tuple[str, str], dict[str, float]] = {}
    for i in range(0, len(wanted), 100):
        asked = [
            {"PK": keys.stats_pk(tenant_id, s), "SK": keys.stats_sk(d)}
            for s, d in wanted[i : i + 100]
        ]
        while asked:
            answer = connection.batch_get_item(asked)
            for raw in answer.get("Responses", {}).get(table, []):
                found[(raw["series"]["S"], raw["day"]["S"])] = _numbers(raw)
            left = answer.get("UnprocessedKeys", {}).get(table, {})
            asked = [{"PK": k["PK"]["S"], "SK": k["SK"]["S"]} for k in left.get("Keys", [])]
    return found


def _numbers(raw: Mapping[str, Any]) -> dict[str, float]:
    return {name: float(value["N"]) for name, value in raw.items()
            if name not in _ITEM_ATTRIBUTES and "N" in value}  # fmt: skip


def index_entries(
    tenant_id: str, kind: str, first_day: str, last_day: str
) -> Iterator[ReportIndex]:
    """The report index of ``kind`` (tickets, payments) for the days ``first_day`` to
    ``last_day``, in order: one Query, paged."""
    low, high = keys.report_index_range(first_day, last_day)
    yield from ReportIndex.query(
        keys.report_index_pk(tenant_id, kind), ReportIndex.SK.between(low, high)
    )


def ticket_entry(tenant_id: str, day: str, number: int) -> ReportIndex:
    return ReportIndex(keys.report_index_pk(tenant_id, "tickets"), keys.report_ticket_sk(day, number),
                       tenant_id=tenant_id, day=day, number=number)  # fmt: skip


def payment_entry(tenant_id: str, day: str, order_number: int, payment_id: str) -> ReportIndex:
    return ReportIndex(keys.report_index_pk(tenant_id, "payments"),
                       keys.report_payment_sk(day, order_number, payment_id),
                       tenant_id=tenant_id, day=day, number=order_number, payment_id=payment_id)  # fmt: skip


def open_tickets_of(tenant_id: str, user_id: str) -> int:
    """How many open or pending tickets a person holds, counted on the board's index (for
    people without an agent row, whose load nobody keeps): one Query, ``Select=COUNT``."""
    from chalicelib.store.helpdesk import Ticket

    return int(Ticket.by_queue.count(keys.queue_pk(tenant_id, user_id, active=True)))
