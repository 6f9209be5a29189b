"""Administrador > Canales (seed 001) and connecting a Facebook Page through Facebook Login
against the fake Graph that ``make run`` starts (devstack/fake_meta.py): the dialog, back
to the console with a code, the Pages loaded, one added; the list shows it connected;
disconnecting it asks first."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.support.console import check_page, new_person_email, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_an_admin_connects_a_facebook_page_through_the_login_and_disconnects_it(console, stack):
    page = console
    email = new_person_email("ana")
    stack.signup(email)
    sign_in(page, email)

    page.goto("/admin/channels")
    expect(page.get_by_role("heading", name="Canales", level=1)).to_be_visible()
    expect(page.get_by_text("Aún no hay canales conectados")).to_be_visible()
    connect = page.get_by_role("region", name="Conectar canal")
    expect(connect.get_by_role("link")).to_have_count(9)
    check_page(page, "admin-channels-empty")

    connect.get_by_role("link", name=re.compile("^Facebook")).click()
    expect(page.get_by_role("heading", name="Conectar Facebook", level=1)).to_be_visible()
    check_page(page, "admin-channels-connect-facebook")
    page.get_by_role("button", name="Conectar con Facebook").click()

    # Facebook's dialog (the fake one), then back with ?code&state
    page.get_by_role("link", name="Continuar como Ana (fake Facebook)").click()
    pages = page.get_by_role("group", name="Selecciona la página que quieres añadir")
    expect(pages.get_by_role("radio")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/admin/channels/connect/facebook$"))  # no code kept
    check_page(page, "admin-channels-facebook-pages")
    pages.get_by_role("radio", name=re.compile("Café Aurora")).check()
    page.get_by_role("button", name="Añadir").click()
    expect(page).to_have_url(re.compile(r"/admin/channels/[0-9a-z]{20,}$"))

    # the same Page's Instagram business account, through the same dialog
    page.goto("/admin/channels/connect/instagram")
    page.get_by_role("button", name="Conectar con Facebook").click()
    page.get_by_role("link", name="Continuar como Ana (fake Facebook)").click()
    accounts = page.get_by_role(
        "group", name="Selecciona la cuenta de Instagram que quieres añadir"
    )
    expect(accounts.get_by_role("radio")).to_have_count(1)  # the Page without one is left out
    accounts.get_by_role("radio", name=re.compile("@cafe.aurora")).check()
    page.get_by_role("button", name="Añadir").click()
    expect(page).to_have_url(re.compile(r"/admin/channels/[0-9a-z]{20,}$"))

    page.goto("/admin/channels")
    expect(page.get_by_role("row", name=re.compile("@cafe.aurora"))).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Café Aurora Facebook"))
    expect(row.get_by_text("Conectado", exact=True)).to_be_visible()
    expect(page.get_by_text("Aún no hay canales conectados")).to_have_count(0)
    check_page(page, "admin-channels-list")

    row.get_by_role("button", name="Desconectar Café Aurora").click()
    dialog = page.get_by_role("dialog", name="¿Desconectar “Café Aurora”?")
    dialog.get_by_role("button", name="Desconectar").click()
    expect(dialog).to_have_count(0)
    expect(row.get_by_text("Desconectado", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Desconectar Café Aurora")).to_have_count(0)
    page.get_by_role("button", name="Desconectar @cafe.aurora").click()
    page.get_by_role("dialog").get_by_role("button", name="Desconectar").click()
    expect(
        page.get_by_role("row", name=re.compile("@cafe.aurora")).get_by_text("Desconectado")
    ).to_be_visible()


def test_an_admin_connects_a_whatsapp_number_checked_with_graph(console, stack):
    page = console
    email = new_person_email("ana")
    admin = stack.signup(email)["access_token"]
    sign_in(page, email)
    phone = str(random.randint(10**14, 10**15 - 1))

    page.goto("/admin/channels/connect/whatsapp")
    expect(page.get_by_role("heading", name="Conectar WhatsApp", level=1)).to_be_visible()
    page.get_by_label("Identificador del número de teléfono").fill(phone)
    page.get_by_label("Identificador de la cuenta de WhatsApp Business").fill("102290129340398")
    page.get_by_label("Token del usuario del sistema").fill("EAAG-fake-system-user-token-123")
    page.get_by_role("button", name="Verificar número").click()
    facts = page.get_by_role("status").filter(has_text="Meta reconoce este número")
    expect(facts.get_by_text("Café Aurora")).to_be_visible()
    expect(facts.get_by_text("Alta")).to_be_visible()
    expect(page.get_by_label("Nombre del canal")).to_have_value("Café Aurora")
    check_page(page, "admin-channels-connect-whatsapp")
    page.get_by_role("button", name="Conectar número").click()
    expect(page).to_have_url(re.compile(r"/admin/channels/[0-9a-z]{20,}$"))
    channel_id = page.url.rsplit("/", 1)[1]

    shown = stack.call("GET", f"/v1/channels/{channel_id}", token=admin)
    assert shown["identifiers"]["verified_name"] == "Café Aurora"
    assert shown["identifiers"]["quality_rating"] == "GREEN"
    # its templates come from the fake WhatsApp Business Account; again: nothing changes
    synced = stack.call("POST", f"/v1/channels/{channel_id}/templates/sync", token=admin)
    assert synced == {"created": 3, "updated": 0, "removed": 0}
    again = stack.call("POST", f"/v1/channels/{channel_id}/templates/sync", token=admin)
    assert again == {"created": 0, "updated": 0, "removed": 0}


def test_a_channel_whose_token_expires_soon_says_when_and_what_to_do(console, stack):
    """The list's state of a channel: Meta says its token lasts five more days (the fake
    Graph's ``debug_token`` for a token with "expiring" in it), so the row warns with the
    date and the advice to reconnect; a token that never expires is just connected."""
    page = console
    email = new_person_email("ana")
    admin = stack.signup(email)["access_token"]
    stack.on_plan(admin, "pro")
    for name, token in (
        ("Ventas", "EAAG-expiring-system-token"),
        ("Soporte", "EAAG-lasting-token"),
    ):
        made = stack.call("POST", "/v1/channels", {
            "type": "whatsapp", "name": name,
            "identifiers": {"phone_number_id": str(random.randint(10**14, 10**15 - 1)),
                            "business_account_id": "102290129340398",
                            "display_phone_number": "+56 9 1111 2222"},
            "credentials": {"access_token": token}}, token=admin)  # fmt: skip
        assert made["status"] == "connected", made
    sign_in(page, email)
    page.goto("/admin/channels")
    expiring = page.get_by_role("row").filter(has_text="Ventas")
    expect(expiring.get_by_text(re.compile(r"^Vence el "))).to_be_visible()
    expect(expiring.get_by_text("Vuelve a conectar la cuenta antes de esa fecha")).to_be_visible()
    lasting = page.get_by_role("row").filter(has_text="Soporte")
    expect(lasting.get_by_text("Conectado", exact=True)).to_be_visible()
    check_page(page, "admin-channels-expiring")
