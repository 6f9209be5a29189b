"""Processing Stripe's events from the billing queue: the subscription as Stripe has it now,
whatever the order events come in; Free and one email after a subscription ends; past_due;
payment methods; redeliveries and Lambdas dying midway (docs/billing.md "Events, invoices
and dunning")."""

from __future__ import annotations

from datetime import timedelta

import pytest

import app
from chalicelib.clock import now
from chalicelib.domain.billing import events, sync
from chalicelib.domain.errors import Unavailable
from chalicelib.store import billing_events as store
from chalicelib.store import keys
from chalicelib.store.billing import StripeEvent
from devstack.worker import deliver_once, sqs_consumers
from tests.support.payloads import payload
from tests.support.queues import queue_depth
from tests.support.stripe_events import CUSTOMER, INVOICE, SUBSCRIPTION, stripe_not_found
from tests.support.table_stream import run_effects

SUB_PATH = f"/v1/subscriptions/{SUBSCRIPTION}"
OLD_SUB = "sub_1SaOldSubscr1pt0n"


def processed(event_id: str) -> bool:
    item = StripeEvent.get(keys.stripe_event_pk(event_id), keys.stripe_event_sk())
    return item.processed_at is not None


def test_events_out_of_order_leave_the_subscription_as_stripe_has_it_now(billing, stripe_api):
    tenant_id = billing.tenant_with_customer()
    # Stripe now: Pro with one extra user and one extra WhatsApp number, whatever each event says
    for _ in range(2):
        stripe_api.queue(SUB_PATH, 200, "subscription_pro.json")
    stripe_api.queue(f"/v1/invoices/{INVOICE}", 200, "invoice_paid.json")
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))  # to Pro
    billing.process()
    billing.deliver(payload("stripe_events/customer.subscription.created.json"))  # older: Lite
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    billing.process()
    tenant = billing.tenant(tenant_id)
    assert tenant.plan == "pro"
    assert tenant.addons.as_dict() == {"users": 1, "whatsapp_numbers": 1}
    state = tenant.billing.as_dict()
    assert {k: state[k] for k in ("customer_id", "subscription_id", "status",
                                  "cancel_at_period_end", "current_period_end",
                                  "default_payment_method")} == {
        "customer_id": CUSTOMER, "subscription_id": SUBSCRIPTION, "status": "active",
        "cancel_at_period_end": False, "current_period_end": "2026-01-05T10:20:00.000Z",
        "default_payment_method": "pm_1SaCard4242Visa0001",
    }  # fmt: skip
    assert state["synced_at"] and state["amount"] == 9900 + 1500 + 2000
    assert [r.path for r in stripe_api.requests] == [SUB_PATH, SUB_PATH, f"/v1/invoices/{INVOICE}"]
    assert all(r.method == "GET" for r in stripe_api.requests)  # never a write to Stripe
    assert all(processed(e) for e in ("evt_1SaSubUpdated00001", "evt_1SaSubCreated00001",
                                      "evt_1SaInvPaid00000001"))  # fmt: skip


def test_an_older_read_of_the_subscription_never_overwrites_a_newer_one(billing):
    tenant_id = billing.tenant_with_customer()
    later, earlier = now(), now() - timedelta(seconds=2)
    sync.sync_as_read(tenant_id, payload("stripe_events/subscription_pro.json"), later)
    # a worker that read Lite before Pro was bought writes after: it changes nothing
    sync.sync_as_read(tenant_id, payload("stripe_events/subscription_lite.json"), earlier)
    tenant = billing.tenant(tenant_id)
    assert tenant.plan == "pro"
    assert tenant.addons.as_dict() == {"users": 1, "whatsapp_numbers": 1}


def test_a_write_of_an_older_read_racing_a_newer_one_is_refused(billing):
    """Two workers read Stripe; the one that read first writes last: the condition on the
    stored read's time refuses it, whatever the worker believed when it decided."""
    tenant_id = billing.tenant_with_customer()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_pro.json"))
    newer = int(billing.tenant(tenant_id).billing["read_at"])
    older = sync.billing_fields(payload("stripe_events/subscription_lite.json"), newer - 1)
    assert not store.write_subscription(
        tenant_id, had_billing=True, expected_subscription=SUBSCRIPTION, billing=older,
        plan="lite", addons={"users": 2}, at=now(),
    )  # fmt: skip
    # and a writer that believed the tenant had no subscription yet is refused too
    fresh = sync.billing_fields(payload("stripe_events/subscription_lite.json"), newer + 1)
    assert not store.write_subscription(
        tenant_id, had_billing=True, expected_subscription=None, billing=fresh,
        plan="lite", addons={"users": 2}, at=now(),
    )  # fmt: skip
    assert billing.tenant(tenant_id).plan == "pro"


def test_sync_subscription_mirrors_what_stripe_answered(billing):
    tenant_id = billing.tenant_with_customer()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_lite.json"))
    tenant = billing.tenant(tenant_id)
    assert (tenant.plan, tenant.addons.as_dict()) == ("lite", {"users": 2})
    assert tenant.billing["status"] == "active"


def test_an_incomplete_subscription_is_tracked_but_grants_no_plan_yet(billing):
    tenant_id = billing.tenant_with_customer()
    incomplete = payload("stripe_events/subscription_pro.json", {"status": "incomplete"})
    sync.sync_subscription(tenant_id, incomplete)
    tenant = billing.tenant(tenant_id)
    assert tenant.plan == "free" and tenant.billing["status"] == "incomplete"
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_pro.json"))
    assert billing.tenant(tenant_id).plan == "pro"


def test_an_event_of_a_replaced_subscription_does_not_change_the_plan(billing, stripe_api):
    tenant_id = billing.tenant_with_customer()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_pro.json"))
    # the subscription Pro replaced: older, and an event of it arrives late
    old_alive = payload("stripe_events/subscription_lite.json",
                        {"id": OLD_SUB, "created": 1764000000})  # fmt: skip
    stripe_api.queue(f"/v1/subscriptions/{OLD_SUB}", 200, old_alive)
    billing.deliver(payload("stripe_events/customer.subscription.created.json",
                            {"id": "evt_1SaOldCreated00001", "data.object.id": OLD_SUB}))  # fmt: skip
    # and its end: the tenant is not sent back to Free
    old_gone = payload("stripe_events/subscription_canceled.json", {"id": OLD_SUB})
    stripe_api.queue(f"/v1/subscriptions/{OLD_SUB}", 200, old_gone)
    billing.deliver(payload("stripe_events/customer.subscription.deleted.json",
                            {"id": "evt_1SaOldDeleted00001", "data.object.id": OLD_SUB}))  # fmt: skip
    billing.process()
    tenant = billing.tenant(tenant_id)
    assert (tenant.plan, tenant.billing["subscription_id"]) == ("pro", SUBSCRIPTION)
    assert processed("evt_1SaOldCreated00001") and processed("evt_1SaOldDeleted00001")
    assert stripe_api.unanswered() == []


def test_a_new_subscription_after_the_old_one_ended_is_taken(billing, over_limit):
    tenant_id = billing.tenant_with_customer()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_canceled.json",
                                              {"id": OLD_SUB}))  # fmt: skip
    assert billing.tenant(tenant_id).plan == "free"
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_lite.json"))
    tenant = billing.tenant(tenant_id)
    assert (tenant.plan, tenant.billing["subscription_id"]) == ("lite", SUBSCRIPTION)


def test_a_deleted_subscription_returns_the_tenant_to_free_and_says_once_what_to_remove(
    billing, stripe_api, over_limit
):
    tenant_id = billing.tenant_with_customer()
    admin_token = billing.signed_up["access_token"]
    billing.world.user_with_role(admin_token, "bea@acme.example.com", "admin")
    billing.world.new_mail()  # the signup's and the invitation's
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_lite.json"))
    over_limit += [{"limit": "users", "allowed": 3, "in_use": 5, "remove": 2},
                   {"limit": "whatsapp_numbers", "allowed": 1, "in_use": 2, "remove": 1}]  # fmt: skip
    for _ in range(2):
        stripe_api.queue(SUB_PATH, 200, "subscription_canceled.json")
    billing.deliver(payload("stripe_events/customer.subscription.deleted.json"))
    # a late update of the same subscription reads it canceled too: no second email
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
    billing.process()
    tenant = billing.tenant(tenant_id)
    assert (tenant.plan, tenant.addons.as_dict()) == ("free", {})
    assert tenant.billing["status"] == "canceled"
    mail = billing.world.new_mail()
    assert len(mail) == 1
    [email] = mail
    assert sorted(a.strip() for a in email["To"].split(",")) == [
        "ana@acme.example.com", "bea@acme.example.com"]  # fmt: skip
    text = email.get_body(("plain",)).get_content()
    assert "Adereso Helpdesk Free" in email["Subject"]
    assert "Usuarios: usa 5 y el plan permite 3. Elimina 2." in text
    assert "Números de WhatsApp: usa 2 y el plan permite 1. Desconecta 1." in text
    assert "/admin/billing" in text


def test_a_downgrade_within_free_limits_sends_no_email(billing, stripe_api, over_limit):
    tenant_id = billing.tenant_with_customer()
    billing.world.new_mail()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_lite.json"))
    stripe_api.queue(SUB_PATH, 200, "subscription_canceled.json")
    billing.deliver(payload("stripe_events/customer.subscription.deleted.json"))
    billing.process()
    assert billing.tenant(tenant_id).plan == "free"
    assert billing.world.new_mail() == []


def test_a_subscription_stripe_no_longer_has_is_as_good_as_canceled(
    billing, stripe_api, over_limit
):
    tenant_id = billing.tenant_with_customer()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_pro.json"))
    stripe_api.queue(SUB_PATH, 404, stripe_not_found("subscription", SUBSCRIPTION))
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
    billing.process()
    assert billing.tenant(tenant_id).plan == "free"


def test_past_due_sets_the_flag_and_keeps_the_plan(billing, stripe_api):
    tenant_id = billing.tenant_with_customer()
    stripe_api.queue(SUB_PATH, 200, "subscription_past_due.json")
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
    billing.process()
    tenant = billing.tenant(tenant_id)
    assert tenant.billing["status"] == "past_due" and tenant.plan == "lite"
    assert sync.is_past_due(tenant)
    stripe_api.queue(SUB_PATH, 200, "subscription_lite.json")  # the card was updated, paid
    billing.deliver(payload("stripe_events/customer.subscription.updated.json",
                            {"id": "evt_1SaSubPaidAgain0001"}))  # fmt: skip
    billing.process()
    assert billing.tenant(tenant_id).billing["status"] == "active"
    assert not sync.is_past_due(billing.tenant(tenant_id))


def test_the_tenant_may_be_found_by_the_objects_metadata(billing, stripe_api):
    tenant_id = str(billing.world.signup()["tenant"]["id"])  # no StripeCustomer item
    stripe_api.queue(SUB_PATH, 200, payload("stripe_events/subscription_lite.json",
                                            {"metadata": {"tenant_id": tenant_id}}))  # fmt: skip
    billing.deliver(payload("stripe_events/customer.subscription.created.json"))
    billing.process()
    assert billing.tenant(tenant_id).plan == "lite"


def test_an_event_of_an_unknown_customer_is_logged_and_marked_processed(
    billing, stripe_api, caplog
):
    stripe_api.queue(SUB_PATH, 200, "subscription_lite.json")
    billing.deliver(payload("stripe_events/customer.subscription.created.json"))
    billing.process()
    assert processed("evt_1SaSubCreated00001")
    assert "no tenant's" in caplog.text


def test_other_events_are_marked_processed_without_asking_stripe(billing, stripe_api):
    billing.tenant_with_customer()
    billing.deliver(payload("stripe_events/charge.succeeded.json"))
    billing.process()
    assert processed("evt_1SaChargeOk0000001")
    assert stripe_api.requests == []


def test_payment_method_events_refresh_the_customers_default_method(billing, stripe_api):
    tenant_id = billing.tenant_with_customer()
    stripe_api.queue(f"/v1/customers/{CUSTOMER}", 200, "customer.json")
    billing.deliver(payload("stripe_events/payment_method.attached.json"))
    billing.process()
    assert billing.tenant(tenant_id).billing["default_payment_method"] == "pm_1SaCard4242Visa0001"
    stripe_api.queue(f"/v1/customers/{CUSTOMER}", 200, payload(
        "stripe_events/customer.json", {"invoice_settings.default_payment_method": None}))  # fmt: skip
    billing.deliver(payload("stripe_events/payment_method.detached.json"))
    billing.process()
    tenant = billing.tenant(tenant_id)
    assert tenant.billing["default_payment_method"] is None
    assert tenant.billing["customer_id"] == CUSTOMER


def test_stripe_down_during_processing_leaves_the_message_on_the_queue(billing, stripe_api):
    tenant_id = billing.tenant_with_customer()
    stripe_api.queue(SUB_PATH, 500, {"error": {"type": "api_error", "message": "down"}},
                     {"Stripe-Should-Retry": "false"})  # fmt: skip
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
    run_effects()
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "process_billing"]
    assert deliver_once(source, handler, wait_seconds=0) == 1
    assert not processed("evt_1SaSubUpdated00001")
    assert billing.tenant(tenant_id).plan == "free"
    assert queue_depth("billing") == 0  # in flight: back after the visibility timeout, not deleted
    # the same message again, once Stripe answers
    stripe_api.queue(SUB_PATH, 200, "subscription_pro.json")
    assert events.process("evt_1SaSubUpdated00001") == "subscription synced"
    assert billing.tenant(tenant_id).plan == "pro"


def test_a_lambda_dying_after_the_email_does_not_send_it_again(
    billing, stripe_api, over_limit, monkeypatch
):
    tenant_id = billing.tenant_with_customer()
    billing.world.new_mail()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_lite.json"))
    over_limit.append({"limit": "users", "allowed": 3, "in_use": 4, "remove": 1})
    stripe_api.queue(SUB_PATH, 200, "subscription_canceled.json")
    billing.deliver(payload("stripe_events/customer.subscription.deleted.json"))
    run_effects()

    def dies(event_id, at):
        raise RuntimeError("the Lambda timed out here")

    with monkeypatch.context() as patched:
        patched.setattr(store, "mark_processed", dies)
        with pytest.raises(RuntimeError):
            events.process("evt_1SaSubDeleted00001")
    assert len(billing.world.new_mail()) == 1  # queued before the death
    # the message comes back: the work is done again, the email is not
    stripe_api.queue(SUB_PATH, 200, "subscription_canceled.json")
    assert events.process("evt_1SaSubDeleted00001") == "subscription synced"
    assert processed("evt_1SaSubDeleted00001")
    assert billing.world.new_mail() == []
    assert events.process("evt_1SaSubDeleted00001") == "done before"


def test_a_notice_that_could_not_be_queued_is_sent_on_the_next_try(
    billing, stripe_api, over_limit, monkeypatch
):
    from chalicelib import queues

    tenant_id = billing.tenant_with_customer()
    billing.world.new_mail()
    sync.sync_subscription(tenant_id, payload("stripe_events/subscription_lite.json"))
    over_limit.append({"limit": "users", "allowed": 3, "in_use": 4, "remove": 1})
    stripe_api.queue(SUB_PATH, 200, "subscription_canceled.json")
    billing.deliver(payload("stripe_events/customer.subscription.deleted.json"))
    run_effects()

    def refused(queue, body):
        raise queues.NotQueued("the mail queue is down")

    with monkeypatch.context() as patched:
        patched.setattr(queues, "send", refused)
        with pytest.raises(queues.NotQueued):
            events.process("evt_1SaSubDeleted00001")
    assert not processed("evt_1SaSubDeleted00001")
    stripe_api.queue(SUB_PATH, 200, "subscription_canceled.json")
    events.process("evt_1SaSubDeleted00001")
    assert len(billing.world.new_mail()) == 1


def test_a_message_for_an_event_not_stored_does_nothing(billing, stripe_api):
    assert events.process("evt_1SaNeverStored00001") == "unknown"
    assert stripe_api.requests == []


def test_two_queue_messages_of_one_event_do_its_work_once(billing, stripe_api):
    """At least once: the stream may queue an event twice (a retried batch)."""
    from chalicelib import queues

    tenant_id = billing.tenant_with_customer()
    stripe_api.queue(SUB_PATH, 200, "subscription_pro.json")
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
    run_effects()
    queues.send("billing", '{"type": "stripe_event", "event_id": "evt_1SaSubUpdated00001"}')
    billing.process()
    assert billing.tenant(tenant_id).plan == "pro"
    assert len(stripe_api.to(SUB_PATH)) == 1  # the copy found it processed
    assert queue_depth("billing") == 0


def test_a_stored_event_reaches_the_billing_queue_through_the_stream(billing):
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    assert queue_depth("billing") == 0
    run_effects()
    assert queue_depth("billing") == 1


def test_the_stream_retries_an_event_the_billing_queue_did_not_take(billing, monkeypatch):
    from chalicelib import queues
    from chalicelib.jobs import effects

    billing.deliver(payload("stripe_events/invoice.paid.json"))
    item = StripeEvent.get(keys.stripe_event_pk("evt_1SaInvPaid00000001"), keys.stripe_event_sk())

    def refused(queue, body):
        raise queues.NotQueued("down")

    monkeypatch.setattr(queues, "send", refused)
    with pytest.raises(queues.NotQueued):
        effects.stripe_event_received(item)


def test_processing_is_refused_while_stripe_is_unreachable(billing, stripe_api):
    billing.tenant_with_customer()
    stripe_api.queue(SUB_PATH, 503, {"error": {"type": "api_error", "message": "down"}},
                     {"Stripe-Should-Retry": "false"})  # fmt: skip
    billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
    with pytest.raises(Unavailable):
        events.process("evt_1SaSubUpdated00001")
    assert not processed("evt_1SaSubUpdated00001")
