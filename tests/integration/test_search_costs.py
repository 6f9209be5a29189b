"""What a search costs, counted against DynamoDB Local (SPEC §4 budgets).

Budget: a search by number, by email or by RUT is at most 2 requests (number: the
ticket and its client; email / RUT: one Query of the client lookup index, one
BatchGetItem of the tickets). A name search is reported, not budgeted: one Query of
the name index plus a BatchGetItem of clients and one of tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.channels.events import InboundMessage
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect
from chalicelib.domain.helpdesk.clients import update_client
from chalicelib.domain.helpdesk.search import index_new_client, search_tickets
from chalicelib.domain.inbound.ingest import client_id_for, ingest_message
from chalicelib.store import keys
from chalicelib.store.helpdesk import Client
from chalicelib.store.meter import measure

pytestmark = pytest.mark.ddb_local
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def desk():
    tenant, user = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                          first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                          password="correct horse battery")  # fmt: skip
    admin = Principal(tenant.tenant_id, user.user_id, "admin", frozenset(), "s", user)
    channel = connect(
        admin, "email", "Soporte", {"address": "soporte@acme.example.com"}, None, None
    )
    for n in range(30):  # other clients, so an index partition is not the whole tenant
        sender = f"cliente{n}@example.com"
        outcome = ingest_message(channel, InboundMessage(
            channel_type="email", account_id=channel.account_id, provider_message_id=f"<{n}@x>",
            sender_id=sender, sender_name=f"Cliente {n} Pérez", text="hola",
            sent_at=START + timedelta(minutes=n)))  # fmt: skip
        client_key = keys.client_pk(admin.tenant_id, client_id_for(channel.channel_id, sender))
        index_new_client(Client.get(client_key, keys.client_sk()))
        assert outcome.new_client
    update_client(admin, client_id_for(channel.channel_id, "cliente7@example.com"),
                  {"rut": "12.345.678-5"})  # fmt: skip
    return admin


@pytest.mark.parametrize(
    "criterion", [{"number": 8}, {"email": "Cliente7@Example.com"}, {"rut": "123456785"}]
)
def test_a_search_by_number_email_or_rut_is_at_most_two_requests(desk, criterion):
    with measure() as meter:
        hits = search_tickets(desk, **criterion)
    assert [h.ticket.number for h in hits] == [8], criterion
    assert hits[0].client is not None and hits[0].client.email == "cliente7@example.com"
    print(criterion, meter.summary())
    assert meter.requests <= 2, meter.summary()


def test_a_search_by_name_reads_one_index_partition(desk):
    with measure() as meter:
        hits = search_tickets(desk, name="pérez 17")
    assert [h.ticket.number for h in hits] == [18]
    print("name:", meter.summary())
    assert meter.count("Query") == 1 and meter.requests == 3, meter.summary()
