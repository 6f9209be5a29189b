"""The Stripe side of a tenant, as the request paths write it (docs/billing.md): the
tenant's ``billing`` map and its customer, whose lookup item tells which tenant a Stripe
customer is. The store owns these conditions (docs/decisions.md)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.store import keys
from chalicelib.store.accounts import Tenant
from chalicelib.store.base import condition_failed, transaction
from chalicelib.store.billing import StripeCustomer


def billing_of(tenant: Tenant) -> dict[str, Any]:
    """The tenant's ``billing`` map as a plain dict (empty before its first billing act)."""
    value = tenant.billing
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def addons_of(tenant: Tenant) -> dict[str, int]:
    value = tenant.addons
    raw = value.as_dict() if hasattr(value, "as_dict") else dict(value or {})
    return {name: int(quantity) for name, quantity in raw.items() if int(quantity) > 0}


def _ensure_map(tenant_id: str) -> None:
    """``billing = if_not_exists(billing, {})``: its fields can then be set one by one."""
    Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()).update_only(
        [Tenant.billing.set(Tenant.billing | {})], condition=Tenant.PK.exists()
    )


def record_customer(tenant_id: str, customer_id: str) -> str:
    """Keep ``customer_id`` as the tenant's customer, with its lookup item, unless the
    tenant already has one (a request that raced this one): the customer kept is
    returned."""
    _ensure_map(tenant_id)
    tenant = Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk())
    try:
        with transaction() as write:
            write.save(
                StripeCustomer(
                    keys.stripe_customer_pk(customer_id),
                    keys.stripe_customer_sk(),
                    customer_id=customer_id,
                    tenant_id=tenant_id,
                )
            )
            write.update(
                tenant,
                actions=[Tenant.billing["customer_id"].set(customer_id)],
                condition=Tenant.billing["customer_id"].does_not_exist()
                | (Tenant.billing["customer_id"] == customer_id),
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        kept = billing_of(Tenant.get(tenant.PK, tenant.SK, consistent_read=True))
        return str(kept["customer_id"])
    return customer_id


def set_billing_fields(tenant_id: str, **fields: Any) -> None:
    """Set fields of the tenant's ``billing`` map (``None`` removes one): one UpdateItem
    once the map exists; the first time, the map is made and the fields set again."""
    actions = [
        Tenant.billing[name].remove() if value is None else Tenant.billing[name].set(value)
        for name, value in fields.items()
    ]
    tenant = Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk())
    try:
        tenant.update_only(actions, condition=Tenant.billing.exists())
        return
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
    try:  # no map yet (or the tenant is gone: nothing to keep)
        _ensure_map(tenant_id)
        tenant.update_only(actions, condition=Tenant.PK.exists())
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
