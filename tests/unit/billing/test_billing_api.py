"""Billing's API against the fake Stripe with the real SDK (issue 14 items 3, 4, 5, 9):
the customer and its fiscal data, payment methods, the subscription's changes with their
prorated preview, and every refusal's status and message."""

from __future__ import annotations

from typing import Any

from tests.support.stripe import deliver_to, sdk

PAID_ROUTES = [
    ("POST", "/v1/billing/setup-intents", None),
    ("GET", "/v1/billing/payment-methods", None),
    ("POST", "/v1/billing/payment-methods", {"payment_method_id": "pm_123"}),
    ("POST", "/v1/billing/payment-methods/pm_123/default", None),
    ("DELETE", "/v1/billing/payment-methods/pm_123", None),
    ("PUT", "/v1/billing/subscription", {"plan": "lite"}),
    ("POST", "/v1/billing/subscription/preview", {"plan": "lite"}),
    ("POST", "/v1/billing/subscription/cancel", None),
    ("POST", "/v1/billing/subscription/resume", None),
]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.json
    return response.json


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code, response.json
    return response.json["error"]


def add_card(world, fake, token: str, card: str = "tok_visa", default: bool = True) -> str:
    ok(world.call("POST", "/v1/billing/setup-intents", token), 201)  # the customer exists
    method = sdk(fake).v1.payment_methods.create({"type": "card", "card": {"token": card}})
    ok(world.call("POST", "/v1/billing/payment-methods", token,
                  {"payment_method_id": method.id, "default": default}), 201)  # fmt: skip
    return str(method.id)


# --- without Stripe keys -------------------------------------------------------------------
def test_without_keys_free_works_and_every_paid_action_says_billing_is_not_configured(world, admin):
    billing = ok(world.call("GET", "/v1/billing", admin))
    assert billing["configured"] is False
    assert billing["publishable_key"] is None
    assert (billing["plan"], billing["plan_name"]) == ("free", "Adereso Helpdesk Free")
    assert billing["limits"]["users"] == {"plan": 3, "addons": 0, "allowed": 3, "in_use": 1}
    assert billing["subscription"] is None
    lite = next(p for p in billing["catalogue"]["plans"] if p["id"] == "lite")
    assert lite["price"] == {"amount": 4900, "currency": "usd", "interval": "month"}
    for method, path, body in PAID_ROUTES:
        error = refused(world.call(method, path, admin, body), 503, "billing_not_configured")
        assert "Billing is not configured" in error["message"], path
    assert ok(world.call("GET", "/v1/billing/invoices", admin))["items"] == []


def test_only_admins_and_account_contacts_see_billing(world, admin):
    agent = world.user_with_role(admin, "pedro@acme.example.com", "agent")
    refused(world.call("GET", "/v1/billing", agent), 403, "forbidden")
    refused(world.call("PUT", "/v1/billing/subscription", agent, {"plan": "pro"}), 403, "forbidden")


# --- the customer --------------------------------------------------------------------------
def test_one_customer_carries_the_fiscal_data_and_follows_their_changes(world, admin, fake_stripe):
    ok(world.call("PATCH", "/v1/establishment", admin, {"fiscal": {
        "legal_name": "Acme SpA", "tax_id": "12345678-5", "billing_address": "Av. Apoquindo 123",
        "first_name": "Ana", "last_name": "Pérez", "purchase_order": "OC-778"}}))  # fmt: skip
    ok(world.call("POST", "/v1/billing/setup-intents", admin), 201)
    ok(world.call("POST", "/v1/billing/setup-intents", admin), 201)
    [customer] = fake_stripe.state()["customers"].values()
    assert customer["name"] == "Acme SpA"
    assert customer["address"]["line1"] == "Av. Apoquindo 123"
    assert customer["address"]["country"] == "CL"
    assert customer["metadata"]["contact_first_name"] == "Ana"
    assert customer["invoice_settings"]["custom_fields"] == [
        {"name": "Orden de compra", "value": "OC-778"}
    ]
    api = sdk(fake_stripe).v1
    [tax_id] = api.customers.tax_ids.list(customer["id"]).data
    assert (tax_id.type, tax_id.value) == ("cl_tin", "12.345.678-5")

    # the fiscal data change: the customer follows (its tax id replaced, not added)
    ok(world.call("PATCH", "/v1/establishment", admin,
                  {"fiscal": {"tax_id": "11.222.333/0001-81", "purchase_order": ""}}))  # fmt: skip
    [tax_id] = api.customers.tax_ids.list(customer["id"]).data
    assert (tax_id.type, tax_id.value) == ("br_cnpj", "11.222.333/0001-81")
    assert len(fake_stripe.state()["customers"]) == 1


# --- payment methods -----------------------------------------------------------------------
def test_cards_are_listed_made_default_and_removed(world, admin, fake_stripe):
    first = add_card(world, fake_stripe, admin)
    second = add_card(world, fake_stripe, admin, "tok_mastercard", default=False)
    methods = ok(world.call("GET", "/v1/billing/payment-methods", admin))["items"]
    assert {(m["id"], m["brand"], m["last4"], m["default"]) for m in methods} == {
        (first, "visa", "4242", True), (second, "mastercard", "4444", False)}  # fmt: skip
    chosen = ok(world.call("POST", f"/v1/billing/payment-methods/{second}/default", admin))
    assert chosen["default"] is True
    assert ok(world.call("GET", "/v1/billing", admin))["default_payment_method"] == second
    assert ok(world.call("DELETE", f"/v1/billing/payment-methods/{second}", admin), 204) is None
    # the other card pays from now on
    [left] = ok(world.call("GET", "/v1/billing/payment-methods", admin))["items"]
    assert (left["id"], left["default"]) == (first, True)


def test_another_tenants_card_is_not_found(world, admin, fake_stripe):
    theirs = add_card(world, fake_stripe, admin)
    other = world.signup("Otra", "eva@otra.example.com")["access_token"]
    for method, path, body in [
        ("POST", "/v1/billing/payment-methods", {"payment_method_id": theirs}),
        ("POST", f"/v1/billing/payment-methods/{theirs}/default", None),
        ("DELETE", f"/v1/billing/payment-methods/{theirs}", None),
    ]:
        refused(world.call(method, path, other, body), 404, "not_found")
    assert len(ok(world.call("GET", "/v1/billing/payment-methods", admin))["items"]) == 1


# --- the subscription ----------------------------------------------------------------------
def test_a_paid_plan_needs_a_card_first(world, admin, fake_stripe):
    error = refused(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "lite"}),
                    409, "payment_method_required")  # fmt: skip
    assert "Métodos de pago" in error["message"]
    assert ok(world.call("GET", "/v1/billing", admin))["plan"] == "free"


def test_free_to_lite_with_two_extra_users_previewed_charged_and_invoiced(
    world, admin, fake_stripe, api
):
    deliver_to(fake_stripe, api)
    add_card(world, fake_stripe, admin)
    body = {"plan": "lite", "addons": {"users": 2}}
    preview = ok(world.call("POST", "/v1/billing/subscription/preview", admin, body))
    assert preview["amount_due"] == 4900 + 2 * 1500
    assert {(line["item"], line["quantity"], line["amount"]) for line in preview["lines"]} == {
        ("lite", 1, 4900), ("users", 2, 3000)}  # fmt: skip
    billing = ok(world.call("PUT", "/v1/billing/subscription", admin, body))
    assert (billing["plan"], billing["addons"]["users"]) == ("lite", 2)
    assert billing["limits"]["users"] == {"plan": 10, "addons": 2, "allowed": 12, "in_use": 1}
    assert billing["subscription"]["status"] == "active"
    assert billing["subscription"]["amount"] == 7900
    [invoice] = ok(world.call("GET", "/v1/billing/invoices", admin))["items"]
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", preview["amount_due"])
    # the same request again (a retried Lambda, a double click): nothing new in Stripe
    ok(world.call("PUT", "/v1/billing/subscription", admin, body))
    assert len(fake_stripe.state()["subscriptions"]) == 1
    assert len(fake_stripe.state()["invoices"]) == 1


def test_more_add_ons_are_prorated_and_the_preview_is_what_is_charged(world, admin, fake_stripe):
    add_card(world, fake_stripe, admin)
    ok(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "lite"}))
    fake_stripe.advance_clock(15 * 86400)  # halfway through the month
    body = {"plan": "pro", "addons": {"whatsapp_numbers": 1}}
    preview = ok(world.call("POST", "/v1/billing/subscription/preview", admin, body))
    assert any(line["proration"] for line in preview["lines"])
    assert 0 < preview["amount_due"] < 9900 + 2000 - 4900
    billing = ok(world.call("PUT", "/v1/billing/subscription", admin, body))
    assert (billing["plan"], billing["addons"]["whatsapp_numbers"]) == ("pro", 1)
    invoices = ok(world.call("GET", "/v1/billing/invoices", admin))["items"]
    assert invoices[0]["amount_due"] == preview["amount_due"]
    [sub] = fake_stripe.state()["subscriptions"].values()
    assert len(sub["items"]["data"]) == 2  # the plan's item changed price in place


def test_a_declined_card_changes_nothing(world, admin, fake_stripe):
    add_card(world, fake_stripe, admin, "tok_chargeCustomerFail")
    error = refused(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "pro"}),
                    402, "card_declined")  # fmt: skip
    assert error["message"]
    billing = ok(world.call("GET", "/v1/billing", admin))
    assert (billing["plan"], billing["subscription"]) == ("free", None)


def test_going_below_what_is_in_use_is_refused_with_what_to_remove(world, admin, fake_stripe):
    add_card(world, fake_stripe, admin)
    ok(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "lite"}))
    for n in range(4):
        world.invite(admin, f"agente{n}@acme.example.com", "agent")
    error = refused(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "free"}), 409,
                    "below_usage")  # fmt: skip
    assert error["details"] == [{"limit": "users", "allowed": 3, "in_use": 5, "remove": 2}]
    assert "Remove 2 users" in error["message"]
    refused(world.call("POST", "/v1/billing/subscription/preview", admin, {"plan": "free"}),
                    409, "below_usage")  # fmt: skip
    assert ok(world.call("GET", "/v1/billing", admin))["plan"] == "lite"


def test_add_ons_go_with_a_paid_plan(world, admin, fake_stripe):
    error = refused(world.call("PUT", "/v1/billing/subscription", admin,
                               {"plan": "free", "addons": {"users": 1}}), 400, "addons_need_plan")  # fmt: skip
    assert "paid plan" in error["message"]


def test_free_cancels_at_the_end_of_the_period_and_resume_undoes_it(world, admin, fake_stripe):
    add_card(world, fake_stripe, admin)
    ok(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "lite"}))
    billing = ok(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "free"}))
    assert billing["plan"] == "lite"  # paid until the end of the period
    assert billing["subscription"]["cancel_at_period_end"] is True
    billing = ok(world.call("POST", "/v1/billing/subscription/resume", admin))
    assert billing["subscription"]["cancel_at_period_end"] is False
    billing = ok(world.call("POST", "/v1/billing/subscription/cancel", admin))
    assert billing["subscription"]["cancel_at_period_end"] is True


def test_the_only_card_of_a_running_subscription_stays(world, admin, fake_stripe):
    card = add_card(world, fake_stripe, admin)
    ok(world.call("PUT", "/v1/billing/subscription", admin, {"plan": "lite"}))
    error = refused(world.call("DELETE", f"/v1/billing/payment-methods/{card}", admin), 409,
                    "payment_method_in_use")  # fmt: skip
    assert "Add another card first" in error["message"]


def test_bad_input_is_a_400_naming_the_field(world, admin, fake_stripe):
    for body in ({"plan": "gold"}, {"plan": "lite", "addons": {"users": -1}},
                 {"plan": "lite", "addons": {"seats": 1}}, {}):  # fmt: skip
        refused(world.call("PUT", "/v1/billing/subscription", admin, body), 400, "validation_error")
    refused(world.call("POST", "/v1/billing/payment-methods", admin,
                       {"payment_method_id": "card_4242"}), 400, "validation_error")  # fmt: skip
