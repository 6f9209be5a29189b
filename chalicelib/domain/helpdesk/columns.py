"""Columns (SPEC §4): each user's board of filtered views of tickets, newest activity first.

A column belongs to the user who made it; nobody else ever sees it (404). Its tickets
come from the queue index (GSI2): one partition per assignee (or nobody) and state
(``Q``: open and pending; ``DONE``: closed, escalated, merged), each sorted by last
activity. The column's assignee and statuses say which partitions to read:

* ``me`` / ``unassigned`` / a user: that queue; ``any``: every user's queue and the
  unassigned one, merged by activity — one Query per queue, so its cost grows with the
  tenant's users (see docs/helpdesk.md);
* statuses only among open/pending: ``Q``; only among closed/escalated/merged: ``DONE``;
  both: both (merged).

The other filters are a FilterExpression: DynamoDB reads ``limit`` items and drops the
ones that do not match, so a page keeps reading (bounded: one Query per partition plus
:data:`EXTRA_QUERIES`) until it has ``limit`` tickets. A selective filter costs more
reads and may end a page short, with a cursor to go on.

An agent sees only what SPEC §2 lets them see: their own queue and the unassigned
tickets of the channels they serve; ``any`` means those two, another user's queue
nothing. A cursor carries one position per partition still to read, signed and bound
to the column and its version (an edited column's old cursors are refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.channels.events import ChannelType
from chalicelib.channels.registry import PROVIDERS
from chalicelib.clock import now
from chalicelib.cursors import decode_cursor, encode_cursor
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.settings_items import AGENT_GROUPS, DEPARTMENTS
from chalicelib.domain.errors import Conflict, Invalid, NotFound
from chalicelib.domain.helpdesk.tags import tag_ids_exist
from chalicelib.domain.helpdesk.visibility import agent_channels
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store.accounts import User, get_or_none
from chalicelib.store.base import every_item, lost_race, transaction
from chalicelib.store.channels import Channel
from chalicelib.store.columns import (
    Column,
    ColumnBoard,
    Queue,
    board_key,
    column_key,
    read_board,
    read_queue,
    ticket_filter,
)
from chalicelib.store.helpdesk import Ticket

MAX_COLUMNS = 20
#: Queries a page may make beyond the first one of each partition (selective filters)
EXTRA_QUERIES = 3
#: items a continuation Query reads (the first Query of a partition reads ``limit``)
CONTINUE_READ = 100
ATTEMPTS = 3

Status = Literal["open", "pending", "closed", "escalated", "merged"]
ACTIVE_STATES: frozenset[str] = frozenset({"open", "pending"})
DONE_STATES: frozenset[str] = frozenset({"closed", "escalated", "merged"})
DEFAULT_STATUSES: tuple[Status, ...] = ("open", "pending")
Sentiment = Literal["happy", "neutral", "angry"]
ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ASSIGNEE_WORDS = ("me", "unassigned", "any")
COLUMN_ID = re.compile(r"[0-9a-z]{26}")
QUEUE_POSITION = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.]+Z#\d{10}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SentimentFilter(_Strict):
    start: Sentiment | None = None
    end: Sentiment | None = None


def _distinct(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class ColumnFilters(_Strict):
    """Which tickets a column shows. Lists mean "any of"; an empty list does not filter
    (``statuses`` needs at least one: a board column shows open and pending tickets
    unless told otherwise). ``assignee``: ``me``, ``unassigned``, ``any`` or a user id."""

    channel_types: list[ChannelType] = Field(default_factory=list, max_length=len(PROVIDERS))
    channel_ids: list[ItemId] = Field(default_factory=list, max_length=50)
    statuses: list[Status] = Field(
        default_factory=lambda: list(DEFAULT_STATUSES), min_length=1, max_length=5
    )
    assignee: ItemId = "me"
    department_id: ItemId | None = None
    group_id: ItemId | None = None
    important: bool | None = None
    sentiment: SentimentFilter | None = None
    sla_breached: bool | None = None
    tags: list[ItemId] = Field(default_factory=list, max_length=20)

    _distinct_lists = field_validator("channel_types", "channel_ids", "statuses", "tags")(_distinct)


class ColumnToggles(_Strict):
    """How the board draws the column (kept for the client; the items are the same)."""

    show_preview: bool = True
    show_client: bool = True
    show_sla: bool = True
    compact: bool = False


# --- the board ----------------------------------------------------------------------------
@dataclass
class ColumnView:
    column: Column
    position: int


def _order(board: ColumnBoard | None) -> list[str]:
    return [str(c) for c in board.order or []] if board else []


def _ordered(board: ColumnBoard | None, columns: list[Column]) -> list[ColumnView]:
    order = _order(board)
    rank = {column_id: i for i, column_id in enumerate(order)}
    columns = sorted(columns, key=lambda c: (rank.get(c.column_id, len(order)), c.column_id))
    return [ColumnView(c, i) for i, c in enumerate(columns)]


def list_columns(principal: Principal) -> list[ColumnView]:
    """The caller's columns in board order (one Query)."""
    board, columns = read_board(principal.tenant_id, principal.user_id)
    return _ordered(board, columns)


def _load(principal: Principal, column_id: str, consistent: bool = False) -> Column:
    if not COLUMN_ID.fullmatch(column_id):
        raise NotFound("There is no such column.")
    found = get_or_none(
        Column, *column_key(principal.tenant_id, principal.user_id, column_id), consistent
    )
    if found is None:
        raise NotFound("There is no such column.")
    return found


def get_column(principal: Principal, column_id: str) -> ColumnView:
    column = _load(principal, column_id)
    order = _order(get_or_none(ColumnBoard, *board_key(principal.tenant_id, principal.user_id)))
    position = order.index(column_id) if column_id in order else len(order)
    return ColumnView(column, position)


def _problem(field_name: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", "filters", field_name], "msg": message, "type": "reference"}


def check_references(tenant_id: str, filters: ColumnFilters, only: set[str] | None = None) -> None:
    """400 naming each filter that refers to something the tenant does not have
    (a user, channel, department, group or tag). ``only``: the filters to check."""
    wanted = set(ColumnFilters.model_fields) if only is None else only
    problems: list[dict[str, Any]] = []
    if "assignee" in wanted and filters.assignee not in ASSIGNEE_WORDS:
        user = get_or_none(User, keys.tenant_pk(tenant_id), keys.user_sk(filters.assignee))
        if user is None:
            problems.append(_problem("assignee", "not a user of this account"))
    if "channel_ids" in wanted and filters.channel_ids:
        found = Channel.batch_get(
            [(keys.tenant_pk(tenant_id), keys.channel_sk(c)) for c in filters.channel_ids]
        )
        missing = set(filters.channel_ids) - {c.channel_id for c in found}
        problems += [_problem("channel_ids", f"no channel {c}") for c in sorted(missing)]
    for name, kind, value in (
        ("department_id", DEPARTMENTS, filters.department_id),
        ("group_id", AGENT_GROUPS, filters.group_id),
    ):
        if name in wanted and value is not None and not kind.existing_ids(tenant_id, [value]):
            problems.append(_problem(name, f"no {kind.label} {value}"))
    if "tags" in wanted and filters.tags:
        missing = set(filters.tags) - tag_ids_exist(tenant_id, filters.tags)
        problems += [_problem("tags", f"no tag {t}") for t in sorted(missing)]
    if problems:
        raise Invalid(
            "Some filters refer to things this account does not have.",
            code="validation_error",
            details=problems,
        )


def _write_order(
    write: Any, principal: Principal, board: ColumnBoard | None, order: list[str]
) -> None:
    """The board's new order, guarded by the version it was read at."""
    key = board_key(principal.tenant_id, principal.user_id)
    if board is None:
        write.save(
            ColumnBoard(*key, tenant_id=principal.tenant_id, user_id=principal.user_id,
                        order=order, version=1),
            condition=ColumnBoard.PK.does_not_exist(),
        )  # fmt: skip
    else:
        write.update(
            ColumnBoard(*key),
            actions=[
                ColumnBoard.order.set(order),  # type: ignore[arg-type]
                ColumnBoard.version.set(board.version + 1),
            ],
            condition=ColumnBoard.version == board.version,
        )


def _board(principal: Principal) -> ColumnBoard | None:
    return get_or_none(
        ColumnBoard, *board_key(principal.tenant_id, principal.user_id), consistent=True
    )


def _busy() -> Conflict:
    return Conflict("Your board changed meanwhile; try again.", code="board_changed")


def create_column(
    principal: Principal, name: str, kind: str, filters: ColumnFilters, toggles: ColumnToggles
) -> ColumnView:
    """A new column at the end of the caller's board (409 past :data:`MAX_COLUMNS`)."""
    check_references(principal.tenant_id, filters)
    at = now()
    column_id = new_id()
    column = Column(
        *column_key(principal.tenant_id, principal.user_id, column_id),
        tenant_id=principal.tenant_id, user_id=principal.user_id, column_id=column_id,
        name=name, column_kind=kind, filters=filters.model_dump(mode="json"),
        toggles=toggles.model_dump(mode="json"), version=1, created_at=at, updated_at=at,
    )  # fmt: skip
    for _ in range(ATTEMPTS):
        board = _board(principal)
        order = _order(board)
        if len(order) >= MAX_COLUMNS:
            raise Conflict(
                f"A board holds at most {MAX_COLUMNS} columns; delete one first.",
                code="column_limit",
            )
        try:
            with transaction() as write:
                write.save(column, condition=Column.PK.does_not_exist())
                _write_order(write, principal, board, [*order, column_id])
        except TransactWriteError as exc:
            if lost_race(exc):
                continue
            raise
        return ColumnView(column, len(order))
    raise _busy()


def update_column(principal: Principal, column_id: str, changes: dict[str, Any]) -> ColumnView:
    """Apply a patch: ``name``, ``kind``, and the ``filters`` / ``toggles`` it names
    (each given key replaces that key; the others stay). Guarded by the column's version."""
    for _ in range(ATTEMPTS):
        column = _load(principal, column_id, consistent=True)
        actions: list[Any] = []
        if "name" in changes:
            actions.append(Column.name.set(changes["name"]))
        if "kind" in changes:
            actions.append(Column.column_kind.set(changes["kind"]))
        if "filters" in changes:
            merged = ColumnFilters.model_validate({**column.filters, **changes["filters"]})
            check_references(principal.tenant_id, merged, only=set(changes["filters"]))
            actions.append(Column.filters.set(merged.model_dump(mode="json")))
        if "toggles" in changes:
            toggles = ColumnToggles.model_validate({**column.toggles, **changes["toggles"]})
            actions.append(Column.toggles.set(toggles.model_dump(mode="json")))
        if not actions:
            return get_column(principal, column_id)
        actions += [Column.updated_at.set(now()), Column.version.set(column.version + 1)]
        try:
            column.update(actions=actions, condition=Column.version == column.version)
        except UpdateError as exc:
            if lost_race(exc):
                continue
            raise
        return get_column(principal, column_id)
    raise _busy()


def delete_column(principal: Principal, column_id: str) -> None:
    for _ in range(ATTEMPTS):
        column = _load(principal, column_id, consistent=True)
        board = _board(principal)
        order = [c for c in _order(board) if c != column_id]
        try:
            with transaction() as write:
                write.delete(column, condition=Column.PK.exists())
                _write_order(write, principal, board, order)
        except TransactWriteError as exc:
            if lost_race(exc):
                continue
            raise
        return
    raise _busy()


def reorder(principal: Principal, ids: list[str]) -> list[ColumnView]:
    """Put the caller's columns in the order of ``ids`` (each of them, once)."""
    for _ in range(ATTEMPTS):
        board, columns = read_board(principal.tenant_id, principal.user_id)
        current = [v.column.column_id for v in _ordered(board, columns)]
        unknown = [i for i in ids if i not in current]
        missing = [i for i in current if i not in ids]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if unknown or missing or repeated:
            details = (
                [{"loc": ["body", "ids"], "msg": f"no column {i}", "type": "reference"} for i in unknown]
                + [{"loc": ["body", "ids"], "msg": f"column {i} is missing", "type": "missing"} for i in missing]
                + [{"loc": ["body", "ids"], "msg": f"column {i} appears twice", "type": "duplicate"} for i in repeated]
            )  # fmt: skip
            raise Invalid(
                "List each of your columns exactly once.", code="validation_error", details=details
            )
        try:
            with transaction() as write:
                _write_order(write, principal, board, list(ids))
        except TransactWriteError as exc:
            if lost_race(exc):
                continue
            raise
        by_id = {c.column_id: c for c in columns}
        return [ColumnView(by_id[i], n) for n, i in enumerate(ids)]
    raise _busy()


# --- a column's tickets ----------------------------------------------------------------------
@dataclass
class _Stream:
    """One queue being read for a page: what is read but not yet shown, and where to go on."""

    queue: Queue
    condition: Condition | None
    position: str | None  # everything newer than this is shown or filtered out
    read_after: str | None = None  # where the next Query starts
    started: bool = False
    exhausted: bool = False
    buffer: list[tuple[str, Ticket]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.read_after = self.position

    @property
    def hungry(self) -> bool:
        return not self.buffer and not self.exhausted

    def bound(self) -> str:
        """No unread item of this queue is newer than this sort key."""
        return "\uffff" if not self.started else self.read_after or ""


@dataclass
class ColumnPage:
    column: Column
    tickets: list[Ticket]
    next_cursor: str | None


@dataclass
class _Scope:
    """What a column may read for this caller: queues, and per queue the channels an
    agent is restricted to (None: no restriction)."""

    queues: list[tuple[Queue, list[str] | None]]


def _binding(principal: Principal, column: Column) -> str:
    return f"{principal.tenant_id}|{principal.user_id}|{column.column_id}|{int(column.version)}"


def _assignees(principal: Principal, filters: ColumnFilters) -> list[tuple[str | None, bool]]:
    """(assignee, restricted to the agent's channels) pairs the column reads."""
    who = filters.assignee
    if principal.role == "agent":
        mine: list[tuple[str | None, bool]] = [(principal.user_id, False)]
        unassigned: list[tuple[str | None, bool]] = [(None, True)]
        if who == "any":
            return [*mine, *unassigned]
        if who == "unassigned":
            return unassigned
        return mine if who in ("me", principal.user_id) else []
    if who == "me":
        return [(principal.user_id, False)]
    if who == "unassigned":
        return [(None, False)]
    if who != "any":
        return [(who, False)]
    users = every_item(
        lambda cursor: _users_page(principal.tenant_id, cursor)  # a few dozen: one Query
    )
    return [(u.user_id, False) for u in users if u.role != "account_contact"] + [(None, False)]


def _users_page(tenant_id: str, cursor: Any) -> tuple[list[User], Any]:
    from chalicelib.domain.accounts.people import list_users

    return list_users(tenant_id, 500, cursor)


def _states(filters: ColumnFilters) -> list[bool]:
    wanted = set(filters.statuses)
    return [
        active
        for active, states in ((True, ACTIVE_STATES), (False, DONE_STATES))
        if wanted & states
    ]


def _condition(
    filters: ColumnFilters, active: bool, channels: list[str] | None
) -> Condition | None:
    natural = ACTIVE_STATES if active else DONE_STATES
    statuses = [s for s in filters.statuses if s in natural]
    sentiment = filters.sentiment or SentimentFilter()
    return ticket_filter(
        statuses=statuses if set(statuses) != natural else None,
        channel_types=filters.channel_types,
        channel_ids=channels,
        department_id=filters.department_id,
        group_id=filters.group_id,
        important=filters.important,
        sentiment_start=sentiment.start,
        sentiment_end=sentiment.end,
        sla_breached=filters.sla_breached,
        tags=filters.tags,
    )


def _shows(ticket: Ticket, filters: ColumnFilters, channels: list[str] | None) -> bool:
    """The filters again, in Python: exactly what the column promises."""
    sentiment = filters.sentiment or SentimentFilter()
    return (
        ticket.status in filters.statuses
        and (not filters.channel_types or ticket.channel_type in filters.channel_types)
        and (channels is None or ticket.channel_id in channels)
        and (filters.department_id is None or ticket.department_id == filters.department_id)
        and (filters.group_id is None or ticket.group_id == filters.group_id)
        and (filters.important is None or bool(ticket.important) == filters.important)
        and (sentiment.start is None or ticket.sentiment_start == sentiment.start)
        and (sentiment.end is None or ticket.sentiment_end == sentiment.end)
        and (
            filters.sla_breached is None
            or bool((ticket.sla or {}).get("breached")) == filters.sla_breached
        )
        and (not filters.tags or bool(set(ticket.tags or []) & set(filters.tags)))
    )


def _channels_for(
    restricted: bool, filters: ColumnFilters, served: list[str] | None
) -> list[str] | None:
    """The channels a queue is read for: the column's, narrowed to the agent's."""
    wanted = list(filters.channel_ids) or None
    if not restricted:
        return wanted
    served = served or []
    return [c for c in served if wanted is None or c in wanted]


def _bad_cursor() -> Invalid:
    return Invalid("The page cursor is not valid for this list.", code="invalid_cursor")


def _streams(
    principal: Principal, column: Column, filters: ColumnFilters, cursor: str | None
) -> tuple[list[_Stream], dict[str | None, list[str] | None]]:
    """The queues to read (from the cursor when going on) and each one's channel scope."""
    served = agent_channels(principal) if principal.role == "agent" else None
    positions: dict[tuple[str | None, bool], str | None] | None = None
    if cursor:
        payload = decode_cursor(cursor, _binding(principal, column), partition_attribute="COL")
        assert payload is not None
        positions = {}
        entries = payload.get("q")
        if not isinstance(entries, list):
            raise _bad_cursor()
        for entry in entries:
            if not (isinstance(entry, list) and len(entry) == 3):
                raise _bad_cursor()
            assignee, active, at = entry
            if not (assignee is None or isinstance(assignee, str)) or not isinstance(active, bool):
                raise _bad_cursor()
            if at is not None and not (isinstance(at, str) and QUEUE_POSITION.fullmatch(at)):
                raise _bad_cursor()
            positions[(assignee, active)] = at
    scope: dict[str | None, list[str] | None] = {}
    if positions is not None:
        allowed = None
        if principal.role == "agent" or filters.assignee != "any":
            allowed = {a for a, _ in _assignees(principal, filters)}
        pairs: list[tuple[str | None, bool]] = []
        for assignee, _active in positions:
            if allowed is not None and assignee not in allowed:
                raise _bad_cursor()
            pairs.append((assignee, principal.role == "agent" and assignee is None))
    else:
        pairs = _assignees(principal, filters)
    for assignee, restricted in pairs:
        scope[assignee] = _channels_for(restricted, filters, served)
    streams: list[_Stream] = []
    states = _states(filters)
    for assignee, channels in scope.items():
        if channels == []:  # an agent who serves none of the column's channels
            continue
        for active in states:
            key = (assignee, active)
            if positions is not None and key not in positions:
                continue  # that queue was read to its end
            queue = Queue(assignee, active)
            position = positions.get(key) if positions is not None else None
            streams.append(_Stream(queue, _condition(filters, active, channels), position))
    return streams, scope


def column_page(principal: Principal, column_id: str, limit: int, cursor: str | None) -> ColumnPage:
    """One page of a column's tickets, newest activity first (see the module's doc)."""
    column = _load(principal, column_id)
    filters = ColumnFilters.model_validate(column.filters)
    streams, scope = _streams(principal, column, filters, cursor)
    budget = len(streams) + EXTRA_QUERIES
    queries = 0
    shown: list[Ticket] = []
    while len(shown) < limit:
        ready = [s for s in streams if s.buffer]
        best = max(ready, key=lambda s: s.buffer[0][0]) if ready else None
        head = best.buffer[0][0] if best else ""
        blocking = [s for s in streams if s.hungry and s.bound() > head]
        if blocking:
            if queries >= budget:
                break
            stream = max(blocking, key=lambda s: s.bound())
            size = limit if not stream.started else CONTINUE_READ
            block = read_queue(
                principal.tenant_id, stream.queue, stream.read_after, size, stream.condition
            )
            queries += 1
            stream.started = True
            stream.position = stream.read_after
            channels = scope.get(stream.queue.assignee)
            stream.buffer += [(sk, t) for sk, t in block.tickets if _shows(t, filters, channels)]
            stream.read_after = block.continue_after
            stream.exhausted = block.continue_after is None
            continue
        if best is None:
            break  # every queue is read to its end
        sort_key, ticket = best.buffer.pop(0)
        best.position = sort_key
        shown.append(ticket)
    remaining: list[list[Any]] = []
    for stream in streams:
        if stream.started and not stream.buffer:
            if stream.exhausted:
                continue
            stream.position = stream.read_after
        remaining.append([stream.queue.assignee, stream.queue.active, stream.position])
    next_cursor = None
    if remaining:
        next_cursor = encode_cursor({"COL": {"S": _binding(principal, column)}, "q": remaining})
    return ColumnPage(column, shown, next_cursor)
