"""Tickets in the table: their place on the board (GSI2) and in the Due index, and the
writes where two writers meet, each with the condition that settles it.

The domain decides what a ticket is and what a change does; these functions say how it
is written so that a redelivery, a retry or a concurrent writer cannot break it: a
number claimed once and without gaps, a ticket created once, a touch that only moves
forward, a change conditioned on the version it was decided on."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.clock import iso
from chalicelib.store import keys
from chalicelib.store.base import (
    AlreadyStored,
    Item,
    LostRace,
    TransactItem,
    condition_failed,
    lost_race,
    put_once,
    transaction,
)
from chalicelib.store.helpdesk import Client, Comment, Message, Ticket, TicketCounter

#: the Due index's kind for a ticket's SLA deadline (``DUE#sla#<shard>``)
DUE_KIND = "sla"
#: the board attributes a ticket's place is written in (the queue index)
BOARD = ("GSI2PK", "GSI2SK")
#: the Due index attributes of a ticket's next deadline
DUE = ("DuePK", "DueSK")


# --- where a ticket is found ---------------------------------------------------------------
def board_keys(
    tenant_id: str, number: int, assignee: str | None, active: bool, activity: datetime
) -> dict[str, str]:
    """A ticket's place on the board: its assignee's (or nobody's) queue, active or done,
    newest activity first. Attribute name -> value, for a change's fields."""
    return {
        "GSI2PK": keys.queue_pk(tenant_id, assignee, active),
        "GSI2SK": keys.queue_sk(iso(activity), number),
    }


def due_shard(tenant_id: str, number: int) -> int:
    return zlib.crc32(f"{tenant_id}#{number}".encode()) % keys.DUE_SHARDS


def due_keys(tenant_id: str, number: int, due_at: datetime) -> dict[str, str]:
    """The Due index attributes of a ticket whose next deadline is ``due_at``."""
    return {
        "DuePK": keys.due_pk(DUE_KIND, due_shard(tenant_id, number)),
        "DueSK": keys.due_sk(iso(due_at), tenant_id, f"{number:010d}"),
    }


def due_fields(tenant_id: str, number: int, due_at: datetime | None) -> dict[str, Any]:
    """A change's fields for the ticket's next deadline: in the Due index, or out of it."""
    if due_at is None:
        return dict.fromkeys(DUE)
    return dict(due_keys(tenant_id, number, due_at))


def new_ticket(due_at: datetime | None, **fields: Any) -> Ticket:
    """A ticket item with ``fields`` (``tenant_id``, ``number``, ``assignee_id``,
    ``status``, ``last_activity_at`` among them), placed on the board and, with
    ``due_at``, in the Due index."""
    tenant_id, number = fields["tenant_id"], int(fields["number"])
    ticket = Ticket(keys.ticket_pk(tenant_id, number), keys.ticket_sk(), **fields)
    place = board_keys(tenant_id, number, ticket.assignee_id,
                       ticket.status in ("open", "pending"), ticket.last_activity_at)  # fmt: skip
    if due_at is not None:
        place.update(due_keys(tenant_id, number, due_at))
    for name, value in place.items():
        setattr(ticket, name, value)
    return ticket


def waiting(tenant_id: str, most: int) -> list[Ticket]:
    """Unassigned active tickets (the unassigned queue of the board), at most ``most``."""
    return list(Ticket.by_queue.query(keys.queue_pk(tenant_id, None), limit=most))


def of_assignee(tenant_id: str, assignee: str, most: int) -> list[Ticket]:
    """An agent's tickets, newest activity first: at most ``most`` active ones and ``most``
    finished ones (two Queries of their queues on the board's index)."""
    found: list[Ticket] = []
    for active in (True, False):
        found.extend(Ticket.by_queue.query(keys.queue_pk(tenant_id, assignee, active),
                                           scan_index_forward=False, limit=most))  # fmt: skip
    return found


# --- a new client's ticket -------------------------------------------------------------------
def claim_number(
    claim: Client, *, counter_last: int | None, new_client: bool, also: list[TransactItem]
) -> bool:
    """Claim ``claim.open_ticket`` (the tenant's counter + 1) for the client, in one
    transaction with the counter and ``also`` (the chosen agent's slot): the counter moves
    only from ``counter_last`` (None: it does not exist yet), the client is created or
    takes the number only while it has none open. False when another writer won (read
    again and decide again); the client's claim holds what the ticket opens with."""
    number = int(claim.open_ticket or 0)
    counter_key = (keys.tenant_pk(claim.tenant_id), keys.ticket_counter_sk())
    try:
        with transaction() as write:
            if counter_last is None:
                write.save(TicketCounter(*counter_key, last=number),
                           condition=TicketCounter.PK.does_not_exist())  # fmt: skip
            else:
                write.update(TicketCounter(*counter_key), actions=[TicketCounter.last.set(number)],
                             condition=TicketCounter.last == counter_last)  # fmt: skip
            if new_client:
                write.save(claim, condition=Client.PK.does_not_exist())
            else:
                assignee, assignment = claim.open_assignee, claim.open_assignment
                write.update(Client(claim.PK, claim.SK), actions=[
                    Client.open_ticket.set(number), Client.tickets.set(Client.tickets.append([number])),
                    Client.open_assignee.set(assignee) if assignee else Client.open_assignee.remove(),
                    Client.open_assignment.set(assignment) if assignment else Client.open_assignment.remove(),
                    Client.open_since.set(claim.open_since),
                ], condition=Client.open_ticket.does_not_exist())  # fmt: skip
            for add in also:
                add(write)
    except TransactWriteError as exc:
        if lost_race(exc):
            return False
        raise
    return True


def create_once(ticket: Ticket) -> bool:
    """Write the ticket unless it exists (a concurrent writer wrote the same one from the
    same claim); False then."""
    try:
        put_once(ticket)
    except AlreadyStored:
        return False
    return True


# --- touches: a message came or went ---------------------------------------------------------
def touch_inbound(
    tenant_id: str,
    number: int,
    *,
    at: datetime,
    sent_at: datetime,
    last_message: dict[str, str],
    while_status: Collection[str],
    of_client: str | None = None,
) -> bool:
    """The client's latest message on the ticket, which moves to the top of its queue and
    is open again: only while its status is one of ``while_status`` and only forward
    (a message older than the latest recorded changes nothing), and with ``of_client``
    only if the ticket is that client's. False when the condition did not hold (the
    ticket is missing, finished, already newer, or another client's). The ticket is not
    asked back (``update_only``): what follows from it (the bot's answer) follows from
    the stream."""
    ticket = Ticket(keys.ticket_pk(tenant_id, number), keys.ticket_sk())
    condition = Ticket.status.is_in(*while_status) & (
        Ticket.last_client_message_at.does_not_exist() | (Ticket.last_client_message_at < sent_at)
    )
    if of_client is not None:
        condition &= Ticket.client_id == of_client
    try:
        ticket.update_only(
            actions=[
                Ticket.last_activity_at.set(at),
                Ticket.last_client_message_at.set(sent_at),
                Ticket.last_message.set(last_message),
                Ticket.status.set("open"),
                Ticket.GSI2SK.set(keys.queue_sk(iso(at), number)),
            ],
            condition=condition,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def touch_for_reply(
    tenant_id: str,
    number: int,
    *,
    at: datetime,
    last_message: dict[str, str],
    first_response: bool,
    while_status: Collection[str],
) -> bool:
    """Latest activity, its place on the board and (``first_response``) the first response
    if there is none yet; only while the status is one of ``while_status``. False when
    it is not (the message is kept and sent all the same)."""
    actions: list[Any] = [
        Ticket.last_activity_at.set(at),
        Ticket.last_message.set(last_message),
        Ticket.GSI2SK.set(keys.queue_sk(iso(at), number)),
    ]
    if first_response:
        actions.append(Ticket.first_response_at.set(Ticket.first_response_at | at))
    try:
        Ticket(keys.ticket_pk(tenant_id, number), keys.ticket_sk()).update(
            actions=actions, condition=Ticket.status.is_in(*while_status)
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def take_reply_slot(
    tenant_id: str, number: int, kind: str, *, at: datetime, free_before: datetime, message: Message
) -> bool:
    """Store ``message`` (an auto-reply) in one transaction with the ticket's ``kind``
    slot: taken only if the ticket exists and the slot is free or was last taken before
    ``free_before`` (UTC ISO times compare as strings). False when it is taken, or this
    very message was stored before."""
    slot = Ticket.auto_replies[kind]
    try:
        with transaction() as write:
            write.update(
                Ticket(keys.ticket_pk(tenant_id, number), keys.ticket_sk()),
                actions=[slot.set(iso(at))],
                condition=Ticket.PK.exists() & (slot.does_not_exist() | (slot < iso(free_before))),
            )
            write.save(message, condition=Message.PK.does_not_exist())
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def add_comment(comment: Comment) -> None:
    """Store an internal note; ``AlreadyStored`` if its id was taken."""
    put_once(comment)


# --- changes made through the API ------------------------------------------------------------
def commit_change(
    ticket: Ticket,
    version: int,
    fields: dict[str, Any],
    *,
    saves: Sequence[Item],
    also: Sequence[TransactItem],
) -> None:
    """One change of a ticket, atomically: its ``fields`` (None removes one) and the next
    version, on condition it is still at ``version``; ``saves`` (history entries) and
    ``also`` (the client's claim, agents' loads, a merge's target) in the same
    transaction. ``LostRace`` when the ticket or one of the others changed meanwhile."""
    actions: list[Any] = [Ticket.version.set(version + 1)]
    for name, value in fields.items():
        attribute = getattr(Ticket, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    try:
        with transaction() as write:
            write.update(
                Ticket(ticket.PK, ticket.SK),
                actions=actions,
                condition=(Ticket.version == version)
                if version
                else (Ticket.version.does_not_exist() | (Ticket.version == 0)),
            )
            for item in saves:
                write.save(item)
            for add in also:
                add(write)
    except TransactWriteError as exc:
        if lost_race(exc):
            raise LostRace(f"ticket {ticket.number}") from exc
        raise


def link_merged(
    target: Ticket, listed: list[int], merged_from: list[int], while_status: Collection[str]
) -> TransactItem:
    """The merge's target lists the merged tickets, on condition its list is still
    ``listed`` (as read) and its status one of ``while_status``."""

    def add(write: Any) -> None:
        unchanged = (Ticket.merged_from == listed) if listed else (
            Ticket.merged_from.does_not_exist() | (Ticket.merged_from == []))  # fmt: skip
        write.update(Ticket(target.PK, target.SK), actions=[Ticket.merged_from.set(merged_from)],  # type: ignore[arg-type]
                     condition=Ticket.status.is_in(*while_status) & unchanged)  # fmt: skip

    return add


def hand_out(
    ticket: Ticket,
    assignee: str,
    assignment: dict[str, Any],
    *,
    slot: TransactItem,
    while_status: Collection[str],
) -> bool:
    """Give a waiting ticket to ``assignee`` with the agent's ``slot``, on condition it is
    still unassigned and its status one of ``while_status``. False when it or the agent
    changed meanwhile (the next hand-out sees it)."""
    try:
        with transaction() as write:
            write.update(Ticket(ticket.PK, ticket.SK), actions=[
                Ticket.assignee_id.set(assignee),
                Ticket.GSI2PK.set(keys.queue_pk(ticket.tenant_id, assignee)),
                Ticket.assignment.set(assignment),
            ], condition=Ticket.assignee_id.does_not_exist() & Ticket.status.is_in(*while_status))  # fmt: skip
            slot(write)
    except TransactWriteError:
        return False
    return True
