"""Navigation by role (issue 13, item 7) and every person's own page.

The header links "Administración" only for a role with an administration page; a page
the role may not open is never linked, and typing its address shows "No permitido".
Everyone reaches "Mi perfil" from their name: the SLA-breach emails and the password.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    PASSWORD,
    check_page,
    invite,
    new_person_email,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NEW_PASSWORD = "tres tristes tigres comen trigo"


def header(page):
    return page.get_by_role("banner")


def test_an_agent_is_never_linked_to_administration_and_typing_it_shows_not_allowed(stack, console):
    admin = stack.signup(new_person_email("admin"))["access_token"]
    agent = invite(stack, admin, "Pedro", "Soto", "agent")
    page = console
    sign_in(page, agent["email"])
    nav = header(page).get_by_role("navigation", name="Navegación principal")
    expect(nav.get_by_role("link", name="Mesón de ayuda")).to_be_visible()
    expect(nav.get_by_role("link", name="Administración")).to_have_count(0)
    for path in ("/admin/users", "/admin/channels", "/admin/account", "/admin/assignments"):
        page.goto(path)
        expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()
        expect(page.get_by_role("navigation", name="Administración")).to_have_count(0)
    check_page(page, "not-allowed")
    # their own page is theirs: reached from their name
    header(page).get_by_role("link", name="Pedro Soto").click()
    expect(page.get_by_role("heading", name="Mi perfil", level=1)).to_be_visible()
    expect(page.get_by_text(agent["email"])).to_be_visible()


def test_an_admin_finds_administration_in_the_header_and_changes_their_own_settings(stack, console):
    email = new_person_email("admin")
    stack.signup(email)
    page = console
    sign_in(page, email)
    # (a new admin without channels is first asked to connect one: the console fixture
    # answers "Ahora no")
    header(page).get_by_role("link", name="Administración").click()
    side = page.get_by_role("navigation", name="Administración")
    expect(side).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/"))
    header(page).get_by_role("link", name="Ana Pérez").click()
    expect(page.get_by_role("heading", name="Mi perfil", level=1)).to_be_visible()

    # the SLA-breach emails: saved at once, kept on reload
    box = page.get_by_role(
        "checkbox", name="Recibir un correo cuando un ticket mío incumple su SLA"
    )
    was = box.is_checked()
    box.click()
    expect(page.get_by_role("status").filter(has_text="Cambios guardados.")).to_be_visible()
    page.reload()
    box = page.get_by_role(
        "checkbox", name="Recibir un correo cuando un ticket mío incumple su SLA"
    )
    expect(box).to_be_checked(checked=not was)

    # the password: a wrong current one is said next to it; then changed, the session lives on
    part = page.get_by_role("region", name="Cambiar contraseña")
    part.get_by_label("Contraseña actual").fill("no es esta")
    part.get_by_label("Contraseña nueva").fill(NEW_PASSWORD)
    part.get_by_label("Repite la contraseña").fill(NEW_PASSWORD)
    part.get_by_role("button", name="Cambiar contraseña").click()
    expect(part.get_by_text("La contraseña actual no es correcta.")).to_be_visible()
    part.get_by_label("Contraseña actual").fill(PASSWORD)
    part.get_by_role("button", name="Cambiar contraseña").click()
    expect(part.get_by_text("Contraseña cambiada")).to_be_visible()
    check_page(page, "profile")
    page.reload()  # the renewed session's cookie still signs in
    expect(page.get_by_role("heading", name="Mi perfil", level=1)).to_be_visible()
    session = stack.call("POST", "/v1/auth/login", {"email": email, "password": NEW_PASSWORD})
    assert session["access_token"]
