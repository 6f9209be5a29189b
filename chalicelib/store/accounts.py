"""Tenants, users, sessions, one-time tokens and login throttles in the one table.

Changes are UpdateItem calls that SET only the fields that change, with explicit
conditions where two writers meet, never a read-modify-write of the whole item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist

from chalicelib.store.base import Item
from chalicelib.store.indexes import LookupIndex


class Tenant(Item, discriminator="Tenant"):
    """An establishment: one customer company. ``counts`` feeds the account summary."""

    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    locale = UnicodeAttribute()
    timezone = UnicodeAttribute()
    plan = UnicodeAttribute(default="free")
    admin_email = UnicodeAttribute()
    address = UnicodeAttribute(null=True)
    fiscal = JSONAttribute(default=dict)
    counts = MapAttribute(default=dict)  # type: ignore[var-annotated]
    #: add-on quantities mirrored from the Stripe subscription: ``{"users": 2, ...}``
    addons = MapAttribute(default=dict)  # type: ignore[var-annotated]
    #: the Stripe side (docs/billing.md): customer, subscription and its state as last seen
    billing = MapAttribute(null=True)  # type: ignore[var-annotated]
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class User(Item, discriminator="User"):
    """A person of a tenant who logs in. Found by email through GSI1 at login."""

    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute(default="USER")
    by_email = LookupIndex()

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    departments = ListAttribute(of=UnicodeAttribute, default=list)
    contact_id = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    status = UnicodeAttribute(default="invited")  # invited | active
    password_hash = UnicodeAttribute(null=True)
    session_epoch = NumberAttribute(default=0)
    # No login lock or failure count here: login throttling lives in LoginThrottle items
    # (a lock on the user told who has an account). Users written before that may still
    # hold the old lock's two attributes; PynamoDB ignores unknown attributes on read.
    invitation_hash = UnicodeAttribute(null=True)
    invitation_expires_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class EmailClaim(Item, discriminator="EmailClaim"):
    """Keeps an email address unique across Atiende (conditional put with the user)."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class Session(Item, discriminator="Session"):
    """One login: the current refresh token's hash; rotation replaces it."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    last_used_at = UTCDateTimeAttribute()
    source_ip = UnicodeAttribute(null=True)


class OneTimeToken(Item, discriminator="OneTimeToken"):
    """An invitation or password-reset token, stored only as its SHA-256 hash."""

    purpose = UnicodeAttribute()  # invitation | password_reset
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    superseded = BooleanAttribute(default=False)


class LoginThrottle(Item, discriminator="LoginThrottle"):
    """Failed logins counted for one key: an (address, source) pair, an address or a
    source. Whether it blocks, and until when, follows from these two fields and the
    counter's rule (domain/accounts/login_throttle.py); ``expires_at`` cleans it up."""

    failures = NumberAttribute(default=0)
    last_failure_at = UTCDateTimeAttribute(null=True)


class HistoryEntry(Item, discriminator="HistoryEntry"):
    """Who changed what on a configuration item, and when (never edited)."""

    tenant_id = UnicodeAttribute()
    entity = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    at = UTCDateTimeAttribute()


def get_or_none(model: type[Any], pk: str, sk: str, consistent: bool = False) -> Any:
    try:
        return model.get(pk, sk, consistent_read=consistent)
    except DoesNotExist:
        return None


def epoch_seconds(at: datetime) -> int:
    return int(at.timestamp())
