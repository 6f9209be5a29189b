"""Clients, tickets, messages and agents' assignment state in the one table."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.constants import MAP

from chalicelib.store.base import Item
from chalicelib.store.indexes import DueIndex, LookupIndex, QueueIndex


class TextMapAttribute(Attribute[dict[str, str]]):
    """A map of strings stored as a DynamoDB map (UTF-8 as is: a JSON string would
    escape every emoji into 12 bytes), read back as a plain dict."""

    attr_type = MAP

    def serialize(self, value: dict[str, str]) -> dict[str, Any]:
        return {k: {"S": str(v)} for k, v in value.items() if v is not None}

    def deserialize(self, value: dict[str, Any]) -> dict[str, str]:
        return {k: v.get("S", "") for k, v in value.items()}


class Client(Item, discriminator="Client"):
    """An end customer as one channel knows them. The id derives from (channel, sender),
    so a webhook finds its client with one GetItem; ``open_ticket`` is the ticket new
    messages join (at most one per client, set and cleared with conditions).

    ``open_assignee``, ``open_assignment`` and ``open_since`` are what the ticket was
    opened with: the number is claimed in one transaction (counter, client, agent's
    load) and the ticket item written right after; whoever finds the number claimed but
    the ticket missing (a crash in between) writes the same ticket from these."""

    tenant_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    channel_type = UnicodeAttribute()
    sender_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    handle = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    rut = UnicodeAttribute(null=True)
    open_ticket = NumberAttribute(null=True)
    open_assignee = UnicodeAttribute(null=True)
    open_assignment = JSONAttribute(null=True)
    open_since = UTCDateTimeAttribute(null=True)
    tickets = ListAttribute(of=NumberAttribute, default=list)
    custom = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


class TicketCounter(Item, discriminator="TicketCounter"):
    """The last ticket number a tenant gave; advanced only together with a new ticket."""

    last = NumberAttribute(default=0)


class Ticket(Item, discriminator="Ticket"):
    """One conversation, at ``TENANT#t#TICKET#n`` / ``TICKET``; its messages and comments
    share the partition. GSI2 is the board: per assignee (or unassigned), open and
    pending tickets under ``Q``, finished ones under ``DONE``, newest activity first.
    The sparse Due index holds its pending SLA deadline.

    The item stays under 1 KB (one write unit per copy): long attribute names are
    stored short (``attr_name``), the preview and
    the assignment reason are kept short (tests/integration/test_helpdesk_costs.py)."""

    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    by_queue = QueueIndex()
    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due = DueIndex()

    tenant_id = UnicodeAttribute()
    number = NumberAttribute()
    status = UnicodeAttribute(
        default="open", attr_name="st"
    )  # open | pending | closed | escalated | merged
    channel_id = UnicodeAttribute(attr_name="ch")
    channel_type = UnicodeAttribute(attr_name="ct")
    client_id = UnicodeAttribute(attr_name="cl")
    assignee_id = UnicodeAttribute(null=True, attr_name="as")
    group_id = UnicodeAttribute(null=True)
    department_id = UnicodeAttribute(null=True)
    important = BooleanAttribute(default=False)
    sentiment_start = UnicodeAttribute(default="neutral", attr_name="s0")
    sentiment_end = UnicodeAttribute(default="neutral", attr_name="s1")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    metadata = JSONAttribute(default=dict, attr_name="md")
    bot = BooleanAttribute(default=False)
    merged_into = NumberAttribute(null=True)
    merged_from = ListAttribute(of=NumberAttribute, default=list, attr_name="mf")
    escalated_to = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(attr_name="ca")
    last_activity_at = UTCDateTimeAttribute(attr_name="act")
    last_client_message_at = UTCDateTimeAttribute(null=True, attr_name="lcm")
    last_message = TextMapAttribute(
        null=True, attr_name="lm"
    )  # {"text" (≤ 80 bytes), "direction", "at"}
    first_response_at = UTCDateTimeAttribute(null=True, attr_name="fr")
    closed_at = UTCDateTimeAttribute(null=True)
    assignment = JSONAttribute(null=True, attr_name="asg")  # why the assignee was chosen
    sla = JSONAttribute(null=True)  # deadlines and breaches (domain/helpdesk/sla.py)
    auto_replies = MapAttribute(default=dict, attr_name="ar")  # type: ignore[var-annotated]  # kind -> ISO time last sent
    version = NumberAttribute(default=0)  # bumped by every change made through the API
    # kept by a reopening for analytics (docs/analytics.md "What a ticket keeps")
    reopened_at = UTCDateTimeAttribute(null=True, attr_name="ro")
    first_fr = UTCDateTimeAttribute(null=True, attr_name="fr0")  # first opening's response
    first_closed_at = UTCDateTimeAttribute(null=True, attr_name="fc")
    reopens = NumberAttribute(default=0, attr_name="rc")


class Message(Item, discriminator="Message"):
    """A message of a ticket, in the ticket's partition at ``M#<time>-<hash>``.

    An inbound message's id is its provider time plus a hash of its provider id, so a
    redelivery writes the same key and is refused by DynamoDB itself. A sent outbound
    message gets a GSI1 entry by its provider id, for the provider's status updates."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_provider_id = LookupIndex()
    #: only on an outbound message whose trip to the outbound queue failed: the effects
    #: sweep puts it there again (jobs/effects_sweep.py)
    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due = DueIndex()

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
    attempts = NumberAttribute(default=0)
    sent_at = UTCDateTimeAttribute()
    stored_at = UTCDateTimeAttribute()
    merged_from = NumberAttribute(null=True)  # copied here when its ticket was merged


class Comment(Item, discriminator="Comment"):
    """An internal note on a ticket (``C#<id>`` in its partition); never edited nor deleted."""

    tenant_id = UnicodeAttribute()
    comment_id = UnicodeAttribute()
    ticket_number = NumberAttribute()
    author_id = UnicodeAttribute()
    text = UnicodeAttribute()
    reply_to = UnicodeAttribute(null=True)
    mentions = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UTCDateTimeAttribute()


class BotAnswer(Item, discriminator="BotAnswer"):
    """The bot's answer with its own ``id`` was stored as ``message_id`` (a retry of the
    same answer finds it here); removed by TTL a week later."""

    tenant_id = UnicodeAttribute()
    ticket_number = NumberAttribute()
    message_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


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
