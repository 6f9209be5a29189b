"""Connecting an X account the way X expects: the admin authorises Atiende at X
(OAuth 1.0a, chalicelib/channels/twitter_oauth.py), X sends them back, and the account
is connected as a ``twitter`` channel subscribed to the app's Account Activity webhook.

The request token's secret never leaves the server: it is sealed in a
:class:`ChannelLogin` under the tenant (another company cannot finish the login), found
by the token's hash, valid :data:`LOGIN_TTL`, and spent by the first call that finishes
it. Nothing is connected unless X gave the access token and took the subscription.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from pynamodb.exceptions import DeleteError

from chalicelib import crypto
from chalicelib.channels import twitter_oauth as x
from chalicelib.channels.provider_http import ProviderError
from chalicelib.channels.registry import provider
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.billing import limits
from chalicelib.domain.channels import service
from chalicelib.domain.errors import Gone, Invalid, Unavailable
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, epoch_seconds, get_or_none
from chalicelib.store.channels import Channel, ChannelLogin

#: how long the admin has to authorise at X (X's request tokens live minutes too)
LOGIN_TTL = timedelta(minutes=10)
_PROVIDER = "twitter"


@dataclass(frozen=True)
class Subscription:
    """Whether X posts the account's activity to our webhook; ``None``: X did not say."""

    subscribed: bool | None
    reason: str | None = None


def _login_key(tenant_id: str, token: str) -> tuple[str, str]:
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    return keys.tenant_pk(tenant_id), keys.channel_login_sk(_PROVIDER, digest)


def _context(tenant_id: str, token: str) -> dict[str, str]:
    return {"tenant": tenant_id, "login": hashlib.sha256(token.encode()).hexdigest()[:32]}


def _unavailable(error: ProviderError | x.NotConfigured, doing: str) -> Unavailable:
    if isinstance(error, x.NotConfigured):
        return Unavailable(f"X is not configured: {error}.", code="x_not_configured")
    reason = error.body or f"HTTP {error.status}"
    return Unavailable(f"X refused to {doing}: {reason}", code="x_refused")


def start(principal: Principal, callback_url: str) -> str:
    """Ask X for a request token; the URL of X's authorisation page to send the admin to."""
    parts = urlsplit(callback_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("The callback must be an http(s) address.", code="bad_callback_url")
    _room_for_one_more(principal)  # 402 before the admin is sent to X for nothing
    try:
        granted = x.request_token(callback_url)
        url = x.authorize_url(granted.token)
    except (ProviderError, x.NotConfigured) as error:
        raise _unavailable(error, "start the authorisation") from None
    at = now()
    pk, sk = _login_key(principal.tenant_id, granted.token)
    ChannelLogin(
        pk, sk, tenant_id=principal.tenant_id, user_id=principal.user_id,
        sealed_secret=crypto.seal({"secret": granted.secret}, _context(principal.tenant_id, granted.token)),
        callback_url=callback_url, valid_until=at + LOGIN_TTL, created_at=at,
        expires_at=epoch_seconds(at + LOGIN_TTL + timedelta(days=1)),
    ).save()  # fmt: skip
    return url


def finish(principal: Principal, token: str, verifier: str, name: str | None) -> Channel:
    """Exchange the authorised request token, subscribe the account, connect the channel."""
    pk, sk = _login_key(principal.tenant_id, token)
    login = get_or_none(ChannelLogin, pk, sk, consistent=True)
    if login is None:
        raise Invalid(
            "This X authorisation is unknown or was already used; start again.",
            code="unknown_login",
        )
    tenant = _room_for_one_more(principal)  # 402 before X is asked for anything
    try:  # spent now, whatever follows: X accepts a request token once
        ChannelLogin(pk, sk).delete(condition=ChannelLogin.PK.exists())
    except DeleteError:
        raise Invalid(
            "This X authorisation was already used; start again.", code="unknown_login"
        ) from None
    if login.valid_until < now():
        raise Gone("This X authorisation expired; start again.", code="login_expired")
    secret = crypto.open_sealed(login.sealed_secret, _context(principal.tenant_id, token))["secret"]
    try:
        grant = x.access_token(token, secret, verifier)
    except x.NotConfigured as error:
        raise _unavailable(error, "") from None
    except ProviderError as error:
        if 400 <= error.status < 500:
            raise Invalid(
                f"X refused the authorisation: {error.body or error.status}. Start again.",
                code="x_refused",
            ) from None
        raise _unavailable(error, "give the access token") from None
    try:
        x.subscribe(grant.token, grant.secret)
    except (ProviderError, x.NotConfigured) as error:
        if not (isinstance(error, ProviderError) and error.status == 409):  # already is
            raise _unavailable(error, "subscribe the account to its activity") from None
    handle = grant.screen_name or grant.user_id
    return service.connect(
        principal,
        "twitter",
        name or f"@{handle}",
        {"user_id": grant.user_id, "screen_name": handle},
        {"access_token": grant.token, "access_token_secret": grant.secret},
        None,
        tenant=tenant,
    )


def _room_for_one_more(principal: Principal) -> Tenant:
    """The company, read once: 402 when its plan has no room for another X account (the
    connecting write still decides, on condition)."""
    tenant = Tenant.get(keys.tenant_pk(principal.tenant_id), keys.tenant_sk())
    limits.check_room(tenant, provider(_PROVIDER).plan_limit)
    return tenant


def subscription(tenant_id: str, channel_id: str, *, renew: bool = False) -> Subscription:
    """Ask X whether the channel's account is subscribed (``renew``: subscribe it again)."""
    channel = service.get_channel(tenant_id, channel_id)
    if channel.channel_type != _PROVIDER:
        raise Invalid("This channel is not an X account.", code="not_twitter")
    if channel.status != "connected":
        return Subscription(False, "disconnected")
    credentials = service.credentials_of(channel)
    token, secret = credentials.get("access_token", ""), credentials.get("access_token_secret", "")
    if renew:
        try:
            x.subscribe(token, secret)
        except (ProviderError, x.NotConfigured) as error:
            if not (isinstance(error, ProviderError) and error.status == 409):  # already is
                raise _unavailable(error, "subscribe the account to its activity") from None
    try:
        return Subscription(x.is_subscribed(token, secret))
    except x.NotConfigured as error:
        return Subscription(None, str(error))
    except ProviderError as error:
        return Subscription(None, error.body[:200] or f"HTTP {error.status}")
