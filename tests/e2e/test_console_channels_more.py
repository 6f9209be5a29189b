"""Connecting X, email and the App Store from the console (issue 13, item 3): X through
X's own authorisation against the fake X of ``make run`` (devstack/fake_x.py), an email
inbox and the setup it needs, an App Store key file read in the browser and sent once."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.console import check_page, new_person_email, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

P8 = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgevZzL1gdAFr88hb2\n"
    "OF/2NxApJCzGCEDdfSp6VQO30hyhRANCAAQRWz+jn65BtOMvdyHKcvjBeBSDZH2r\n"
    "1RTwjmYSi9R/zpBnuQ4EiMnCqfMPWiZqB4QdbAd0E7oH50VpuZ1P087G\n"
    "-----END PRIVATE KEY-----\n"
)


def admin_on(page, stack, path: str) -> None:
    email = new_person_email("ana")
    stack.signup(email, company=f"Ferretería {uuid.uuid4().hex[:6]}")
    sign_in(page, email)
    page.keyboard.press("Escape")  # the first login's welcome, if it is shown
    page.goto(path)


def test_an_admin_connects_an_x_account_through_x(console, stack):
    admin_on(console, stack, "/admin/channels/connect/twitter")
    expect(console.get_by_role("heading", name="Conecta tu cuenta de X")).to_be_visible()
    check_page(console, "channels-connect-x")
    console.get_by_label("Nombre del canal").fill("Soporte en X")
    console.get_by_role("button", name="Conectar con X").click()

    expect(
        console.get_by_role("heading", name="¿Autorizar a Atiende a usar tu cuenta?")
    ).to_be_visible()
    handle = f"ferre_{uuid.uuid4().hex[:6]}"
    console.get_by_label("Cuenta de X que autoriza").fill(handle)
    console.get_by_role("button", name="Autorizar app (fake X)").click()

    expect(console).to_have_url(re.compile(r"/admin/channels/[A-Za-z0-9]+$"))
    expect(console.get_by_role("link", name=f"@{handle}")).to_be_visible()
    expect(console.get_by_text("Suscrita: los mensajes llegan")).to_be_visible()
    check_page(console, "channels-x-details")


def test_cancelling_at_x_comes_back_with_nothing_connected(console, stack):
    admin_on(console, stack, "/admin/channels/connect/twitter")
    console.get_by_role("button", name="Conectar con X").click()
    console.get_by_role("button", name="Cancelar").click()
    expect(console.get_by_text("Cancelaste la autorización")).to_be_visible()
    expect(console.get_by_role("button", name="Conectar con X")).to_be_enabled()


def test_an_admin_connects_an_email_inbox_and_sees_its_setup(console, stack):
    admin_on(console, stack, "/admin/channels/connect/email")
    address = f"soporte@{uuid.uuid4().hex[:6]}.example.com"
    console.get_by_label("Dirección de correo").fill(address)
    console.get_by_label("Nombre del remitente").fill("Soporte Ferretería")
    check_page(console, "channels-connect-email")
    console.get_by_role("button", name="Conectar correo").click()

    expect(
        console.get_by_role("heading", name="Correo conectado: ahora, la configuración")
    ).to_be_visible()
    table = console.get_by_role("table", name=re.compile("Registros DNS"))
    expect(table.get_by_role("row").filter(has_text="MX")).to_contain_text(
        re.compile(r"inbound-smtp\.[a-z0-9-]+\.amazonaws\.com")
    )
    expect(table).to_contain_text("v=spf1 include:amazonses.com ~all")
    expect(console.get_by_text("/webhooks/email")).to_be_visible()
    expect(console.get_by_role("button", name="Copiar Dirección de entrada")).to_be_visible()
    check_page(console, "channels-email-setup")
    console.get_by_role("button", name="Ir al canal").click()
    expect(console.get_by_text("Ver la configuración de DNS y SES")).to_be_visible()


def test_an_admin_uploads_an_app_store_key_then_replaces_it(console, stack):
    admin_on(console, stack, "/admin/channels/connect/app_store")
    console.get_by_label("ID de Apple de la app").fill(
        str(1_000_000_000 + uuid.uuid4().int % 10**9)
    )
    console.get_by_label("ID del emisor (Issuer ID)").fill("57246542-96fe-1a63-e053-0824d011072a")
    console.get_by_label("ID de la clave (Key ID)").fill("2X9R4HXF34")
    key = {"name": "AuthKey_2X9R4HXF34.p8", "mimeType": "text/plain", "buffer": P8.encode()}
    console.get_by_label("Clave privada (.p8)").set_input_files(files=[key])
    expect(console.get_by_text("Archivo leído: AuthKey_2X9R4HXF34.p8")).to_be_visible()
    check_page(console, "channels-connect-app-store")
    console.get_by_role("button", name="Conectar App Store").click()

    expect(console).to_have_url(re.compile(r"/admin/channels/[A-Za-z0-9]+$"))
    expect(console.get_by_text(re.compile("Clave cargada el"))).to_be_visible()
    assert "BEGIN PRIVATE KEY" not in console.content()
    check_page(console, "channels-app-store-details")

    console.get_by_role("button", name="Reemplazar clave").click()
    dialog = console.get_by_role("dialog", name="Reemplazar la clave")
    dialog.get_by_label("ID del emisor (Issuer ID)").fill("57246542-96fe-1a63-e053-0824d011072a")
    dialog.get_by_label("ID de la clave (Key ID)").fill("3Y0S5IYG45")
    dialog.get_by_label("Clave privada (.p8)").set_input_files(
        files=[{**key, "name": "AuthKey_3Y0S5IYG45.p8"}]
    )
    dialog.get_by_role("button", name="Reemplazar clave").click()
    expect(dialog).to_be_hidden()
    expect(console.get_by_text("Clave reemplazada.")).to_be_visible()
