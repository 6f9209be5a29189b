"""The SLA sweep (SPEC §5): every minute, settle the tickets whose next deadline is due.

It never scans: a ticket with a pending deadline sits in the sparse ``Due`` index
(``DUE#sla#<shard>``, ``<due ISO>#<tenant>#<number>``, domain/helpdesk/sla.py), so the
sweep asks each of the ``DUE_SHARDS`` shards for ``DueSK <= now`` — at most
:data:`MAX_DUE_PER_SHARD` each, oldest first — and reads only what is due. What it
costs depends on how many deadlines are due, never on how many tickets exist
(tests/integration/test_sla_costs.py).

For each due ticket, read consistently:

* merged or escalated: its keys leave the index;
* each deadline due and not met in time (no first reply — or a late one —, not closed —
  or closed late) is a breach: ONE transaction records it on the ticket
  (``sla.breaches.<kind>``, ``sla.breached``), moves the Due keys to the next pending
  deadline (or removes them) and writes the history entry (``sla_breached``, actor
  null), on condition that the Due keys and the ``sla`` are still the ones read — so a
  second sweep, or one running at the same time, records nothing twice;
* otherwise (answered in time, closed in time) the Due keys move or leave, on the same
  condition.

Replies and closes never touch the index (their write budgets stay small): the sweep
cleans up after them when their deadline comes. After a breach of an open ticket, the
assignee, the supervisors and the admins are notified (domain/notifications.py), and
the tenant's integrations get ``sla.breached``.
"""

from __future__ import annotations

import contextvars
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.clock import iso, now
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.helpdesk.sla import (
    ACTIVE_STATES,
    DUE_KIND,
    Settlement,
    due_bound,
    due_keys,
    settle,
)
from chalicelib.domain.notifications import Directory, notify_sla_breach
from chalicelib.jobs.scheduled import run_scheduled
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import condition_failed, lost_race, transaction
from chalicelib.store.helpdesk import Ticket

log = logging.getLogger(__name__)

JOB = "sla_sweep"
#: Work of one run: at most this many due tickets per shard (8 shards). What is left
#: stays due and comes first the next minute.
MAX_DUE_PER_SHARD = 50
WORKERS = 8
TIME_BUDGET_SECONDS = 20.0


def scheduled_run() -> dict[str, int]:
    """The scheduled handler's work, recorded for the status route."""
    return run_scheduled(JOB, sweep)


def due_tickets(at: datetime, per_shard: int = MAX_DUE_PER_SHARD) -> list[Ticket]:
    """Tickets whose next deadline is due by ``at``, oldest first: one Query per shard
    (more only past 1 MB of due items), never a Scan."""
    bound = due_bound(at)
    found: list[Ticket] = []
    for shard in range(keys.DUE_SHARDS):
        found.extend(
            Ticket.due.query(keys.due_pk(DUE_KIND, shard), Ticket.DueSK <= bound, limit=per_shard)
        )
    return sorted(found, key=lambda ticket: ticket.DueSK or "")


def sweep(at: datetime | None = None) -> dict[str, int]:
    """Settle every due ticket (a few at a time); returns how many ended which way:
    ``breached``, ``cleared`` (no breach; Due moved or removed), ``lost`` (another
    sweep or a change got there first), ``gone``, ``failed``, ``deferred``."""
    at = at or now()
    due = due_tickets(at)
    outcomes: dict[str, int] = {"due": len(due)}
    if not due:
        return outcomes
    started = time.monotonic()
    directory = Directory()

    def work(entry: Ticket) -> str:
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            return "deferred"  # still due: the next run starts with it
        try:
            return settle_ticket(entry, at, directory)
        except Exception:
            log.exception("settling a ticket's SLA failed; tried again next minute",
                          extra={"due": entry.DueSK})  # fmt: skip
            return "failed"

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(due))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, work, e) for e in due]
        for future in futures:
            outcome = future.result()
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log.info("SLA sweep", extra={"job": JOB, **outcomes})
    return outcomes


def settle_ticket(entry: Ticket, at: datetime, directory: Directory | None = None) -> str:
    """Settle one ticket found due in the index (its copy there may lag: it is read
    again, consistently, and judged as it is)."""
    ticket = get_or_none(Ticket, entry.PK, entry.SK, consistent=True)
    if ticket is None or not ticket.DueSK:
        return "gone"
    if ticket.DueSK > due_bound(at):
        return "lost"  # moved meanwhile (reopened): not due yet
    settlement = settle(ticket.sla, status=ticket.status, first_response_at=ticket.first_response_at,
                        closed_at=ticket.closed_at, at=at)  # fmt: skip
    if not settlement.breached:
        return "cleared" if _move_due(ticket, settlement.next_due) else "lost"
    if not _record_breach(ticket, settlement, at):
        return "lost"
    _tell(ticket, settlement, at, directory or Directory())
    return "breached"


def _due_actions(ticket: Ticket, next_due: datetime | None) -> list[Any]:
    if next_due is None:
        return [Ticket.DuePK.remove(), Ticket.DueSK.remove()]
    moved = due_keys(ticket.tenant_id, int(ticket.number), next_due)
    return [Ticket.DuePK.set(moved["DuePK"]), Ticket.DueSK.set(moved["DueSK"])]


def _move_due(ticket: Ticket, next_due: datetime | None) -> bool:
    try:
        Ticket(ticket.PK, ticket.SK).update(
            actions=_due_actions(ticket, next_due), condition=Ticket.DueSK == ticket.DueSK
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _record_breach(ticket: Ticket, settlement: Settlement, at: datetime) -> bool:
    """One transaction: the breaches on the ticket (as read, or nothing) and their history."""
    unchanged = Ticket.DueSK == ticket.DueSK
    unchanged &= Ticket.sla == ticket.sla if ticket.sla else Ticket.sla.does_not_exist()
    actions = [Ticket.sla.set(settlement.sla), *_due_actions(ticket, settlement.next_due)]
    try:
        with transaction() as write:
            write.update(Ticket(ticket.PK, ticket.SK), actions=actions, condition=unchanged)
            for kind in settlement.breached:
                write.save(history_entry(
                    ticket.tenant_id, "ticket", str(ticket.number), None, "sla_breached", at,
                    after={"deadline": kind, "due": settlement.sla.get(f"{kind}_due"),
                           "breached_at": iso(at)},
                ))  # fmt: skip
    except TransactWriteError as exc:
        if lost_race(exc):
            return False
        raise
    ticket.sla = settlement.sla
    return True


def _tell(ticket: Ticket, settlement: Settlement, at: datetime, directory: Directory) -> None:
    """People (an open ticket only: nobody can act on a closed one) and integrations."""
    if ticket.status in ACTIVE_STATES:
        notify_sla_breach(ticket, settlement.breached, at, directory)
    try:
        from chalicelib.domain.integrations import emit

        for kind in settlement.breached:
            emit(ticket.tenant_id, "sla.breached", {
                "ticket": int(ticket.number), "deadline": kind, "status": ticket.status,
                "due": settlement.sla.get(f"{kind}_due"), "assignee_id": ticket.assignee_id,
            })  # fmt: skip
    except Exception:
        log.exception("sla.breached not emitted", extra={"ticket": int(ticket.number)})
