"""POST /webhooks/stripe: the Stripe-Signature checked on the raw body, each event stored once
with one conditional write, 200 at once (docs/billing.md "Events, invoices and dunning")."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from chalicelib.clock import now
from chalicelib.domain.billing.events import verify_signature
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.billing import StripeEvent
from chalicelib.store.meter import measure
from tests.support.payloads import payload
from tests.support.queues import queue_depth
from tests.support.stripe_events import OLD_WHSEC, WHSEC, sign
from tests.support.table_stream import run_effects

EVENT = "stripe_events/customer.subscription.updated.json"


def stored(event_id: str) -> StripeEvent | None:
    try:
        return StripeEvent.get(keys.stripe_event_pk(event_id), keys.stripe_event_sk())
    except StripeEvent.DoesNotExist:
        return None


def stored_events() -> int:
    return sum(1 for _ in StripeEvent.query(keys.stripe_event_pk("evt_1SaSubUpdated00001")))


def test_a_signed_event_is_stored_once_and_queued_once_however_often_it_comes(billing):
    event = payload(EVENT)
    first = billing.deliver(event)
    again = billing.deliver(event)  # Stripe retries a delivery it thinks failed
    assert first.json == again.json == {"received": True}
    item = stored("evt_1SaSubUpdated00001")
    assert item is not None and stored_events() == 1
    assert (item.event_type, item.object_id, item.customer_id) == (
        "customer.subscription.updated", "sub_1SaSubscr1pt10n01", "cus_TQd2m8ZpXv4WcA")  # fmt: skip
    assert item.processed_at is None and item.expires_at is not None
    run_effects()
    assert queue_depth("billing") == 1  # the second delivery wrote nothing, so queued nothing


@pytest.mark.parametrize(
    "engine", ["moto", pytest.param("dynamodb-local", marks=pytest.mark.ddb_local)]
)
def test_a_stripe_webhook_costs_one_conditional_write_before_it_is_acknowledged(billing, engine):
    event = payload(EVENT)
    body = json.dumps(event).encode()
    for delivery in ("first", "duplicate"):
        with measure() as cost:
            response = billing.post(body, sign(body))
        assert response.status_code == 200, delivery
        summary = cost.summary()
        print(delivery, summary)
        assert summary["by_operation"] == {"PutItem": 1}, (delivery, summary)
        assert cost.requests == 1 and summary["write_units"] <= 1.0  # a small item


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",  # empty
        "t=abc,v1=deadbeef",  # malformed timestamp
        "v1=" + "0" * 64,  # no timestamp
        "forged",  # with another secret: built in the test
        "stale",  # five minutes and a second old
        "future",  # five minutes and a second ahead
        "v0",  # only the old, unsupported scheme
    ],
)
def test_a_missing_forged_or_stale_signature_is_401_and_nothing_is_stored(billing, signature):
    body = json.dumps(payload(EVENT)).encode()
    header = {
        "forged": sign(body, "whsec_someone_else"),
        "stale": sign(body, at=now().timestamp() - 301),
        "future": sign(body, at=now().timestamp() + 301),
        "v0": sign(body).replace("v1=", "v0="),
    }.get(signature or "", signature)
    response = billing.post(body, header)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "bad_signature"
    assert stored("evt_1SaSubUpdated00001") is None


def test_a_signature_over_another_body_is_refused(billing):
    body = json.dumps(payload(EVENT)).encode()
    tampered = body.replace(b"sub_1SaSubscr1pt10n01", b"sub_1SaSomeoneElses01")
    assert billing.post(tampered, sign(body)).status_code == 401
    # the raw body is what is signed: the same JSON spaced otherwise is another body
    respaced = json.dumps(payload(EVENT), indent=1).encode()
    assert billing.post(respaced, sign(body)).status_code == 401


def test_within_five_minutes_either_way_the_signature_holds(billing):
    body = json.dumps(payload(EVENT)).encode()
    assert billing.post(body, sign(body, at=now().timestamp() - 299)).status_code == 200
    assert billing.post(body, sign(body, at=now().timestamp() + 299)).status_code == 200


def test_during_a_rotation_either_secret_signs_and_any_v1_may_match(billing):
    os.environ["STRIPE_WEBHOOK_SECRET"] = f"{WHSEC}, {OLD_WHSEC}"
    get_settings.cache_clear()
    old = payload(EVENT, {"id": "evt_1SaSignedWithOld001"})
    body = json.dumps(old).encode()
    assert billing.post(body, sign(body, OLD_WHSEC)).status_code == 200
    # Stripe signs with every secret of the endpoint while one expires: several v1
    new = payload(EVENT, {"id": "evt_1SaSignedWithBoth01"})
    body = json.dumps(new).encode()
    unknown = sign(body, "whsec_retired_long_ago").split(",")[1]
    both = f"{sign(body, WHSEC)},{unknown}"
    assert billing.post(body, both).status_code == 200
    reversed_order = f"{sign(body, 'whsec_retired_long_ago')},{sign(body, OLD_WHSEC).split(',')[1]}"
    assert billing.post(body, reversed_order).status_code == 200
    assert stored("evt_1SaSignedWithOld001") and stored("evt_1SaSignedWithBoth01")


def test_without_a_webhook_secret_stripe_is_answered_503(billing):
    os.environ["STRIPE_WEBHOOK_SECRET"] = ""
    get_settings.cache_clear()
    body = json.dumps(payload(EVENT)).encode()
    response = billing.post(body, sign(body))
    assert response.status_code == 503
    assert stored("evt_1SaSubUpdated00001") is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"id": "evt_1SaNoObject000001", "object": "charge"}).encode(),
        json.dumps(
            {"id": "cus_x", "object": "event", "type": "x", "created": 1, "data": {"object": {}}}
        ).encode(),
        json.dumps(
            {"id": "evt_1SaNoData00000001", "object": "event", "type": "x", "created": 1}
        ).encode(),
    ],
)
def test_a_verified_body_that_is_no_stripe_event_is_400(billing, body):
    response = billing.post(body, sign(body))
    assert response.status_code == 400, response.json
    assert run_effects() == 0  # nothing was written


def test_a_detached_payment_methods_customer_comes_from_its_previous_attributes(billing):
    billing.deliver(payload("stripe_events/payment_method.detached.json"))
    item = stored("evt_1SaPmDetached00001")
    assert item is not None and item.customer_id == "cus_TQd2m8ZpXv4WcA"
    assert item.object_id == "pm_1SaCard4242Visa0001"


def test_the_signature_check_alone():
    body = b'{"id": "evt_1"}'
    at = 1_800_000_000
    header = sign(body, WHSEC, at)
    assert verify_signature(body, header, [WHSEC], at)
    assert verify_signature(body, header, ["whsec_other", WHSEC], at + 300)
    assert not verify_signature(body, header, [WHSEC], at + 301)
    assert not verify_signature(body, header, ["whsec_other"], at)
    assert not verify_signature(body, header, [], at)
    assert not verify_signature(body + b" ", header, [WHSEC], at)
    assert not verify_signature(body, header.upper(), [WHSEC], at)


def test_the_webhook_module_does_not_import_the_stripe_sdk():
    import subprocess
    import sys

    code = ("import sys, chalicelib.api.stripe_webhooks; "
            "print('stripe' in sys.modules)")  # fmt: skip
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ})  # fmt: skip
    assert found.stdout.strip() == "False"


def test_received_events_are_kept_thirty_days(billing, frozen_clock):
    billing.deliver(payload(EVENT))
    item = stored("evt_1SaSubUpdated00001")
    assert item is not None
    assert item.expires_at == int((now() + timedelta(days=30)).timestamp())
