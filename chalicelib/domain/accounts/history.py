"""History of configuration changes: who, what, before, after, when.

An entry is written in the same transaction as the change it records, so a change
never happens without its entry (nor an entry without its change).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from chalicelib.clock import iso
from chalicelib.cursors import page_of
from chalicelib.store import keys
from chalicelib.store.accounts import HistoryEntry


class HistoryOut(BaseModel):
    actor_id: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


def history_entry(
    tenant_id: str,
    entity: str,
    entity_id: str,
    actor_id: str | None,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    sequence: int | None = None,
) -> HistoryEntry:
    """An entry to save inside the change's transaction. ``sequence``: its place among
    the entries one change writes at the same time, so they read back in that order."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    unique = secrets.token_hex(4)
    if sequence is not None:  # the key's time has milliseconds: the same for all of them
        unique = f"{sequence:02d}{unique}"
    return HistoryEntry(
        keys.history_pk(tenant_id, entity, entity_id),
        keys.history_sk(iso(at), unique),
        tenant_id=tenant_id,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        before=before,
        after=after,
        at=at,
    )


def read_history(
    tenant_id: str, entity: str, entity_id: str, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[HistoryOut], dict[str, Any] | None]:
    """Newest first, one page."""
    found = HistoryEntry.query(
        keys.history_pk(tenant_id, entity, entity_id),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=cursor,
    )
    entries = [
        HistoryOut(actor_id=e.actor_id, action=e.action, before=e.before, after=e.after, at=e.at)
        for e in found
    ]
    return entries, found.last_evaluated_key


def entries_page(
    tenant_id: str, entity: str, entity_id: str, limit: int, cursor: str | None
) -> tuple[list[HistoryOut], str | None]:
    """One page of an item's history, newest first, and the opaque cursor of the next."""
    return page_of(
        lambda last: read_history(tenant_id, entity, entity_id, limit, last),
        cursor,
        keys.history_pk(tenant_id, entity, entity_id),
    )
