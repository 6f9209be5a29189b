"""Telling people that a channel needs them: a provider refused its credentials.

The account contacts whose preferences include ``channels`` (SPEC §2) get an email in
the tenant's language, through the mail queue, at most once per channel per
:data:`QUIET` (the outbound worker may see a refusal on every send; the polling job on
every hourly retry). The alert is also logged at error level, naming the tenant and the
channel, never a secret.

Expiring credentials: of the channel types only Meta's tokens (WhatsApp, Messenger,
Instagram) may expire. When such a channel is connected or its credentials replaced,
Graph's ``debug_token`` is asked when (channels/meta_tokens.py); the channel keeps
``credentials_expire_at`` and a warning deadline 7 days before it
(store/deadlines.py). The token-expiry job (jobs/tokens.py) then calls
:func:`email_credentials_expiring` once per channel and expiry (docs/sla.md "Channel
notices"). A token revoked before its time still shows up as a refusal.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from chalicelib.store.channels import Channel

log = logging.getLogger(__name__)

#: the account contacts hear about one channel's refused credentials at most this often
QUIET = timedelta(days=1)
ALERT_KIND = "credentials"


def notify_credentials_rejected(channel: Channel, reason: str) -> bool:
    """The provider refused the channel's credentials: a person must reconnect it.

    ``reason`` is the provider's explanation (safe to log). Returns whether an email was
    queued; never raises (the caller is in the middle of a send or a poll)."""
    log.error(
        "channel credentials rejected by the provider; reconnect the channel",
        extra={
            "tenant_id": channel.tenant_id,
            "channel_id": channel.channel_id,
            "channel_type": channel.channel_type,
            "channel_name": channel.name,
            "reason": reason[:500],
        },
    )
    try:
        return _email_contacts(channel, reason)
    except Exception:
        log.exception(
            "the account contacts could not be told about a refused channel",
            extra={"tenant_id": channel.tenant_id, "channel_id": channel.channel_id},
        )
        return False


def _email_contacts(channel: Channel, reason: str) -> bool:
    from chalicelib.clock import now
    from chalicelib.domain.accounts.recipients import account_recipients
    from chalicelib.mail import message as mail
    from chalicelib.store import keys
    from chalicelib.store.accounts import Tenant, get_or_none
    from chalicelib.store.notifications import ChannelAlert, claim_channel_alert

    recipients = account_recipients(channel.tenant_id, "channels")
    if not recipients:
        log.info("no account contact takes channel notices", extra={"tenant_id": channel.tenant_id})
        return False
    at = now()
    if not claim_channel_alert(
        channel.tenant_id, channel.channel_id, ALERT_KIND, reason, at, QUIET
    ):
        return False  # told within the quiet period
    tenant = get_or_none(Tenant, keys.tenant_pk(channel.tenant_id), keys.tenant_sk())
    email = _channel_email(
        channel, tenant, "channel_credentials_rejected", recipients, reason=(reason or "-")[:300]
    )
    try:
        mail.enqueue(email)
    except Exception:
        # not told after all: the next refusal tries again
        ChannelAlert(
            keys.tenant_pk(channel.tenant_id), keys.channel_alert_sk(ALERT_KIND, channel.channel_id)
        ).delete()
        raise
    return True


def email_credentials_expiring(channel: Channel, expire_at: datetime) -> bool:
    """Tell the account contacts taking channel notices that the channel's credentials
    expire at ``expire_at`` (the date in the tenant's timezone, a link to the channel).

    Returns whether an email was queued (False: no contact takes channel notices);
    raises when it could not be queued (the caller, the token-expiry job, keeps its
    warning for the next run). Said once per channel and expiry by the caller."""
    from chalicelib.clock import timezone_of
    from chalicelib.domain.accounts.recipients import account_recipients
    from chalicelib.mail import message as mail
    from chalicelib.store import keys
    from chalicelib.store.accounts import Tenant, get_or_none

    log.warning(
        "channel credentials expire soon; replace them",
        extra={
            "tenant_id": channel.tenant_id,
            "channel_id": channel.channel_id,
            "channel_type": channel.channel_type,
            "credentials_expire_at": expire_at.isoformat(),
        },
    )
    recipients = account_recipients(channel.tenant_id, "channels")
    if not recipients:
        log.info("no account contact takes channel notices", extra={"tenant_id": channel.tenant_id})
        return False
    tenant = get_or_none(Tenant, keys.tenant_pk(channel.tenant_id), keys.tenant_sk())
    zone = timezone_of(tenant.timezone if tenant else None)
    mail.enqueue(_channel_email(
        channel, tenant, "channel_credentials_expiring", recipients,
        expires=expire_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), timezone=zone.key,
    ))  # fmt: skip
    return True


def _channel_email(
    channel: Channel, tenant: Any, template: str, recipients: list[str], **fields: Any
) -> Any:
    """A channel notice in the tenant's language, with what every one names: the
    channel, its type, the company and a link to the channel."""
    from chalicelib.mail.templates import render
    from chalicelib.settings import get_settings

    return render(
        template,
        tenant.locale if tenant else "es",
        recipients,
        kind="channels",
        tenant_id=channel.tenant_id,
        channel=channel.name,
        channel_type=channel.channel_type,
        company=tenant.name if tenant else "",
        link=f"{get_settings().public_url}/channels/{channel.channel_id}",
        **fields,
    )
