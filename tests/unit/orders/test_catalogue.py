"""Sending a selection of the catalogue into a conversation (POST /v1/tickets/{n}/catalogue):
what each channel gets, checked as it reaches a real local HTTP server standing in for the
Graph API (WhatsApp Cloud API, Messenger), through the outbound worker like any reply, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import app
from chalicelib import aws
from chalicelib.clock import now
from chalicelib.settings import get_settings, reset_settings
from chalicelib.store import keys
from chalicelib.store.helpdesk import Message
from devstack.lambda_events import LambdaContext, sqs_event
from tests.support.desk import Desk, run_effects, run_worker
from tests.support.fakes import FakeProvider, serving
from tests.support.world import World

CLIENT_WA = "56987654321"
CATALOG_ID = "1234567890123456"
FB_PAGE = "104723558911234"
FB_CLIENT = "7012345678901234"


class FakeGraph(FakeProvider):
    """The Graph API: WhatsApp's messages endpoint and Messenger's Send API."""

    def wa_path(self, desk: Desk) -> str:
        return f"/v21.0/{desk.phone_number_id}/messages"

    def whatsapp_sent(self, desk: Desk, *wamids: str) -> None:
        for wamid in wamids:
            self.queue(self.wa_path(desk), 200, {"messaging_product": "whatsapp",
                       "contacts": [{"input": CLIENT_WA, "wa_id": CLIENT_WA}],
                       "messages": [{"id": wamid}]})  # fmt: skip


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with serving(FakeGraph()) as fake:
        monkeypatch.setenv("GRAPH_API_BASE_URL", fake.url)
        reset_settings()
        try:
            yield fake
        finally:
            reset_settings()


@pytest.fixture
def desk(world: World, graph: FakeGraph) -> Desk:
    """Acme, its WhatsApp channel, and ticket 1: a client who wrote a minute ago."""
    desk = Desk(world)
    desk.client_writes(CLIENT_WA, "Hola, ¿qué poleras tienen?", at=int(now().timestamp()) - 60)
    return desk


def product(desk: Desk, name: str, price: int, sku: str | None, image: bool = False,
            **more: Any) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"name": name, "price": price, "currency": "CLP", "sku": sku, **more}
    if image:
        key = f"uploads/{desk.tenant}/2026/12/{name.lower()}/foto.jpg"
        aws.client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=b"\xff\xd8jpeg")
        body["image"] = {"s3_key": key, "name": f"{name}.jpg", "content_type": "image/jpeg"}
    created = desk.call("POST", "/v1/products", "admin", body)
    assert created.status_code == 201, created.json
    return dict(created.json)


def send(desk: Desk, who: str, ids: list[str], text: str | None = None, number: int = 1) -> Any:
    body: dict[str, Any] = {"product_ids": ids}
    if text is not None:
        body["text"] = text
    return desk.call("POST", f"/v1/tickets/{number}/catalogue", who, body)


def set_catalog(desk: Desk, catalog_id: str | None) -> None:
    patched = desk.call("PATCH", f"/v1/channels/{desk.channel_id}", "admin",
                        {"settings": {"commerce_catalog_id": catalog_id}})  # fmt: skip
    assert patched.status_code == 200, patched.json
    assert patched.json["settings"]["commerce_catalog_id"] == catalog_id


def outbound_records() -> list[dict[str, Any]]:
    run_effects()  # the stored message's stream record puts it on the outbound queue
    got = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url("outbound"), MaxNumberOfMessages=10, AttributeNames=["All"]
    )
    return list(got.get("Messages", []))


def deliver(*records: dict[str, Any]) -> None:
    """These SQS records to the outbound Lambda's handler, as one batch."""
    arn = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url("outbound"), AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]  # fmt: skip
    result = app.send_outbound(sqs_event(list(records), arn, get_settings().region),
                               LambdaContext("send_outbound"))  # fmt: skip
    assert result.get("batchItemFailures", []) == []


def stored(desk: Desk, message_id: str, number: int = 1) -> Message:
    return Message.get(keys.ticket_pk(desk.tenant, number), keys.message_sk(message_id),
                       consistent_read=True)  # fmt: skip


# --- WhatsApp ---------------------------------------------------------------------------------
def test_with_a_meta_catalogue_whatsapp_gets_one_product_list_sent_once(desk, graph):
    set_catalog(desk, CATALOG_ID)
    polera = product(desk, "Polera", 9990, "POL-M", image=True)
    gorro = product(desk, "Gorro", 5990, "GOR-1")
    graph.whatsapp_sent(desk, "wamid.LIST")

    accepted = send(desk, "admin", [polera["id"], gorro["id"]], "Mira estas opciones")

    assert accepted.status_code == 202, accepted.json
    assert accepted.json["kind"] == "product_list"
    assert accepted.json["product_ids"] == [polera["id"], gorro["id"]]
    assert accepted.json["status"] == "queued" and accepted.json["attachments"] == []
    [record] = outbound_records()
    deliver(record, record)  # the same record twice in one batch
    deliver({**record, "Attributes": {**record["Attributes"], "ApproximateReceiveCount": "2"}})

    [seen] = graph.to(graph.wa_path(desk))
    assert seen.headers["authorization"].startswith("Bearer ")
    assert seen.json == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": CLIENT_WA,
        "type": "interactive",
        "interactive": {
            "type": "product_list",
            "header": {"type": "text", "text": "Catálogo"},
            "body": {"text": "Mira estas opciones"},
            "action": {"catalog_id": CATALOG_ID, "sections": [{"title": "Productos",
                       "product_items": [{"product_retailer_id": "POL-M"},
                                         {"product_retailer_id": "GOR-1"}]}]},
        },
    }  # fmt: skip
    sent = stored(desk, accepted.json["id"])
    assert (sent.status, sent.provider_message_id, sent.attempts) == ("sent", "wamid.LIST", 1)
    # the conversation shows what was offered
    ticket = desk.call("GET", "/v1/tickets/1", "admin").json
    [shown] = [m for m in ticket["messages"] if m["id"] == accepted.json["id"]]
    assert shown["text"] == (
        "Mira estas opciones\n\n• Polera — $9.990 — SKU POL-M\n• Gorro — $5.990 — SKU GOR-1"
    )
    assert shown["direction"] == "out" and shown["author_id"] == desk.id("admin")
    assert ticket["assignee_id"] == desk.id("admin")  # who answers takes the ticket


def test_without_a_catalogue_whatsapp_gets_the_list_as_text_then_each_image(desk, graph):
    polera = product(desk, "Polera", 9990, "POL-M", image=True)
    bufanda = product(desk, "Bufanda", 12500, None, image=True)
    gorro = product(desk, "Gorro", 5990, "GOR-1")
    graph.whatsapp_sent(desk, "wamid.T", "wamid.I1", "wamid.I2")

    accepted = send(desk, "admin", [polera["id"], bufanda["id"], gorro["id"]])
    assert accepted.status_code == 202 and accepted.json["kind"] == "text"
    run_worker("send_outbound")

    requests = [seen.json for seen in graph.to(graph.wa_path(desk))]
    assert [r["type"] for r in requests] == ["text", "image", "image"]
    assert requests[0] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": CLIENT_WA,
        "type": "text", "text": {"preview_url": False, "body": (
            "Te comparto estos productos:\n\n• Polera — $9.990 — SKU POL-M\n"
            "• Bufanda — $12.500\n• Gorro — $5.990 — SKU GOR-1")},
    }  # fmt: skip
    captions = [r["image"]["caption"] for r in requests[1:]]
    assert captions == ["Polera — $9.990 — SKU POL-M", "Bufanda — $12.500"]
    for request, name in zip(requests[1:], ("polera", "bufanda"), strict=True):
        link = urlsplit(request["image"]["link"])
        assert link.path == f"/uploads/{desk.tenant}/2026/12/{name}/foto.jpg"
        assert parse_qs(link.query)["X-Amz-Expires"] == ["3600"]
        assert set(request) == {"messaging_product", "recipient_type", "to", "type", "image"}
    sent = stored(desk, accepted.json["id"])
    assert sent.status == "sent"
    assert sent.extra["provider"] == {"provider_message_ids": "wamid.T wamid.I1 wamid.I2"}


def test_with_a_catalogue_a_product_without_sku_makes_it_a_formatted_message(desk, graph):
    set_catalog(desk, CATALOG_ID)
    polera = product(desk, "Polera", 9990, "POL-M")
    bufanda = product(desk, "Bufanda", 12500, None)
    graph.whatsapp_sent(desk, "wamid.T")

    accepted = send(desk, "admin", [polera["id"], bufanda["id"]], "Hola")
    assert accepted.json["kind"] == "text"
    run_worker("send_outbound")

    [seen] = graph.to(graph.wa_path(desk))
    assert seen.json["type"] == "text"
    assert seen.json["text"]["body"] == "Hola\n\n• Polera — $9.990 — SKU POL-M\n• Bufanda — $12.500"


# --- another channel --------------------------------------------------------------------------
def test_messenger_gets_the_formatted_text_then_the_images(desk, graph):
    page = desk.connect("facebook", "Acme en Facebook", {"page_id": FB_PAGE},
                        {"page_access_token": "EAAG-page-token-123456"})  # fmt: skip
    number = desk.message(FB_CLIENT, "¿Tienen poleras?", channel=page)
    polera = product(desk, "Polera", 9990, "POL-M", image=True)
    gorro = product(desk, "Gorro", 5990, None)
    path = "/v21.0/me/messages"
    graph.queue(path, 200, {"recipient_id": FB_CLIENT, "message_id": "m_TEXT"})
    graph.queue(path, 200, {"recipient_id": FB_CLIENT, "message_id": "m_IMG"})

    accepted = send(desk, "admin", [polera["id"], gorro["id"]], number=number)
    assert accepted.status_code == 202 and accepted.json["kind"] == "text"
    run_worker("send_outbound")
    run_worker("send_outbound")

    requests = graph.to(path)
    assert [r.query for r in requests] == [{"access_token": "EAAG-page-token-123456"}] * 2
    assert requests[0].json == {
        "recipient": {"id": FB_CLIENT}, "messaging_type": "RESPONSE",
        "message": {"text": "Te comparto estos productos:\n\n"
                            "• Polera — $9.990 — SKU POL-M\n• Gorro — $5.990"},
    }  # fmt: skip
    image = requests[1].json["message"]["attachment"]
    assert image["type"] == "image" and image["payload"]["is_reusable"] is False
    assert urlsplit(image["payload"]["url"]).path == (
        f"/uploads/{desk.tenant}/2026/12/polera/foto.jpg"
    )
    assert stored(desk, accepted.json["id"], number).status == "sent"


def test_the_account_language_writes_the_prices(world, graph):
    desk = Desk(world, locale="pt")
    desk.client_writes(CLIENT_WA, "Oi", at=int(now().timestamp()) - 60)
    created = desk.call("POST", "/v1/products", "admin",
                        {"name": "Camiseta", "price": 15000, "currency": "BRL"})  # fmt: skip
    accepted = send(desk, "admin", [created.json["id"]])
    assert accepted.json["text"] == "Compartilho estes produtos:\n\n• Camiseta — R$ 150,00"


# --- who may send, and what is refused ----------------------------------------------------------
@pytest.mark.parametrize("role", ["analyst", "orders_admin", "account_contact"])
def test_roles_outside_the_help_desk_may_not_send_the_catalogue(desk, role):
    polera = product(desk, "Polera", 9990, "POL-M")
    refused = send(desk, role, [polera["id"]])
    assert refused.status_code == 403
    assert refused.json["error"]["message"] == (
        f"Your role ({role}) does not allow this: "
        "send a selection of the catalogue into a conversation they may work."
    )
    assert outbound_records() == []


def test_help_desk_roles_send_on_tickets_they_may_work_and_nobody_else_sees_it(desk):
    polera = product(desk, "Polera", 9990, "POL-M")
    hidden = send(desk, "outsider", [polera["id"]])  # an agent who does not serve the channel
    assert hidden.status_code == 404
    assert hidden.json["error"]["message"] == "There is no such ticket."
    for role in ("supervisor", "stakeholder"):
        assert send(desk, role, [polera["id"]]).status_code == 202, role


def test_another_accounts_products_and_tickets_are_not_found(desk, world):
    polera = product(desk, "Polera", 9990, "POL-M")
    other = Desk(world, company="Globex", domain="globex.example.com")
    assert send(other, "admin", [polera["id"]]).status_code == 404  # Globex has no ticket 1
    other.message("56911112222", "hola")
    mine = other.call("POST", "/v1/products", "admin",
                      {"name": "Taza", "price": 3000, "currency": "CLP"}).json  # fmt: skip
    refused = send(other, "admin", [mine["id"], polera["id"]])
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "products_not_sendable"
    assert refused.json["error"]["message"] == (
        f"These products cannot be sent (no such product: {polera['id']})."
    )
    assert refused.json["error"]["details"] == [
        {"loc": ["body", "product_ids", 1], "msg": "no such product", "type": "unknown"}]  # fmt: skip


def test_inactive_and_unknown_products_are_named_and_nothing_is_stored(desk):
    polera = product(desk, "Polera", 9990, "POL-M")
    viejo = product(desk, "Modelo viejo", 1000, "OLD", active=False)
    refused = send(desk, "admin", [polera["id"], viejo["id"], "01NOPE"])
    assert refused.status_code == 400
    assert refused.json["error"]["message"] == (
        "These products cannot be sent (no such product: 01NOPE; "
        f"inactive: Modelo viejo ({viejo['id']}))."
    )
    assert outbound_records() == []
    ticket = desk.call("GET", "/v1/tickets/1", "admin").json
    assert [m["direction"] for m in ticket["messages"]] == ["in"]


@pytest.mark.parametrize(
    "body",
    [
        {"product_ids": []},
        {"product_ids": [f"id{n}" for n in range(31)]},
        {"product_ids": ["a", "a"]},
        {"product_ids": ["a"], "text": "x" * 1025},
        {"product_ids": "a"},
        {"text": "hola"},
        {"product_ids": ["a"], "public": True},
    ],
)
def test_a_selection_of_1_to_30_distinct_products_and_a_short_text(desk, body):
    refused = desk.call("POST", "/v1/tickets/1/catalogue", "admin", body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["code"] == "validation_error"


def test_a_list_too_long_for_the_channel_is_refused(desk):
    ids = [product(desk, f"{n:02d}" + "Polera de algodón " * 11, 9990, f"{n:02d}" + "S" * 62)["id"]
           for n in range(30)]  # fmt: skip
    refused = send(desk, "admin", ids)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "catalogue_too_long"
    assert "whatsapp takes 4096" in refused.json["error"]["message"]
    assert outbound_records() == []


def test_a_closed_ticket_and_a_closed_whatsapp_window_refuse_it(desk):
    polera = product(desk, "Polera", 9990, "POL-M")
    yesterday = int((now() - timedelta(hours=25)).timestamp())
    desk.client_writes("56911112222", "¿Siguen abiertos?", at=yesterday)  # ticket 2
    late = send(desk, "admin", [polera["id"]], number=2)
    assert late.status_code == 409 and late.json["error"]["code"] == "whatsapp_window_closed"
    desk.patch_ticket(1, status="closed")
    closed = send(desk, "admin", [polera["id"]])
    assert closed.status_code == 409 and closed.json["error"]["code"] == "ticket_closed"
    assert outbound_records() == []


# --- the channel's setting ------------------------------------------------------------------------
def test_the_catalogue_id_is_digits_and_only_for_whatsapp(world, graph):
    desk = Desk(world, email_channel=True)
    path = f"/v1/channels/{desk.channel_id}"
    for wrong in ("abc", "12 34", "1" * 33, 12345):
        refused = desk.call("PATCH", path, "admin", {"settings": {"commerce_catalog_id": wrong}})
        assert refused.status_code == 400, (wrong, refused.json)
    email = desk.call("PATCH", f"/v1/channels/{desk.email}", "admin",
                      {"settings": {"commerce_catalog_id": CATALOG_ID}})  # fmt: skip
    assert email.status_code == 400
    assert "only a WhatsApp channel" in str(email.json["error"])
    set_catalog(desk, CATALOG_ID)
    kept = desk.call("PATCH", path, "admin", {"settings": {"sla": {"first_response_minutes": 30}}})
    assert kept.json["settings"]["commerce_catalog_id"] == CATALOG_ID  # sections merge
    set_catalog(desk, None)
