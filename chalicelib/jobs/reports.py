"""The reports queue's consumer (docs/analytics.md "Reports"): one message per report
asked for, ``{"tenant_id", "report_id"}``, made into a file in the bucket.

Idempotent: a message delivered twice finds the job done, failed, or running in a
worker that took it less than 10 minutes ago, and does nothing. A worker that dies
(Lambda's 15 minutes, a crash) leaves its message to come back after the queue's
visibility timeout; its job, running for more than 10 minutes by then, is taken again.
A refusal the product explains (the account gone) fails the job at once; an unexpected
error is retried by the queue until the job's third take, which fails it with a message
for the person: no report waits, nor is retried, forever.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from typing import Any

from chalicelib import aws
from chalicelib.domain.analytics import reports
from chalicelib.domain.errors import DomainError
from chalicelib.jobs.queue_batch import process_batch
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)


def _upload_config() -> Any:
    """A large file goes up in 8 MB parts, at most 4 at a time: 32 MB of buffers at most,
    whatever the report's size (boto3's default of 10 would hold 80 MB)."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_chunksize=8 * 2**20, max_concurrency=4)


def make(tenant_id: str, report_id: str) -> None:
    """Make one report's file, unless it is made or being made."""
    job = reports.take(tenant_id, report_id)
    if job is None:
        log.info("report already made or being made", extra={"report_id": report_id})
        return
    try:
        handle, path = tempfile.mkstemp(suffix=f".{job.file_format}")
        os.close(handle)
        try:
            rows = reports.write_file(job, path)
            aws.client("s3").upload_file(path, get_settings().bucket, reports.file_key(job),
                                         ExtraArgs={"ContentType": reports.content_type(job)},
                                         Config=_upload_config())  # fmt: skip
        finally:
            os.unlink(path)
    except DomainError as exc:
        log.warning("report refused", extra={"report_id": report_id, "code": exc.code})
        reports.fail(job, exc.message)
        return
    except Exception:
        if not reports.gives_up(job):
            raise  # the message comes back; the job, running, is taken again then
        log.exception("report failed for good", extra={"report_id": report_id})
        reports.fail(job, reports.FAILED_TO_MAKE)
        return
    if not reports.finish(job, rows):
        log.info("report taken by another worker meanwhile", extra={"report_id": report_id})


def process_record(record: Any) -> None:
    body = json.loads(record.body)
    tenant_id = body.get("tenant_id") if isinstance(body, dict) else None
    report_id = body.get("report_id") if isinstance(body, dict) else None
    if not isinstance(tenant_id, str) or not isinstance(report_id, str):
        log.error("a reports message without its ids; dropped", extra={"body": record.body[:200]})
        return
    make(tenant_id, report_id)


def handle(event: Any) -> dict[str, Any]:
    """Process a Chalice ``SQSEvent`` of the reports queue; failed records are retried."""
    return process_batch(event, process_record)
