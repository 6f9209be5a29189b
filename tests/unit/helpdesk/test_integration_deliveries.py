"""A webhook's "send test" (a signed ping) and its delivery log (SPEC §4 "Integrations").

The ping travels the same queue and delivery path as the account's events; every
attempt, of a ping or an event, leaves one line in the webhook's log, newest first."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime

import pytest

import app
from chalicelib import aws
from chalicelib.domain.integrations import emit
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.integrations import DeliveryAttempt
from devstack.lambda_events import LambdaContext, sqs_event
from tests.support.fakes import FakeProvider, serving
from tests.support.roles import every_role

SECRET = "whsec_planted-Secret-4f9c2a7d1e8b"


@pytest.fixture
def fake():
    with serving(FakeProvider()) as server:
        yield server


def webhook(world, token, url, events=("ticket.created",), **body):
    created = world.call(
        "POST", "/v1/integrations", token, {"url": url, "events": list(events), **body}
    )
    assert created.status_code == 201, created.json
    return created.json


def run_batch():
    """One batch to the consumer, as Lambda would; failed records come back at once."""
    sqs = aws.client("sqs")
    url = aws.queue_url("integrations")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    received = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
    ).get("Messages", [])
    if not received:
        return []
    result = app.deliver_integrations(
        sqs_event(received, arn, get_settings().region), LambdaContext("deliver_integrations")
    )
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    for message in received:
        if message["MessageId"] in failed:
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        else:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return received


def drain(rounds: int = 10) -> None:
    for _ in range(rounds):
        if not run_batch():
            return


def log_of(world, token, hook_id, query=""):
    answer = world.call("GET", f"/v1/integrations/{hook_id}/deliveries{query}", token)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_send_test_delivers_a_signed_ping_that_the_log_shows(world, admin, tenant, fake):
    hook = webhook(world, admin, fake.url + "/hook", secret=SECRET, active=False)
    fake.queue("/hook", 200, {"ok": True})

    sent = world.call("POST", f"/v1/integrations/{hook['id']}/test", admin)
    assert sent.status_code == 202, sent.json
    assert sent.json["event"] == "ping"
    drain()

    [request] = fake.to("/hook")  # paused webhooks get tests too: it is how one tries it
    assert request.headers["x-atiende-event"] == "ping"
    assert request.headers["x-atiende-delivery"] == sent.json["delivery_id"]
    assert request.headers["x-atiende-signature"].startswith("sha256=")
    payload = json.loads(request.body)
    assert (payload["event"], payload["tenant_id"]) == ("ping", tenant)
    assert payload["data"] == {"test": True, "integration_id": hook["id"]}

    [line] = log_of(world, admin, hook["id"])["items"]
    assert line["delivery_id"] == sent.json["delivery_id"]
    assert (line["event"], line["status"], line["response_code"], line["attempt"]) == (
        "ping",
        "delivered",
        200,
        1,
    )
    assert line["error"] is None and line["duration_ms"] >= 0 and line["at"]
    state = world.call("GET", f"/v1/integrations/{hook['id']}", admin).json
    assert (state["last_status"], state["last_response_code"]) == ("delivered", 200)


def test_the_log_shows_a_delivered_a_retried_and_a_failed_delivery(world, admin, tenant, fake):
    hook = webhook(world, admin, fake.url + "/hook", secret=SECRET)
    fake.queue("/hook", 200)  # the first event
    fake.queue("/hook", 500)  # the second, first attempt
    fake.queue("/hook", 200)  # ... and its retry
    fake.queue("/hook", 404)  # the third: refused, not retried

    emit(tenant, "ticket.created", {"ticket": 1})
    drain()
    time.sleep(0.002)
    emit(tenant, "ticket.created", {"ticket": 2})
    drain()
    time.sleep(0.002)
    emit(tenant, "ticket.created", {"ticket": 3})
    drain()
    assert len(fake.to("/hook")) == 4

    lines = log_of(world, admin, hook["id"])["items"]
    assert [(x["status"], x["response_code"], x["attempt"]) for x in lines] == [
        ("failed", 404, 1),
        ("delivered", 200, 2),
        ("retrying", 500, 1),
        ("delivered", 200, 1),
    ]
    assert lines[1]["delivery_id"] == lines[2]["delivery_id"]  # one event, two attempts
    assert lines[2]["error"] == "HTTP 500 Internal Server Error"
    assert all(x["event"] == "ticket.created" for x in lines)
    delivered = [json.loads(r.body)["id"] for r in fake.to("/hook")]
    assert [x["delivery_id"] for x in reversed(lines)] == delivered

    first = log_of(world, admin, hook["id"], "?limit=3")
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = log_of(world, admin, hook["id"], f"?limit=3&cursor={first['next_cursor']}")
    assert rest["items"] == lines[3:] and rest["next_cursor"] is None


def test_a_log_line_expires_and_holds_neither_the_secret_nor_the_body(world, admin, tenant, fake):
    hook = webhook(world, admin, fake.url + "/hook", secret=SECRET)
    fake.queue("/hook", 200)
    emit(tenant, "ticket.created", {"ticket": 1, "text": "a client's private words"})
    drain()
    [item] = DeliveryAttempt.query(keys.delivery_log_pk(tenant, hook["id"]))
    stored = json.dumps(item.serialize())
    assert SECRET not in stored and "private words" not in stored
    assert 29 * 86400 < item.expires_at - time.time() <= 30 * 86400


def test_only_admins_send_tests_or_read_the_log(world, admin, fake):
    hook = webhook(world, admin, fake.url + "/hook")
    tokens = every_role(world, admin)
    for role, token in tokens.items():
        sent = world.call("POST", f"/v1/integrations/{hook['id']}/test", token)
        read = world.call("GET", f"/v1/integrations/{hook['id']}/deliveries", token)
        expected = (202, 200) if role == "admin" else (403, 403)
        assert (sent.status_code, read.status_code) == expected, role
    assert world.call("POST", f"/v1/integrations/{hook['id']}/test").status_code == 401


def test_another_tenant_neither_tests_nor_reads_the_log(world, admin, tenant, fake):
    hook = webhook(world, admin, fake.url + "/hook")
    fake.queue("/hook", 200)
    world.call("POST", f"/v1/integrations/{hook['id']}/test", admin)
    drain()
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    for method, suffix in (("POST", "/test"), ("GET", "/deliveries")):
        answer = world.call(method, f"/v1/integrations/{hook['id']}{suffix}", other)
        assert answer.status_code == 404, (method, suffix)
    assert len(fake.to("/hook")) == 1
    # a cursor of one webhook's log is refused on another's
    second = webhook(world, admin, fake.url + "/other")
    fake.queue("/hook", 200)
    world.call("POST", f"/v1/integrations/{hook['id']}/test", admin)
    drain()
    cursor = log_of(world, admin, hook["id"], "?limit=1")["next_cursor"]
    assert cursor
    wrong = world.call("GET", f"/v1/integrations/{second['id']}/deliveries?cursor={cursor}", admin)
    assert wrong.status_code == 400


def test_unknown_webhooks_are_404(world, admin):
    for method, suffix in (("POST", "/test"), ("GET", "/deliveries")):
        answer = world.call(method, f"/v1/integrations/01nosuchwebhook{suffix}", admin)
        assert answer.status_code == 404, (method, suffix)
        assert answer.json["error"]["code"]


def test_no_answer_and_the_last_failed_attempt_are_logged(world, admin, tenant, fake):
    from chalicelib.domain.integrations import DeliverMessage
    from chalicelib.jobs import integrations as job

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    silent = webhook(world, admin, f"http://127.0.0.1:{port}/hook")
    message = DeliverMessage(
        delivery_id="d-1",
        integration_id=silent["id"],
        tenant_id=tenant,
        event="ticket.created",
        created_at=datetime.now(UTC),
        data={},
    )
    with pytest.raises(job.DeliveryFailed):
        job.deliver(message, attempt=1)
    [line] = log_of(world, admin, silent["id"])["items"]
    assert (line["status"], line["response_code"], line["attempt"]) == ("retrying", None, 1)
    assert line["error"].startswith("no answer")

    failing = webhook(world, admin, fake.url + "/down")
    fake.queue("/down", 503)
    last = message.model_copy(update={"integration_id": failing["id"]})
    with pytest.raises(job.DeliveryFailed):
        job.deliver(last, attempt=job.MAX_RECEIVES)
    [line] = log_of(world, admin, failing["id"])["items"]
    assert (line["status"], line["response_code"], line["attempt"]) == ("failed", 503, 5)
