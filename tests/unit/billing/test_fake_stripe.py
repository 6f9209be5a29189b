"""The fake Stripe (devstack/fake_stripe.py) against the real ``stripe`` SDK: what Atiende
relies on behaves as Stripe documents it, so the billing tests that use the fake test
something true."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from devstack.fake_stripe import FakeStripe, parse_form, prorated
from tests.support.stripe import PUBLISHABLE_KEY, WEBHOOK_SECRET, deliver_to, sdk


@pytest.fixture
def client(fake_stripe: FakeStripe) -> Any:
    return sdk(fake_stripe)


def _prices(client: Any) -> dict[str, Any]:
    found = client.v1.prices.list(
        params={"lookup_keys": ["atiende_lite_monthly", "atiende_pro_monthly",
                                "atiende_extra_user_monthly"],
                "active": True, "expand": ["data.product"]})  # fmt: skip
    return {p.lookup_key: p for p in found.data}


def _customer_with_card(client: Any, token: str = "pm_card_visa") -> tuple[Any, Any]:
    customer = client.v1.customers.create(params={"name": "Café Aurora", "email": "pago@aurora.cl"})
    method = client.v1.payment_methods.attach(token, params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    return customer, method


def _subscribe(client: Any, customer: Any, users: int = 2, **extra: Any) -> Any:
    prices = _prices(client)
    return client.v1.subscriptions.create(
        params={"customer": customer.id,
                "items": [{"price": prices["atiende_lite_monthly"].id},
                          {"price": prices["atiende_extra_user_monthly"].id, "quantity": users}],
                "payment_behavior": "error_if_incomplete", "expand": ["latest_invoice"], **extra})  # fmt: skip


def test_bracket_notation_is_parsed_as_stripe_reads_it() -> None:
    assert parse_form(
        "items[0][price]=p1&items[1][price]=p2&items[1][quantity]=3&expand[]=a&expand[]=b"
        "&metadata[tenant]=t1&tax_id_data[0][type]=cl_tin"
    ) == {"items": [{"price": "p1"}, {"price": "p2", "quantity": "3"}], "expand": ["a", "b"],
          "metadata": {"tenant": "t1"}, "tax_id_data": [{"type": "cl_tin"}]}  # fmt: skip


def test_the_catalogue_is_found_by_lookup_key_with_its_products(client: Any) -> None:
    prices = _prices(client)
    assert prices["atiende_lite_monthly"].unit_amount == 4900
    assert prices["atiende_lite_monthly"].product.id == "atiende_lite"
    assert prices["atiende_lite_monthly"].product.name == "Adereso Helpdesk Lite"
    assert prices["atiende_pro_monthly"].recurring.interval == "month"
    assert prices["atiende_extra_user_monthly"].id.startswith("price_")


def test_a_customer_with_fiscal_data_and_tax_ids(client: Any, fake_stripe: FakeStripe) -> None:
    customer = client.v1.customers.create(
        params={"name": "Café Aurora SpA", "email": "pagos@aurora.cl",
                "address": {"line1": "Av. Italia 1000", "city": "Santiago", "country": "CL",
                            "postal_code": "7500000"},
                "preferred_locales": ["es-419"], "metadata": {"tenant_id": "t-1"},
                "tax_id_data": [{"type": "cl_tin", "value": "76.123.456-K"}]})  # fmt: skip
    assert customer.id.startswith("cus_") and customer.livemode is False
    assert customer.address.city == "Santiago" and customer.preferred_locales == ["es-419"]
    [tax_id] = client.v1.customers.tax_ids.list(customer.id).data
    assert (tax_id.type, tax_id.value, tax_id.country) == ("cl_tin", "76.123.456-K", "CL")

    added = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "br_cnpj", "value": "01.234.456/5432-10"}
    )
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.customers.tax_ids.create(customer.id, params={"type": "br_cpf", "value": "12"})
    assert bad.value.http_status == 400 and bad.value.code == "tax_id_invalid"
    client.v1.customers.tax_ids.delete(customer.id, tax_id.id)
    assert [t.id for t in client.v1.customers.tax_ids.list(customer.id).data] == [added.id]

    updated = client.v1.customers.update(
        customer.id,
        params={"invoice_settings": {"custom_fields": [{"name": "OC", "value": "4500012345"}]},
                "metadata": {"tenant_id": ""}},
    )  # fmt: skip
    assert updated.invoice_settings.custom_fields[0].value == "4500012345"
    assert updated.metadata.to_dict() == {}
    [changed] = fake_stripe.events_of("customer.updated")
    assert "invoice_settings" in changed["data"]["previous_attributes"]

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.customers.retrieve("cus_nope")
    assert unknown.value.http_status == 404 and unknown.value.code == "resource_missing"


def test_a_setup_intent_confirmed_as_stripe_js_does(client: Any, fake_stripe: FakeStripe) -> None:
    customer = client.v1.customers.create(params={"name": "Ana"})
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "usage": "off_session",
                "automatic_payment_methods": {"enabled": True}})  # fmt: skip
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert intent.status == "requires_payment_method"

    publishable = stripe.StripeClient(PUBLISHABLE_KEY, base_addresses={"api": fake_stripe.url})
    with pytest.raises(stripe.InvalidRequestError):  # the secret is what proves the caller
        publishable.v1.setup_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    with pytest.raises(stripe.CardError) as declined:
        _confirm(fake_stripe, intent, "4000 0000 0000 0002")
    assert declined.value.code == "card_declined" and declined.value.http_status == 402
    confirmed = _confirm(fake_stripe, intent, "5555 5555 5555 4444")
    assert confirmed["status"] == "succeeded" and confirmed["payment_method"].startswith("pm_")

    [method] = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"}).data
    assert (method.card.brand, method.card.last4) == ("mastercard", "4444")
    assert method.id == confirmed["payment_method"]
    assert [e["type"] for e in fake_stripe.events][-2:] == [
        "payment_method.attached", "setup_intent.succeeded"]  # fmt: skip
    with pytest.raises(stripe.AuthenticationError):  # a publishable key reads nothing else
        publishable.v1.customers.retrieve(customer.id)


def _confirm(fake: FakeStripe, intent: Any, number: str) -> dict:
    """What the Stripe.js stand-in's frame sends (publishable key and client secret)."""
    from urllib.parse import urlencode

    body = urlencode({"client_secret": intent.client_secret, "payment_method_data[type]": "card",
                      "payment_method_data[card][number]": number,
                      "payment_method_data[card][exp_month]": "12",
                      "payment_method_data[card][exp_year]": "34",
                      "payment_method_data[card][cvc]": "123"}).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{fake.url}/v1/setup_intents/{intent.id}/confirm", data=body, method="POST",
        headers={"Authorization": f"Bearer {PUBLISHABLE_KEY}"})  # fmt: skip
    try:
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        error = json.loads(exc.read())["error"]
        raise stripe.CardError(error["message"], error.get("param"), error.get("code"),
                               http_status=exc.code) from None  # fmt: skip


def test_payment_methods_by_token_attach_and_detach(client: Any, fake_stripe: FakeStripe) -> None:
    customer, method = _customer_with_card(client)
    made = client.v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_mastercard"}})  # fmt: skip
    assert made.customer is None and made.card.brand == "mastercard"
    client.v1.payment_methods.attach(made.id, params={"customer": customer.id})
    listed = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    assert {m.id for m in listed.data} == {method.id, made.id}
    shown = client.v1.customers.retrieve(customer.id, params={"expand": ["invoice_settings.default_payment_method"]})  # fmt: skip
    assert shown.invoice_settings.default_payment_method.card.last4 == "4242"

    detached = client.v1.payment_methods.detach(method.id)
    assert detached.customer is None
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None  # fmt: skip
    assert [e["type"] for e in fake_stripe.events].count("payment_method.detached") == 1
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_methods.attach("pm_card_chargeDeclined", params={"customer": customer.id})  # fmt: skip
    assert declined.value.code == "card_declined"


def test_a_subscription_of_two_items_is_invoiced_and_paid_at_once(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer, users=2, metadata={"tenant_id": "t-1"})
    assert sub.id.startswith("sub_") and sub.status == "active"
    items = sub["items"].data
    assert [(i.price.lookup_key, i.quantity) for i in items] == [
        ("atiende_lite_monthly", 1), ("atiende_extra_user_monthly", 2)]  # fmt: skip
    assert items[0].current_period_end > items[0].current_period_start
    invoice = sub.latest_invoice
    assert (invoice.status, invoice.amount_due, invoice.amount_paid, invoice.amount_remaining) == (
        "paid", 4900 + 2 * 1500, 7900, 0)  # fmt: skip
    assert invoice.number.startswith("ATI-") and invoice.attempt_count == 1
    assert invoice.parent.subscription_details.subscription == sub.id
    assert [line.parent.subscription_item_details.proration for line in invoice.lines.data] == [False, False]  # fmt: skip
    assert invoice.lines.data[1].description == "2 \u00d7 Extra user (at $15.00 / month)"

    page = urllib.request.urlopen(invoice.hosted_invoice_url).read().decode()
    assert invoice.number in page
    assert urllib.request.urlopen(invoice.invoice_pdf).read().startswith(b"%PDF-")
    listed = client.v1.invoices.list(params={"customer": customer.id, "limit": 10})
    assert [i.id for i in listed.data] == [invoice.id] and listed.has_more is False
    assert [e["type"] for e in fake_stripe.events][-5:] == [
        "customer.subscription.created", "invoice.created", "invoice.finalized",
        "invoice.paid", "invoice.payment_succeeded"]  # fmt: skip


def test_more_units_with_always_invoice_are_charged_now_as_previewed(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer, users=2)
    users_item = sub["items"].data[1]
    change = {"items": [{"id": users_item.id, "quantity": 5}], "proration_behavior": "always_invoice"}  # fmt: skip
    preview = client.v1.invoices.create_preview(
        params={"customer": customer.id, "subscription": sub.id, "subscription_details": change}
    )
    # the whole period is left: 2 credited, 5 charged
    lines = [(x.amount, x.parent.subscription_item_details.proration) for x in preview.lines.data]
    assert lines == [(-3000, True), (7500, True)]
    assert preview.amount_due == 4500

    updated = client.v1.subscriptions.update(
        sub.id,
        params={
            **change,
            "payment_behavior": "error_if_incomplete",
            "expand": ["latest_invoice"],
        },
    )
    assert updated["items"].data[1].quantity == 5
    assert updated.latest_invoice.amount_due == preview.amount_due
    assert updated.latest_invoice.status == "paid"
    assert updated.latest_invoice.billing_reason == "subscription_update"
    [event] = fake_stripe.events_of("customer.subscription.updated")
    assert event["data"]["previous_attributes"]["items"]["data"][1]["quantity"] == 2


def test_prorations_count_the_days_left() -> None:
    day = 86400
    assert prorated(3000, 0, 30 * day, 15 * day) == 1500
    assert prorated(3000, 0, 30 * day, 20 * day + 60) == 1000  # seconds do not count
    assert prorated(3000, 0, 30 * day, 30 * day) == 0


def test_the_same_idempotency_key_replays_and_another_body_is_refused(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client)
    prices = _prices(client)
    params = {"customer": customer.id, "items": [{"price": prices["atiende_lite_monthly"].id}]}
    one = client.v1.subscriptions.create(params=params, options={"idempotency_key": "k-1"})
    two = client.v1.subscriptions.create(params=params, options={"idempotency_key": "k-1"})
    assert two.id == one.id
    assert two.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(fake_stripe.subscriptions) == 1
    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.subscriptions.create(
            params={**params, "metadata": {"x": "y"}}, options={"idempotency_key": "k-1"}
        )
    assert refused.value.http_status == 400


def test_a_refused_request_is_not_kept_for_its_key_but_a_declined_card_is(client: Any) -> None:
    customer = client.v1.customers.create(params={"name": "Ana"})
    prices = _prices(client)
    params = {"customer": customer.id, "items": [{"price": prices["atiende_lite_monthly"].id}],
              "payment_behavior": "error_if_incomplete"}  # fmt: skip
    with pytest.raises(stripe.InvalidRequestError):  # no card yet: refused, not run
        client.v1.subscriptions.create(params=params, options={"idempotency_key": "k-2"})
    method = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", params={"customer": customer.id})  # fmt: skip
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": method.id}})  # fmt: skip
    with pytest.raises(stripe.CardError):  # ran: declined, and kept
        client.v1.subscriptions.create(params=params, options={"idempotency_key": "k-2"})
    client.v1.payment_methods.detach(method.id)
    _customer_card = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})  # fmt: skip
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": _customer_card.id}})  # fmt: skip
    with pytest.raises(stripe.CardError) as replayed:
        client.v1.subscriptions.create(params=params, options={"idempotency_key": "k-2"})
    assert replayed.value.headers["Idempotent-Replayed"] == "true"
    assert (
        client.v1.subscriptions.create(params=params, options={"idempotency_key": "k-3"}).status
        == "active"
    )


def test_a_declined_card_refuses_the_subscription_and_changes_nothing(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client, "pm_card_chargeCustomerFail")  # attaches fine
    with pytest.raises(stripe.CardError) as declined:
        _subscribe(client, customer)
    assert (declined.value.http_status, declined.value.code) == (402, "card_declined")
    assert declined.value.error.type == "card_error"
    assert fake_stripe.subscriptions == {} and fake_stripe.invoices == {}

    allowed = _subscribe(client, customer, payment_behavior="allow_incomplete")
    assert allowed.status == "incomplete"
    assert (allowed.latest_invoice.status, allowed.latest_invoice.attempt_count) == ("open", 1)
    assert len(fake_stripe.events_of("invoice.payment_failed")) == 1
    fake_stripe.advance(allowed.id)
    assert fake_stripe.advance(allowed.id)["status"] == "incomplete_expired"  # third attempt
    assert client.v1.invoices.retrieve(allowed.latest_invoice.id).status == "void"
    assert [e["type"] for e in fake_stripe.events][-3:] == [
        "customer.subscription.deleted", "invoice.updated", "invoice.voided"]  # fmt: skip


def test_a_renewal_that_keeps_failing_ends_the_subscription(client: Any, fake_stripe: FakeStripe) -> None:  # fmt: skip
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer)
    renewed = fake_stripe.advance(sub.id)
    assert renewed["status"] == "active"
    assert renewed["items"]["data"][0]["current_period_start"] == sub["items"].data[0].current_period_end  # fmt: skip
    assert client.v1.invoices.retrieve(renewed["latest_invoice"]).billing_reason == "subscription_cycle"  # fmt: skip

    fake_stripe.fail_charges(customer.id)
    assert fake_stripe.advance(sub.id)["status"] == "past_due"
    assert fake_stripe.advance(sub.id)["status"] == "past_due"  # second attempt
    assert fake_stripe.advance(sub.id)["status"] == "canceled"  # the third: Stripe gives up
    assert len(fake_stripe.events_of("invoice.payment_failed")) == 3
    [deleted] = fake_stripe.events_of("customer.subscription.deleted")
    assert deleted["data"]["object"]["id"] == sub.id


def test_cancel_at_period_end_and_resume(client: Any, fake_stripe: FakeStripe) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer)
    canceling = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert canceling.cancel_at_period_end is True and canceling.status == "active"
    resumed = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": False})
    assert resumed.cancel_at_period_end is False
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert fake_stripe.advance(sub.id)["status"] == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.cancel(sub.id)


# --- webhooks ------------------------------------------------------------------------------
class _Receiver:
    def __init__(self) -> None:
        self.bodies: list[tuple[bytes, str]] = []
        received = self.bodies

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.append((self.rfile.read(length), self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"


@pytest.fixture
def receiver() -> Any:
    found = _Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_webhooks_are_signed_as_stripe_signs_them(client: Any, fake_stripe: FakeStripe, receiver: Any) -> None:  # fmt: skip
    fake_stripe.webhook_url = receiver.url
    customer = client.v1.customers.create(params={"name": "Ana"})
    fake_stripe.flush()
    [(body, signature)] = receiver.bodies
    event = stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
    assert event.type == "customer.created" and event.data.object.id == customer.id
    assert event.api_version == "2026-10-28.endive" and event.id.startswith("evt_")
    assert fake_stripe.deliveries[0]["status"] == 200

    fake_stripe.sign_with = "whsec_old_secret"
    client.v1.customers.update(customer.id, params={"name": "Ana María"})
    fake_stripe.flush()
    body, signature = receiver.bodies[-1]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
    assert stripe.Webhook.construct_event(body, signature, "whsec_old_secret").type == "customer.updated"  # fmt: skip

    fake_stripe.sign_with = f"whsec_old_secret,{WEBHOOK_SECRET}"  # a rotation: both
    client.v1.customers.update(customer.id, params={"name": "Ana"})
    fake_stripe.flush()
    body, signature = receiver.bodies[-1]
    assert signature.count("v1=") == 2
    assert (
        stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET).type == "customer.updated"
    )

    fake_stripe.sign_with, fake_stripe.bad_signature = None, True
    client.v1.customers.update(customer.id, params={"name": "Ana María"})
    fake_stripe.flush()
    body, signature = receiver.bodies[-1]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)


def test_held_events_are_released_in_the_order_asked(client: Any, fake_stripe: FakeStripe) -> None:  # fmt: skip
    received: list[str] = []

    def sink(body: bytes, headers: dict[str, str]) -> int:
        event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], WEBHOOK_SECRET)
        received.append(event.type)
        return 200

    fake_stripe.webhook_sink = sink
    fake_stripe.hold()
    customer, _ = _customer_with_card(client)
    _subscribe(client, customer)
    fake_stripe.flush()
    assert received == []
    held = [e["type"] for e in fake_stripe.held()]
    assert held[-2:] == ["invoice.paid", "invoice.payment_succeeded"]
    fake_stripe.release(["invoice.paid", "customer.subscription.created"])
    fake_stripe.flush()
    assert received[:2] == ["invoice.paid", "customer.subscription.created"]
    assert sorted(received) == sorted(held)

    first = fake_stripe.events_of("customer.created")[0]["id"]
    fake_stripe.resend(first)
    fake_stripe.flush()
    assert received[-1] == "customer.created"
    assert [d["event_id"] for d in fake_stripe.deliveries].count(first) == 2


def test_a_plan_change_mid_period_is_prorated_by_the_days_left(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer, users=0)
    start = sub["items"].data[0].current_period_start
    end = sub["items"].data[0].current_period_end
    days = round((end - start) / 86400)
    fake_stripe.advance_clock(10 * 86400)  # ten days used
    lite = sub["items"].data[0]
    pro = _prices(client)["atiende_pro_monthly"]
    change = {"items": [{"id": lite.id, "price": pro.id}], "proration_behavior": "always_invoice"}
    preview = client.v1.invoices.create_preview(
        params={"customer": customer.id, "subscription": sub.id, "subscription_details": change}
    )
    left = days - 10
    expected = round(9900 * left / days) - round(4900 * left / days)
    assert preview.amount_due == expected
    assert preview.lines.data[0].description.startswith(
        "Unused time on 1 \u00d7 Adereso Helpdesk Lite"
    )

    updated = client.v1.subscriptions.update(
        sub.id, params={**change, "expand": ["latest_invoice"]}
    )
    assert updated["items"].data[0].price.lookup_key == "atiende_pro_monthly"
    assert (
        updated["items"].data[0].id == lite.id
        and updated["items"].data[0].current_period_end == end
    )
    assert updated.latest_invoice.amount_paid == expected


def test_create_prorations_wait_for_the_renewal_invoice(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer, users=1)
    users_item = sub["items"].data[1]
    updated = client.v1.subscriptions.update(
        sub.id,
        params={"items": [{"id": users_item.id, "quantity": 3}]},  # create_prorations
    )
    assert updated.latest_invoice == sub.latest_invoice.id  # nothing invoiced now
    upcoming = client.v1.invoices.create_preview(params={"customer": customer.id, "subscription": sub.id})  # fmt: skip
    renewal = fake_stripe.advance(sub.id)
    invoice = client.v1.invoices.retrieve(renewal["latest_invoice"])
    prorations = [
        x.amount for x in invoice.lines.data if x.parent.subscription_item_details.proration
    ]
    assert prorations == [-1500, 4500]
    assert invoice.amount_paid == 3000 + 4900 + 3 * 1500 == upcoming.amount_due


def test_a_preview_of_a_new_subscription_is_its_first_invoice(client: Any) -> None:
    customer = client.v1.customers.create(params={"name": "Ana"})
    prices = _prices(client)
    preview = client.v1.invoices.create_preview(
        params={"customer": customer.id,
                "subscription_details": {"items": [
                    {"price": prices["atiende_pro_monthly"].id},
                    {"price": prices["atiende_extra_user_monthly"].id, "quantity": 4}]}})  # fmt: skip
    assert preview.amount_due == 9900 + 4 * 1500
    assert [x.parent.subscription_item_details.proration for x in preview.lines.data] == [False, False]  # fmt: skip
    assert client.v1.invoices.list(params={"customer": customer.id}).data == []


def test_a_failing_card_on_an_update_with_allow_incomplete_leaves_it_past_due(
    client: Any, fake_stripe: FakeStripe
) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer, users=1)
    fake_stripe.fail_charges(customer.id)
    change = {"items": [{"id": sub["items"].data[1].id, "quantity": 2}], "proration_behavior": "always_invoice"}  # fmt: skip
    with pytest.raises(stripe.CardError):
        client.v1.subscriptions.update(sub.id, params={**change, "payment_behavior": "error_if_incomplete"})  # fmt: skip
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[1].quantity == 1

    updated = client.v1.subscriptions.update(
        sub.id,
        params={
            **change,
            "payment_behavior": "allow_incomplete",
            "expand": ["latest_invoice"],
        },
    )
    assert updated.status == "past_due" and updated["items"].data[1].quantity == 2
    assert (updated.latest_invoice.status, updated.latest_invoice.attempt_count) == ("open", 1)
    assert updated.latest_invoice.next_payment_attempt is not None

    fake_stripe.fail_charges(customer.id, failing=False)
    assert fake_stripe.advance(sub.id)["status"] == "active"  # the retry pays it
    assert client.v1.invoices.retrieve(updated.latest_invoice.id).status == "paid"


def test_errors_are_stripes(client: Any, fake_stripe: FakeStripe) -> None:
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.customers.create(params={"nmae": "typo"})
    assert unknown.value.param == "nmae" and unknown.value.http_status == 400
    customer = client.v1.customers.create(params={"name": "Ana"})
    with pytest.raises(stripe.InvalidRequestError) as no_card:
        _subscribe(client, customer)
    assert "no attached payment source" in str(no_card.value)
    bad_key = stripe.StripeClient("sk_live_nope", base_addresses={"api": fake_stripe.url})
    with pytest.raises(stripe.AuthenticationError):
        bad_key.v1.customers.retrieve(customer.id)
    with pytest.raises(urllib.error.HTTPError) as no_key:
        urllib.request.urlopen(f"{fake_stripe.url}/v1/customers/{customer.id}")
    assert no_key.value.code == 401
    assert "You did not provide an API key" in json.loads(no_key.value.read())["error"]["message"]


def test_concurrent_calls_are_safe(client: Any, fake_stripe: FakeStripe) -> None:
    made: list[str] = []

    def create() -> None:
        for _ in range(5):
            made.append(client.v1.customers.create(params={"name": "Ana"}).id)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 30 == len(fake_stripe.customers)
    assert len(fake_stripe.events_of("customer.created")) == 30


def test_the_fixture_points_atiende_at_the_fake(fake_stripe: FakeStripe) -> None:
    from chalicelib.billing import stripe_client
    from chalicelib.domain.errors import DomainError
    from chalicelib.settings import get_settings

    settings = get_settings()
    assert settings.stripe_api_base == fake_stripe.url
    assert settings.stripe_js_url == fake_stripe.url + "/v3/"
    customer = stripe_client.call(stripe_client.client().v1.customers.create, params={"name": "Ana"})  # fmt: skip
    assert customer["id"] in fake_stripe.customers
    with pytest.raises(DomainError) as declined:  # the domain's refusal, 402 card_declined
        stripe_client.call(stripe_client.client().v1.payment_methods.attach, "pm_card_chargeDeclined",
                           params={"customer": customer["id"]})  # fmt: skip
    assert declined.value.code == "card_declined"


def test_webhooks_can_go_into_the_chalice_test_client(fake_stripe: FakeStripe, api: Any) -> None:
    deliver_to(fake_stripe, api)
    sdk(fake_stripe).v1.customers.create(params={"name": "Ana"})
    assert fake_stripe.deliveries == []  # with a sink, only flush() delivers
    fake_stripe.flush()
    [delivery] = fake_stripe.deliveries
    assert delivery["to"] == "sink" and delivery["type"] == "customer.created"
    assert delivery["status"] >= 200  # the app answered (whatever its webhook route says)


def test_the_stripe_js_stand_in_is_served_without_inline_script(fake_stripe: FakeStripe) -> None:
    import re

    script = urllib.request.urlopen(fake_stripe.url + "/v3/")
    assert script.headers["Content-Type"].startswith("application/javascript")
    body = script.read().decode()
    assert "Secure payment input frame" in body and fake_stripe.url in body
    assert "eval(" not in body and "new Function" not in body
    frame = urllib.request.urlopen(fake_stripe.url + "/v3/elements-frame.html")
    page = frame.read().decode()
    assert "script-src 'self'" in frame.headers["Content-Security-Policy"]
    for label in ("Card number", "Expiration date (MM / YY)", "Security code"):
        assert f">{label}</label>" in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page


def test_the_stripe_js_stand_in_confirms_a_setup_in_a_browser(
    client: Any, fake_stripe: FakeStripe
) -> None:
    """A page of another origin, under a CSP like the console's, mounts the payment
    Element; the card typed in the frame confirms the setup intent (declined, then ok)."""
    from playwright.sync_api import sync_playwright

    from tests.support.console import CHROMIUM, MISSING_CHROMIUM

    if not CHROMIUM.is_file():
        pytest.fail(MISSING_CHROMIUM)
    customer = client.v1.customers.create(params={"name": "Ana"})
    intent = client.v1.setup_intents.create(params={"customer": customer.id})
    page_html = (
        "<!doctype html><meta charset=utf-8><meta http-equiv='Content-Security-Policy' "
        f"content=\"default-src 'self'; script-src 'self' {fake_stripe.url}; "
        f"frame-src {fake_stripe.url}; connect-src 'self'\">"
        f"<script src='{fake_stripe.url}/v3/'></script><script src='/app.js' defer></script>"
        "<div id=pay></div>"
    ).encode()
    app_js = (
        f"const stripe = Stripe('{PUBLISHABLE_KEY}', {{locale: 'es'}});"
        f"const elements = stripe.elements({{clientSecret: '{intent.client_secret}'}});"
        "const payment = elements.create('payment'); window.changes = [];"
        "payment.on('change', (e) => window.changes.push([e.complete, e.empty]));"
        "payment.on('ready', () => { window.ready = true; });"
        "payment.mount('#pay');"
        "window.confirmIt = () => stripe.confirmSetup({elements, redirect: 'if_required'});"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, kind = (app_js, "text/javascript") if self.path == "/app.js" else (page_html, "text/html")  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    errors: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"http://localhost:{server.server_address[1]}/")  # another origin
            page.wait_for_function("window.ready === true")
            frame = page.frame_locator("iframe[title='Secure payment input frame']")
            frame.get_by_label("Card number").fill("4000 0000 0000 0002")
            frame.get_by_label("Expiration date (MM / YY)").fill("12 / 34")
            frame.get_by_label("Security code").fill("123")
            page.wait_for_function("window.changes.length && window.changes.at(-1)[0] === true")
            declined = page.evaluate("window.confirmIt()")
            assert declined["error"]["code"] == "card_declined"
            assert declined["error"]["type"] == "card_error"
            frame.get_by_label("Card number").fill("4242 4242 4242 4242")
            confirmed = page.evaluate("window.confirmIt()")
            assert "4242" not in page.content()  # the card stays in the frame
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert errors == []
    assert confirmed["setupIntent"]["status"] == "succeeded"
    [method] = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"}).data
    assert method.id == confirmed["setupIntent"]["payment_method"] and method.card.last4 == "4242"


def test_removing_an_add_on_credits_the_next_invoice(client: Any, fake_stripe: FakeStripe) -> None:
    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer, users=2)
    users_item = sub["items"].data[1]
    change = {"items": [{"id": users_item.id, "deleted": True}], "proration_behavior": "always_invoice"}  # fmt: skip
    preview = client.v1.invoices.create_preview(
        params={"customer": customer.id, "subscription": sub.id, "subscription_details": change}
    )
    assert (preview.total, preview.amount_due) == (-3000, 0)
    updated = client.v1.subscriptions.update(
        sub.id, params={**change, "expand": ["latest_invoice"]}
    )
    assert [i.price.lookup_key for i in updated["items"].data] == ["atiende_lite_monthly"]
    assert (updated.latest_invoice.total, updated.latest_invoice.amount_due) == (-3000, 0)
    assert updated.latest_invoice.status == "paid"
    assert client.v1.customers.retrieve(customer.id).balance == -3000  # a credit

    renewal = client.v1.invoices.retrieve(fake_stripe.advance(sub.id)["latest_invoice"])
    assert (renewal.total, renewal.starting_balance, renewal.amount_due) == (4900, -3000, 1900)
    assert client.v1.customers.retrieve(customer.id).balance == 0


def test_the_controls_answer_over_http_too(client: Any, fake_stripe: FakeStripe) -> None:
    """What ``make run`` and the browser tests drive: ``/_fake/stripe/…``."""

    def control(path: str, **form: str) -> Any:
        from urllib.parse import urlencode

        request = urllib.request.Request(
            fake_stripe.url + path, data=urlencode(form).encode(), method="POST"
        )
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    customer, _ = _customer_with_card(client)
    sub = _subscribe(client, customer)
    control(f"/_fake/stripe/customers/{customer.id}/fail_charges")
    control("/_fake/stripe/webhooks/hold")
    assert control(f"/_fake/stripe/subscriptions/{sub.id}/advance")["status"] == "past_due"
    held = [e["type"] for e in fake_stripe.held()]
    assert "invoice.payment_failed" in held
    control(f"/_fake/stripe/customers/{customer.id}/fail_charges", failing="false")
    assert control(f"/_fake/stripe/subscriptions/{sub.id}/advance")["status"] == "active"
    control("/_fake/stripe/webhooks/release", order="invoice.payment_failed")
    assert fake_stripe.held() == []
    with urllib.request.urlopen(fake_stripe.url + "/_fake/stripe/state") as answer:
        state = json.loads(answer.read())
    assert state["subscriptions"][sub.id]["status"] == "active"
    with pytest.raises(urllib.error.HTTPError) as unknown:
        control("/_fake/stripe/subscriptions/sub_nope/advance")
    assert unknown.value.code == 400


def test_an_event_can_be_delivered_twice_in_a_row(client: Any, fake_stripe: FakeStripe) -> None:
    received: list[str] = []
    fake_stripe.webhook_sink = lambda body, headers: received.append(json.loads(body)["id"]) or 200
    fake_stripe.duplicate_next()
    client.v1.customers.create(params={"name": "Ana"})
    client.v1.customers.create(params={"name": "Beto"})
    fake_stripe.flush()
    first, second = (e["id"] for e in fake_stripe.events_of("customer.created"))
    assert received == [first, first, second]
    assert [d["status"] for d in fake_stripe.deliveries] == [200, 200, 200]


def test_the_fake_follows_the_apps_clock(client: Any, fake_stripe: FakeStripe, frozen_clock: Any) -> None:  # fmt: skip
    from datetime import timedelta

    frozen = int(frozen_clock.now().timestamp())
    assert client.v1.customers.create(params={"name": "Ana"}).created == frozen
    frozen_clock.advance(timedelta(days=3))
    customer, _ = _customer_with_card(client)
    assert customer.created == frozen + 3 * 86400
    sub = _subscribe(client, customer)
    signatures: list[str] = []
    fake_stripe.webhook_sink = lambda body, headers: signatures.append(headers["Stripe-Signature"]) or 200  # fmt: skip
    fake_stripe.advance(sub.id)  # Stripe's time moves a month; the app's does not
    fake_stripe.flush()
    # signed at the app's "now", which is what its check compares with
    assert {s.split(",")[0] for s in signatures} == {f"t={frozen + 3 * 86400}"}


def test_the_key_is_taken_as_curl_gives_it_too(fake_stripe: FakeStripe) -> None:
    """``curl -u sk_test_…:`` (Basic auth, the key as user) as Stripe's docs show it; a
    request without a key is Stripe's 401."""
    import base64

    def get(authorization: str | None) -> int:
        request = urllib.request.Request(f"{fake_stripe.url}/v1/products/atiende_lite")
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)

    basic = base64.b64encode(b"sk_test_fake_atiende_local:").decode()
    assert get(f"Basic {basic}") == 200
    assert get(None) == 401
