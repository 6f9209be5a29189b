"""Live updates (issue 12, item 6): which tickets changed, for the consoles to refresh what
they show within seconds (docs/decisions.md, "Live updates").

**Written by the table's stream.** ``jobs/effects.py`` hands every record of a batch to a
:class:`Collector`; a ticket inserted or changed, a message stored or its delivery status
changed, becomes a :class:`Touch` of its ticket (one per ticket and batch, whatever the
number of its records). At the end of the batch each tenant's touches are written to its
pulse (``store/live.py``): one PutItem per tenant and batch, nothing on the ingest path.
The last pulse a warm Lambda wrote is remembered, so the write needs no read first; its
condition (``seq`` as remembered) sends a stale memory back to one strong read.

**Read by the consoles.** :func:`changes_since` is one eventually consistent GetItem: the
changes after the caller's ``since``. A change says the ticket's number and kind and, for
a ticket, what a board needs to tell which columns may show it without reading it: its
status, channel type, and short hints of its channel and assignee (:func:`hint`). What
changed is then read through the ticket and column routes, which apply each role's
visibility; an agent is not even told of the tickets of other agents.

**Positions.** ``seq`` is the time of the write in milliseconds, raised above the one
before when clocks disagree: a pulse written again from nothing (a restored table) still
moves forward, and a stale replica's older ``seq`` reads as "nothing new". Changes leave
the list after :data:`RETAIN`, or sooner when it would pass :data:`RING_BYTES`;
``floor`` then says where the list starts, and a caller from before it is told that the
list is not complete (refresh everything shown).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.store import live as store
from chalicelib.store.helpdesk import Message, Ticket
from chalicelib.store.live import PulseState

log = logging.getLogger(__name__)

#: how long the console waits between two polls while it is in view (the server says so
#: in every answer, so it can be changed without a new console)
POLL_SECONDS = 3
#: changes stay in the pulse at least this long (a hidden tab polls every 30 s)
RETAIN = timedelta(minutes=2)
#: the pulse's list of changes stays under this many bytes: the item under 4 KB, so a
#: poll is half a read unit
RING_BYTES = 3_500
#: the largest position a client may send (JavaScript's largest safe integer)
MAX_SEQ = 2**53 - 1
#: pulses a warm Lambda remembers (least recently written out)
REMEMBERED = 2_000
ATTEMPTS = 3

ChangeKind = Literal["ticket", "message"]
_STATUS_CODES = {"open": "o", "pending": "p", "closed": "c", "escalated": "e", "merged": "m"}
_STATUSES = {code: status for status, code in _STATUS_CODES.items()}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def hint(value: str) -> str:
    """Four base-36 digits of the 32-bit FNV-1a hash of ``value``'s UTF-8 bytes: short
    enough for the pulse, long enough that two ids of a tenant rarely share one (a shared
    one costs a needless refresh, never a missed one). web/src/live-hint.js is the same."""
    number = 0x811C9DC5
    for byte in value.encode():
        number = ((number ^ byte) * 0x01000193) & 0xFFFFFFFF
    number %= 36**4
    digits = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
    return digits


# --- a ticket's changes in one batch -------------------------------------------------------
@dataclass
class Touch:
    """What one batch changed of one ticket. The ticket's own fields are set when a record
    of the ticket itself came (not for a message's status alone)."""

    number: int
    ticket: bool = False
    message: bool = False
    status: str | None = None
    channel_type: str | None = None
    channel_hint: str | None = None
    assignee_hint: str = ""  # '' when unassigned
    assignee_before: str = ""  # the assignee's hint before, when the batch changed it

    @property
    def kinds(self) -> list[ChangeKind]:
        found: list[ChangeKind] = []
        if self.ticket:
            found.append("ticket")
        if self.message:
            found.append("message")
        return found

    def merge(self, other: Touch) -> None:
        """``other`` happened after this (the stream keeps each item's order)."""
        self.message = self.message or other.message
        if not other.ticket:
            return
        earlier = [self.assignee_before, self.assignee_hint if self.ticket else "",
                   other.assignee_before]  # fmt: skip
        self.ticket = True
        self.status, self.channel_type = other.status, other.channel_type
        self.channel_hint, self.assignee_hint = other.channel_hint, other.assignee_hint
        self.assignee_before = next((h for h in earlier if h and h != other.assignee_hint), "")

    def encode(self) -> str:
        """``number:kinds[:status:type:channel:assignee:before]``, kinds ``t``, ``m`` or ``tm``."""
        kinds = ("t" if self.ticket else "") + ("m" if self.message else "")
        if not self.ticket:
            return f"{self.number}:{kinds}"
        status = _STATUS_CODES.get(self.status or "", "")
        fields = [str(self.number), kinds, status, self.channel_type or "",
                  self.channel_hint or "", self.assignee_hint, self.assignee_before]  # fmt: skip
        return ":".join(fields).rstrip(":")

    @classmethod
    def decode(cls, text: str) -> Touch:
        parts = text.split(":") + [""] * 7
        kinds = parts[1]
        return cls(
            number=int(parts[0]), ticket="t" in kinds, message="m" in kinds,
            status=_STATUSES.get(parts[2]) if "t" in kinds else None,
            channel_type=parts[3] or None, channel_hint=parts[4] or None,
            assignee_hint=parts[5], assignee_before=parts[6],
        )  # fmt: skip


def touch_of(new: Any, old: Any) -> Touch | None:
    """What a stream record of ``new`` (as it was: ``old``, None when inserted) changed of
    its ticket, if anything anyone sees: None for other items and for bookkeeping alone
    (a deadline's place in the Due index, an auto-reply's slot, the version)."""
    if isinstance(new, Ticket):
        if old is not None and not store.visibly_changed(new, old):
            return None
        assignee = hint(new.assignee_id) if new.assignee_id else ""
        before = hint(old.assignee_id) if old is not None and old.assignee_id else ""
        return Touch(
            number=int(new.number), ticket=True, status=new.status,
            channel_type=new.channel_type, channel_hint=hint(new.channel_id),
            assignee_hint=assignee,
            assignee_before=before if old is not None and before != assignee else "",
        )  # fmt: skip
    if isinstance(new, Message):
        if old is not None and not store.visibly_changed(new, old):
            return None
        return Touch(number=int(new.ticket_number), message=True)
    return None


@dataclass
class Collector:
    """The touches of one stream batch, per tenant and ticket."""

    tenants: dict[str, dict[int, Touch]] = field(default_factory=dict)

    def add(self, new: Any, old: Any) -> None:
        """A record handled; never raises (live updates must not hold up the stream)."""
        try:
            touch = touch_of(new, old)
            if touch is None:
                return
            tickets = self.tenants.setdefault(str(new.tenant_id), {})
            if touch.number in tickets:
                tickets[touch.number].merge(touch)
            else:
                tickets[touch.number] = touch
        except Exception:
            log.warning("a change was not told to the consoles", exc_info=True)

    def publish(self) -> int:
        """Write each tenant's touches to its pulse (one write per tenant); returns how
        many pulses were written. A failure is logged, never raised: the stream's other
        effects matter more than a console learning of a change a poll later."""
        written = 0
        for tenant_id, touches in self.tenants.items():
            try:
                written += publish(tenant_id, list(touches.values()))
            except Exception:
                log.warning("the consoles were not told of a batch's changes", exc_info=True,
                            extra={"tenant_id": tenant_id})  # fmt: skip
        self.tenants.clear()
        return written


# --- the pulse ---------------------------------------------------------------------------------
def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _batch_seq(entry: str) -> int:
    return int(entry.split(" ", 1)[0])


def next_state(current: PulseState | None, touches: Iterable[Touch], at: datetime) -> PulseState:
    """The pulse after a batch's ``touches`` (pure): the batch's entry at the end, the
    entries older than :data:`RETAIN` (but the newest) and those past :data:`RING_BYTES`
    dropped from the front, ``floor`` at the last one dropped."""
    seq = max(_millis(at), (current.seq if current else 0) + 1)
    floor = current.floor if current else 0
    ring = [
        *(current.ring if current else []),
        " ".join([str(seq), *(t.encode() for t in touches)]),
    ]
    oldest = seq - int(RETAIN.total_seconds() * 1000)
    while ring and (
        (len(ring) > 1 and _batch_seq(ring[0]) < oldest)
        or store.item_bytes(ring) > store.ITEM_OVERHEAD + RING_BYTES
    ):
        floor = max(floor, _batch_seq(ring.pop(0)))
    return PulseState(seq, floor, ring)


_remembered: OrderedDict[str, PulseState] = OrderedDict()
_lock = threading.Lock()


def forget() -> None:
    """Drop what this process remembers of every pulse (tests: a new table)."""
    with _lock:
        _remembered.clear()


def _remember(tenant_id: str, state: PulseState | None) -> None:
    with _lock:
        if state is None:
            _remembered.pop(tenant_id, None)
            return
        _remembered[tenant_id] = state
        _remembered.move_to_end(tenant_id)
        while len(_remembered) > REMEMBERED:
            _remembered.popitem(last=False)


def publish(tenant_id: str, touches: list[Touch], at: datetime | None = None) -> int:
    """Add one batch's touches to the tenant's pulse: 1 PutItem (and a strong GetItem
    when this process does not remember the pulse, or remembers it wrong). Returns 1 once
    written, 0 when there was nothing to write."""
    if not touches:
        return 0
    when = at or now()
    for _ in range(ATTEMPTS):
        with _lock:
            current = _remembered.get(tenant_id)
        if current is None:
            current = store.read_pulse(tenant_id, consistent=True)
        state = next_state(current, touches, when)
        if store.write_pulse(tenant_id, state, current.seq if current else None):
            _remember(tenant_id, state)
            return 1
        _remember(tenant_id, None)  # another writer (or a new table): read it again
    raise RuntimeError(f"the pulse of {tenant_id} kept changing under {ATTEMPTS} writes")


# --- reading it ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One change as a console hears of it."""

    ticket: int
    kind: ChangeKind
    seq: int
    at: datetime
    status: str | None = None
    channel_type: str | None = None
    channel_hint: str | None = None
    assignee_hint: str | None = None
    assignee_hint_before: str | None = None


@dataclass(frozen=True)
class Feed:
    """The answer to a poll: where the caller is now (``seq``), whether ``changes`` are
    every change since the position asked about, and when to ask again."""

    seq: int
    at: datetime | None
    complete: bool
    changes: list[Change]
    poll_seconds: int = POLL_SECONDS


def _at(seq: int) -> datetime:
    return datetime.fromtimestamp(seq / 1000, tz=UTC)


def _sees(principal: Principal, touch: Touch) -> bool:
    """An agent hears of their own tickets, the unassigned ones and the ones that just left
    them; a ticket of another agent is none of theirs (SPEC §2). Other roles see all."""
    if principal.role != "agent" or not touch.ticket:
        return True
    mine = hint(principal.user_id)
    return touch.assignee_hint in ("", mine) or touch.assignee_before == mine


def _changes(batch_seq: int, touch: Touch) -> list[Change]:
    at = _at(batch_seq)
    found = []
    for kind in touch.kinds:
        if kind == "ticket":
            found.append(Change(
                ticket=touch.number, kind="ticket", seq=batch_seq, at=at, status=touch.status,
                channel_type=touch.channel_type, channel_hint=touch.channel_hint,
                assignee_hint=touch.assignee_hint or None,
                assignee_hint_before=touch.assignee_before or None,
            ))  # fmt: skip
        else:
            found.append(Change(ticket=touch.number, kind="message", seq=batch_seq, at=at))
    return found


def changes_since(principal: Principal, since: int | None) -> Feed:
    """The caller's tenant's changes after ``since`` (a ``seq`` this gave before): one
    eventually consistent GetItem of the pulse, whatever the answer. Without ``since``,
    where the feed stands now and no change (a console's first poll)."""
    state = store.read_pulse(principal.tenant_id)
    seq = state.seq if state else 0
    at = _at(seq) if state else None
    if since is None or since >= seq:
        # nothing newer; a ``since`` ahead of the pulse is a replica behind the one read
        # last time: nothing newer either, and the caller keeps its place
        return Feed(max(seq, since or 0), at, True, [])
    assert state is not None
    changes: list[Change] = []
    for entry in state.ring:
        head, *encoded = entry.split(" ")
        batch_seq = int(head)
        if batch_seq <= since:
            continue
        for text in encoded:
            touch = Touch.decode(text)
            if _sees(principal, touch):
                changes += _changes(batch_seq, touch)
    return Feed(seq, at, since >= state.floor, changes)
