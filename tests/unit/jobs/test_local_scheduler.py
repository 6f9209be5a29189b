from datetime import UTC, datetime

from chalice.app import Cron

import app
from chalicelib.store.platform import last_heartbeats
from devstack.scheduler import cron_matches, fire, scheduled_handlers


def test_every_scheduled_handler_of_the_app_can_be_fired_locally(frozen_clock):
    jobs = scheduled_handlers(app)
    assert {source.name for source, _ in jobs} >= {"platform_heartbeat"}
    for source, handler in jobs:
        fire(source, handler)
    assert last_heartbeats()["platform_heartbeat"] == frozen_clock.now()


def test_aws_cron_expressions_match_their_minutes():
    every_five_on_weekdays = Cron("0/5", "*", "?", "*", "2-6", "*")
    monday_1005 = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert cron_matches(every_five_on_weekdays, monday_1005)
    assert not cron_matches(every_five_on_weekdays, monday_1005.replace(minute=6))
    sunday = datetime(2026, 3, 1, 10, 5, tzinfo=UTC)
    assert not cron_matches(every_five_on_weekdays, sunday)
    nightly = Cron(30, 3, "*", "*", "?", "*")
    assert cron_matches(nightly, datetime(2026, 7, 9, 3, 30, tzinfo=UTC))
    assert not cron_matches(nightly, datetime(2026, 7, 9, 4, 30, tzinfo=UTC))
