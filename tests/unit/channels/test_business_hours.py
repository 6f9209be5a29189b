"""Business-hours arithmetic (chalicelib/domain/channels/hours.py): examples, then laws."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.channels import hours
from chalicelib.domain.channels.hours import (
    DAYS,
    HORIZON_DAYS,
    Schedule,
    add_business_minutes,
    business_minutes_between,
    deadline,
    is_open,
    next_opening,
)
from chalicelib.domain.channels.settings import BusinessHours

SCL = ZoneInfo("America/Santiago")
MAD = ZoneInfo("Europe/Madrid")
TICK = timedelta(microseconds=1)
MINUTE = timedelta(minutes=1)
ONE_MICROSECOND_IN_MINUTES = 1 / 60_000_000

OFFICE = {day: [["09:00", "18:00"]] for day in DAYS[:5]}


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    """Pure arithmetic: no mocked AWS stack (the suite-wide fixture's per-test setup would
    take most of this file's run time)."""
    yield


def office(zone: str = "America/Santiago", **extra: Any) -> Schedule:
    return Schedule.from_settings({"timezone": zone, "weekly": OFFICE, **extra})


def at(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """A local wall time as a UTC instant (aware datetimes in a repeated hour never compare
    equal to other zones' datetimes, so tests compare in UTC)."""
    return datetime(*parts, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[arg-type, misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


def intervals(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[datetime, ...]]:
    return list(schedule.open_intervals(start, end))


# --- examples ---------------------------------------------------------------------------
def test_friday_evening_plus_twenty_minutes_lands_on_monday_morning():
    schedule = office()
    friday = at(SCL, 2026, 3, 6, 17, 50)
    assert add_business_minutes(schedule, friday, 20) == at(SCL, 2026, 3, 9, 9, 10)
    assert business_minutes_between(schedule, friday, at(SCL, 2026, 3, 9, 9, 10)) == 20
    assert business_minutes_between(schedule, at(SCL, 2026, 3, 9, 9, 10), friday) == -20


def test_inputs_in_any_zone_and_results_in_utc():
    friday = datetime(2026, 3, 6, 17, 50, tzinfo=SCL)  # local input, -03
    result = add_business_minutes(office(), friday, 20)
    assert result.tzinfo is UTC
    assert result == utc(2026, 3, 9, 12, 10)
    in_madrid = friday.astimezone(MAD)
    assert add_business_minutes(office(), in_madrid, 20) == result
    assert next_opening(office(), in_madrid).tzinfo is UTC


def test_a_weekend_then_a_holiday_are_skipped():
    schedule = office(holidays=["2026-03-09"])
    friday = at(SCL, 2026, 3, 6, 17, 50)
    assert add_business_minutes(schedule, friday, 20) == at(SCL, 2026, 3, 10, 9, 10)
    assert business_minutes_between(schedule, friday, at(SCL, 2026, 3, 11, 9)) == 10 + 540
    assert not schedule.is_open(at(SCL, 2026, 3, 9, 12))
    assert next_opening(schedule, at(SCL, 2026, 3, 6, 19)) == at(SCL, 2026, 3, 10, 9)


def test_a_holiday_is_a_local_calendar_date():
    schedule = Schedule.from_settings(
        {
            "timezone": "Asia/Kolkata",
            "weekly": {"mon": [["00:00", "24:00"]]},
            "holidays": ["2026-03-09"],
        }
    )
    # Monday 2026-03-09 00:00 IST is Sunday 18:30 UTC: the holiday starts then, in UTC terms
    assert not schedule.is_open(utc(2026, 3, 8, 18, 30))
    assert schedule.is_open(utc(2026, 3, 15, 18, 30))  # the following Monday, IST


def test_counting_starts_at_the_next_opening_when_closed():
    schedule = office()
    saturday = at(SCL, 2026, 3, 7, 11)
    assert add_business_minutes(schedule, saturday, 0) == at(SCL, 2026, 3, 9, 9)
    assert add_business_minutes(schedule, saturday, 60) == at(SCL, 2026, 3, 9, 10)
    assert add_business_minutes(schedule, at(SCL, 2026, 3, 9, 7), 30) == at(SCL, 2026, 3, 9, 9, 30)


def test_zero_minutes_while_open_is_the_start_itself():
    start = at(SCL, 2026, 3, 9, 11, 17, 3, 123456)
    assert add_business_minutes(office(), start, 0) == start
    assert next_opening(office(), start) == start


def test_ending_with_the_period_gives_the_closing_instant():
    schedule = office()
    assert add_business_minutes(schedule, at(SCL, 2026, 3, 9, 17), 60) == at(SCL, 2026, 3, 9, 18)
    assert not schedule.is_open(at(SCL, 2026, 3, 9, 18))
    assert schedule.is_open(at(SCL, 2026, 3, 9, 18) - TICK)


def test_a_day_without_hours_is_closed_all_day():
    weekly = {day: OFFICE[day] for day in ("mon", "tue", "thu", "fri")}  # no Wednesday
    schedule = Schedule.from_settings({"timezone": "America/Santiago", "weekly": weekly})
    tuesday = at(SCL, 2026, 3, 10, 17)
    assert add_business_minutes(schedule, tuesday, 120) == at(SCL, 2026, 3, 12, 10)
    assert business_minutes_between(schedule, at(SCL, 2026, 3, 11), at(SCL, 2026, 3, 12)) == 0
    assert not schedule.is_open(at(SCL, 2026, 3, 11, 12))


def test_split_ranges_within_a_day():
    schedule = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"mon": [["14:00", "18:00"], ["09:00", "13:00"]]}}
    )
    assert add_business_minutes(schedule, at(MAD, 2026, 3, 2, 12, 30), 60) == at(
        MAD, 2026, 3, 2, 14, 30
    )
    assert intervals(schedule, at(MAD, 2026, 3, 2), at(MAD, 2026, 3, 3)) == [
        (at(MAD, 2026, 3, 2, 9), at(MAD, 2026, 3, 2, 13)),
        (at(MAD, 2026, 3, 2, 14), at(MAD, 2026, 3, 2, 18)),
    ]


def test_twenty_four_hundred_is_the_next_midnight_and_touching_ranges_merge():
    schedule = Schedule.from_settings(
        {
            "timezone": "Europe/Madrid",
            "weekly": {
                "mon": [["18:00", "24:00"]],
                "tue": [["00:00", "02:00"], ["02:00", "03:00"]],
            },
        }
    )
    monday = at(MAD, 2026, 3, 2, 23, 50)
    assert add_business_minutes(schedule, monday, 20) == at(MAD, 2026, 3, 3, 0, 10)
    assert schedule.is_open(at(MAD, 2026, 3, 3) - TICK)
    assert schedule.is_open(at(MAD, 2026, 3, 3))
    assert intervals(schedule, at(MAD, 2026, 3, 2), at(MAD, 2026, 3, 4)) == [
        (at(MAD, 2026, 3, 2, 18), at(MAD, 2026, 3, 3, 3)),
    ]
    only_monday = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"mon": [["18:00", "24:00"]]}}
    )
    assert not only_monday.is_open(at(MAD, 2026, 3, 3))
    assert add_business_minutes(only_monday, at(MAD, 2026, 3, 2, 23, 50), 10) == at(MAD, 2026, 3, 3)
    assert add_business_minutes(only_monday, at(MAD, 2026, 3, 2, 23, 50), 20) == at(
        MAD, 2026, 3, 9, 18, 10
    )


def test_santiago_autumn_change_at_midnight_repeats_saturday_23h():
    # 2026-04-05 00:00 -03 becomes 2026-04-04 23:00 -04: Saturday's last hour happens twice
    schedule = Schedule.from_settings(
        {
            "timezone": "America/Santiago",
            "weekly": {"sat": [["20:00", "24:00"]], "sun": [["00:00", "02:00"]]},
        }
    )
    opens, closes = at(SCL, 2026, 4, 4, 20), at(SCL, 2026, 4, 5, 2)
    assert (opens, closes) == (utc(2026, 4, 4, 23), utc(2026, 4, 5, 6))
    assert intervals(schedule, opens - timedelta(hours=5), closes + timedelta(hours=5)) == [
        (opens, closes)
    ]
    assert business_minutes_between(schedule, at(SCL, 2026, 4, 4), at(SCL, 2026, 4, 6)) == 7 * 60
    first_2330 = at(SCL, 2026, 4, 4, 23, 30)  # fold=0: the first occurrence, -03
    assert first_2330 == utc(2026, 4, 5, 2, 30)
    assert add_business_minutes(schedule, first_2330, 60) == at(SCL, 2026, 4, 4, 23, 30, fold=1)
    assert add_business_minutes(schedule, first_2330, 90) == at(SCL, 2026, 4, 5, 0, 0)

    ends_2330 = Schedule.from_settings(
        {"timezone": "America/Santiago", "weekly": {"sat": [["22:00", "23:30"]]}}
    )
    # an ambiguous end is the first 23:30: the repeated half hour is closed
    assert business_minutes_between(ends_2330, at(SCL, 2026, 4, 4), at(SCL, 2026, 4, 6)) == 90
    assert not ends_2330.is_open(at(SCL, 2026, 4, 4, 23, 15, fold=1))
    # ... while the wall-clock reading of the legacy function says open
    legacy = {"timezone": "America/Santiago", "weekly": {"sat": [("22:00", "23:30")]}}
    assert is_open(legacy, at(SCL, 2026, 4, 4, 23, 15, fold=1))


def test_santiago_spring_change_skips_sunday_midnight():
    # 2026-09-06 00:00 -04 does not exist: clocks jump to 01:00 -03
    schedule = Schedule.from_settings(
        {
            "timezone": "America/Santiago",
            "weekly": {"sat": [["22:00", "24:00"]], "sun": [["00:00", "02:00"]]},
        }
    )
    assert intervals(schedule, utc(2026, 9, 5), utc(2026, 9, 7)) == [
        (utc(2026, 9, 6, 2), utc(2026, 9, 6, 5))  # Sat 22:00 -04 .. Sun 02:00 -03: 3 hours
    ]
    assert add_business_minutes(schedule, at(SCL, 2026, 9, 5, 23, 30), 60) == at(
        SCL, 2026, 9, 6, 1, 30
    )
    sunday_only = Schedule.from_settings(
        {"timezone": "America/Santiago", "weekly": {"sun": [["00:00", "03:00"]]}}
    )
    # the missing midnight moves forward to the first instant that exists, 01:00 -03
    assert next_opening(sunday_only, utc(2026, 9, 5, 12)) == at(SCL, 2026, 9, 6, 1)
    assert business_minutes_between(sunday_only, utc(2026, 9, 5), utc(2026, 9, 7)) == 120
    assert business_minutes_between(sunday_only, utc(2026, 9, 12), utc(2026, 9, 14)) == 180


def test_madrid_spring_gap_inside_a_range():
    # 2026-03-29 02:00 CET becomes 03:00 CEST
    straddling = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["01:00", "04:00"]]}}
    )
    day = (at(MAD, 2026, 3, 29), at(MAD, 2026, 3, 30))
    assert intervals(straddling, *day) == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))]
    assert business_minutes_between(straddling, *day) == 120
    assert add_business_minutes(straddling, at(MAD, 2026, 3, 29, 1, 30), 45) == at(
        MAD, 2026, 3, 29, 3, 15
    )
    assert straddling.is_open(utc(2026, 3, 29, 1))  # 03:00 CEST


def test_madrid_spring_gap_at_a_range_boundary():
    day = (at(MAD, 2026, 3, 29), at(MAD, 2026, 3, 30))
    ends_in_gap = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["01:30", "02:30"]]}}
    )
    assert intervals(ends_in_gap, *day) == [(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1))]
    starts_in_gap = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["02:30", "03:30"]]}}
    )
    assert intervals(starts_in_gap, *day) == [(utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30))]
    inside_gap = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["02:10", "02:50"]]}}
    )
    assert intervals(inside_gap, *day) == []
    # that Sunday it never opens; the next Sunday it does
    assert next_opening(inside_gap, at(MAD, 2026, 3, 28)) == at(MAD, 2026, 4, 5, 2, 10)
    assert add_business_minutes(inside_gap, at(MAD, 2026, 3, 28), 40) == at(MAD, 2026, 4, 5, 2, 50)
    # two ranges around the gap touch once the gap is gone, so they merge
    around = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["01:00", "02:30"], ["02:45", "04:00"]]}}
    )
    assert intervals(around, *day) == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))]


def test_madrid_autumn_repeated_hour():
    # 2026-10-25 03:00 CEST becomes 02:00 CET: 02:00-03:00 happens twice
    day = (at(MAD, 2026, 10, 25), at(MAD, 2026, 10, 26))
    straddling = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["01:00", "04:00"]]}}
    )
    assert business_minutes_between(straddling, *day) == 4 * 60
    assert add_business_minutes(straddling, at(MAD, 2026, 10, 25, 1), 120) == at(
        MAD, 2026, 10, 25, 2, fold=1
    )
    ends_ambiguous = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["00:00", "02:30"]]}}
    )
    assert intervals(ends_ambiguous, *day) == [(utc(2026, 10, 24, 22), utc(2026, 10, 25, 0, 30))]
    starts_ambiguous = Schedule.from_settings(
        {"timezone": "Europe/Madrid", "weekly": {"sun": [["02:30", "05:00"]]}}
    )
    assert intervals(starts_ambiguous, *day) == [(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4))]
    assert starts_ambiguous.is_open(at(MAD, 2026, 10, 25, 2, 10, fold=1))


def test_office_hours_across_both_madrid_changes_count_nine_hours_a_day():
    schedule = office("Europe/Madrid")
    for friday, monday in (((3, 27), (3, 30)), ((10, 23), (10, 26))):
        start, end = at(MAD, 2026, *friday, 17), at(MAD, 2026, *monday, 17)
        assert add_business_minutes(schedule, start, 60 + 480) == end
        assert end - start != timedelta(days=3)  # a 23- or 25-hour Sunday in between


def test_always_open_schedules_are_calendar_arithmetic():
    start = at(MAD, 2026, 3, 28, 22, 15, 7, 5)
    for schedule in (
        Schedule.from_settings(None),
        Schedule.from_settings({}),
        Schedule.from_settings(
            {"timezone": "Europe/Madrid", "weekly": {d: [["00:00", "24:00"]] for d in DAYS}}
        ),
        Schedule.from_settings(
            {"timezone": "America/Santiago", "weekly": {d: [["00:00", "24:00"]] for d in DAYS}}
        ),
    ):
        for minutes in (0, 1, 90, 60 * 24 * 200, 0.5):
            assert add_business_minutes(schedule, start, minutes) == start + timedelta(
                minutes=minutes
            )
        end = start + timedelta(days=400)
        assert business_minutes_between(schedule, start, end) == 400 * 24 * 60
        assert schedule.is_open(start)
        assert next_opening(schedule, start) == start


def test_deadline_in_both_modes():
    start = at(SCL, 2026, 3, 6, 17, 50)
    assert deadline(None, start, 20, "calendar") == at(SCL, 2026, 3, 6, 18, 10)
    assert deadline(office(), start, 20, "calendar") == at(SCL, 2026, 3, 6, 18, 10)
    assert deadline(office(), start, 20, "business") == at(SCL, 2026, 3, 9, 9, 10)
    assert deadline(None, start, 20, "business") == at(SCL, 2026, 3, 6, 18, 10)
    with pytest.raises(ValueError):
        deadline(office(), start, 20, "weekly")


def test_thirty_days_of_business_minutes_walks_days_not_minutes(monkeypatch):
    schedule = office(holidays=["2026-05-01", "2026-05-21"])
    start = at(SCL, 2026, 3, 6, 17, 50)
    calls = []
    original = Schedule._day

    def counted(self: Schedule, day: date) -> list[tuple[datetime, datetime]]:
        calls.append(day)
        return original(self, day)

    monkeypatch.setattr(Schedule, "_day", counted)
    result = add_business_minutes(schedule, start, 30 * 24 * 60)
    # 43,200 minutes = 80 working days of 9 h, plus the 2 holidays
    assert result == at(SCL, 2026, 6, 30, 17, 50)
    assert len(calls) < 60  # whole weeks are skipped; no per-minute walk
    calls.clear()
    year = add_business_minutes(schedule, start, 365 * 24 * 60)
    assert len(calls) < 150
    monkeypatch.setattr(Schedule, "_day", original)
    assert business_minutes_between(schedule, start, year) == 365 * 24 * 60
    exact = sum((e - s) / MINUTE for s, e in schedule.open_intervals(start, year))
    assert exact == 365 * 24 * 60


def test_no_open_time_within_the_horizon_is_an_error():
    closed = Schedule.from_settings({"timezone": "America/Santiago", "weekly": {}})
    start = at(SCL, 2026, 3, 6)
    with pytest.raises(ValueError, match="no open time"):
        add_business_minutes(closed, start, 10)
    assert next_opening(closed, start) is None
    assert business_minutes_between(closed, start, start + timedelta(days=30)) == 0
    assert not closed.is_open(start)

    first = date(2026, 1, 1)
    all_holidays = Schedule(
        timezone="UTC",
        weekly=(((540, 1080),),) * 7,
        holidays=frozenset(first + timedelta(days=n) for n in range(HORIZON_DAYS + 400)),
    )
    with pytest.raises(ValueError, match=f"within {HORIZON_DAYS} days"):
        add_business_minutes(all_holidays, start, 0)
    assert next_opening(all_holidays, start) is None
    # a long run of holidays shorter than the horizon is only a long wait
    shorter = Schedule(timezone="UTC", weekly=all_holidays.weekly, holidays=frozenset(
        first + timedelta(days=n) for n in range(700)
    ))  # fmt: skip
    assert add_business_minutes(shorter, start, 10) == utc(2027, 12, 2, 9, 10)


def test_deadlines_past_the_year_9999_are_refused_at_once():
    start = at(SCL, 2026, 3, 6)
    for schedule in (office(), Schedule.from_settings(None)):
        with pytest.raises(ValueError, match="supported date range"):
            add_business_minutes(schedule, start, 10**12)
        with pytest.raises(ValueError, match="supported date range"):
            add_business_minutes(schedule, start, 1e18)


def test_naive_datetimes_and_bad_minutes_are_refused():
    schedule = office()
    naive = datetime(2026, 3, 6, 12)
    aware = at(SCL, 2026, 3, 6, 12)
    for call in (
        lambda: add_business_minutes(schedule, naive, 10),
        lambda: business_minutes_between(schedule, naive, aware),
        lambda: business_minutes_between(schedule, aware, naive),
        lambda: next_opening(schedule, naive),
        lambda: schedule.is_open(naive),
        lambda: list(schedule.open_intervals(naive, aware)),
        lambda: deadline(None, naive, 10, "calendar"),
        lambda: add_business_minutes(schedule, aware, -1),
        lambda: add_business_minutes(schedule, aware, math.nan),
        lambda: add_business_minutes(schedule, aware, math.inf),
    ):
        with pytest.raises(ValueError):
            call()


def test_schedules_come_from_settings_as_stored_or_as_the_model():
    stored = {
        "timezone": "America/Santiago",
        "weekly": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]},
        "holidays": ["2026-12-25"],
    }
    schedule = Schedule.from_settings(stored)
    assert schedule == Schedule.from_settings(BusinessHours.model_validate(stored))
    assert schedule.weekly[0] == ((540, 780), (840, 1080))
    assert schedule.holidays == {date(2026, 12, 25)}
    assert hash(schedule) == hash(Schedule.from_settings(stored))
    with pytest.raises(AttributeError):
        schedule.timezone = "UTC"
    assert Schedule.from_settings({"weekly": {"mon": [["09:00", "10:00"]]}}).timezone == "UTC"
    for bad in (
        {"weekly": {"mon": [["10:00", "09:00"]]}},
        {"weekly": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
        {"weekly": {"mon": [["09:00", "24:30"]]}},
        {"timezone": "Mars/Base"},
    ):
        with pytest.raises(ValueError):
            Schedule.from_settings(bad)


def test_the_legacy_is_open_is_unchanged():
    settings = {"timezone": "America/Santiago", "weekly": OFFICE, "holidays": ["2026-03-09"]}
    assert is_open(None, utc(2026, 3, 7)) and is_open({}, utc(2026, 3, 7))
    assert is_open(settings, at(SCL, 2026, 3, 6, 9))
    assert not is_open(settings, at(SCL, 2026, 3, 6, 18))
    assert not is_open(settings, at(SCL, 2026, 3, 9, 12))
    assert not is_open({"weekly": {"mon": [("09:00", "10:00")]}}, utc(2026, 3, 9, 10))
    assert is_open({"weekly": {"mon": [("09:00", "10:00")]}}, utc(2026, 3, 9, 9, 59, 59))
    assert DAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- laws -------------------------------------------------------------------------------
ZONES = ["America/Santiago", "Europe/Madrid", "America/New_York", "Asia/Kolkata", "UTC"]
LAWS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _offset_changes() -> list[datetime]:
    """Every UTC-offset change of the zones in 2024-2027 (all on a whole UTC hour), found
    day by day, then hour by hour within the day."""
    found = []
    for name in ZONES:
        zone = ZoneInfo(name)

        def offset(instant: datetime, zone: ZoneInfo = zone) -> timedelta | None:
            return instant.astimezone(zone).utcoffset()

        day = utc(2024, 1, 1)
        while day < utc(2028, 1, 1):
            if offset(day) != offset(day + timedelta(days=1)):
                hour = day
                while offset(hour) == offset(day):
                    hour += timedelta(hours=1)
                found.append(hour)
            day += timedelta(days=1)
    return found


CHANGES = _offset_changes()


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekly_from(code: bytes) -> dict[str, list[list[str]]]:
    """Weekly ranges decoded from bytes (one draw, cheap to generate and to shrink): each
    three bytes are a day and two times on a 10-minute grid; a range overlapping one
    already taken, or a fourth range for a day, is dropped. Days with no range are absent
    (closed), or present with [] when the byte says so."""
    taken: dict[str, list[tuple[int, int]]] = {}
    for i in range(0, len(code) - 2, 3):
        day = DAYS[code[i] % 7]
        start, end = sorted((code[i + 1] % 145 * 10, code[i + 2] % 145 * 10))
        ranges = taken.setdefault(day, [])
        if start == end or code[i] >= 224:
            continue  # a day listed with no (more) ranges
        if len(ranges) < 3 and all(end <= s or e <= start for s, e in ranges):
            ranges.append((start, end))
    return {day: [[hhmm(s), hhmm(e)] for s, e in sorted(ranges)] for day, ranges in taken.items()}


def holidays_from(code: bytes, run: tuple[int, int] | None) -> list[str]:
    """Holiday dates from byte pairs (any day in late 2023-early 2028), plus a run."""
    base = date(2023, 12, 20)
    days = {
        base + timedelta(days=int.from_bytes(code[i : i + 2]) % 1480)
        for i in range(0, len(code) - 1, 2)
    }
    if run is not None:
        first, length = run
        days |= {base + timedelta(days=first + n) for n in range(length)}
    return sorted(d.isoformat() for d in days)


@st.composite
def business_hours(draw: st.DrawFn) -> dict[str, Any]:
    weekly = weekly_from(draw(st.binary(max_size=36)))
    if not any(weekly.values()):
        weekly[DAYS[draw(st.integers(0, 6))]] = [["09:00", "18:00"]]
    run = draw(st.none() | st.tuples(st.integers(0, 1460), st.integers(1, 20)))
    return {
        "timezone": draw(st.sampled_from(ZONES)),
        "weekly": weekly,
        "holidays": holidays_from(draw(st.binary(max_size=24)), run),
    }


schedules = business_hours().map(Schedule.from_settings)
zones = st.sampled_from([ZoneInfo(z) for z in ZONES])
START, END = utc(2024, 1, 1), utc(2028, 1, 1)
anywhere = st.builds(
    lambda micro, zone: (START + timedelta(microseconds=micro)).astimezone(zone),
    st.integers(0, (END - START) // TICK),
    zones,
)
near_changes = st.builds(
    lambda change, micro: change + timedelta(microseconds=micro),
    st.sampled_from(CHANGES),
    st.integers(-3 * 86400 * 10**6, 3 * 86400 * 10**6),
)
on_the_grid = st.builds(  # local wall times on a 10-minute grid hit openings and closings
    lambda day, tens, fold, zone: (
        datetime(2024, 1, 1) + timedelta(days=day, minutes=10 * tens)
    ).replace(tzinfo=zone, fold=fold),
    st.integers(0, 1460),
    st.integers(0, 143),
    st.integers(0, 1),
    zones,
)
instants = st.one_of(anywhere, near_changes, on_the_grid)
amounts = st.one_of(st.integers(0, 600), st.integers(0, 60 * 24 * 30))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0, abs_tol=ONE_MICROSECOND_IN_MINUTES)


@LAWS
@given(schedules, instants, st.one_of(amounts, st.floats(0, 20_000)))
def test_adding_then_measuring_gives_the_minutes_back(schedule, start, minutes):
    end = add_business_minutes(schedule, start, minutes)
    assert end.tzinfo is UTC
    effective = next_opening(schedule, start)
    assert effective is not None and start <= effective <= end
    assert close(business_minutes_between(schedule, effective, end), minutes)
    assert close(business_minutes_between(schedule, start, end), minutes)


@LAWS
@given(schedules, instants)
def test_adding_nothing_is_the_start_when_open_else_the_next_opening(schedule, start):
    result = add_business_minutes(schedule, start, 0)
    assert result == next_opening(schedule, start)
    assert schedule.is_open(result)
    if schedule.is_open(start):
        assert result == start.astimezone(UTC)
    else:
        assert result > start
        assert business_minutes_between(schedule, start, result) == 0


@LAWS
@given(schedules, instants, amounts)
def test_results_are_never_inside_closed_time_except_at_a_closing(schedule, start, minutes):
    result = add_business_minutes(schedule, start, minutes)
    if not schedule.is_open(result):
        assert minutes > 0
        assert schedule.is_open(result - TICK)  # exactly where an open period ends


@LAWS
@given(schedules, instants, amounts, amounts)
def test_more_minutes_never_end_earlier(schedule, start, a, b):
    low, high = sorted((a, b))
    assert add_business_minutes(schedule, start, low) <= add_business_minutes(schedule, start, high)


@LAWS
@given(schedules, instants, instants, amounts)
def test_a_later_start_never_ends_earlier(schedule, a, b, minutes):
    early, late = sorted((a.astimezone(UTC), b.astimezone(UTC)))
    assert add_business_minutes(schedule, early, minutes) <= add_business_minutes(
        schedule, late, minutes
    )


@LAWS
@given(schedules, instants, instants, instants)
def test_a_longer_span_never_measures_less(schedule, a, b, c):
    first, middle, last = sorted(x.astimezone(UTC) for x in (a, b, c))
    inner = business_minutes_between(schedule, middle, last)
    outer = business_minutes_between(schedule, first, last)
    assert 0 <= inner <= outer + ONE_MICROSECOND_IN_MINUTES
    assert inner <= (last - middle) / MINUTE + ONE_MICROSECOND_IN_MINUTES


@LAWS
@given(schedules, instants, amounts.filter(bool), amounts.filter(bool))
def test_adding_is_additive(schedule, start, a, b):
    once = add_business_minutes(schedule, start, a + b)
    assert add_business_minutes(schedule, add_business_minutes(schedule, start, a), b) == once


@LAWS
@given(schedules, instants, instants, instants)
def test_measures_add_up_across_a_midpoint(schedule, a, b, c):
    def between(x: datetime, y: datetime) -> float:
        return business_minutes_between(schedule, x, y)

    assert math.isclose(between(a, b) + between(b, c), between(a, c), abs_tol=1e-6)
    assert between(a, b) == -between(b, a)


@LAWS
@given(st.sampled_from(ZONES), instants, amounts, instants)
def test_always_open_is_calendar_time(zone, start, minutes, other):
    for schedule in (
        Schedule.from_settings(None),
        Schedule.from_settings(
            {"timezone": zone, "weekly": {d: [["00:00", "24:00"]] for d in DAYS}}
        ),
    ):
        later = start.astimezone(UTC) + timedelta(minutes=minutes)  # elapsed, not wall, time
        assert add_business_minutes(schedule, start, minutes) == later
        assert deadline(schedule, start, minutes, "business") == later
        assert deadline(None, start, minutes, "calendar") == later
        elapsed = (other.astimezone(UTC) - start.astimezone(UTC)) / MINUTE
        assert close(business_minutes_between(schedule, start, other), elapsed)


@LAWS
@given(business_hours(), instants)
def test_is_open_agrees_with_the_wall_clock_outside_repeated_hours(hours_setting, instant):
    schedule = Schedule.from_settings(hours_setting)
    local = instant.astimezone(ZoneInfo(hours_setting["timezone"]))
    if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():  # not ambiguous
        assert schedule.is_open(instant) == is_open(hours_setting, instant)


@LAWS
@given(schedules, instants, st.integers(0, 60 * 24 * 21), st.lists(st.floats(0, 1), max_size=5))
def test_open_intervals_are_the_open_time(schedule, local_start, span_minutes, probes):
    start = local_start.astimezone(UTC)
    end = start + timedelta(minutes=span_minutes)
    found = list(schedule.open_intervals(local_start, end))
    for opens, closes in found:
        assert start <= opens < closes <= end
        assert opens.tzinfo is UTC and closes.tzinfo is UTC
        assert schedule.is_open(opens) and schedule.is_open(closes - TICK)
        assert opens == start or not schedule.is_open(opens - TICK)
        assert closes == end or not schedule.is_open(closes)
    for (_, closes), (opens, _) in itertools.pairwise(found):
        assert closes < opens  # touching periods were merged
    total = sum((closes - opens for opens, closes in found), timedelta()) / MINUTE
    assert total == business_minutes_between(schedule, start, end)
    for fraction in probes:
        probe = start + (end - start) * fraction
        if probe < end:
            inside = any(opens <= probe < closes for opens, closes in found)
            assert schedule.is_open(probe) == inside


@settings(LAWS, max_examples=40)
@given(schedules, instants, st.integers(1, 3 * 365))
def test_skipping_whole_weeks_matches_the_day_by_day_walk(schedule, start, days):
    end = start.astimezone(UTC) + timedelta(days=days)
    exact = sum(
        (closes - opens for opens, closes in schedule.open_intervals(start, end)), timedelta()
    )
    assert business_minutes_between(schedule, start, end) == exact / MINUTE
    if exact > timedelta(0):
        assert add_business_minutes(schedule, start, exact / MINUTE) == max(
            closes for _, closes in schedule.open_intervals(start, end)
        )


def test_the_module_exports_its_horizon():
    assert timedelta(days=HORIZON_DAYS) == hours.HORIZON
    assert HORIZON_DAYS >= 3 * 365
