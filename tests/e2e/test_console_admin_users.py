"""The account, establishment, users and agent-group pages (issue 13, items 1 and 2) in a
real browser against the local stack.

- An admin creates a user in the "Crear usuario" form (a role and only the optional
  permissions that role may carry); the invitation email lands in the stack's mail
  folder; the invited person opens its link in another browser, chooses a password and is
  signed in; the admin sees the invitation accepted, edits, deactivates (the person's
  sign-in is refused) and reactivates them, and reads it all in the user's history.
- The account page shows the summaries of seed 000, adds, edits and deletes a department
  in place, disconnects a channel after asking; the establishment page shows the API's
  field errors inline and keeps the fiscal data across a reload.
- An agent group is created with a member, renamed and deleted.
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
    new_person_email,
    refused,
    sign_in,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def owner(stack) -> dict:
    email = new_person_email("ana")
    return {"email": email, "token": stack.signup(email)["access_token"]}


def top(page) -> None:
    """Back to the top of the page, the header's notice closed, for whole-page screenshots."""
    close = page.locator(".header-notice__close")
    if close.count():
        close.click()
    page.evaluate("window.scrollTo(0, 0)")


def users_row(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_an_admin_invites_a_user_who_accepts_and_is_deactivated_and_reactivated(
    console, stack, owner, browser, browser_context_args
):
    page = console
    sign_in(page, owner["email"])
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Usuarios", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Administración")).to_contain_text(
        "Grupos de agentes"
    )
    expect(users_row(page, "Ana Pérez")).to_contain_text("Administrador")

    # --- the "Crear usuario" form: a role offers only its own optional permissions -----
    page.get_by_role("button", name="Crear usuario").click()
    dialog = page.get_by_role("dialog", name="Crear usuario")
    email = new_person_email("pedro")
    dialog.get_by_label("Nombre").fill("Pedro")
    dialog.get_by_label("Apellido").fill("Soto")
    dialog.get_by_label("Correo electrónico").fill(email)
    role = dialog.get_by_label("Rol")
    role.select_option(label="Supervisor")
    expect(dialog.get_by_label("Reportes de conversaciones")).to_be_visible()
    role.select_option(label="Analista")  # an export is a read: the reports' permissions
    analyst = dialog.get_by_role("group", name="Permisos opcionales")
    expect(analyst.get_by_role("checkbox")).to_have_count(2)
    role.select_option(label="Stakeholder")
    expect(dialog.get_by_role("group", name="Permisos opcionales")).to_have_count(0)
    role.select_option(label="Agente de conversaciones")
    permissions = dialog.get_by_role("group", name="Permisos opcionales")
    expect(permissions.get_by_role("checkbox")).to_have_count(3)
    expect(permissions).not_to_contain_text("Reportes de conversaciones")
    permissions.get_by_label("Transferencia de conversaciones").check()
    check_page(page, "admin-users-create")
    dialog.get_by_role("button", name="Crear usuario").click()
    expect(dialog).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text=f"Enviamos la invitación a {email}")
    ).to_be_visible()
    row = users_row(page, "Pedro Soto")
    expect(row).to_contain_text("Agente de conversaciones")
    expect(row).to_contain_text("+1 permisos opcionales")
    expect(row).to_contain_text("Pendiente")
    expect(row.get_by_role("button", name="Reenviar invitación a Pedro Soto")).to_be_visible()
    created = next(
        u
        for u in stack.call("GET", "/v1/users", token=owner["token"])["items"]
        if u["email"] == email
    )
    assert created["role"] == "agent" and created["permissions"] == ["transfer_conversations"]

    # the search keeps only who matches
    top(page)
    check_page(page, "admin-users")
    page.get_by_label("Buscar usuarios").fill("pedro")
    expect(
        page.get_by_role("main").get_by_role("link", name="Ana Pérez", exact=True)
    ).to_have_count(0)
    expect(users_row(page, "Pedro Soto")).to_be_visible()
    page.get_by_label("Buscar usuarios").fill("")

    # a new invitation replaces the first (whose link stops working)
    first_link = stack.link_in_mail(email, "/invitations/accept")
    row.get_by_role("button", name="Reenviar invitación a Pedro Soto").click()
    expect(
        page.get_by_role("status").filter(has_text=f"Enviamos una nueva invitación a {email}")
    ).to_be_visible()
    link = wait_for(
        "the second invitation",
        lambda: (found := stack.link_in_mail(email, "/invitations/accept")) != first_link and found,
    )

    # --- the invited person opens the emailed link in their own browser -----------------
    other = browser.new_context(**browser_context_args)
    try:
        invited = other.new_page()
        invited.goto(link.removeprefix(stack.url))
        invited.get_by_label("Contraseña nueva").fill(PASSWORD)
        invited.get_by_label("Repite la contraseña").fill(PASSWORD)
        invited.get_by_role("button", name="Activar mi cuenta").click()
        expect(invited.get_by_role("heading", name="Mesón de ayuda", level=1)).to_be_visible()
        expect(invited.get_by_role("banner")).to_contain_text("Pedro Soto")
    finally:
        other.close()

    page.reload()
    row = users_row(page, "Pedro Soto")
    expect(row).to_contain_text("Aceptada")
    expect(row.get_by_role("button", name=re.compile("Reenviar"))).to_have_count(0)

    # --- one user: edit, deactivate, reactivate, history -------------------------------
    row.get_by_role("link", name="Pedro Soto").click()
    expect(page.get_by_role("heading", name="Pedro Soto", level=1)).to_be_visible()
    data = page.get_by_role("region", name="Datos")
    expect(data.get_by_label("Transferencia de conversaciones")).to_be_checked()
    data.get_by_label("Apellido").fill("Soto Rivas")
    data.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("heading", name="Pedro Soto Rivas", level=1)).to_be_visible()

    access = page.get_by_role("region", name="Acceso")
    access.get_by_role("button", name="Desactivar").click()
    expect(access).to_contain_text("Desactivado")
    assert refused(
        stack, "POST", "/v1/auth/login", None, {"email": email, "password": PASSWORD}
    ) in (
        401,
        403,
    )
    access.get_by_role("button", name="Reactivar").click()
    expect(access).to_contain_text("Activo")
    history = page.get_by_role("region", name="Historial")
    for said in (
        "Creado e invitado",
        "Invitación aceptada",
        "Editado",
        "Desactivado",
        "Reactivado",
    ):
        expect(history).to_contain_text(said)
    expect(history).to_contain_text("Soto → Soto Rivas")
    expect(history).to_contain_text("por Ana Pérez")
    top(page)
    check_page(page, "admin-user")
    assert stack.call("POST", "/v1/auth/login", {"email": email, "password": PASSWORD})

    # --- delete, after asking ------------------------------------------------------------
    access.get_by_role("button", name="Eliminar usuario").click()
    confirm = page.get_by_role("dialog", name="¿Eliminar a Pedro Soto Rivas?")
    confirm.get_by_role("button", name="Eliminar usuario").click()
    expect(page.get_by_role("heading", name="Usuarios", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Pedro Soto Rivas")).to_have_count(0)


def test_the_account_page_summarises_and_edits_the_fiscal_data(console, stack, owner):
    token = owner["token"]
    phone = str(random.randint(10**14, 10**15 - 1))
    stack.connect_whatsapp(token, phone, name="Ventas WhatsApp")
    reply = stack.call(
        "POST", "/v1/quick-replies", {"shortcut": "saludo", "text": "¡Hola!"}, token=token
    )
    invite(stack, token, "Carla", "Rojas", "supervisor", accept=False)
    page = console
    sign_in(page, owner["email"])
    page.goto("/admin/account")
    expect(page.get_by_role("heading", name="Cuenta", level=1)).to_be_visible()

    establishment = page.get_by_role("region", name="Establecimiento")
    expect(establishment).to_contain_text("Ferretería Los Andes")
    expect(establishment).to_contain_text(owner["email"])
    expect(establishment).to_contain_text("America/Santiago")
    users = page.get_by_role("region", name="Usuarios")
    expect(users).to_contain_text("2 en total")
    expect(users.get_by_role("link", name="Carla Rojas")).to_have_attribute(
        "href", re.compile(r"^/admin/users/")
    )
    expect(users.get_by_role("link", name="Ver todos los usuarios")).to_have_attribute(
        "href", "/admin/users"
    )
    expect(users.get_by_role("button", name="Desactivar a Carla Rojas")).to_be_visible()
    expect(users.get_by_role("button", name="Desactivar a Ana Pérez")).to_have_count(0)  # oneself
    replies = page.get_by_role("region", name="Respuestas rápidas")
    expect(replies.get_by_role("link", name="Editar la respuesta rápida saludo")).to_have_attribute(
        "href", f"/admin/quick-replies?edit={reply['id']}"
    )
    top(page)
    check_page(page, "admin-account")

    # --- departments, in place --------------------------------------------------------------
    departments = page.get_by_role("region", name="Departamentos")
    expect(departments).to_contain_text("Todavía no hay departamentos")
    departments.get_by_role("button", name="Añadir departamento").click()
    dialog = page.get_by_role("dialog", name="Añadir departamento")
    dialog.get_by_label("Nombre").fill("Ventas")
    dialog.get_by_role("button", name="Añadir").click()
    expect(departments.get_by_role("button", name="Editar el departamento Ventas")).to_be_visible()
    expect(departments).to_contain_text("1 en total")
    departments.get_by_role("button", name="Editar el departamento Ventas").click()
    dialog = page.get_by_role("dialog", name="Editar departamento")
    dialog.get_by_label("Nombre").fill("Ventas mayoristas")
    dialog.get_by_role("button", name="Guardar").click()
    expect(
        departments.get_by_role("button", name="Editar el departamento Ventas mayoristas")
    ).to_be_visible()
    departments.get_by_role("button", name="Borrar el departamento Ventas mayoristas").click()
    page.get_by_role("dialog", name="¿Borrar el departamento Ventas mayoristas?").get_by_role(
        "button", name="Borrar"
    ).click()
    expect(departments).to_contain_text("Todavía no hay departamentos")

    # --- a channel disconnected after asking ---------------------------------------------------
    channels = page.get_by_role("region", name="Canales")
    channels.get_by_role("button", name="Desconectar Ventas WhatsApp").click()
    confirm = page.get_by_role("dialog", name="¿Desconectar Ventas WhatsApp?")
    confirm.get_by_role("button", name="Desconectar").click()
    expect(channels).to_contain_text("Desconectado")
    expect(channels.get_by_role("button", name="Desconectar Ventas WhatsApp")).to_have_count(0)

    # --- the establishment and its fiscal data ------------------------------------------------
    establishment.get_by_role("link", name="Editar el establecimiento").click()
    expect(page.get_by_role("heading", name="Establecimiento", level=1)).to_be_visible()
    page.get_by_label("Email del administrador").fill("no-es-un-correo")
    page.get_by_label("Razón social").fill("Ferretería Los Andes SpA")
    page.get_by_role("button", name="Guardar cambios").click()
    email_field = page.get_by_label("Email del administrador")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Escribe un correo válido")).to_be_visible()
    email_field.fill(owner["email"])
    page.get_by_label("Dirección", exact=True).fill("Av. Providencia 1234, Santiago")
    page.get_by_label("RUT / Tax ID").fill("76.123.456-0")
    page.get_by_label("Dirección de facturación").fill("Casilla 55, Santiago")
    page.get_by_label("Nombre", exact=True).fill("Ana")
    page.get_by_label("Apellido").fill("Pérez")
    page.get_by_label("Número de orden de compra").fill("OC-2024-118")
    page.get_by_label("Zona horaria").select_option("America/Sao_Paulo")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_role("status").filter(has_text="Se guardaron los datos")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Razón social")).to_have_value("Ferretería Los Andes SpA")
    expect(page.get_by_label("RUT / Tax ID")).to_have_value("76.123.456-0")
    expect(page.get_by_label("Número de orden de compra")).to_have_value("OC-2024-118")
    expect(page.get_by_label("Zona horaria")).to_have_value("America/Sao_Paulo")
    top(page)
    check_page(page, "admin-establishment")
    shown = stack.call("GET", "/v1/establishment", token=token)
    assert shown["fiscal"]["billing_address"] == "Casilla 55, Santiago"
    assert shown["address"] == "Av. Providencia 1234, Santiago"


def test_an_admin_creates_an_agent_group_with_a_member(console, stack, owner):
    invite(stack, owner["token"], "Pedro", "Soto", "agent", accept=False)
    invite(stack, owner["token"], "Luisa", "Vera", "agent", accept=False)
    page = console
    sign_in(page, owner["email"])
    page.goto("/admin/agent-groups")
    expect(page.get_by_role("heading", name="Grupos de agentes", level=1)).to_be_visible()
    expect(page.get_by_text("Todavía no hay grupos de agentes.")).to_be_visible()
    page.get_by_role("button", name="Crear grupo").first.click()
    dialog = page.get_by_role("dialog", name="Crear grupo de agentes")
    dialog.get_by_label("Nombre del grupo").fill("Soporte")
    dialog.get_by_label("Pedro Soto").check()
    expect(dialog).to_contain_text("Elegidos: 1")
    check_page(page, "admin-agent-groups-create")
    dialog.get_by_role("button", name="Crear grupo").click()
    expect(dialog).to_have_count(0)
    group = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Soporte"))
    expect(group.get_by_role("list", name="Agentes del grupo: 1")).to_contain_text("Pedro Soto")
    [saved] = stack.call("GET", "/v1/agent-groups", token=owner["token"])["items"]
    assert saved["name"] == "Soporte" and len(saved["members"]) == 1
    top(page)
    check_page(page, "admin-agent-groups")

    page.get_by_role("button", name="Editar el grupo Soporte").click()
    dialog = page.get_by_role("dialog", name="Editar grupo de agentes")
    dialog.get_by_label("Nombre del grupo").fill("Soporte técnico")
    dialog.get_by_label("Luisa Vera").check()
    dialog.get_by_role("button", name="Guardar").click()
    group = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Soporte técnico")
    )
    expect(group.get_by_role("list", name="Agentes del grupo: 2")).to_contain_text("Luisa Vera")

    page.get_by_role("button", name="Borrar el grupo Soporte técnico").click()
    page.get_by_role("dialog", name="¿Borrar el grupo Soporte técnico?").get_by_role(
        "button", name="Borrar"
    ).click()
    expect(page.get_by_text("Todavía no hay grupos de agentes.")).to_be_visible()


def test_a_supervisor_sees_the_users_but_changes_nothing(console, stack, owner):
    supervisor = invite(stack, owner["token"], "Carla", "Rojas", "supervisor")
    page = console
    sign_in(page, supervisor["email"])
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Usuarios", level=1)).to_be_visible()
    expect(users_row(page, "Ana Pérez")).to_contain_text("Administrador")
    expect(page.get_by_role("button", name="Crear usuario")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Administración")
    expect(nav.get_by_role("link", name="Cuenta")).to_have_count(0)
    expect(nav.get_by_role("link", name="Grupos de agentes")).to_have_count(0)
    users_row(page, "Carla Rojas").get_by_role("link", name="Carla Rojas").click()
    expect(page.get_by_role("heading", name="Carla Rojas", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Datos").get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Desactivar")).to_have_count(0)
    expect(page.get_by_role("region", name="Historial")).to_contain_text("Creado e invitado")
    for path in ("/admin/account", "/admin/establishment", "/admin/agent-groups"):
        page.goto(path)
        expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()


def test_an_expired_invitation_offers_to_send_it_again(console, stack, owner):
    """Seven days cannot pass in a test: the first read of the list is answered as the API
    answers once they have (``invitation_expired``); the resend and the reads after it are
    the stack's own."""
    person = invite(stack, owner["token"], "Pedro", "Soto", "agent", accept=False)
    page = console
    sign_in(page, owner["email"])
    aged = {"done": False}

    def seven_days_later(route):
        answer = route.fetch()
        body = answer.json()
        if not aged["done"]:
            aged["done"] = True
            for user in body["items"]:
                if user["id"] == person["id"]:
                    user["status"] = "invitation_expired"
                    user["invitation_expires_at"] = "2020-01-01T00:00:00Z"
        route.fulfill(response=answer, json=body)

    page.route(re.compile(r"/v1/users\?limit=100$"), seven_days_later)
    page.goto("/admin/users")
    row = users_row(page, "Pedro Soto")
    expect(row).to_contain_text("Vencida")
    row.get_by_role("button", name="Reenviar invitación a Pedro Soto").click()
    expect(
        page.get_by_role("status").filter(has_text="Enviamos una nueva invitación")
    ).to_be_visible()
    expect(row).to_contain_text("Pendiente")
    assert aged["done"]


def test_the_console_offers_each_role_the_optional_permissions_the_api_takes():
    """people.js copies PERMISSIONS_BY_ROLE: the create form must offer exactly those."""
    from pathlib import Path

    from chalicelib.domain.accounts.access import PERMISSIONS_BY_ROLE

    source = (
        Path(__file__).resolve().parents[2] / "web" / "src" / "admin" / "account" / "people.js"
    ).read_text(encoding="utf-8")
    block = source.split("export const OPTIONAL_PERMISSIONS = {", 1)[1].split("};", 1)[0]
    offered = {
        role: set(re.findall(r"'(\w+)'", names))
        for role, names in re.findall(r"(\w+): \[([^\]]*)\]", block)
    }
    assert offered == {role: set(names) for role, names in PERMISSIONS_BY_ROLE.items()}
