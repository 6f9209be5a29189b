"""Platform status: each component checked for real, with its latency."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

State = Literal["ok", "down", "late", "waiting"]

#: A probe does one real round trip and returns details to show (or raises).
Probe = Callable[[], dict[str, Any]]

#: A scheduled job that has not run for this long is late.
HEARTBEAT_GRACE = timedelta(minutes=3)


class ComponentStatus(BaseModel):
    name: str
    state: State
    latency_ms: float | None = None
    details: dict[str, Any] = {}


class PlatformStatus(BaseModel):
    status: Literal["ok", "down"]
    checked_at: datetime
    components: list[ComponentStatus]


def check_component(name: str, probe: Probe) -> ComponentStatus:
    started = time.perf_counter()
    try:
        details = probe()
    except Exception as exc:  # any failure of the dependency is its state, not ours
        latency = round((time.perf_counter() - started) * 1000, 2)
        return ComponentStatus(
            name=name, state="down", latency_ms=latency, details={"error": type(exc).__name__}
        )
    latency = round((time.perf_counter() - started) * 1000, 2)
    return ComponentStatus(name=name, state="ok", latency_ms=latency, details=details)


def scheduler_status(
    expected_jobs: list[str], heartbeats: Mapping[str, datetime], now: datetime
) -> ComponentStatus:
    """Scheduled jobs are late when their last run is older than the grace period.

    A job that never ran is ``waiting`` (a fresh deployment), which is not a failure.
    """
    jobs: dict[str, Any] = {}
    late = False
    for job in expected_jobs:
        last = heartbeats.get(job)
        if last is None:
            jobs[job] = {"state": "waiting", "last_run": None}
        else:
            job_late = now - last > HEARTBEAT_GRACE
            late = late or job_late
            jobs[job] = {"state": "late" if job_late else "ok", "last_run": last.isoformat()}
    state: State = "late" if late else "ok"
    return ComponentStatus(name="scheduler", state=state, details={"jobs": jobs})


def platform_status(components: list[ComponentStatus], now: datetime) -> PlatformStatus:
    healthy = all(c.state in ("ok", "waiting") for c in components)
    return PlatformStatus(status="ok" if healthy else "down", checked_at=now, components=components)
