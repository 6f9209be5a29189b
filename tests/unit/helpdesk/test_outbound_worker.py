"""The outbound worker (jobs/outbound.py): queued replies go out exactly once, against a real
local HTTP server standing in for the WhatsApp Cloud API (GRAPH_API_BASE_URL points at it).

A tenant connects WhatsApp through the API, a client writes in through the signed webhook
and the inbound worker, and the ticket's replies are queued as the app queues them
(``autoreply.queue_outbound``, then the table's stream puts them on the outbound queue).
SQS records are the ones moto's queue hands out, fed to the very handler Lambda calls
(``app.send_outbound``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import app
from chalicelib import aws
from chalicelib.channels.events import InboundMessage
from chalicelib.clock import clock, now
from chalicelib.domain.channels.service import get_channel
from chalicelib.domain.inbound.autoreply import queue_outbound
from chalicelib.domain.inbound.ingest import ingest_message
from chalicelib.jobs import outbound
from chalicelib.settings import get_settings, reset_settings
from chalicelib.store import keys
from chalicelib.store.helpdesk import Message
from devstack.lambda_events import LambdaContext, sqs_event
from devstack.template import load
from tests.support.desk import Desk, run_effects, run_worker
from tests.support.fakes import FakeProvider, serving
from tests.support.payloads import payload
from tests.support.world import World

PHONE_ID = "106540352242922"
WA_TOKEN = "EAAG-planted-token-1234567890"
CLIENT_WA = "56987654321"
INBOUND_WAMID = "wamid.HBgLNTY5ODc2NTQzMjEVAgASGBQzQTdGNUJEQzE2NkI0RkE3QjY5MAA="
WA_PATH = f"/v21.0/{PHONE_ID}/messages"


# --- the fake Cloud API ------------------------------------------------------------------------
class FakeGraph(FakeProvider):
    """The Graph API's WhatsApp messages endpoint; answers queued in order (404 when none)."""

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.queue(WA_PATH, status, body, headers)

    def sent(self, wamid: str) -> None:
        self.reply(200, payload("graph/message_sent.json", {  # to CLIENT_WA
            "messages.0.id": wamid, "contacts.0.input": CLIENT_WA, "contacts.0.wa_id": CLIENT_WA}))  # fmt: skip


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeGraph]:
    with serving(FakeGraph()) as fake:
        monkeypatch.setenv("GRAPH_API_BASE_URL", fake.url)
        monkeypatch.setenv("ATIENDE_VAR", str(tmp_path))
        reset_settings()
        try:
            yield fake
        finally:
            reset_settings()


# --- the tenant, its channel, a client's ticket ------------------------------------------------
def new_desk(world: World) -> Desk:
    """One tenant with a WhatsApp channel (its token planted, to find in no log)."""
    return Desk(world, access_token=WA_TOKEN)


def client_writes(desk: Desk, text: str = "Hola, ¿mi pedido?", wamid: str = INBOUND_WAMID) -> None:
    """The client's message, a minute ago, through the signed webhook: ticket 1."""
    desk.client_writes(CLIENT_WA, text, at=int(now().timestamp()) - 60, name="Ana Pérez",
                       wamid=wamid)  # fmt: skip


@pytest.fixture
def desk(world: World, graph: FakeGraph) -> Desk:
    desk = new_desk(world)
    client_writes(desk)
    return desk


# --- feeding the handler -----------------------------------------------------------------------
def outbound_arn() -> str:
    url = aws.queue_url("outbound")
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def receive() -> list[dict[str, Any]]:
    """The records waiting on the outbound queue (each now invisible for the queue's timeout)."""
    got = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url("outbound"), MaxNumberOfMessages=10, AttributeNames=["All"]
    )
    return list(got.get("Messages", []))


def deliver(*received: dict[str, Any]) -> set[str]:
    """Hand these SQS messages to ``app.send_outbound`` as one batch; the failed record ids."""
    event = sqs_event(list(received), outbound_arn(), get_settings().region)
    result = app.send_outbound(event, LambdaContext("send_outbound"))
    return {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}


def received_again(record: dict[str, Any], count: int) -> dict[str, Any]:
    return {**record, "Attributes": {**record["Attributes"], "ApproximateReceiveCount": str(count)}}


@pytest.fixture
def visibility(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every ChangeMessageVisibility the worker makes (then made for real)."""
    sqs = aws.client("sqs")
    calls: list[dict[str, Any]] = []
    original = sqs.change_message_visibility

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(sqs, "change_message_visibility", spy)
    return calls


def wa_text(text: str, **extra: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": CLIENT_WA,
            "type": "text", "text": {"body": text, "preview_url": False}, **extra}  # fmt: skip


# --- exactly once ---------------------------------------------------------------------------------
def test_a_queued_reply_is_sent_once_even_when_its_record_comes_twice(desk, graph):
    message = desk.reply(reply_to=None)
    graph.sent("wamid.OUT1")
    [record] = receive()

    assert deliver(record, record) == set()  # the same record twice in one batch
    assert deliver(received_again(record, 2)) == set()  # and once more later

    assert [seen.json for seen in graph.to(WA_PATH)] == [wa_text("Tu pedido sale hoy.")]
    sent = desk.reload(message)
    assert (sent.status, sent.provider_message_id, sent.attempts) == ("sent", "wamid.OUT1", 1)
    assert sent.status_error is None and sent.sent_at >= message.sent_at
    lookup = keys.provider_message_lookup(desk.channel_id, "wamid.OUT1")
    assert sent.attribute_values["GSI1PK"] == lookup
    assert sent.attribute_values["GSI1SK"] == "MSG"
    [found] = Message.by_provider_id.query(sent.GSI1PK)
    assert found.message_id == message.message_id
    assert "send_lease_until" not in json.dumps(sent.attribute_values, default=str)


def test_an_auto_reply_goes_out_through_the_local_worker_once(api, mailbox, graph):
    desk = new_desk(World(api, mailbox))
    patched = desk.world.call("PATCH", f"/v1/channels/{desk.channel_id}", desk.admin, {
        "settings": {"auto_replies": {"no_agent": {
            "enabled": True, "text": "Ahora no hay ejecutivos; te responderemos pronto."}}}})  # fmt: skip
    assert patched.status_code == 200, patched.json
    graph.sent("wamid.AUTO")

    client_writes(desk)
    run_worker("send_outbound")
    run_worker("send_outbound")

    assert [seen.json for seen in graph.to(WA_PATH)] == [
        wa_text("Ahora no hay ejecutivos; te responderemos pronto.")
    ]
    [reply] = [m for m in Message.query(keys.ticket_pk(desk.tenant, 1)) if m.direction == "out"]
    assert (reply.status, reply.provider_message_id) == ("sent", "wamid.AUTO")
    assert reply.extra == {"auto_reply": "no_agent"}


@pytest.mark.ddb_local  # DynamoDB's own conditional writes, with two workers at once
def test_two_workers_given_the_same_record_at_once_send_it_once(desk, graph, visibility):
    message = desk.reply()
    graph.sent("wamid.ONCE")
    graph.delay = 0.5  # the first worker is still waiting on the provider when the second claims
    [record] = receive()
    start = threading.Barrier(2)
    failed: list[set[str]] = []

    def worker() -> None:
        start.wait()
        failed.append(deliver(record))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(graph.to(WA_PATH)) == 1
    # the loser saw the send leased to the winner: its record comes back after the lease
    assert sorted(len(f) for f in failed) == [0, 1]
    [later] = [call["VisibilityTimeout"] for call in visibility]
    assert outbound.LEASE_SECONDS - 5 < later <= outbound.LEASE_SECONDS + 2
    assert desk.reload(message).status == "sent"
    graph.delay = 0
    assert deliver(received_again(record, 2)) == set()  # back later: found sent, dropped
    assert len(graph.to(WA_PATH)) == 1


def test_a_worker_that_died_mid_send_is_replaced_after_its_lease(desk, graph, visibility):
    clock.freeze(now())
    try:
        message = desk.reply()
        [record] = receive()
        claimed = desk.reload(message)
        assert outbound.claim(claimed)  # a worker claims the send, then its Lambda dies
        graph.sent("wamid.AFTER")

        assert deliver(record) == {record["MessageId"]}  # leased: not sent, looked at later
        assert graph.to(WA_PATH) == []
        assert visibility[-1]["VisibilityTimeout"] == outbound.LEASE_SECONDS + 1

        clock.advance(timedelta(seconds=outbound.LEASE_SECONDS + 1))
        assert deliver(received_again(record, 2)) == set()
    finally:
        clock.release()
    sent = desk.reload(message)
    assert (sent.status, sent.attempts, len(graph.to(WA_PATH))) == ("sent", 2, 1)


# --- what goes on the wire, and what the outbox keeps ------------------------------------------------
def test_the_outbox_holds_the_exact_cloud_api_request(desk, graph, tmp_path):
    message = desk.reply("Hola Ana 👋, tu pedido sale hoy.", reply_to=INBOUND_WAMID)
    graph.sent("wamid.OUT1")
    deliver(*receive())

    [seen] = graph.to(WA_PATH)
    assert (seen.method, seen.path, seen.query) == ("POST", WA_PATH, {})
    assert seen.headers["authorization"] == f"Bearer {WA_TOKEN}"
    expected = wa_text("Hola Ana 👋, tu pedido sale hoy.", context={"message_id": INBOUND_WAMID})
    assert seen.json == expected
    [file] = sorted((tmp_path / "outbox").glob("*.json"))
    assert file.name.endswith(f"-{message.message_id}-1.json")
    kept = json.loads(file.read_text(encoding="utf-8"))
    assert kept == {
        "message_id": message.message_id,
        "method": "POST",
        "url": f"{graph.url}{WA_PATH}",
        "headers": {"Content-Type": "application/json", "Authorization": "***"},
        "body": expected,
        "sent": True,
    }
    assert WA_TOKEN not in file.read_text(encoding="utf-8")


def test_a_template_and_a_file_uploaded_to_the_account(desk, graph):
    key = f"uploads/{desk.tenant}/2026/03/01abc/factura.pdf"
    aws.client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=b"%PDF-1.4")
    graph.sent("wamid.TPL")
    graph.sent("wamid.DOC")
    template = desk.reply("Hola Ana, tu pedido A-1042 va en camino", extra={
        "template": {"name": "pedido_en_camino", "language": "es_CL", "parameters": ["Ana", "A-1042"]}})  # fmt: skip
    document = desk.reply("Tu factura", extra={"attachments": [
        {"s3_key": key, "content_type": "application/pdf", "filename": "Factura 1042.pdf",
         "size": 8}]})  # fmt: skip

    assert deliver(*receive()) == set()

    by_type = {seen.json["type"]: seen.json for seen in graph.to(WA_PATH)}
    assert by_type["template"]["template"] == {
        "name": "pedido_en_camino", "language": {"code": "es_CL"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "Ana"}, {"type": "text", "text": "A-1042"}]}],
    }  # fmt: skip
    sent_document = by_type["document"]["document"]
    assert sent_document["caption"] == "Tu factura"
    assert sent_document["filename"] == "Factura 1042.pdf"
    link = urlsplit(sent_document["link"])
    assert link.netloc == f"{get_settings().bucket}.s3.us-east-1.amazonaws.com"
    assert link.path == f"/{key}"
    query = parse_qs(link.query)  # Signature Version 4, for an hour
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"] and query["X-Amz-Signature"]
    assert {desk.reload(m).status for m in (template, document)} == {"sent"}
    # the provider can fetch it: the URL answers with the file
    assert requests.get(sent_document["link"], timeout=5).content == b"%PDF-1.4"


def test_a_file_of_another_account_is_refused_without_a_request(desk, graph):
    message = desk.reply("mira", extra={"attachments": [
        {"s3_key": "uploads/another-tenant/2026/03/x/secreto.pdf", "content_type": "application/pdf",
         "filename": "secreto.pdf", "size": 10}]})  # fmt: skip
    assert deliver(*receive()) == set()
    failed = desk.reload(message)
    assert failed.status == "failed"
    assert failed.status_error == "attachment 1 is not a file uploaded to this account"
    assert graph.to(WA_PATH) == []


# --- failures --------------------------------------------------------------------------------------
def test_a_500_is_retried_then_sent(desk, graph, visibility):
    message = desk.reply()
    graph.reply(500, {"error": {"message": "Service temporarily unavailable", "code": 2,
                                "is_transient": True}})  # fmt: skip
    graph.sent("wamid.LATER")
    [record] = receive()

    assert deliver(record) == {record["MessageId"]}
    waiting = desk.reload(message)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert waiting.status_error.startswith("retrying: whatsapp: HTTP 500:")
    assert "Service temporarily unavailable" in waiting.status_error
    assert visibility == [{"QueueUrl": aws.queue_url("outbound"),
                           "ReceiptHandle": record["ReceiptHandle"], "VisibilityTimeout": 20}]  # fmt: skip

    assert deliver(received_again(record, 2)) == set()
    sent = desk.reload(message)
    assert (sent.status, sent.attempts, sent.provider_message_id) == ("sent", 2, "wamid.LATER")
    assert sent.status_error is None
    assert len(graph.to(WA_PATH)) == 2


def test_a_400_fails_with_the_providers_message_and_is_not_retried(desk, graph):
    message = desk.reply()
    graph.reply(400, payload("graph/error_recipient_not_allowed.json"))
    [record] = receive()

    assert deliver(record) == set()
    assert deliver(received_again(record, 2)) == set()

    failed = desk.reload(message)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.status_error == (
        "whatsapp: HTTP 400: (#131030) Recipient phone number not in allowed list; Recipient "
        "phone number not in allowed list: Add recipient phone number to recipient list and try "
        "again."
    )
    assert len(graph.to(WA_PATH)) == 1


def test_a_429_with_retry_after_sets_the_records_visibility(desk, graph, visibility):
    message = desk.reply()
    graph.reply(429, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}},
                {"Retry-After": "37"})  # fmt: skip
    [record] = receive()

    assert deliver(record) == {record["MessageId"]}

    assert [(c["ReceiptHandle"], c["VisibilityTimeout"]) for c in visibility] == [
        (record["ReceiptHandle"], 37)
    ]
    waiting = desk.reload(message)
    assert waiting.status == "queued"
    assert waiting.status_error == "retrying: whatsapp: HTTP 429: (#130429) Rate limit hit"
    assert receive() == []  # invisible for the 37 seconds asked


def test_refused_credentials_fail_the_message_and_alert(desk, graph, caplog):
    contact = desk.world.call("POST", "/v1/account-contacts", desk.admin, {
        "first_name": "Tito", "last_name": "Técnico", "email": "tito@acme.example.com",
        "email_preferences": {"channels": True}})  # fmt: skip
    assert contact.status_code == 201, contact.json
    message = desk.reply()
    graph.reply(401, {"error": {"message": "Error validating access token: Session has expired",
                                "type": "OAuthException", "code": 190}})  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="chalicelib.domain.channels.alerts"):
        assert deliver(*receive()) == set()

    failed = desk.reload(message)
    assert failed.status == "failed"
    assert "Session has expired" in failed.status_error
    [alert] = [r for r in caplog.records if r.name == "chalicelib.domain.channels.alerts"]
    assert alert.levelno == logging.ERROR
    assert (alert.channel_id, alert.tenant_id, alert.channel_name) == (
        desk.channel_id, desk.tenant, "Ventas")  # fmt: skip
    assert WA_TOKEN not in caplog.text
    # the account contacts who take channel notices are told by email (a 401 from the API)
    desk.world.run_mail_worker()
    mail_dir = get_settings().mail_dir  # the graph fixture moved ATIENDE_VAR: read it here
    assert mail_dir is not None
    sent = [BytesParser(policy=policy.default).parsebytes(p.read_bytes())
            for p in sorted(mail_dir.glob("*.eml"))]  # fmt: skip
    [mail] = [m for m in sent if "reconéctalo" in m["Subject"]]
    assert "tito@acme.example.com" in mail["To"]
    assert "reconéctalo" in mail["Subject"] and WA_TOKEN not in mail.as_string()
    assert "Session has expired" in mail.get_body(("plain",)).get_content()


def test_a_disconnected_channel_fails_the_message_without_a_request(desk, graph):
    message = desk.reply()
    assert desk.world.call("DELETE", f"/v1/channels/{desk.channel_id}", desk.admin).status_code in (
        200, 204)  # fmt: skip

    assert deliver(*receive()) == set()

    failed = desk.reload(message)
    assert failed.status == "failed"
    assert (
        failed.status_error == "the channel “Ventas” is disconnected; connect it again and resend"
    )
    assert graph.to(WA_PATH) == []


def test_when_the_attempts_run_out_the_message_fails_instead_of_vanishing(desk, graph, visibility):
    message = desk.reply()
    for _ in range(outbound.MAX_RECEIVES):
        graph.reply(503, {"error": {"message": "Service unavailable", "code": 2}})
    [record] = receive()

    for count in range(1, outbound.MAX_RECEIVES):
        assert deliver(received_again(record, count)) == {record["MessageId"]}
        assert desk.reload(message).status == "queued"
    # the backoff grows with each attempt: 20 s, 40 s, 80 s, 160 s
    assert [call["VisibilityTimeout"] for call in visibility] == [20, 40, 80, 160]
    assert deliver(received_again(record, outbound.MAX_RECEIVES)) == set()  # not dead-lettered

    failed = desk.reload(message)
    assert (failed.status, failed.attempts) == ("failed", outbound.MAX_RECEIVES)
    assert failed.status_error == (
        f"gave up after {outbound.MAX_RECEIVES} attempts: whatsapp: HTTP 503: (#2) Service unavailable"
    )
    assert len(graph.to(WA_PATH)) == outbound.MAX_RECEIVES


def test_a_record_on_its_last_receive_fails_the_message_whatever_the_attempts(desk, graph):
    message = desk.reply()
    graph.reply(503, {"error": {"message": "Service unavailable", "code": 2}})
    [record] = receive()
    assert deliver(received_again(record, outbound.MAX_RECEIVES)) == set()
    assert desk.reload(message).status == "failed"


def test_the_worker_knows_the_queues_max_receive_count():
    resources = load()["Resources"]
    policy = resources["OutboundQueue"]["Properties"]["RedrivePolicy"]
    assert int(policy["maxReceiveCount"]) == outbound.MAX_RECEIVES
    visibility_timeout = int(resources["OutboundQueue"]["Properties"]["VisibilityTimeout"])
    assert 30 < outbound.LEASE_SECONDS < visibility_timeout  # a crashed run's lease is over
    assert [outbound.backoff_seconds(n) for n in (1, 2, 3, 4, 6, 20)] == [20, 40, 80, 160, 640, 900]


def test_a_record_that_is_not_a_send_message_is_retried_then_dead_lettered(desk, graph):
    aws.client("sqs").send_message(QueueUrl=aws.queue_url("outbound"), MessageBody='{"type": "x"}')
    [record] = receive()
    assert deliver(record) == {record["MessageId"]}


# --- delivery receipts ------------------------------------------------------------------------------
def test_the_sent_message_is_found_by_whatsapp_statuses_and_never_goes_back(desk, graph):
    message = desk.reply()
    graph.sent("wamid.OUT1")
    deliver(*receive())

    desk.status("wamid.OUT1", "delivered", CLIENT_WA)
    assert desk.reload(message).status == "delivered"
    desk.status("wamid.OUT1", "read", CLIENT_WA)
    assert desk.reload(message).status == "read"
    desk.status("wamid.OUT1", "delivered", CLIENT_WA)  # late, out of order
    desk.status("wamid.OUT1", "sent", CLIENT_WA)
    assert desk.reload(message).status == "read"


# --- email: threading ----------------------------------------------------------------------------------
def test_an_email_reply_threads_under_the_clients_mails(api, mailbox, tmp_path, monkeypatch):
    monkeypatch.setenv("ATIENDE_VAR", str(tmp_path))
    reset_settings()
    world = World(api, mailbox)
    admin = world.signup()["access_token"]
    tenant = world.call("GET", "/v1/me", admin).json["tenant"]["id"]
    created = world.call("POST", "/v1/channels", admin, {
        "type": "email", "name": "Soporte",
        "identifiers": {"address": "soporte@acme.example.com", "display_name": "Soporte Acme"}})  # fmt: skip
    assert created.status_code == 201, created.json
    aws.client("ses").verify_email_identity(EmailAddress="soporte@acme.example.com")
    channel = get_channel(tenant, created.json["id"])
    at = now() - timedelta(hours=1)
    for n, (subject, msgid) in enumerate(
        [("Problema con mi pedido", "CAF-1@mail.example.com"),
         ("Re: Problema con mi pedido", "CAF-2@mail.example.com")]
    ):  # fmt: skip
        ingest_message(channel, InboundMessage(
            channel_type="email", account_id=channel.account_id, provider_message_id=msgid,
            sender_id="ana@example.com", sender_name="Ana", subject=subject, text="¿Y mi pedido?",
            sent_at=at + timedelta(minutes=n)))  # fmt: skip
    message = queue_outbound(channel, 1, "Hola Ana,\n\nsale hoy.", now())
    run_effects()  # its record puts it on the outbound queue

    deliver(*receive())

    sent = Message.get(message.PK, message.SK)
    assert sent.status == "sent" and sent.provider_message_id.endswith("@email.amazonses.com")
    [eml] = sorted((tmp_path / "mail").glob(f"*{message.message_id}*.eml"))
    mime = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert mime["To"] == "ana@example.com"
    assert mime["Subject"] == "Re: Problema con mi pedido"
    assert mime["In-Reply-To"] == "<CAF-2@mail.example.com>"
    assert mime["References"] == "<CAF-1@mail.example.com> <CAF-2@mail.example.com>"
    reset_settings()
