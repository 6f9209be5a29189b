"""The summary (``GET /v1/analytics/summary``, docs/analytics.md "The API"): a series'
counters of a range of the tenant's days, per day and in total. One item read per day
(BatchGetItem), whatever the number of tickets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from chalicelib.clock import now, timezone_of
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.analytics import histogram
from chalicelib.domain.analytics.counting import (
    ALL,
    SENTIMENTS,
    SLA_KINDS,
    agent_series,
    bucket_name,
    channel_series,
    count_name,
    prefix,
    sum_name,
)
from chalicelib.domain.analytics.metrics import CLOCKS, METRICS
from chalicelib.domain.errors import Invalid, NotFound
from chalicelib.store import analytics as store

LONGEST_RANGE_DAYS = 366
DEFAULT_DAYS = 7

Counters = Mapping[str, float]


def tenant_timezone(tenant_id: str) -> str:
    """The tenant's timezone as it is set now (the days of a range are its days)."""
    from chalicelib.store import keys
    from chalicelib.store.accounts import Tenant, get_or_none

    tenant = get_or_none(Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk())
    return (tenant.timezone if tenant is not None else None) or "UTC"


def today(timezone: str) -> date:
    return now().astimezone(timezone_of(timezone)).date()


def _at(name: str) -> list[dict[str, Any]]:
    return [{"loc": ["query", name], "msg": "see the message", "type": "value_error"}]


def day_range(first: date | None, last: date | None, timezone: str) -> tuple[date, date]:
    """The range asked for, checked; the last 7 days up to today when none is given."""
    last = last or (first + timedelta(days=DEFAULT_DAYS - 1) if first else today(timezone))
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("'from' is after 'to'.", code="range_reversed", details=_at("from"))
    if (last - first).days + 1 > LONGEST_RANGE_DAYS:
        raise Invalid(f"A range covers at most {LONGEST_RANGE_DAYS} days.",
                      code="range_too_long", details=_at("to"))  # fmt: skip
    return first, last


def series_of(
    principal: Principal, channel: str | None, agent: str | None
) -> tuple[str, str | None, str]:
    """(kind, id, the counters' series) for the filter asked: one channel, one agent, or
    the whole account; 404 for a channel or user this tenant does not have."""
    if channel and agent:
        raise Invalid("Choose a channel or an agent, not both.", code="one_series",
                      details=_at("agent"))  # fmt: skip
    from chalicelib.store import keys
    from chalicelib.store.accounts import User, get_or_none
    from chalicelib.store.channels import Channel

    if channel:
        if (
            get_or_none(Channel, keys.tenant_pk(principal.tenant_id), keys.channel_sk(channel))
            is None
        ):
            raise NotFound("There is no such channel.")
        return "channel", channel, channel_series(channel)
    if agent:
        if get_or_none(User, keys.tenant_pk(principal.tenant_id), keys.user_sk(agent)) is None:
            raise NotFound("There is no such user.")
        return "agent", agent, agent_series(agent)
    return "all", None, ALL


def summary(principal: Principal, first: date | None, last: date | None,
            channel: str | None = None, agent: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Every metric of docs/analytics.md per day of the range and in total."""
    kind, series_id, series = series_of(principal, channel, agent)
    timezone = tenant_timezone(principal.tenant_id)
    first, last = day_range(first, last, timezone)
    dates = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    found = store.read_days(principal.tenant_id, series, dates)
    days, total = [], {}  # type: ignore[var-annotated]
    for day in dates:
        counters = found.get(day, {})
        days.append({"date": day, **metrics(counters)})
        for name, value in counters.items():
            total[name] = total.get(name, 0) + value
    return {
        "from": first.isoformat(), "to": last.isoformat(), "timezone": timezone,
        "series": {"kind": kind, "id": series_id},
        "percentile_error": round(histogram.RELATIVE_ERROR, 2),
        "days": days,
        "total": {**metrics(total), "distributions": distributions(total)},
    }  # fmt: skip


def _n(counters: Counters, name: str) -> int:
    return round(counters.get(name, 0))


def buckets(counters: Counters, duration_prefix: str) -> list[int]:
    """A duration's histogram (its bucket counters) as a list of bucket counts."""
    counts = histogram.empty()
    for i in range(len(counts)):
        counts[i] = _n(counters, bucket_name(duration_prefix, i))
    return counts


def duration_stats(counters: Counters, duration_prefix: str) -> dict[str, Any]:
    """Count, exact mean and the 90th percentile (interpolated in its bucket)."""
    count = _n(counters, count_name(duration_prefix))
    if count <= 0:
        return {"count": 0, "mean_seconds": None, "p90_seconds": None}
    mean = counters.get(sum_name(duration_prefix), 0) / count
    p90 = histogram.percentile(buckets(counters, duration_prefix), 0.9)
    return {"count": count, "mean_seconds": round(mean, 1),
            "p90_seconds": round(p90, 1) if p90 is not None else None}  # fmt: skip


def metrics(counters: Counters) -> dict[str, Any]:
    """One day's (or the total's) metrics from its counters."""
    out: dict[str, Any] = {
        "messages": {"in": _n(counters, "msgs_in"), "out": _n(counters, "msgs_out"),
                     "bot": _n(counters, "bot_out"), "auto": _n(counters, "auto_out")},
        "tickets": {"opened": _n(counters, "opened"), "closed": _n(counters, "closed"),
                    "reopened": _n(counters, "reopened")},
    }  # fmt: skip
    for metric in METRICS:
        out[metric] = {clock: duration_stats(counters, prefix(metric, clock)) for clock in CLOCKS}
    out["sla"] = {}
    for kind in SLA_KINDS:
        met, breached = _n(counters, f"sla_{kind}_met"), _n(counters, f"sla_{kind}_breached")
        settled = met + breached
        out["sla"][kind] = {"met": met, "breached": breached,
                            "compliance": round(met / settled, 4) if settled else None}  # fmt: skip
    out["sentiment"] = {
        edge: {s: _n(counters, f"sent_{edge}_{s}") for s in SENTIMENTS} for edge in ("start", "end")
    }
    out["orders"] = {"created": _n(counters, "orders")}
    out["payments"] = {"recorded": _n(counters, "payments")}
    return out


def distributions(counters: Counters) -> dict[str, Any]:
    """The total's histograms, non-empty buckets only, for the console's charts."""
    out: dict[str, Any] = {}
    for metric in METRICS:
        out[metric] = {}
        for clock in CLOCKS:
            counts = buckets(counters, prefix(metric, clock))
            out[metric][clock] = [
                {"from_seconds": round(histogram.lower_bound(i), 1),
                 "to_seconds": round(histogram.upper_bound(i), 1), "count": c}
                for i, c in enumerate(counts) if c > 0
            ]  # fmt: skip
    return out
