"""The ticket shows the time left to each pending deadline (SPEC §5): seconds, negative
once overdue; a met deadline leaves the list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.desk import Desk, World


@pytest.fixture
def desk(api, mailbox, frozen_clock):
    return Desk(World(api, mailbox))


def test_the_ticket_shows_the_time_left_to_each_pending_deadline(desk, frozen_clock):
    changed = desk.call("PATCH", f"/v1/channels/{desk.channel_id}", desk.admin, {"settings": {
        "sla": {"first_response_minutes": 30, "resolution_minutes": 240}}})  # fmt: skip
    assert changed.status_code == 200, changed.json
    desk.client_writes()
    view = desk.call("GET", "/v1/tickets/1", desk.admin).json
    assert view["sla_time_left"] == {"first_response": 30 * 60, "resolution": 240 * 60}

    frozen_clock.advance(timedelta(minutes=31))
    token = desk.call("POST", "/v1/auth/login", body={
        "email": "ana@acme.example.com", "password": "correct horse battery"}).json["access_token"]  # fmt: skip
    view = desk.call("GET", "/v1/tickets/1", token).json
    assert view["sla_time_left"] == {"first_response": -60, "resolution": 209 * 60}

    answered = desk.call("POST", "/v1/tickets/1/messages", token, {"text": "¡Hola!"})
    assert answered.status_code == 201, answered.json
    view = desk.call("GET", "/v1/tickets/1", token).json
    assert view["sla_time_left"] == {"resolution": 209 * 60}


def test_a_ticket_without_targets_shows_no_deadline(desk):
    desk.client_writes()
    assert desk.call("GET", "/v1/tickets/1", desk.admin).json["sla_time_left"] == {}
