"""Reports of conversations and of payments, exported as CSV or XLSX (SPEC §7,
docs/analytics.md "Reports"): asked for here, made by the reports worker
(jobs/reports.py), downloaded through a presigned GET valid 15 minutes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field

from chalicelib import aws
from chalicelib.clock import now
from chalicelib.domain.analytics import reports as domain
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.reports import ReportJob

resource = Resource(__name__, "reports")

DOWNLOAD_SECONDS = 15 * 60
ID_PATTERN = r"^[0-9a-z]{26}$"


class ReportIn(RequestModel):
    kind: Literal["conversations", "payments"]
    format: Literal["csv", "xlsx"]
    from_: date = Field(alias="from", description="first day, the tenant's local date")
    to: date = Field(description="last day (inclusive), the tenant's local date")
    agent: str | None = Field(None, pattern=ID_PATTERN, description="a user id")
    channel: str | None = Field(None, min_length=1, max_length=64, description="a channel id")
    status: str | None = Field(
        None, max_length=20,
        description="a ticket status (conversations) or a payment status (payments)",
    )  # fmt: skip


class ReportFilters(ResponseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    agent: str | None
    channel: str | None
    status: str | None


class ReportOut(ResponseModel):
    id: str
    kind: str
    format: str
    filters: ReportFilters
    state: Literal["queued", "running", "done", "failed"]
    rows: int | None
    created_at: datetime
    created_by: str
    created_by_name: str | None
    finished_at: datetime | None
    error: str | None
    download_url: str | None = Field(description="a presigned GET, valid 15 minutes; when done")
    download_expires_at: datetime | None


class ReportList(ResponseModel):
    items: list[ReportOut]


def report_out(job: ReportJob, *, with_download: bool = False) -> dict[str, Any]:
    url = expires = None
    if with_download and job.state == "done" and job.file_key:
        url = aws.presigned_get(job.file_key, DOWNLOAD_SECONDS,
                                filename=domain.download_name(job.tenant_id, job))  # fmt: skip
        expires = now() + timedelta(seconds=DOWNLOAD_SECONDS)
    filters = job.filters or {}
    out = ReportOut(
        id=job.report_id, kind=job.report_kind, format=job.file_format,
        filters=ReportFilters(from_=filters.get("from", ""), to=filters.get("to", ""),
                              agent=filters.get("agent"), channel=filters.get("channel"),
                              status=filters.get("status")),
        state=job.state, rows=int(job.rows) if job.rows is not None else None,
        created_at=job.created_at, created_by=job.created_by, created_by_name=job.created_by_name,
        finished_at=job.finished_at, error=job.error, download_url=url, download_expires_at=expires,
    )  # fmt: skip
    return out.model_dump(mode="json", by_alias=True)


@resource.route(
    "/v1/reports",
    "POST",
    summary="Ask for a report of conversations or of payments (made in the background).",
    body=ReportIn,
    response=ReportOut,
    status=202,
    action="reports.read",
    errors=(503,),  # the queue did not take it: the report is failed, ask again
)
def ask_report(call: Call) -> dict[str, Any]:
    body: ReportIn = call.body
    asked = domain.ReportRequest(
        kind=body.kind, file_format=body.format, first_day=body.from_, last_day=body.to,
        agent=body.agent, channel=body.channel, status=body.status,
    )  # fmt: skip
    return report_out(domain.ask(call.principal, asked))


@resource.route(
    "/v1/reports",
    summary="The last 50 reports of the kinds the caller may read, newest first.",
    response=ReportList,
    action="reports.read",
)
def list_reports(call: Call) -> dict[str, Any]:
    return {"items": [report_out(job) for job in domain.latest(call.principal)]}


@resource.route(
    "/v1/reports/{report_id}",
    summary="One report; when done, its download_url (valid 15 minutes).",
    response=ReportOut,
    action="reports.read",
)
def get_report(call: Call, report_id: str) -> dict[str, Any]:
    return report_out(domain.get(call.principal, report_id), with_download=True)
