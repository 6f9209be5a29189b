"""Token expiry (SPEC §5): mark invitations that expired unaccepted.

Every minute (one Query of an index partition that is usually empty, so the status
route can watch it like the other jobs) the job reads the invitation deadlines that
are due (``DUE#invitation#0``, store/deadlines.py) — never a scan — and, for a user
still invited with that same expiry, in one transaction: sets the user's status to
``invitation_expired`` (the admin's list shows it with the resend action), records
``invitation_expired`` in the user's history and removes the deadline. An invitation
accepted, resent or deleted meanwhile just loses its stale deadline.

Reset tokens need no job: nobody sees their state, the code refuses them after their
hour (410) and DynamoDB TTL (``expires_at``) removes them, like used or expired
invitation tokens.

The same run warns about channel credentials that expire soon (docs/sla.md "Channel
notices"): one Query of the due warnings (``DUE#credentials#0``, store/deadlines.py);
for a channel still connected with that same expiry, the warning item is deleted with a
condition (the run that deletes it is the one that emails, so two runs warn once), then
the account contacts taking channel notices get the ``channel_credentials_expiring``
email. If the email cannot be queued the warning is put back for the next run. A
channel disconnected, or whose credentials were replaced meanwhile, just loses the stale
warning; so does one whose credentials have already expired (their refusal is told by
``alerts.notify_credentials_rejected``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError

from chalicelib.clock import now
from chalicelib.domain.accounts.history import history_entry
from chalicelib.jobs.scheduled import run_scheduled
from chalicelib.store import keys
from chalicelib.store.accounts import User, get_or_none
from chalicelib.store.base import condition_failed, lost_race, transaction
from chalicelib.store.channels import Channel
from chalicelib.store.deadlines import (
    CredentialsDeadline,
    InvitationDeadline,
    due_credentials,
    due_invitations,
)

log = logging.getLogger(__name__)

JOB = "token_expiry"
MAX_DUE = 200


def scheduled_run() -> dict[str, int]:
    return run_scheduled(JOB, expire_tokens)


def expire_tokens(at: datetime | None = None) -> dict[str, int]:
    """One run: invitations first, then the credentials warnings (``credentials_*`` counts)."""
    at = at or now()
    outcomes = expire_invitations(at)
    for outcome, count in warn_expiring_credentials(at).items():
        outcomes[f"credentials_{outcome}"] = count
    return outcomes


def expire_invitations(at: datetime | None = None) -> dict[str, int]:
    """Settle every due invitation deadline; returns how many ended which way."""
    at = at or now()
    return _settle_each(due_invitations(at, MAX_DUE), _settle, at, "invitations expired")


def _settle_each(
    deadlines: list[Any], settle: Callable[[Any, datetime], str], at: datetime, what: str
) -> dict[str, int]:
    """``settle`` each deadline; one that fails is logged and stays due for the next run.
    Returns how many ended which way."""
    outcomes: dict[str, int] = {}
    for deadline in deadlines:
        try:
            outcome = settle(deadline, at)
        except Exception:
            log.exception(f"{what}: settling a deadline failed; tried again next run",
                          extra={"tenant": deadline.tenant_id, "due": deadline.DueSK})  # fmt: skip
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes:
        log.info(what, extra={"job": JOB, **outcomes})
    return outcomes


def _settle(deadline: InvitationDeadline, at: datetime) -> str:
    user = get_or_none(User, keys.tenant_pk(deadline.tenant_id), keys.user_sk(deadline.user_id),
                       consistent=True)  # fmt: skip
    expires = user.invitation_expires_at if user is not None else None
    if user is None or user.status != "invited" or expires is None or expires != deadline.due_at:
        return "stale" if _forget(deadline) else "lost"  # accepted, resent or deleted
    if expires > at:
        return "lost"  # cannot happen: the deadline is the expiry, which is due
    try:
        with transaction() as write:
            write.update(
                User(user.PK, user.SK),
                actions=[User.status.set("invitation_expired")],
                condition=(User.status == "invited") & (User.invitation_expires_at == expires),
            )
            write.save(history_entry(deadline.tenant_id, "user", user.user_id, None,
                                     "invitation_expired", at,
                                     after={"invitation_expired_at": expires.isoformat()}))  # fmt: skip
            write.delete(deadline, condition=InvitationDeadline.DueSK == deadline.DueSK)
    except TransactWriteError as exc:
        if lost_race(exc):
            return "lost"  # resent or accepted meanwhile: the next run sees it as it is
        raise
    return "expired"


def _forget(deadline: InvitationDeadline | CredentialsDeadline) -> bool:
    """Delete the deadline unless it moved (a conditional delete): True if this caller did."""
    try:
        deadline.delete(condition=type(deadline).DueSK == deadline.DueSK)
    except DeleteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


# --- channel credentials about to expire ------------------------------------------------------
def warn_expiring_credentials(at: datetime | None = None) -> dict[str, int]:
    """Settle every due credentials warning; returns how many ended which way
    (``warned``, ``no_contacts``, ``stale``, ``lost``, ``failed``)."""
    at = at or now()
    return _settle_each(due_credentials(at, MAX_DUE), _warn, at, "expiring channel credentials")


def _warn(deadline: CredentialsDeadline, at: datetime) -> str:
    from chalicelib.domain.channels.alerts import email_credentials_expiring

    channel = get_or_none(Channel, keys.tenant_pk(deadline.tenant_id),
                          keys.channel_sk(deadline.channel_id), consistent=True)  # fmt: skip
    if (
        channel is None
        or channel.status != "connected"
        or channel.credentials_expire_at != deadline.credentials_expire_at
        or deadline.credentials_expire_at <= at
    ):
        return "stale" if _forget(deadline) else "lost"  # disconnected, replaced or expired
    if not _forget(deadline):
        return "lost"  # another run took it, or new credentials replaced it meanwhile
    try:
        sent = email_credentials_expiring(channel, deadline.credentials_expire_at)
    except Exception:
        _restore(deadline)  # not told after all: the next run tries again
        raise
    return "warned" if sent else "no_contacts"


def _restore(deadline: CredentialsDeadline) -> None:
    try:  # unless new credentials wrote their own warning meanwhile
        deadline.save(condition=CredentialsDeadline.PK.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
