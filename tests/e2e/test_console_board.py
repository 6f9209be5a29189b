"""The board, "Mesón de ayuda" (seeds 001 and 003, issue 12 item 5): an admin's first
login asks to connect a channel; a column made with the "Nueva columna" dialog shows the
tickets a signed WhatsApp webhook opens; columns move and go; a column loads its next
page as it is scrolled; an agent is offered only what the role may do.

One company serves the module (its admin's token from the API); each test signs in the
browser as a person does."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.console import PASSWORD, check_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: each channel type's name in the console, with the type its connect page is named by
CHANNELS = {
    "WhatsApp": "whatsapp",
    "Facebook": "facebook",
    "Instagram": "instagram",
    "X (Twitter)": "twitter",
    "Búsqueda en X": "twitter_search",
    "Email": "email",
    "Chat web": "chat",
    "App Store": "app_store",
    "Google Play": "play_store",
}
PAGE = 20  # web/src/screens/board.js


def new_email(who: str = "ana") -> str:
    return f"{who}.{uuid.uuid4().hex[:8]}@losandes.example.com"


@pytest.fixture(scope="module")
def company(stack) -> dict:
    email = new_email()
    session = stack.signup(email)
    return {"email": email, "token": session["access_token"]}


@pytest.fixture(scope="module")
def whatsapp(stack, company) -> dict:
    phone = str(random.randint(10**14, 10**15 - 1))
    # SLA targets from the start (a warm worker keeps a channel's settings for 30 s)
    sla = {"sla": {"first_response_minutes": 90, "resolution_minutes": 2880}}
    channel = stack.connect_whatsapp(company["token"], phone, name="Ventas", settings=sla)
    return {**channel, "phone": phone}


def column(page, name: str):
    return page.get_by_role("region", name=f"Tickets de «{name}»")


def column_names(page) -> list[str]:
    return (
        page.get_by_role("list", name="Columnas").get_by_role("heading", level=2).all_inner_texts()
    )


@pytest.mark.welcome
def test_an_admin_without_channels_is_asked_to_connect_one(console, company):
    page = console
    sign_in(page, company["email"])

    # an admin without channels is asked to connect one: a button per channel type
    welcome = page.get_by_role("dialog", name="Conecta tus canales")
    expect(welcome).to_be_visible()
    for name, kind in CHANNELS.items():
        link = welcome.get_by_role("link", name=f"Conectar {name}", exact=True)
        expect(link).to_have_attribute("href", f"/admin/channels/connect/{kind}")
    expect(welcome.get_by_role("link")).to_have_count(len(CHANNELS))
    # the dialog keeps the keyboard: Tab from its last control comes back to its first
    welcome.get_by_role("button", name="Ahora no").focus()
    page.keyboard.press("Tab")
    expect(welcome.get_by_role("button", name="Cerrar")).to_be_focused()
    check_page(page, "first-login")
    page.keyboard.press("Escape")
    expect(welcome).to_be_hidden()
    page.reload()  # dismissed once, not asked again on this device
    expect(page.get_by_role("heading", name="Tu mesón de ayuda está listo")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_a_column_of_a_whatsapp_account_shows_the_ticket_a_webhook_opened(
    console, stack, company, whatsapp
):
    page = console
    sign_in(page, company["email"])
    expect(page.get_by_role("dialog")).to_have_count(0)  # a channel is connected now

    page.get_by_role("button", name="Nueva columna").click()
    dialog = page.get_by_role("dialog", name="Nueva columna")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Nombre de la columna")).to_be_focused()
    dialog.get_by_role("button", name="Añadir").click()  # no name yet
    expect(dialog.get_by_text("Completa este campo.")).to_be_visible()
    dialog.get_by_label("Nombre de la columna").fill("WhatsApp ventas")
    dialog.get_by_role("group", name="Filtrar por canal").get_by_label("WhatsApp").check()
    accounts = dialog.get_by_role("group", name="Filtrar por cuenta")
    expect(accounts.get_by_role("checkbox")).to_have_count(1)
    accounts.get_by_label("Ventas").check()
    expect(dialog.get_by_label("Asignado a")).to_have_value("any")
    for label in ("Departamento", "Grupo", "Importancia", "Sentimiento al inicio", "SLA"):
        expect(dialog.get_by_label(label, exact=True)).to_be_visible()
    check_page(page, "new-column")
    dialog.get_by_role("button", name="Añadir").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="WhatsApp ventas", level=2)).to_be_visible()

    [made] = [
        c
        for c in stack.call("GET", "/v1/columns", token=company["token"])["items"]
        if c["name"] == "WhatsApp ventas"
    ]
    assert made["filters"]["channel_types"] == ["whatsapp"]
    assert made["filters"]["channel_ids"] == [whatsapp["id"]]
    assert made["filters"]["assignee"] == "any"
    before = stack.count_tickets(company["token"], made["id"])  # the module's other tests'
    stack.whatsapp_messages(
        whatsapp["phone"], [("56912345678", "María José", "Hola, ¿mi pedido llegó?")]
    )
    stack.wait_for_tickets(company["token"], made["id"], before + 1)
    number = before + 1  # every ticket of the company is on this number
    page.reload()  # live updates come later
    card = column(page, "WhatsApp ventas").get_by_role(
        "article", name=f"Ticket #{number}, María José"
    )
    expect(card).to_be_visible()
    expect(card).to_contain_text(f"#{number}")
    expect(card).to_contain_text("Hola, ¿mi pedido llegó?")
    expect(card).to_contain_text("Sin asignar")
    expect(card.get_by_role("img", name="WhatsApp")).to_be_visible()

    # the display toggles at the column's foot are kept by the API
    toggles = page.get_by_role("group", name="Vista de «WhatsApp ventas»")
    preview = toggles.get_by_role("button", name="Mostrar vista previa del mensaje")
    expect(preview).to_have_attribute("aria-pressed", "true")
    preview.click()
    expect(preview).to_have_attribute("aria-pressed", "false")
    expect(card).not_to_contain_text("Hola, ¿mi pedido llegó?")
    page.reload()
    expect(
        page.get_by_role("group", name="Vista de «WhatsApp ventas»").get_by_role(
            "button", name="Mostrar vista previa del mensaje"
        )
    ).to_have_attribute("aria-pressed", "false")
    assert (
        stack.call("GET", f"/v1/columns/{made['id']}", token=company["token"])["toggles"][
            "show_preview"
        ]
        is False
    )
    page.get_by_role("button", name="Mostrar vista previa del mensaje").click()
    expect(column(page, "WhatsApp ventas")).to_contain_text("Hola, ¿mi pedido llegó?")


def test_a_column_loads_its_next_page_when_scrolled_to_its_end(console, stack, company, whatsapp):
    made = stack.call(
        "POST",
        "/v1/columns",
        {
            "name": "Todo WhatsApp",
            "kind": "tickets",
            "filters": {"channel_ids": [whatsapp["id"]], "assignee": "any"},
        },
        token=company["token"],
    )
    # the module's other tests may have opened tickets on this number first (in any order)
    before = stack.count_tickets(company["token"], made["id"])
    senders = [
        (f"5698{n:07d}", name, text)
        for n, (name, text) in enumerate(
            [(f"Cliente {n}", f"Consulta número {n}") for n in range(PAGE)]
            + [
                ("Valentina Soto", "Gracias, ya me llegó todo perfecto."),
                ("Jorge Muñoz", "El pedido 4411 llegó incompleto, faltan los tornillos."),
                ("Camila Rojas", "¿Tienen taladros percutores en stock? Necesito dos para mañana."),
            ]
        )
    ]
    # a few new clients per webhook: many at once contend for the ticket counter, and a
    # message that loses 10 times waits for the queue's retry (IngestConflict, reported)
    for start in range(0, len(senders), 6):
        stack.whatsapp_messages(whatsapp["phone"], senders[start : start + 6])
        stack.wait_for_tickets(company["token"], made["id"], before + len(senders[: start + 6]))
    stack.call(
        "POST",
        "/v1/columns",
        {
            "name": "Mensajes WhatsApp",
            "kind": "messages",
            "filters": {"channel_types": ["whatsapp"], "assignee": "any"},
            "toggles": {"compact": True, "show_sla": False},
        },
        token=company["token"],
    )
    newest = before + len(senders)  # every ticket of the company is on this number
    me = stack.call("GET", "/v1/me", token=company["token"])["user"]
    for number, changes in (
        (newest, {"important": True, "sentiment_end": "happy"}),
        (newest - 1, {"sentiment_end": "angry", "status": "pending"}),
    ):
        stack.call("PATCH", f"/v1/tickets/{number}", changes, token=company["token"])
    stack.call(
        "PUT", f"/v1/tickets/{newest - 1}/assignee", {"user_id": me["id"]}, token=company["token"]
    )
    page = console
    sign_in(page, company["email"])
    card = column(page, "Todo WhatsApp").get_by_role(
        "article", name=re.compile(rf"^Ticket #{newest},")
    )
    expect(card.get_by_role("img", name="Importante")).to_be_visible()
    expect(card.get_by_role("img", name="Sentimiento: Feliz")).to_be_visible()
    expect(card).to_contain_text(re.compile(r"Vence en 1 h \d+ min"))  # 90 minutes to answer
    card = column(page, "Todo WhatsApp").get_by_role(
        "article", name=re.compile(rf"^Ticket #{newest - 1},")
    )
    expect(card).to_contain_text("Pendiente")
    expect(card).to_contain_text("Tú")
    messages = column(page, "Mensajes WhatsApp").get_by_role("article")
    expect(messages).to_have_count(PAGE)  # the same tickets, as their latest message
    expect(messages.filter(has_text="El pedido 4411 llegó incompleto")).to_have_count(1)
    expect(
        page.get_by_role("group", name="Vista de «Mensajes WhatsApp»").get_by_role(
            "button", name="Vista compacta"
        )
    ).to_have_attribute("aria-pressed", "true")
    cards = column(page, "Todo WhatsApp").get_by_role("article")
    expect(cards).to_have_count(PAGE)
    check_page(page, "board-columns")
    column(page, "Todo WhatsApp").evaluate("(list) => list.scrollTo(0, list.scrollHeight)")
    expect(cards).to_have_count(newest)  # all of them: the second page came
    expect(column(page, "Todo WhatsApp").get_by_text("No hay más")).to_be_visible()
    numbers = [int(re.search(r"#(\d+)", text)[1]) for text in cards.all_inner_texts()]
    assert sorted(numbers) == list(range(1, newest + 1))


def test_columns_move_left_and_right_and_are_removed(console, stack, company):
    # its own three (the module's other tests may have made some, on this worker or not)
    for name in ("Temprano", "Mañana", "Tarde"):
        stack.call("POST", "/v1/columns", {"name": name}, token=company["token"])
    page = console
    sign_in(page, company["email"])
    expect(page.get_by_role("heading", name="Tarde", level=2)).to_be_visible()
    before = column_names(page)
    assert before[-3:] == ["Temprano", "Mañana", "Tarde"]

    saved_order = lambda r: r.url.endswith("/v1/columns/order")  # noqa: E731
    with page.expect_response(saved_order):
        page.get_by_role("button", name="Mover «Tarde» a la izquierda").click()
    expect(page.get_by_role("button", name="Mover «Tarde» a la izquierda")).to_be_focused()
    with page.expect_response(saved_order) as saving:
        page.keyboard.press("Enter")  # the keyboard moves it on
    assert saving.value.status == 200
    expected = [*before[:-3], "Tarde", before[-3], "Mañana"]
    expect(page.get_by_role("list", name="Columnas").get_by_role("heading", level=2)).to_have_text(
        expected
    )
    saved = [c["name"] for c in stack.call("GET", "/v1/columns", token=company["token"])["items"]]
    assert saved == expected
    page.get_by_role("button", name="Mover «Tarde» a la derecha").click()
    expected = [*before[:-3], before[-3], "Tarde", "Mañana"]
    expect(page.get_by_role("list", name="Columnas").get_by_role("heading", level=2)).to_have_text(
        expected
    )

    page.get_by_role("button", name="Quitar la columna «Mañana»").click()
    confirm = page.get_by_role("dialog", name="¿Quitar la columna «Mañana»?")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Cancelar")).to_be_focused()
    page.keyboard.press("Escape")  # changed my mind
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("heading", name="Mañana", level=2)).to_be_visible()
    page.get_by_role("button", name="Quitar la columna «Mañana»").click()
    confirm.get_by_role("button", name="Quitar columna").click()
    expect(page.get_by_role("heading", name="Mañana", level=2)).to_have_count(0)
    saved = [c["name"] for c in stack.call("GET", "/v1/columns", token=company["token"])["items"]]
    assert saved == expected[:-1]
    page.reload()
    expect(page.get_by_role("list", name="Columnas").get_by_role("heading", level=2)).to_have_text(
        expected[:-1]
    )


def test_an_agent_is_offered_only_what_the_role_may_do(console, stack, company, whatsapp):
    agent = new_email("pedro")
    stack.call(
        "POST",
        "/v1/users",
        {"first_name": "Pedro", "last_name": "Soto", "email": agent, "role": "agent"},
        token=company["token"],
    )
    token = stack.link_in_mail(agent, "/invitations/accept").split("token=", 1)[1]
    stack.call("POST", "/v1/auth/invitations/accept", {"token": token, "password": PASSWORD})
    page = console
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/v1/" in r.url else None)
    sign_in(page, agent)
    expect(page.get_by_role("heading", name="Tu mesón de ayuda está listo")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)  # connecting channels is an admin's

    # agents arrange their own board (columns.manage) but may not list the users
    page.get_by_role("button", name="Nueva columna").click()
    dialog = page.get_by_role("dialog", name="Nueva columna")
    expect(
        dialog.get_by_role("group", name="Filtrar por cuenta").get_by_label("Ventas")
    ).to_be_visible()
    options = dialog.get_by_label("Asignado a").locator("option")
    expect(options).to_have_text(["Todos", "Asignados a mí", "Sin asignar"])
    assert not [u for u in asked if "/v1/users" in u]
    dialog.get_by_label("Nombre de la columna").fill("Mis tickets")
    dialog.get_by_role("button", name="Añadir").click()
    expect(page.get_by_role("heading", name="Mis tickets", level=2)).to_be_visible()
    expect(page.get_by_role("button", name="Quitar la columna «Mis tickets»")).to_be_visible()
