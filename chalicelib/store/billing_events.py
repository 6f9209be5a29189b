"""The writes of Stripe's events as they are processed (docs/billing.md "Events, invoices
and dunning"): the event stored once, the tenant's subscription state written only over an
older read of it, the mirrored invoices, and the claims that make each email go once.

Every condition of billing's event processing lives here (the store owns its conditions);
the domain (domain/billing/) says what it means.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, User, get_or_none
from chalicelib.store.base import AlreadyStored, condition_failed, put_once
from chalicelib.store.billing import Invoice, StripeCustomer, StripeEvent


# --- events ----------------------------------------------------------------------------------
def record_event(event: StripeEvent) -> bool:
    """Store a Stripe event unless its id is stored (one conditional PutItem); False when
    it was (a redelivery)."""
    try:
        put_once(event)
    except AlreadyStored:
        return False
    return True


def stripe_event(event_id: str) -> StripeEvent | None:
    return get_or_none(
        StripeEvent, keys.stripe_event_pk(event_id), keys.stripe_event_sk(), consistent=True
    )


def new_event(event_id: str, **fields: Any) -> StripeEvent:
    return StripeEvent(
        keys.stripe_event_pk(event_id), keys.stripe_event_sk(), event_id=event_id, **fields
    )


def mark_processed(event_id: str, at: datetime) -> None:
    """The event's work is done (a redelivered message then does nothing)."""
    StripeEvent(keys.stripe_event_pk(event_id), keys.stripe_event_sk()).update_only(
        [StripeEvent.processed_at.set(at)], condition=StripeEvent.PK.exists()
    )


def tenant_of_customer(customer_id: str) -> str | None:
    found = get_or_none(
        StripeCustomer, keys.stripe_customer_pk(customer_id), keys.stripe_customer_sk()
    )
    return str(found.tenant_id) if found is not None else None


# --- the tenant's subscription -----------------------------------------------------------------
def tenant(tenant_id: str) -> Tenant | None:
    return get_or_none(Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk(), consistent=True)


def write_subscription(
    tenant_id: str,
    *,
    had_billing: bool,
    expected_subscription: str | None,
    billing: dict[str, Any],
    plan: str | None,
    addons: dict[str, int] | None,
    at: datetime,
) -> bool:
    """Write the tenant's subscription state (``billing``'s fields, and ``plan`` and
    ``addons`` unless None) as read from Stripe at ``billing["read_at"]``.

    Written only if no later read is stored (``billing.read_at``) and the tenant's current
    subscription is still ``expected_subscription`` (as the caller read it; None: none):
    False when either changed meanwhile (read again, decide again)."""
    read_at = billing["read_at"]
    actions: list[Any] = [Tenant.updated_at.set(at)]
    if plan is not None:
        actions.append(Tenant.plan.set(plan))
    if addons is not None:
        actions.append(Tenant.addons.set(addons))
    if had_billing:
        actions += [Tenant.billing[name].set(value) for name, value in billing.items()]
        current = Tenant.billing["subscription_id"]
        same = current.does_not_exist() if expected_subscription is None else (
            current == expected_subscription)  # fmt: skip
        condition = (
            Tenant.PK.exists()
            & same
            & (Tenant.billing["read_at"].does_not_exist() | (Tenant.billing["read_at"] <= read_at))
        )
    else:
        actions.append(Tenant.billing.set(billing))
        condition = Tenant.PK.exists() & Tenant.billing.does_not_exist()
    return _update(Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()), actions, condition)


def write_default_payment_method(
    tenant_id: str, customer_id: str, payment_method: str | None, read_at: int, had_billing: bool
) -> bool:
    """The customer's default payment method as read at ``read_at`` (epoch µs), unless a
    later read is stored; False when the item changed meanwhile."""
    if had_billing:
        actions = [Tenant.billing["default_payment_method"].set(payment_method),
                   Tenant.billing["payment_method_read_at"].set(read_at)]  # fmt: skip
        stamp = Tenant.billing["payment_method_read_at"]
        condition = Tenant.PK.exists() & (stamp.does_not_exist() | (stamp <= read_at))
    else:
        actions = [Tenant.billing.set({"customer_id": customer_id,
                                       "default_payment_method": payment_method,
                                       "payment_method_read_at": read_at})]  # fmt: skip
        condition = Tenant.PK.exists() & Tenant.billing.does_not_exist()
    return _update(Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()), actions, condition)


def claim_downgrade_notice(tenant_id: str, subscription_id: str) -> bool:
    """Whether this call is the one to tell the tenant that ``subscription_id`` ended (the
    tenant item keeps the last subscription told of in ``billing.downgrade_notice``)."""
    notice = Tenant.billing["downgrade_notice"]
    return _update(
        Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()),
        [notice.set(subscription_id)],
        Tenant.billing.exists() & (notice.does_not_exist() | (notice != subscription_id)),
    )


def release_downgrade_notice(tenant_id: str, subscription_id: str) -> None:
    """The notice was not queued after all: the next delivery of the event tries again."""
    notice = Tenant.billing["downgrade_notice"]
    _update(Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()), [notice.remove()],
            notice == subscription_id)  # fmt: skip


def active_admins(tenant_id: str) -> list[User]:
    return [
        user
        for user in User.query(keys.tenant_pk(tenant_id), User.SK.startswith(keys.users_prefix()))
        if user.role == "admin" and user.active
    ]


# --- invoices ----------------------------------------------------------------------------------
def write_invoice(
    tenant_id: str, invoice_id: str, fields: dict[str, Any], read_at: datetime
) -> bool:
    """Upsert a mirrored invoice with what Stripe said at ``read_at`` (``updated_at``),
    unless a later read is stored (False). ``emailed`` and ``created_at`` are kept."""
    actions: list[Any] = [
        Invoice.kind.set(Invoice),
        Invoice.tenant_id.set(tenant_id),
        Invoice.invoice_id.set(invoice_id),
        Invoice.updated_at.set(read_at),
        Invoice.created_at.set(Invoice.created_at | read_at),
        Invoice.emailed.set(Invoice.emailed | []),
    ]
    for name, value in fields.items():
        attribute = getattr(Invoice, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    condition = Invoice.updated_at.does_not_exist() | (Invoice.updated_at <= read_at)
    return _update(
        Invoice(keys.tenant_pk(tenant_id), keys.invoice_sk(invoice_id)), actions, condition
    )


def invoice(tenant_id: str, invoice_id: str) -> Invoice | None:
    return get_or_none(Invoice, keys.tenant_pk(tenant_id), keys.invoice_sk(invoice_id))


def tenant_invoices(tenant_id: str) -> list[Invoice]:
    """Every mirrored invoice of the tenant (about one a month: one Query page holds years
    of them)."""
    return list(
        Invoice.query(keys.tenant_pk(tenant_id), Invoice.SK.startswith(keys.invoices_prefix()))
    )


def claim_invoice_email(tenant_id: str, invoice_id: str, what: str) -> bool:
    """Whether this call is the one to send the invoice's ``what`` email (``finalized``,
    ``paid``, ``payment_failed:<attempt>``): appended to ``emailed`` unless there."""
    return _update(
        Invoice(keys.tenant_pk(tenant_id), keys.invoice_sk(invoice_id)),
        [Invoice.emailed.set(Invoice.emailed.append([what]))],
        Invoice.PK.exists() & ~Invoice.emailed.contains(what),
    )


def release_invoice_email(tenant_id: str, invoice_id: str, what: str) -> None:
    """The claimed email was not queued: forget the claim, so a retry sends it."""
    found = invoice(tenant_id, invoice_id)
    if found is None or what not in (found.emailed or []):
        return
    kept = [sent for sent in found.emailed if sent != what]
    _update(found, [Invoice.emailed.set(kept)], Invoice.emailed.contains(what))


def _update(item: Any, actions: list[Any], condition: Any) -> bool:
    try:
        item.update_only(actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
