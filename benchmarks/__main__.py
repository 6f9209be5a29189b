"""``python -m benchmarks [--iterations N] [--only WORD] ...`` (what ``make bench`` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import harness
from devstack import ddb_local


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmark operations against DynamoDB Local and print their cost.",
    )
    parser.add_argument(
        "--iterations", type=int, default=50, help="measured runs per operation (50)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured runs before them (2)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORD",
        help="run only operations whose name contains WORD (repeatable)",
    )
    parser.add_argument(
        "--import-runs",
        type=int,
        default=7,
        help="fresh interpreters per command for the cold-import measure; 0 skips it (7)",
    )
    parser.add_argument(
        "--output", type=Path, default=harness.RESULTS, help="where to write the JSON results"
    )
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0 or args.import_runs < 0:
        parser.error("--iterations must be at least 1; --warmup and --import-runs not negative")
    try:
        ddb_local.java_major_version()
        ddb_local.jar_dir()
    except ddb_local.MissingPrerequisite as exc:
        print(f"[make bench] {exc}", file=sys.stderr)
        return 2
    report = harness.run(
        iterations=args.iterations,
        warmup=args.warmup,
        only=args.only,
        import_runs=args.import_runs,
        output=args.output,
    )
    print(harness.format_report(report))
    print(f"\nresults written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
