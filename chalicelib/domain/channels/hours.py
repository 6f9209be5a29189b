"""Business-hours arithmetic: is a channel open, and when do N open minutes elapse?

A channel's business hours (``BusinessHours`` in settings.py) are weekly ranges of local
wall-clock times in the channel's timezone, minus holidays (local calendar dates). SLA
deadlines in ``business`` mode and auto-reply quiet periods count only open time.

:class:`Schedule` is the immutable, precomputed form of those settings. Every instant it
takes must be timezone-aware (naive datetimes raise ``ValueError``); every instant it
returns is an aware datetime in UTC.

How local wall times become instants (daylight saving):

* Each range of a local day becomes ``[start, end)`` in UTC. ``"24:00"`` means the next
  local midnight, and ranges that touch (``22:00-24:00`` then ``00:00-06:00`` of the next
  day, or ``09:00-12:00`` then ``12:00-13:00``) form one continuous open period.
* A wall time that does not exist (it falls in a spring-forward gap, e.g. 02:30 on the
  last Sunday of March in Europe/Madrid, or 00:00 on Chile's September change day) is
  moved forward to the first instant that exists, i.e. the instant of the change. A range
  lying wholly inside a gap is therefore empty that day; ``01:00-02:30`` in Madrid on the
  spring-forward day is open from 01:00 to the change (02:00 CET = 03:00 CEST), one hour.
* A wall time that happens twice (fall-back) means its first occurrence (``fold=0``). On
  Madrid's October change ``00:00-02:30`` closes at the first 02:30 (CEST) and
  ``02:30-05:00`` opens at the first 02:30 and runs through the repeated hour to 05:00 CET.
  Open time is measured in real elapsed time, so such a day has more or fewer open
  minutes than its nominal hours.

The legacy :func:`is_open` keeps its wall-clock reading: it differs from
:meth:`Schedule.is_open` only inside a repeated fall-back hour, where the wall clock shows
the same times twice and it answers by the clock while the schedule answers by the rule
above.

Horizon: searching forward for open time gives up after :data:`HORIZON` (three years of
366 days) without any: :func:`add_business_minutes` and :func:`deadline` raise
``ValueError`` and :func:`next_opening` returns ``None``. At most 366 holidays exist, so a
schedule with any weekly hours always opens well within it.

Cost: walking is per local day, never per minute, and stretches of whole weeks without a
holiday or a UTC-offset change are skipped in one step, each worth the nominal weekly open
time. UTC-offset changes are located once per zone and year by sampling every six hours
(cached); a zone changing offset twice within six hours would not be noticed, and no zone
does.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.channels.settings import BusinessHours

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

HORIZON_DAYS = 3 * 366
HORIZON = timedelta(days=HORIZON_DAYS)

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)
_TICK = timedelta(microseconds=1)
_SAMPLE = timedelta(hours=6)
_ZERO = timedelta(0)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=14)

Interval = tuple[datetime, datetime]


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


# --- time zone helpers ------------------------------------------------------------------
def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _offset_at(tz: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _first_change(tz: ZoneInfo, before: datetime, after: datetime, offset: timedelta) -> datetime:
    """The first instant in (before, after] whose UTC offset is not ``offset``, given that
    ``before`` has that offset and ``after`` has not (bisection to the microsecond)."""
    lo, hi = 0, (after - before) // _TICK
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(tz, before + mid * _TICK) == offset:
            lo = mid
        else:
            hi = mid
    return before + hi * _TICK


def _to_utc(tz: ZoneInfo, wall: datetime) -> datetime:
    """The instant of a naive local wall time: the first occurrence of a repeated time
    (fold=0); for a time skipped by a spring-forward gap, the first instant after it."""
    first = wall.replace(tzinfo=tz, fold=0)
    offset = first.utcoffset()
    assert offset is not None
    instant = (wall - offset).replace(tzinfo=UTC)
    if offset == wall.replace(tzinfo=tz, fold=1).utcoffset():
        return instant  # the usual case: not near a change
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant  # exists (the first of two occurrences)
    later = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # in a gap: before the change
    if later >= instant or _offset_at(tz, later) != offset:  # pragma: no cover - defensive
        return instant
    return _first_change(tz, later, instant, offset)


@lru_cache(maxsize=512)
def _transitions_in_year(tz: ZoneInfo, year: int) -> tuple[datetime, ...]:
    """The instants in (Jan 1 ``year``, Jan 1 ``year + 1``] UTC at which ``tz`` changes its
    UTC offset, found by sampling every six hours."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    found = []
    here, offset = start, _offset_at(tz, start)
    while here < end:
        there = min(here + _SAMPLE, end)
        there_offset = _offset_at(tz, there)
        if there_offset != offset:
            found.append(_first_change(tz, here, there, offset))
        here, offset = there, there_offset
    return tuple(found)


def _next_transition(tz: ZoneInfo, since: datetime, until: datetime) -> datetime | None:
    """The first UTC-offset change in [since, until], None if there is none."""
    year = since.year - 1
    while year <= until.year:
        if not 1 <= year <= 9998:
            return since  # out of the supported range: say "changes", callers stay exact
        changes = _transitions_in_year(tz, year)
        index = bisect.bisect_left(changes, since)
        if index < len(changes):
            return changes[index] if changes[index] <= until else None
        year += 1
    return None


# --- the schedule -----------------------------------------------------------------------
def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly open ranges (minutes after local midnight, per weekday Monday first) in a
    timezone, minus holidays; ``always_open`` for a channel without business hours."""

    timezone: str = "UTC"
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    always_open: bool = False
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _holidays: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _week: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly needs one tuple of ranges per weekday")
        merged: list[tuple[tuple[int, int], ...]] = []
        for ranges in self.weekly:
            day: list[tuple[int, int]] = []
            for start, end in sorted(ranges):
                if not 0 <= start < end <= 24 * 60:
                    raise ValueError(f"{start}-{end} is not a range of minutes in a day")
                if day and start < day[-1][1]:
                    raise ValueError("ranges overlap")
                if day and start == day[-1][1]:
                    day[-1] = (day[-1][0], end)
                else:
                    day.append((start, end))
            merged.append(tuple(day))
        object.__setattr__(self, "weekly", tuple(merged))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_tz", ZoneInfo(self.timezone))
        object.__setattr__(self, "_holidays", tuple(sorted(self.holidays)))
        total = sum(end - start for ranges in merged for start, end in ranges)
        object.__setattr__(self, "_week", timedelta(minutes=total))

    @classmethod
    def from_settings(cls, business_hours: Mapping[str, Any] | BusinessHours | None) -> Schedule:
        """From a channel's ``business_hours`` setting (a dict as stored, or the model).

        None or an empty dict is a channel without business hours: always open. A dict is
        validated as ``BusinessHours`` (``ValueError`` if invalid); as in :func:`is_open`, a
        missing timezone means UTC and a missing ``weekly`` means closed every day."""
        if business_hours is None:
            return cls(always_open=True)
        if isinstance(business_hours, BusinessHours):
            model = business_hours
        else:
            if not business_hours:
                return cls(always_open=True)
            data = {key: value for key, value in business_hours.items() if value is not None}
            data["timezone"] = data.get("timezone") or "UTC"
            model = BusinessHours.model_validate(data)
        ranges = {str(day): pairs for day, pairs in model.weekly.items()}
        weekly = tuple(
            tuple((_minutes(start), _minutes(end)) for start, end in ranges.get(day, []))
            for day in DAYS
        )
        return cls(timezone=model.timezone, weekly=weekly, holidays=frozenset(model.holidays))

    # -- building blocks ------------------------------------------------------------------
    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._tz).date()

    def _midnight(self, day: date) -> datetime:
        return _to_utc(self._tz, datetime.combine(day, time()))

    def _day(self, day: date) -> list[Interval]:
        """The open intervals of one local day, in UTC, in order (possibly empty)."""
        if day in self.holidays:
            return []
        midnight = datetime.combine(day, time())
        out = []
        for start, end in self.weekly[day.weekday()]:
            opens = _to_utc(self._tz, midnight + timedelta(minutes=start))
            closes = _to_utc(self._tz, midnight + timedelta(minutes=end))
            if closes > opens:  # empty when wholly inside a spring-forward gap
                out.append((opens, closes))
        return out

    def _whole_weeks(self, day: date, weeks: int) -> int:
        """How many (at most ``weeks``) whole weeks from local midnight of ``day`` are
        plain: no holiday and no UTC-offset change near them, so each has exactly the
        nominal weekly open time."""
        if weeks <= 0:
            return 0
        index = bisect.bisect_left(self._holidays, day)
        if index < len(self._holidays):
            weeks = min(weeks, (self._holidays[index] - day).days // 7)
            if weeks <= 0:
                return 0
        begins = self._midnight(day)
        since = begins - _DAY
        change = _next_transition(self._tz, since, begins + weeks * _WEEK + _DAY)
        if change is not None:  # keep a day clear of the change on both sides
            weeks = min(weeks, (change - begins - _DAY - _TICK) // _WEEK)
        return max(weeks, 0)

    def _next_open(self, at: datetime) -> datetime | None:
        """The first open instant at or after ``at`` (UTC), None if none within HORIZON."""
        if self.always_open:
            return at
        if not self._week:
            return None
        day = self._local_date(at) - _DAY
        try:
            while True:
                for opens, closes in self._day(day):
                    if closes > at:
                        return max(opens, at)
                day += _DAY
                if self._midnight(day) - at > HORIZON:
                    return None
        except OverflowError:
            return None

    # -- public ---------------------------------------------------------------------------
    def is_open(self, at: datetime) -> bool:
        """Is ``at`` inside an open period (opening instant included, closing excluded)?"""
        at = _aware(at, "at")
        if self.always_open:
            return True
        today = self._local_date(at)
        return any(
            opens <= at < closes
            for day in (today - _DAY, today)
            for opens, closes in self._day(day)
        )

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[Interval]:
        """The open periods within [start, end), clipped to it, in order, as UTC pairs;
        periods that touch (across midnight, or split ranges) come out as one."""
        start, end = _aware(start, "start"), _aware(end, "end")
        if start >= end:
            return
        if self.always_open:
            yield start, end
            return
        pending: Interval | None = None
        day = self._local_date(start) - _DAY
        while self._midnight(day) < end:
            for opens, closes in self._day(day):
                opens, closes = max(opens, start), min(closes, end)
                if closes <= opens:
                    continue
                if pending is not None and opens <= pending[1]:
                    pending = (pending[0], max(pending[1], closes))
                    continue
                if pending is not None:
                    yield pending
                pending = (opens, closes)
            day += _DAY
        if pending is not None:
            yield pending


# --- arithmetic -------------------------------------------------------------------------
def _duration(minutes: float) -> timedelta:
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise TypeError(f"minutes must be a number, not {type(minutes).__name__}")
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
    try:
        return timedelta(minutes=minutes)
    except OverflowError as exc:
        raise ValueError("the deadline is past the supported date range") from exc


def next_opening(schedule: Schedule, at: datetime) -> datetime | None:
    """The first instant at or after ``at`` at which the schedule is open: ``at`` itself
    (in UTC) when open then, None when it does not open within :data:`HORIZON`."""
    return schedule._next_open(_aware(at, "at"))


def add_business_minutes(schedule: Schedule, start: datetime, minutes: float) -> datetime:
    """The instant at which ``minutes`` of open time have elapsed since ``start``.

    Counting begins at ``start`` if open then, else at the next opening; zero minutes
    gives that instant. The result may be exactly a closing instant (the count ran out
    with the period) but never lies inside closed time. Raises ``ValueError`` when the
    schedule has no open time within :data:`HORIZON` of where the count stands, or the
    result would be past the year 9999."""
    at = _aware(start, "start")
    remaining = _duration(minutes)
    if schedule.always_open:
        try:
            return at + remaining
        except OverflowError as exc:
            raise ValueError("the deadline is past the supported date range") from exc
    if not schedule._week:
        raise ValueError("the business hours have no open time on any day")
    week = schedule._week
    # a week never holds more than its nominal open time plus a day (a repeated hour)
    if remaining // (week + _DAY) > (_LATEST - at) // _WEEK:
        raise ValueError("the deadline is past the supported date range")
    day = schedule._local_date(at) - _DAY
    last_open = at
    try:
        while True:
            midnight = schedule._midnight(day)
            if midnight >= at and remaining > week:
                # never skip to the very end: the result must come from a real interval
                weeks = schedule._whole_weeks(day, (remaining - _TICK) // week)
                if weeks:
                    remaining -= weeks * week
                    day += weeks * _WEEK
                    last_open = schedule._midnight(day)
                    continue
            for opens, closes in schedule._day(day):
                if closes <= at:
                    continue
                opens = max(opens, at)
                if remaining <= closes - opens:
                    return opens + remaining
                remaining -= closes - opens
                last_open = closes
            day += _DAY
            if schedule._midnight(day) - last_open > HORIZON:
                raise ValueError(
                    f"the business hours have no open time within {HORIZON_DAYS} days "
                    f"after {last_open.isoformat()}"
                )
    except OverflowError as exc:
        raise ValueError("the deadline is past the supported date range") from exc


def business_minutes_between(schedule: Schedule, a: datetime, b: datetime) -> float:
    """Open minutes in [a, b); negative (minus those in [b, a)) when b is before a."""
    start, end = _aware(a, "a"), _aware(b, "b")
    if end < start:
        return -business_minutes_between(schedule, end, start)
    if schedule.always_open:
        return (end - start) / _MINUTE
    if not schedule._week:
        return 0.0
    total = _ZERO
    last_day = schedule._local_date(end)
    day = schedule._local_date(start) - _DAY
    while (midnight := schedule._midnight(day)) < end:
        if midnight >= start:
            # weeks ending by local midnight of end's date end by ``end``
            weeks = schedule._whole_weeks(day, (last_day - day).days // 7)
            if weeks:
                total += weeks * schedule._week
                day += weeks * _WEEK
                continue
        for opens, closes in schedule._day(day):
            opens, closes = max(opens, start), min(closes, end)
            if closes > opens:
                total += closes - opens
        day += _DAY
    return total / _MINUTE


def deadline(
    schedule: Schedule | None,
    start: datetime,
    minutes: float,
    mode: Literal["calendar", "business"],
) -> datetime:
    """An SLA deadline in UTC: ``minutes`` after ``start`` in calendar time, or in open
    time of ``schedule`` (a channel without business hours, None, counts calendar time)."""
    if mode == "calendar" or (mode == "business" and schedule is None):
        return add_business_minutes(Schedule(always_open=True), start, minutes)
    if mode == "business":
        assert schedule is not None
        return add_business_minutes(schedule, start, minutes)
    raise ValueError(f"unknown SLA mode {mode!r}")
