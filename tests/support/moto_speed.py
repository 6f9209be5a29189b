"""moto made cheaper where it does more than DynamoDB promises, never where it differs.

moto's TransactWriteItems keeps a backup of the table to roll back a cancelled
transaction, and takes it once per item of the transaction: a deep copy of the whole
table, three to five times a transaction. One copy per table and transaction is the same
backup. The analytics counters made every counted event a transaction (docs/analytics.md),
and those copies became a visible part of the suite's time.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_local = threading.local()


class _CopyOncePerTransaction:
    """Stands for the ``copy`` module inside moto's DynamoDB models: inside a transaction,
    a table is deep-copied once; everything else is copied as ``copy`` copies it."""

    def deepcopy(self, thing: Any, memo: Any = None) -> Any:
        tables = getattr(_local, "tables", None)
        if tables is None or type(thing).__name__ != "Table":
            return copy.deepcopy(thing, memo)
        found = tables.get(id(thing))
        if found is None:
            found = tables[id(thing)] = copy.deepcopy(thing, memo)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def install() -> None:
    """Once per test process, before any test runs."""
    from moto.dynamodb import models

    if isinstance(models.copy, _CopyOncePerTransaction):
        return
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: Any) -> Any:
        _local.tables = {}
        try:
            return original(self, transact_items)
        finally:
            _local.tables = None

    models.copy = _CopyOncePerTransaction()  # type: ignore[assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
