"""The benchmark harness: named operations, each run N times under the cost meter.

An operation is registered with ``@operation("name")`` on a function that prepares
it (seeds data, outside the meter) and returns the call to measure. That call gets
the iteration number, so each run can use fresh ids. Every operation gets a fresh
table in an in-memory DynamoDB Local; queues and the bucket live in moto's server.
Both are started here on free ports and stopped at the end.

Environment variables are set before anything of ``chalicelib`` is imported: the
settings are read once per process.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import pkgutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack import ddb_local
from devstack.template import ROOT

#: The measured call: gets the iteration number (0, 1, ... across warm-up and runs).
Measured = Callable[[int], object]
Prepare = Callable[["Bench"], Measured]

REGISTRY: dict[str, Operation] = {}
#: Measures that are not one call under the meter (rates, ratios): name -> function of a
#: fresh Bench returning a dict with a "text" entry (printed) and any numbers (JSON).
EXTRAS: dict[str, Callable[[Bench], dict[str, Any]]] = {}
RESULTS = ROOT / "var" / "bench" / "latest.json"
REGION = "us-east-1"
#: Not operation modules: the framework itself.
_NOT_OPERATIONS = {"harness", "cold_import", "__main__"}


@dataclass(frozen=True)
class Operation:
    name: str
    prepare: Prepare
    module: str


def operation(name: str) -> Callable[[Prepare], Prepare]:
    """Register a benchmark operation under ``name`` (shown in the table).

    The decorated function runs once, outside the meter, on a fresh table, and
    returns the call the harness measures.
    """

    def register(prepare: Prepare) -> Prepare:
        if name in REGISTRY:
            raise ValueError(f"benchmark operation {name!r} is registered twice")
        REGISTRY[name] = Operation(name=name, prepare=prepare, module=prepare.__module__)
        return prepare

    return register


def extra(name: str) -> Callable[[Callable[[Bench], dict[str, Any]]], Any]:
    """Register a measure printed after the operations table (e.g. a throughput)."""

    def register(measure: Callable[[Bench], dict[str, Any]]) -> Any:
        EXTRAS[name] = measure
        return measure

    return register


@dataclass
class Bench:
    """What an operation's preparation can use: the endpoints, its table, the API."""

    dynamodb_endpoint: str
    aws_endpoint: str
    table: str
    _http: Any = None

    @property
    def api(self) -> Any:
        """``chalice.test.Client(app.app).http``: routes run in-process, as in the tests."""
        if self._http is None:
            from chalice.test import Client

            import app

            self._http = Client(app.app, project_dir=str(ROOT), stage_name="test").http
        return self._http


@dataclass
class Result:
    name: str
    iterations: int
    requests: list[int] = field(default_factory=list)
    read_units: list[float] = field(default_factory=list)
    write_units: list[float] = field(default_factory=list)
    write_requests: list[int] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    dynamodb_seconds: list[float] = field(default_factory=list)

    def per_op(self, values: list[float] | list[int]) -> float:
        return sum(values) / len(values)

    def as_dict(self) -> dict[str, Any]:
        ms = [s * 1000 for s in self.seconds]
        ddb_ms = [s * 1000 for s in self.dynamodb_seconds]
        return {
            "name": self.name,
            "iterations": self.iterations,
            "requests_per_op": self.per_op(self.requests),
            "read_units_per_op": round(self.per_op(self.read_units), 4),
            "write_units_per_op": round(self.per_op(self.write_units), 4),
            "write_requests_per_op": self.per_op(self.write_requests),
            "calls_per_op": {op: n / self.iterations for op, n in sorted(self.calls.items())},
            "varied": any(
                len(set(values)) > 1
                for values in (self.requests, self.read_units, self.write_units)
            ),
            "latency_ms": {
                "median": round(statistics.median(ms), 3),
                "p95": round(percentile(ms, 95), 3),
                "min": round(min(ms), 3),
                "max": round(max(ms), 3),
            },
            "dynamodb_ms_median": round(statistics.median(ddb_ms), 3),
        }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with ``pct`` % of values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --- the engines -------------------------------------------------------------------
def bench_environment(dynamodb_endpoint: str, aws_endpoint: str, var_dir: Path) -> dict[str, str]:
    env = {
        "ATIENDE_STAGE": "test",
        "ATIENDE_VAR": str(var_dir),
        "ATIENDE_LOG_LEVEL": "WARNING",
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    return env


#: Variables that would point the bench at other resources than the ones it creates.
_CLEARED = (
    "ATIENDE_TABLE",
    "ATIENDE_BUCKET",
    "ATIENDE_QUEUE_PREFIX",
    "ATIENDE_KMS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
)


@contextlib.contextmanager
def local_stack(work_dir: Path) -> Iterator[tuple[str, str]]:
    """DynamoDB Local (in memory) and moto's server on free ports, with the resources of
    infra/resources.yaml; the process environment points at them while the block runs."""
    children: list[subprocess.Popen] = []
    try:
        ddb_port = ddb_local.free_port()
        children.append(ddb_local.start(ddb_port, log_file=work_dir / "dynamodb.log"))
        dynamodb_endpoint = f"http://127.0.0.1:{ddb_port}"

        moto_port = ddb_local.free_port()
        env = bench_environment(dynamodb_endpoint, f"http://127.0.0.1:{moto_port}", work_dir)
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(env)
        with open(work_dir / "moto.log", "ab") as log:
            moto = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=os.environ.copy(),
            )
        children.append(moto)
        ddb_local.wait_for_port(moto_port, timeout=60, process=moto)
        _create_resources()
        yield dynamodb_endpoint, env["AWS_ENDPOINT_URL"]
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _create_resources() -> None:
    import boto3

    from chalicelib.settings import get_settings, reset_settings
    from devstack.bootstrap import create_stack

    reset_settings()  # in case something read the settings before the environment was set
    settings = get_settings()

    def client(service: str, endpoint: str | None) -> Any:
        return boto3.client(service, region_name=settings.region, endpoint_url=endpoint)

    create_stack(
        stage=settings.stage,
        bucket=settings.bucket,
        region=settings.region,
        dynamodb=client("dynamodb", settings.dynamodb_endpoint),
        sqs=client("sqs", settings.aws_endpoint_url),
        s3=client("s3", settings.aws_endpoint_url),
        kms=client("kms", settings.aws_endpoint_url),
    )


@contextlib.contextmanager
def fresh_table(dynamodb_endpoint: str) -> Iterator[str]:
    """A new table shaped as infra/resources.yaml says; every model points at it."""
    import boto3

    from chalicelib import aws as aws_clients
    from chalicelib.store import base as store_base
    from devstack.bootstrap import create_table
    from devstack.template import Resolver, load

    name = f"atiende-bench-{uuid.uuid4().hex[:8]}"
    props = Resolver({"Stage": "test", "FilesBucketName": "unused"}, REGION).resolve(
        load()["Resources"]["Table"]["Properties"]
    )
    props["TableName"] = name
    client = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION)
    create_table(client, props)
    store_base.configure(table=name, endpoint=dynamodb_endpoint)
    aws_clients.reset()
    try:
        yield name
    finally:
        client.delete_table(TableName=name)


# --- running -----------------------------------------------------------------------
def discover() -> None:
    """Import every operation module of this package (they register themselves)."""
    package = Path(__file__).resolve().parent
    for module in pkgutil.iter_modules([str(package)]):
        if module.name not in _NOT_OPERATIONS:
            importlib.import_module(f"{__package__}.{module.name}")


def run_operation(op: Operation, bench: Bench, iterations: int, warmup: int) -> Result:
    from chalicelib.store.meter import measure

    call = op.prepare(bench)
    for n in range(warmup):  # clients, connections and caches: not what a budget is about
        call(n)
    result = Result(name=op.name, iterations=iterations)
    for n in range(warmup, warmup + iterations):
        with measure() as meter:
            started = time.perf_counter()
            call(n)
            elapsed = time.perf_counter() - started
        result.seconds.append(elapsed)
        result.requests.append(meter.requests)
        result.read_units.append(meter.read_units)
        result.write_units.append(meter.write_units)
        result.write_requests.append(meter.write_requests)
        result.dynamodb_seconds.append(sum(sum(c.seconds) for c in meter.operations.values()))
        for name, cost in meter.operations.items():
            result.calls[name] = result.calls.get(name, 0) + cost.requests
    return result


def run(
    *,
    iterations: int,
    warmup: int,
    only: list[str],
    import_runs: int,
    output: Path = RESULTS,
) -> dict[str, Any]:
    from benchmarks import cold_import

    selected: list[Operation] = []
    results: list[dict[str, Any]] = []
    extras: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="atiende-bench-") as tmp:
        work_dir = Path(tmp)
        with local_stack(work_dir) as (dynamodb_endpoint, aws_endpoint):
            discover()
            selected = [
                op
                for op in REGISTRY.values()
                if not only or any(word.lower() in op.name.lower() for word in only)
            ]
            if not selected and not any(
                word.lower() in name.lower() for name in EXTRAS for word in only
            ):
                raise SystemExit(f"no benchmark operation matches {only}: {sorted(REGISTRY)}")
            for op in selected:
                with fresh_table(dynamodb_endpoint) as table:
                    bench = Bench(dynamodb_endpoint, aws_endpoint, table)
                    results.append(run_operation(op, bench, iterations, warmup).as_dict())
            for name, measure_extra in EXTRAS.items():
                if only and not any(word.lower() in name.lower() for word in only):
                    continue
                with fresh_table(dynamodb_endpoint) as table:
                    extras[name] = measure_extra(Bench(dynamodb_endpoint, aws_endpoint, table))
        env = dict(os.environ)  # the same environment as the operations ran with
        imports = cold_import.measure(env, runs=import_runs) if import_runs else None

    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "dynamodb": f"DynamoDB Local ({ddb_local.jar_dir().name}), in memory",
        "iterations": iterations,
        "warmup": warmup,
        "operations": results,
        "extras": extras,
        "cold_import": imports,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


# --- printing ----------------------------------------------------------------------
def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def format_operations(report: dict[str, Any]) -> str:
    header = (
        "operation",
        "requests",
        "RCU",
        "WCU",
        "p50 ms",
        "p95 ms",
        "DynamoDB p50 ms",
        "DynamoDB calls per op",
    )
    rows = [header]
    for op in report["operations"]:
        calls = ", ".join(f"{name} {_number(n)}" for name, n in op["calls_per_op"].items())
        rows.append(
            (
                op["name"] + (" *" if op["varied"] else ""),
                _number(op["requests_per_op"]),
                _number(op["read_units_per_op"]),
                _number(op["write_units_per_op"]),
                f"{op['latency_ms']['median']:.2f}",
                f"{op['latency_ms']['p95']:.2f}",
                f"{op['dynamodb_ms_median']:.2f}",
                calls or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = range(1, 7)

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [
        f"{report['dynamodb']}; {report['iterations']} runs per operation "
        f"after {report['warmup']} warm-up runs; per operation:",
        "",
        line(header),
        line(tuple("-" * w for w in widths)),
        *(line(row) for row in rows[1:]),
    ]
    if any(op["varied"] for op in report["operations"]):
        out.append("* requests or read units varied between runs; the mean is shown")
    out += [
        "",
        "requests: DynamoDB calls; RCU/WCU: read/write capacity units as AWS would bill them",
        "(ReturnConsumedCapacity=INDEXES: table + indexes; transactional writes corrected for",
        "DynamoDB Local, see docs/benchmarks.md); p50/p95: median and 95th percentile wall time",
        "of the whole operation, in process; DynamoDB p50: the part spent in DynamoDB calls.",
    ]
    return "\n".join(out)


def format_report(report: dict[str, Any]) -> str:
    from benchmarks import cold_import

    parts = [format_operations(report)]
    parts += [f"{name}:\n{found['text']}" for name, found in report.get("extras", {}).items()]
    if report["cold_import"]:
        parts.append(cold_import.format_report(report["cold_import"]))
    return "\n\n".join(parts)
