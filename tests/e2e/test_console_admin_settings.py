"""A channel's settings and the assignment table in the browser (issue 13, items 3 and 4;
seed 001): an admin sets business hours so that now is out of hours and turns on the
"out of hours" auto-reply, which a client then receives; and turns on automatic
assignment for an invited agent, whose next ticket arrives to them, with the reason shown
on "Asignaciones"."""

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
    wait_for_ticket_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

OUT_OF_HOURS = "Hola, estamos fuera de horario. Te respondemos mañana desde las 9:00."


def company(stack) -> dict:
    email = new_person_email("ana")
    admin = stack.signup(email)["access_token"]
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(admin, phone)
    return {"email": email, "token": admin, "phone": phone, "channel": channel["id"]}


def test_out_of_hours_settings_are_kept_and_the_client_gets_the_auto_reply(console, stack):
    account = company(stack)
    today = datetime.now(ZoneInfo("America/Santiago")).date().isoformat()
    page = console
    sign_in(page, account["email"])
    page.goto(f"/admin/channels/{account['channel']}")
    expect(page.get_by_role("heading", name="Ventas", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Conectado").first).to_be_visible()

    # business hours: Monday to Friday 9 to 18 by default, Saturday 10 to 14, today a holiday
    hours = page.get_by_role("region", name="Horario de atención")
    hours.get_by_role("switch", name="Definir un horario de atención").check()
    expect(hours.get_by_label("Zona horaria")).to_have_value("America/Santiago")
    expect(hours.get_by_label("Lunes, tramo 1: desde")).to_have_value("09:00")
    hours.get_by_role("switch", name="Atender el Sábado").check()
    hours.get_by_label("Sábado, tramo 1: desde").fill("10:00")
    hours.get_by_label("Sábado, tramo 1: hasta").fill("14:00")
    hours.get_by_label("Fecha del feriado").fill(today)
    hours.get_by_role("button", name="Agregar feriado").click()
    expect(hours.get_by_text("Cambios sin guardar")).to_be_visible()
    hours.get_by_role("button", name="Guardar Horario de atención").click()
    expect(page.get_by_text("Horario de atención guardado.")).to_be_visible()
    expect(hours.get_by_text("Cambios sin guardar")).to_have_count(0)

    # a range that ends before it starts is refused next to its day, and nothing is sent
    hours.get_by_label("Martes, tramo 1: hasta").fill("08:00")
    hours.get_by_role("button", name="Guardar Horario de atención").click()
    expect(hours.get_by_text("Cada tramo debe terminar después de empezar")).to_be_visible()
    hours.get_by_role("button", name="Descartar cambios").click()
    expect(hours.get_by_label("Martes, tramo 1: hasta")).to_have_value("18:00")

    replies = page.get_by_role("region", name="Respuestas automáticas")
    replies.get_by_role("switch", name="Fuera de horario laboral").check()
    replies.get_by_role("button", name="Guardar Respuestas automáticas").click()
    expect(replies.get_by_text("Escribe el mensaje que se enviará.")).to_be_visible()
    replies.get_by_label("Mensaje fuera de horario").fill(OUT_OF_HOURS)
    replies.get_by_role("button", name="Guardar Respuestas automáticas").click()
    expect(page.get_by_text("Respuestas automáticas guardadas.")).to_be_visible()

    sla = page.get_by_role("region", name="Tiempos SLA")
    sla.get_by_label("Primera respuesta (minutos)").fill("30")
    sla.get_by_text("Minutos hábiles").click()
    sla.get_by_role("button", name="Guardar Tiempos SLA").click()
    expect(page.get_by_text("Tiempos SLA guardados.")).to_be_visible()

    # kept: read again after a reload
    page.reload()
    hours = page.get_by_role("region", name="Horario de atención")
    expect(hours.get_by_role("switch", name="Definir un horario de atención")).to_be_checked()
    expect(hours.get_by_label("Sábado, tramo 1: desde")).to_have_value("10:00")
    expect(hours.get_by_label("Sábado, tramo 1: hasta")).to_have_value("14:00")
    expect(hours.get_by_role("switch", name="Atender el Domingo")).not_to_be_checked()
    expect(hours.get_by_role("button", name=re.compile("^Quitar el feriado"))).to_have_count(1)
    replies = page.get_by_role("region", name="Respuestas automáticas")
    expect(replies.get_by_role("switch", name="Fuera de horario laboral")).to_be_checked()
    expect(replies.get_by_label("Mensaje fuera de horario")).to_have_value(OUT_OF_HOURS)
    expect(page.get_by_label("Primera respuesta (minutos)")).to_have_value("30")
    saved = stack.call("GET", f"/v1/channels/{account['channel']}", token=account["token"])
    assert saved["settings"]["business_hours"]["holidays"] == [today]
    assert saved["settings"]["business_hours"]["weekly"]["sat"] == [["10:00", "14:00"]]
    assert saved["settings"]["sla"] == {"first_response_minutes": 30, "resolution_minutes": None,
                                        "mode": "business"}  # fmt: skip
    check_page(page, "admin-channel")

    # a client writes today, a holiday: the out-of-hours reply goes out on the ticket
    stack.whatsapp_messages(account["phone"], [("56933333333", "Rosa Fuentes", "¿Abren hoy?")])
    number = wait_for_ticket_of(stack, account["token"], "Rosa Fuentes")

    def replied() -> bool:
        ticket = ticket_of(stack, account["token"], number) or {"messages": []}
        return any(
            m["direction"] == "out" and m["text"] == OUT_OF_HOURS for m in ticket["messages"]
        )

    wait_for("the out-of-hours auto-reply", replied, timeout=30)

    # "Desconectar" asks first, then the channel is disconnected and the list is shown
    page.get_by_role("button", name="Desconectar").click()
    dialog = page.get_by_role("dialog", name="¿Desconectar «Ventas»?")
    dialog.get_by_role("button", name="Desconectar").click()
    expect(page).to_have_url(re.compile(r"/admin/channels$"))
    gone = stack.call("GET", f"/v1/channels/{account['channel']}", token=account["token"])
    assert gone["status"] == "disconnected"


def test_an_agent_given_automatic_assignment_receives_the_next_ticket_and_sees_why(console, stack):
    account = company(stack)
    inbox = f"soporte.{random.randint(10**6, 10**7)}@losandes.example.com"
    stack.call("POST", "/v1/channels", {"type": "email", "name": "Soporte",
                                        "identifiers": {"address": inbox}}, token=account["token"])  # fmt: skip
    agent = invite(stack, account["token"], "Pedro", "Soto", "agent")
    page = console
    sign_in(page, account["email"])
    page.goto("/admin/assignments")
    expect(page.get_by_role("heading", name="Asignaciones", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Pedro Soto")
    expect(row.get_by_text("Desconectado")).to_be_visible()
    row.get_by_role("switch", name="Asignación automática para Pedro Soto").check()
    row.get_by_label("Ventas").check()
    expect(page.get_by_text("Tienes cambios sin guardar.")).to_be_visible()
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text("Asignaciones guardadas.")).to_be_visible()
    expect(page.get_by_text("Todos los cambios están guardados.")).to_be_visible()
    table = stack.call("GET", "/v1/assignments", token=account["token"])
    [pedro] = [a for a in table["agents"] if a["user_id"] == agent["id"]]
    assert pedro["auto_assign"] and pedro["channels"] == [account["channel"]]
    check_page(page, "admin-assignments")

    # the agent comes online; a new client writes on Ventas: the ticket is theirs
    stack.call("PUT", "/v1/me/presence", {"presence": "online"}, token=agent["token"])
    stack.whatsapp_messages(account["phone"], [("56944444444", "Jorge Díaz", "Hola")])
    number = wait_for_ticket_of(stack, account["token"], "Jorge Díaz")
    ticket = wait_for(
        "the ticket's assignee",
        lambda: (
            (found := ticket_of(stack, account["token"], number)) and found["assignee_id"] and found
        ),
    )
    assert ticket["assignee_id"] == agent["id"]

    page.reload()
    row = page.get_by_role("row").filter(has_text="Pedro Soto")
    expect(row.get_by_text("En línea")).to_be_visible()
    row.get_by_role("button", name="Últimos tickets de Pedro Soto y por qué le llegaron").click()
    recent = page.get_by_role("region", name="Últimos tickets de Pedro Soto")
    expect(recent.get_by_role("link", name=f"#{number}")).to_have_attribute(
        "href", f"/tickets/{number}"
    )
    expect(recent).to_contain_text(
        "Asignación automática al llegar: era el único ejecutivo disponible del canal."
    )
    check_page(page, "admin-assignments-recent")


def test_a_supervisor_reads_the_assignments_but_is_offered_no_change(console, stack):
    account = company(stack)
    supervisor = invite(stack, account["token"], "Marta", "Lagos", "supervisor")
    page = console
    sign_in(page, supervisor["email"])
    page.goto("/admin/assignments")
    expect(page.get_by_role("heading", name="Asignaciones", level=1)).to_be_visible()
    expect(page.get_by_text("solo un administrador puede cambiarla")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Marta Lagos")
    expect(row.get_by_text("Inactiva")).to_be_visible()
    expect(page.get_by_role("switch")).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Guardar", exact=True)).to_have_count(0)
    row.get_by_role("button", name="Últimos tickets de Marta Lagos y por qué le llegaron").click()
    expect(page.get_by_text("Todavía no tiene tickets asignados.")).to_be_visible()
    check_page(page, "admin-assignments-read-only")
    # a channel's settings are the admins' own
    page.goto(f"/admin/channels/{account['channel']}")
    expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()
