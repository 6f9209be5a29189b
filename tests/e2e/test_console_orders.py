"""The "Órdenes" area in a real browser (issue 15, items 7 and 8; docs/orders.md,
docs/console.md "Órdenes"): a payment reconciler settles an order's payments, an orders
admin lives in the orders area only, and an admin fills the catalogue.

The world is built through the API, as a company would: an admin signs up, connects a
WhatsApp number, a client writes (ticket 1), the admin invites the team and makes an
order on the ticket with two payments the client reported.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    check_page,
    invite,
    new_person_email,
    refused,
    sign_in,
    ticket_of,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def png(path: Path, rgb: tuple[int, int, int] = (19, 143, 136), size: int = 48) -> Path:
    """A small one-colour PNG (an image a person would upload)."""
    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture
def company(stack) -> dict:
    """A company on a plan with room for its team, a WhatsApp number and ticket 1."""
    email = new_person_email("ana")
    admin = stack.signup(email)["access_token"]
    stack.on_plan(admin, "pro")
    phone = str(random.randint(10**14, 10**15 - 1))
    stack.connect_whatsapp(admin, phone)
    stack.whatsapp_messages(phone, [("56922223333", "Camila Fuentes", "Hola, quiero 2 poleras")])
    wait_for("ticket 1", lambda: ticket_of(stack, admin, 1))
    return {"email": email, "token": admin}


def order_with_two_payments(stack, admin: str) -> dict:
    """An order of ticket 1 ($24.980) and two payments the client reported, pending."""
    order = stack.call(
        "POST",
        "/v1/tickets/1/orders",
        {
            "currency": "CLP",
            "lines": [
                {"description": "Polera talla M", "quantity": 2, "unit_price": 9990},
                {"description": "Despacho a domicilio", "quantity": 1, "unit_price": 5000},
            ],
        },
        token=admin,
    )
    for amount, method, reference in ((10000, "transfer", "TRX-1001"), (14980, "cash", None)):
        body = {"amount": amount, "method": method, "paid_on": "2026-12-04"}
        if reference:
            body["reference"] = reference
        stack.call("POST", f"/v1/orders/{order['number']}/payments", body, token=admin)
    return order


def payment(page, amount: str):
    """The item of the payments list whose amount is ``amount`` ("$10.000")."""
    return page.get_by_role("list", name="Pagos").get_by_role("listitem").filter(has_text=amount)


def test_a_reconciler_reconciles_one_payment_rejects_another_and_reopens_it(
    console, stack, company
):
    admin = company["token"]
    agent = invite(stack, admin, "Pedro", "Soto", "agent")
    reconciler = invite(stack, admin, "Rosa", "Díaz", "supervisor", ("payment_reconciler",))
    stack.call("PUT", "/v1/tickets/1/assignee", {"user_id": agent["id"]}, token=admin)
    order = order_with_two_payments(stack, admin)
    reference = order["reference"]
    page = console

    # --- a plain agent sees the order of their ticket, and no button to settle payments ----
    # (their list holds the orders they made; this one is the admin's, on their ticket)
    sign_in(page, agent["email"])
    page.goto(f"/orders/{order['number']}")
    expect(page.get_by_role("heading", name=f"Orden {reference}", level=1)).to_be_visible()
    expect(payment(page, "$10.000")).to_contain_text("Pendiente")
    for name in ("Conciliar", "Rechazar", "Reabrir"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("button", name="Registrar pago")).to_be_visible()
    assert (
        refused(
            stack,
            "POST",
            f"/v1/orders/{order['number']}/payments/{order_payment(stack, admin, order, 10000)}/reconcile",
            agent["token"],
        )
        == 403
    )
    page.get_by_role("banner").get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Ingresa a tu cuenta")).to_be_visible()

    # --- the reconciler finds the order in the list and settles its payments ------------------
    sign_in(page, reconciler["email"])
    page.get_by_role("banner").get_by_role("link", name="Órdenes").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Camila Fuentes")
    expect(row).to_contain_text("$24.980")
    expect(row).to_contain_text("Sin pagar")
    check_page(page, "orders-list")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Orden {reference}", level=1)).to_be_visible()

    payment(page, "$10.000").get_by_role("button", name="Conciliar").click()
    dialog = page.get_by_role("dialog", name="Conciliar el pago de $10.000")
    dialog.get_by_role("button", name="Conciliar").click()
    expect(dialog).to_have_count(0)
    expect(payment(page, "$10.000")).to_contain_text("Conciliado")
    expect(payment(page, "$10.000").get_by_role("button")).to_have_count(0)  # final
    expect(page.get_by_role("group", name="Estado de la orden")).to_contain_text("Pago parcial")

    payment(page, "$14.980").get_by_role("button", name="Rechazar").click()
    dialog = page.get_by_role("dialog", name="Rechazar el pago de $14.980")
    dialog.get_by_role("button", name="Rechazar").click()
    expect(dialog.get_by_text("Escribe el motivo.")).to_be_visible()  # a reason is required
    dialog.get_by_label("Motivo del rechazo").fill("El efectivo no llegó a caja")
    dialog.get_by_role("button", name="Rechazar").click()
    expect(dialog).to_have_count(0)
    rejected = payment(page, "$14.980")
    expect(rejected).to_contain_text("Rechazado")
    expect(rejected).to_contain_text("El efectivo no llegó a caja")

    history = page.get_by_role("region", name="Historial")
    expect(history).to_contain_text("Pago conciliado")
    expect(history).to_contain_text("Pago rechazado")
    check_page(page, "orders-detail-reconciled")

    rejected.get_by_role("button", name="Reabrir").click()
    expect(payment(page, "$14.980")).to_contain_text("Pendiente")
    expect(history).to_contain_text("Pago reabierto")
    expect(history).to_contain_text("Rechazado → Pendiente")

    # the API agrees: one reconciled, one pending again, the order partially paid
    seen = stack.call("GET", f"/v1/orders/{order['number']}", token=admin)
    assert seen["payment_state"] == "partially_paid"
    assert seen["paid"] == 10000 and seen["pending"] == 14980
    assert sorted(p["status"] for p in seen["payments"]) == ["pending", "reconciled"]


def order_payment(stack, token: str, order: dict, amount: int) -> str:
    seen = stack.call("GET", f"/v1/orders/{order['number']}", token=token)
    return next(p["id"] for p in seen["payments"] if p["amount"] == amount)


def test_a_payment_is_recorded_with_its_proof_and_the_proof_shows(
    console, stack, company, tmp_path
):
    admin = company["token"]
    order = stack.call(
        "POST", "/v1/orders",
        {"currency": "CLP", "client": {"name": "Tomás Ibáñez"},
         "lines": [{"description": "Taladro percutor 750 W", "quantity": 1, "unit_price": 54990}]},
        token=admin,
    )  # fmt: skip
    page = console
    sign_in(page, company["email"])
    page.goto(f"/orders/{order['number']}")
    expect(page.get_by_role("heading", name=f"Orden {order['reference']}", level=1)).to_be_visible()
    page.get_by_role("button", name="Registrar pago").click()
    dialog = page.get_by_role("dialog", name="Registrar pago")
    expect(dialog.get_by_label("Monto (CLP)")).to_have_value("54.990")  # what is owed
    dialog.get_by_label("Referencia (opcional)").fill("TRX-2002")
    dialog.get_by_label("Comprobante (opcional)").set_input_files(
        str(png(tmp_path / "comprobante.png"))
    )
    expect(dialog.get_by_text("comprobante.png listo.")).to_be_visible()
    dialog.get_by_role("button", name="Registrar pago").click()
    expect(dialog).to_have_count(0)
    item = payment(page, "$54.990")
    expect(item).to_contain_text("Pendiente")
    proof = item.get_by_role("img", name="Comprobante comprobante.png")
    expect(proof).to_be_visible()
    wait_for(
        "the proof's image",
        lambda: proof.evaluate("img => img.complete && img.naturalWidth > 0"),
        timeout=20,
    )
    check_page(page, "orders-payment-proof")

    # annulled, the order takes no new payment; the one it has may still be settled
    page.get_by_role("button", name="Anular orden").click()
    dialog = page.get_by_role("dialog", name=f"Anular la orden {order['reference']}")
    dialog.get_by_label("Motivo de la anulación").fill("El cliente se arrepintió")
    dialog.get_by_role("button", name="Anular orden").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("group", name="Estado de la orden")).to_contain_text("Anulada")
    expect(page.get_by_role("status").filter(has_text="Orden anulada")).to_contain_text(
        "El cliente se arrepintió"
    )
    expect(page.get_by_role("button", name="Registrar pago")).to_have_count(0)
    expect(page.get_by_role("button", name="Anular orden")).to_have_count(0)
    expect(item.get_by_role("button", name="Conciliar")).to_be_visible()


def test_an_orders_admin_lands_in_orders_and_cannot_open_the_help_desk(console, stack, company):
    admin = company["token"]
    person = invite(stack, admin, "Luis", "Vega", "orders_admin", ("payment_reconciler",))
    order_with_two_payments(stack, admin)
    page = console

    sign_in(page, person["email"], landing="Órdenes")
    assert page.url.endswith("/orders")
    navigation = page.get_by_role("banner").get_by_role("navigation", name="Navegación principal")
    expect(navigation.get_by_role("link", name="Órdenes")).to_be_visible()
    expect(navigation.get_by_role("link", name="Mesón de ayuda")).to_have_count(0)
    expect(navigation.get_by_role("link")).to_have_count(1)  # nothing else: no settings either
    expect(page.get_by_role("row").filter(has_text="ORD-000001")).to_contain_text("Camila Fuentes")
    # the ticket is named, never linked
    page.get_by_role("link", name="ORD-000001").click()
    expect(page.get_by_role("heading", name="Orden ORD-000001", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ticket #1")).to_have_count(0)
    expect(payment(page, "$10.000").get_by_role("button", name="Conciliar")).to_be_visible()
    comments = page.get_by_role("region", name="Comentarios")
    comments.get_by_label("Nuevo comentario").fill(
        "La clienta pide la factura a nombre de su empresa"
    )
    comments.get_by_role("button", name="Comentar").click()
    expect(comments.get_by_role("listitem")).to_contain_text("La clienta pide la factura")
    expect(page.get_by_role("region", name="Historial")).to_contain_text("Comentario agregado")
    check_page(page, "orders-admin-detail")

    page.goto("/tickets/1")
    expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Órdenes", level=1)).to_be_visible()
    assert page.url.endswith("/orders")
    # and the API refuses the help desk to them
    assert refused(stack, "GET", "/v1/tickets/1", person["token"]) == 403
    assert refused(stack, "GET", "/v1/columns", person["token"]) == 403


def test_an_admin_adds_a_product_with_an_image_to_the_catalogue(console, stack, company, tmp_path):
    page = console
    sign_in(page, company["email"])
    page.get_by_role("banner").get_by_role("link", name="Órdenes").click()
    page.get_by_role("navigation", name="Secciones de órdenes").get_by_role(
        "link", name="Catálogo"
    ).click()
    expect(page.get_by_role("heading", name="Catálogo", level=1)).to_be_visible()
    expect(page.get_by_text("El catálogo está vacío")).to_be_visible()

    page.get_by_role("button", name="Agregar producto").click()
    dialog = page.get_by_role("dialog", name="Agregar producto")
    dialog.get_by_label("Nombre").fill("Polera algodón orgánico")
    dialog.get_by_label("Descripción (opcional)").fill("Tallas S a XL, cuatro colores")
    dialog.get_by_label("Precio").fill("12.990")
    expect(dialog.get_by_text("$12.990")).to_be_visible()  # the price as clients read it
    dialog.get_by_label("SKU (opcional)").fill("POL-ORG")
    dialog.get_by_label("Imagen", exact=True).set_input_files(
        str(png(tmp_path / "polera.png", (242, 107, 79)))
    )
    expect(dialog.get_by_text("polera.png listo.")).to_be_visible()
    dialog.get_by_role("button", name="Agregar producto").click()
    expect(dialog).to_have_count(0)

    row = page.get_by_role("row").filter(has_text="Polera algodón orgánico")
    expect(row).to_contain_text("$12.990")
    expect(row).to_contain_text("POL-ORG")
    image = row.get_by_role("img", name="Imagen de Polera algodón orgánico")
    expect(image).to_be_visible()
    wait_for(
        "the product's image",
        lambda: image.evaluate("img => img.complete && img.naturalWidth > 0"),
        timeout=20,
    )
    expect(row.get_by_role("switch", name="Polera algodón orgánico activo")).to_be_checked()
    check_page(page, "orders-catalogue")

    products = stack.call("GET", "/v1/products", token=company["token"])["items"]
    assert [(p["name"], p["price"], p["currency"], p["sku"]) for p in products] == [
        ("Polera algodón orgánico", 12990, "CLP", "POL-ORG")
    ]
    assert products[0]["image"]["name"] == "polera.png"


def test_an_admin_makes_an_order_for_a_new_client_with_a_line_of_the_catalogue(
    console, stack, company
):
    stack.call(
        "POST", "/v1/products",
        {"name": "Taladro percutor 750 W", "price": 54990, "currency": "CLP", "sku": "TAL-750"},
        token=company["token"],
    )  # fmt: skip
    page = console
    sign_in(page, company["email"])
    page.goto("/orders")
    expect(page.get_by_text("Todavía no hay órdenes")).to_be_visible()
    page.get_by_role("button", name="Nueva orden").click()
    dialog = page.get_by_role("dialog", name="Nueva orden")
    dialog.get_by_label("Un cliente nuevo").check()
    dialog.get_by_role("button", name="Crear orden").click()
    expect(dialog.get_by_text("Escribe el nombre del cliente.").first).to_be_visible()
    dialog.get_by_label("Nombre del cliente").fill("Tomás Ibáñez")
    dialog.get_by_role("button", name="Elegir del catálogo").click()
    dialog.get_by_role("button", name="Agregar Taladro percutor 750 W, $54.990").click()
    expect(dialog.get_by_label("Descripción de la línea 1")).to_have_value("Taladro percutor 750 W")
    dialog.get_by_role("button", name="Agregar línea").click()
    dialog.get_by_label("Descripción de la línea 2").fill("Brocas para concreto")
    dialog.get_by_label("Cantidad de la línea 2").fill("3")
    dialog.get_by_label("Precio unitario de la línea 2 (CLP)").fill("2.490")
    expect(dialog.get_by_test_id("order-form-total")).to_have_text("$62.460")  # live, for display
    check_page(page, "orders-new")
    dialog.get_by_role("button", name="Crear orden").click()

    expect(page.get_by_role("heading", name="Orden ORD-000001", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Detalle")).to_contain_text("TAL-750")
    expect(page.get_by_role("region", name="Resumen")).to_contain_text("Sin conversación")
    order = stack.call("GET", "/v1/orders/1", token=company["token"])
    assert order["total"] == 62460 and order["client"]["name"] == "Tomás Ibáñez"
    assert [line["sku"] for line in order["lines"]] == ["TAL-750", None]
