"""The one clock. Production reads the system time; tests freeze and move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock:
    """UTC time source that tests can freeze (``freeze``), move (``advance``) and release."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def freeze(self, at: datetime | None = None) -> datetime:
        at = at or datetime.now(UTC)
        if at.tzinfo is None:
            raise ValueError("the clock only holds timezone-aware times")
        self._frozen = at.astimezone(UTC)
        return self._frozen

    def advance(self, delta: timedelta) -> datetime:
        if self._frozen is None:
            raise RuntimeError("freeze the clock before moving it")
        self._frozen += delta
        return self._frozen

    def release(self) -> None:
        self._frozen = None


clock = Clock()


def now() -> datetime:
    return clock.now()


def iso(at: datetime) -> str:
    """Sortable UTC timestamp with milliseconds, the format every key and field uses."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def timezone_of(name: str | None) -> ZoneInfo:
    """A tenant's or channel's timezone; UTC when unset or unknown (never raises: what
    it dates is still worth saying)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
