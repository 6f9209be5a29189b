"""Platform items: when each scheduled job last ran, and the status probe."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.store import keys
from chalicelib.store.base import Item


class JobHeartbeat(Item, discriminator="JobHeartbeat"):
    """Last run of a scheduled job; read by the status route."""

    job = UnicodeAttribute()
    last_run = UTCDateTimeAttribute()


def record_heartbeat(job: str, at: datetime) -> None:
    JobHeartbeat(keys.platform_pk(), keys.heartbeat_sk(job), job=job, last_run=at).save()


def last_heartbeats() -> dict[str, datetime]:
    """Every job's last run: one query (the status route's real read of the table)."""
    found = JobHeartbeat.query(
        keys.platform_pk(), JobHeartbeat.SK.startswith(keys.heartbeat_sk(""))
    )
    return {beat.job: beat.last_run for beat in found}
