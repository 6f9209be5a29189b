"""Reports of conversations and of payments (SPEC §7, docs/analytics.md "Reports"): a job
asked for through the API, made by the reports worker, kept 7 days.

Asking writes the job (queued) and puts its id on the ``reports`` queue. A queue that
does not take the message fails the job at once, with the reason said to the person (503);
a job whose message was lost otherwise (the Lambda died between the two) gets it again
when read 15 minutes later: nothing waits forever for a message that was never sent. The worker takes the job (only
a queued one, or one whose taker has been silent for 10 minutes: it died), writes the
file row by row to a temporary file, and marks it done with its row count, or failed
with a message for the person.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib import ids, queues
from chalicelib.clock import now
from chalicelib.domain.analytics import report_rows
from chalicelib.domain.analytics.report_files import CONTENT_TYPES, file_name, headers, open_writer
from chalicelib.domain.errors import Forbidden, Invalid, NotFound, Unavailable
from chalicelib.store import keys
from chalicelib.store import reports as store
from chalicelib.store.accounts import Tenant, get_or_none
from chalicelib.store.reports import ReportJob

KINDS = ("conversations", "payments")
ACTIONS = {"conversations": "reports.conversations", "payments": "reports.payments"}
STATUSES = {
    "conversations": ("open", "pending", "closed", "escalated", "merged"),
    "payments": ("pending", "reconciled", "rejected"),
}
KEPT = timedelta(days=7)
#: a running job whose worker has said nothing for this long is taken by the next delivery
TAKEN_FOR = timedelta(minutes=10)
#: takes of one job before it is failed for good (the queue's maxReceiveCount is above it)
MAX_ATTEMPTS = 3
#: a job still queued this long after it was asked for gets its message again
RESEND_AFTER = timedelta(minutes=15)
MAX_RANGE_DAYS = 366
LISTED = 50
FAILED_TO_MAKE = "The report could not be made. Ask for it again; if it fails again, tell us."
NOT_QUEUED = "The report could not be queued. Ask for it again in a moment."


def readable_kinds(principal: Any) -> tuple[str, ...]:
    """The kinds of report the caller may list and download: the kind's action, and
    conversations for whoever reads the analytics (an analyst without the permission
    sees the reports others made, docs/analytics.md "Who may")."""
    kinds = []
    if principal.can("reports.conversations") or principal.can("analytics.read"):
        kinds.append("conversations")
    if principal.can("reports.payments"):
        kinds.append("payments")
    return tuple(kinds)


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    file_format: str
    first_day: date
    last_day: date
    agent: str | None = None
    channel: str | None = None
    status: str | None = None


def _check(principal: Any, asked: ReportRequest) -> None:
    action = ACTIONS[asked.kind]
    if not principal.can(action):
        raise Forbidden(f"Your role ({principal.role}) does not allow this: export the {asked.kind} report.",
                        details={"action": action, "role": principal.role})  # fmt: skip
    if asked.first_day > asked.last_day:
        raise Invalid("The range starts after it ends (from is after to).", code="range_reversed",
                      details=[{"loc": ["body", "from"], "msg": "after to", "type": "range_reversed"}])  # fmt: skip
    if (asked.last_day - asked.first_day).days > MAX_RANGE_DAYS:
        raise Invalid(f"A report covers at most {MAX_RANGE_DAYS} days.", code="range_too_long",
                      details=[{"loc": ["body", "to"], "msg": "too far from from", "type": "range_too_long"}])  # fmt: skip
    if asked.status is not None and asked.status not in STATUSES[asked.kind]:
        raise Invalid(f"A {asked.kind} report's status is one of {', '.join(STATUSES[asked.kind])}.",
                      code="invalid_status",
                      details=[{"loc": ["body", "status"], "msg": "not a status of this kind",
                                "type": "invalid_status"}])  # fmt: skip
    tenant_id = principal.tenant_id
    if asked.agent is not None and not store.users(tenant_id, [asked.agent]):
        raise Invalid("There is no such user in this account.", code="unknown_agent",
                      details=[{"loc": ["body", "agent"], "msg": "unknown user", "type": "unknown_agent"}])  # fmt: skip
    if asked.channel is not None and not _channel_exists(tenant_id, asked.channel):
        raise Invalid("There is no such channel in this account.", code="unknown_channel",
                      details=[{"loc": ["body", "channel"], "msg": "unknown channel",
                                "type": "unknown_channel"}])  # fmt: skip


def _channel_exists(tenant_id: str, channel_id: str) -> bool:
    from chalicelib.domain.channels.service import get_channel

    try:
        get_channel(tenant_id, channel_id)
    except NotFound:
        return False
    return True


def ask(principal: Any, asked: ReportRequest) -> ReportJob:
    """Queue a report (202): 403 without the kind's action, 400 for a bad range, status,
    agent or channel; 503 when the queue does not take it (the job is then failed)."""
    _check(principal, asked)
    at = now()
    user = principal.user
    job = store.new_job(
        principal.tenant_id, ids.new_id(), at + KEPT, report_kind=asked.kind,
        file_format=asked.file_format, created_at=at, created_by=principal.user_id,
        created_by_name=f"{user.first_name} {user.last_name}".strip() if user else None,
        filters={"from": asked.first_day.isoformat(), "to": asked.last_day.isoformat(),
                 "agent": asked.agent, "channel": asked.channel, "status": asked.status},
    )  # fmt: skip
    try:
        _send(job)
    except queues.NotQueued as exc:
        store.mark_failed(job, NOT_QUEUED, now(), held=False)
        raise Unavailable(
            NOT_QUEUED, code="not_queued", details={"report_id": job.report_id}
        ) from exc
    return job


def _send(job: ReportJob) -> None:
    queues.send("reports", json.dumps({"tenant_id": job.tenant_id, "report_id": job.report_id}))


def _live(found: ReportJob | None) -> ReportJob | None:
    """A job not yet past its 7 days (TTL deletes it some time after). One still queued
    15 minutes after it was asked for may have lost its message (a Lambda that died
    between the job's write and the send): its message is sent again, at most once per
    15 minutes; the worker makes a job once, whatever the messages."""
    if found is None or (found.expires_at is not None and found.expires_at <= now().timestamp()):
        return None
    if found.state == "queued":
        at = now()
        if found.created_at < at - RESEND_AFTER and store.claim_resend(
            found, at, at - RESEND_AFTER
        ):
            with contextlib.suppress(queues.NotQueued):  # the next read, 15 minutes on
                _send(found)
    return found


def get(principal: Any, report_id: str) -> ReportJob:
    """One report of the tenant, of a kind the caller may read (404 otherwise)."""
    found = _live(store.job(principal.tenant_id, report_id))
    if found is None or found.report_kind not in readable_kinds(principal):
        raise NotFound("There is no such report.")
    return found


def latest(principal: Any) -> list[ReportJob]:
    """The tenant's last 50 reports of the kinds the caller may read, newest first."""
    found = store.latest_jobs(principal.tenant_id, readable_kinds(principal), LISTED)
    return [job for job in found if _live(job) is not None]


def download_name(tenant_id: str, found: ReportJob) -> str:
    """``conversaciones-2026-12-01_2026-12-07.csv``, in the tenant's language."""
    tenant = _tenant(tenant_id)
    return file_name(found.report_kind, tenant.locale if tenant else None,
                     found.filters["from"], found.filters["to"], found.file_format)  # fmt: skip


def _tenant(tenant_id: str) -> Tenant | None:
    return get_or_none(Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk())


# --- the worker's steps (jobs/reports.py) ----------------------------------------------------
def take(tenant_id: str, report_id: str) -> ReportJob | None:
    """The job, now held by this worker; None when there is nothing to do: it is done,
    failed, gone, or running in another worker that spoke less than 10 minutes ago."""
    found = store.job(tenant_id, report_id, consistent=True)
    if found is None or found.state in ("done", "failed"):
        return None
    at = now()
    return found if store.take(found, at, at - TAKEN_FOR) else None


def write_file(found: ReportJob, path: str) -> int:
    """Write the job's rows into ``path`` (its format); the number of rows written."""
    tenant = _tenant(found.tenant_id)
    if tenant is None:
        raise NotFound("The account of this report is gone.")
    filters = report_rows.Filters(
        first_day=found.filters["from"], last_day=found.filters["to"],
        agent=found.filters.get("agent"), channel=found.filters.get("channel"),
        status=found.filters.get("status"),
    )  # fmt: skip
    writer = open_writer(found.file_format, path, headers(found.report_kind, tenant.locale))
    rows = 0
    try:
        for row in report_rows.ROWS[found.report_kind](
            found.tenant_id, filters, tenant.timezone, tenant.locale
        ):
            writer.row(row)
            rows += 1
    finally:
        writer.close()
    return rows


def file_key(found: ReportJob) -> str:
    return keys.report_file_key(found.tenant_id, found.report_id, found.file_format)


def content_type(found: ReportJob) -> str:
    return CONTENT_TYPES[found.file_format]


def finish(found: ReportJob, rows: int) -> bool:
    """The file is uploaded: the job is done (False: another worker took it meanwhile)."""
    return store.mark_done(found, rows, file_key(found), now())


def fail(found: ReportJob, message: str) -> bool:
    """The job ends without a file; ``message`` is what the person reads."""
    return store.mark_failed(found, message, now())


def gives_up(found: ReportJob) -> bool:
    """Whether a job that failed unexpectedly has had its last take."""
    return int(found.attempts or 0) >= MAX_ATTEMPTS
