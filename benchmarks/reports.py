"""Reports (issue 16, docs/analytics.md "Reports"): a 100,000-row conversations export,
in CSV and in XLSX, made by the reports worker within one Lambda run (15 minutes) and
in a bounded memory (256 MB), whatever the number of rows.

The tickets and their report index entries are seeded with BatchWriteItem; each export
then runs in a fresh interpreter (``python -m benchmarks.reports TENANT REPORT``), as a
Lambda would, which reports its wall time, its peak resident memory (``VmHWM``, the
whole process, as Lambda counts it) and its growth over the resident memory once the
worker's modules were imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.harness import Bench, extra

ROWS = 100_000
CLIENTS = 10_000  # clients write again: 10 tickets each, on average
START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DAYS = 30
#: Lambda's longest run and the memory the worker must stay within
TIME_LIMIT_SECONDS = 15 * 60
MEMORY_LIMIT_MB = 256
HOURS = {"timezone": "America/Santiago",
         "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}  # fmt: skip


def _seed(tenant_id: str, channel_id: str, assignees: list[str | None]) -> None:
    """ROWS tickets over DAYS days (most answered and closed, some reopened), their
    clients, and the report index entries the counters would have written."""
    from chalicelib.clock import iso
    from chalicelib.domain.analytics.metrics import local_day
    from chalicelib.store import keys
    from chalicelib.store.analytics import ReportIndex, ticket_entry
    from chalicelib.store.helpdesk import Client, Ticket

    with Client.batch_write() as batch:
        for c in range(CLIENTS):
            batch.save(Client(keys.client_pk(tenant_id, f"c{c:08d}"), keys.client_sk(), tenant_id=tenant_id,
                              client_id=f"c{c:08d}", channel_id=channel_id, channel_type="whatsapp",
                              sender_id=f"569{c:08d}", name=f"Cliente Número {c}", created_at=START))  # fmt: skip
    step = timedelta(days=DAYS) / ROWS
    with Ticket.batch_write() as tickets, ReportIndex.batch_write() as entries:
        for n in range(1, ROWS + 1):
            at = START + step * n
            closed = n % 4 != 0
            reopened = n % 10 == 0
            answered = at + timedelta(minutes=n % 90)
            tickets.save(Ticket(
                keys.ticket_pk(tenant_id, n), keys.ticket_sk(), tenant_id=tenant_id, number=n,
                status="closed" if closed else "open", channel_id=channel_id, channel_type="whatsapp",
                client_id=f"c{n % CLIENTS:08d}", assignee_id=assignees[n % len(assignees)],
                created_at=at, last_activity_at=at, first_response_at=answered,
                closed_at=at + timedelta(hours=n % 30) if closed else None,
                first_closed_at=at + timedelta(hours=1) if reopened else None,
                reopened_at=at + timedelta(hours=2) if reopened else None,
                first_fr=at + timedelta(minutes=5) if reopened else None, reopens=1 if reopened else 0,
                sla={"first_response_due": iso(at + timedelta(minutes=30)),
                     "resolution_due": iso(at + timedelta(hours=8))},
                sentiment_end="happy" if n % 3 else "angry",
            ))  # fmt: skip
            entries.save(ticket_entry(tenant_id, local_day(at, "America/Santiago"), n))


def _export(table: str, tenant_id: str, report_id: str) -> dict[str, Any]:
    env = {**os.environ, "ATIENDE_TABLE": table}
    done = subprocess.run([sys.executable, "-m", "benchmarks.reports", tenant_id, report_id],
                          env=env, capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the export failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@extra("reports: a 100,000-row conversations export")
def report_export(bench: Bench) -> dict[str, Any]:
    """Seed ROWS tickets, then export them as CSV and as XLSX, each in its own process."""
    from benchmarks.ingest import online_desk
    from chalicelib.domain.analytics import reports
    from chalicelib.domain.channels.service import update

    principal, channel = online_desk(agent=False)
    update(
        principal,
        channel.channel_id,
        name=None,
        settings={"business_hours": HOURS},
        credentials=None,
    )
    started = time.perf_counter()
    _seed(principal.tenant_id, channel.channel_id, [principal.user_id, None])
    seeded = time.perf_counter() - started
    found: dict[str, Any] = {"rows": ROWS, "seed_seconds": round(seeded, 1)}
    lines = [f"  {ROWS} tickets ({CLIENTS} clients, {DAYS} days) seeded in {seeded:.0f} s; "
             f"each export in a fresh process (DynamoDB Local, moto's S3):"]  # fmt: skip
    # a tenth of the range first: the same memory for a tenth of the rows shows it is flat
    for file_format, days in (
        ("csv", DAYS // 10),
        ("csv", DAYS),
        ("xlsx", DAYS // 10),
        ("xlsx", DAYS),
    ):
        asked = reports.ReportRequest(kind="conversations", file_format=file_format, first_day=START.date(),
                                      last_day=(START + timedelta(days=days)).date())  # fmt: skip
        job = reports.ask(principal, asked)
        measured = _export(bench.table, principal.tenant_id, job.report_id)
        if measured["state"] != "done" or (days == DAYS and measured["rows"] != ROWS):
            raise RuntimeError(f"the {file_format} export ended {measured}")
        label = file_format if days == DAYS else f"{file_format} ({measured['rows']} rows)"
        found[label] = measured
        verdict = ("met" if measured["seconds"] <= TIME_LIMIT_SECONDS
                   and measured["peak_rss_mb"] <= MEMORY_LIMIT_MB else "NOT MET")  # fmt: skip
        lines.append(
            f"  {label:17}  {measured['seconds']:6.1f} s, {measured['rows_per_second']:7.0f} rows/s, "
            f"file {measured['file_mb']:.1f} MB; peak RSS {measured['peak_rss_mb']:.0f} MB "
            f"({measured['growth_mb']:+.0f} MB over the imported worker's {measured['base_rss_mb']:.0f} MB); "
            f"goal {TIME_LIMIT_SECONDS // 60} min and {MEMORY_LIMIT_MB} MB: {verdict}"
        )  # fmt: skip
    found["text"] = "\n".join(lines)
    return found


def _memory_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (the peak) of this process, in MB (Linux, as Lambda).
    Not ``ru_maxrss``: a child's starts at its parent's, and ``exec`` keeps it."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _run_one(tenant_id: str, report_id: str) -> dict[str, Any]:
    """In the export's own process: the worker on one job, measured."""
    import xlsxwriter  # noqa: F401  (what the worker imports before its first row)

    from chalicelib import aws
    from chalicelib.domain.analytics import reports
    from chalicelib.jobs import reports as worker
    from chalicelib.settings import get_settings

    base = _memory_mb("VmRSS")
    started = time.perf_counter()
    worker.make(tenant_id, report_id)
    seconds = time.perf_counter() - started
    peak = _memory_mb("VmHWM")
    job = reports.store.job(tenant_id, report_id, consistent=True)
    assert job is not None
    size = aws.client("s3").head_object(Bucket=get_settings().bucket, Key=job.file_key)[
        "ContentLength"
    ]
    rows = int(job.rows or 0)
    return {"state": job.state, "rows": rows, "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds), "file_mb": round(size / 2**20, 1),
            "base_rss_mb": round(base), "peak_rss_mb": round(peak), "growth_mb": round(peak - base)}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(_run_one(sys.argv[1], sys.argv[2])))
