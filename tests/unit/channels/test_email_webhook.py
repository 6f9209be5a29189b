"""Inbound email through SES and SNS: signed notifications only, threading kept."""

import json

import pytest

from chalicelib.settings import reset_settings
from tests.support.payloads import fixture_text
from tests.support.queues import queue_depth, run_inbound_worker
from tests.support.tickets_read import messages_of, open_tickets


def unsigned(name):
    """A fixture as a curl user would post it locally: no signature, our own domain."""
    message = json.loads(fixture_text(f"ses/{name}").replace("acme.example", "acme.example.com"))
    for field in ("Signature", "SignatureVersion", "SigningCertURL"):
        message.pop(field, None)
    return json.dumps(message)


@pytest.fixture
def inbox(world, admin):
    created = world.call(
        "POST",
        "/v1/channels",
        admin,
        {
            "type": "email",
            "name": "Soporte",
            "identifiers": {"address": "support@acme.example.com"},
        },
    )
    assert created.status_code == 201, created.json
    return world.call("GET", "/v1/me", admin).json["tenant"]["id"]


@pytest.fixture
def unsigned_allowed(monkeypatch):
    monkeypatch.setenv("ATIENDE_SNS_ALLOW_UNSIGNED", "true")
    reset_settings()
    yield
    monkeypatch.delenv("ATIENDE_SNS_ALLOW_UNSIGNED")
    reset_settings()


def post(world, body):
    return world.api.post(
        "/webhooks/email", headers={"Content-Type": "text/plain; charset=UTF-8"}, body=body
    )


def test_an_unsigned_notification_is_refused_unless_the_local_switch_is_on(world, inbox):
    assert post(world, unsigned("notification_first_message.json")).status_code == 401
    assert queue_depth("inbound") == 0


def test_an_email_and_its_reply_land_in_one_ticket(world, inbox, unsigned_allowed):
    first = post(world, unsigned("notification_first_message.json"))
    assert first.status_code == 200, first.body
    assert post(world, unsigned("notification_reply.json")).status_code == 200
    assert post(world, unsigned("notification_reply.json")).status_code == 200  # SNS retried
    run_inbound_worker()
    [ticket] = open_tickets(inbox)
    messages = list(messages_of(inbox, ticket.number))
    assert len(messages) == 2
    first = messages[0]
    assert (
        first.subject
        and first.attachments
        and first.attachments[0]["s3_key"].startswith("inbound/email/")
    )


def test_garbage_is_a_400(world, inbox):
    assert post(world, "not json").status_code == 400
