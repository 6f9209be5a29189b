"""The local stand-in for EventBridge schedules: fires app.py's scheduled handlers.

Each handler fires once at start (so a fresh stack shows its jobs at once), then
at its ``Rate``. ``Cron`` schedules fire on the minutes their expression names.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import UTC, datetime
from typing import Any

from chalice.app import Cron, Rate, ScheduledEventConfig

from chalicelib import logs
from chalicelib.settings import get_settings
from devstack.lambda_events import LambdaContext, scheduled_event

log = logging.getLogger("devstack.scheduler")

_RATE_SECONDS = {Rate.MINUTES: 60, Rate.HOURS: 3600, Rate.DAYS: 86400}


def _cron_field_matches(field: str, value: int) -> bool:
    if field in ("*", "?"):
        return True
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", ""):
            low, high = 0, 10**6
        elif "-" in part:
            low, high = (int(x) for x in part.split("-"))
        else:
            low = int(part)
            high = low if step == 1 else 10**6
        if low <= value <= high and (value - low) % step == 0:
            return True
    return False


def cron_matches(cron: Cron, at: datetime) -> bool:
    """AWS cron (minutes hours day-of-month month day-of-week year), numeric fields only."""
    dow = at.isoweekday() % 7 + 1  # AWS: 1 = Sunday
    fields = [
        (str(cron.minutes), at.minute),
        (str(cron.hours), at.hour),
        (str(cron.day_of_month), at.day),
        (str(cron.month), at.month),
        (str(cron.day_of_week), dow),
        (str(cron.year), at.year),
    ]
    return all(_cron_field_matches(f, v) for f, v in fields)


def scheduled_handlers(app_module: Any) -> list[tuple[ScheduledEventConfig, Any]]:
    return [
        (source, getattr(app_module, source.name))
        for source in app_module.app.event_sources
        if isinstance(source, ScheduledEventConfig)
    ]


def fire(source: ScheduledEventConfig, handler: Any) -> None:
    context = LambdaContext(source.name)
    token = logs.request_id.set(context.aws_request_id)
    try:
        handler(scheduled_event(source.name, get_settings().region), context)
        log.info("scheduled job ran", extra={"job": source.name})
    except Exception:
        log.exception("scheduled job failed", extra={"job": source.name})
    finally:
        logs.request_id.reset(token)


def run_forever(stop: threading.Event) -> None:
    import app as app_module

    jobs = scheduled_handlers(app_module)
    next_run: dict[str, float] = {}
    last_cron_minute: dict[str, str] = {}
    for source, handler in jobs:
        fire(source, handler)
        expression = source.schedule_expression
        if isinstance(expression, Rate):
            next_run[source.name] = (
                time.monotonic() + expression.value * _RATE_SECONDS[expression.unit]
            )
    while not stop.wait(1.0):
        for source, handler in jobs:
            expression = source.schedule_expression
            if isinstance(expression, Rate):
                if time.monotonic() >= next_run[source.name]:
                    next_run[source.name] += expression.value * _RATE_SECONDS[expression.unit]
                    fire(source, handler)
            elif isinstance(expression, Cron):
                at = datetime.now(UTC)
                minute = at.strftime("%Y%m%d%H%M")
                if last_cron_minute.get(source.name) != minute and cron_matches(expression, at):
                    last_cron_minute[source.name] = minute
                    fire(source, handler)


def main() -> None:
    logs.configure(get_settings().log_level)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(stop)


if __name__ == "__main__":
    main()
