"""Report jobs (docs/analytics.md "Reports"): one item per export asked for, in the
tenant's partition at ``REPORT#<id>``, kept 7 days (``expires_at``).

Its state moves queued -> running -> done | failed, each step a conditional write here:
a worker takes a job only when it is queued or its taker has been silent too long
(dead), and only the worker holding the job (its ``started_at``) may finish it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError

from chalicelib.store import keys
from chalicelib.store.accounts import User, epoch_seconds, get_or_none
from chalicelib.store.base import Item, condition_failed, put_once
from chalicelib.store.helpdesk import Client, Ticket
from chalicelib.store.order_models import Order, Payment


class ReportJob(Item, discriminator="ReportJob"):
    """An export of the conversations or payments of a range of days, and its file."""

    tenant_id = UnicodeAttribute()
    report_id = UnicodeAttribute()
    report_kind = UnicodeAttribute()  # conversations | payments
    file_format = UnicodeAttribute()  # csv | xlsx
    filters = JSONAttribute()  # {"from", "to", "agent", "channel", "status"}
    state = UnicodeAttribute(default="queued")  # queued | running | done | failed
    rows = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)  # the latest take (a worker's claim)
    attempts = NumberAttribute(default=0)  # takes so far
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)  # why it failed, for the person who asked
    file_key = UnicodeAttribute(null=True)  # the file in the bucket, once done
    resent_at = UTCDateTimeAttribute(null=True)  # its message last sent again (still queued)


def new_job(tenant_id: str, report_id: str, expires: datetime, **fields: Any) -> ReportJob:
    """A queued job, written once (its id is new)."""
    job = ReportJob(keys.report_pk(tenant_id), keys.report_sk(report_id), tenant_id=tenant_id,
                    report_id=report_id, expires_at=epoch_seconds(expires), **fields)  # fmt: skip
    put_once(job)
    return job


def job(tenant_id: str, report_id: str, *, consistent: bool = False) -> ReportJob | None:
    return get_or_none(ReportJob, keys.report_pk(tenant_id), keys.report_sk(report_id),
                       consistent=consistent)  # fmt: skip


def latest_jobs(tenant_id: str, kinds: Iterable[str], limit: int) -> list[ReportJob]:
    """The tenant's last ``limit`` jobs of ``kinds``, newest first: one Query of its
    partition's ``REPORT#`` items read backwards (their ids sort by creation)."""
    wanted = sorted(set(kinds))
    if not wanted:
        return []
    return list(ReportJob.query(keys.report_pk(tenant_id), ReportJob.SK.startswith(keys.reports_prefix()),
                                filter_condition=ReportJob.report_kind.is_in(*wanted),
                                scan_index_forward=False, limit=limit))  # fmt: skip


def take(found: ReportJob, at: datetime, taken_before: datetime) -> bool:
    """Claim a job for one worker: only a queued one, or a running one whose taker
    started before ``taken_before`` (it died). False when another worker holds it or it
    is finished; on True, ``found`` holds the claim."""
    free = (ReportJob.state == "queued") | (
        (ReportJob.state == "running") & (ReportJob.started_at < taken_before)
    )
    try:
        found.update_only(
            [ReportJob.state.set("running"), ReportJob.started_at.set(at), ReportJob.attempts.add(1)],
            condition=ReportJob.PK.exists() & free,
        )  # fmt: skip
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    found.state, found.started_at, found.attempts = "running", at, int(found.attempts or 0) + 1
    return True


def claim_resend(found: ReportJob, at: datetime, stale_before: datetime) -> bool:
    """Whether this caller sends a stale queued job's message again: only if it is still
    queued, was asked for before ``stale_before`` and not sent again since (one
    re-send per period, however many read it)."""
    condition = (
        (ReportJob.state == "queued")
        & (ReportJob.created_at < stale_before)
        & (ReportJob.resent_at.does_not_exist() | (ReportJob.resent_at < stale_before))
    )
    try:
        found.update_only(
            [ReportJob.resent_at.set(at)], condition=ReportJob.PK.exists() & condition
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    found.resent_at = at
    return True


def _finish(found: ReportJob, actions: list[Any], *, held_since: datetime | None) -> bool:
    condition = ReportJob.PK.exists() & ReportJob.state.is_in("queued", "running")
    if held_since is not None:  # only the worker holding the job finishes it
        condition &= ReportJob.started_at == held_since
    try:
        found.update_only(actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def mark_done(found: ReportJob, rows: int, file_key: str, at: datetime) -> bool:
    """The job's file is in the bucket; False when another worker took the job meanwhile."""
    return _finish(found, [ReportJob.state.set("done"), ReportJob.rows.set(rows),
                           ReportJob.file_key.set(file_key), ReportJob.finished_at.set(at)],
                   held_since=found.started_at)  # fmt: skip


def mark_failed(found: ReportJob, error: str, at: datetime, *, held: bool = True) -> bool:
    """The job ends without a file; ``error`` is said to the person who asked. ``held``:
    only as the worker holding it (False: a job never taken, its message not sent)."""
    return _finish(found, [ReportJob.state.set("failed"), ReportJob.error.set(error[:500]),
                           ReportJob.finished_at.set(at)],
                   held_since=found.started_at if held else None)  # fmt: skip


# --- what a report reads, 100 keys a BatchGetItem (PynamoDB retries unprocessed keys) -----
def tickets(tenant_id: str, numbers: Iterable[int]) -> dict[int, Ticket]:
    """Tickets by number (at most 100 a call); a missing one is left out."""
    wanted = [(keys.ticket_pk(tenant_id, int(n)), keys.ticket_sk()) for n in dict.fromkeys(numbers)]
    return {int(t.number): t for t in Ticket.batch_get(wanted)} if wanted else {}


def orders(tenant_id: str, numbers: Iterable[int]) -> dict[int, Order]:
    wanted = [(keys.order_pk(tenant_id, n), keys.order_sk()) for n in dict.fromkeys(numbers)]
    return {int(o.number): o for o in Order.batch_get(wanted)} if wanted else {}


def payments(tenant_id: str, pairs: Iterable[tuple[int, str]]) -> dict[str, Payment]:
    """Payments by id, from (order number, payment id) pairs."""
    wanted = [
        (keys.order_pk(tenant_id, n), keys.order_payment_sk(p)) for n, p in dict.fromkeys(pairs)
    ]
    return {str(p.payment_id): p for p in Payment.batch_get(wanted)} if wanted else {}


def clients(tenant_id: str, client_ids: Iterable[str]) -> dict[str, Client]:
    wanted = [(keys.client_pk(tenant_id, c), keys.client_sk()) for c in dict.fromkeys(client_ids)]
    return {str(c.client_id): c for c in Client.batch_get(wanted)} if wanted else {}


def users(tenant_id: str, user_ids: Iterable[str]) -> dict[str, User]:
    wanted = [(keys.tenant_pk(tenant_id), keys.user_sk(u)) for u in dict.fromkeys(user_ids)]
    return {str(u.user_id): u for u in User.batch_get(wanted)} if wanted else {}
