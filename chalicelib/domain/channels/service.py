"""Connecting, configuring and disconnecting channels; finding one for a webhook."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from pynamodb.exceptions import TransactWriteError

from chalicelib import crypto
from chalicelib.channels.events import ChannelType
from chalicelib.channels.registry import expiring_credential_of, is_polled, provider
from chalicelib.clock import iso, now
from chalicelib.cursors import page_of
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.billing import limits
from chalicelib.domain.channels.settings import ChannelSettings
from chalicelib.domain.errors import Conflict, Invalid, NotFound, invalid_fields
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, get_or_none
from chalicelib.store.base import LostRace, TransactItem, failed_conditions, transaction
from chalicelib.store.channels import Channel, ChannelClaim, poll_due_keys
from chalicelib.store.deadlines import CredentialsDeadline, credentials_deadline
from chalicelib.store.limits import count_change, tenant_lost


def new_public_key() -> str:
    """The chat widget's public key: safe to embed in a web page."""
    return "pk_" + secrets.token_urlsafe(18)


def _context(tenant_id: str, channel_id: str) -> dict[str, str]:
    return {"tenant": tenant_id, "channel": channel_id}


def _parse(
    model: type[BaseModel], data: Any, where: str, context: dict[str, Any] | None = None
) -> BaseModel:
    try:
        return model.model_validate(data or {}, context=context)
    except ValidationError as exc:
        raise invalid_fields(exc, where=where) from exc


def _secret_values(model: BaseModel) -> dict[str, Any]:
    return {
        name: value.get_secret_value() if hasattr(value, "get_secret_value") else value
        for name, value in model
    }


def connect(
    principal: Principal,
    channel_type: ChannelType,
    name: str,
    identifiers: dict[str, Any],
    credentials: dict[str, Any],
    settings: dict[str, Any] | None,
    *,
    tenant: Tenant | None = None,
) -> Channel:
    """Connect a provider account (at most once across Atiende) within the plan's limits
    (``tenant``: the company as the caller already read it)."""
    described = provider(channel_type)
    ids = _parse(described.identifiers, identifiers, "body.identifiers").model_dump(mode="json")
    secret = _secret_values(_parse(described.credentials, credentials, "body.credentials"))
    chosen = _parse(ChannelSettings, settings, "body.settings",
                    {"channel_type": channel_type}).model_dump(mode="json")  # fmt: skip
    if tenant is None:
        tenant = Tenant.get(keys.tenant_pk(principal.tenant_id), keys.tenant_sk())
    limit = described.plan_limit
    limits.check_room(tenant, limit)  # 402 before asking a provider; the write decides
    at = now()
    channel_id = new_id()
    if described.issues_public_key:
        ids["public_key"] = new_public_key()
    account = described.account_id_of(ids, channel_id)
    expire_at = _credentials_expiry(channel_type, secret, principal.tenant_id, channel_id)
    channel = Channel(
        keys.tenant_pk(principal.tenant_id), keys.channel_sk(channel_id),
        GSI1PK=keys.channel_lookup(channel_type, account), GSI1SK="CHANNEL",
        tenant_id=principal.tenant_id, channel_id=channel_id, channel_type=channel_type,
        name=name, account_id=account, identifiers=ids,
        sealed_credentials=crypto.seal(secret, _context(principal.tenant_id, channel_id)) if secret else None,
        settings=chosen, status="connected", credentials_expire_at=expire_at,
        created_at=at, updated_at=at,
    )  # fmt: skip
    if described.polling:  # first poll due now: the polling job picks it up next minute
        channel.DuePK, channel.DueSK = poll_due_keys(channel_id, at)
    claim = ChannelClaim(
        keys.channel_claim_pk(channel_type, account),
        keys.channel_claim_sk(),
        tenant_id=principal.tenant_id,
        channel_id=channel_id,
    )

    def attempt(counted: TransactItem) -> None:
        try:
            with transaction() as write:
                write.save(claim, condition=ChannelClaim.PK.does_not_exist())
                write.save(channel, condition=Channel.PK.does_not_exist())
                counted(write)  # the Tenant's counters, within the plan's limit if it has one
                if expire_at is not None:  # the account contacts are warned before it
                    write.save(credentials_deadline(principal.tenant_id, channel_id, expire_at))
                write.save(
                    history_entry(
                        principal.tenant_id,
                        "channel",
                        channel_id,
                        principal.user_id,
                        "connected",
                        at,
                        after=public_view(channel),
                    )
                )
        except TransactWriteError as exc:
            if (claim.PK, claim.SK) in failed_conditions(write, exc):
                raise Conflict(
                    f"This {channel_type} account is already connected to Atiende.",
                    code="channel_taken",
                ) from exc
            if limit and tenant_lost(write, exc, principal.tenant_id):
                raise LostRace(principal.tenant_id) from exc
            raise

    changes = {"channels": 1, f"channels:{channel_type}": 1}
    if limit:
        limits.one_more(tenant, limit, changes, attempt)
    else:
        attempt(count_change(principal.tenant_id, changes, seats_known=False))
    return channel


def public_view(channel: Channel) -> dict[str, Any]:
    """Everything about a channel that may be shown: never its credentials."""
    expire_at = channel.credentials_expire_at
    return {
        "type": channel.channel_type,
        "name": channel.name,
        "identifiers": channel.identifiers,
        "settings": channel.settings,
        "status": channel.status,
        "credentials_expire_at": iso(expire_at) if expire_at else None,
    }


def _credentials_expiry(
    channel_type: str, secret: dict[str, Any], tenant_id: str, channel_id: str
) -> datetime | None:
    """When the pasted credentials expire, if the provider says (Meta's tokens); None
    when they never do or it could not be learnt (best effort: logged, never raised)."""
    if expiring_credential_of(channel_type) is None:
        return None
    from chalicelib.channels.meta_tokens import token_expiry  # asks Graph: not at import

    return token_expiry(channel_type, secret, _context(tenant_id, channel_id))


def get_channel(tenant_id: str, channel_id: str) -> Channel:
    channel = get_or_none(Channel, keys.tenant_pk(tenant_id), keys.channel_sk(channel_id))
    if channel is None:
        raise NotFound("There is no such channel.")
    return channel


def list_channels(tenant_id: str, limit: int, cursor: Any) -> tuple[list[Channel], Any]:
    found = Channel.query(
        keys.tenant_pk(tenant_id),
        Channel.SK.startswith(keys.channels_prefix()),
        limit=limit,
        last_evaluated_key=cursor,
    )
    return list(found), found.last_evaluated_key


def channels_page(
    tenant_id: str, limit: int, cursor: str | None
) -> tuple[list[Channel], str | None]:
    """One page of the company's channels and the opaque cursor of the next."""
    partition = keys.tenant_pk(tenant_id)
    return page_of(lambda last: list_channels(tenant_id, limit, last), cursor, partition)


def update(
    principal: Principal,
    channel_id: str,
    *,
    name: str | None,
    settings: dict[str, Any] | None,
    credentials: dict[str, Any] | None,
    identifiers: dict[str, Any] | None = None,
) -> Channel:
    """Rename, change settings (merged section by section) or replace the credentials;
    a chat channel's identifiers (its site name, the sites allowed) change in place."""
    channel = get_channel(principal.tenant_id, channel_id)
    if channel.status != "connected":
        raise Conflict(
            "This channel is disconnected; connect the account again.", code="disconnected"
        )
    before = public_view(channel)
    at = now()
    actions: list[Any] = [Channel.updated_at.set(at)]
    if identifiers is not None:
        channel.identifiers = _changed_identifiers(channel, identifiers)
        actions.append(Channel.identifiers.set(channel.identifiers))
    if name is not None:
        channel.name = name
        actions.append(Channel.name.set(name))
    if settings is not None:
        merged = {**(channel.settings or {}), **settings}
        channel.settings = _parse(ChannelSettings, merged, "body.settings",
                                  {"channel_type": channel.channel_type}).model_dump(mode="json")  # fmt: skip
        actions.append(Channel.settings.set(channel.settings))
    deadline: CredentialsDeadline | None = None  # the expiry warning to write or to drop
    if credentials is not None:
        secrets_model = provider(channel.channel_type).credentials
        secret = _secret_values(_parse(secrets_model, credentials, "body.credentials"))
        actions.append(
            Channel.sealed_credentials.set(
                crypto.seal(secret, _context(channel.tenant_id, channel.channel_id))
            )
        )
        if expiring_credential_of(channel.channel_type):  # the old token's expiry goes with it
            expire_at = _credentials_expiry(
                channel.channel_type, secret, channel.tenant_id, channel.channel_id
            )
            channel.credentials_expire_at = expire_at
            if expire_at is not None:
                actions.append(Channel.credentials_expire_at.set(expire_at))
                deadline = credentials_deadline(channel.tenant_id, channel.channel_id, expire_at)
            else:
                actions.append(Channel.credentials_expire_at.remove())
                deadline = CredentialsDeadline(
                    channel.PK, keys.credentials_due_sk(channel.channel_id)
                )
        if is_polled(channel.channel_type):  # new keys: try them at the next minute's poll
            due_pk, due_sk = poll_due_keys(channel.channel_id, at)
            actions += [Channel.DuePK.set(due_pk), Channel.DueSK.set(due_sk),
                        Channel.poll_error.remove(), Channel.poll_error_at.remove()]  # fmt: skip
    with transaction() as write:
        write.update(
            Channel(channel.PK, channel.SK),
            actions=actions,
            condition=Channel.updated_at == channel.updated_at,
        )
        if deadline is not None and channel.credentials_expire_at is not None:
            write.save(deadline)  # replaces the old token's warning, if any
        elif deadline is not None:
            write.delete(deadline)  # no expiry known: no warning
        after = public_view(channel)
        if credentials is not None:
            after["credentials"] = "replaced"
        write.save(
            history_entry(
                principal.tenant_id,
                "channel",
                channel_id,
                principal.user_id,
                "updated",
                at,
                before=before,
                after=after,
            )
        )
    return get_channel(principal.tenant_id, channel_id)


def _changed_identifiers(channel: Channel, identifiers: dict[str, Any]) -> dict[str, Any]:
    """The identifiers merged with ``identifiers``: only those of a channel whose account is
    our own public key (the chat widget's) change; the key itself never does."""
    described = provider(channel.channel_type)
    if not described.issues_public_key:
        raise Invalid(
            f"The identifiers of a {described.label} channel name the provider's account and "
            "cannot change; connect the account again instead.",
            code="identifiers_fixed",
        )
    current = dict(channel.identifiers or {})
    key = current.pop("public_key", None)
    if "public_key" in identifiers and identifiers["public_key"] != key:
        raise Invalid(
            "The public key of a chat channel cannot change: it is in the sites' snippet.",
            code="identifiers_fixed",
        )
    merged = {**current, **{k: v for k, v in identifiers.items() if k != "public_key"}}
    ids = _parse(described.identifiers, merged, "body.identifiers").model_dump(mode="json")
    return {**ids, "public_key": key}


def disconnect(principal: Principal, channel_id: str) -> Channel:
    """Webhooks stop finding it, its credentials are erased; its tickets stay."""
    channel = get_channel(principal.tenant_id, channel_id)
    if channel.status != "connected":
        return channel
    at = now()
    with transaction() as write:
        write.update(Channel(channel.PK, channel.SK), actions=[
            Channel.status.set("disconnected"), Channel.GSI1PK.remove(), Channel.GSI1SK.remove(),
            Channel.sealed_credentials.remove(), Channel.updated_at.set(at),
            Channel.DuePK.remove(), Channel.DueSK.remove(),  # no longer polled
        ], condition=Channel.status == "connected")  # fmt: skip
        write.delete(
            ChannelClaim(
                keys.channel_claim_pk(channel.channel_type, channel.account_id),
                keys.channel_claim_sk(),
            )
        )
        write.update(Tenant(keys.tenant_pk(principal.tenant_id), keys.tenant_sk()), actions=[
            Tenant.counts["channels"].add(-1), Tenant.counts[f"channels:{channel.channel_type}"].add(-1),
        ])  # fmt: skip
        write.save(
            history_entry(
                principal.tenant_id, "channel", channel_id, principal.user_id, "disconnected", at
            )
        )
    return get_channel(principal.tenant_id, channel_id)


def find_connected(channel_type: str, account: str) -> Channel | None:
    """The channel a webhook or poll is for: one query of GSI1."""
    for channel in Channel.by_account.query(keys.channel_lookup(channel_type, account), limit=1):
        return channel
    return None


def credentials_of(channel: Channel) -> dict[str, Any]:
    """Decrypt a channel's credentials (for a provider call; never log or return them)."""
    if not channel.sealed_credentials:
        return {}
    return crypto.open_sealed(
        channel.sealed_credentials, _context(channel.tenant_id, channel.channel_id)
    )
