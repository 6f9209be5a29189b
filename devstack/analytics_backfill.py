"""``make analytics-backfill TENANT=<id>``: rebuild a tenant's analytics counters from its
tickets and orders (docs/analytics.md "Backfill"), against the table the settings name
(``ATIENDE_TABLE``, ``DYNAMODB_ENDPOINT``: the local stack's by default, production's
with AWS credentials). Idempotent: a second run counts nothing. Several tenants may be
named, separated by spaces.
"""

from __future__ import annotations

import os
import sys


def local_defaults() -> None:
    """Without ``ATIENDE_STAGE``, the local stack of ``make run`` (its DynamoDB Local)."""
    if os.environ.get("ATIENDE_STAGE"):
        return
    from devstack.run import LOCAL_ENV

    for name, value in LOCAL_ENV.items():
        os.environ.setdefault(name, value)
    os.environ["ATIENDE_STAGE"] = "local"
    port = os.environ.get("ATIENDE_DYNAMODB_PORT", "8001")
    os.environ.setdefault("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{port}")


def main(argv: list[str]) -> int:
    tenants = [a for a in argv if a.strip()]
    if not tenants:
        print("usage: make analytics-backfill TENANT=<tenant id> [TENANT=...]", file=sys.stderr)
        return 2
    local_defaults()
    from chalicelib.domain.analytics.backfill import backfill

    for tenant_id in tenants:
        done = backfill(tenant_id)
        print(f"{tenant_id}: {done.tickets} tickets, {done.orders} orders, {done.events} events, "
              f"{done.counted} newly counted ({done.events - done.counted} were counted already)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
