"""What each role is offered (issue 12, item 10; docs/roles.md): the console never offers
an action the person's role may not take, and the API refuses it anyway.

An admin invites the people through the API (``POST /v1/users``; the invitation email is
in the stack's ``var/mail/``); the analyst accepts on the emailed link's page, the others
with its token. Each signs in in the browser and sees only what the role allows:

| role | next ticket | search | presence | "Nueva columna" | read only |
|---|---|---|---|---|---|
| agent (no optional permission) | no | yes | yes | yes | no |
| analyst | no | yes | no | yes (their own board) | yes |
| orders_admin | no | no | no | no | — |
"""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    PASSWORD,
    check_page,
    invite,
    log_in,
    new_person_email,
    refused,
    sign_in,
    ticket_of,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def company(stack) -> dict:
    """A company with a WhatsApp number and one waiting ticket."""
    email = new_person_email("ana")
    admin = stack.signup(email)["access_token"]
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(admin, phone)
    stack.whatsapp_messages(phone, [("56911111111", "María José Pérez", "Hola")])
    wait_for("ticket 1", lambda: ticket_of(stack, admin, 1))
    return {"email": email, "token": admin, "channel": channel["id"]}


def tools(page):
    return page.get_by_role("banner")


def sign_out(page) -> None:
    tools(page).get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Ingresa a tu cuenta")).to_be_visible()


def test_each_role_is_offered_only_what_it_may_do(console, stack, company):
    admin = company["token"]
    stack.on_plan(admin, "lite")  # four staff users: more than Free allows
    agent = invite(stack, admin, "Pedro", "Soto", "agent")
    analyst = invite(stack, admin, "Carla", "Rojas", "analyst", accept=False)
    orders = invite(stack, admin, "Luis", "Vega", "orders_admin")
    page = console
    asked: list[str] = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}") if "/v1/" in r.url else None)

    # --- an agent without optional permissions ----------------------------------------
    sign_in(page, agent["email"])
    header = tools(page)
    expect(header).to_contain_text("Ejecutivo")
    expect(header.get_by_role("button", name="Buscar tickets")).to_be_visible()
    expect(header.get_by_role("button", name=re.compile("^Notificaciones"))).to_be_visible()
    expect(header.get_by_role("button", name="Tu estado: Desconectado")).to_be_visible()
    expect(header.get_by_text("Solo lectura")).to_have_count(0)
    # taking the next ticket needs conversation_dispenser: not offered, and Alt+N does nothing
    expect(header.get_by_role("button", name="Siguiente ticket")).to_have_count(0)
    page.keyboard.press("Alt+n")
    page.wait_for_timeout(300)
    assert not [a for a in asked if "/v1/tickets/next" in a]
    expect(page.get_by_role("button", name="Nueva columna")).to_be_visible()  # their own board
    assert refused(stack, "POST", "/v1/tickets/next", agent["token"]) == 403
    assert refused(stack, "GET", "/v1/users", agent["token"]) == 403
    sign_out(page)

    # --- an analyst, who joins from the emailed link: everything read-only ------------------
    asked.clear()
    page.goto(analyst["link"].removeprefix(stack.url))
    page.get_by_label("Contraseña nueva").fill(PASSWORD)
    page.get_by_label("Repite la contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Activar mi cuenta").click()
    # an analyst's home is "Analítica" (issue 16); the board is a link away
    expect(page.get_by_role("heading", name="Analítica", level=1)).to_be_visible()
    assert page.url.endswith("/analytics")
    page.get_by_role("banner").get_by_role("link", name="Mesón de ayuda").click()
    expect(page.get_by_role("heading", name="Mesón de ayuda", level=1)).to_be_visible()
    header = tools(page)
    expect(header).to_contain_text("Analista")
    expect(header.get_by_text("Solo lectura")).to_be_visible()
    expect(header.get_by_role("button", name="Siguiente ticket")).to_have_count(0)
    expect(header.get_by_role("button", name=re.compile("^Tu estado"))).to_have_count(0)
    expect(header.get_by_role("button", name=re.compile("^Notificaciones"))).to_be_visible()
    assert not [a for a in asked if "/v1/me/presence" in a]  # not even read
    expect(page.get_by_role("button", name="Nueva columna")).to_be_visible()  # their own board
    check_page(page, "header-analyst")
    # analysts read every ticket: search finds it
    header.get_by_role("button", name="Buscar tickets").click()
    panel = page.get_by_role("dialog", name="Buscar tickets")
    panel.get_by_label("Número de ticket").fill("1")
    page.keyboard.press("Enter")
    expect(panel.get_by_role("link")).to_contain_text("María José Pérez")
    page.keyboard.press("Escape")
    # and the API refuses every change
    token = log_in(stack, analyst["email"])
    assert refused(stack, "PUT", "/v1/me/presence", token, {"presence": "online"}) == 403
    assert refused(stack, "POST", "/v1/tickets/next", token) == 403
    assert refused(stack, "PATCH", "/v1/tickets/1", token, {"status": "closed"}) == 403
    assert refused(stack, "POST", "/v1/tickets/1/messages", token, {"text": "Hola"}) == 403
    sign_out(page)

    # --- an orders admin: no tickets at all -------------------------------------------------
    asked.clear()
    sign_in(page, orders["email"], landing="Órdenes")  # no desk: the orders area (issue 15)
    header = tools(page)
    expect(header).to_contain_text("Administrador de pedidos")
    expect(header.get_by_role("button", name=re.compile("^Notificaciones"))).to_be_visible()
    for name in ("Siguiente ticket", "Buscar tickets"):
        expect(header.get_by_role("button", name=name)).to_have_count(0)
    expect(header.get_by_role("button", name=re.compile("^Tu estado"))).to_have_count(0)
    expect(page.get_by_role("button", name="Nueva columna")).to_have_count(0)
    page.keyboard.press("/")
    page.keyboard.press("Control+k")
    page.wait_for_timeout(300)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not [a for a in asked if "/v1/search" in a or "/v1/columns" in a]
    assert refused(stack, "GET", "/v1/search/tickets?number=1", orders["token"]) == 403
    assert (
        refused(stack, "POST", "/v1/columns", orders["token"], {"name": "X", "kind": "tickets"})
        == 403
    )
