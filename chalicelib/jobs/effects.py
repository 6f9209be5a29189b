"""The table's stream consumer: what a stored item causes, done at least once.

DynamoDB writes every change of the table to its stream (``NEW_AND_OLD_IMAGES``,
infra/resources.yaml). Lambda hands batches of it to ``apply_effects`` (app.py), in the
order of each item's changes; locally the worker reads DynamoDB Local's stream the same
way (devstack/worker.py). Nothing here runs in the request or the queue record that
stored the item, so a Lambda that dies right after storing it loses nothing.

What each change causes (docs/decisions.md, "Effects follow the table's stream"):

- a **Client** inserted: its search words (``search.index_new_client``);
- a **Ticket** inserted: the assignee's notification, ``ticket.created``, and the
  auto-replies a ticket is owed as it opens (first message of the client, nobody free);
- an inbound **Message** inserted: ``message.received``, ``bot.message`` while the
  ticket's bot is on, else the out-of-hours auto-reply;
- an outbound **Message** inserted as ``queued`` (a reply, the bot's answer, an
  auto-reply): its place on the outbound queue (the outbound worker sends each message
  once, whatever the copies of its record);
- a **Ticket** modified into ``merged``: its messages copied into the target (the same
  message ids; a message that lands in the merged ticket later is copied on its own).
  The copies (``merged_from``) cause nothing else;
- an **OrderHistory** entry inserted (every change of an order or a payment writes one, in
  the change's transaction): ``order.created``, ``order.annulled``, ``payment.recorded``,
  ``payment.reconciled`` or ``payment.rejected`` (domain/orders/events.py), with the
  order's summary and the payment;
- a **StripeEvent** inserted (``POST /webhooks/stripe`` stored it once): its id on the
  ``billing`` queue (jobs/billing.py processes it; processing is idempotent, so a copy of
  the message does nothing twice). When SQS does not take it, the record fails and is
  retried, as an integration event's;
- a **Ticket**, **Message** or **OrderHistory** change that counts (a message stored, a
  ticket opened, answered first, closed, reopened or breached, an order created, a
  payment recorded): the analytics counters, once per counted event
  (``domain/analytics/counting.py``, docs/analytics.md);
- every **Ticket** and **Message** inserted or changed (but for bookkeeping): the consoles'
  live updates. The batch's changes are written to each tenant's pulse at the end of the
  batch, one write per tenant (``domain/helpdesk/live.py``); a failure there is logged and
  holds nothing up.

Each effect is idempotent by a key derived from the change that caused it, so a record
handled twice (Lambda retries from a failed record, the local worker restarts) does each
effect once: the search words are the same items; the notification's id derives from the
ticket; an integration event's id derives from the item's key and the event's name (the
receivers drop repeats by it, docs/integrations.md); an auto-reply is stored in one
transaction with its slot on the ticket, under an id derived from its cause; the outbound
worker claims a message before sending it.

Records are handled in stream order. The first that fails is reported in
``batchItemFailures`` (by its sequence number) and the rest of the batch is left alone:
Lambda retries from that record (``ReportBatchItemFailures``, bisecting the batch), up to
the event source's ``MaximumRetryAttempts``, then describes the batch in the
``effects-dlq`` queue (infra/package.py) rather than lose it silently, and the effects
sweep hands its records over again (jobs/effects_sweep.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.clock import iso
from chalicelib.domain.helpdesk.live import Collector
from chalicelib.domain.helpdesk.tickets import copy_messages
from chalicelib.domain.integrations import EmitMessage
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import Item, condition_failed
from chalicelib.store.billing import StripeEvent
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Message, Ticket
from chalicelib.store.order_models import OrderHistory

log = logging.getLogger(__name__)

#: the item kinds whose changes cause something; the event source's filter
#: (infra/package.py ``STREAM_KINDS``) lets only these reach the function
KINDS: tuple[str, ...] = ("Client", "Ticket", "Message", "StripeEvent", "OrderHistory")
_EVENT_NAMESPACE = uuid.UUID("5d2b9f0e-6c1a-4f7e-8a43-2f6c0e9b7d15")


@dataclass(frozen=True)
class Change:
    """One record of the stream: the item as it is now and as it was (None when new)."""

    name: str  # INSERT, MODIFY or REMOVE
    sequence_number: str
    new: Item | None
    old: Item | None

    @property
    def inserted(self) -> bool:
        return self.name == "INSERT" and self.new is not None


def _image(raw: dict[str, Any] | None) -> Item | None:
    if not raw or raw.get("kind", {}).get("S") not in KINDS:
        return None
    return Item.from_raw_data(raw)


def read_change(record: Any) -> Change:
    """A Chalice ``DynamoDBRecord`` as the items it carries."""
    return Change(
        name=record.event_name,
        sequence_number=record.sequence_number,
        new=_image(record.new_image),
        old=_image(record.old_image),
    )


# --- the batch ---------------------------------------------------------------------------------
def handle(event: Any) -> dict[str, Any]:
    """Apply the effects of a Chalice ``DynamoDBEvent``'s records, in order; report the
    first that fails (Lambda retries from it, the records after it too). The consoles
    hear of the records handled, once per tenant, at the end (``live.Collector``)."""
    live = Collector()
    for record in event:
        try:
            change = read_change(record)
            apply(change)
        except Exception:
            log.exception(
                "effects of a change failed; retried from this record",
                extra={"sequence_number": record.sequence_number, "event": record.event_name,
                       "keys": _keys(record.keys)},
            )  # fmt: skip
            live.publish()  # the records before it are done: they are not handed over again
            return {"batchItemFailures": [{"itemIdentifier": record.sequence_number}]}
        live.add(change.new, change.old)
    live.publish()
    return {"batchItemFailures": []}


def _keys(raw: dict[str, Any] | None) -> str:
    return "/".join(str(value.get("S", "")) for value in (raw or {}).values())


def apply(change: Change) -> None:
    """Every effect of one change (each one idempotent), then what it counts."""
    effects_of(change)
    if change.new is not None:
        from chalicelib.domain.analytics.counting import count_change

        count_change(change.new, change.old)


def effects_of(change: Change) -> None:
    item = change.new
    if isinstance(item, Ticket) and change.name == "MODIFY":
        if item.status == "merged" and getattr(change.old, "status", None) != "merged":
            ticket_merged(item)
        return
    if not change.inserted:
        return
    if isinstance(item, StripeEvent):
        stripe_event_received(item)
    elif isinstance(item, OrderHistory):
        order_changed(item)
    elif isinstance(item, Client):
        client_created(item)
    elif isinstance(item, Ticket):
        ticket_opened(item)
    elif isinstance(item, Message) and item.merged_from is None:  # not a merge's copy
        if item.direction == "in":
            message_received(item)
        elif item.status == "queued":
            message_queued(item)


# --- the effects -------------------------------------------------------------------------------
def client_created(client: Client) -> None:
    """A new client is findable by name (and an email channel's client by address)."""
    from chalicelib.domain.helpdesk.search import index_new_client

    index_new_client(client)


def order_changed(entry: OrderHistory) -> None:
    """An order's or a payment's change (its history entry, written once per change in the
    change's transaction): the integrations hear of it, with the order and the payment."""
    from chalicelib.domain.orders.events import event_of

    found = event_of(entry)
    if found is not None:
        emit(entry, found[0], entry.at, found[1])


def stripe_event_received(event: StripeEvent) -> None:
    """A Stripe event stored once: the billing worker processes it (at least once; it
    skips an event already processed). ``NotQueued`` raises: the record is retried."""
    from chalicelib import queues

    queues.send("billing", json.dumps({"type": "stripe_event", "event_id": event.event_id}))


def ticket_opened(ticket: Ticket) -> None:
    """A new ticket: its (automatic) assignee is told, the integrations hear of it, and
    the client gets the auto-replies a new ticket is owed."""
    from chalicelib.domain.inbound.autoreply import reply_to_new_ticket
    from chalicelib.domain.notifications import notify_new_ticket

    notify_new_ticket(ticket)
    emit(ticket, "ticket.created", ticket.created_at, {
        "ticket": int(ticket.number), "channel_id": ticket.channel_id,
        "assignee_id": ticket.assignee_id})  # fmt: skip
    channel = channel_of(ticket.tenant_id, ticket.channel_id)
    if channel is not None:
        reply_to_new_ticket(channel, ticket)


def message_received(message: Message) -> None:
    """A client's message: the integrations hear of it; the ticket's bot gets all of it,
    or else the client may be owed the out-of-hours auto-reply."""
    from chalicelib.domain.inbound.autoreply import reply_to_message
    from chalicelib.domain.inbound.ingest import bot_answers

    number = int(message.ticket_number)
    emit(message, "message.received", message.stored_at, {
        "ticket": number, "channel_id": message.channel_id, "text": message.text[:1000]})  # fmt: skip
    ticket = get_or_none(Ticket, keys.ticket_pk(message.tenant_id, number), keys.ticket_sk())
    if ticket is not None and ticket.status == "merged" and ticket.merged_into:
        # stored while its ticket was being merged: the target shows it too
        copy_messages(message.tenant_id, number, int(ticket.merged_into), [message])
    bot_on = ticket is not None and bot_answers(ticket.bot, ticket.status)
    if ticket is not None and bot_on:
        emit(message, "bot.message", message.stored_at, bot_message(ticket, message))
    channel = channel_of(message.tenant_id, message.channel_id)
    if channel is not None:
        reply_to_message(channel, message, bot_on)


def ticket_merged(ticket: Ticket) -> None:
    """A ticket merged into another: the target shows its messages (copies with the same
    ids, so copying again writes the same items)."""
    if ticket.merged_into:
        copy_messages(ticket.tenant_id, int(ticket.number), int(ticket.merged_into))


def message_queued(message: Message) -> None:
    """An outbound message stored to be sent goes on the outbound queue. The worker sends
    it once (it claims the message first), however many copies of the record it gets.

    When SQS does not take it, the message is marked stuck (in the Due index, for the
    effects sweep to send again after :data:`SEND_REDRIVE_AFTER`) and the record is done:
    an outbound queue that is down must not hold up the rest of the stream."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        enqueue_send(message)
    except (BotoCoreError, ClientError):
        log.warning("outbound message not queued; the effects sweep sends it again",
                    exc_info=True, extra=_where(message))  # fmt: skip
        mark_send_stuck(message)


def enqueue_send(message: Message) -> None:
    """Hand a stored outbound message to the outbound worker."""
    from chalicelib import aws

    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url("outbound"),
        MessageBody=json.dumps({"type": "send_message", "tenant_id": message.tenant_id,
                                "ticket_number": int(message.ticket_number),
                                "message_id": message.message_id}),
    )  # fmt: skip


#: a queued message whose trip to the outbound queue failed is sent again this long after
#: it was stored (the sweep runs every minute)
SEND_REDRIVE_AFTER = timedelta(minutes=5)
STUCK_SENDS = keys.due_pk("send", 0)  # rare: one Due partition is plenty


def mark_send_stuck(message: Message) -> None:
    """Put a queued message in the Due index (``DUE#send#0``, due 5 minutes after it was
    stored) unless it left the queued state meanwhile. 1 UpdateItem, only on failure."""
    due = keys.due_sk(iso(message.stored_at + SEND_REDRIVE_AFTER), message.tenant_id,
                      int(message.ticket_number), message.message_id)  # fmt: skip
    try:
        Message(message.PK, message.SK).update(
            actions=[Message.DuePK.set(STUCK_SENDS), Message.DueSK.set(due)],
            condition=Message.status == "queued",
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def _where(message: Message) -> dict[str, Any]:
    return {"tenant_id": message.tenant_id, "ticket_number": int(message.ticket_number),
            "message_id": message.message_id}  # fmt: skip


def channel_of(tenant_id: str, channel_id: str) -> Channel | None:
    """The channel a ticket or message came through, while it is connected."""
    channel = get_or_none(Channel, keys.tenant_pk(tenant_id), keys.channel_sk(channel_id))
    return channel if channel is not None and channel.status == "connected" else None


def bot_message(ticket: Ticket, message: Message) -> dict[str, Any]:
    """What the bot hears of a client's message (docs/integrations.md "The bot"): enough
    to answer through ``POST /v1/bot/tickets/{number}/messages`` without another read."""
    client = get_or_none(
        Client, keys.client_pk(ticket.tenant_id, ticket.client_id), keys.client_sk()
    )
    return {
        "ticket": int(ticket.number),
        "message_id": message.message_id,
        "channel_id": message.channel_id,
        "channel_type": ticket.channel_type,
        "client_name": client.name if client else None,
        "public": bool(message.public),
        "text": message.text[:4000],
        "attachments": [
            {"kind": a.get("kind"), "mime_type": a.get("mime_type"), "name": a.get("name")}
            for a in message.attachments or []
        ],
        "sent_at": iso(message.sent_at),
    }


# --- integration events ------------------------------------------------------------------------
Cause = Client | Ticket | Message | OrderHistory


def event_id(cause: Cause, event: str) -> str:
    """The id of ``event`` caused by the item ``cause``: the same every time that change is
    handled, so webhooks get the same delivery ids again (they drop repeats by them)."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{cause.PK}\x00{cause.SK}\x00{event}"))


def emit(cause: Cause, event: str, at: datetime, data: dict[str, Any]) -> None:
    """Queue ``event`` for the tenant's webhooks (``jobs/integrations`` fans it out).
    Unlike ``integrations.emit``, a failure raises: the stream retries the record."""
    from chalicelib import aws

    message = EmitMessage(event_id=event_id(cause, event), tenant_id=cause.tenant_id,
                          event=event, created_at=at, data=data)  # fmt: skip
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url("integrations"), MessageBody=message.model_dump_json()
    )
