"""Users' boards of columns, and reading a column's tickets from the queue index (GSI2).

A user's board is one item (``COLUMN#<user>``: the order of their column ids and a
version every change of the board checks) plus one item per column
(``COLUMN#<user>#<id>``), all in the tenant's partition: one Query reads a whole board.

A column's tickets are read from GSI2, where each assignee (or nobody) has a queue of
open and pending tickets (``Q``) and one of finished ones (``DONE``), newest activity
first. :func:`read_queue` is exactly one Query; the domain decides how many to make.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition

from chalicelib.store import keys
from chalicelib.store.base import Item
from chalicelib.store.helpdesk import Ticket


class BoardItem(Item):
    """What a user's board is made of (a query of the board returns both kinds)."""


class ColumnBoard(BoardItem, discriminator="ColumnBoard"):
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    order = ListAttribute(of=UnicodeAttribute, default=list)
    version = NumberAttribute(default=0)


class Column(BoardItem, discriminator="Column"):
    """One column: a named, filtered view of tickets (or of their latest messages)."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    column_id = UnicodeAttribute()
    name = UnicodeAttribute()
    column_kind = UnicodeAttribute()  # tickets | messages
    filters = JSONAttribute(default=dict)
    toggles = JSONAttribute(default=dict)
    version = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


def board_key(tenant_id: str, user_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.column_board_sk(user_id)


def column_key(tenant_id: str, user_id: str, column_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.column_sk(user_id, column_id)


def read_board(tenant_id: str, user_id: str) -> tuple[ColumnBoard | None, list[Column]]:
    """The board and its columns: one Query (a board holds at most a few dozen items)."""
    low, high = keys.column_board_range(user_id)
    board: ColumnBoard | None = None
    columns: list[Column] = []
    for item in BoardItem.query(
        keys.tenant_pk(tenant_id), BoardItem.SK.between(low, high), consistent_read=True
    ):
        if isinstance(item, ColumnBoard):
            board = item
        elif isinstance(item, Column):
            columns.append(item)
    return board, columns


# --- reading queues ---------------------------------------------------------------------
@dataclass(frozen=True)
class Queue:
    """One GSI2 partition: an assignee's (None: nobody's) active or finished tickets."""

    assignee: str | None
    active: bool

    def partition(self, tenant_id: str) -> str:
        return keys.queue_pk(tenant_id, self.assignee, self.active)


@dataclass
class QueueBlock:
    """What one Query of a queue gave: the matching tickets with their sort keys, and
    the sort key to continue after (None: the queue has nothing more)."""

    tickets: list[tuple[str, Ticket]]
    continue_after: str | None


def _start_key(tenant_id: str, partition: str, after: str) -> dict[str, Any]:
    number = keys.queue_sk_number(after)
    return {
        "PK": {"S": keys.ticket_pk(tenant_id, number)},
        "SK": {"S": keys.ticket_sk()},
        "GSI2PK": {"S": partition},
        "GSI2SK": {"S": after},
    }


def read_queue(
    tenant_id: str,
    queue: Queue,
    after: str | None,
    limit: int,
    condition: Condition | None,
) -> QueueBlock:
    """One Query of a queue, newest activity first, from just after the sort key ``after``
    (the top when None). ``limit`` items are read; ``condition`` (a FilterExpression)
    then drops some of them: a selective filter returns fewer than it reads."""
    partition = queue.partition(tenant_id)
    results = Ticket.by_queue.query(
        partition,
        scan_index_forward=False,
        filter_condition=condition,
        page_size=limit,
        last_evaluated_key=_start_key(tenant_id, partition, after) if after else None,
    )
    page = results.page_iter.next()
    found = [(raw["GSI2SK"]["S"], Ticket.from_raw_data(raw)) for raw in page.get("Items", [])]
    last = page.get("LastEvaluatedKey")
    return QueueBlock(found, last["GSI2SK"]["S"] if last else None)


def ticket_filter(
    *,
    statuses: Sequence[str] | None = None,
    channel_types: Sequence[str] | None = None,
    channel_ids: Sequence[str] | None = None,
    department_id: str | None = None,
    group_id: str | None = None,
    important: bool | None = None,
    sentiment_start: str | None = None,
    sentiment_end: str | None = None,
    sla_breached: bool | None = None,
    tags: Sequence[str] | None = None,
) -> Condition | None:
    """A FilterExpression over ticket attributes; None when nothing is filtered.

    ``sla`` is stored as JSON text, so "breached" is a substring test on it (the domain
    checks each ticket again in Python: the filter only saves bandwidth)."""
    parts: list[Condition] = []
    if statuses:
        parts.append(Ticket.status.is_in(*statuses))
    if channel_types:
        parts.append(Ticket.channel_type.is_in(*channel_types))
    if channel_ids:
        parts.append(Ticket.channel_id.is_in(*channel_ids))
    if department_id is not None:
        parts.append(Ticket.department_id == department_id)
    if group_id is not None:
        parts.append(Ticket.group_id == group_id)
    if important is True:
        parts.append(Ticket.important == True)  # noqa: E712  (a DynamoDB condition)
    elif important is False:
        parts.append((Ticket.important == False) | Ticket.important.does_not_exist())  # noqa: E712
    if sentiment_start is not None:
        parts.append(Ticket.sentiment_start == sentiment_start)
    if sentiment_end is not None:
        parts.append(Ticket.sentiment_end == sentiment_end)
    if sla_breached is not None:
        breached = _SLA_TEXT.contains(SLA_BREACHED_TEXT)
        parts.append(breached if sla_breached else ~breached | _SLA_TEXT.does_not_exist())
    if tags:
        any_tag: Condition | None = None
        for tag in tags:
            has = Ticket.tags.contains(tag)
            any_tag = has if any_tag is None else any_tag | has
        assert any_tag is not None
        parts.append(any_tag)
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition = condition & part
    return condition


#: how ``json.dumps`` (PynamoDB's JSONAttribute) writes ``sla["breached"] = True``
SLA_BREACHED_TEXT = '"breached": true'
#: ``Ticket.sla`` seen as the text it is stored as (its own attribute would JSON-encode
#: the searched text again)
_SLA_TEXT = UnicodeAttribute(attr_name="sla")
