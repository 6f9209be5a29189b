"""Billing in the console (issue 14, item 10; seed 000 "Contratación y pago de planes" and
"Facturación") in a real browser against the local stack and its fake Stripe
(devstack/fake_stripe.py, whose Stripe.js stand-in draws the card form in an iframe of its
own origin, as Stripe does).

- An admin on Free with 3 users is refused a 4th in "Usuarios"; adds a card in Stripe's
  form ("Métodos de pago"), moves to Lite with 2 extra users in "Editar suscripción" after
  seeing what is charged today, finds the paid invoice in "Facturas", and then invites the
  people who were refused before.
- The past-due banner: when the renewal's charge fails, every page of an admin's console
  says so and links to "Métodos de pago"; an agent's console never asks for billing.
- Without Stripe configured, "Facturación" still shows the plan and its usage and says
  that payments are not configured; paid actions are not offered.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    PASSWORD,
    check_page,
    invite,
    new_person_email,
    refused,
    sign_in,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TIMES = "\u00d7"  # the multiplication sign of "2 x Usuario adicional" on the pages
CARD_FRAME = 'iframe[title="Secure payment input frame"]'


@pytest.fixture
def owner(stack) -> dict:
    email = new_person_email("ana")
    return {"email": email, "token": stack.signup(email)["access_token"]}


def fake_stripe_url(stack, token: str) -> str:
    """The fake Stripe's origin, as the API tells the console where Stripe.js is."""
    billing = stack.call("GET", "/v1/billing", token=token)
    assert billing["configured"], "the e2e stack runs with the fake Stripe"
    parts = urlsplit(billing["stripe_js_url"])
    return f"{parts.scheme}://{parts.netloc}"


def fake(url: str, path: str) -> dict:
    """A control of the fake Stripe (not Stripe's API: ``/_fake/stripe/...``)."""
    request = urllib.request.Request(url + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
        return json.loads(raw) if raw else {}


def top(page) -> None:
    close = page.locator(".header-notice__close")
    if close.count():
        close.click()
    page.evaluate("window.scrollTo(0, 0)")


def add_card(page, number: str = "4242 4242 4242 4242", screenshot: str | None = None) -> None:
    """Types a card in Stripe's form (its iframe) on "Métodos de pago" and adds it."""
    page.get_by_role("button", name="Añadir método de pago").click()
    card = page.frame_locator(CARD_FRAME)
    card.get_by_label("Card number").fill(number)
    card.get_by_label("Expiration date (MM / YY)").fill("12 / 34")
    card.get_by_label("Security code").fill("123")
    if screenshot:
        check_page(page, screenshot)
    page.get_by_role("region", name="Nueva tarjeta").get_by_role("button", name="Añadir").click()


def create_user(page, first: str, last: str, email: str) -> None:
    page.get_by_role("button", name="Crear usuario").click()
    dialog = page.get_by_role("dialog", name="Crear usuario")
    dialog.get_by_label("Nombre").fill(first)
    dialog.get_by_label("Apellido").fill(last)
    dialog.get_by_label("Correo electrónico").fill(email)
    dialog.get_by_label("Rol").select_option(label="Agente de conversaciones")
    dialog.get_by_role("button", name="Crear usuario").click()


def test_an_admin_adds_a_card_moves_to_lite_with_extra_users_and_invites_them(
    console, stack, owner
):
    token = owner["token"]
    fake_stripe_url(stack, token)  # the stack has billing configured
    for first in ("Pedro", "Carla"):  # with the admin, the 3 users of Free
        invite(stack, token, first, "Soto", "agent", accept=False)
    page = console
    sign_in(page, owner["email"])

    # --- Free: a 4th user is refused, in the users page --------------------------------
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Usuarios", level=1)).to_be_visible()
    blocked = new_person_email("lucia")
    create_user(page, "Lucía", "Vera", blocked)
    dialog = page.get_by_role("dialog", name="Crear usuario")
    expect(dialog.get_by_role("alert")).to_contain_text("límite de usuarios de tu plan")
    dialog.get_by_role("button", name="Cancelar").click()
    assert (
        refused(
            stack,
            "POST",
            "/v1/users",
            token,
            {"first_name": "Lucía", "last_name": "Vera", "email": blocked, "role": "agent"},
        )
        == 402
    )

    # --- Facturación: the plan, its usage, and the account's options --------------------
    page.get_by_role("navigation", name="Administración").get_by_role(
        "link", name="Facturación"
    ).click()
    expect(page.get_by_role("heading", name="Facturación", level=1)).to_be_visible()
    plan = page.get_by_role("region", name="Datos de suscripción")
    expect(plan).to_contain_text("Adereso Helpdesk Free")
    expect(plan).to_contain_text("Gratis")
    usage = page.get_by_role("region", name="Uso del plan")
    expect(usage).to_contain_text("3 de 3 usuarios")
    expect(page.get_by_role("region", name="Métodos de pago")).to_contain_text(
        "Sin métodos de pago"
    )
    expect(page.get_by_role("region", name="Datos fiscales")).to_be_visible()
    check_page(page, "billing-free")

    # --- Métodos de pago: a card typed in Stripe's iframe --------------------------------
    page.get_by_role("navigation", name="Opciones de la cuenta").get_by_role(
        "link", name="Métodos de pago"
    ).click()
    expect(page.get_by_role("heading", name="Métodos de pago", level=1)).to_be_visible()
    add_card(page, screenshot="billing-new-card")
    expect(
        page.get_by_role("status").filter(has_text="Se añadió la Visa terminada en 4242")
    ).to_be_visible()
    cards = page.get_by_role("region", name="Tus tarjetas")
    expect(cards).to_contain_text("Visa •••• 4242")
    expect(cards).to_contain_text("Vence 12/2034")
    expect(cards).to_contain_text("Predeterminado")
    expect(page.get_by_role("region", name="Nueva tarjeta")).to_have_count(0)
    methods = stack.call("GET", "/v1/billing/payment-methods", token=token)["items"]
    assert [(m["brand"], m["last4"], m["default"]) for m in methods] == [("visa", "4242", True)]
    # the card's number never reached our page: only Stripe's iframe had it
    assert "4242 4242" not in page.content()
    top(page)
    check_page(page, "billing-payment-methods")

    # --- Editar suscripción: Lite with 2 extra users, the charge seen first --------------
    page.get_by_role("navigation", name="Administración").get_by_role(
        "link", name="Facturación"
    ).click()
    page.get_by_role("region", name="Datos de suscripción").get_by_role(
        "link", name="Editar suscripción"
    ).click()
    expect(page.get_by_role("heading", name="Editar suscripción", level=1)).to_be_visible()
    apply = page.get_by_role("button", name="Actualizar suscripción")
    expect(apply).to_be_disabled()  # nothing changed yet
    page.get_by_label("Plan de tu suscripción").select_option("lite")
    page.get_by_role("button", name="Añadir añadidos").click()
    page.get_by_role("button", name="Añadir Usuario adicional").click()
    page.get_by_role("button", name="Uno más de Usuario adicional").click()
    expect(page.get_by_label("Cantidad de Usuario adicional")).to_have_value("2")
    summary = page.get_by_role("complementary", name="Resumen")
    expect(summary).to_contain_text(f"2 {TIMES} Usuario adicional")
    expect(summary).to_contain_text(re.compile(r"Total mensual\s*US\$\s?79,00"))
    expect(summary).to_contain_text("Tendrás 12 usuarios")
    expect(summary).to_contain_text(re.compile(r"Se cobrará hoy US\$\s?79,00"))
    # the preview's lines are named in the user's language, not as Stripe wrote them
    charged = summary.get_by_role("listitem").filter(has_text=f"2 {TIMES} Usuario adicional")
    expect(charged.last).to_contain_text("30,00")
    expect(summary).not_to_contain_text("Extra user")
    top(page)
    check_page(page, "billing-subscription")
    apply.click()

    expect(page.get_by_role("heading", name="Facturación", level=1)).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Se actualizó tu suscripción")
    ).to_be_visible()
    plan = page.get_by_role("region", name="Datos de suscripción")
    expect(plan).to_contain_text("Adereso Helpdesk Lite")
    expect(plan).to_contain_text("Activa")
    expect(plan).to_contain_text(f"2 {TIMES} Usuario adicional")
    expect(plan).to_contain_text("Se renueva el")
    expect(page.get_by_role("region", name="Uso del plan")).to_contain_text("3 de 12 usuarios")
    billing = stack.call("GET", "/v1/billing", token=token)
    assert billing["plan"] == "lite" and billing["addons"]["users"] == 2
    top(page)
    check_page(page, "billing-lite")

    # --- Facturas: the first invoice, paid (Stripe's webhook reaches the worker) ---------
    def invoice_shown() -> bool:
        page.goto("/admin/billing/invoices")
        rows = page.get_by_role("region", name="Todas las facturas").get_by_role("row")
        expect(page.get_by_role("heading", name="Facturas", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        return rows.filter(has_text="Pagada").count() > 0

    wait_for("the paid invoice in Facturas", invoice_shown, timeout=60)
    row = page.get_by_role("row").filter(has_text="Pagada").first
    expect(row).to_contain_text(re.compile(r"US\$\s?79,00"))
    view = row.get_by_role("link", name=re.compile("^Ver la factura"))
    expect(view).to_have_attribute("target", "_blank")
    expect(view).to_have_attribute("rel", re.compile("noopener"))
    expect(row.get_by_role("link", name=re.compile("^PDF de la factura"))).to_have_attribute(
        "href", re.compile(r"\.pdf$")
    )
    check_page(page, "billing-invoices")

    # the invoice is emailed (no billing contact yet: to the account's admin email)
    found: list = []

    def paid_mail() -> bool:
        for eml in (stack.var / "mail").glob("*.eml"):
            message = message_from_bytes(eml.read_bytes(), policy=policy.default)
            if owner["email"] in str(message["To"]) and "Recibimos tu pago" in str(
                message["Subject"]
            ):
                found.append(message)
                return True
        return False

    wait_for("the paid invoice's email in var/mail", paid_mail, timeout=60)
    assert "79" in found[0].get_body(("plain",)).get_content()

    # --- cancel at the period's end, then "Reanudar" ----------------------------------
    page.get_by_role("link", name="← Facturación").click()
    plan = page.get_by_role("region", name="Datos de suscripción")
    plan.get_by_role("button", name="Cancelar suscripción").click()
    confirm = page.get_by_role("dialog", name="¿Cancelar tu suscripción?")
    expect(confirm).to_contain_text("después pasas a Adereso Helpdesk Free")
    confirm.get_by_role("button", name="Cancelar al final del periodo").click()
    expect(plan).to_contain_text(re.compile(r"Se cancelará el \d{1,2} de \w+ de \d{4}"))
    assert stack.call("GET", "/v1/billing", token=token)["subscription"]["cancel_at_period_end"]
    plan.get_by_role("button", name="Reanudar").click()
    expect(plan).to_contain_text("Se renueva el")
    expect(plan.get_by_role("button", name="Reanudar")).to_have_count(0)
    billing = stack.call("GET", "/v1/billing", token=token)
    assert not billing["subscription"]["cancel_at_period_end"] and billing["plan"] == "lite"

    # --- the people refused before are now invited -----------------------------------
    page.goto("/admin/users")
    create_user(page, "Lucía", "Vera", blocked)
    expect(
        page.get_by_role("status").filter(has_text=f"Enviamos la invitación a {blocked}")
    ).to_be_visible()
    other = new_person_email("tomas")
    create_user(page, "Tomás", "Vera", other)
    expect(
        page.get_by_role("status").filter(has_text=f"Enviamos la invitación a {other}")
    ).to_be_visible()
    emails = {u["email"] for u in stack.call("GET", "/v1/users", token=token)["items"]}
    assert {blocked, other} <= emails


def test_a_failed_renewal_shows_the_past_due_banner_on_every_page_of_an_admin(
    console, stack, owner, browser, browser_context_args
):
    token = owner["token"]
    stripe = fake_stripe_url(stack, token)
    agent = invite(stack, token, "Pedro", "Soto", "agent")
    page = console
    sign_in(page, owner["email"])
    page.goto("/admin/billing/payment-methods")
    add_card(page)
    expect(page.get_by_role("region", name="Tus tarjetas")).to_contain_text("Visa •••• 4242")
    billing = stack.call(
        "PUT", "/v1/billing/subscription", {"plan": "lite", "addons": {}}, token=token
    )
    subscription = billing["subscription"]["id"]
    state = json.loads(urllib.request.urlopen(f"{stripe}/_fake/stripe/state", timeout=10).read())
    customer = state["subscriptions"][subscription]["customer"]
    fake(stripe, f"/_fake/stripe/customers/{customer}/fail_charges")
    fake(stripe, f"/_fake/stripe/subscriptions/{subscription}/advance")
    wait_for(
        "the subscription past due",
        lambda: stack.call("GET", "/v1/billing", token=token)["past_due"],
        timeout=60,
    )

    banner_text = "No pudimos cobrar tu suscripción."
    asked: list[str] = []
    page.on("request", lambda r: "/v1/billing" in r.url and asked.append(r.url))
    page.goto("/")
    expect(page.get_by_role("heading", name="Mesón de ayuda", level=1)).to_be_visible()
    banner = page.get_by_role("alert").filter(has_text=banner_text)
    expect(banner).to_contain_text("Actualiza tu método de pago para no perder el plan.")
    assert len([url for url in asked if url.endswith("/v1/billing")]) == 1
    check_page(page, "billing-past-due-board")
    page.goto("/admin/account")
    expect(page.get_by_role("alert").filter(has_text=banner_text)).to_be_visible()
    banner.get_by_role("link", name="Métodos de pago").click()
    expect(page.get_by_role("heading", name="Métodos de pago", level=1)).to_be_visible()

    # an agent is never told, and their console never asks
    other = browser.new_context(**browser_context_args)
    try:
        seen = other.new_page()
        calls: list[str] = []
        seen.on("request", lambda r: "/v1/billing" in r.url and calls.append(r.url))
        sign_in(seen, agent["email"])
        expect(seen.get_by_role("alert").filter(has_text=banner_text)).to_have_count(0)
        seen.goto("/profile")
        expect(seen.get_by_role("heading", name="Mi perfil", level=1)).to_be_visible()
        assert calls == []
        seen.goto("/admin/billing")
        expect(seen.get_by_role("heading", name="No permitido")).to_be_visible()
        assert calls == []
    finally:
        other.close()
    try:
        stack.call("GET", "/v1/billing", token=agent["token"])
        raise AssertionError("an agent read the billing")
    except urllib.error.HTTPError as error:
        assert error.code == 403


def test_without_stripe_the_billing_page_shows_the_plan_and_says_payments_are_off(
    console, stack, owner
):
    """The stack runs with the fake Stripe; here the console is told what an installation
    without Stripe keys answers (``configured: false``), the rest of the answer as it is."""
    page = console

    def unconfigured(route):
        answer = route.fetch()
        body = answer.json()
        body.update(configured=False, publishable_key=None, stripe_js_url=None)
        route.fulfill(response=answer, json=body)

    page.route(re.compile(r"/v1/billing$"), unconfigured)
    sign_in(page, owner["email"])
    page.goto("/admin/billing")
    expect(page.get_by_role("heading", name="Facturación", level=1)).to_be_visible()
    expect(
        page.get_by_role("status")
        .filter(has_text="Los pagos no están configurados en esta instalación")
        .first
    ).to_be_visible()
    expect(page.get_by_role("region", name="Datos de suscripción")).to_contain_text(
        "Adereso Helpdesk Free"
    )
    expect(page.get_by_role("region", name="Uso del plan")).to_contain_text("1 de 3 usuarios")
    check_page(page, "billing-not-configured")
    page.goto("/admin/billing/payment-methods")
    expect(page.get_by_role("heading", name="Métodos de pago", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Añadir método de pago")).to_have_count(0)
    page.goto("/admin/billing/subscription")
    page.get_by_label("Plan de tu suscripción").select_option("pro")
    expect(page.get_by_role("button", name="Actualizar suscripción")).to_be_disabled()
    expect(page.get_by_role("main")).to_contain_text(
        "No disponible: los pagos no están configurados en esta instalación."
    )


def test_an_account_contact_sees_billing_in_the_portal_without_the_fiscal_data(
    console, stack, owner
):
    contact = new_person_email("carla")
    stack.call(
        "POST",
        "/v1/account-contacts",
        {"first_name": "Carla", "last_name": "Rojas", "email": contact, "portal_access": True},
        token=owner["token"],
    )
    link = stack.link_in_mail(contact, "/invitations/accept")
    stack.call(
        "POST",
        "/v1/auth/invitations/accept",
        {"token": link.split("token=", 1)[1], "password": PASSWORD},
    )
    page = console
    asked: list[str] = []
    page.on("request", lambda r: "/v1/" in r.url and asked.append(urlsplit(r.url).path))
    sign_in(page, contact, landing="Contactos de la cuenta")
    portal = page.get_by_role("navigation", name="Administración")
    expect(portal).to_contain_text("Portal del cliente")
    portal.get_by_role("link", name="Facturación").click()
    expect(page.get_by_role("heading", name="Facturación", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Datos de suscripción")).to_contain_text(
        "Adereso Helpdesk Free"
    )
    expect(page.get_by_role("region", name="Uso del plan")).to_contain_text("1 de 3 usuarios")
    expect(page.get_by_role("region", name="Últimas facturas")).to_be_visible()
    # the establishment is the admins': not shown, never asked for
    expect(page.get_by_role("region", name="Datos fiscales")).to_have_count(0)
    options = page.get_by_role("navigation", name="Opciones de la cuenta")
    expect(options.get_by_role("link")).to_have_count(2)
    expect(options.get_by_role("link", name="Datos fiscales")).to_have_count(0)
    assert "/v1/establishment" not in asked
    # they may change the plan too (billing.manage), from their portal
    page.get_by_role("region", name="Datos de suscripción").get_by_role(
        "link", name="Editar suscripción"
    ).click()
    expect(page.get_by_role("heading", name="Editar suscripción", level=1)).to_be_visible()
    check_page(page, "billing-portal-subscription")
