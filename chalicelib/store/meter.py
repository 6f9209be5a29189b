"""A cost meter: DynamoDB requests and capacity units, per API operation.

Every call made through PynamoDB asks DynamoDB for its consumed capacity
(``ReturnConsumedCapacity=INDEXES``, table and indexes) and, while a meter is
open (``with measure() as m:``), adds it up. DynamoDB Local reports a
transactional item as a plain write; AWS bills it double, so against a local
engine transactional capacity is doubled to show what AWS would bill.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
TRANSACTIONS = frozenset({"TransactWriteItems", "TransactGetItems"})


@dataclass
class OperationCost:
    requests: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    items: int = 0  # items in a batch or transaction (1 for single-item calls and queries)
    failed: int = 0
    seconds: list[float] = field(default_factory=list)


@dataclass
class CostMeter:
    """What DynamoDB was asked while the meter was open."""

    operations: dict[str, OperationCost] = field(default_factory=dict)

    def record(
        self,
        operation: str,
        response: dict[str, Any] | None,
        items: int,
        seconds: float,
        transaction_factor: float = 1.0,
    ) -> None:
        cost = self.operations.setdefault(operation, OperationCost())
        cost.requests += 1
        cost.items += items
        cost.seconds.append(seconds)
        if response is None:
            cost.failed += 1
            return
        units = _capacity_units(response.get("ConsumedCapacity"))
        if operation in TRANSACTIONS:
            units *= transaction_factor
        if operation in READ_OPERATIONS:
            cost.read_units += units
        else:
            cost.write_units += units

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.operations.values())

    @property
    def write_requests(self) -> int:
        """Write requests, a transaction or batch counted by its items."""
        return sum(c.items for op, c in self.operations.items() if op not in READ_OPERATIONS)

    @property
    def read_units(self) -> float:
        return sum(c.read_units for c in self.operations.values())

    @property
    def write_units(self) -> float:
        return sum(c.write_units for c in self.operations.values())

    def count(self, operation: str) -> int:
        cost = self.operations.get(operation)
        return cost.requests if cost else 0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "read_units": round(self.read_units, 2),
            "write_units": round(self.write_units, 2),
            "by_operation": {op: c.requests for op, c in sorted(self.operations.items())},
        }


def _capacity_units(consumed: Any) -> float:
    if not consumed:
        return 0.0
    if isinstance(consumed, list):
        return sum(_capacity_units(c) for c in consumed)
    return float(consumed.get("CapacityUnits") or 0.0)


def _items_in(operation: str, kwargs: dict[str, Any]) -> int:
    if operation in TRANSACTIONS:
        return len(kwargs.get("TransactItems", []))
    if operation == "BatchWriteItem":
        return sum(len(v) for v in kwargs.get("RequestItems", {}).values())
    if operation == "BatchGetItem":
        return sum(len(v.get("Keys", [])) for v in kwargs.get("RequestItems", {}).values())
    return 1


_lock = threading.Lock()
_open: list[CostMeter] = []
_installed = False
NO_CAPACITY = frozenset(
    {"DescribeTable", "ListTables", "CreateTable", "DeleteTable", "UpdateTable", "UpdateTimeToLive"}
)


def _is_local_engine(host: str | None) -> bool:
    return bool(host) and ("127.0.0.1" in str(host) or "localhost" in str(host))


@contextmanager
def measure() -> Iterator[CostMeter]:
    """Open a meter for the block; meters nest (each sees every call of its block)."""
    cost_meter = CostMeter()
    with _lock:
        _open.append(cost_meter)
    try:
        yield cost_meter
    finally:
        with _lock:
            _open.remove(cost_meter)


def install() -> None:
    """Wrap PynamoDB's single exit to DynamoDB (idempotent)."""
    global _installed
    if _installed:
        return
    from pynamodb.connection.base import Connection

    original = Connection._make_api_call

    def metered(self: Connection, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
        if operation_name not in NO_CAPACITY:
            operation_kwargs["ReturnConsumedCapacity"] = "INDEXES"
        started = time.perf_counter()
        response = None
        try:
            response = original(self, operation_name, operation_kwargs)
            return response
        finally:
            if _open:
                elapsed = time.perf_counter() - started
                items = _items_in(operation_name, operation_kwargs)
                factor = 2.0 if _is_local_engine(self.host) else 1.0
                with _lock:
                    for cost_meter in _open:
                        cost_meter.record(operation_name, response, items, elapsed, factor)

    Connection._make_api_call = metered  # type: ignore[method-assign]
    _installed = True
