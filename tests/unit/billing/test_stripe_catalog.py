"""``make stripe-catalog`` (devstack/stripe_catalog.py) against the fake Stripe: it creates
the catalogue, a second run changes nothing, a changed amount moves the lookup key to a
new price."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pytest

from chalicelib.domain.billing import plans
from devstack import stripe_catalog
from devstack.fake_stripe import FakeStripe
from devstack.template import ROOT
from tests.support.stripe import SECRET_KEY, sdk

pytestmark = pytest.mark.fake_stripe(catalog=False)


def _by_lookup_key(fake: FakeStripe) -> dict[str, dict]:
    return {p["lookup_key"]: p for p in fake.prices.values() if p["lookup_key"]}


def test_it_creates_the_catalogue_then_changes_nothing(fake_stripe: FakeStripe) -> None:
    client = sdk(fake_stripe)
    first = stripe_catalog.sync(client, lambda line: None)
    assert len(fake_stripe.products) == 5 and len(fake_stripe.prices) == 5
    assert fake_stripe.products["atiende_pro"]["name"] == "Adereso Helpdesk Pro"
    prices = _by_lookup_key(fake_stripe)
    assert set(prices) == set(plans.lookup_keys())
    lite = prices["atiende_lite_monthly"]
    assert (lite["unit_amount"], lite["currency"], lite["recurring"]["interval"], lite["product"]) == (
        4900, "usd", "month", "atiende_lite")  # fmt: skip
    assert sum("created" in line for line in first) == 10

    state = (dict(fake_stripe.products), dict(fake_stripe.prices))
    second = stripe_catalog.sync(client, lambda line: None)
    assert all(line.endswith("unchanged") or ": unchanged (" in line for line in second)
    assert (dict(fake_stripe.products), dict(fake_stripe.prices)) == state


def test_a_changed_amount_or_name_moves_the_lookup_key_to_a_new_price(
    fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = sdk(fake_stripe)
    stripe_catalog.sync(client, lambda line: None)
    old = _by_lookup_key(fake_stripe)["atiende_extra_user_monthly"]

    entries = stripe_catalog.catalogue()
    changed = [dataclasses.replace(e, amount=1700) if e.lookup_key == old["lookup_key"] else e
               for e in entries]  # fmt: skip
    changed = [dataclasses.replace(e, name="Pro") if e.product_id == "atiende_pro" else e
               for e in changed]  # fmt: skip
    monkeypatch.setattr(stripe_catalog, "catalogue", lambda: changed)
    done = stripe_catalog.sync(client, lambda line: None)
    assert f"moved from {old['id']}" in next(line for line in done if "extra_user" in line and "price" in line)  # fmt: skip
    assert "product atiende_pro: updated (name)" in done

    new = _by_lookup_key(fake_stripe)["atiende_extra_user_monthly"]
    assert new["id"] != old["id"] and new["unit_amount"] == 1700
    assert fake_stripe.prices[old["id"]]["lookup_key"] is None  # the old one keeps working
    assert fake_stripe.products["atiende_pro"]["name"] == "Pro"
    listed = client.v1.prices.list(params={"lookup_keys": ["atiende_extra_user_monthly"]})
    assert [p.id for p in listed.data] == [new["id"]]
    assert all("unchanged" in line for line in stripe_catalog.sync(client, lambda line: None))


def test_the_make_target_runs_it_and_says_what_it_did(fake_stripe: FakeStripe) -> None:
    import os

    env = {**os.environ, "STRIPE_API_KEY": SECRET_KEY, "STRIPE_API_BASE": fake_stripe.url}
    run = subprocess.run([sys.executable, "-m", "devstack.stripe_catalog"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "test mode" in run.stdout and "price atiende_pro_monthly: created" in run.stdout
    assert len(fake_stripe.prices) == 5


def test_without_a_key_it_says_so() -> None:
    with pytest.raises(SystemExit, match="STRIPE_API_KEY"):
        stripe_catalog.client_from_env({})


def test_the_fake_fixture_starts_with_the_same_catalogue(request: Any) -> None:
    """``fake_stripe`` seeds the account itself (no HTTP): it must match what the command makes."""
    seeded = FakeStripe(catalog=True)
    by_key = _by_lookup_key(seeded)
    for entry in stripe_catalog.catalogue():
        price = by_key[entry.lookup_key]
        assert (price["product"], price["unit_amount"], price["currency"]) == (
            entry.product_id, entry.amount, entry.currency)  # fmt: skip
        assert seeded.products[entry.product_id]["name"] == entry.name
