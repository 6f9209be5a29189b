"""The chat widget in a real browser (issue 13, item 6; docs/widget.md): a shop's page,
served from another origin than Atiende's, pastes the one <script> tag; so the public
chat API's CORS is exercised for real. A visitor opens the bubble, leaves a name and an
email and writes; the ticket opens in the help desk, the agent's reply (through the API)
appears in the widget without a reload, and the conversation survives a reload. With
business hours that are never open, the visitor reads the "out of hours" auto-reply."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.console import SCREENSHOTS, SHOP, wait_for_ticket_of

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


#: controls inside the widget's shadow root without an accessible name
UNNAMED_IN_WIDGET = """() => {
  const root = document.querySelector('#atiende-chat').shadowRoot;
  const name = (el) => (el.getAttribute('aria-label') || '').trim()
    || (el.id && root.querySelector(`label[for="${el.id}"]`)?.textContent.trim())
    || (el.textContent || '').trim() || (el.getAttribute('title') || '').trim();
  return [...root.querySelectorAll('button, input, textarea, a[href]')]
    .filter((el) => !name(el)).map((el) => el.outerHTML.slice(0, 120));
}"""


def chat_channel(stack, shop, settings: dict | None = None) -> dict:
    """A new company whose chat channel allows only the shop's site: {token, channel, url}."""
    email = f"ana.{uuid.uuid4().hex[:8]}@losandes.example.com"
    token = stack.signup(email)["access_token"]
    body = {
        "type": "chat",
        "name": "Chat de la tienda",
        "identifiers": {"site_name": "Ferretería Los Andes", "allowed_origins": [shop["origin"]]},
    }
    if settings:
        body["settings"] = settings
    channel = stack.call("POST", "/v1/channels", body, token=token)
    key = channel["identifiers"]["public_key"]
    (shop["folder"] / "shop.html").write_text(SHOP % {"atiende": stack.url, "key": key})
    return {"token": token, "channel": channel, "url": f"{shop['origin']}/shop.html"}


def start_chat(page, url: str, name: str) -> None:
    page.goto(url)
    bubble = page.get_by_role("button", name="Abrir el chat")
    expect(bubble).to_be_visible()
    bubble.click()
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Nombre")).to_be_focused()
    screenshots(page, "widget-form")
    # the form checks its fields before asking the API
    panel.get_by_role("button", name="Empezar a chatear").click()
    expect(panel.get_by_text("Escribe tu nombre.")).to_be_visible()
    panel.get_by_label("Nombre").fill(name)
    panel.get_by_label("Correo electrónico").fill("camila@")
    panel.get_by_role("button", name="Empezar a chatear").click()
    expect(panel.get_by_text("Escribe un correo válido")).to_be_visible()
    panel.get_by_label("Correo electrónico").fill("camila.rojas@example.org")
    panel.get_by_role("button", name="Empezar a chatear").click()
    expect(panel.get_by_label("Tu mensaje")).to_be_focused()
    # the session named the site: its name heads the panel from now on
    expect(page.get_by_role("dialog", name="Ferretería Los Andes")).to_be_visible()


def screenshots(page, name: str) -> None:
    assert page.evaluate(UNNAMED_IN_WIDGET) == [], f"{name}: controls without a name"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), animations="disabled")
    page.set_viewport_size({"width": 390, "height": 844})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, f"{name}: the page is {scroll} px wide on a 390 px phone"
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), animations="disabled")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_visitor_chats_with_an_agent_across_sites_and_a_reload(console, stack, shop):
    world = chat_channel(stack, shop)
    page = console
    name = f"Camila {uuid.uuid4().hex[:6]}"
    start_chat(page, world["url"], name)
    panel = page.get_by_role("dialog", name="Ferretería Los Andes")
    screenshots(page, "widget-empty")

    composer = panel.get_by_label("Tu mensaje")
    composer.fill("Hola, ¿el taladro trae brocas?")
    composer.press("Shift+Enter")  # a new line, not a send
    composer.press_sequentially("Gracias")
    composer.press("Enter")
    expect(composer).to_have_value("")
    mine = panel.locator(".msg.in").filter(has_text="¿el taladro trae brocas?")
    expect(mine).to_have_attribute("data-state", "stored")  # read back from the API
    assert "brocas?\nGracias" in mine.locator(".text").inner_text()

    # the help desk has it: the agent answers through the API, the widget shows it live
    number = wait_for_ticket_of(stack, world["token"], name)
    reply = "¡Hola Camila! Sí, trae un set de 5 brocas."
    stack.call("POST", f"/v1/tickets/{number}/messages", {"text": reply}, token=world["token"])
    expect(panel.locator(".msg.out").filter(has_text=reply)).to_be_visible(timeout=20_000)
    screenshots(page, "widget-conversation")

    # the shop's CSS does not reach inside the widget
    font = page.evaluate(
        "() => getComputedStyle(document.querySelector('#atiende-chat').shadowRoot"
        ".querySelector('.send')).fontFamily"
    )
    assert "Georgia" not in font

    page.reload()
    panel = page.get_by_role("dialog", name="Ferretería Los Andes")
    expect(panel.locator(".msg.out").filter(has_text=reply)).to_be_visible()
    expect(panel.locator(".msg.in").filter(has_text="¿el taladro trae brocas?")).to_be_visible()

    # the visitor comes back after the token expired: a new session, and the conversation
    # so far stays on screen
    page.evaluate("""() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('atiende.chat.'));
      const kept = JSON.parse(localStorage.getItem(key));
      localStorage.setItem(key, JSON.stringify({ ...kept, exp: Date.now() - 1000 }));
    }""")
    page.reload()
    panel = page.get_by_role("dialog", name="Ferretería Los Andes")
    expect(panel.locator(".msg.out").filter(has_text=reply)).to_be_visible()
    panel.get_by_label("Tu mensaje").fill("¿Sigues ahí?")
    panel.get_by_label("Tu mensaje").press("Enter")
    again = panel.locator(".msg.in").filter(has_text="¿Sigues ahí?")
    expect(again).to_have_attribute("data-state", "stored")
    expect(panel.locator(".msg.out").filter(has_text=reply)).to_be_visible()

    # Escape closes the panel and gives the focus back to the bubble
    panel.get_by_label("Tu mensaje").press("Escape")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name="Abrir el chat")).to_be_focused()

    # the site may fix the language: data-locale="pt"
    shop_page = shop["folder"] / "shop.html"
    shop_page.write_text(shop_page.read_text().replace(" async>", ' data-locale="pt" async>'))
    page.reload()
    page.get_by_role("button", name="Abrir o chat").click()
    panel = page.get_by_role("dialog", name="Ferretería Los Andes")
    expect(panel.get_by_label("Sua mensagem")).to_be_visible()
    expect(panel.locator(".msg.out").filter(has_text=reply)).to_be_visible()


def test_out_of_hours_the_visitor_reads_the_auto_reply(console, stack, shop):
    closed = "Estamos fuera de horario: te respondemos mañana desde las 9:00."
    world = chat_channel(stack, shop, {
        "business_hours": {"timezone": "America/Santiago", "weekly": {}},  # never open
        "auto_replies": {"out_of_hours": {"enabled": True, "text": closed}},
    })  # fmt: skip
    page = console
    start_chat(page, world["url"], f"Camila {uuid.uuid4().hex[:6]}")
    panel = page.get_by_role("dialog", name="Ferretería Los Andes")
    composer = panel.get_by_label("Tu mensaje")

    # the first send is lost on the way: the visitor retries it, with the same id
    sends: list[dict] = []

    def flaky(route):
        if route.request.method == "POST":
            sends.append(route.request.post_data_json)
            if len(sends) == 1:
                route.abort()
                return
        route.continue_()

    page.route("**/chat/v1/messages*", flaky)
    composer.fill("¿Abren el domingo?")
    composer.press("Enter")
    mine = panel.locator(".msg.in")
    expect(mine.get_by_text("No se envió.")).to_be_visible()
    screenshots(page, "widget-failed")
    mine.get_by_role("button", name="Reintentar").click()
    expect(panel.locator(".msg.out").filter(has_text=closed)).to_be_visible(timeout=25_000)
    assert len(sends) == 2 and sends[0] == sends[1]  # the same client_message_id
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-state", "stored")
    screenshots(page, "widget-out-of-hours")


def test_an_admin_connects_the_chat_and_pastes_its_snippet(console, stack, shop):
    """The chat channel's connection page (kinds/chat.js): the sites allowed, then the
    snippet to paste, which works on the shop's page; the channel page changes the sites."""
    from tests.support.console import check_page, sign_in

    email = f"ana.{uuid.uuid4().hex[:8]}@losandes.example.com"
    token = stack.signup(email)["access_token"]
    page = console
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    sign_in(page, email)
    page.goto("/admin/channels/connect/chat")
    expect(page.get_by_role("heading", name="Conectar el chat de tu sitio web")).to_be_visible()

    page.get_by_label("Nombre que ven los visitantes").fill("Ferretería Los Andes")
    sites = page.get_by_label("Sitios permitidos")
    sites.fill("tienda de prueba")
    page.get_by_role("button", name="Conectar el chat").click()
    expect(
        page.get_by_text("Esto no es la dirección de un sitio: tienda de prueba.")
    ).to_be_visible()
    expect(sites).to_be_focused()
    check_page(page, "chat-connect")
    sites.fill(shop["origin"] + "/")  # typed loosely: the console keeps the origin
    page.get_by_role("button", name="Conectar el chat").click()
    expect(page.get_by_role("heading", name="Tu chat está listo")).to_be_visible()
    page.get_by_role("button", name="Copiar código").click()
    expect(page.get_by_role("button", name="Copiado")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").startswith("<script src=")
    snippet = page.get_by_label("Código del chat para pegar en tu sitio").inner_text()
    assert snippet.startswith(f'<script src="{stack.url}/widget.js" data-key="pk_')
    assert 'data-title="Ferretería Los Andes" async></script>' in snippet
    check_page(page, "chat-connected")

    [channel] = [c for c in stack.call("GET", "/v1/channels", token=token)["items"]
                 if c["type"] == "chat"]  # fmt: skip
    assert channel["identifiers"]["allowed_origins"] == [shop["origin"]]
    assert channel["identifiers"]["site_name"] == "Ferretería Los Andes"

    # the snippet, pasted as it is into the shop's page, shows the bubble there
    (shop["folder"] / "pasted.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>Tienda</title><p>Hola</p>{snippet}"
    )
    shop_page = page.context.new_page()
    shop_page.goto(f"{shop['origin']}/pasted.html")
    shop_page.get_by_role("button", name="Abrir el chat").click()
    # named before any session by the snippet's data-title
    expect(shop_page.get_by_role("dialog", name="Ferretería Los Andes")).to_be_visible()
    shop_page.close()

    # the channel page: the snippet, the key, and the sites, changed in place
    page.get_by_role("link", name="Ver el canal").click()
    expect(page.get_by_label("Clave pública")).to_have_text(channel["identifiers"]["public_key"])
    page.get_by_label("Sitios permitidos").fill(f"{shop['origin']}\nhttps://www.losandes.cl")
    page.get_by_role("button", name="Guardar los sitios").click()
    expect(page.get_by_text("Cambios guardados.")).to_be_visible()
    check_page(page, "chat-channel")
    again = stack.call("GET", f"/v1/channels/{channel['id']}", token=token)
    assert again["identifiers"]["allowed_origins"] == [shop["origin"], "https://www.losandes.cl"]
    assert again["identifiers"]["public_key"] == channel["identifiers"]["public_key"]
