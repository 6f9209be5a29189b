"""Telling people that a channel needs them (a provider refused its credentials, ...).

For now the alerts are logged, at error level, naming the tenant and the channel (never
a secret). The email to the tenant's admins comes later: it goes behind the functions
here, so callers (the outbound worker) need not change.
"""

from __future__ import annotations

import logging

from chalicelib.store.channels import Channel

log = logging.getLogger(__name__)


def notify_credentials_rejected(channel: Channel, reason: str) -> None:
    """The provider refused the channel's credentials: a person must reconnect it.

    ``reason`` is the provider's explanation as :class:`SendError` gives it (safe to log).
    TODO(channel notifications): email the tenant's admins, at most once per channel
    per day, with a link to reconnect it.
    """
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
