"""Tickets as the help desk works them (SPEC §4): loading one and changing it.

Who may see a ticket is :mod:`chalicelib.domain.helpdesk.visibility`. A ticket one may not
see is a 404, the same as one that does not exist: nobody learns of others' tickets.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Final

from chalicelib.clock import iso, now
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.helpdesk.assignment import load_moves
from chalicelib.domain.helpdesk.visibility import agent_channels, may_see
from chalicelib.store import agents, clients, keys, messages
from chalicelib.store import tickets as ticket_store
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import LostRace, TransactItem
from chalicelib.store.helpdesk import AgentState, Client, Ticket
from chalicelib.untrusted import is_ascii_number

OPEN_STATES = ("open", "pending")
READ_ONLY_STATES = ("merged", "escalated")


def parse_number(number: str) -> int:
    if not is_ascii_number(number) or len(number) > 10 or int(number) < 1:
        raise NotFound("There is no such ticket.")
    return int(number)


def load_ticket(principal: Principal, number: str | int, consistent: bool = False) -> Ticket:
    """The ticket if the principal may see it; 404 otherwise."""
    n = parse_number(str(number))
    ticket = get_or_none(
        Ticket, keys.ticket_pk(principal.tenant_id, n), keys.ticket_sk(), consistent=consistent
    )
    if ticket is None or not may_see(principal, ticket):
        raise NotFound("There is no such ticket.")
    return ticket


def require_writable(ticket: Ticket) -> None:
    """Merged and escalated tickets are read-only (409 says why and where to go)."""
    if ticket.status == "merged":
        raise Conflict(
            f"Ticket {ticket.number} was merged into ticket {ticket.merged_into}; work there.",
            code="ticket_merged",
        )
    if ticket.status == "escalated":
        raise Conflict(
            f"Ticket {ticket.number} was escalated to {ticket.escalated_to} and is read-only.",
            code="ticket_escalated",
        )


# --- changing a ticket ----------------------------------------------------------------------
#
# Every change made through the API is one transaction: the ticket (conditioned on the
# version it was read at, so two people changing it at once never overwrite each other:
# the loser reads it again and re-applies its change), its history entry, and what the
# change implies elsewhere (the client's open ticket, the agents' loads).

CHANGE_ATTEMPTS = 8


def snapshot(ticket: Ticket) -> dict[str, Any]:
    """The fields history compares (before / after)."""
    return {
        "status": ticket.status,
        "assignee_id": ticket.assignee_id,
        "group_id": ticket.group_id,
        "department_id": ticket.department_id,
        "important": bool(ticket.important),
        "sentiment_start": ticket.sentiment_start,
        "sentiment_end": ticket.sentiment_end,
        "tags": list(ticket.tags or []),
        "metadata": dict(ticket.metadata or {}),
        "bot": bool(ticket.bot),
        "merged_into": ticket.merged_into,
        "escalated_to": ticket.escalated_to,
    }


@dataclass
class Entry:
    """One history entry a change writes: what, before and after (who and when are the
    change's); ``number``: another ticket's history (merge records itself on the target)."""

    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    number: int | None = None


@dataclass
class Change:
    """What to write for one change, computed from the ticket as read."""

    action: str
    fields: dict[str, Any]  # attribute name -> new value (None removes it)
    extra: list[TransactItem] = field(default_factory=list)  # more transaction items (the store's)
    history_after: dict[str, Any] | None = None  # default: the snapshot after
    #: the ticket's entries, in order, when it is several changes in one (``compose``);
    #: None: one entry for ``action``, from the snapshots before and after
    history: list[Entry] | None = None
    #: entries on other tickets, written in the same transaction
    elsewhere: list[Entry] = field(default_factory=list)

    def entries(self, before: dict[str, Any], after: dict[str, Any]) -> list[Entry]:
        """The ticket's own entries, given its snapshots before and after the change."""
        return self.history if self.history is not None else [Entry(self.action, before, after)]

    def actions(self) -> list[str]:
        """What happened to the ticket, in order (each may have its effects)."""
        return [e.action for e in self.history] if self.history is not None else [self.action]


def is_active(status: str) -> bool:
    return status in OPEN_STATES


def queue_fields(
    ticket: Ticket, assignee: str | None, status: str, at: datetime | None = None
) -> dict[str, Any]:
    """A change's fields for the ticket's place on the board (the store names them)."""
    activity = at or ticket.last_activity_at
    return ticket_store.board_keys(
        ticket.tenant_id, int(ticket.number), assignee, is_active(status), activity
    )


def load_items(ticket: Ticket, status: str, assignee: str | None) -> list[TransactItem]:
    """The agents' loads as the ticket goes to ``status`` and ``assignee``
    (``assignment.load_moves``), for the agents who have a row."""
    return [
        agents.add_load(ticket.tenant_id, user_id, delta)
        for user_id, delta in load_moves((ticket.status, ticket.assignee_id), (status, assignee))
        if _agent_row(ticket.tenant_id, user_id) is not None
    ]


def _agent_row(tenant_id: str, user_id: str | None) -> AgentState | None:
    if not user_id:
        return None
    return get_or_none(AgentState, keys.tenant_pk(tenant_id), keys.agent_state_sk(user_id))


def apply_change(
    principal: Principal,
    number: int,
    decide: Callable[[Ticket], Change | None],
    at: datetime | None = None,
) -> Ticket:
    """Read the ticket, let ``decide`` compute the change, write it atomically; on a
    concurrent change, read again and decide again. ``decide`` raises the 4xx."""
    for attempt in range(CHANGE_ATTEMPTS):
        ticket = load_ticket(principal, number, consistent=True)
        # the time is taken after the read: a change that commits after another one read
        # the other's result, so the history's times follow the order of the commits
        when = at or now()
        before = snapshot(ticket)
        version = int(ticket.version or 0)
        change = decide(ticket)
        if change is None:
            return ticket
        for name, value in change.fields.items():
            setattr(ticket, name, value)
        after = change.history_after or snapshot(ticket)
        entries = [*change.entries(before, after), *change.elsewhere]
        history = [
            history_entry(
                principal.tenant_id, "ticket", str(entry.number or ticket.number),
                principal.user_id, entry.action, when, before=entry.before, after=entry.after,
                sequence=i if len(entries) > 1 else None,
            )
            for i, entry in enumerate(entries)
        ]  # fmt: skip
        try:
            ticket_store.commit_change(
                ticket, version, change.fields, saves=history, also=change.extra
            )
        except LostRace:
            # the ticket, the client or an agent's row changed meanwhile: read it all
            # again and decide again (``decide`` raises if it no longer applies)
            time.sleep(0.01 * (attempt + 1) * random.random())
            continue
        ticket.version = version + 1
        for action in change.actions():
            emit_event(ticket, action)
            if action == "assigned":
                from chalicelib.domain.notifications import notify_assigned

                notify_assigned(ticket, principal.user_id)
        return ticket
    raise Conflict(
        "The ticket kept changing while this change was made; try again.", code="conflict"
    )


def emit_event(ticket: Ticket, action: str) -> None:
    """Tell the tenant's integrations (outgoing webhooks) what happened."""
    events = {
        "assigned": "ticket.assigned",
        "status": "ticket.status_changed",
        "merged": "ticket.merged",
        "escalated": "ticket.escalated",
    }
    event = events.get(action)
    if event is None:
        return
    try:
        from chalicelib.domain.integrations import emit
    except ImportError:  # pragma: no cover
        return
    emit(ticket.tenant_id, event, {"ticket": int(ticket.number), "status": ticket.status,
                                   "assignee_id": ticket.assignee_id})  # fmt: skip


# --- the changes ---------------------------------------------------------------------------
def close_items(ticket: Ticket, status: str) -> list[TransactItem]:
    """Leaving open/pending: the client may open a new ticket, the assignee's load drops."""
    client_key = (keys.client_pk(ticket.tenant_id, ticket.client_id), keys.client_sk())
    client = get_or_none(Client, *client_key, consistent=True)
    items: list[TransactItem] = []
    if client is not None and client.open_ticket == ticket.number:
        items.append(clients.release_ticket(ticket.tenant_id, ticket.client_id, int(ticket.number)))
    return [*items, *load_items(ticket, status, ticket.assignee_id)]


def reopened_deadlines(ticket: Ticket, at: datetime) -> dict[str, Any]:
    """A reopened ticket's SLA starts again from now (SPEC §5); what analytics keeps of the
    earlier opening goes in the same change (docs/analytics.md "What a ticket keeps")."""
    from chalicelib.domain.channels.service import get_channel
    from chalicelib.domain.helpdesk.sla import deadlines, next_due

    fields: dict[str, Any] = {
        "reopened_at": at, "reopens": int(ticket.reopens or 0) + 1,
        "first_fr": ticket.first_fr or ticket.first_response_at,
        "first_closed_at": ticket.first_closed_at or ticket.closed_at,
    }  # fmt: skip
    try:
        channel = get_channel(ticket.tenant_id, ticket.channel_id)
    except NotFound:
        return fields
    sla = deadlines(channel.settings, at)
    due = next_due(sla)
    fields.update({"sla": sla, "first_response_at": None})
    fields.update(ticket_store.due_fields(ticket.tenant_id, int(ticket.number), due))
    return fields


def may_reopen(client_open_ticket: int | None, number: int) -> bool:
    """A closed ticket reopens unless its client has another ticket open (one per client)."""
    return client_open_ticket in (None, number)


def reopen_items(ticket: Ticket, status: str) -> list[TransactItem]:
    """Back to open/pending: the client's open ticket again, the assignee's load rises."""
    claim = clients.take_ticket(ticket.tenant_id, ticket.client_id, int(ticket.number))
    return [claim, *load_items(ticket, status, ticket.assignee_id)]


def status_change(ticket: Ticket, status: str, at: datetime) -> Change | None:
    """open <-> pending, close, reopen (a closed ticket becomes open)."""
    require_writable(ticket)
    if status == ticket.status:
        return None
    fields: dict[str, Any] = {"status": status, **queue_fields(ticket, ticket.assignee_id, status)}
    extra: list[TransactItem] = []
    if status == "closed":
        fields["closed_at"] = at
        extra = close_items(ticket, status)
    elif ticket.status == "closed":
        client = get_or_none(Client, keys.client_pk(ticket.tenant_id, ticket.client_id),
                             keys.client_sk(), consistent=True)  # fmt: skip
        if client is not None and not may_reopen(client.open_ticket, int(ticket.number)):
            raise Conflict(
                f"The client already has ticket {client.open_ticket} open; "
                "work there or merge the two.",
                code="client_has_open_ticket",
            )
        fields["closed_at"] = None
        fields.update(reopened_deadlines(ticket, at))
        extra = reopen_items(ticket, status)
    return Change("status", fields, extra)


def assignment_change(
    principal: Principal, ticket: Ticket, user_id: str | None, why: str
) -> Change | None:
    """Give the ticket to ``user_id`` (None: unassigned); loads follow if it is active."""
    require_writable(ticket)
    if user_id == ticket.assignee_id:
        return None
    fields = {
        "assignee_id": user_id,
        "assignment": {"by": principal.user_id, "why": why, "at": iso(now())},
        **queue_fields(ticket, user_id, ticket.status),
    }
    return Change("assigned", fields, load_items(ticket, ticket.status, user_id))


def group_change(ticket: Ticket, group_id: str | None) -> Change | None:
    """Give the ticket to an agent group (None: no group); the assignee stays."""
    require_writable(ticket)
    return None if ticket.group_id == group_id else Change("group", {"group_id": group_id})


def important_change(ticket: Ticket) -> Change:
    """Marking important cannot be undone: a second call is a 409 too."""
    require_writable(ticket)
    if ticket.important:
        raise Conflict(
            f"Ticket {ticket.number} is already important; that cannot be undone.",
            code="already_important",
        )
    return Change("important", {"important": True})


def fields_change(ticket: Ticket, fields: dict[str, Any]) -> Change | None:
    """Sentiment, department, group, tags, metadata (already checked): only what differs."""
    require_writable(ticket)
    changed = {k: v for k, v in fields.items() if getattr(ticket, k) != v}
    return Change("updated", changed) if changed else None


Part = Callable[[Ticket], Change | None]


def compose(ticket: Ticket, parts: list[Part]) -> Change | None:
    """Several changes as one: each part decides on the ticket as the parts before it
    left it (applied in memory), keeps its own history entry, and all of them are
    written together. A part that refuses (raises) refuses the whole."""
    fields: dict[str, Any] = {}
    extra: list[TransactItem] = []
    history: list[Entry] = []
    elsewhere: list[Entry] = []
    for part in parts:
        before = snapshot(ticket)
        change = part(ticket)
        if change is None:
            continue
        for name, value in change.fields.items():
            setattr(ticket, name, value)
        fields.update(change.fields)
        extra += change.extra
        history += change.entries(before, change.history_after or snapshot(ticket))
        elsewhere += change.elsewhere
    if not history:
        return None
    return Change(history[0].action, fields, extra, history=history, elsewhere=elsewhere)


def edit(
    principal: Principal,
    number: int,
    fields: dict[str, Any],
    important: bool = False,
    status: str | None = None,
) -> Ticket | None:
    """``PATCH /v1/tickets/{n}``: mark important, change fields, change status, in that
    order, in one transaction with one history entry each; a refused part writes
    nothing. None when there is nothing to change."""
    parts: list[Part] = []
    if important:
        parts.append(important_change)
    if fields:
        parts.append(lambda ticket: fields_change(ticket, fields))
    if status is not None:
        parts.append(lambda ticket: status_change(ticket, status, now()))
    if not parts:
        return None
    return apply_change(principal, number, lambda ticket: compose(ticket, parts))


class Keep(Enum):
    KEEP = "keep"


#: an argument left as the ticket has it (where None means "nobody" / "no group")
KEEP: Final = Keep.KEEP


def assign(
    principal: Principal,
    number: int,
    user_id: str | Keep | None = KEEP,
    group_id: str | Keep | None = KEEP,
    why: str = "assigned by hand",
) -> Ticket | None:
    """``PUT /v1/tickets/{n}/assignee``: give the ticket to a user (None: nobody), then
    to a group (None: none), in one transaction with one history entry each
    (``assigned``, ``group``); a refused part writes nothing, and the new assignee is
    told once, after the commit. The references are checked before (by the caller);
    None when neither is given."""
    parts: list[Part] = []
    if not isinstance(user_id, Keep):
        user = user_id
        parts.append(lambda ticket: assignment_change(principal, ticket, user, why))
    if not isinstance(group_id, Keep):
        group = group_id
        parts.append(lambda ticket: group_change(ticket, group))
    if not parts:
        return None
    return apply_change(principal, number, lambda ticket: compose(ticket, parts))


def merge(principal: Principal, number: int, into: int) -> Ticket:
    """Merge ticket ``number`` into ``into`` atomically: the source becomes read-only and
    points to the target, the target lists it, and both histories record it (``merged``,
    ``merged_in``). The source's messages are copied into the target by the table's
    stream consumer, from the merged ticket's record (jobs/effects.py): a crash after this
    transaction cannot leave the target without them."""
    load_ticket(principal, number)  # 404 first: nothing is said of tickets one cannot see
    if number == into:
        raise Conflict("A ticket cannot be merged into itself.", code="merge_into_itself")
    read = [open_target(principal, into)]

    def decide(source: Ticket) -> Change:
        require_writable(source)
        # the target as first read, then read again on each retry: its list and its
        # history entry are written from what was read, on condition it is still that
        target = read.pop() if read else open_target(principal, into)
        listed = [int(n) for n in target.merged_from or []]  # type: ignore[call-overload]
        merged_from = [*listed, int(source.number)]
        extra = close_items(source, "merged") if is_active(source.status) else []
        link_target = ticket_store.link_merged(target, listed, merged_from, OPEN_STATES)

        return Change(
            "merged",
            {"status": "merged", "merged_into": int(target.number),
             **queue_fields(source, source.assignee_id, "merged")},
            [*extra, link_target],
            elsewhere=[Entry("merged_in", {"merged_from": listed},
                             {"merged_from": merged_from}, number=int(target.number))],
        )  # fmt: skip

    return apply_change(principal, number, decide)


def open_target(principal: Principal, into: int) -> Ticket:
    """The ticket to merge into: one the principal sees (404), open or pending (409)."""
    target = load_ticket(principal, into, consistent=True)
    if not is_active(target.status):
        raise Conflict(
            f"Ticket {target.number} is {target.status}: merge only into an open ticket.",
            code="merge_target_not_open",
        )
    return target


def copy_messages(tenant_id: str, source: int, target: int, some: Any = None) -> int:
    """Every message of ``source`` (or only ``some`` of them) also in ``target``'s
    partition, marked as merged. The copies keep the messages' ids, so copying again
    writes the same items."""
    from chalicelib.domain.helpdesk.timeline import all_messages

    found = all_messages(tenant_id, source) if some is None else some
    return messages.put_copies(tenant_id, source, target, found)


def take_next(principal: Principal) -> Ticket | None:
    """The oldest waiting unassigned ticket of the caller's channels, now theirs."""
    from chalicelib.domain.helpdesk.assignment import WAITING_READ

    served = agent_channels(principal) if principal.role == "agent" else None
    waiting = sorted(
        ticket_store.waiting(principal.tenant_id, WAITING_READ), key=lambda t: int(t.number)
    )
    for candidate in waiting:
        if served is not None and candidate.channel_id not in served:
            continue

        def decide(ticket: Ticket) -> Change | None:
            if ticket.assignee_id is not None or not is_active(ticket.status):
                raise Conflict("taken meanwhile", code="taken")
            return assignment_change(principal, ticket, principal.user_id, "took the next ticket")

        try:
            return apply_change(principal, int(candidate.number), decide)
        except Conflict:
            continue  # someone took it first: the next one
    return None
