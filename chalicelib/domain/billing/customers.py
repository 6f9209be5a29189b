"""The tenant's Stripe customer (issue 14 item 3): one per tenant, created the first time
a billing action needs it, carrying the establishment's fiscal data.

- name: the legal name (the company's name until one is given); email: the admin's;
- the tax id as a Stripe tax id of its type (``tax_ids.py``): ``cl_tin``, ``br_cnpj``,
  ``br_cpf``; another country's id goes on invoices as a custom field;
- the billing address (``address.line1``, with the country its tax id tells);
- the contact's first and last name (``metadata``: Stripe's customer has no such fields)
  and the purchase-order number on every invoice (``invoice_settings.custom_fields``);
- the language of its emails and invoices (``preferred_locales``).

When the fiscal data change the customer follows: the establishment's PATCH calls
``follow`` (best effort: Stripe down does not refuse the edit), and every billing action
first calls ``ensure_customer``, which updates a customer whose data are older than the
tenant's (a hash of what was sent is kept in ``billing.customer_synced``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from chalicelib.billing import stripe_client as stripe
from chalicelib.domain.billing import tax_ids
from chalicelib.domain.errors import DomainError
from chalicelib.store.accounts import Tenant
from chalicelib.store.billing_state import billing_of, record_customer, set_billing_fields

log = logging.getLogger(__name__)

LOCALES = {"es": "es", "pt": "pt-BR", "en": "en"}
COUNTRY_OF_TAX_ID = {"cl_tin": "CL", "br_cnpj": "BR", "br_cpf": "BR"}
PURCHASE_ORDER = {"es": "Orden de compra", "pt": "Ordem de compra", "en": "Purchase order"}
TAX_ID = {"es": "Identificación fiscal", "pt": "Identificação fiscal", "en": "Tax ID"}


def _fiscal(tenant: Tenant) -> dict[str, Any]:
    value = tenant.fiscal or {}
    return dict(value)


def customer_fields(tenant: Tenant) -> dict[str, Any]:
    """What the customer carries, as Stripe's parameters (without the typed tax id)."""
    fiscal = _fiscal(tenant)
    typed = tax_ids.stripe_tax_id(fiscal.get("tax_id"))
    locale = tenant.locale if tenant.locale in LOCALES else "es"
    custom: list[dict[str, str]] = []
    if fiscal.get("purchase_order"):
        custom.append({"name": PURCHASE_ORDER[locale], "value": str(fiscal["purchase_order"])})
    if fiscal.get("tax_id") and typed is None:
        custom.append({"name": TAX_ID[locale], "value": str(fiscal["tax_id"])[:140]})
    address: dict[str, str] = {}
    if fiscal.get("billing_address"):
        address["line1"] = str(fiscal["billing_address"])[:200]
    if typed:
        address["country"] = COUNTRY_OF_TAX_ID[typed[0]]
    return {
        "name": fiscal.get("legal_name") or tenant.name,
        "email": tenant.admin_email,
        "preferred_locales": [LOCALES[locale]],
        "address": address or "",
        "metadata": {
            "tenant_id": tenant.tenant_id,
            "contact_first_name": fiscal.get("first_name") or "",
            "contact_last_name": fiscal.get("last_name") or "",
        },
        "invoice_settings": {"custom_fields": custom or ""},
    }


def _digest(fields: dict[str, Any], typed: tuple[str, str] | None) -> str:
    blob = json.dumps([fields, typed], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def ensure_customer(tenant: Tenant) -> str:
    """The tenant's customer id: created once when first needed (an Idempotency-Key per
    tenant: two requests at once, or a retried Lambda, make one customer), updated when
    the fiscal data changed since it was last sent."""
    stripe.require_configured()
    fields = customer_fields(tenant)
    typed = tax_ids.stripe_tax_id(_fiscal(tenant).get("tax_id"))
    digest = _digest(fields, typed)
    billing = billing_of(tenant)
    customer_id = billing.get("customer_id")
    if customer_id and billing.get("customer_synced") == digest:
        return str(customer_id)
    api = stripe.client().v1
    if not customer_id:
        params = dict(fields)
        if typed:
            params["tax_id_data"] = [{"type": typed[0], "value": typed[1]}]
        if not params["address"]:
            params.pop("address")
        if not params["invoice_settings"]["custom_fields"]:
            params.pop("invoice_settings")
        created = stripe.call(
            api.customers.create,
            params=params,
            key=stripe.idempotency_key("customer", tenant.tenant_id),
        )
        customer_id = record_customer(tenant.tenant_id, created["id"])
    else:
        stripe.call(
            api.customers.update,
            customer_id,
            params=fields,
            # from what was last sent: A, B then A again are three updates, not a replay
            key=stripe.idempotency_key(
                "customer-update", customer_id, digest, billing.get("customer_synced")
            ),
        )
        _follow_tax_id(api, str(customer_id), typed)
    set_billing_fields(tenant.tenant_id, customer_synced=digest)
    return str(customer_id)


def _follow_tax_id(api: Any, customer_id: str, typed: tuple[str, str] | None) -> None:
    """The customer's tax ids become exactly the tenant's one (or none)."""
    found = stripe.call(api.customers.tax_ids.list, customer_id)
    have = [(t["type"], t["value"], t["id"]) for t in found.get("data", [])]
    keep = typed if typed and any((kind, value) == typed for kind, value, _ in have) else None
    for kind, value, tax_id in have:
        if (kind, value) != keep:
            stripe.call(api.customers.tax_ids.delete, customer_id, tax_id)
    if typed and keep is None:
        stripe.call(
            api.customers.tax_ids.create,
            customer_id,
            params={"type": typed[0], "value": typed[1]},
            key=stripe.idempotency_key("tax-id", customer_id, typed, sorted(have)),
        )


def follow(tenant: Tenant) -> None:
    """After the fiscal data changed: update the customer, if there is one. Best effort:
    a failure is logged and the next billing action sends them (``ensure_customer``)."""
    if not stripe.configured() or not billing_of(tenant).get("customer_id"):
        return
    try:
        ensure_customer(tenant)
    except DomainError as exc:
        log.warning("the Stripe customer did not follow the fiscal data: %s", exc.code)
