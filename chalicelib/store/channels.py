"""Channels: one connected account of a provider, with its settings."""

from __future__ import annotations

import zlib
from datetime import datetime

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.clock import iso
from chalicelib.store import keys
from chalicelib.store.base import Item
from chalicelib.store.indexes import DueIndex, LookupIndex

#: the Due index's kind of a polled channel's next poll
POLL_DUE_KIND = "poll"


class Channel(Item, discriminator="Channel"):
    """``GSI1PK`` is present only while connected, so a disconnected channel's webhooks
    find nothing. ``sealed_credentials`` is a KMS envelope, never returned."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_account = LookupIndex()

    tenant_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    channel_type = UnicodeAttribute()
    name = UnicodeAttribute()
    account_id = UnicodeAttribute()
    identifiers = JSONAttribute()
    sealed_credentials = UnicodeAttribute(null=True)
    settings = JSONAttribute(default=dict)
    status = UnicodeAttribute(default="connected")  # connected | disconnected
    poll_cursor = UnicodeAttribute(null=True)
    #: a connected polled channel's next poll (sparse Due index, ``DUE#poll#<shard>``,
    #: ``<due ISO>#<channel id>``): the polling job reads only due channels (jobs/polling.py)
    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due = DueIndex()
    #: why the last poll failed, for a person to act on (refused credentials, bad config)
    poll_error = UnicodeAttribute(null=True)
    poll_error_at = UTCDateTimeAttribute(null=True)
    polled_at = UTCDateTimeAttribute(null=True)  # last successful poll
    #: when the provider says the credentials expire (Meta tokens, asked of Graph's
    #: ``debug_token`` at connect and on replacement); None: never, or not known.
    #: Its warning is a ``CredentialsDeadline`` item (store/deadlines.py)
    credentials_expire_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class MetaLogin(Item, discriminator="MetaLogin"):
    """A Facebook Login of one admin (``TENANT#t``, ``METALOGIN#<id>``), removed by TTL.

    ``step`` "state": the dialog was opened with ``state`` = the id (10 minutes, used
    once); "done": the pages the user manages (public, ``pages``) and the sealed user
    and Page tokens (``sealed_tokens``, never returned) until a page is connected."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    step = UnicodeAttribute()
    redirect_uri = UnicodeAttribute()
    pages = JSONAttribute(null=True)
    sealed_tokens = UnicodeAttribute(null=True)


class ChannelClaim(Item, discriminator="ChannelClaim"):
    tenant_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()


class ChannelLogin(Item, discriminator="ChannelLogin"):
    """A provider login an admin started (X's request token): kept under the tenant, so
    only that company can finish it, for ``valid_until``; ``sealed_secret`` (the request
    token's secret) is a KMS envelope. Deleted, on condition, by the one call finishing
    it; ``expires_at`` (TTL) cleans up the abandoned ones."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    sealed_secret = UnicodeAttribute()
    callback_url = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()


def poll_due_shard(channel_id: str) -> int:
    """A channel keeps its shard for life: its deadlines spread over ``DUE_SHARDS``."""
    return zlib.crc32(channel_id.encode()) % keys.DUE_SHARDS


def poll_due_keys(channel_id: str, due_at: datetime) -> tuple[str, str]:
    """``(DuePK, DueSK)`` of a channel whose next poll is at ``due_at``: written by whoever
    connects it or replaces its credentials (the domain) and by the polling job."""
    return (
        keys.due_pk(POLL_DUE_KIND, poll_due_shard(channel_id)),
        keys.due_sk(iso(due_at), channel_id),
    )


def meta_login(tenant_id: str, login_id: str) -> MetaLogin | None:
    try:
        return MetaLogin.get(keys.tenant_pk(tenant_id), keys.meta_login_sk(login_id))
    except MetaLogin.DoesNotExist:
        return None


def take_meta_login(tenant_id: str, login_id: str) -> MetaLogin | None:
    """Read and delete a login's item, once: a second taker (a replayed ``state``) gets None."""
    from pynamodb.exceptions import DeleteError

    found = meta_login(tenant_id, login_id)
    if found is None:
        return None
    try:
        found.delete(condition=MetaLogin.PK.exists())
    except DeleteError:
        return None
    return found
