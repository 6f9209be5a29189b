"""Platform operations: the status route and the heartbeats it reads."""

from __future__ import annotations

from benchmarks.harness import Bench, Measured, operation


@operation("status route")
def status_route(bench: Bench) -> Measured:
    """GET /v1/status: one query of the table, then the queues and the bucket (moto)."""
    from chalicelib.clock import now
    from chalicelib.jobs.scheduled import SCHEDULED_JOBS
    from chalicelib.store.platform import record_heartbeat

    for job in SCHEDULED_JOBS:
        record_heartbeat(job, now())
    api = bench.api

    def call(_: int) -> None:
        response = api.get("/v1/status")
        if response.status_code != 200:
            raise RuntimeError(f"GET /v1/status answered {response.status_code}: {response.body}")

    return call


@operation("store read: last heartbeats")
def read_last_heartbeats(bench: Bench) -> Measured:
    from chalicelib.clock import now
    from chalicelib.store.platform import last_heartbeats, record_heartbeat

    jobs = ["platform_heartbeat", "sla_sweep", "token_expiry", "mail_digest"]
    for job in jobs:
        record_heartbeat(job, now())

    def call(_: int) -> None:
        if len(last_heartbeats()) != len(jobs):
            raise RuntimeError("last_heartbeats() lost a job")

    return call


@operation("store write: record heartbeat")
def write_heartbeat(bench: Bench) -> Measured:
    """The scheduler's pulse: overwrites one job's heartbeat item."""
    from chalicelib.clock import now
    from chalicelib.store.platform import record_heartbeat

    def call(_: int) -> None:
        record_heartbeat("platform_heartbeat", now())

    return call
