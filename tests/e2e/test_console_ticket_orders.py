"""Orders from a conversation (issue 15, items 7 and 8; docs/console.md "Órdenes y
catálogo en el ticket"): an agent opens a WhatsApp ticket (a signed webhook opened it),
creates an order in its "Órdenes" tab with one catalogue line and one typed line, and sees
it there with the total the server computed and its payment state; then sends a catalogue
selection from the reply box, which shows in the conversation like a reply and whose
Cloud API request the outbound worker records in var/outbox. An analyst is offered
neither.

One company serves the module (its admin's token from the API, its products through
``POST /v1/products``); each test opens its own ticket and signs in as a person does."""

from __future__ import annotations

import random
import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    check_page,
    invite,
    outbox_requests,
    refused,
    sign_in,
    wait_for_ticket_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def company(stack) -> dict:
    """A company on a plan with room for its people, a WhatsApp number, three products
    (one inactive) and an agent."""
    email = f"ana.{uuid.uuid4().hex[:8]}@losandes.example.com"
    token = stack.signup(email)["access_token"]
    stack.on_plan(token, "lite")
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(token, phone, name="Ventas")
    products = {}
    for name, price, sku, active in (
        ("Polera talla M", 9990, "POL-M", True),
        ("Polera talla L", 10990, "POL-L", True),
        ("Polera talla S (descontinuada)", 8990, "POL-S", False),
    ):
        products[sku] = stack.call(
            "POST",
            "/v1/products",
            {"name": name, "price": price, "currency": "CLP", "sku": sku, "active": active},
            token=token,
        )
    agent = invite(stack, token, "Pedro", "Soto", "agent")
    return {
        "email": email,
        "token": token,
        "phone": phone,
        "channel": channel,
        "products": products,
        "agent": agent,
    }


def open_ticket(
    stack, company, name: str, text: str, assignee: str | None = None, phone: str | None = None
) -> tuple[int, str]:
    """A client writes on WhatsApp (a signed webhook, to ``phone`` or the company's number):
    their new ticket's number and wa_id; given to ``assignee`` (an agent sees the tickets
    given to them)."""
    wa_id = "569" + str(random.randint(10**7, 10**8 - 1))
    stack.whatsapp_messages(phone or company["phone"], [(wa_id, name, text)])
    number = wait_for_ticket_of(stack, company["token"], name)
    if assignee:
        stack.call(
            "PUT",
            f"/v1/tickets/{number}/assignee",
            {"user_id": assignee, "group_id": None},
            token=company["token"],
        )
    return number, wa_id


def sent_request(stack, company, number: int) -> tuple[dict, dict]:
    """The ticket's last answer and the Cloud API request the outbound worker recorded for
    it in var/outbox (sent once)."""
    ticket = stack.call("GET", f"/v1/tickets/{number}", token=company["token"])
    message = [m for m in ticket["messages"] if m["direction"] == "out"][-1]
    requests = until(lambda: outbox_requests(stack, message["id"]), what="the outbox record")
    assert len(requests) == 1, requests
    request = requests[0]["request"] if "request" in requests[0] else requests[0]
    assert request["method"] == "POST"
    return message, request


def until(check, timeout: float = 30, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def conversation(page):
    return page.get_by_role("region", name="Mensajes del ticket")


def tabs(page):
    return page.get_by_role("tablist", name="Detalles del ticket")


def test_an_agent_creates_an_order_from_a_whatsapp_ticket(console, stack, company):
    page = console
    agent = company["agent"]
    number, _ = open_ticket(
        stack, company, "Valentina Fuentes", "Hola, quiero dos poleras M con despacho",
        assignee=agent["id"],
    )  # fmt: skip
    sign_in(page, agent["email"])
    page.goto(f"/tickets/{number}")
    expect(conversation(page).get_by_text("quiero dos poleras M")).to_be_visible()

    tabs(page).get_by_role("tab", name="Órdenes").click()
    expect(page.get_by_text("Este ticket no tiene órdenes todavía.")).to_be_visible()
    page.get_by_role("button", name="Nueva orden").click()
    dialog = page.get_by_role("dialog", name=f"Nueva orden del ticket #{number}")
    expect(dialog.get_by_label("Moneda")).to_have_value("CLP")

    # a line from the catalogue: searched, picked (only active products are offered)
    dialog.get_by_role("button", name="Elegir del catálogo").click()
    dialog.get_by_role("searchbox", name="Buscar por nombre o SKU").fill("Polera")
    expect(dialog.get_by_role("button", name="Agregar Polera talla L, $10.990")).to_be_visible()
    expect(dialog.get_by_role("button", name=re.compile("descontinuada"))).to_have_count(0)
    dialog.get_by_role("button", name="Agregar Polera talla M, $9.990").click()
    expect(dialog.get_by_label("Descripción de la línea 1")).to_have_value("Polera talla M")
    dialog.get_by_label("Cantidad de la línea 1").fill("2")
    # and a typed one
    dialog.get_by_role("button", name="Agregar línea").click()
    dialog.get_by_label("Descripción de la línea 2").fill("Despacho a domicilio")
    dialog.get_by_label(re.compile("^Precio unitario de la línea 2")).fill("3.500")
    expect(dialog.get_by_text("$23.480")).to_be_visible()  # the form's total, for display
    check_page(page, "ticket-order-new")
    dialog.get_by_role("button", name="Crear orden").click()

    expect(dialog).to_be_hidden()
    created = stack.call("GET", f"/v1/tickets/{number}/orders", token=agent["token"])["items"]
    (summary,) = created
    reference = summary["reference"]
    expect(page.get_by_role("status").filter(has_text=f"Orden {reference} creada.")).to_be_visible()
    orders = page.get_by_role("list", name="Órdenes del ticket")
    item = orders.get_by_role("listitem").filter(has_text=reference)
    expect(item.get_by_role("link", name=reference)).to_have_attribute(
        "href", f"/orders/{summary['number']}"
    )
    expect(item).to_contain_text("$23.480")
    expect(item).to_contain_text("Sin pagar")

    # the server computed the total and linked the ticket's client and channel
    order = stack.call("GET", f"/v1/orders/{summary['number']}", token=agent["token"])
    assert order["total"] == 2 * 9990 + 3500 == 23480
    assert order["payment_state"] == "unpaid" and order["status"] == "open"
    assert order["ticket_number"] == number and order["channel_type"] == "whatsapp"
    assert order["client"]["name"] == "Valentina Fuentes"
    assert order["agent_id"] == agent["id"]
    catalogue_line, typed_line = order["lines"]
    assert catalogue_line["product_id"] == company["products"]["POL-M"]["id"]
    assert (catalogue_line["quantity"], catalogue_line["unit_price"]) == (2, 9990)
    assert typed_line["product_id"] is None
    assert (typed_line["description"], typed_line["unit_price"]) == ("Despacho a domicilio", 3500)
    check_page(page, "ticket-orders")

    # read again (a new visit): the tab reads the ticket's orders from the API
    page.reload()
    tabs(page).get_by_role("tab", name="Órdenes").click()
    expect(page.get_by_role("list", name="Órdenes del ticket")).to_contain_text("Sin pagar")


def test_an_agent_sends_a_catalogue_selection_into_the_conversation(console, stack, company):
    page = console
    agent = company["agent"]
    number, wa_id = open_ticket(
        stack, company, "Ignacio Morales", "¿Qué poleras tienen?", assignee=agent["id"]
    )
    sign_in(page, agent["email"])
    page.goto(f"/tickets/{number}")
    expect(conversation(page).get_by_text("¿Qué poleras tienen?")).to_be_visible()

    page.get_by_role("button", name="Enviar catálogo").click()
    dialog = page.get_by_role("dialog", name="Enviar catálogo")
    products = dialog.get_by_role("group", name="Productos del catálogo")
    expect(products.get_by_role("checkbox")).to_have_count(2)  # the active ones
    dialog.get_by_role("searchbox", name="Buscar productos").fill("POL-")
    products.get_by_role("checkbox", name=re.compile("Polera talla M")).check()
    products.get_by_role("checkbox", name=re.compile("Polera talla L")).check()
    expect(
        dialog.get_by_role("list", name="Productos elegidos").get_by_role("listitem")
    ).to_have_count(2)
    expect(dialog.get_by_text("Elegidos: 2 de 30")).to_be_visible()
    dialog.get_by_label("Texto del mensaje (opcional)").fill("Estas son las que tenemos hoy")
    check_page(page, "ticket-catalogue")
    dialog.get_by_role("button", name="Enviar 2 productos").click()
    expect(dialog).to_be_hidden()

    # the message shows in the conversation as the agent's reply, its delivery followed
    sent = conversation(page).get_by_role("article", name=re.compile("^Respuesta de Tú"))
    expect(sent.get_by_text("Estas son las que tenemos hoy")).to_be_visible()

    # the outbound worker sends it once: the Cloud API request recorded in var/outbox
    message, request = sent_request(stack, company, number)
    assert message["author_id"] == agent["id"]
    assert request["url"].endswith(f"/{company['phone']}/messages")
    body = request["body"]
    assert body["to"] == wa_id
    # no Meta commerce catalogue on this number: one formatted text, a line per product
    assert body["type"] == "text", body
    text = body["text"]["body"]
    assert "Estas son las que tenemos hoy" in text
    assert re.search(r"Polera talla M.*\$9\.990.*POL-M", text), text
    assert re.search(r"Polera talla L.*\$10\.990.*POL-L", text), text
    assert "descontinuada" not in text
    expect(sent.get_by_text(re.compile("Enviado|Entregado"))).to_be_visible()
    check_page(page, "ticket-catalogue-sent")


def test_with_a_meta_commerce_catalogue_whatsapp_gets_a_product_list(console, stack, company):
    """A number whose settings name its Meta commerce catalogue: the selection goes as an
    interactive product_list naming each product by its SKU; the conversation shows the
    products as lines."""
    phone = str(random.randint(10**14, 10**15 - 1))
    stack.connect_whatsapp(company["token"], phone, name="Tienda",
                           settings={"commerce_catalog_id": "1234567890"})  # fmt: skip
    agent = company["agent"]
    number, wa_id = open_ticket(stack, company, "Josefa Araya", "¿Me muestran el catálogo?",
                                assignee=agent["id"], phone=phone)  # fmt: skip
    sign_in(page := console, agent["email"])
    page.goto(f"/tickets/{number}")
    page.get_by_role("button", name="Enviar catálogo").click()
    dialog = page.get_by_role("dialog", name="Enviar catálogo")
    dialog.get_by_role("searchbox", name="Buscar productos").fill("Polera talla M")
    dialog.get_by_role("checkbox", name=re.compile("Polera talla M")).check()
    dialog.get_by_role("button", name="Enviar 1 producto").click()
    sent = conversation(page).get_by_role("article", name=re.compile("^Respuesta de Tú"))
    expect(sent.get_by_text(re.compile(r"Polera talla M — \$9\.990 — SKU POL-M"))).to_be_visible()

    _, request = sent_request(stack, company, number)
    assert request["url"].endswith(f"/{phone}/messages")
    body = request["body"]
    assert body["to"] == wa_id and body["type"] == "interactive", body
    interactive = body["interactive"]
    assert interactive["type"] == "product_list"
    assert interactive["action"]["catalog_id"] == "1234567890"
    (section,) = interactive["action"]["sections"]
    assert section["product_items"] == [{"product_retailer_id": "POL-M"}]


def test_an_analyst_is_offered_no_orders_tab_and_no_catalogue(console, stack, company):
    page = console
    number, _ = open_ticket(stack, company, "Rocío Vidal", "Hola, ¿hacen despacho a Temuco?")
    analyst = invite(stack, company["token"], "Rosa", "Díaz", "analyst")
    sign_in(page, analyst["email"], landing="Analítica")  # an analyst's home (issue 16)
    page.goto(f"/tickets/{number}")
    expect(conversation(page).get_by_text("¿hacen despacho a Temuco?")).to_be_visible()
    expect(tabs(page).get_by_role("tab", name="Historial")).to_be_visible()
    expect(tabs(page).get_by_role("tab", name="Órdenes")).to_have_count(0)
    expect(page.get_by_role("button", name="Enviar catálogo")).to_have_count(0)
    expect(page.get_by_role("button", name="Nueva orden")).to_have_count(0)
    # and the API refuses them anyway
    token = analyst["token"]
    assert refused(stack, "GET", f"/v1/tickets/{number}/orders", token) == 403
    assert refused(stack, "POST", f"/v1/tickets/{number}/catalogue", token,
                   {"product_ids": [company["products"]["POL-M"]["id"]]}) == 403  # fmt: skip
