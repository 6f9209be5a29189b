"""The analytics area in a real browser (issue 16; docs/analytics.md, docs/console.md
"Analítica"): an admin reads the day's numbers, an analyst lands on them and may not
export without the permission, a supervisor watches the monitoring table refresh, and a
conversations report is generated and downloaded.

The world is built through the API, as a company would: an admin signs up, connects a
WhatsApp number, two clients write (tickets 1 and 2), people of the team answer. The
counters are kept by the table's stream, so each test waits for the API's summary or
monitoring table to show the activity before the browser looks at it.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.support.console import (
    check_page,
    invite,
    new_person_email,
    refused,
    sign_in,
    ticket_of,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def company(stack) -> dict:
    """A company on a plan with room for its team, a WhatsApp number "Ventas" and two
    clients' tickets (1 and 2)."""
    email = new_person_email("ana")
    admin = stack.signup(email)["access_token"]
    stack.on_plan(admin, "pro")
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(admin, phone)
    stack.whatsapp_messages(
        phone,
        [
            ("56922223333", "Camila Fuentes", "Hola, quiero 2 poleras"),
            ("56944445555", "Tomás Ibáñez", "¿Tienen taladros?"),
        ],
    )
    wait_for("tickets 1 and 2", lambda: ticket_of(stack, admin, 2) and ticket_of(stack, admin, 1))
    return {"email": email, "token": admin, "channel": channel}


def summary_shows(stack, token: str, messages_in: int, messages_out: int) -> dict | None:
    """Today's summary once the counters hold the messages (the stream counts them)."""
    found = stack.call("GET", "/v1/analytics/summary", token=token)
    messages = found["total"]["messages"]
    return found if messages["in"] >= messages_in and messages["out"] >= messages_out else None


def kpi(page, label: str):
    """The value of the key figure called ``label`` ("Mensajes recibidos")."""
    card = page.get_by_role("listitem").filter(has=page.get_by_text(label, exact=True))
    return card.locator(".an-kpi__value")


def test_an_admin_reads_the_days_messages_tickets_and_first_response(console, stack, company):
    admin = company["token"]
    stack.call("POST", "/v1/tickets/1/messages", {"text": "¡Hola Camila! Sí, hay tallas S a XL."},
               token=admin)  # fmt: skip
    wait_for("the counters", lambda: summary_shows(stack, admin, 2, 1))
    page = console
    sign_in(page, company["email"])

    page.get_by_role("banner").get_by_role("link", name="Analítica").click()
    expect(page.get_by_role("heading", name="Analítica", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Últimos 7 días")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(kpi(page, "Mensajes recibidos")).to_have_text("2")
    expect(kpi(page, "Mensajes enviados")).to_have_text("1")
    expect(kpi(page, "Tickets abiertos")).to_have_text("2")
    expect(kpi(page, "Tickets cerrados")).to_have_text("0")
    first = page.get_by_role("listitem").filter(has_text="Primera respuesta (media)")
    expect(first).to_contain_text("1 ticket")
    expect(first.locator(".an-kpi__value")).to_have_text(re.compile(r"^(< 1 s|\d+ (s|min))"))
    expect(page.get_by_text(re.compile(r"error relativo es como máximo de ±19 %"))).to_be_visible()
    # the daily chart says what it draws, and its numbers are in a table for screen readers
    chart = page.get_by_role(
        "img", name=re.compile(r"^Mensajes por día .*2 recibidos y 1 enviados")
    )
    expect(chart).to_be_visible()
    days = page.get_by_role("table", name="Mensajes por día", include_hidden=True)
    expect(days.get_by_role("row", include_hidden=True)).to_have_count(8)  # a head and 7 days
    expect(
        page.get_by_role("img", name=re.compile(r"^Primera respuesta \(media\): 1 ticket,"))
    ).to_be_visible()
    check_page(page, "analytics-summary")

    # business hours: the same tickets, the other clock (no hours set: the same times)
    page.get_by_text("Horario hábil", exact=True).click()
    expect(page.get_by_role("heading", name="Tiempos en horario hábil")).to_be_visible()
    assert "clock=business" in page.url
    # one channel, then today only: the address keeps both, so a reload shows the same
    page.get_by_label("Ver", exact=True).select_option(label="Ventas · WhatsApp")
    expect(page.locator(".an-caption")).to_contain_text("Ventas · WhatsApp")
    page.get_by_role("button", name="Hoy").click()
    expect(page.get_by_role("button", name="Hoy")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(kpi(page, "Mensajes recibidos")).to_have_text("2")
    expect(page.get_by_role("table", name="Mensajes por día", include_hidden=True)
           .get_by_role("row", include_hidden=True)).to_have_count(2)  # fmt: skip
    # a reversed range is said so, and not asked for
    page.get_by_label("Desde").fill("2099-01-01")
    expect(page.get_by_text("El día de inicio va antes del día final.")).to_be_visible()


def test_an_analyst_lands_on_analytics_and_cannot_generate_a_report(console, stack, company):
    admin = company["token"]
    analyst = invite(stack, admin, "Laura", "Méndez", "analyst")
    supervisor = invite(stack, admin, "Rosa", "Díaz", "supervisor")
    agent = invite(stack, admin, "Pedro", "Soto", "agent")
    made = {"kind": "conversations", "format": "csv", "from": "2026-12-01", "to": "2026-12-05"}
    stack.call("POST", "/v1/reports", made, token=admin)  # the admin's, for the team to read
    page = console

    # an analyst starts on "Analítica", reads it, and sees the reports without "Generar"
    sign_in(page, analyst["email"], landing="Analítica")
    assert page.url.endswith("/analytics")
    expect(kpi(page, "Mensajes recibidos")).to_have_text(re.compile(r"^\d+$"))
    tabs = page.get_by_role("navigation", name="Analítica")
    expect(tabs.get_by_role("link")).to_have_text(["Resumen", "Monitoreo", "Reportes"])
    tabs.get_by_role("link", name="Reportes").click()
    expect(page.get_by_role("heading", name="Reportes", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"pide a un administrador el permiso"))).to_be_visible()
    expect(page.get_by_role("button", name="Generar")).to_have_count(0)
    theirs = page.get_by_role("region", name="Reportes generados").get_by_role("row")
    expect(theirs.filter(has_text="Conversaciones")).to_contain_text("Ana Pérez")
    check_page(page, "analytics-reports-read-only")
    page.get_by_role("banner").get_by_role("button", name="Cerrar sesión").click()

    # a supervisor watches the team: "Monitoreo" only; the summary's address is refused
    sign_in(page, supervisor["email"])
    page.get_by_role("banner").get_by_role("link", name="Analítica").click()
    expect(page.get_by_role("heading", name="Monitoreo", level=1)).to_be_visible()
    page.goto("/analytics")
    expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()
    assert refused(stack, "GET", "/v1/analytics/summary", supervisor["token"]) == 403
    page.get_by_role("banner").get_by_role("button", name="Cerrar sesión").click()

    # an agent has no analytics at all
    sign_in(page, agent["email"])
    expect(page.get_by_role("banner").get_by_role("link", name="Analítica")).to_have_count(0)
    page.goto("/analytics/agents")
    expect(page.get_by_role("heading", name="No permitido", level=1)).to_be_visible()

    # and the API agrees: the analyst may not export without the permission
    assert refused(stack, "POST", "/v1/reports", analyst["token"], made) == 403


def replies_today(stack, token: str, user_id: str, replies: int) -> bool:
    table = stack.call("GET", "/v1/analytics/agents", token=token)
    return any(r["user_id"] == user_id and r["replies_today"] >= replies for r in table["agents"])


def test_the_monitoring_table_lists_an_agent_with_todays_replies_and_refreshes(
    console, stack, company
):
    admin = company["token"]
    agent = invite(stack, admin, "Pedro", "Soto", "agent")
    supervisor = invite(stack, admin, "Rosa", "Díaz", "supervisor")
    for number in (1, 2):
        stack.call("PUT", f"/v1/tickets/{number}/assignee", {"user_id": agent["id"]}, token=admin)
    stack.call("POST", "/v1/tickets/1/messages", {"text": "Hola Camila, te ayudo."},
               token=agent["token"])  # fmt: skip
    wait_for("Pedro's reply", lambda: replies_today(stack, admin, agent["id"], 1))
    page = console
    sign_in(page, supervisor["email"])
    page.goto("/analytics/agents")
    expect(page.get_by_role("heading", name="Monitoreo", level=1)).to_be_visible()
    pedro = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("Pedro Soto"))
    )
    expect(pedro.get_by_role("cell").nth(1)).to_have_text(re.compile(r"^[12]$"))  # open tickets
    expect(pedro.get_by_role("cell").nth(2)).to_have_text("1")  # replies today
    expect(pedro.get_by_role("cell").nth(3)).to_contain_text("(1 ticket)")  # first response

    # sorted by replies, most first: Pedro leads
    page.get_by_role("button", name=re.compile("^Respuestas hoy")).click()
    header = page.get_by_role("columnheader", name=re.compile("^Respuestas hoy"))
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("rowheader").first).to_contain_text("Pedro Soto")
    check_page(page, "analytics-monitor")

    # he answers the other client: the open table shows it at its next read (every 15 s)
    stack.call("POST", "/v1/tickets/2/messages", {"text": "Hola Tomás, sí tenemos."},
               token=agent["token"])  # fmt: skip
    expect(pedro.get_by_role("cell").nth(2)).to_have_text("2", timeout=45_000)


def test_a_conversations_report_is_generated_and_downloaded_as_csv(console, stack, company):
    admin = company["token"]
    page = console
    page.clock.install()  # the page's time runs as usual until the test moves it on
    sign_in(page, company["email"])
    page.goto("/analytics/reports")
    expect(page.get_by_role("heading", name="Reportes", level=1)).to_be_visible()
    form = page.get_by_role("region", name="Nuevo reporte")
    expect(form.get_by_label("Tipo")).to_have_value("conversations")
    expect(form.get_by_label("CSV")).to_be_checked()
    form.get_by_label("Estado").select_option(label="Abierto")
    check_page(page, "analytics-reports-form")
    form.get_by_role("button", name="Generar").click()

    listed = page.get_by_role("region", name="Reportes generados")
    row = listed.get_by_role("row").filter(has_text="Conversaciones")
    expect(row).to_contain_text("Abierto")
    expect(row).to_contain_text(re.compile(r"Listo · \d+ filas"), timeout=60_000)
    check_page(page, "analytics-reports")
    link = row.get_by_role("link", name="Descargar el reporte de Conversaciones (CSV)")
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"conversaciones-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv",
                        download.value.suggested_filename)  # fmt: skip
    saved = download.value.path()
    with open(saved, "rb") as file:
        content = file.read()
    assert content.startswith(b"\xef\xbb\xbf"), content[:20]  # UTF-8 with a BOM
    lines = content[3:].decode("utf-8").split("\r\n")
    assert lines[0].count(",") >= 10, lines[0]  # the header row
    assert any("Camila Fuentes" in line for line in lines[1:]), lines
    # eleven minutes later the address (it lasts 15) is asked for again on the click
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/v1/reports/" in r.url else None)
    page.clock.fast_forward("11:00")
    with page.expect_download() as again:
        link.click()
    assert again.value.suggested_filename == download.value.suggested_filename
    assert asked, "the old address was used"
    # the API made it for the admin, done, with both tickets of today
    made = stack.call("GET", "/v1/reports", token=admin)["items"]
    assert made[0]["state"] == "done" and made[0]["kind"] == "conversations"


def test_after_a_day_of_work_the_dashboard_shows_it_and_both_reports_download(
    console, stack, company
):
    """The day: two clients, an answer, an order with a payment. The dashboard shows the
    day's numbers; the conversations report (XLSX) and the payments report (CSV) are
    generated and downloaded, and say what the dashboard says."""
    admin = company["token"]
    stack.call("POST", "/v1/tickets/1/messages", {"text": "¡Hola Camila! Te preparo el pedido."},
               token=admin)  # fmt: skip
    stack.call("POST", "/v1/tickets/1/orders", {"currency": "CLP", "lines": [
        {"description": "Polera talla M", "quantity": 2, "unit_price": 9990}]}, token=admin)  # fmt: skip
    stack.call("POST", "/v1/orders/1/payments", {"amount": 19980, "method": "transfer",
               "paid_on": "2026-12-05"}, token=admin)  # fmt: skip

    def counted() -> dict | None:
        found = summary_shows(stack, admin, 2, 1)
        return found if found and found["total"]["payments"]["recorded"] == 1 else None

    wait_for("the day's counters", counted)
    page = console
    sign_in(page, company["email"])
    page.goto("/analytics")
    expect(kpi(page, "Mensajes recibidos")).to_have_text("2")
    expect(kpi(page, "Tickets abiertos")).to_have_text("2")

    page.goto("/analytics/reports")
    form = page.get_by_role("region", name="Nuevo reporte")
    listed = page.get_by_role("region", name="Reportes generados")
    downloads = {}
    for kind, file_format in (("Conversaciones", "XLSX"), ("Pagos", "CSV")):
        form.get_by_label("Tipo").select_option(label=kind)
        form.get_by_label(file_format).check()
        form.get_by_role("button", name="Generar").click()
        row = listed.get_by_role("row").filter(has_text=kind).first
        expect(row).to_contain_text(re.compile(r"Listo · \d+ filas?"), timeout=60_000)
        with page.expect_download() as download:
            row.get_by_role("link", name=f"Descargar el reporte de {kind} ({file_format})").click()
        with open(download.value.path(), "rb") as file:
            downloads[kind] = (download.value.suggested_filename, file.read())
    check_page(page, "analytics-reports-both")

    name, book = downloads["Conversaciones"]
    assert name.endswith(".xlsx") and book.startswith(b"PK")  # a zip: the workbook
    with zipfile.ZipFile(io.BytesIO(book)) as opened:
        sheet = opened.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            opened.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in opened.namelist()
            else sheet
        )
    assert "Camila Fuentes" in strings and "Tomás Ibáñez" in strings
    assert sheet.count("<row ") == 3  # the header and the day's two tickets
    name, payments = downloads["Pagos"]
    assert name.startswith("pagos-") and payments.startswith(b"\xef\xbb\xbf")
    lines = payments[3:].decode("utf-8").strip().split("\r\n")
    # the order is on ticket 1, whichever client wrote first
    assert len(lines) == 2 and ",19980,CLP," in lines[1], lines
    assert "Camila Fuentes" in lines[1] or "Tomás Ibáñez" in lines[1], lines
