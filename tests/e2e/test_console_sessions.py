"""Signing up, in and out of the console as a person does it, and the pages the emails
link to (seed 001, issue 12): the session's refresh token stays in its HttpOnly cookie."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.console import PASSWORD, check_page

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def new_email(who: str = "ana") -> str:
    return f"{who}.{uuid.uuid4().hex[:8]}@losandes.example.com"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(password)
    page.get_by_role("button", name="Ingresar").click()


def expect_board(
    page, name: str = "Ana Pérez", role: str = "Administrador", welcome: bool = False
) -> None:
    """On the board; ``welcome``: an admin's first login on this device, whose modal asks
    to connect a channel (test_console_board.py) and is closed here with Escape."""
    expect(page.get_by_role("heading", name="Mesón de ayuda", level=1)).to_be_visible()
    if welcome:
        dialog = page.get_by_role("dialog", name="Conecta tus canales")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    header = page.get_by_role("banner")
    expect(header).to_contain_text(name)
    expect(header).to_contain_text(role)
    expect(header.get_by_role("button", name="Cerrar sesión")).to_be_visible()


def refresh_cookie(page) -> dict:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "atiende_refresh"] or [None]
    return cookie


@pytest.mark.welcome
def test_a_newcomer_signs_up_and_lands_on_the_board(console, stack):
    page = console
    page.goto("/signup")
    expect(page.get_by_role("heading", name="Crea la cuenta de tu empresa")).to_be_visible()
    page.get_by_role("button", name="Crear cuenta").click()  # empty: every field says so
    expect(page.get_by_text("Completa este campo.").first).to_be_visible()
    check_page(page, "signup")

    page.get_by_label("Nombre de la empresa").fill("Ferretería Los Andes")
    page.get_by_label("Nombre", exact=True).fill("Ana")
    page.get_by_label("Apellido").fill("Pérez")
    page.get_by_label("Correo electrónico de trabajo").fill(new_email())
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    expect(page.get_by_label("Idioma de la empresa")).to_have_value("es")
    page.get_by_label("Zona horaria").select_option("America/Santiago")
    page.get_by_role("button", name="Crear cuenta").click()

    expect_board(page, welcome=True)
    expect(page).to_have_url(stack.url + "/")
    expect(page.get_by_role("banner")).to_contain_text("Ferretería Los Andes")
    expect(page.get_by_text("America/Santiago")).to_be_visible()
    # the refresh token is out of the page's reach: an HttpOnly cookie for /v1/auth only
    cookie = refresh_cookie(page)
    assert cookie is not None
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/v1/auth"
    assert "atiende_refresh" not in page.evaluate("document.cookie")
    check_page(page, "board")

    page.reload()  # the cookie signs the person in again, without the password
    expect_board(page)
    expect(page.get_by_role("dialog")).to_have_count(0)  # the welcome was closed


@pytest.mark.welcome
def test_log_out_and_log_in_again(console, stack):
    email = new_email()
    stack.signup(email)
    page = console
    page.goto("/")
    expect(page).to_have_url(stack.url + "/login")  # nobody is signed in yet

    sign_in(page, email, "not the password at all")
    expect(page.get_by_role("alert")).to_have_text("El correo o la contraseña no son correctos.")
    sign_in(page, email)
    expect_board(page, welcome=True)

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Ingresa a tu cuenta")).to_be_visible()
    expect(page).to_have_url(stack.url + "/login")
    assert refresh_cookie(page) is None  # the logout cleared it
    page.goto("/")
    expect(page).to_have_url(stack.url + "/login")

    # the keyboard alone signs in: email, password, Enter
    page.get_by_label("Correo electrónico").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect_board(page)


@pytest.mark.welcome
def test_reset_a_password_from_the_emailed_link(console, stack):
    email = new_email()
    stack.signup(email)
    page = console
    page.goto("/login")
    page.get_by_role("link", name="Recordar contraseña").click()
    expect(page.get_by_role("heading", name="Recordar contraseña")).to_be_visible()
    check_page(page, "forgot-password")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_role("button", name="Enviar enlace").click()
    expect(page.get_by_role("status")).to_contain_text("Revisa tu correo")

    link = stack.link_in_mail(email, "/password-reset")
    page.goto(link.removeprefix(stack.url))
    expect(page.get_by_role("heading", name="Elige una contraseña nueva")).to_be_visible()
    page.get_by_label("Contraseña nueva").fill("corta")
    page.get_by_label("Repite la contraseña").fill("corta")
    page.get_by_role("button", name="Guardar y entrar").click()
    expect(page.get_by_text("Debe tener al menos 10 caracteres.")).to_be_visible()
    check_page(page, "password-reset")

    new_password = "una frase nueva y larga"
    page.get_by_label("Contraseña nueva").fill(new_password)
    page.get_by_label("Repite la contraseña").fill(new_password)
    page.get_by_role("button", name="Guardar y entrar").click()
    expect_board(page, welcome=True)

    page.get_by_role("button", name="Cerrar sesión").click()
    sign_in(page, email, new_password)
    expect_board(page)
    page.goto(link.removeprefix(stack.url))  # the link works once
    page.get_by_label("Contraseña nueva").fill("otra frase más larga")
    page.get_by_label("Repite la contraseña").fill("otra frase más larga")
    page.get_by_role("button", name="Guardar y entrar").click()
    expect(page.get_by_role("alert")).to_contain_text("Este enlace ya se usó.")


def test_an_invited_agent_joins_from_the_emailed_link(console, stack):
    admin = stack.signup(new_email())
    agent = new_email("pedro")
    stack.call(
        "POST",
        "/v1/users",
        {"first_name": "Pedro", "last_name": "Soto", "email": agent, "role": "agent"},
        token=admin["access_token"],
    )
    link = stack.link_in_mail(agent, "/invitations/accept")
    page = console
    page.goto(link.removeprefix(stack.url))
    expect(page.get_by_role("heading", name="Únete a tu equipo en Atiende")).to_be_visible()
    check_page(page, "invitation")
    page.get_by_label("Contraseña nueva").fill(PASSWORD)
    page.get_by_label("Repite la contraseña").fill(PASSWORD + " distinta")
    page.get_by_role("button", name="Activar mi cuenta").click()
    expect(page.get_by_text("Las contraseñas no coinciden.")).to_be_visible()
    page.get_by_label("Repite la contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Activar mi cuenta").click()
    expect_board(page, name="Pedro Soto", role="Ejecutivo")


@pytest.mark.welcome
def test_the_session_renews_itself_before_the_access_token_expires(console, stack):
    email = new_email()
    stack.signup(email)
    page = console
    page.clock.install()  # the page's timers, moved by hand
    page.goto("/login")
    sign_in(page, email)
    expect_board(page, welcome=True)
    before = refresh_cookie(page)["value"]
    with page.expect_response(
        lambda r: r.url.endswith("/v1/auth/refresh") and r.request.method == "POST"
    ) as renewal:
        page.clock.fast_forward("14:30")  # the access token lasts 15 minutes
    assert renewal.value.status == 200
    assert "refresh_token" in renewal.value.json() and not renewal.value.json()["refresh_token"]
    assert refresh_cookie(page)["value"] != before  # rotated, still out of the page's reach
    page.get_by_role("button", name="Cerrar sesión").click()  # with the new access token
    expect(page.get_by_role("heading", name="Ingresa a tu cuenta")).to_be_visible()
    assert refresh_cookie(page) is None
