"""Clients, tickets, messages and agents' assignment state in the one table."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.store.base import Item
from chalicelib.store.indexes import FacetIndex, QueueIndex


class Client(Item, discriminator="Client"):
    """An end customer as one channel knows them. The id derives from (channel, sender),
    so a webhook finds its client with one GetItem; ``open_ticket`` is the ticket new
    messages join (at most one per client, set and cleared with conditions)."""

    tenant_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    channel_type = UnicodeAttribute()
    sender_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    handle = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    open_ticket = NumberAttribute(null=True)
    tickets = ListAttribute(of=NumberAttribute, default=list)
    custom = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()


class TicketCounter(Item, discriminator="TicketCounter"):
    """The last ticket number a tenant gave; advanced only together with a new ticket."""

    last = NumberAttribute(default=0)


class Ticket(Item, discriminator="Ticket"):
    """One conversation. GSI2 holds open/pending tickets by assignee queue (newest
    activity first); GSI3 holds every ticket by status, in number order."""

    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    by_queue = QueueIndex()
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    by_status = FacetIndex()

    tenant_id = UnicodeAttribute()
    number = NumberAttribute()
    status = UnicodeAttribute(default="open")  # open | pending | closed | escalated | merged
    channel_id = UnicodeAttribute()
    channel_type = UnicodeAttribute()
    client_id = UnicodeAttribute()
    assignee_id = UnicodeAttribute(null=True)
    group_id = UnicodeAttribute(null=True)
    department_id = UnicodeAttribute(null=True)
    important = BooleanAttribute(default=False)
    sentiment_start = UnicodeAttribute(default="neutral")
    sentiment_end = UnicodeAttribute(default="neutral")
    created_at = UTCDateTimeAttribute()
    last_activity_at = UTCDateTimeAttribute()
    last_client_message_at = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    assignment = JSONAttribute(null=True)  # why the assignee was chosen
    auto_replies = MapAttribute(default=dict)  # type: ignore[var-annotated]  # kind -> ISO time last sent


class Message(Item, discriminator="Message"):
    """A message of a ticket. Inbound ones are keyed by the provider's id, so storing
    one twice is impossible; GSI3 orders a ticket's messages by time."""

    GSI3PK = UnicodeAttribute()
    GSI3SK = UnicodeAttribute()
    timeline = FacetIndex()

    tenant_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    ticket_number = NumberAttribute()
    channel_id = UnicodeAttribute()
    direction = UnicodeAttribute()  # in | out
    author_id = UnicodeAttribute(null=True)  # client id (in) or user id (out); null = system
    text = UnicodeAttribute(default="")
    public = BooleanAttribute(default=False)
    provider_message_id = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)
    reaction = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    attachments = JSONAttribute(default=list)
    extra = JSONAttribute(default=dict)
    status = UnicodeAttribute(null=True)  # outbound: queued | sent | delivered | read | failed
    status_error = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute()
    stored_at = UTCDateTimeAttribute()


class AgentState(Item, discriminator="AgentState"):
    """How one agent takes tickets: presence, auto-assignment, channels, cap, load."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    presence = UnicodeAttribute(default="offline")  # online | away | offline
    auto_assign = BooleanAttribute(default=False)
    channels = ListAttribute(of=UnicodeAttribute, default=list)
    cap = NumberAttribute(null=True)
    open_tickets = NumberAttribute(default=0)
    waiting_since = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
