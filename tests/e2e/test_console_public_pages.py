"""The public pages (seed 001): the login page with the latest product updates, the full
history, the platform status, the languages; and how the front serves the console next to
the API on one origin, with its security headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.console import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_the_login_page_shows_the_latest_updates(console, stack):
    updates = stack.call("GET", "/v1/updates")
    newest = next(iter(updates[0]["changes"].values()))[0]
    page = console
    page.goto("/login")
    expect(page.get_by_role("heading", name="Ingresa a tu cuenta", level=1)).to_be_visible()
    news = page.get_by_role("complementary", name="Últimas actualizaciones")
    expect(news).to_contain_text(newest[:60])
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Recordar contraseña")).to_be_visible()
    footer = page.get_by_role("navigation", name="Enlaces de ayuda")
    expect(footer.get_by_role("link", name="Centro de ayuda")).to_have_attribute("href", "/docs")
    expect(footer.get_by_role("link", name="Estado de la plataforma")).to_be_visible()
    check_page(page, "login")

    news.get_by_role("link", name="Ver todas las novedades").click()
    expect(page.get_by_role("heading", name="Novedades de Atiende")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(len(updates))
    expect(page.get_by_role("article").first).to_contain_text(newest[:60])
    check_page(page, "updates")


def test_the_platform_status_page_shows_each_component(console, stack):
    page = console
    page.goto("/login")
    page.get_by_role("link", name="Estado de la plataforma").click()
    expect(page.get_by_role("heading", name="Estado de la plataforma", level=1)).to_be_visible()
    expect(page.get_by_text("Todos los sistemas funcionan con normalidad")).to_be_visible()
    components = page.get_by_role("list", name="Estado de la plataforma").get_by_role("listitem")
    expect(components).to_have_count(4)
    for name in ("Base de datos", "Colas de mensajes", "Archivos adjuntos", "Tareas programadas"):
        expect(components.filter(has_text=name)).to_contain_text("Operativo")
    check_page(page, "status")


def test_the_language_follows_the_choice_of_the_person(console):
    page = console
    page.goto("/login")
    page.get_by_label("Idioma").select_option("pt")
    expect(page.get_by_role("heading", name="Entre na sua conta")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    page.reload()  # the choice stays on this device
    expect(page.get_by_role("heading", name="Entre na sua conta")).to_be_visible()
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="Sign in to your account")).to_be_visible()
    page.get_by_label("Language").select_option("es")
    expect(page.get_by_role("heading", name="Ingresa a tu cuenta")).to_be_visible()


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_console_and_the_api_share_one_origin_with_security_headers(stack):
    status, headers, body = fetch(stack.url + "/")
    assert status == 200 and b'<div id="app">' in body
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    # Stripe.js, its card form (a frame) and its API, and nothing else of Stripe's
    assert "https://js.stripe.com" in csp and "frame-src https://js.stripe.com" in csp
    assert "https://api.stripe.com" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    # a console path is the console's own route, served the page
    for path in ("/login", "/password-reset?token=abc", "/tickets/12/anything"):
        status, headers, body = fetch(stack.url + path)
        assert status == 200 and b'<div id="app">' in body, path
    # the API keeps its paths, its own 404 included
    status, _, body = fetch(stack.url + "/v1/nothing/here")
    assert status == 404 and json.loads(body)["error"]["code"] == "no_route"
    status, headers, _ = fetch(stack.url + "/docs")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, _, _ = fetch(stack.url + "/assets/missing.js")
    assert status == 404
    status, headers, _ = fetch(stack.url + "/", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
