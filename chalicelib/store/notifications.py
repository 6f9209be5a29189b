"""Users' notifications, their unread counters and settings; channel alert markers.

One partition per user (``TENANT#t#USER#u#NOTIF``) holds:

* the notifications, ``N#<id>`` where the id starts with its UTC time, so a Query
  newest first is the listing;
* ``UNREAD``: the unread counter, changed only with ``ADD`` in the same transaction as
  the notification it counts (a put guarded by ``attribute_not_exists``, a mark-read
  guarded by "still unread"): a retry never counts twice and it never drifts;
* ``SETTINGS``: the user's notification settings (email on SLA breach).

An unread notification also carries ``GSI3PK = TENANT#t#USER#u#UNREAD``: the unread
listing and "mark all read" read only unread ones (a sparse index, no filter). Reading
a notification removes those keys and sets ``expires_at`` (TTL, 30 days after it was
read); an unread one never expires, so TTL never makes the counter wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import TransactWriteError

from chalicelib.store import keys
from chalicelib.store.accounts import epoch_seconds, get_or_none
from chalicelib.store.base import Item, condition_failed, lost_race, transaction
from chalicelib.store.indexes import FacetIndex

#: read notifications are kept this long, then DynamoDB TTL removes them
KEEP_READ = timedelta(days=30)
#: one transaction holds at most 100 items: 99 notifications and the counter
MARK_CHUNK = 99


class Notification(Item, discriminator="Notification"):
    """Something a user should know (SLA breach, assignment, mention, escalation)."""

    GSI3PK = UnicodeAttribute(null=True)  # only while unread
    GSI3SK = UnicodeAttribute(null=True)
    unread_index = FacetIndex()

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    category = UnicodeAttribute()  # sla_breach | assigned | mention | escalated
    ticket_number = NumberAttribute(null=True)
    text = UnicodeAttribute()
    data = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)


class NotificationCounter(Item, discriminator="NotificationCounter"):
    unread = NumberAttribute(default=0)


class NotificationSettings(Item, discriminator="NotificationSettings"):
    email_on_sla_breach = BooleanAttribute(default=False)
    updated_at = UTCDateTimeAttribute(null=True)


class ChannelAlert(Item, discriminator="ChannelAlert"):
    """When a channel's account contacts were last emailed about it (one per kind)."""

    tenant_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute()


def _counter_key(tenant_id: str, user_id: str) -> tuple[str, str]:
    return keys.notifications_pk(tenant_id, user_id), keys.notification_counter_sk()


def add_notification(notification: Notification) -> bool:
    """Store an unread notification and count it, atomically; False when one with the
    same id exists already (a retried notification is not stored or counted twice)."""
    notification.GSI3PK = keys.unread_notifications_pk(notification.tenant_id, notification.user_id)
    notification.GSI3SK = notification.SK
    for _ in range(3):
        try:
            with transaction() as write:
                write.save(notification, condition=Notification.PK.does_not_exist())
                write.update(
                    NotificationCounter(
                        *_counter_key(notification.tenant_id, notification.user_id)
                    ),
                    actions=[
                        NotificationCounter.unread.add(1),
                        NotificationCounter.kind.set(NotificationCounter),
                    ],
                )
            return True
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            if not lost_race(exc):
                raise
    return False


def page(
    tenant_id: str,
    user_id: str,
    *,
    unread_only: bool,
    limit: int,
    cursor: dict[str, Any] | None,
) -> tuple[list[Notification], dict[str, Any] | None]:
    """One page, newest first: one Query (of the sparse unread index when ``unread_only``)."""
    if unread_only:
        found = Notification.unread_index.query(
            keys.unread_notifications_pk(tenant_id, user_id),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=cursor,
        )
    else:
        found = Notification.query(
            keys.notifications_pk(tenant_id, user_id),
            Notification.SK.startswith(keys.notifications_prefix()),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=cursor,
        )
    items = list(found)
    return items, found.last_evaluated_key


def unread_count(tenant_id: str, user_id: str) -> int:
    counter = get_or_none(NotificationCounter, *_counter_key(tenant_id, user_id))
    return max(0, int(counter.unread)) if counter else 0


def unread_ones(tenant_id: str, user_id: str, ids: Iterable[str]) -> list[Notification]:
    """Those of ``ids`` that are the user's and still unread (one BatchGet per 100)."""
    wanted = list(dict.fromkeys(ids))
    pk = keys.notifications_pk(tenant_id, user_id)
    found: list[Notification] = []
    for start in range(0, len(wanted), 100):
        chunk = [(pk, keys.notification_sk(i)) for i in wanted[start : start + 100]]
        found.extend(Notification.batch_get(chunk, consistent_read=True))
    return [n for n in found if n.read_at is None]


def oldest_unread(tenant_id: str, user_id: str, limit: int) -> list[Notification]:
    return list(
        Notification.unread_index.query(
            keys.unread_notifications_pk(tenant_id, user_id), limit=limit
        )
    )


def mark_read(tenant_id: str, user_id: str, notifications: list[Notification], at: datetime) -> int:
    """Mark unread notifications read and take them off the counter, all or nothing per
    chunk of 99. Returns how many were marked; a chunk that lost a race to another
    mark-read (a condition failed) is skipped: the caller reads again."""
    marked = 0
    for start in range(0, len(notifications), MARK_CHUNK):
        chunk = notifications[start : start + MARK_CHUNK]
        try:
            with transaction() as write:
                for notification in chunk:
                    write.update(
                        Notification(notification.PK, notification.SK),
                        actions=[
                            Notification.read_at.set(at),
                            Notification.GSI3PK.remove(),
                            Notification.GSI3SK.remove(),
                            Notification.expires_at.set(epoch_seconds(at + KEEP_READ)),
                        ],
                        condition=Notification.PK.exists() & Notification.read_at.does_not_exist(),
                    )
                write.update(
                    NotificationCounter(*_counter_key(tenant_id, user_id)),
                    actions=[
                        NotificationCounter.unread.add(-len(chunk)),
                        NotificationCounter.kind.set(NotificationCounter),
                    ],
                )
        except TransactWriteError as exc:
            if lost_race(exc):
                continue
            raise
        marked += len(chunk)
    return marked


def get_settings(tenant_id: str, user_id: str) -> NotificationSettings | None:
    return get_or_none(
        NotificationSettings,
        keys.notifications_pk(tenant_id, user_id),
        keys.notification_settings_sk(),
    )


def save_settings(tenant_id: str, user_id: str, email_on_sla_breach: bool, at: datetime) -> None:
    NotificationSettings(
        keys.notifications_pk(tenant_id, user_id),
        keys.notification_settings_sk(),
        email_on_sla_breach=email_on_sla_breach,
        updated_at=at,
    ).save()


def settings_of(tenant_id: str, user_ids: list[str]) -> dict[str, NotificationSettings]:
    """The settings of several users of a tenant (one BatchGet per 100); absent = defaults."""
    by_partition = {keys.notifications_pk(tenant_id, u): u for u in dict.fromkeys(user_ids)}
    wanted = list(by_partition)
    found: dict[str, NotificationSettings] = {}
    for start in range(0, len(wanted), 100):
        chunk = [(pk, keys.notification_settings_sk()) for pk in wanted[start : start + 100]]
        for item in NotificationSettings.batch_get(chunk):
            found[by_partition[item.PK]] = item
    return found


def claim_channel_alert(
    tenant_id: str, channel_id: str, kind: str, reason: str, at: datetime, quiet: timedelta
) -> bool:
    """Record that the contacts are told about ``channel_id`` now, unless they were within
    ``quiet``: True when this caller should send (one conditional PutItem)."""
    from pynamodb.exceptions import PutError

    alert = ChannelAlert(
        keys.tenant_pk(tenant_id),
        keys.channel_alert_sk(kind, channel_id),
        tenant_id=tenant_id,
        channel_id=channel_id,
        reason=reason[:500],
        sent_at=at,
        expires_at=epoch_seconds(at + quiet) + 86400,
    )
    try:
        alert.save(condition=ChannelAlert.PK.does_not_exist() | (ChannelAlert.sent_at < at - quiet))
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
