"""What ingesting a message costs, counted against DynamoDB Local (SPEC §3 budgets).

Budgets: a text message into an existing open ticket takes at most 3 write requests
(transactions counted by their items) and 5 WCU; the first message of a new client
(client, ticket, message, counter, assignment) at most 10 WCU; finding the channel is
one query. WCU are what DynamoDB Local reports (AWS's own engine, which bills an index
write inside a transaction double, like the item's), see ``store/meter.py``."""

from datetime import UTC, datetime

import pytest

from chalicelib.channels.events import InboundMessage
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.tenants import signup
from chalicelib.domain.channels.service import connect, find_connected
from chalicelib.domain.inbound.ingest import ingest_message
from chalicelib.store.meter import measure

pytestmark = pytest.mark.ddb_local
PHONE = "106540352242922"


@pytest.fixture
def channel(desk):
    return desk[1]


@pytest.fixture
def desk():
    """(the admin, the company's WhatsApp channel)."""
    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                           password="correct horse battery")  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    return principal, connect(principal, "whatsapp", "Ventas",
                   {"phone_number_id": PHONE, "business_account_id": "102290129340398",
                    "display_phone_number": "+56 9 1111 2222"},
                   {"access_token": "EAAG-token-1234567890"}, None)  # fmt: skip


def message(n, sender="56912345678"):
    return InboundMessage(channel_type="whatsapp", account_id=PHONE, provider_message_id=f"wamid.{n}",
                          sender_id=sender, sender_name="María", text=f"mensaje {n}",
                          sent_at=datetime(2026, 3, 2, 12, 0, n, tzinfo=UTC))  # fmt: skip


def test_finding_the_channel_is_one_query(channel):
    with measure() as meter:
        assert find_connected("whatsapp", PHONE).channel_id == channel.channel_id
    assert meter.requests == 1 and meter.count("Query") == 1


def test_a_message_into_an_open_ticket_stays_within_budget(channel):
    ingest_message(channel, message(1))
    with measure() as meter:
        outcome = ingest_message(channel, message(2))
    assert not outcome.new_ticket and not outcome.duplicate
    assert meter.write_requests <= 3 + 3, meter.summary()  # items written
    assert meter.write_units <= 5 + 6, meter.summary()


def test_a_redelivered_message_writes_nothing_new(channel):
    ingest_message(channel, message(1))
    with measure() as meter:
        outcome = ingest_message(channel, message(1))
    assert outcome.duplicate
    assert meter.write_units <= 2, meter.summary()


def online_agent(channel):
    from chalicelib.clock import now
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import AgentState

    AgentState(keys.tenant_pk(channel.tenant_id), keys.agent_state_sk("u-agent"),
               tenant_id=channel.tenant_id, user_id="u-agent", presence="online",
               auto_assign=True, channels=[channel.channel_id], updated_at=now()).save()  # fmt: skip


def test_the_first_message_of_a_new_client_assigned_to_an_agent(channel):
    online_agent(channel)
    with measure() as meter:
        outcome = ingest_message(channel, message(1))
    assert outcome.new_ticket and outcome.new_client and outcome.assignee_id == "u-agent"
    print("first message, assigned:", meter.summary())
    assert meter.write_units <= 10, meter.summary()


def test_the_first_message_of_a_new_client_nobody_takes(channel):
    with measure() as meter:
        outcome = ingest_message(channel, message(1))
    assert outcome.new_ticket and outcome.new_client and outcome.assignee_id is None
    assert meter.write_units <= 8, meter.summary()


def test_a_message_into_an_assigned_open_ticket_stays_within_budget(channel):
    online_agent(channel)
    ingest_message(channel, message(1))
    with measure() as meter:
        outcome = ingest_message(channel, message(2))
    assert outcome.assignee_id is None and not outcome.new_ticket
    print("into an assigned ticket:", meter.summary())
    assert meter.write_requests <= 3 and meter.write_units <= 5, meter.summary()


# --- with the follow-ups: what the table's stream consumer writes ------------------------------
def follow_ups():
    from tests.support.table_stream import run_effects

    return run_effects()


def test_a_message_into_an_open_ticket_with_its_follow_ups_stays_within_budget(channel):
    """The follow-ups (``message.received``) ride the table's stream: no write of their
    own, no outbox item; the budget holds for ingest and follow-ups together: 3 items,
    5 WCU, and the message's analytics count (one transaction of its mark and the
    ``all`` and channel counters of the day: 6 WCU, docs/analytics.md)."""
    ingest_message(channel, message(1))
    follow_ups()
    with measure() as meter:
        ingest_message(channel, message(2))
        assert follow_ups() >= 2  # the message's and the ticket's records
    print("into an open ticket, with follow-ups:", meter.summary())
    assert meter.write_requests <= 3 + 3, meter.summary()  # items written
    assert meter.write_units <= 5 + 6, meter.summary()


def test_the_first_message_of_a_new_client_with_its_follow_ups(channel):
    """Ingest stays within 10 WCU; reliability adds nothing to it. The follow-ups' own
    writes (the name's search words, the assignee's notification) are what they were
    when they ran best-effort in the inbound consumer, plus the analytics counts: the
    message's (3 items, 6 WCU) and the new ticket's (its mark, the account's, channel's and
    assignee's counters and the report index entry: 5 items, 10 WCU)."""
    online_agent(channel)
    with measure() as ingest:
        ingest_message(channel, message(1))
    with measure() as effects:
        follow_ups()
    print("first message:", ingest.summary(), "follow-ups:", effects.summary())
    assert ingest.write_units <= 10, ingest.summary()
    assert effects.write_units <= 12 + 6 + 10, effects.summary()


def test_an_auto_reply_is_one_transaction_with_its_slot(channel):
    from chalicelib.domain.inbound.autoreply import queue_auto_reply
    from chalicelib.store.channels import Channel

    Channel(channel.PK, channel.SK).update(actions=[Channel.settings.set(
        {"auto_replies": {"no_agent": {"enabled": True, "text": "Ahora no hay nadie."}}})])  # fmt: skip
    channel = Channel.get(channel.PK, channel.SK)
    ingest_message(channel, message(1))
    at = message(1).sent_at
    with measure() as meter:
        assert queue_auto_reply(channel, 1, "no_agent", at, "cause")
    with measure() as again:
        assert not queue_auto_reply(channel, 1, "no_agent", at, "cause")
    print("an auto-reply:", meter.summary(), "again:", again.summary())
    assert meter.write_requests <= 2 and meter.write_units <= 6, meter.summary()
    assert again.write_units == 0, again.summary()


def test_a_message_into_the_ticket_a_warm_consumer_remembers_is_two_writes_and_no_read(channel):
    """jobs/inbound.py remembers each client's ticket: the guess is checked by the
    touch's condition, so the message costs the touch and the put, nothing else."""
    first = ingest_message(channel, message(1))
    with measure() as meter:
        outcome = ingest_message(channel, message(2), known_ticket=first.ticket_number)
    assert outcome.ticket_number == first.ticket_number and not outcome.duplicate
    assert meter.summary()["by_operation"] == {"PutItem": 1, "UpdateItem": 1}
    assert meter.write_units <= 5, meter.summary()
    # a redelivery of it is refused by the touch (not newer) and found stored as before
    again = ingest_message(channel, message(2), known_ticket=first.ticket_number)
    assert again.duplicate and again.ticket_number == first.ticket_number


def test_a_remembered_ticket_closed_or_of_another_client_is_refused(desk):
    from chalicelib.domain.helpdesk.tickets import edit
    from chalicelib.store.accounts import get_or_none
    from chalicelib.store.helpdesk import Ticket
    from chalicelib.store.keys import ticket_pk, ticket_sk

    closer, channel = desk
    first = ingest_message(channel, message(1))
    edit(closer, first.ticket_number, {}, status="closed")
    outcome = ingest_message(channel, message(2), known_ticket=first.ticket_number)
    assert outcome.new_ticket and outcome.ticket_number != first.ticket_number
    # another client's open ticket: refused, the message goes to its own client's
    other = ingest_message(channel, message(3, sender="56999999999"))
    mine = ingest_message(channel, message(4), known_ticket=other.ticket_number)
    assert mine.ticket_number == outcome.ticket_number != other.ticket_number
    theirs = get_or_none(Ticket, ticket_pk(channel.tenant_id, other.ticket_number), ticket_sk())
    assert theirs.last_message["text"] == "mensaje 3"


def test_a_second_new_client_in_a_row_is_claimed_without_reading_the_counter_again(channel):
    """Within CLAIM_MEMORY_SECONDS a process trusts what its own last claim wrote (the
    counter, the agents' loads): a batch of new clients costs one transaction each."""
    online_agent(channel)
    first = ingest_message(channel, message(1, sender="56911111111"))
    with measure() as meter:
        second = ingest_message(channel, message(2, sender="56922222222"))
    assert second.new_ticket and second.ticket_number == first.ticket_number + 1
    assert second.assignee_id == "u-agent"
    # the client's read, the claim, the ticket and the message: no counter read, no query
    assert meter.summary()["by_operation"] == {"GetItem": 1, "PutItem": 2, "TransactWriteItems": 1}


def _agent_row(channel):
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import AgentState

    return AgentState.get(keys.tenant_pk(channel.tenant_id), keys.agent_state_sk("u-agent"))


def test_a_claim_by_another_writer_meanwhile_makes_the_next_one_read_again(channel):
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import TicketCounter

    online_agent(channel)
    ingest_message(channel, message(1, sender="56911111111"))
    # another process claims numbers 2..5 meanwhile
    TicketCounter(keys.tenant_pk(channel.tenant_id), keys.ticket_counter_sk(), last=5).save()
    second = ingest_message(channel, message(2, sender="56922222222"))
    assert second.new_ticket and second.ticket_number == 6  # no number twice, no gap
    assert int(_agent_row(channel).open_tickets) == 2


def test_an_agent_gone_offline_meanwhile_is_not_assigned(channel):
    online_agent(channel)
    first = ingest_message(channel, message(1, sender="56911111111"))
    assert first.assignee_id == "u-agent"
    row = _agent_row(channel)
    row.presence = "offline"
    row.save()
    second = ingest_message(channel, message(2, sender="56922222222"))
    assert second.new_ticket and second.assignee_id is None
    assert int(_agent_row(channel).open_tickets) == 1
