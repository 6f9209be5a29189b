"""Is a channel open now? Weekly hours in the channel's timezone, minus holidays."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(business_hours: dict[str, Any] | None, at: datetime) -> bool:
    """Without business hours a channel is always open."""
    if not business_hours:
        return True
    local = at.astimezone(ZoneInfo(business_hours.get("timezone") or "UTC"))
    if local.date().isoformat() in {str(h) for h in business_hours.get("holidays") or []}:
        return False
    clock = local.strftime("%H:%M")
    ranges = (business_hours.get("weekly") or {}).get(DAYS[local.weekday()]) or []
    return any(start <= clock < end for start, end in ranges)
