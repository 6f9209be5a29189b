"""A newcomer runs their company from the browser alone (issue 13, "Done when"): signs up,
connects a Facebook page through the (fake Graph's) Facebook Login and a chat for their
site, invites an agent who accepts from the emailed link, gives them the chat through
"Asignaciones"; a visitor writes in the widget on the shop's own site (another origin)
and the agent, told by the bell, answers in the ticket view; the visitor reads it live.
Then business hours with today as a holiday make the next visitor read the "out of
hours" auto-reply in the widget (item 8). No API call is made by the test itself, except
to read where the emailed link points.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.console import PASSWORD, SHOP

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

OUT_OF_HOURS = "Hoy estamos cerrados por feriado. Te respondemos mañana a primera hora."


def open_chat(page, url: str, name: str, email: str, text: str):
    """A visitor on the shop's page opens the bubble, introduces themselves and writes."""
    page.goto(url)
    page.get_by_role("button", name="Abrir el chat").click()
    panel = page.get_by_role("dialog", name="Ferretería Los Andes")
    panel.get_by_label("Nombre").fill(name)
    panel.get_by_label("Correo electrónico").fill(email)
    panel.get_by_role("button", name="Empezar a chatear").click()
    panel.get_by_label("Tu mensaje").fill(text)
    panel.get_by_label("Tu mensaje").press("Enter")
    expect(panel.get_by_text(text)).to_be_visible()
    return panel


@pytest.mark.welcome
def test_a_newcomer_sets_up_the_account_and_an_agent_answers_a_widget_visitor_live(
    console, stack, shop, browser, browser_context_args
):
    page = console
    email = f"ana.{uuid.uuid4().hex[:8]}@losandes.example.com"

    # --- sign up --------------------------------------------------------------------------
    page.goto("/signup")
    page.get_by_label("Nombre de la empresa").fill("Ferretería Los Andes")
    page.get_by_label("Nombre", exact=True).fill("Ana")
    page.get_by_label("Apellido").fill("Pérez")
    page.get_by_label("Correo electrónico de trabajo").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Crear cuenta").click()
    welcome = page.get_by_role("dialog", name="Conecta tus canales")

    # --- Facebook, from the first-login dialog, through Facebook Login ----------------
    welcome.get_by_role("link", name="Conectar Facebook", exact=True).click()
    page.get_by_role("button", name="Conectar con Facebook").click()
    page.get_by_role("link", name="Continuar como Ana (fake Facebook)").click()
    pages = page.get_by_role("group", name="Selecciona la página que quieres añadir")
    pages.get_by_role("radio", name=re.compile("Librería Sur")).check()
    page.get_by_role("button", name="Añadir").click()
    expect(page).to_have_url(re.compile(r"/admin/channels/[0-9a-z]{20,}$"))

    # --- the chat for the shop's site -------------------------------------------------
    page.get_by_role("navigation", name="Administración").get_by_role(
        "link", name="Canales"
    ).click()
    page.get_by_role("region", name="Conectar canal").get_by_role(
        "link", name=re.compile("^Chat web")
    ).click()
    page.get_by_label("Nombre del canal").fill("Chat de la tienda")
    page.get_by_label("Nombre que ven los visitantes").fill("Ferretería Los Andes")
    page.get_by_label("Sitios permitidos").fill(shop["origin"])
    page.get_by_role("button", name="Conectar el chat").click()
    snippet = page.get_by_label("Código del chat para pegar en tu sitio").inner_text()
    (shop["folder"] / "shop.html").write_text(
        SHOP.replace(
            '<script src="%(atiende)s/widget.js" data-key="%(key)s" async></script>', snippet
        )
    )
    page.goto("/admin/channels")
    expect(page.get_by_role("row", name=re.compile("Librería Sur"))).to_contain_text("Conectado")

    # --- an agent, invited in the browser, accepts from the emailed link -----------------
    page.get_by_role("navigation", name="Administración").get_by_role(
        "link", name="Usuarios"
    ).click()
    page.get_by_role("button", name="Crear usuario").click()
    dialog = page.get_by_role("dialog", name="Crear usuario")
    agent_email = f"pedro.{uuid.uuid4().hex[:8]}@losandes.example.com"
    dialog.get_by_label("Nombre").fill("Pedro")
    dialog.get_by_label("Apellido").fill("Soto")
    dialog.get_by_label("Correo electrónico").fill(agent_email)
    dialog.get_by_label("Rol").select_option(label="Agente de conversaciones")
    dialog.get_by_role("button", name="Crear usuario").click()
    expect(dialog).to_have_count(0)
    link = stack.link_in_mail(agent_email, "/invitations/accept")
    agent_context = browser.new_context(**browser_context_args)
    visitors = browser.new_context(**{**browser_context_args, "base_url": shop["origin"]})
    try:
        agent = agent_context.new_page()
        agent.goto(link.removeprefix(stack.url))
        agent.get_by_label("Contraseña nueva").fill(PASSWORD)
        agent.get_by_label("Repite la contraseña").fill(PASSWORD)
        agent.get_by_role("button", name="Activar mi cuenta").click()
        expect(agent.get_by_role("heading", name="Mesón de ayuda", level=1)).to_be_visible()
        agent.get_by_role("button", name=re.compile("^Tu estado")).click()
        agent.get_by_role("menuitemradio", name=re.compile("^En línea")).click()

        # --- "Asignaciones": Pedro takes the chat's new tickets -------------------------
        page.get_by_role("navigation", name="Administración").get_by_role(
            "link", name="Asignaciones"
        ).click()
        row = page.get_by_role("row").filter(has_text="Pedro Soto")
        expect(row.get_by_text("En línea")).to_be_visible()
        row.get_by_role("switch", name="Asignación automática para Pedro Soto").check()
        row.get_by_label("Chat de la tienda").check()
        page.get_by_role("button", name="Guardar", exact=True).click()
        expect(page.get_by_text("Asignaciones guardadas.")).to_be_visible()

        # --- a visitor writes on the shop's site; Pedro answers; the visitor reads it ----
        shopper = visitors.new_page()
        panel = open_chat(
            shopper, "/shop.html", "Camila Rojas", "camila@example.org", "¿Tienen taladros?"
        )
        bell = agent.get_by_role("button", name="Notificaciones, 1 sin leer")
        expect(bell).to_be_visible(timeout=30_000)
        bell.click()
        agent.get_by_role("dialog", name="Notificaciones").get_by_role("listitem").get_by_role(
            "button"
        ).click()
        expect(agent.get_by_text("¿Tienen taladros?")).to_be_visible()
        agent.get_by_label("Tu respuesta").fill("¡Hola Camila! Sí, el de 750 W está en oferta.")
        agent.get_by_role("button", name="Enviar mensaje").click()
        expect(panel.get_by_text("¡Hola Camila! Sí, el de 750 W está en oferta.")).to_be_visible(
            timeout=30_000
        )

        # --- business hours: today a holiday; the next visitor reads the auto-reply ------
        page.goto("/admin/channels")
        page.get_by_role("link", name="Chat de la tienda").click()
        hours = page.get_by_role("region", name="Horario de atención")
        hours.get_by_role("switch", name="Definir un horario de atención").check()
        today = datetime.now(ZoneInfo("America/Santiago")).date().isoformat()
        hours.get_by_label("Fecha del feriado").fill(today)
        hours.get_by_role("button", name="Agregar feriado").click()
        hours.get_by_role("button", name="Guardar Horario de atención").click()
        expect(page.get_by_text("Horario de atención guardado.")).to_be_visible()
        replies = page.get_by_role("region", name="Respuestas automáticas")
        replies.get_by_role("switch", name="Fuera de horario laboral").check()
        replies.get_by_label("Mensaje fuera de horario").fill(OUT_OF_HOURS)
        replies.get_by_role("button", name="Guardar Respuestas automáticas").click()
        expect(page.get_by_text("Respuestas automáticas guardadas.")).to_be_visible()

        later = browser.new_context(**{**browser_context_args, "base_url": shop["origin"]})
        try:
            other = open_chat(
                later.new_page(), "/shop.html", "Jorge Díaz", "jorge@example.org", "¿Abren hoy?"
            )
            expect(other.get_by_text(OUT_OF_HOURS)).to_be_visible(timeout=30_000)
        finally:
            later.close()
    finally:
        visitors.close()
        agent_context.close()
