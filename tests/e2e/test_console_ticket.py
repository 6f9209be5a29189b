"""The ticket view (seed 003, steps 4-23; issue 12, item 7): a ticket a signed WhatsApp
webhook opened is answered with a quick reply, whose Cloud API request the outbound worker
records in var/outbox and whose "delivered" status (a signed status webhook) shows on
screen; a private reply carries a file uploaded through the presigned POST into moto's
S3; a ticket is marked important (after its confirmation), commented and merged.

One company serves the module (its admin's token from the API); each test opens its own
tickets and signs in the browser as a person does."""

from __future__ import annotations

import json
import random
import re
import time
import urllib.parse
import urllib.request
import uuid

import boto3
import pytest
from playwright.sync_api import expect

from tests.support.console import (
    PASSWORD,
    check_page,
    outbox_requests,
    post_whatsapp_status,
    sign_in,
    wait_for_ticket_of,
    whatsapp_wamid,
)
from tests.support.payloads import encoded
from tests.support.webhooks import whatsapp_text

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

GREETING = "¡Hola {{client.first_name}}! Soy {{agent.first_name}}, ¿en qué te ayudo? 😊"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def company(stack) -> dict:
    email = f"ana.{uuid.uuid4().hex[:8]}@losandes.example.com"
    session = stack.signup(email)
    return {"email": email, "token": session["access_token"]}


@pytest.fixture(scope="module")
def whatsapp(stack, company) -> dict:
    phone = str(random.randint(10**14, 10**15 - 1))
    channel = stack.connect_whatsapp(company["token"], phone, name="Ventas")
    return {**channel, "phone": phone}


def open_ticket(stack, company, whatsapp, name: str, text: str) -> tuple[int, str]:
    """A client writes on WhatsApp (a signed webhook): their new ticket's number and wa_id."""
    wa_id = "569" + str(random.randint(10**7, 10**8 - 1))
    stack.whatsapp_messages(whatsapp["phone"], [(wa_id, name, text)])
    return wait_for_ticket_of(stack, company["token"], name), wa_id


def until(check, timeout: float = 30, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def expect_soon(page, locator, timeout: float = 10_000) -> None:
    """Waits for ``locator`` as the live updates bring it (no reload: the console polls
    what changed every 3 s)."""
    expect(locator).to_be_visible(timeout=timeout)


def conversation(page):
    return page.get_by_role("region", name="Mensajes del ticket")


def test_an_agent_answers_with_a_quick_reply_and_sees_it_delivered(
    console, stack, company, whatsapp
):
    page = console
    stack.call(
        "POST",
        "/v1/quick-replies",
        {"shortcut": "saludo", "text": GREETING},
        token=company["token"],
    )
    number, wa_id = open_ticket(
        stack, company, whatsapp, "María José Soto", "Hola, mi pedido 1042 no llega"
    )

    sign_in(page, company["email"])
    page.goto(f"/tickets/{number}")
    expect(page.get_by_role("heading", name=f"Ticket #{number}", level=1)).to_be_visible()
    expect(conversation(page).get_by_text("Hola, mi pedido 1042 no llega")).to_be_visible()
    facts = page.get_by_role("definition")
    expect(facts.filter(has_text="María José Soto")).to_be_visible()
    expect(facts.filter(has_text="Ventas")).to_be_visible()  # the account it answers from
    expect(facts.filter(has_text="Sin asignar")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Ventana de WhatsApp: quedan 2\d h"))).to_be_visible()
    expect(page.get_by_text("Ctrl + Enter para enviar")).to_be_visible()
    check_page(page, "ticket")

    # "/" opens the quick replies, filtered as one types; Enter takes one, placeholders filled
    box = page.get_by_label("Tu respuesta")
    box.press_sequentially("/sal")
    picker = page.get_by_role("listbox", name="Respuestas rápidas")
    expect(picker.get_by_role("option", name=re.compile(r"saludo"))).to_be_visible()
    expect(picker.get_by_role("option")).to_have_count(1)
    check_page(page, "ticket-quick-reply")
    box.press("Enter")
    expect(box).to_have_value("¡Hola María! Soy Ana, ¿en qué te ayudo? 😊")
    expect(picker).to_be_hidden()

    box.press("Control+Enter")  # the shortcut the box shows
    reply = conversation(page).get_by_role("article", name=re.compile("^Respuesta de Tú"))
    expect(reply.get_by_text("¡Hola María! Soy Ana, ¿en qué te ayudo? 😊")).to_be_visible()
    expect(box).to_have_value("")

    # the outbound worker sends it: the exact Cloud API request is in var/outbox
    def sent_reply() -> dict | None:
        ticket = stack.call("GET", f"/v1/tickets/{number}", token=company["token"])
        out = [m for m in ticket["messages"] if m["direction"] == "out"]
        return out[-1] if out and out[-1]["status"] == "sent" else None

    message = until(sent_reply, what="the reply's send")
    requests = until(lambda: outbox_requests(stack, message["id"]), what="the outbox record")
    request = requests[0]["request"] if "request" in requests[0] else requests[0]
    assert request["method"] == "POST"
    assert request["url"].endswith(f"/{whatsapp['phone']}/messages")
    assert request["body"]["to"] == wa_id
    assert request["body"]["text"]["body"] == "¡Hola María! Soy Ana, ¿en qué te ayudo? 😊"

    # WhatsApp says it was delivered (a signed status webhook): the reply shows it
    wamid = whatsapp_wamid(stack, whatsapp["phone"], wa_id)  # the fake Graph's id of the reply
    post_whatsapp_status(stack, whatsapp["phone"], wamid, "delivered", wa_id)
    expect_soon(page, reply.get_by_text("Entregado"))
    expect(reply.get_by_text("Entregado")).to_be_visible()
    # whoever answers takes the ticket
    page.reload()
    expect(page.get_by_role("definition").filter(has_text="Tú")).to_be_visible()


def test_a_private_reply_carries_a_file_uploaded_through_the_presigned_post(
    console, stack, company, whatsapp
):
    page = console
    number, _ = open_ticket(
        stack, company, whatsapp, "Pedro Rojas", "¿Me mandan la factura del pedido?"
    )
    sign_in(page, company["email"])
    page.goto(f"/tickets/{number}")
    expect(conversation(page).get_by_text("¿Me mandan la factura del pedido?")).to_be_visible()

    page.get_by_label("Tu respuesta").fill("Te envío la factura 🧾")
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/v1/" not in r.url
    ) as stored:
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Adjuntar una imagen o un archivo").click()
        chooser.value.set_files(
            {"name": "factura 1042.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    upload = stored.value
    assert upload.ok, upload.status  # moto's S3 took the file
    files = page.get_by_role("list", name="Archivos de la respuesta")
    expect(files.get_by_text("factura 1042.pdf")).to_be_visible()
    expect(files.get_by_text(re.compile("listo"))).to_be_visible()

    page.get_by_role("button", name="Enviar mensaje").click()
    reply = conversation(page).get_by_role("article", name=re.compile("^Respuesta de Tú"))
    expect(reply.get_by_text("Te envío la factura 🧾")).to_be_visible()
    expect(
        reply.get_by_role("list", name="Archivos adjuntos").get_by_text("factura 1042.pdf")
    ).to_be_visible()
    expect(reply.get_by_role("img", name="Mensaje privado")).to_be_visible()
    expect(page.get_by_role("list", name="Archivos de la respuesta")).to_be_hidden()

    # the file is in the bucket, at the key the reply names
    ticket = stack.call("GET", f"/v1/tickets/{number}", token=company["token"])
    sent = [m for m in ticket["messages"] if m["direction"] == "out"][-1]
    assert sent["public"] is False
    (attachment,) = sent["attachments"]
    assert attachment["filename"] == "factura 1042.pdf" and attachment["size"] == len(PDF)
    where = urllib.parse.urlsplit(upload.url)
    s3 = boto3.client(
        "s3",
        endpoint_url=f"{where.scheme}://{where.netloc}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    bucket = where.path.strip("/").split("/")[0]
    stored_file = s3.get_object(Bucket=bucket, Key=attachment["s3_key"])
    assert stored_file["Body"].read() == PDF
    assert stored_file["ContentType"] == "application/pdf"
    # and the worker hands WhatsApp a link to it, the text as its caption
    requests = until(lambda: outbox_requests(stack, sent["id"]), what="the outbox record")
    assert "factura 1042.pdf" in str(requests) and "document" in str(requests)


def test_a_ticket_is_marked_important_commented_and_merged(console, stack, company, whatsapp):
    page = console
    target, _ = open_ticket(
        stack, company, whatsapp, "Diego Fuentes", "Quiero cambiar la dirección de envío"
    )
    source, _ = open_ticket(
        stack, company, whatsapp, "Carla Muñoz", "Escribo por el pedido de Diego"
    )
    sign_in(page, company["email"])
    page.goto(f"/tickets/{source}")
    actions = page.get_by_role("toolbar", name="Acciones del ticket")
    expect(actions).to_be_visible()
    check_page(page, "ticket-actions")

    # important asks first, and says it cannot be undone; Escape keeps things as they were
    actions.get_by_role("button", name="Marcar como importante").click()
    confirm = page.get_by_role("dialog", name=f"¿Marcar el ticket #{source} como importante?")
    expect(confirm).to_contain_text("no se puede deshacer")
    check_page(page, "ticket-important")
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("img", name="Importante")).to_have_count(0)
    actions.get_by_role("button", name="Marcar como importante").click()
    confirm.get_by_role("button", name="Sí, marcar como importante").click()
    expect(
        page.get_by_role("status").filter(has_text="El ticket quedó marcado como importante.")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Importante")).to_be_visible()
    expect(actions.get_by_role("button", name="Marcar como importante")).to_have_count(0)
    assert stack.call("GET", f"/v1/tickets/{source}", token=company["token"])["important"] is True

    # a comment, and a reply to it (never edited nor deleted)
    tabs = page.get_by_role("tablist", name="Detalles del ticket")
    tabs.get_by_role("tab", name="Comentarios").click()
    expect(page.get_by_text("No se editan ni se eliminan.", exact=False)).to_be_visible()
    page.get_by_label("Nuevo comentario").fill("Revisar con bodega antes de responder.")
    page.get_by_role("button", name="Comentar").click()
    comments = page.get_by_role("list", name="Comentarios del ticket")
    first = comments.get_by_role("article", name="Comentario de Tú")
    expect(first.get_by_text("Revisar con bodega antes de responder.")).to_be_visible()
    first.get_by_role("button", name="Responder").click()
    expect(page.get_by_text("Respondiendo a Tú")).to_be_visible()
    page.get_by_label("Nuevo comentario").fill("Bodega confirma el despacho.")
    page.get_by_role("button", name="Comentar").click()
    expect(comments.get_by_text("Bodega confirma el despacho.")).to_be_visible()
    saved = stack.call("GET", f"/v1/tickets/{source}/comments", token=company["token"])["items"]
    assert [c["text"] for c in saved] == [
        "Revisar con bodega antes de responder.",
        "Bodega confirma el despacho.",
    ]
    assert saved[1]["reply_to"] == saved[0]["id"]

    # merge: the target found by the client's name, then by its number
    actions.get_by_role("button", name="Fusionar").click()
    merge = page.get_by_role("dialog", name=f"Fusionar el ticket #{source}")
    merge.get_by_label("Ticket de destino").fill("Diego")
    expect(merge.get_by_role("radio", name=re.compile(f"#{target}"))).to_be_visible()
    merge.get_by_label("Ticket de destino").fill(str(target))
    merge.get_by_role("radio", name=re.compile(f"#{target}")).check()
    check_page(page, "ticket-merge")
    merge.get_by_role("button", name=f"Fusionar en el #{target}").click()
    expect(merge).to_be_hidden()
    expect(
        page.get_by_text(f"Este ticket se fusionó en el ticket #{target} y es de solo lectura.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Enviar mensaje")).to_have_count(0)
    expect(actions).to_have_count(0)

    # the target shows the merged ticket's messages (copied by the stream in a moment)
    page.get_by_role("link", name=f"Abrir el ticket #{target}").click()
    expect(page.get_by_role("heading", name=f"Ticket #{target}", level=1)).to_be_visible()
    expect_soon(page, conversation(page).get_by_text("Escribo por el pedido de Diego"))
    expect(
        conversation(page).get_by_text(f"Del ticket #{source}, fusionado en este")
    ).to_be_visible()
    # and its history says so
    page.get_by_role("tablist", name="Detalles del ticket").get_by_role(
        "tab", name="Historial"
    ).click()
    expect(page.get_by_text("fusionó otro ticket en este")).to_be_visible()


def test_older_messages_come_when_scrolled_up_without_moving_the_view(
    console, stack, company, whatsapp
):
    page = console
    # 60 messages of one client, a second apart, in one signed delivery
    wa_id = "569" + str(random.randint(10**7, 10**8 - 1))
    now = int(time.time())
    bodies = [
        json.loads(
            whatsapp_text(
                wa_id,
                f"Mensaje {i}",
                f"wamid.{whatsapp['phone']}.{wa_id}.{i}",
                now - 60 + i,
                name="Rosa Campos",
                phone_number_id=whatsapp["phone"],
            )
        )
        for i in range(60)
    ]
    document = bodies[0]
    document["entry"][0]["changes"] = [b["entry"][0]["changes"][0] for b in bodies]
    body = encoded(document)
    stack.post_meta(body)
    number = wait_for_ticket_of(stack, company["token"], "Rosa Campos")
    until(
        lambda: (
            stack.call("GET", f"/v1/tickets/{number}", token=company["token"])["messages"][-1][
                "text"
            ]
            == "Mensaje 59"
        ),
        what="the 60 messages' ingest",
    )

    sign_in(page, company["email"])
    page.goto(f"/tickets/{number}")
    messages = conversation(page)
    # the latest 50, newest at the bottom and in view
    expect(messages.get_by_text("Mensaje 59", exact=True)).to_be_in_viewport()
    expect(messages.get_by_text("Mensaje 10", exact=True)).to_be_attached()
    expect(messages.get_by_text("Mensaje 9", exact=True)).to_have_count(0)

    # scrolled to the top, the older page comes in above what was on screen
    messages.evaluate("(el) => { el.scrollTop = 0; }")
    expect(messages.get_by_text("Mensaje 0", exact=True)).to_be_attached()
    expect(messages.get_by_text("Inicio de la conversación")).to_be_attached()
    expect(messages.get_by_text("Mensaje 10", exact=True)).to_be_in_viewport()
    expect(messages.get_by_text("Mensaje 0", exact=True)).not_to_be_in_viewport()
    bubbles = messages.get_by_text(re.compile(r"^Mensaje \d+$")).all_inner_texts()
    assert bubbles == [f"Mensaje {i}" for i in range(60)]


def test_an_analyst_reads_the_ticket_and_is_offered_no_change(console, stack, company, whatsapp):
    page = console
    number, _ = open_ticket(stack, company, whatsapp, "Tomás Herrera", "¿Tienen taladros en stock?")
    analyst = f"rosa.{uuid.uuid4().hex[:8]}@losandes.example.com"
    stack.call(
        "POST",
        "/v1/users",
        {"first_name": "Rosa", "last_name": "Díaz", "email": analyst, "role": "analyst"},
        token=company["token"],
    )
    token = stack.link_in_mail(analyst, "/invitations/accept").split("token=", 1)[1]
    stack.call("POST", "/v1/auth/invitations/accept", {"token": token, "password": PASSWORD})
    sign_in(page, analyst, landing="Analítica")  # an analyst's home (issue 16)
    page.goto(f"/tickets/{number}")
    expect(conversation(page).get_by_text("¿Tienen taladros en stock?")).to_be_visible()
    expect(
        page.get_by_text("Tu rol puede leer este ticket, no cambiarlo ni responderlo.").first
    ).to_be_visible()
    # nothing to write with: no reply box, no actions, no reply to a message
    expect(page.get_by_label("Tu respuesta")).to_have_count(0)
    expect(page.get_by_role("button", name="Enviar mensaje")).to_have_count(0)
    expect(page.get_by_role("toolbar", name="Acciones del ticket")).to_have_count(0)
    expect(conversation(page).get_by_role("button", name=re.compile("^Responder"))).to_have_count(0)
    start = page.get_by_role("group", name="Sentimiento al inicio")
    expect(start.get_by_role("radio", name="Neutral")).to_be_checked()
    expect(start.get_by_role("radio", name="Feliz")).to_be_disabled()
    # the tabs read, read-only
    expect(page.get_by_label("Nombre")).to_be_disabled()
    tabs = page.get_by_role("tablist", name="Detalles del ticket")
    tabs.get_by_role("tab", name="Comentarios").click()
    expect(page.get_by_label("Nuevo comentario")).to_have_count(0)
    tabs.get_by_role("tab", name="Historial").click()
    expect(page.get_by_text("abrió el ticket")).to_be_visible()
