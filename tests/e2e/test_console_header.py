"""The header of the signed-in console (issue 12, items 8, 9 and 11) and its search panel
(seed 003, step 24): the bell counts a notification and opens its ticket, presence is
chosen from its menu and stays, "Siguiente ticket" hands out the waiting tickets (also
with Alt+N) and says when there is none, and search finds a ticket by number, by the
client's name or email and by RUT.

Each test makes its own company through the API (a WhatsApp number, clients writing in)
and signs in through the login page, as a person does."""

from __future__ import annotations

import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    check_page,
    invite,
    new_person_email,
    sign_in,
    ticket_of,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CLIENTS = [
    ("56911111111", "María José Pérez", "Hola, ¿mi pedido llegó?"),
    ("56922222222", "Jorge Muñoz", "El pedido 4411 llegó incompleto"),
    ("56933333333", "Valentina Soto", "¿Tienen taladros en stock?"),
]


def a_desk(stack, clients: int = 1, timezone: str = "America/Santiago") -> dict:
    """A company (its admin, Ana Pérez) with a WhatsApp number and ``clients`` of CLIENTS
    each opening a ticket (1, 2, ... in that order: nobody is online, they wait unassigned)."""
    email = new_person_email("ana")
    admin = stack.signup(email, timezone=timezone)["access_token"]
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(admin, phone)
    for n, sender in enumerate(CLIENTS[:clients], start=1):
        stack.whatsapp_messages(phone, [sender])  # one at a time: numbered in this order
        wait_for(f"ticket {n}", lambda n=n: ticket_of(stack, admin, n))
    return {"email": email, "token": admin, "channel": channel["id"]}


def header(page):
    return page.get_by_role("banner")


def test_the_bell_counts_a_notification_and_opens_its_ticket(console, stack):
    # a company in Bogotá, a browser in Santiago: times are the company's
    desk = a_desk(stack, timezone="America/Bogota")
    agent = invite(stack, desk["token"], "Pedro", "Soto", "agent")
    page = console
    sign_in(page, agent["email"])
    bell = header(page).get_by_role("button", name=re.compile("^Notificaciones"))
    expect(bell).to_have_accessible_name("Notificaciones")  # nothing unread

    # the admin assigns ticket 1 to the agent: the agent is notified
    stack.call("PUT", "/v1/tickets/1/assignee", {"user_id": agent["id"]}, token=desk["token"])
    [mine] = stack.call("GET", "/v1/notifications", token=agent["token"])["items"]
    # the count is read again when the window gets the focus back (and when live.js hears of
    # a change, or after a minute: docs/console.md)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(bell).to_have_accessible_name("Notificaciones, 1 sin leer")
    expect(bell).to_have_text("1")

    bell.click()
    panel = page.get_by_role("dialog", name="Notificaciones")
    expect(panel).to_be_visible()
    item = panel.get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Asignación")
    expect(item).to_contain_text("Ana Pérez te asignó el ticket #1.")
    expect(item).to_contain_text("Ticket #1")
    at = datetime.fromisoformat(mine["created_at"]).astimezone(ZoneInfo("America/Bogota"))
    expect(item.locator("time")).to_contain_text(at.strftime("%I:%M"))
    check_page(page, "header-notifications")

    item.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/tickets/1$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("#1")
    expect(bell).to_have_accessible_name("Notificaciones")  # read now
    unread = stack.call("GET", "/v1/notifications?unread=true&limit=1", token=agent["token"])
    assert unread["unread_count"] == 0

    # Escape closes the panel and gives the focus back to the bell
    bell.click()
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()


def test_presence_is_chosen_from_its_menu_and_stays_after_a_reload(console, stack):
    desk = a_desk(stack, clients=0)
    page = console
    sign_in(page, desk["email"])
    presence = header(page).get_by_role("button", name=re.compile("^Tu estado"))
    expect(presence).to_have_accessible_name("Tu estado: Desconectado")  # never set yet
    expect(presence).to_have_attribute("aria-haspopup", "menu")

    # with the keyboard: the menu opens on the current state, arrows move, Enter chooses
    presence.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name="Tu estado")
    expect(menu).to_be_visible()
    offline = menu.get_by_role("menuitemradio", name=re.compile("^Desconectado"))
    expect(offline).to_be_focused()
    expect(offline).to_have_attribute("aria-checked", "true")
    check_page(page, "header-presence")
    page.keyboard.press("Home")
    online = menu.get_by_role("menuitemradio", name=re.compile("^En línea"))
    expect(online).to_be_focused()
    with page.expect_response(
        lambda r: r.url.endswith("/v1/me/presence") and r.request.method == "PUT"
    ) as saved:
        page.keyboard.press("Enter")
    assert saved.value.ok
    expect(menu).to_be_hidden()
    expect(presence).to_be_focused()
    expect(presence).to_have_accessible_name("Tu estado: En línea")

    page.reload()
    expect(presence).to_have_accessible_name("Tu estado: En línea")
    assert stack.call("GET", "/v1/me/presence", token=desk["token"]) == {"presence": "online"}

    # with the mouse; Escape closes the menu without a change
    presence.click()
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(presence).to_be_focused()
    presence.click()
    menu.get_by_role("menuitemradio", name=re.compile("^Ausente")).click()
    expect(presence).to_have_accessible_name("Tu estado: Ausente")
    wait_for(
        "away saved",
        lambda: stack.call("GET", "/v1/me/presence", token=desk["token"])["presence"] == "away",
    )
    page.reload()
    expect(presence).to_have_accessible_name("Tu estado: Ausente")


def test_the_next_ticket_button_hands_out_the_waiting_tickets(console, stack):
    desk = a_desk(stack, clients=2)
    agent = invite(stack, desk["token"], "Pedro", "Soto", "agent", ("conversation_dispenser",))
    # the agent serves the WhatsApp number, without automatic assignment
    stack.call(
        "PUT",
        "/v1/assignments",
        {"agents": [{"user_id": agent["id"], "auto_assign": False, "channels": [desk["channel"]]}]},
        token=desk["token"],
    )
    page = console
    sign_in(page, agent["email"])
    take = header(page).get_by_role("button", name="Siguiente ticket")
    expect(take).to_have_attribute("aria-keyshortcuts", "Alt+N")
    expect(take).to_have_attribute("title", re.compile(r"Alt\+N"))
    check_page(page, "header")

    take.click()  # the oldest waiting ticket is now the agent's, and open
    expect(page).to_have_url(re.compile(r"/tickets/1$"))
    assert stack.call("GET", "/v1/tickets/1", token=desk["token"])["assignee_id"] == agent["id"]

    page.keyboard.press("Alt+n")  # the shortcut takes the next one
    expect(page).to_have_url(re.compile(r"/tickets/2$"))
    assert stack.call("GET", "/v1/tickets/2", token=desk["token"])["assignee_id"] == agent["id"]

    page.keyboard.press("Alt+n")  # none is left: it says so, and stays
    expect(page.get_by_role("status").filter(has_text="No hay tickets")).to_have_text(
        "No hay tickets esperando en tus canales."
    )
    expect(page).to_have_url(re.compile(r"/tickets/2$"))
    check_page(page, "header-next-none")


def test_search_finds_a_ticket_by_number_name_email_and_rut(console, stack):
    desk = a_desk(stack, clients=3)
    jorge = ticket_of(stack, desk["token"], 2)["client_id"]
    stack.call(
        "PATCH",
        f"/v1/clients/{jorge}",
        {"email": "jorge.munoz@correo.cl", "rut": "12.345.678-5"},
        token=desk["token"],
    )
    # a new client's name is indexed from the table's stream, a moment after the ticket
    wait_for(
        "Valentina's name indexed",
        lambda: stack.call("GET", "/v1/search/tickets?name=valen", token=desk["token"])["items"],
    )
    page = console
    sign_in(page, desk["email"])
    button = header(page).get_by_role("button", name="Buscar tickets")
    expect(button).to_have_attribute("aria-keyshortcuts", re.compile(r"^/ Control\+K"))

    # "/" opens the panel on the number field
    page.keyboard.press("/")
    panel = page.get_by_role("dialog", name="Buscar tickets")
    expect(panel).to_be_visible()
    field = panel.get_by_label("Número de ticket")
    expect(field).to_be_focused()
    field.fill("2")
    page.keyboard.press("Enter")
    results = panel.get_by_role("list", name="Resultados")
    expect(results.get_by_role("listitem")).to_have_count(1)
    found = results.get_by_role("link")
    expect(found).to_contain_text("#2")
    expect(found).to_contain_text("Jorge Muñoz")
    expect(found).to_contain_text("Abierto")
    expect(found.get_by_role("img", name="WhatsApp")).to_be_visible()
    expect(panel.get_by_role("status")).to_have_text("1 ticket encontrado")
    field.fill("99")
    page.keyboard.press("Enter")
    expect(panel.get_by_role("status")).to_have_text("No hay un ticket #99 que puedas ver.")

    # Escape closes it and the focus goes back to the search button
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(button).to_be_focused()

    # Ctrl+K opens it again; by the client's name (a word's beginning), then email
    page.keyboard.press("Control+k")
    expect(panel).to_be_visible()
    panel.get_by_role("radio", name="Nombre o email").check()
    field = panel.get_by_label("Nombre o email del cliente")
    expect(field).to_be_focused()
    field.fill("valen")
    page.keyboard.press("Enter")
    expect(results.get_by_role("link")).to_have_count(1)
    expect(results.get_by_role("link")).to_contain_text("#3")
    expect(results.get_by_role("link")).to_contain_text("Valentina Soto")
    field.fill("jorge.munoz@correo.cl")
    panel.get_by_role("button", name="Buscar", exact=True).click()
    expect(results.get_by_role("link")).to_contain_text("#2")
    expect(results.get_by_role("link")).to_contain_text("jorge.munoz@correo.cl")
    field.fill("a b")  # each word needs two letters: said before asking
    page.keyboard.press("Enter")
    expect(panel.get_by_text("Cada palabra necesita al menos 2 letras o números.")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")

    # by RUT: a wrong check digit is explained, any spelling of a good one finds it
    panel.get_by_role("radio", name="RUT").check()
    field = panel.get_by_label("RUT del cliente")
    field.fill("12.345.678-4")
    page.keyboard.press("Enter")
    expect(panel.get_by_text("El dígito verificador de ese RUT debería ser 5.")).to_be_visible()
    field.fill("123456785")
    page.keyboard.press("Enter")
    expect(results.get_by_role("link")).to_have_count(1)
    expect(results.get_by_role("link")).to_contain_text("#2")
    expect(results.get_by_role("link")).to_contain_text("RUT 12.345.678-5")
    check_page(page, "search")

    # a name typed in the number field searches by name
    panel.get_by_role("radio", name="Número").check()
    panel.get_by_label("Número de ticket").fill("muñoz")
    page.keyboard.press("Enter")
    expect(panel.get_by_role("radio", name="Nombre o email")).to_be_checked()
    expect(results.get_by_role("link")).to_contain_text("Jorge Muñoz")

    # a result opens its ticket
    results.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tickets/2$"))
    expect(panel).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text("#2")
