"""Outgoing webhooks (SPEC §4 "Integrations"): registered by admins, signed, delivered
from the integrations queue with retries, to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import app
from chalicelib import aws
from chalicelib.domain.integrations import EVENTS, check_url, emit
from chalicelib.settings import get_settings
from chalicelib.store.meter import measure
from devstack.lambda_events import LambdaContext, sqs_event
from devstack.worker import deliver_once, sqs_consumers
from tests.support.roles import every_role, roles_allowed, walk_routes_by_role

PLANTED = "whsec_planted-Secret-4f9c2a7d1e8b"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "integrations.md"


# --- a webhook receiver ---------------------------------------------------------------
class Receiver:
    """A real HTTP server: records every POST, answers each path from a script (200 after)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: dict[str, list[int]] = {}
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                time.sleep(receiver.delay)
                answers = receiver.script.get(self.path) or [200]
                status = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/elsewhere"))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


# --- the world -------------------------------------------------------------------------
def create(world, token, url, events=("ticket.created",), **body):
    return world.call(
        "POST", "/v1/integrations", token, {"url": url, "events": list(events), **body}
    )


def webhook(world, token, url, events=("ticket.created",), **body):
    created = create(world, token, url, events, **body)
    assert created.status_code == 201, created.json
    return created.json


# --- the queue, as Lambda and the local worker feed it -----------------------------------
def queue() -> tuple[Any, str, str]:
    sqs = aws.client("sqs")
    url = aws.queue_url("integrations")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return sqs, url, arn


def run_batch() -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One batch to the consumer, as Lambda would; the failed ones come back at once (as
    they would after the visibility timeout)."""
    sqs, url, arn = queue()
    received = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
    ).get("Messages", [])
    if not received:
        return [], None
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
    return received, result


def drain(rounds: int = 10) -> None:
    for _ in range(rounds):
        received, _ = run_batch()
        if not received:
            return


def kinds(messages: list[dict[str, Any]]) -> list[str]:
    return sorted(json.loads(m["Body"])["type"] for m in messages)


def queued() -> int:
    sqs, url, _ = queue()
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def documented_verify():
    """The receiver's check, exactly as docs/integrations.md prints it."""
    text = DOCS.read_text()
    section = text[text.index("## Verifying a delivery") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace["verify"]


# --- delivery ------------------------------------------------------------------------------
def test_an_event_reaches_the_webhook_signed_through_the_local_worker(
    world, admin, tenant, receiver
):
    hook = webhook(world, admin, receiver.url("/hook"), secret=PLANTED)
    [(source, handler)] = [
        (s, h)
        for s, h in sqs_consumers(app)
        if s.queue == get_settings().queue_name("integrations")
    ]
    assert source.name == "deliver_integrations" and source.batch_size == 10

    emit(tenant, "ticket.created", {"ticket": {"number": 7, "channel": "whatsapp"}})
    while deliver_once(source, handler, wait_seconds=0):
        pass

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hook"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Atiende-Event"] == "ticket.created"
    timestamp = headers["X-Atiende-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(PLANTED.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Atiende-Signature"] == "sha256=" + expected.hexdigest()
    payload = json.loads(body)
    assert set(payload) == {"id", "event", "tenant_id", "created_at", "data"}
    assert payload["id"] == headers["X-Atiende-Delivery"]
    assert (payload["event"], payload["tenant_id"]) == ("ticket.created", tenant)
    assert payload["data"] == {"ticket": {"number": 7, "channel": "whatsapp"}}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", payload["created_at"])

    verify = documented_verify()
    assert verify(PLANTED, headers, body, now=int(timestamp) + 299)
    assert not verify(PLANTED, headers, body, now=int(timestamp) + 301)  # a replay
    assert not verify(PLANTED, headers, body.replace(b"7", b"8"), now=int(timestamp))
    assert not verify("whsec_another-secret-entirely", headers, body, now=int(timestamp))

    seen = world.call("GET", f"/v1/integrations/{hook['id']}", admin).json
    assert (seen["last_status"], seen["last_response_code"], seen["last_error"]) == (
        "delivered",
        200,
        None,
    )
    assert seen["last_delivery_at"]
    assert queued() == 0


def test_emitting_reads_nothing_and_queues_one_message(tenant):
    with measure() as meter:
        emit(tenant, "message.received", {"ticket": 1, "message": "01abc"})
    assert meter.requests == 0
    received, _ = run_batch()
    assert kinds(received) == ["emit"]
    with pytest.raises(ValueError, match="unknown integration event"):
        emit(tenant, "ticket.deleted", {})


def test_a_server_error_is_retried_alone_with_the_same_delivery_id(world, admin, tenant, receiver):
    failing = webhook(world, admin, receiver.url("/failing"))
    webhook(world, admin, receiver.url("/fine"))
    receiver.script["/failing"] = [500, 200]
    emit(tenant, "ticket.created", {"ticket": 1})
    fan_out, _ = run_batch()
    assert kinds(fan_out) == ["emit"]

    deliveries, result = run_batch()
    assert kinds(deliveries) == ["deliver", "deliver"]
    [failed] = result["batchItemFailures"]
    [failed_message] = [m for m in deliveries if m["MessageId"] == failed["itemIdentifier"]]
    assert json.loads(failed_message["Body"])["integration_id"] == failing["id"]
    state = world.call("GET", f"/v1/integrations/{failing['id']}", admin).json
    assert (state["last_status"], state["last_response_code"]) == ("retrying", 500)
    assert state["last_error"] == "HTTP 500 Internal Server Error"

    retried, result = run_batch()
    assert [m["MessageId"] for m in retried] == [failed["itemIdentifier"]]
    assert result["batchItemFailures"] == []
    assert sorted(receiver.paths()) == ["/failing", "/failing", "/fine"]
    first, again = [r for r in receiver.requests if r["path"] == "/failing"]
    assert first["headers"]["X-Atiende-Delivery"] == again["headers"]["X-Atiende-Delivery"]
    assert first["body"] == again["body"]
    state = world.call("GET", f"/v1/integrations/{failing['id']}", admin).json
    assert (state["last_status"], state["last_response_code"]) == ("delivered", 200)
    assert queued() == 0


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_and_unavailability_are_retried(world, admin, tenant, receiver, status):
    webhook(world, admin, receiver.url("/busy"))
    receiver.script["/busy"] = [status, 204]
    emit(tenant, "ticket.created", {})
    drain()
    assert receiver.paths() == ["/busy", "/busy"]


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
def test_a_refusal_is_not_retried(world, admin, tenant, receiver, status):
    hook = webhook(world, admin, receiver.url("/refuses"))
    receiver.script["/refuses"] = [status]
    emit(tenant, "ticket.created", {})
    run_batch()
    _, result = run_batch()
    assert result["batchItemFailures"] == []
    drain()
    assert receiver.paths() == ["/refuses"]  # a redirect is not followed either
    assert queued() == 0
    state = world.call("GET", f"/v1/integrations/{hook['id']}", admin).json
    assert (state["last_status"], state["last_response_code"]) == ("failed", status)


def test_no_answer_is_retried(world, admin, tenant):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = webhook(world, admin, f"http://127.0.0.1:{port}/gone")
    emit(tenant, "ticket.created", {})
    run_batch()
    _, result = run_batch()
    assert len(result["batchItemFailures"]) == 1
    state = world.call("GET", f"/v1/integrations/{hook['id']}", admin).json
    assert state["last_status"] == "retrying" and state["last_response_code"] is None
    assert state["last_error"].startswith("no answer")


def test_after_five_failed_attempts_the_delivery_is_dead_lettered(
    world, admin, tenant, receiver, caplog
):
    webhook(world, admin, receiver.url("/down"))
    receiver.script["/down"] = [503]
    sqs, url, _ = queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    [(source, handler)] = [
        (s, h) for s, h in sqs_consumers(app) if s.name == "deliver_integrations"
    ]
    emit(tenant, "ticket.created", {})
    for _ in range(10):
        deliver_once(source, handler, wait_seconds=0)
    assert receiver.paths() == ["/down"] * 5
    assert len({r["headers"]["X-Atiende-Delivery"] for r in receiver.requests}) == 1
    dead = sqs.receive_message(QueueUrl=aws.queue_url("integrations-dlq")).get("Messages", [])
    assert kinds(dead) == ["deliver"]
    [last] = [r for r in caplog.records if "dead-letter queue" in r.getMessage()]
    assert (last.levelname, last.attempt, last.status, last.reason) == (
        "ERROR",
        5,
        503,
        "HTTP 503 Service Unavailable",
    )


def test_only_active_subscribed_webhooks_hear_an_event(world, admin, tenant, receiver):
    webhook(world, admin, receiver.url("/listens"), events=["message.received", "sla.breached"])
    webhook(world, admin, receiver.url("/paused"), events=["message.received"], active=False)
    webhook(world, admin, receiver.url("/other-event"), events=["ticket.created"])
    paused_later = webhook(world, admin, receiver.url("/paused-later"), events=EVENTS)
    deleted_later = webhook(world, admin, receiver.url("/deleted-later"), events=EVENTS)
    emit(tenant, "message.received", {"message": "01abc"})
    run_batch()  # fanned out to the three listening at that moment
    world.call("PATCH", f"/v1/integrations/{paused_later['id']}", admin, {"active": False})
    world.call("DELETE", f"/v1/integrations/{deleted_later['id']}", admin)
    drain()
    assert receiver.paths() == ["/listens"]
    assert queued() == 0


def test_a_tenant_never_hears_another_tenants_events(world, admin, tenant, receiver):
    webhook(world, admin, receiver.url("/a"), events=EVENTS)
    other = world.signup(company="Otra", email="bea@otra.example.com")
    webhook(world, other["access_token"], receiver.url("/b"), events=EVENTS)
    emit(tenant, "ticket.assigned", {"ticket": 1})
    drain()
    assert receiver.paths() == ["/a"]
    emit(other["tenant"]["id"], "ticket.assigned", {"ticket": 1})
    drain()
    assert receiver.paths() == ["/a", "/b"]
    assert [json.loads(r["body"])["tenant_id"] for r in receiver.requests] == [
        tenant,
        other["tenant"]["id"],
    ]


def test_a_batch_of_slow_receivers_is_delivered_side_by_side(world, admin, tenant, receiver):
    for i in range(4):
        webhook(world, admin, receiver.url(f"/slow-{i}"))
    receiver.delay = 1.0
    emit(tenant, "ticket.created", {})
    run_batch()
    started = time.monotonic()
    deliveries, result = run_batch()
    elapsed = time.monotonic() - started
    assert len(deliveries) == 4 and result["batchItemFailures"] == []
    assert elapsed < 3.0, elapsed  # one after the other would take 4 s


# --- the secret ----------------------------------------------------------------------------
def test_a_generated_secret_is_shown_once_and_signs_the_deliveries(world, admin, tenant, receiver):
    created = create(world, admin, receiver.url("/hook"))
    secret = created.json["secret"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret)
    path = f"/v1/integrations/{created.json['id']}"
    for response in (
        world.call("GET", path, admin),
        world.call("GET", "/v1/integrations", admin),
        world.call("GET", path + "/history", admin),
        world.call("PATCH", path, admin, {"description": "CRM"}),
    ):
        assert response.status_code == 200
        assert secret not in response.body.decode()
        assert '"secret"' not in response.body.decode()
    chosen = create(world, admin, receiver.url("/mine"), secret=PLANTED)
    assert chosen.status_code == 201 and chosen.json["secret"] is None
    emit(tenant, "ticket.created", {})
    drain()
    verify = documented_verify()
    by_path = {r["path"]: r for r in receiver.requests}
    for path, key in (("/hook", secret), ("/mine", PLANTED)):
        request = by_path[path]
        assert verify(key, request["headers"], request["body"])


def test_the_secret_never_appears_in_an_answer_a_log_or_a_queued_message(
    world, admin, tenant, receiver, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    for noisy in ("botocore", "pynamodb", "urllib3", "chalicelib"):
        caplog.set_level(logging.DEBUG, logger=noisy)
    replaced = PLANTED + "-rotated"
    answers = []
    created = create(world, admin, receiver.url("/hook"), secret=PLANTED)
    path = f"/v1/integrations/{created.json['id']}"
    answers += [
        created,
        world.call("GET", path, admin),
        world.call("PATCH", path, admin, {"secret": replaced, "description": "rotated"}),
        world.call("PATCH", path, admin, {"secret": "short"}),  # refused: 400
        world.call("POST", "/v1/integrations", admin, {"url": "ftp://x", "secret": PLANTED}),
        world.call("GET", "/v1/integrations", admin),
        world.call("GET", path + "/history", admin),
    ]
    sqs, url, _ = queue()
    queued_bodies = []
    receiver.script["/hook"] = [500, 400]
    for _ in range(3):
        emit(tenant, "ticket.created", {"n": 1})
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        queued_bodies += [m["Body"] for m in received]
        for m in received:
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
            )
        drain()
    assert len(receiver.requests) >= 3  # delivered, failed and refused, signed each time
    assert [a.status_code for a in answers] == [201, 200, 200, 400, 400, 200, 200]
    history = answers[-1].json["items"]
    assert [h["action"] for h in history] == ["updated", "created"]
    assert set(history[0]["after"]) == {"description", "secret_updated_at"}
    everything = "\n".join(
        [a.body.decode() for a in answers]
        + queued_bodies
        + [json.dumps(vars(r), default=str) for r in caplog.records]
        + [capsys.readouterr().out, capsys.readouterr().err]
    )
    assert caplog.records
    assert PLANTED not in everything
    assert "planted-Secret" not in everything


# --- registering webhooks -----------------------------------------------------------------
def test_a_webhook_is_created_listed_edited_and_deleted(world, admin, receiver):
    hook = webhook(
        world,
        admin,
        receiver.url("/hook"),
        events=["sla.breached", "ticket.created", "ticket.created"],
        description="CRM",
    )
    assert (hook["events"], hook["active"], hook["description"]) == (
        ["ticket.created", "sla.breached"],
        True,
        "CRM",
    )
    assert hook["last_status"] is None and hook["last_delivery_at"] is None
    path = f"/v1/integrations/{hook['id']}"
    listed = world.call("GET", "/v1/integrations", admin).json["items"]
    assert [i["id"] for i in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    edited = world.call(
        "PATCH", path, admin, {"events": ["comment.created"], "active": False, "description": ""}
    )
    assert edited.status_code == 200, edited.json
    assert (edited.json["events"], edited.json["active"], edited.json["description"]) == (
        ["comment.created"],
        False,
        None,
    )
    assert edited.json["secret_updated_at"] == hook["secret_updated_at"]
    rotated = world.call("PATCH", path, admin, {"secret": "a-new-secret-of-sufficient-length"})
    assert rotated.json["secret_updated_at"] > hook["secret_updated_at"]
    history = world.call("GET", path + "/history", admin).json["items"]
    assert [h["action"] for h in history] == ["updated", "updated", "created"]
    assert world.call("DELETE", path, admin).status_code == 204
    assert world.call("GET", path, admin).status_code == 404
    assert world.call("DELETE", path, admin).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://example.com/hook"}, "url"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "https://user:pw@example.com/hook"}, "url"),
        ({"url": "https:///hook"}, "url"),
        ({"url": "https://example.com:99999/hook"}, "url"),
        ({"url": "https://example.com/" + "a" * 2048}, "url"),
        ({"events": []}, "events"),
        ({"events": ["ticket.deleted"]}, "events"),
        ({"secret": "too-short"}, "secret"),
        ({"description": "x" * 501}, "description"),
        ({"active": "maybe"}, "active"),
        ({"headers": {"X": "1"}}, "headers"),
    ],
)
def test_bad_webhooks_are_refused_with_the_field_named(world, admin, body, field):
    full = {"url": "https://hooks.example.com/atiende", "events": ["ticket.created"], **body}
    refused = world.call("POST", "/v1/integrations", admin, full)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["code"] == "validation_error"
    assert refused.json["error"]["details"][0]["loc"][:2] == ["body", field]
    assert world.call("GET", "/v1/integrations", admin).json["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/atiende?token=abc",
        "https://hooks.example.com:8443/x",
        "http://127.0.0.1:8080/hook",  # the test stage is local
        "http://localhost/hook",
    ],
)
def test_https_urls_and_local_http_are_accepted(world, admin, url):
    assert create(world, admin, url).status_code == 201


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://hooks.example.com/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://api.localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_a_deployed_stage_posts_only_over_https_to_public_hosts(url):
    with pytest.raises(ValueError):
        check_url(url, local=False)


def test_a_deployed_stage_accepts_public_https():
    assert check_url("https://8.8.8.8/hook", local=False)
    assert check_url("https://hooks.example.com/a?b=c", local=False)


def test_an_account_has_at_most_ten_webhooks(world, admin):
    made = [webhook(world, admin, f"https://hooks.example.com/{i}") for i in range(10)]
    refused = create(world, admin, "https://hooks.example.com/11")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "integration_limit"
    assert "at most 10 webhooks" in refused.json["error"]["message"]
    assert len(world.call("GET", "/v1/integrations?limit=100", admin).json["items"]) == 10
    assert world.call("DELETE", f"/v1/integrations/{made[0]['id']}", admin).status_code == 204
    assert create(world, admin, "https://hooks.example.com/11").status_code == 201
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    assert create(world, other, "https://hooks.example.com/b").status_code == 201


def test_only_admins_see_or_change_webhooks(world, admin):
    assert roles_allowed("integrations.read") == {"admin"}
    assert roles_allowed("integrations.manage") == {"admin"}
    tokens = every_role(world, admin)
    hook = webhook(world, admin, "https://hooks.example.com/a")
    walk_routes_by_role(
        world,
        tokens,
        "/v1/integrations",
        hook["id"],
        create_body={"url": "https://hooks.example.com/b", "events": ["ticket.merged"]},
        patch_body={"active": False},
        readers={"admin"},
        history_readers={"admin"},  # not supervisors: a webhook is admin-only
    )


def test_another_tenant_neither_sees_nor_touches_the_webhooks(world, admin):
    hook = webhook(world, admin, "https://hooks.example.com/a", description="CRM de A")
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    listed = world.call("GET", "/v1/integrations", other)
    assert listed.json["items"] == [] and hook["id"] not in listed.body.decode()
    path = f"/v1/integrations/{hook['id']}"
    for method, body in (("GET", None), ("PATCH", {"active": False}), ("DELETE", None)):
        assert world.call(method, path, other, body).status_code == 404, method
    assert world.call("GET", path + "/history", other).status_code == 404
    unchanged = {k: v for k, v in hook.items() if k != "secret"}
    assert world.call("GET", path, admin).json == unchanged


def test_the_webhook_form_offers_every_event_and_no_other():
    import re
    from pathlib import Path

    source = Path(__file__).resolve().parents[3] / "web/src/admin/integrations/events.js"
    groups = source.read_text().split("export const EVENT_GROUPS", 1)[1].split("];", 1)[0]
    offered = set(re.findall(r"'([a-z]+\.[a-z_]+)'", groups))
    assert offered == set(EVENTS)
