"""The help desk's settings pages in a real browser (issue 13, item 5): an admin writes a
quick reply with placeholders and a file and an agent's reply box offers it with "/";
departments, custom fields, tags and WhatsApp templates are created, edited and deleted;
a role without those permissions is offered none of the pages.
"""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    check_page,
    invite,
    new_person_email,
    sign_in,
    wait_for_ticket_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def company(stack) -> dict:
    """A company with a WhatsApp number (so its admin lands on the board, not the
    first-login modal)."""
    email = new_person_email("ana")
    token = stack.signup(email)["access_token"]
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(token, phone, name="Ventas")
    return {"email": email, "token": token, "phone": phone, "channel": channel}


def nav(page):
    return page.get_by_role("navigation", name="Administración")


def test_a_quick_reply_with_placeholders_and_a_file_is_offered_with_slash(console, stack, company):
    page = console
    wa_id = "569" + str(random.randint(10**7, 10**8 - 1))
    stack.whatsapp_messages(company["phone"], [(wa_id, "Rosa Fuentes", "Hola, ¿abren hoy?")])
    sign_in(page, company["email"])
    page.goto("/admin/quick-replies")
    expect(page.get_by_role("heading", name="Respuestas rápidas", level=1)).to_be_visible()
    expect(nav(page).get_by_role("link", name="Respuestas rápidas")).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("button", name="Nueva respuesta rápida").first.click()
    dialog = page.get_by_role("dialog", name="Nueva respuesta rápida")
    dialog.get_by_label("Atajo").fill("horario")
    text = dialog.get_by_label("Texto")
    text.fill("¡Hola ")
    dialog.get_by_role("button", name="Insertar Nombre del cliente").click()
    text.press("End")
    text.press_sequentially("! Soy ")
    dialog.get_by_role("button", name="Insertar Nombre del ejecutivo").click()
    text.press("End")
    text.press_sequentially(". Abrimos de 9 a 18 h.")
    expect(text).to_have_value(
        "¡Hola {{client.first_name}}! Soy {{agent.first_name}}. Abrimos de 9 a 18 h."
    )
    expect(dialog.get_by_text("¡Hola María! Soy Ana. Abrimos de 9 a 18 h.")).to_be_visible()
    dialog.locator("input[type=file]").set_input_files(
        {"name": "horarios.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(dialog.get_by_role("listitem").filter(has_text="horarios.pdf")).to_contain_text("Listo")
    check_page(page, "admin-quick-reply-editor")
    dialog.get_by_role("button", name="Crear respuesta").click()
    expect(dialog).to_be_hidden()
    row = page.get_by_role("row").filter(has_text="/horario")
    expect(row).to_contain_text("Abrimos de 9 a 18 h.")
    saved = stack.call("GET", "/v1/quick-replies?prefix=horario", token=company["token"])
    [reply] = saved["items"]
    assert reply["attachments"][0]["name"] == "horarios.pdf"
    check_page(page, "admin-quick-replies")

    # the search finds it by its text; nothing else matches
    page.get_by_label("Buscar por atajo o texto").fill("9 a 18")
    expect(page.get_by_role("row").filter(has_text="/horario")).to_be_visible()
    page.get_by_label("Buscar por atajo o texto").fill("zzz")
    expect(page.get_by_text("Nada coincide con tu búsqueda.")).to_be_visible()

    # an agent's reply box offers it with "/", placeholders filled
    number = wait_for_ticket_of(stack, company["token"], "Rosa Fuentes")
    page.goto(f"/tickets/{number}")
    box = page.get_by_label("Tu respuesta")
    box.press_sequentially("/hor")
    picker = page.get_by_role("listbox", name="Respuestas rápidas")
    expect(picker.get_by_role("option", name=re.compile("horario"))).to_contain_text(
        "¡Hola Rosa! Soy Ana."
    )

    # ?edit={id} (the account page's link) opens its editor; a change is saved
    page.goto(f"/admin/quick-replies?edit={reply['id']}")
    dialog = page.get_by_role("dialog", name="Editar /horario")
    dialog.get_by_label("Texto").fill("Abrimos de lunes a sábado, de 9 a 18 h.")
    dialog.get_by_role("button", name="Quitar horarios.pdf").click()
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/admin/quick-replies$"))
    expect(page.get_by_role("row").filter(has_text="/horario")).to_contain_text("lunes a sábado")
    edited = stack.call("GET", f"/v1/quick-replies/{reply['id']}", token=company["token"])
    assert edited["attachments"] == []

    page.get_by_role("button", name="Eliminar /horario").click()
    page.get_by_role("dialog", name="¿Eliminar /horario?").get_by_role(
        "button", name="Eliminar"
    ).click()
    expect(page.get_by_role("row").filter(has_text="/horario")).to_have_count(0)


def test_departments_are_added_edited_and_deleted(console, stack, company):
    page = console
    sign_in(page, company["email"])
    nav(page)  # the header's Administración link leads to the pages
    page.goto("/admin/departments")
    expect(page.get_by_role("heading", name="Departamentos", level=1)).to_be_visible()

    page.get_by_role("button", name="Añadir departamento").first.click()
    dialog = page.get_by_role("dialog", name="Nuevo departamento")
    dialog.get_by_role("button", name="Añadir departamento").click()
    expect(dialog.get_by_text("Completa este campo.")).to_be_visible()  # the name is required
    dialog.get_by_label("Nombre").fill("Despacho")
    dialog.get_by_label("Descripción (opcional)").fill("Envíos a domicilio y retiros en tienda")
    dialog.get_by_role("button", name="Añadir departamento").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text="Despacho")).to_contain_text(
        "Envíos a domicilio"
    )

    # the same name again is refused, next to the field
    page.get_by_role("button", name="Añadir departamento").first.click()
    dialog = page.get_by_role("dialog", name="Nuevo departamento")
    dialog.get_by_label("Nombre").fill("Despacho")
    dialog.get_by_role("button", name="Añadir departamento").click()
    expect(dialog.get_by_text("Ya existe uno con este valor.")).to_be_visible()
    dialog.get_by_role("button", name="Cancelar").click()

    page.get_by_role("button", name="Editar Despacho").click()
    dialog = page.get_by_role("dialog", name="Editar Despacho")
    dialog.get_by_label("Nombre").fill("Despacho y retiros")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Despacho y retiros", exact=True)).to_be_visible()
    check_page(page, "admin-departments")

    page.get_by_role("button", name="Eliminar Despacho y retiros").click()
    confirm = page.get_by_role("dialog", name="¿Eliminar el departamento Despacho y retiros?")
    confirm.get_by_role("button", name="Eliminar").click()
    expect(page.get_by_role("row").filter(has_text="Despacho y retiros")).to_have_count(0)
    names = [
        d["name"] for d in stack.call("GET", "/v1/departments", token=company["token"])["items"]
    ]
    assert "Despacho y retiros" not in names


def test_a_select_custom_field_for_tickets_is_created_with_its_options(console, stack, company):
    page = console
    sign_in(page, company["email"])
    page.goto("/admin/custom-fields")
    tickets = page.get_by_role("region", name="Campos de tickets")
    expect(tickets.get_by_text("Sin campos de tickets")).to_be_visible()
    check_page(page, "admin-custom-fields-empty")

    tickets.get_by_role("button", name="Nuevo campo de ticket").click()
    dialog = page.get_by_role("dialog", name="Nuevo campo de tickets")
    dialog.get_by_label("Nombre del campo").fill("Motivo de contacto")
    expect(dialog.get_by_label("Clave")).to_have_value("motivo_de_contacto")
    dialog.get_by_label("Tipo").select_option(label="Lista de opciones")
    dialog.get_by_label("Opción 1", exact=True).fill("Cambio")
    dialog.get_by_label("Opción 2", exact=True).fill("Garantía")
    dialog.get_by_label("Opción 2", exact=True).press("Enter")  # Enter adds the next option
    expect(dialog.get_by_label("Opción 3", exact=True)).to_be_focused()
    page.keyboard.type("Devolución")
    dialog.get_by_role("button", name="Bajar la opción 1").click()
    dialog.get_by_label("Obligatorio").check()
    check_page(page, "admin-custom-field-editor")
    dialog.get_by_role("button", name="Crear campo").click()
    expect(dialog).to_be_hidden()

    row = tickets.get_by_role("row").filter(has_text="Motivo de contacto")
    expect(row).to_contain_text("motivo_de_contacto")
    expect(row).to_contain_text("Garantía · Cambio · Devolución")
    expect(row).to_contain_text("Obligatorio")
    [field] = [
        f
        for f in stack.call("GET", "/v1/custom-fields", token=company["token"])["items"]
        if f["key"] == "motivo_de_contacto"
    ]
    assert field["applies_to"] == "ticket"
    assert field["type"] == "select" and field["required"] is True
    assert field["options"] == ["Garantía", "Cambio", "Devolución"]

    # a client field beside it; the key of a saved field cannot change
    clients = page.get_by_role("region", name="Campos de clientes")
    clients.get_by_role("button", name="Nuevo campo de cliente").click()
    dialog = page.get_by_role("dialog", name="Nuevo campo de clientes")
    dialog.get_by_label("Nombre del campo").fill("Sucursal preferida")
    dialog.get_by_role("button", name="Crear campo").click()
    expect(clients.get_by_role("row").filter(has_text="Sucursal preferida")).to_contain_text(
        "Texto"
    )
    clients.get_by_role("button", name="Editar el campo Sucursal preferida").click()
    dialog = page.get_by_role("dialog", name="Editar Sucursal preferida")
    expect(dialog.get_by_label("Clave")).to_have_attribute("readonly", "")
    dialog.get_by_label("Nombre del campo").fill("Sucursal")
    dialog.get_by_role("button", name="Guardar").click()
    expect(clients.get_by_role("button", name="Sucursal", exact=True)).to_be_visible()
    check_page(page, "admin-custom-fields")

    clients.get_by_role("button", name="Eliminar el campo Sucursal").click()
    page.get_by_role("dialog", name="¿Eliminar el campo Sucursal?").get_by_role(
        "button", name="Eliminar"
    ).click()
    expect(clients.get_by_text("Sin campos de clientes")).to_be_visible()


def test_tags_are_created_renamed_and_deleted(console, stack, company):
    page = console
    sign_in(page, company["email"])
    page.goto("/admin/tags")
    expect(page.get_by_role("heading", name="Etiquetas", level=1)).to_be_visible()
    for name in ("reclamo", "VIP"):
        page.get_by_role("button", name="Nueva etiqueta").first.click()
        dialog = page.get_by_role("dialog", name="Nueva etiqueta")
        dialog.get_by_label("Nombre").fill(name)
        dialog.get_by_label("Color #dc2626").check()
        dialog.get_by_role("button", name="Crear etiqueta").click()
        expect(dialog).to_be_hidden()
    tags = page.get_by_role("list", name="Etiquetas")
    expect(tags.get_by_role("listitem")).to_have_count(2)
    check_page(page, "admin-tags")

    tags.get_by_role("button", name="Renombrar reclamo").click()
    dialog = page.get_by_role("dialog", name="Editar la etiqueta reclamo")
    dialog.get_by_label("Nombre").fill("reclamo formal")
    dialog.get_by_label("Sin color").check()
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(tags.get_by_text("reclamo formal")).to_be_visible()
    [tag] = [
        t
        for t in stack.call("GET", "/v1/tags", token=company["token"])["items"]
        if t["name"] == "reclamo formal"
    ]
    assert tag["color"] is None

    tags.get_by_role("button", name="Eliminar VIP").click()
    page.get_by_role("dialog", name="¿Eliminar la etiqueta VIP?").get_by_role(
        "button", name="Eliminar"
    ).click()
    expect(tags.get_by_role("listitem")).to_have_count(1)


def test_a_whatsapp_template_is_written_viewed_and_deleted(console, stack, company):
    page = console
    sign_in(page, company["email"])
    page.goto("/admin/templates")
    expect(page.get_by_role("heading", name="Plantillas de WhatsApp", level=1)).to_be_visible()
    page.get_by_role("button", name="Nueva plantilla").first.click()
    dialog = page.get_by_role("dialog", name="Nueva plantilla")
    dialog.get_by_label("Nombre", exact=True).fill("pedido_listo")
    dialog.get_by_label("Idioma").select_option("es_CL")
    body = dialog.get_by_label("Texto")
    body.fill("Hola ")
    dialog.get_by_role("button", name="Añadir variable {{1}}").click()
    body.press("End")
    body.press_sequentially(", tu pedido ")
    dialog.get_by_role("button", name="Añadir variable {{2}}").click()
    body.press("End")
    body.press_sequentially(" está listo para retiro.")
    expect(dialog.get_by_text("Vista previa (variables: 2)")).to_be_visible()
    expect(dialog.get_by_label("Número de WhatsApp")).to_have_value(company["channel"]["id"])
    check_page(page, "admin-template-editor")
    dialog.get_by_role("button", name="Crear plantilla").click()
    expect(dialog).to_be_hidden()
    row = page.get_by_role("row").filter(has_text="pedido_listo")
    expect(row).to_contain_text("es_CL")
    expect(row).to_contain_text("Aprobada")
    expect(row).to_contain_text("Ventas")
    check_page(page, "admin-templates")

    page.get_by_role("button", name="Ver pedido_listo (es_CL)").click()
    view = page.get_by_role("dialog", name="pedido_listo")
    expect(view.get_by_text("Español (Chile) · es_CL")).to_be_visible()
    expect(view.locator("mark")).to_have_text(["{{1}}", "{{2}}"])
    view.get_by_role("button", name="Editar").click()
    dialog = page.get_by_role("dialog", name="Editar pedido_listo")
    dialog.get_by_label("Estado en Meta").select_option(label="En revisión")
    dialog.get_by_role("button", name="Guardar").click()
    expect(row).to_contain_text("En revisión")

    page.get_by_role("button", name="Eliminar pedido_listo (es_CL)").click()
    page.get_by_role("dialog", name="¿Eliminar pedido_listo (es_CL)?").get_by_role(
        "button", name="Eliminar"
    ).click()
    expect(page.get_by_text("Todavía no hay plantillas")).to_be_visible()


def test_an_agent_is_offered_none_of_these_pages(console, stack, company):
    page = console
    agent = invite(stack, company["token"], "Tomás", "Rojas", "agent")
    sign_in(page, agent["email"])
    page.goto("/admin/tags")
    expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()
    for name in ("Respuestas rápidas", "Departamentos", "Etiquetas", "Plantillas de WhatsApp"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
