"""Scheduled jobs: each run is recorded, so the status route can tell a stalled scheduler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.clock import now
from chalicelib.store.platform import record_heartbeat

T = TypeVar("T")

#: Every scheduled job of app.py, by name; the status route expects a heartbeat from each.
SCHEDULED_JOBS: list[str] = [
    "platform_heartbeat",
    "poll_channels",
    "sla_sweep",
    "effects_sweep",
    "token_expiry",
]


def run_scheduled(job: str, work: Callable[[], T]) -> T:
    """Run one scheduled job and record that it ran."""
    result = work()
    record_heartbeat(job, now())
    return result


def platform_heartbeat() -> dict[str, Any]:
    """The scheduler's own pulse: proves schedules fire even when no other job has work."""
    return run_scheduled("platform_heartbeat", lambda: {"ok": True})
