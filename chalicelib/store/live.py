"""The tenant's change feed: one small item the consoles poll (docs/decisions.md, "Live
updates").

``TENANT#t#LIVE`` / ``PULSE`` holds the position of the tenant's latest change (``seq``,
the milliseconds of the write, always above the one before), the recent changes as a
short list of strings (one per write: what the table's stream saw in one batch; the
format is the domain's, ``domain/helpdesk/live.py``) and ``floor``: every change at or
before it has left the list. It is written only by the table's stream consumer, once per
tenant and batch, with a condition on the ``seq`` it was built from, and read with one
GetItem. The domain keeps it under 4 KB, so an eventually consistent read of it is half
a read unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import Item, condition_failed
from chalicelib.store.helpdesk import Ticket

#: bytes of the item besides its list of changes (keys, kind, tenant id, numbers), rounded up
ITEM_OVERHEAD = 200
#: what a write changes on a ticket or a message without changing what anyone sees of it:
#: its place in the Due index, a ticket's auto-reply slots and version
_BOOKKEEPING = {
    "Ticket": frozenset({"DuePK", "DueSK", "auto_replies", "version"}),
    "Message": frozenset({"DuePK", "DueSK"}),
}


class Pulse(Item, discriminator="Pulse"):
    """A tenant's recent changes, for the consoles' live updates."""

    tenant_id = UnicodeAttribute()
    seq = NumberAttribute(default=0)
    floor = NumberAttribute(default=0)
    ring = ListAttribute(of=UnicodeAttribute, default=list)


@dataclass(frozen=True)
class PulseState:
    """What a pulse holds (what was read, or what is to be written)."""

    seq: int
    floor: int
    ring: list[str] = field(default_factory=list)


def item_bytes(ring: list[str]) -> int:
    """An upper bound of the stored item's size with ``ring`` as its list (DynamoDB counts
    each name and value; a list element costs its bytes and one more)."""
    return ITEM_OVERHEAD + sum(len(entry.encode()) + 1 for entry in ring)


def read_pulse(tenant_id: str, consistent: bool = False) -> PulseState | None:
    """The tenant's pulse, or None before its first change: one GetItem (0.5 RCU
    eventually consistent, 1 strongly)."""
    found = get_or_none(Pulse, keys.pulse_pk(tenant_id), keys.pulse_sk(), consistent)
    if found is None:
        return None
    return PulseState(int(found.seq), int(found.floor), [str(e) for e in found.ring or []])


def write_pulse(tenant_id: str, state: PulseState, expected: int | None) -> bool:
    """Replace the tenant's pulse with ``state`` if it is still at ``expected`` (None: if
    there is none yet). False when another writer got there first: read it again."""
    pulse = Pulse(
        keys.pulse_pk(tenant_id), keys.pulse_sk(), tenant_id=tenant_id,
        seq=state.seq, floor=state.floor, ring=list(state.ring),
    )  # fmt: skip
    condition = Pulse.PK.does_not_exist() if expected is None else Pulse.seq == expected
    try:
        pulse.save(condition=condition)
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def visibly_changed(new: Any, old: Any) -> bool:
    """Whether a stream record's images (of a Ticket or a Message) differ in anything but
    bookkeeping (:data:`_BOOKKEEPING`)."""
    ignored = _BOOKKEEPING["Ticket" if isinstance(new, Ticket) else "Message"]
    fresh, before = new.attribute_values, old.attribute_values
    return any(
        fresh.get(name) != before.get(name) for name in (fresh.keys() | before.keys()) - ignored
    )
