"""Deadlines that live on an item of their own: a pending invitation's expiry, and the
warning before a channel's credentials expire.

An invitation's deadline is a small item in the tenant's partition
(``INVITATION#<user>``) in the sparse Due index (``DUE#invitation#0``, ``<expiry ISO>#
<tenant>#<user>``), written in the same transaction as the invitation (and rewritten
by a resend). The token-expiry job (jobs/tokens.py) reads the due ones and nothing
else. Invitations are a few per tenant and month: one index partition takes them all.

A channel whose provider gave its token an expiry (Meta's ``debug_token``) has a
warning deadline (``CREDENTIALS_EXPIRY#<channel>``, ``DUE#credentials#0``,
``<warn ISO>#<tenant>#<channel>``, the warning :data:`CREDENTIALS_WARNING` before the
expiry), written with the channel's connect or credentials replacement and read by the
same job. A tenant has a few Meta channels whose tokens change every few weeks at most:
one partition is plenty.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.clock import iso
from chalicelib.store import keys
from chalicelib.store.accounts import epoch_seconds
from chalicelib.store.base import Item
from chalicelib.store.indexes import DueIndex

INVITATION_DUE_KIND = "invitation"
INVITATION_SHARD = 0
CREDENTIALS_DUE_KIND = "credentials"
CREDENTIALS_SHARD = 0
#: the account contacts are warned this long before a channel's credentials expire
CREDENTIALS_WARNING = timedelta(days=7)
#: TTL removes a deadline nobody settled (the job normally deletes it when it is due)
KEEP_AFTER_DUE = timedelta(days=30)
D = TypeVar("D", bound=Any)


class InvitationDeadline(Item, discriminator="InvitationDeadline"):
    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due = DueIndex()

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()


def invitation_due_pk() -> str:
    return keys.due_pk(INVITATION_DUE_KIND, INVITATION_SHARD)


def invitation_deadline(tenant_id: str, user_id: str, due_at: datetime) -> InvitationDeadline:
    """The deadline item of an invitation valid until ``due_at`` (save it with the invitation)."""
    return InvitationDeadline(
        keys.tenant_pk(tenant_id),
        keys.invitation_due_sk(user_id),
        DuePK=invitation_due_pk(),
        DueSK=keys.due_sk(iso(due_at), tenant_id, user_id),
        tenant_id=tenant_id,
        user_id=user_id,
        due_at=due_at,
        expires_at=epoch_seconds(due_at + KEEP_AFTER_DUE),
    )


def due_invitations(at: datetime, limit: int) -> list[InvitationDeadline]:
    """Invitation deadlines due by ``at``, oldest first: one Query."""
    return _due(InvitationDeadline, invitation_due_pk(), at, limit)


def _due(model: type[D], due_pk: str, at: datetime, limit: int) -> list[D]:
    """The deadlines of one Due partition due by ``at``, oldest first: one Query."""
    return list(model.due.query(due_pk, model.DueSK <= keys.due_bound(iso(at)), limit=limit))


class CredentialsDeadline(Item, discriminator="CredentialsDeadline"):
    """When to warn that a channel's credentials expire: ``due_at`` is
    ``credentials_expire_at`` minus :data:`CREDENTIALS_WARNING`."""

    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due = DueIndex()

    tenant_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    credentials_expire_at = UTCDateTimeAttribute()
    due_at = UTCDateTimeAttribute()


def credentials_due_pk() -> str:
    return keys.due_pk(CREDENTIALS_DUE_KIND, CREDENTIALS_SHARD)


def credentials_deadline(
    tenant_id: str, channel_id: str, credentials_expire_at: datetime
) -> CredentialsDeadline:
    """The warning deadline of a channel whose credentials expire at ``credentials_expire_at``
    (save it with the channel; a later save for the same channel replaces it)."""
    due_at = credentials_expire_at - CREDENTIALS_WARNING
    return CredentialsDeadline(
        keys.tenant_pk(tenant_id),
        keys.credentials_due_sk(channel_id),
        DuePK=credentials_due_pk(),
        DueSK=keys.due_sk(iso(due_at), tenant_id, channel_id),
        tenant_id=tenant_id,
        channel_id=channel_id,
        credentials_expire_at=credentials_expire_at,
        due_at=due_at,
        expires_at=epoch_seconds(credentials_expire_at + KEEP_AFTER_DUE),
    )


def due_credentials(at: datetime, limit: int) -> list[CredentialsDeadline]:
    """Credentials warnings due by ``at``, oldest first: one Query."""
    return _due(CredentialsDeadline, credentials_due_pk(), at, limit)
