"""Clients (SPEC §4): the people who write in, as the help desk sees and edits them.

Who sees a client: whoever sees tickets; an agent only a client whose open ticket (or,
with none open, whose latest ticket) they may see — SPEC §2's rule for tickets applied
to the ticket the client is being served in. Anyone else gets 404, as for a missing one.

An edit changes only the fields it names, so two people editing different fields of one
client never undo each other. The fields that need the value they replace are guarded:
the name (its search words are removed by what it was) and the custom fields (merged
into what is there) are written on condition that they are still what was read, and a
lost race is re-read and re-applied. The email and RUT carry their lookup keys (set or
removed with them); the history entry and the name's search words go in the same
transaction.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.clock import now
from chalicelib.domain.accounts.custom_fields import validate_values
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, Invalid, NotFound
from chalicelib.domain.helpdesk.search_terms import (
    InvalidRut,
    name_words,
    normalize_email,
    normalize_phone,
    parse_rut,
)
from chalicelib.domain.helpdesk.visibility import may_see
from chalicelib.store import clients
from chalicelib.store.base import LostRace
from chalicelib.store.helpdesk import Client
from chalicelib.store.search import SearchWord, get_client, get_ticket, word_item

ATTEMPTS = 3
CLIENT_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
EDITABLE = ("name", "email", "phone", "rut", "custom")


def _missing() -> NotFound:
    return NotFound("There is no such client.")


def visible_to(principal: Principal, client: Client) -> bool:
    """Whether the caller may see this client (agents: through its current ticket)."""
    if client.tenant_id != principal.tenant_id:
        return False
    if principal.role != "agent":
        return True
    tickets = list(client.tickets or [])
    number = client.open_ticket or (tickets[-1] if tickets else None)
    if number is None:
        return False
    ticket = get_ticket(principal.tenant_id, int(str(number)))
    return ticket is not None and may_see(principal, ticket)


def load_client(principal: Principal, client_id: str, consistent: bool = False) -> Client:
    """The client if the caller may see it; 404 otherwise."""
    if not CLIENT_ID.fullmatch(client_id):
        raise _missing()
    client = get_client(principal.tenant_id, client_id, consistent=consistent)
    if client is None or not visible_to(principal, client):
        raise _missing()
    return client


def _invalid(field: str, message: str, kind: str = "value_error") -> Invalid:
    return Invalid(
        f"The {field} is not valid: {message}.",
        code="validation_error",
        details=[{"loc": ["body", field], "msg": message, "type": kind}],
    )


def normalize(changes: dict[str, Any]) -> dict[str, Any]:
    """The stored form of each given field; 400 naming the field otherwise. A null email,
    phone or RUT removes it."""
    clean: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            continue
        if value is None or field in ("name", "custom"):
            clean[field] = value
            continue
        try:
            if field == "email":
                clean[field] = normalize_email(value)
            elif field == "phone":
                clean[field] = normalize_phone(value)
            else:
                clean[field] = parse_rut(value).canonical
        except InvalidRut as exc:
            kind = "rut_check_digit" if exc.expected_check else "rut_format"
            raise _invalid(field, str(exc), kind) from exc
        except ValueError as exc:
            raise _invalid(field, str(exc)) from exc
    return clean


def _current(client: Client, field: str) -> Any:
    value = getattr(client, field)
    return dict(value or {}) if field == "custom" else value


def update_client(principal: Principal, client_id: str, changes: dict[str, Any]) -> Client:
    """Apply an edit of name, email, phone, RUT and custom fields (see the module's doc)."""
    wanted = normalize(changes)
    for _ in range(ATTEMPTS):
        client = load_client(principal, client_id, consistent=True)
        tenant_id = client.tenant_id
        after: dict[str, Any] = {}
        if "custom" in wanted:
            merged = {**_current(client, "custom"), **(wanted["custom"] or {})}
            after["custom"] = validate_values(tenant_id, "client", merged, loc=("body", "custom"))
        for field in ("name", "email", "phone", "rut"):
            if field in wanted:
                after[field] = wanted[field]
        after = {f: v for f, v in after.items() if v != _current(client, f)}
        if not after:
            return client
        before = {f: _current(client, f) for f in after}
        at = now()
        history = history_entry(tenant_id, "client", client_id, principal.user_id, "updated",
                                at, before, after)  # fmt: skip
        gone, kept = _word_items(client, before, after)
        try:
            clients.edit(client, before, after, at=at, saves=[history, *kept], deletes=gone)
        except LostRace:
            continue  # a concurrent edit of the name or custom fields: apply on top of it
        for field, value in after.items():
            setattr(client, field, value)
        client.updated_at = at
        return client
    raise Conflict("The client changed meanwhile; try again.", code="client_changed")


def _word_items(
    client: Client, before: dict[str, Any], after: dict[str, Any]
) -> tuple[list[SearchWord], list[SearchWord]]:
    """The name's search words an edit removes and writes (each holds the name): the old
    ones go, the new ones come; none when the name does not change."""
    if "name" not in after:
        return [], []
    old, new = before["name"] or "", after["name"] or ""
    new_words = name_words(new)
    gone = sorted(set(name_words(old)) - set(new_words))
    return (
        [word_item(client.tenant_id, client.client_id, word, old) for word in gone],
        [word_item(client.tenant_id, client.client_id, word, new) for word in new_words],
    )
