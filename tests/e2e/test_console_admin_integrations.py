"""The integrations area of the console (issue 13, item 5): account contacts with portal
access (seed 004), outgoing webhooks with "send test" and their delivery log, the bot.

Each test stands alone on the real local stack; its worker delivers the webhooks to a
small HTTP server the test starts on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.console import PASSWORD, check_page, new_person_email, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


class Receiver:
    """A webhook receiver: answers 200 to every POST and keeps what it got."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def admin_signed_in(stack: Any, page: Any) -> str:
    email = new_person_email("ana")
    stack.signup(email)
    sign_in(page, email)
    return email


def test_an_admin_adds_a_contact_with_portal_access_who_then_sees_only_the_portal(
    console, stack, browser, browser_context_args
):
    page = console
    admin_signed_in(stack, page)
    page.goto("/admin/contacts")
    expect(page.get_by_role("heading", name="Contactos de la cuenta", level=1)).to_be_visible()
    check_page(page, "admin-contacts-empty")

    page.get_by_role("button", name="Nuevo contacto").first.click()
    dialog = page.get_by_role("dialog", name="Nuevo contacto")
    contact = new_person_email("carla")
    dialog.get_by_label("Nombre", exact=True).fill("Carla")
    dialog.get_by_label("Apellido").fill("Rojas")
    dialog.get_by_label("Empresa").fill("Contadores Rojas")
    dialog.get_by_label("Correo electrónico del contacto").fill(contact)
    dialog.get_by_label("Ciudad").fill("Valparaíso")
    dialog.get_by_label("RUT / Tax ID").fill("76.123.456-7")
    dialog.get_by_label("Correos de cobranza").check()
    expect(dialog.get_by_label("Correos generales")).to_be_checked()
    dialog.get_by_label("Marcar para configurar como subcuenta con acceso al portal").check()
    check_page(page, "admin-contacts-form")
    dialog.get_by_role("button", name="Guardar contacto").click()
    expect(dialog).to_be_hidden()

    row = page.get_by_role("row").filter(has_text="Carla Rojas")
    expect(row).to_contain_text("Con acceso")
    expect(row).to_contain_text("Cobranza")
    expect(row).to_contain_text(contact)
    check_page(page, "admin-contacts")

    link = stack.link_in_mail(contact, "/invitations/accept")
    context = browser.new_context(**browser_context_args)
    try:
        portal = context.new_page()
        portal.set_default_timeout(20_000)
        portal.goto(link.removeprefix(stack.url))
        portal.get_by_label("Contraseña nueva").fill(PASSWORD)
        portal.get_by_label("Repite la contraseña").fill(PASSWORD)
        portal.get_by_role("button", name="Activar mi cuenta").click()

        expect(portal).to_have_url(re.compile(r"/admin/contacts$"))
        expect(
            portal.get_by_role("heading", name="Contactos de la cuenta", level=1)
        ).to_be_visible()
        header = portal.get_by_role("banner")
        expect(header.get_by_role("link", name="Portal", exact=True)).to_be_visible()
        expect(header.get_by_role("link", name="Administración")).to_have_count(0)
        nav = portal.get_by_role("navigation", name="Administración")
        expect(nav).to_contain_text("Portal del cliente")
        expect(nav.get_by_role("link")).to_have_count(2)  # the contacts and billing, here
        expect(portal.get_by_role("row").filter(has_text="Carla Rojas")).to_be_visible()
        check_page(portal, "portal-contacts")

        for path in ("/admin/integrations", "/admin/bot", "/admin/users", "/admin/account"):
            portal.goto(path)
            expect(portal.get_by_role("heading", name="No permitido")).to_be_visible()
        check_page(portal, "portal-not-allowed")
        portal.goto("/")  # no help desk for them: home is the portal
        expect(portal).to_have_url(re.compile(r"/admin/contacts$"))
    finally:
        context.close()

    page.get_by_role("button", name="Editar a Carla Rojas").click()
    dialog = page.get_by_role("dialog", name="Editar contacto")
    expect(
        dialog.get_by_label("Marcar para configurar como subcuenta con acceso al portal")
    ).to_be_checked()
    dialog.get_by_label("Correos de soporte").check()
    dialog.get_by_role("button", name="Guardar contacto").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Soporte")

    page.get_by_role("button", name="Eliminar a Carla Rojas").click()
    confirm = page.get_by_role("dialog", name="¿Eliminar este contacto?")
    expect(confirm).to_contain_text("perderá su acceso al portal")
    confirm.get_by_role("button", name="Eliminar contacto").click()
    expect(page.get_by_role("row").filter(has_text="Carla Rojas")).to_have_count(0)


def test_a_webhook_is_created_tested_and_its_delivery_shows_in_the_log(console, stack, receiver):
    page = console
    admin_signed_in(stack, page)
    page.goto("/admin/integrations")
    expect(page.get_by_role("heading", name="Integraciones", level=1)).to_be_visible()
    check_page(page, "admin-integrations-empty")

    page.get_by_role("button", name="Nuevo webhook").first.click()
    dialog = page.get_by_role("dialog", name="Nuevo webhook")
    dialog.get_by_label("URL del webhook").fill(receiver.url + "/atiende")
    dialog.get_by_label("Descripción (opcional)").fill("CRM de la tienda")
    dialog.get_by_label("Mensaje recibido").check()
    dialog.get_by_label("SLA vencido").check()
    check_page(page, "admin-integrations-form")
    dialog.get_by_role("button", name="Crear webhook").click()

    shown = page.get_by_role("dialog", name="Secreto de firma")
    expect(shown).to_contain_text("no lo volverás a ver")
    secret = shown.get_by_label("Secreto", exact=True).input_value()
    assert secret.startswith("whsec_")
    check_page(page, "admin-integrations-secret")
    shown.get_by_role("button", name="Ya lo guardé").click()

    expect(page.get_by_role("heading", name="CRM de la tienda", level=1)).to_be_visible()
    settings = page.get_by_role("region", name="Configuración")
    expect(settings).to_contain_text(receiver.url + "/atiende")
    expect(settings).to_contain_text("Mensaje recibido")
    expect(settings).to_contain_text("Activo")
    page.get_by_role("button", name="Enviar prueba").click()

    log = page.get_by_role("region", name="Registro de entregas")
    line = log.get_by_role("row").filter(has_text="Prueba")
    expect(line).to_contain_text("Entregado", timeout=30_000)
    expect(line).to_contain_text("200")
    expect(line).to_contain_text("Primero")
    expect(settings).to_contain_text("Entregado")
    check_page(page, "admin-integration")

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/atiende" and headers["X-Atiende-Event"] == "ping"
    mac = hmac.new(
        secret.encode(), headers["X-Atiende-Timestamp"].encode() + b"." + body, hashlib.sha256
    )
    assert headers["X-Atiende-Signature"] == "sha256=" + mac.hexdigest()
    assert json.loads(body)["data"]["test"] is True

    page.get_by_role("button", name="Editar").click()
    dialog = page.get_by_role("dialog", name="Editar webhook")
    expect(dialog.get_by_label("SLA vencido")).to_be_checked()
    dialog.get_by_label("SLA vencido").uncheck()
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(settings).not_to_contain_text("SLA vencido")

    # a new secret, made in the browser and shown once, signs the next test
    settings.get_by_role("button", name="Nuevo secreto").click()
    page.get_by_role("dialog", name="¿Generar un secreto nuevo?").get_by_role(
        "button", name="Generar secreto"
    ).click()
    shown = page.get_by_role("dialog", name="Secreto de firma")
    rotated = shown.get_by_label("Secreto", exact=True).input_value()
    assert rotated.startswith("whsec_") and rotated != secret
    shown.get_by_role("button", name="Ya lo guardé").click()
    page.get_by_role("button", name="Enviar prueba").click()
    expect(log.get_by_role("row").filter(has_text="Prueba")).to_have_count(2, timeout=30_000)
    second = receiver.requests[-1]
    mac = hmac.new(
        rotated.encode(),
        second["headers"]["X-Atiende-Timestamp"].encode() + b"." + second["body"],
        hashlib.sha256,
    )
    assert second["headers"]["X-Atiende-Signature"] == "sha256=" + mac.hexdigest()

    page.get_by_role("link", name="Integraciones").first.click()
    row = page.get_by_role("row").filter(has_text="CRM de la tienda")
    expect(row).to_contain_text("2 eventos")
    expect(row).to_contain_text("Entregado")
    check_page(page, "admin-integrations")


def test_the_bot_is_connected_with_its_secret_shown_once_and_a_signed_answer_sample(
    console, stack, receiver
):
    page = console
    admin_signed_in(stack, page)
    page.goto("/admin/bot")
    expect(page.get_by_role("heading", name="Bot", level=1)).to_be_visible()
    check_page(page, "admin-bot-connect")
    page.get_by_label("URL del bot").fill(receiver.url + "/bot")
    page.get_by_role("button", name="Conectar bot").click()
    shown = page.get_by_role("dialog", name="Secreto de firma")
    assert shown.get_by_label("Secreto", exact=True).input_value().startswith("whsec_")
    shown.get_by_role("button", name="Ya lo guardé").click()

    yours = page.get_by_role("region", name="Tu bot")
    expect(yours).to_contain_text(receiver.url + "/bot")
    expect(yours).to_contain_text("Activo")
    sample = page.get_by_label("Ejemplo en Python de una respuesta del bot")
    expect(sample).to_contain_text("/v1/bot/tickets/")
    expect(sample).to_contain_text("X-Atiende-Integration")
    yours.get_by_role("button", name="Pausar").click()
    expect(yours).to_contain_text("Pausado")
    check_page(page, "admin-bot")
