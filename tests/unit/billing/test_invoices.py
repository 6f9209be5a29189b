"""Invoices: mirrored as Stripe has them, listed newest first, and emailed once each to the
billing contacts in the tenant's language: finalized, paid, a payment failed with what to
do (docs/billing.md "Events, invoices and dunning")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.clock import now
from chalicelib.domain.billing import events, invoices
from chalicelib.domain.errors import Invalid
from chalicelib.store import billing_events as store
from chalicelib.store import keys
from chalicelib.store.billing import Invoice
from tests.support.payloads import payload
from tests.support.stripe_events import INVOICE
from tests.support.table_stream import run_effects

INVOICE_PATH = f"/v1/invoices/{INVOICE}"
HOSTED = "https://invoice.stripe.com/i/acct_1SaAtiende/test_YWNjdF8xU2FBdGllbmRl"


def mirrored(tenant_id: str, invoice_id: str = INVOICE) -> Invoice:
    return Invoice.get(keys.tenant_pk(tenant_id), keys.invoice_sk(invoice_id))


def text_of(email) -> str:
    return email.get_body(("plain",)).get_content()


@pytest.fixture
def tenant_id(billing):
    found = billing.tenant_with_customer()
    billing.world.new_mail()  # the welcome email
    return found


def test_a_finalized_invoice_is_mirrored_and_emailed_once_however_often_it_comes(
    billing, stripe_api, tenant_id
):
    for _ in range(2):
        stripe_api.queue(INVOICE_PATH, 200, "invoice_open.json")
    event = payload("stripe_events/invoice.finalized.json")
    billing.deliver(event)
    billing.deliver(event)  # Stripe delivers it again
    billing.process()
    # and a second event of the same news (another id, e.g. a resent webhook endpoint)
    billing.deliver(
        payload("stripe_events/invoice.finalized.json", {"id": "evt_1SaInvFinalAgain01"})
    )
    billing.process()
    item = mirrored(tenant_id)
    assert (item.number, item.status, item.amount_due, item.total, item.currency) == (
        "ATI-0001", "open", 7900, 7900, "usd")  # fmt: skip
    assert item.lines == [
        {"description": "1 \u00d7 Adereso Helpdesk Lite (at $49.00 / month)", "amount": 4900,
         "proration": False},
        {"description": "2 \u00d7 Extra user (at $15.00 / month)", "amount": 3000, "proration": False},
    ]  # fmt: skip
    assert item.emailed == ["finalized"]
    mail = billing.world.new_mail()
    assert len(mail) == 1
    [email] = mail
    assert email["To"] == "ana@acme.example.com"
    assert email["Subject"] == "Factura ATI-0001 de Atiende: USD 79.00"
    text = text_of(email)
    assert HOSTED in text and "2025-12-05 - 2026-01-05" in text
    assert "La cobraremos automáticamente" in text


@pytest.mark.parametrize(
    ("locale", "subject", "words"),
    [
        ("es", "Recibimos tu pago: factura ATI-0001 de Atiende", "¡Gracias!"),
        ("pt", "Recebemos seu pagamento: fatura ATI-0001 do Atiende", "Obrigado!"),
        ("en", "Payment received: Atiende invoice ATI-0001", "Thank you!"),
    ],
)
def test_a_paid_invoice_is_emailed_in_the_tenants_language(
    billing, stripe_api, locale, subject, words
):
    billing.tenant_with_customer(locale=locale)
    billing.world.new_mail()
    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    billing.process()
    [email] = billing.world.new_mail()
    assert email["Subject"] == subject
    assert words in text_of(email) and "USD 79.00" in text_of(email)


@pytest.mark.parametrize(
    ("locale", "what_to_do", "next_try"),
    [
        ("es", "Facturación > Métodos de pago", "Volveremos a intentar el cobro el 2025-12-08."),
        ("pt", "Faturamento > Métodos de pagamento", "Tentaremos cobrar novamente em 2025-12-08."),
        ("en", "Billing > Payment methods", "We will try to charge it again on 2025-12-08."),
    ],
)
def test_a_failed_payment_says_what_to_do_and_when_the_next_attempt_is(
    billing, stripe_api, locale, what_to_do, next_try
):
    tenant_id = billing.tenant_with_customer(locale=locale)
    billing.world.new_mail()
    stripe_api.queue(INVOICE_PATH, 200, "invoice_payment_failed.json")
    billing.deliver(payload("stripe_events/invoice.payment_failed.json"))
    billing.process()
    [email] = billing.world.new_mail()
    text = text_of(email)
    assert what_to_do in text and next_try in text
    assert HOSTED in text  # pay on Stripe's hosted page
    assert "/admin/billing/payment-methods" in text
    assert mirrored(tenant_id).emailed == ["payment_failed:1"]


def test_each_failed_attempt_is_emailed_once(billing, stripe_api, tenant_id):
    stripe_api.queue(INVOICE_PATH, 200, "invoice_payment_failed.json")
    billing.deliver(payload("stripe_events/invoice.payment_failed.json"))
    billing.process()
    # the same failure told again (a redelivery after processing: another message)
    assert invoices.email_invoice(tenant_id, payload("stripe_events/invoice_payment_failed.json"),
                                  "payment_failed") is False  # fmt: skip
    # Stripe's second try fails too, and is the last one
    last = {"attempt_count": 2, "next_payment_attempt": None}
    stripe_api.queue(INVOICE_PATH, 200, payload("stripe_events/invoice_payment_failed.json", last))
    billing.deliver(payload("stripe_events/invoice.payment_failed.json",
                            {"id": "evt_1SaInvFailedAgain01"}))  # fmt: skip
    billing.process()
    mail = billing.world.new_mail()
    assert [m["Subject"] for m in mail] == ["No pudimos cobrar la factura ATI-0001 de Atiende"] * 2
    [second] = [m for m in mail if "intento 2" in text_of(m)]  # the files come in no order
    assert "No habrá más intentos automáticos de cobro." in text_of(second)
    assert mirrored(tenant_id).emailed == ["payment_failed:1", "payment_failed:2"]


def test_news_already_old_is_not_emailed(billing, stripe_api, tenant_id):
    """Finalized and failed, processed once the invoice is paid: only the paid email goes."""
    for _ in range(3):
        stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    for name in ("invoice.finalized", "invoice.payment_failed", "invoice.paid"):
        billing.deliver(payload(f"stripe_events/{name}.json"))
    billing.process()
    assert [m["Subject"] for m in billing.world.new_mail()] == [
        "Recibimos tu pago: factura ATI-0001 de Atiende"]  # fmt: skip
    assert mirrored(tenant_id).status == "paid"


def test_billing_emails_go_to_the_billing_contacts_or_else_the_admin(
    billing, stripe_api, admin_token
):
    world, token = billing.world, admin_token
    [first] = world.call("GET", "/v1/account-contacts", token).json["items"]
    world.call("PATCH", f"/v1/account-contacts/{first['id']}", token,
               {"email_preferences": {"general": True, "billing": False}})  # fmt: skip
    for email, takes_billing in (
        ("cobros@acme.example.com", True),
        ("ops@acme.example.com", False),
    ):
        created = world.call("POST", "/v1/account-contacts", token, {
            "first_name": "Caro", "last_name": "Cobros", "email": email,
            "email_preferences": {"billing": takes_billing}})  # fmt: skip
        assert created.status_code == 201, created.json
    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    billing.process()
    [email] = world.new_mail()
    assert email["To"] == "cobros@acme.example.com"


def test_with_no_billing_contact_the_admin_hears_of_the_invoice(billing, stripe_api, admin_token):
    world = billing.world
    for contact in world.call("GET", "/v1/account-contacts", admin_token).json["items"]:
        world.call("DELETE", f"/v1/account-contacts/{contact['id']}", admin_token)
    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    billing.process()
    [email] = world.new_mail()
    assert email["To"] == "ana@acme.example.com"


@pytest.fixture
def admin_token(billing):
    billing.tenant_with_customer()
    billing.world.new_mail()
    return billing.signed_up["access_token"]


def test_a_lambda_dying_after_the_email_does_not_send_it_twice(
    billing, stripe_api, tenant_id, monkeypatch
):
    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    run_effects()

    def dies(event_id, at):
        raise RuntimeError("the Lambda timed out here")

    with monkeypatch.context() as patched:
        patched.setattr(store, "mark_processed", dies)
        with pytest.raises(RuntimeError):
            events.process("evt_1SaInvPaid00000001")
    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    assert events.process("evt_1SaInvPaid00000001") == "invoice mirrored"
    assert len(billing.world.new_mail()) == 1


def test_an_email_that_could_not_be_queued_goes_on_the_next_try(
    billing, stripe_api, tenant_id, monkeypatch
):
    from chalicelib import queues

    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    billing.deliver(payload("stripe_events/invoice.paid.json"))
    run_effects()

    def refused(queue, body):
        raise queues.NotQueued("the mail queue is down")

    with monkeypatch.context() as patched:
        patched.setattr(queues, "send", refused)
        with pytest.raises(queues.NotQueued):
            events.process("evt_1SaInvPaid00000001")
    assert mirrored(tenant_id).emailed == []  # the claim was given back
    stripe_api.queue(INVOICE_PATH, 200, "invoice_paid.json")
    assert events.process("evt_1SaInvPaid00000001") == "invoice mirrored, emailed"
    assert len(billing.world.new_mail()) == 1


def test_an_older_read_of_an_invoice_never_overwrites_a_newer_one(billing, tenant_id):
    invoices.mirror_invoice(tenant_id, payload("stripe_events/invoice_paid.json"), now())
    invoices.mirror_invoice(tenant_id, payload("stripe_events/invoice_open.json"),
                            now() - timedelta(seconds=1))  # fmt: skip
    item = mirrored(tenant_id)
    assert (item.status, item.amount_paid) == ("paid", 7900)


def test_the_lead_mirrors_an_invoice_right_after_a_change(billing, tenant_id):
    proration = payload("stripe_events/invoice_open.json", {
        "id": "in_1SaProrati0n000001", "number": "ATI-0002", "amount_due": 1500, "total": 1500,
        "lines.data.1.parent.subscription_item_details.proration": True})  # fmt: skip
    invoices.mirror_invoice(tenant_id, proration)
    item = mirrored(tenant_id, "in_1SaProrati0n000001")
    assert item.number == "ATI-0002" and item.lines[1]["proration"] is True
    assert item.emailed == [] and item.created_at is not None
    assert invoices.subscription_of(proration) == "sub_1SaSubscr1pt10n01"


def test_invoices_are_listed_newest_first_a_page_at_a_time(billing, tenant_id):
    for n in range(5):
        invoices.mirror_invoice(tenant_id, payload("stripe_events/invoice_paid.json", {
            "id": f"in_1SaList{'zyxwv'[n]}0000000{n}", "number": f"ATI-000{n + 1}",
            "created": 1764930000 + n * 2_678_400}))  # fmt: skip
    first, cursor = invoices.list_invoices(tenant_id, limit=2)
    assert [i["number"] for i in first] == ["ATI-0005", "ATI-0004"] and cursor
    second, cursor = invoices.list_invoices(tenant_id, limit=2, cursor=cursor)
    assert [i["number"] for i in second] == ["ATI-0003", "ATI-0002"] and cursor
    third, cursor = invoices.list_invoices(tenant_id, limit=2, cursor=cursor)
    assert [i["number"] for i in third] == ["ATI-0001"] and cursor is None
    assert set(first[0]) == {"id", "number", "period_start", "period_end", "amount_due",
                             "amount_paid", "total", "currency", "status",
                             "hosted_invoice_url", "invoice_pdf", "created_at"}  # fmt: skip
    assert first[0]["period_start"] == "2025-12-05T10:20:00.000Z"
    assert first[0]["created_at"] == "2026-04-08T10:20:00.000Z"
    assert first[0]["status"] == "paid" and first[0]["invoice_pdf"].endswith("/pdf?s=ap")


def test_another_tenants_cursor_is_refused(billing, tenant_id):
    other = str(billing.world.signup("Globex", "gus@globex.example.com")["tenant"]["id"])
    for n in range(2):
        invoices.mirror_invoice(other, payload("stripe_events/invoice_paid.json",
                                               {"id": f"in_1SaOther000000{n}"}))  # fmt: skip
    _, cursor = invoices.list_invoices(other, limit=1)
    with pytest.raises(Invalid):
        invoices.list_invoices(tenant_id, limit=1, cursor=cursor)


def test_no_invoices_yet_is_an_empty_list(billing, tenant_id):
    assert invoices.list_invoices(tenant_id) == ([], None)
