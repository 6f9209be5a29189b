"""A cost meter: DynamoDB requests and capacity units, per API operation.

Every call made through PynamoDB asks DynamoDB for its consumed capacity
(``ReturnConsumedCapacity=INDEXES``, table and indexes) and, while a meter is
open (``with measure() as m:``), adds it up: what AWS would bill.

DynamoDB Local (3.x) mis-reports one thing: a TransactWriteItems. It bills each
item double, as AWS does, but adds up only the distinct per-item amounts, so two
small puts report 2 units instead of 4, and five report 2 instead of 10
(awslabs/amazon-dynamodb-local-samples#31). Against a local engine the meter
takes, per table, the larger of that report and the bill rebuilt from the
request (see ``_transact_write_floor``). Its TransactGetItems (2 units per item)
and every other operation are reported as AWS bills them and are taken as is.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: Operations that consume write capacity; every other data-plane call reads.
WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
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

    def record(self, operation: str, units: float | None, items: int, seconds: float) -> None:
        """One call: ``units`` is the capacity AWS bills for it, ``None`` when it failed."""
        cost = self.operations.setdefault(operation, OperationCost())
        cost.requests += 1
        cost.items += items
        cost.seconds.append(seconds)
        if units is None:
            cost.failed += 1
            return
        if operation in WRITE_OPERATIONS:
            cost.write_units += units
        else:
            cost.read_units += units

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.operations.values())

    @property
    def write_requests(self) -> int:
        """Write requests, a transaction or batch counted by its items."""
        return sum(c.items for op, c in self.operations.items() if op in WRITE_OPERATIONS)

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


def _billed_units(
    operation: str, response: dict[str, Any], kwargs: dict[str, Any], local: bool
) -> float:
    consumed = response.get("ConsumedCapacity")
    if not (local and operation == "TransactWriteItems"):
        return _capacity_units(consumed)
    reported: dict[str, float] = {}
    for entry in consumed or []:
        table = str(entry.get("TableName"))
        reported[table] = reported.get(table, 0.0) + _capacity_units(entry)
    floor = _transact_write_floor(kwargs.get("TransactItems", []))
    return sum(max(reported.get(t, 0.0), floor.get(t, 0.0)) for t in reported.keys() | floor)


def _transact_write_floor(actions: list[dict[str, Any]]) -> dict[str, float]:
    """What AWS bills at least for a TransactWriteItems, per table, from the request alone.

    A Put carries its item: 2 units per started KB for the table and again for every
    index whose keys it holds (all indexes project ALL). Update, Delete and
    ConditionCheck carry only a key: 2 units, their item's size being unknown here.
    """
    from chalicelib.store.indexes import INDEXES

    floor: dict[str, float] = {}
    for action in actions:
        for kind, body in action.items():
            table = str(body.get("TableName"))
            units = 2.0
            if kind == "Put":
                item = body.get("Item", {})
                per_copy = 2.0 * max(1, math.ceil(_item_bytes(item) / 1024))
                copies = 1 + sum(1 for pk, sk in INDEXES.values() if pk in item and sk in item)
                units = per_copy * copies
            floor[table] = floor.get(table, 0.0) + units
    return floor


def _item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict[str, Any]) -> int:
    size = 0
    for kind, data in value.items():
        if kind == "S":
            size += len(data.encode())
        elif kind == "N":
            size += _number_bytes(data)
        elif kind == "B":
            size += _binary_bytes(data)
        elif kind in ("BOOL", "NULL"):
            size += 1
        elif kind == "SS":
            size += sum(len(s.encode()) for s in data)
        elif kind == "NS":
            size += sum(_number_bytes(n) for n in data)
        elif kind == "BS":
            size += sum(_binary_bytes(b) for b in data)
        elif kind == "L":
            size += 3 + sum(1 + _value_bytes(v) for v in data)
        elif kind == "M":
            size += 3 + sum(1 + len(k.encode()) + _value_bytes(v) for k, v in data.items())
    return size


def _number_bytes(number: str) -> int:
    digits = number.lstrip("+-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return 1 + math.ceil(len(digits) / 2)


def _binary_bytes(data: Any) -> int:
    if isinstance(data, bytes | bytearray):
        return len(data)
    return len(base64.b64decode(data))  # botocore's wire form of a binary value


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
                units = (
                    None
                    if response is None
                    else _billed_units(
                        operation_name,
                        response,
                        operation_kwargs,
                        _is_local_engine(self.host),
                    )
                )
                with _lock:
                    for cost_meter in _open:
                        cost_meter.record(operation_name, units, items, elapsed)

    Connection._make_api_call = metered  # type: ignore[method-assign]
    _installed = True
