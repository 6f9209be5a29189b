"""Channels: one connected account of a provider, with its settings."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.store.base import Item
from chalicelib.store.indexes import DueIndex, LookupIndex


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


class ChannelClaim(Item, discriminator="ChannelClaim"):
    tenant_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
