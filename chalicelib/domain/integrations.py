"""Outgoing webhooks (SPEC §4 "Integrations"): a tenant's URLs that hear about its events.

``emit`` puts one message on the integrations queue and nothing else (no table read:
it runs inside ticket and message flows). The queue's consumer (``jobs/integrations``)
finds the tenant's subscribed webhooks and delivers to each, signed with its secret.
The secret is stored sealed with KMS and is never returned nor logged; docs/integrations.md
tells a receiver how to check a delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib import crypto
from chalicelib.clock import iso, now
from chalicelib.cursors import page_of
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, get_or_none
from chalicelib.store.base import condition_failed, failed_conditions, transaction
from chalicelib.store.integrations import DeliveryAttempt, Integration

log = logging.getLogger(__name__)

Event = Literal[
    "ticket.created",
    "ticket.assigned",
    "ticket.status_changed",
    "ticket.merged",
    "ticket.escalated",
    "message.received",
    "message.sent",
    "comment.created",
    "sla.breached",
    "bot.message",
    "order.created",
    "order.annulled",
    "payment.recorded",
    "payment.reconciled",
    "payment.rejected",
]
EVENTS: tuple[str, ...] = Event.__args__  # type: ignore[attr-defined]
#: what "send test" delivers: no webhook subscribes to it, every webhook may get it
TEST_EVENT = "ping"
Delivered = Event | Literal["ping"]
#: how long the delivery log keeps an attempt (DynamoDB TTL drops it after)
LOG_DAYS = 30
MAX_PER_TENANT = 10
ENTITY = "integration"
COUNTER = "integrations"
#: SQS takes 256 KiB; an event carries ids and a summary, never a whole conversation
MAX_EVENT_BYTES = 200 * 1024
_DELIVERY_NAMESPACE = uuid.UUID("0b6c4d53-8f7e-4c56-9a3e-3c1f4f1b2a77")


# --- the queue's messages --------------------------------------------------------------
class EmitMessage(BaseModel):
    """One event of a tenant, as ``emit`` queued it."""

    type: Literal["emit"] = "emit"
    event_id: str
    tenant_id: str
    event: Event
    created_at: datetime
    data: dict[str, Any]


class DeliverMessage(BaseModel):
    """One event for one webhook; ``delivery_id`` is the same on every retry."""

    type: Literal["deliver"] = "deliver"
    delivery_id: str
    integration_id: str
    tenant_id: str
    event: Delivered
    created_at: datetime
    data: dict[str, Any]

    def payload(self) -> bytes:
        """The JSON body the receiver gets (and the signature covers)."""
        return json.dumps(
            {
                "id": self.delivery_id,
                "event": self.event,
                "tenant_id": self.tenant_id,
                "created_at": iso(self.created_at),
                "data": self.data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        ).encode()


def delivery_id(event_id: str, integration_id: str) -> str:
    """Stable for one event and one webhook, so a fan-out that runs twice sends the same id."""
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"{event_id}:{integration_id}"))


def emit(tenant_id: str, event: str, data: dict[str, Any]) -> None:
    """Queue ``event`` of the tenant for its webhooks: one SQS message, no table read.

    An event that cannot be queued (SQS unavailable after the client's retries) is
    logged and dropped, so the change that caused it is not reported as failed.
    """
    from chalicelib import queues

    if event not in EVENTS:
        raise ValueError(f"unknown integration event {event!r}")
    message = EmitMessage(
        event_id=new_id(),
        tenant_id=tenant_id,
        event=event,
        created_at=now(),
        data=data,
    )
    body = message.model_dump_json()
    if len(body.encode()) > MAX_EVENT_BYTES:
        raise ValueError(f"the {event} event is larger than {MAX_EVENT_BYTES} bytes")
    try:
        queues.send("integrations", body)
    except queues.NotQueued:
        log.exception(
            "integration event not queued; webhooks will not hear of it",
            extra={"tenant_id": tenant_id, "event": event, "event_id": message.event_id},
        )


# --- validation ------------------------------------------------------------------------
def _internal_address(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: checked again, resolved, before each delivery
    return not address.is_global


def check_url(url: str, *, local: bool) -> str:
    """The webhook URL, or ValueError: https to a public host (local stage: also
    ``http://127.0.0.1`` and ``http://localhost``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise ValueError("use an https:// URL")
    host = parts.hostname or ""
    if not host:
        raise ValueError("the URL needs a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("put no user or password in the URL; the secret signs every delivery")
    if parts.fragment:
        raise ValueError("a webhook URL has no #fragment")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError as exc:
        raise ValueError("the URL's port is not valid") from exc
    loopback = host in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "http" and not (local and loopback):
        raise ValueError(
            "use https:// (plain http:// only to localhost or 127.0.0.1 on a developer's machine)"
        )
    if not local and _internal_address(host):
        raise ValueError("the URL must point at a public address")
    return url


def new_secret() -> str:
    """256 random bits, URL-safe, with a prefix that says what it is."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` (docs/integrations.md)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# --- the webhooks of a tenant ----------------------------------------------------------
def _context(tenant_id: str, integration_id: str) -> dict[str, str]:
    return {"tenant": tenant_id, "integration": integration_id}


def _seal(tenant_id: str, integration_id: str, secret: str) -> str:
    return crypto.seal({"secret": secret}, _context(tenant_id, integration_id))


@lru_cache(maxsize=256)
def _open(sealed: str, tenant_id: str, integration_id: str) -> str:
    # keyed by the envelope: a new secret is a new envelope, so the cache cannot go stale
    return str(crypto.open_sealed(sealed, _context(tenant_id, integration_id))["secret"])


def secret_of(integration: Integration) -> str:
    """The signing secret, unsealed (one KMS Decrypt per envelope per process)."""
    return _open(integration.sealed_secret, integration.tenant_id, integration.integration_id)


def public_view(integration: Integration) -> dict[str, Any]:
    """What may be shown or written to the history: never the secret, sealed or not."""
    return {
        "url": integration.url,
        "events": list(integration.events),
        "active": integration.active,
        "description": integration.description,
        "secret_updated_at": integration.secret_updated_at.isoformat(),
    }


def _not_found() -> NotFound:
    return NotFound("There is no such webhook.")


def get_integration(tenant_id: str, integration_id: str, consistent: bool = False) -> Integration:
    """The tenant's webhook, or 404 (another tenant's id is as unknown as a made-up one)."""
    found = get_or_none(
        Integration,
        keys.tenant_pk(tenant_id),
        keys.config_sk(ENTITY, integration_id),
        consistent=consistent,
    )
    if found is None:
        raise _not_found()
    return found


def list_integrations(
    tenant_id: str, limit: int = MAX_PER_TENANT, cursor: Any = None
) -> tuple[list[Integration], Any]:
    """One page of the tenant's webhooks, oldest first."""
    found = Integration.query(
        keys.tenant_pk(tenant_id),
        Integration.SK.startswith(keys.config_prefix(ENTITY)),
        limit=limit,
        last_evaluated_key=cursor,
    )
    return list(found), found.last_evaluated_key


def integrations_page(
    tenant_id: str, limit: int, cursor: str | None
) -> tuple[list[Integration], str | None]:
    """One page of the tenant's webhooks and the opaque cursor of the next."""
    partition = keys.tenant_pk(tenant_id)
    return page_of(lambda last: list_integrations(tenant_id, limit, last), cursor, partition)


def subscribed(tenant_id: str, event: str) -> list[Integration]:
    """The tenant's active webhooks that listen to ``event`` (one Query: ten at most)."""
    found = Integration.query(
        keys.tenant_pk(tenant_id), Integration.SK.startswith(keys.config_prefix(ENTITY))
    )
    return [i for i in found if i.active and event in i.events]


def create(
    principal: Principal,
    *,
    url: str,
    events: list[str],
    active: bool,
    description: str | None,
    secret: str | None,
) -> tuple[Integration, str | None]:
    """A new webhook; returns it and the secret Atiende generated (None if one was given).

    409 beyond ``MAX_PER_TENANT``: the tenant's counter is checked in the same transaction.
    """
    tenant_id = principal.tenant_id
    signing_secret = secret or new_secret()
    at = now()
    integration_id = new_id()
    integration = Integration(
        keys.tenant_pk(tenant_id),
        keys.config_sk(ENTITY, integration_id),
        tenant_id=tenant_id,
        integration_id=integration_id,
        url=url,
        events=sorted(set(events), key=EVENTS.index),
        active=active,
        description=description or None,
        sealed_secret=_seal(tenant_id, integration_id, signing_secret),
        secret_updated_at=at,
        created_at=at,
        updated_at=at,
    )
    tenant = Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk())
    count = Tenant.counts[COUNTER]
    try:
        with transaction() as write:
            write.save(integration, condition=Integration.PK.does_not_exist())
            write.update(
                tenant,
                actions=[count.add(1)],
                condition=Tenant.PK.exists() & (count.does_not_exist() | (count < MAX_PER_TENANT)),
            )
            write.save(
                history_entry(
                    tenant_id,
                    ENTITY,
                    integration_id,
                    principal.user_id,
                    "created",
                    at,
                    after=public_view(integration),
                )
            )
    except TransactWriteError as exc:
        if (tenant.PK, tenant.SK) in failed_conditions(write, exc):
            raise Conflict(
                f"An account can have at most {MAX_PER_TENANT} webhooks; delete one first.",
                code="integration_limit",
            ) from exc
        raise
    return integration, None if secret else signing_secret


def update(principal: Principal, integration_id: str, changes: dict[str, Any]) -> Integration:
    """Change the named fields (``secret`` replaces it); conditional on no edit meanwhile."""
    tenant_id = principal.tenant_id
    current = get_integration(tenant_id, integration_id, consistent=True)
    before = public_view(current)
    at = now()
    actions = []
    for name in ("url", "events", "active", "description"):
        if name not in changes:
            continue
        value = changes[name]
        if name == "events":
            value = sorted(set(value), key=EVENTS.index)
        if name == "description":
            value = value or None
        if value != getattr(current, name):
            setattr(current, name, value)
            attribute = getattr(Integration, name)
            actions.append(attribute.set(value) if value is not None else attribute.remove())
    if changes.get("secret"):
        current.sealed_secret = _seal(tenant_id, integration_id, changes["secret"])
        current.secret_updated_at = at
        actions += [
            Integration.sealed_secret.set(current.sealed_secret),
            Integration.secret_updated_at.set(at),
        ]
    if not actions:
        return current
    previous_update = current.updated_at
    current.updated_at = at
    actions.append(Integration.updated_at.set(at))
    try:
        with transaction() as write:
            write.update(
                Integration(current.PK, current.SK),
                actions=actions,
                condition=Integration.updated_at == previous_update,
            )
            write.save(
                history_entry(
                    tenant_id,
                    ENTITY,
                    integration_id,
                    principal.user_id,
                    "updated",
                    at,
                    before=before,
                    after=public_view(current),
                )
            )
    except TransactWriteError as exc:
        if failed_conditions(write, exc):
            raise Conflict(
                "The webhook changed meanwhile (or was deleted); reload it and try again.",
                code="edit_conflict",
            ) from exc
        raise
    return current


def delete(principal: Principal, integration_id: str) -> None:
    """Remove a webhook (its queued deliveries are dropped when they come up)."""
    tenant_id = principal.tenant_id
    current = get_integration(tenant_id, integration_id)
    at = now()
    try:
        with transaction() as write:
            write.delete(current, condition=Integration.PK.exists())
            write.update(
                Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()),
                actions=[Tenant.counts[COUNTER].add(-1)],
                condition=Tenant.PK.exists(),
            )
            write.save(
                history_entry(
                    tenant_id,
                    ENTITY,
                    integration_id,
                    principal.user_id,
                    "deleted",
                    at,
                    before=public_view(current),
                )
            )
    except TransactWriteError as exc:
        if (current.PK, current.SK) in failed_conditions(write, exc):
            raise _not_found() from exc  # deleted meanwhile
        raise


def send_test(tenant_id: str, integration_id: str) -> DeliverMessage:
    """Queue a signed ``ping`` for one webhook (paused or not), on the same queue and
    delivery path as its events, so its delivery log shows the outcome."""
    from chalicelib import queues

    integration = get_integration(tenant_id, integration_id)
    message = DeliverMessage(
        delivery_id=str(uuid.uuid4()),
        integration_id=integration.integration_id,
        tenant_id=tenant_id,
        event=TEST_EVENT,
        created_at=now(),
        data={"test": True, "integration_id": integration.integration_id},
    )
    try:
        queues.send("integrations", message.model_dump_json())
    except queues.NotQueued as exc:
        raise Unavailable("The test could not be queued; try again in a moment.") from exc
    return message


def deliveries_page(
    tenant_id: str, integration_id: str, limit: int, cursor: str | None
) -> tuple[list[DeliveryAttempt], str | None]:
    """One page of the webhook's delivery attempts, newest first (404 for another's)."""
    get_integration(tenant_id, integration_id)
    partition = keys.delivery_log_pk(tenant_id, integration_id)

    def fetch(last: Any) -> tuple[list[DeliveryAttempt], Any]:
        found = DeliveryAttempt.query(
            partition, scan_index_forward=False, limit=limit, last_evaluated_key=last
        )
        return list(found), found.last_evaluated_key

    return page_of(fetch, cursor, partition)


def record_result(
    integration: Integration,
    status: str,
    response_code: int | None,
    error: str | None,
    *,
    message: DeliverMessage | None = None,
    attempt: int = 1,
    duration_ms: int | None = None,
) -> None:
    """The outcome of a delivery attempt: one item in the webhook's delivery log (when
    ``message`` is given) and the latest outcome on the webhook (one UpdateItem)."""
    at = now()
    if message is not None:
        DeliveryAttempt(
            keys.delivery_log_pk(integration.tenant_id, integration.integration_id),
            keys.delivery_log_sk(iso(at), message.delivery_id, attempt),
            tenant_id=integration.tenant_id,
            integration_id=integration.integration_id,
            delivery_id=message.delivery_id,
            event=message.event,
            attempt=attempt,
            status=status,
            response_code=response_code,
            error=error[:300] if error else None,
            duration_ms=duration_ms,
            at=at,
            expires_at=int((at + timedelta(days=LOG_DAYS)).timestamp()),
        ).save()
    actions: list[Action] = [
        Integration.last_status.set(status),
        Integration.last_delivery_at.set(at),
        Integration.last_response_code.set(response_code)
        if response_code is not None
        else Integration.last_response_code.remove(),
        Integration.last_error.set(error[:300]) if error else Integration.last_error.remove(),
    ]
    try:
        Integration(integration.PK, integration.SK).update(
            actions=actions, condition=Integration.PK.exists()
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        # deleted while we delivered: nothing to record on
