"""``make stripe-catalog``: the catalogue of chalicelib/domain/billing/plans.py in the Stripe
account of ``STRIPE_API_KEY`` (and ``STRIPE_API_BASE`` when set: the fake Stripe),
idempotently, with the official SDK.

* products by our own ids: created when missing, renamed (and reactivated) when they
  differ;
* monthly prices by ``lookup_key``: kept when amount, currency, interval and product
  match; otherwise a new price is created with ``transfer_lookup_key=true``, so the key
  moves to it (existing subscriptions stay on the old price until changed).

It prints what it did; a second run changes nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.billing import plans


@dataclass(frozen=True)
class Entry:
    product_id: str
    name: str
    lookup_key: str
    amount: int
    currency: str = plans.CURRENCY
    interval: str = plans.INTERVAL


def catalogue() -> list[Entry]:
    entries = [Entry(p.product_id, p.name, p.lookup_key, p.amount)
               for p in plans.PLANS.values() if p.product_id and p.lookup_key]  # fmt: skip
    entries += [Entry(a.product_id, a.name, a.lookup_key, a.amount) for a in plans.ADDONS.values()]
    return entries


def _product(client: Any, entry: Entry) -> str:
    import stripe

    try:
        product = client.v1.products.retrieve(entry.product_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        client.v1.products.create(params={"id": entry.product_id, "name": entry.name})
        return f"product {entry.product_id}: created ({entry.name})"
    changes: dict[str, Any] = {}
    if product.name != entry.name:
        changes["name"] = entry.name
    if not product.active:
        changes["active"] = True
    if not changes:
        return f"product {entry.product_id}: unchanged"
    client.v1.products.update(entry.product_id, params=changes)
    return f"product {entry.product_id}: updated ({', '.join(sorted(changes))})"


def _price(client: Any, entry: Entry) -> str:
    found = client.v1.prices.list(params={"lookup_keys": [entry.lookup_key], "limit": 1})
    current = found.data[0] if found.data else None
    product = current.product if current is not None else None
    product_id = product if isinstance(product, str) or product is None else product.id
    if (
        current is not None
        and current.active
        and current.unit_amount == entry.amount
        and current.currency == entry.currency
        and current.recurring is not None
        and current.recurring.interval == entry.interval
        and current.recurring.interval_count == 1
        and product_id == entry.product_id
    ):
        return f"price {entry.lookup_key}: unchanged ({current.id})"
    created = client.v1.prices.create(
        params={
            "product": entry.product_id,
            "unit_amount": entry.amount,
            "currency": entry.currency,
            "recurring": {"interval": entry.interval},
            "lookup_key": entry.lookup_key,
            "transfer_lookup_key": True,
            "nickname": f"{entry.name}, monthly",
        }
    )
    if current is None:
        return f"price {entry.lookup_key}: created ({created.id}, {_money(entry)})"
    return (
        f"price {entry.lookup_key}: new price {created.id} ({_money(entry)}); the lookup key "
        f"moved from {current.id}"
    )


def _money(entry: Entry) -> str:
    return f"{entry.amount / 100:.2f} {entry.currency.upper()}/{entry.interval}"


def sync(client: Any, say: Callable[[str], None] = print) -> list[str]:
    """Make the account's catalogue match ours; returns (and says) what was done."""
    done = []
    for entry in catalogue():
        for line in (_product(client, entry), _price(client, entry)):
            say(line)
            done.append(line)
    return done


def client_from_env(environ: dict[str, str] | None = None) -> Any:
    import stripe

    env = os.environ if environ is None else environ
    key = env.get("STRIPE_API_KEY")
    if not key:
        raise SystemExit("STRIPE_API_KEY is not set: the catalogue goes to that Stripe account.")
    base = env.get("STRIPE_API_BASE")
    bases: Any = {"api": base.rstrip("/")} if base else None
    return stripe.StripeClient(key, base_addresses=bases, max_network_retries=2)


def main() -> int:
    client = client_from_env()
    key = os.environ["STRIPE_API_KEY"]
    mode = "live" if key.startswith(("sk_live_", "rk_live_")) else "test"
    where = os.environ.get("STRIPE_API_BASE") or "Stripe"
    print(f"stripe-catalog: {mode} mode, {where}", flush=True)
    sync(client, lambda line: print(f"  {line}", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
