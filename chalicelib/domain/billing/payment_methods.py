"""Payment methods ("Métodos de pago", issue 14 item 4). Card numbers never touch Atiende:
the console asks for a SetupIntent, Stripe Elements collects and confirms the card in
Stripe's own frame, and Atiende only ever handles the payment method's id and what Stripe
says of it (brand, last four digits, expiry)."""

from __future__ import annotations

from typing import Any

from chalicelib.billing import stripe_client as stripe
from chalicelib.domain.billing.customers import ensure_customer
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.store.accounts import Tenant
from chalicelib.store.billing_state import billing_of, set_billing_fields

#: a subscription in these states still charges the default method
CHARGING = ("active", "past_due", "trialing", "incomplete", "unpaid")


def setup_intent(tenant: Tenant, request_id: str) -> dict[str, str]:
    """A SetupIntent of the tenant's customer for the console's Stripe Elements."""
    customer_id = ensure_customer(tenant)
    intent = stripe.call(
        stripe.client().v1.setup_intents.create,
        params={"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"],
                "metadata": {"tenant_id": tenant.tenant_id}},
        key=stripe.idempotency_key("setup-intent", tenant.tenant_id, request_id),
    )  # fmt: skip
    return {"id": intent["id"], "client_secret": intent["client_secret"]}


def method_view(method: dict[str, Any], default_id: str | None) -> dict[str, Any]:
    card = method.get("card") or {}
    return {
        "id": method["id"],
        "brand": card.get("brand") or method.get("type") or "card",
        "last4": card.get("last4") or "",
        "exp_month": card.get("exp_month"),
        "exp_year": card.get("exp_year"),
        "default": method["id"] == default_id,
    }


def _default_of(customer: dict[str, Any]) -> str | None:
    chosen = (customer.get("invoice_settings") or {}).get("default_payment_method")
    if isinstance(chosen, dict):
        return str(chosen.get("id"))
    return str(chosen) if chosen else None


def list_methods(tenant: Tenant) -> list[dict[str, Any]]:
    """The customer's cards, the default one marked (none before there is a customer)."""
    stripe.require_configured()
    customer_id = billing_of(tenant).get("customer_id")
    if not customer_id:
        return []
    api = stripe.client().v1
    customer = stripe.call(api.customers.retrieve, customer_id)
    found = stripe.call(api.customers.payment_methods.list, customer_id, params={"type": "card"})
    default_id = _default_of(customer)
    return [method_view(m, default_id) for m in found.get("data", [])]


def _owned(api: Any, customer_id: str, method_id: str) -> dict[str, Any]:
    """The payment method, if it is this customer's; another's is "not found" as if it
    did not exist (ids are never confirmed across tenants)."""
    missing = NotFound("No such payment method.", code="not_found")
    if not method_id.startswith("pm_"):
        raise missing
    try:
        method = stripe.call(api.payment_methods.retrieve, method_id)
    except NotFound:
        raise missing from None
    owner = method.get("customer")
    if isinstance(owner, dict):
        owner = owner.get("id")
    if owner not in (None, customer_id):
        raise missing
    return dict(method)


def _make_default(
    api: Any, tenant: Tenant, customer_id: str, method_id: str, current: str | None
) -> None:
    """``current``: the default before, part of the key (choosing A, then B, then A again
    are three changes, not a replay of the first)."""
    stripe.call(
        api.customers.update,
        customer_id,
        params={"invoice_settings": {"default_payment_method": method_id}},
        key=stripe.idempotency_key("default-pm", customer_id, method_id, current),
    )
    set_billing_fields(tenant.tenant_id, default_payment_method=method_id)


def add_method(tenant: Tenant, method_id: str, make_default: bool) -> dict[str, Any]:
    """Attach a payment method confirmed in Stripe Elements (if it is not yet) and make it
    the default when asked or when the customer had none."""
    customer_id = ensure_customer(tenant)
    api = stripe.client().v1
    method = _owned(api, customer_id, method_id)
    if not method.get("customer"):
        method = stripe.call(
            api.payment_methods.attach,
            method_id,
            params={"customer": customer_id},
            key=stripe.idempotency_key("attach", customer_id, method_id),
        )
    customer = stripe.call(api.customers.retrieve, customer_id)
    default_id = _default_of(customer)
    if make_default or default_id is None:
        _make_default(api, tenant, customer_id, method_id, default_id)
        default_id = method_id
    return method_view(method, default_id)


def choose_default(tenant: Tenant, method_id: str) -> dict[str, Any]:
    customer_id = ensure_customer(tenant)
    api = stripe.client().v1
    method = _owned(api, customer_id, method_id)
    if not method.get("customer"):
        raise NotFound("No such payment method.", code="not_found")
    current = _default_of(stripe.call(api.customers.retrieve, customer_id))
    if current != method_id:
        _make_default(api, tenant, customer_id, method_id, current)
    return method_view(method, method_id)


def remove_method(tenant: Tenant, method_id: str) -> None:
    """Detach a card; the only card of a subscription that still charges stays (409)."""
    customer_id = ensure_customer(tenant)
    api = stripe.client().v1
    method = _owned(api, customer_id, method_id)
    if not method.get("customer"):
        raise NotFound("No such payment method.", code="not_found")
    billing = billing_of(tenant)
    customer = stripe.call(api.customers.retrieve, customer_id)
    was_default = _default_of(customer) == method_id
    listed = stripe.call(api.customers.payment_methods.list, customer_id, params={"type": "card"})
    others = [m["id"] for m in listed.get("data", []) if m["id"] != method_id]
    if was_default and not others and billing.get("status") in CHARGING:
        raise Conflict(
            "This card pays the subscription and is the only one. Add another card "
            "first, or cancel the subscription.",
            code="payment_method_in_use",
        )
    stripe.call(
        api.payment_methods.detach,
        method_id,
        key=stripe.idempotency_key("detach", customer_id, method_id),
    )
    if was_default:  # the next card pays from now on (Stripe would leave none)
        if others:
            _make_default(api, tenant, customer_id, others[0], method_id)
        else:
            set_billing_fields(tenant.tenant_id, default_payment_method=None)
