"""What the help desk's hot paths cost, counted against DynamoDB Local (SPEC §4 budgets):
a ticket view with its last 50 messages is at most 3 requests; a reply at most 4 WCU
before the outbound worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.channels.events import InboundMessage
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect
from chalicelib.domain.helpdesk.replies import reply
from chalicelib.domain.helpdesk.timeline import ticket_with_latest
from chalicelib.domain.inbound.ingest import ingest_message
from chalicelib.store import keys
from chalicelib.store.helpdesk import AgentState
from chalicelib.store.meter import measure

pytestmark = pytest.mark.ddb_local
PHONE = "106540352242922"


@pytest.fixture
def desk():
    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": PHONE, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip
    AgentState(keys.tenant_pk(tenant.tenant_id), keys.agent_state_sk(admin.user_id),
               tenant_id=tenant.tenant_id, user_id=admin.user_id, presence="online",
               auto_assign=True, channels=[channel.channel_id], updated_at=now()).save()  # fmt: skip
    return principal, channel


def message(n: int) -> InboundMessage:
    return InboundMessage(channel_type="whatsapp", account_id=PHONE, provider_message_id=f"wamid.{n}",
                          sender_id="56912345678", sender_name="María", text=f"mensaje {n}",
                          sent_at=now() - timedelta(minutes=90) + timedelta(seconds=n))  # fmt: skip


def test_a_ticket_with_its_last_50_messages_is_one_query(desk):
    principal, channel = desk
    for n in range(60):
        ingest_message(channel, message(n))
    with measure() as meter:
        ticket, latest = ticket_with_latest(principal.tenant_id, 1, 50)
    assert ticket is not None and len(latest) == 50
    assert [m.text for m in latest][-1] == "mensaje 59"
    assert meter.requests <= 3 and meter.count("Query") == 1, meter.summary()


def test_a_reply_stays_within_budget(desk):
    principal, channel = desk
    outcome = ingest_message(channel, message(1))
    assert outcome.assignee_id == principal.user_id
    reply(principal, 1, text="primera", public=False)  # the first answer (first response time)
    with measure() as meter:
        sent = reply(principal, 1, text="¡Hola! 😊", public=False)
    assert sent.status == "queued"
    print("reply:", meter.summary())
    assert meter.write_units <= 4, meter.summary()


def test_the_first_reply_also_stays_within_budget(desk):
    principal, channel = desk
    ingest_message(channel, message(1))
    with measure() as meter:
        reply(principal, 1, text="¡Hola! 😊", public=False)
    assert meter.write_units <= 4, meter.summary()


def test_a_first_message_with_sla_targets_and_an_assignee_stays_within_budget(desk):
    from chalicelib.domain.channels.service import get_channel
    from chalicelib.store.channels import Channel

    principal, channel = desk
    Channel(channel.PK, channel.SK).update(actions=[Channel.settings.set(
        {"sla": {"first_response_minutes": 30, "resolution_minutes": 600, "mode": "calendar"}})])  # fmt: skip
    channel = get_channel(principal.tenant_id, channel.channel_id)
    with measure() as meter:
        outcome = ingest_message(channel, message(1))
    assert outcome.new_ticket and outcome.assignee_id == principal.user_id
    ticket, _ = ticket_with_latest(principal.tenant_id, 1, 1)
    assert ticket.sla["first_response_due"] and ticket.DuePK
    assert meter.write_units <= 10, meter.summary()
    assert datetime.now(UTC)  # keeps the import honest
