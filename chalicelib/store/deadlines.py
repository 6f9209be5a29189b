"""Deadlines that live on an item of their own: a pending invitation's expiry.

An invitation's deadline is a small item in the tenant's partition
(``INVITATION#<user>``) in the sparse Due index (``DUE#invitation#0``, ``<expiry ISO>#
<tenant>#<user>``), written in the same transaction as the invitation (and rewritten
by a resend). The token-expiry job (jobs/tokens.py) reads the due ones and nothing
else. Invitations are a few per tenant and month: one index partition takes them all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.clock import iso
from chalicelib.store import keys
from chalicelib.store.accounts import epoch_seconds
from chalicelib.store.base import Item
from chalicelib.store.indexes import DueIndex

INVITATION_DUE_KIND = "invitation"
INVITATION_SHARD = 0
#: TTL removes a deadline nobody settled (the job normally deletes it when it is due)
KEEP_AFTER_DUE = timedelta(days=30)


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
    return list(
        InvitationDeadline.due.query(
            invitation_due_pk(),
            InvitationDeadline.DueSK <= keys.due_sk(iso(at), "~"),
            limit=limit,
        )
    )
