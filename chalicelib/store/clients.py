"""Clients in the table: the open-ticket claim and the edits two people may make at
once, each with the condition that settles it; a client's lookups (email, RUT, name
words) written with what they point at."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.store import keys
from chalicelib.store.base import (
    Item,
    LostRace,
    TransactItem,
    condition_failed,
    lost_race,
    transaction,
)
from chalicelib.store.helpdesk import Client
from chalicelib.store.search import SearchWord, email_actions, rut_actions


def _key(tenant_id: str, client_id: str) -> tuple[str, str]:
    return keys.client_pk(tenant_id, client_id), keys.client_sk()


def release_ticket(tenant_id: str, client_id: str, number: int) -> TransactItem:
    """The client's open ticket is no longer ``number`` (closed, merged, escalated): its
    next message opens a new one. On condition it still is ``number``."""

    def add(write: Any) -> None:
        write.update(Client(*_key(tenant_id, client_id)), actions=[Client.open_ticket.remove()],
                     condition=Client.open_ticket == int(number))  # fmt: skip

    return add


def take_ticket(tenant_id: str, client_id: str, number: int) -> TransactItem:
    """``number`` (reopened) is the client's open ticket again, on condition it has none."""

    def add(write: Any) -> None:
        write.update(Client(*_key(tenant_id, client_id)),
                     actions=[Client.open_ticket.set(int(number))],
                     condition=Client.open_ticket.does_not_exist())  # fmt: skip

    return add


def _unchanged(attribute: Any, value: Any) -> Any:
    """Still the value that was read (absent when it was empty)."""
    if value is None:
        return attribute.does_not_exist()
    same = attribute == value
    return same | attribute.does_not_exist() if value == {} else same


#: fields whose new value depends on the one it replaces: written on condition they are
#: still what was read
GUARDED = ("name", "custom")


def edit(
    client: Client,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    at: Any,
    saves: Sequence[Item],
    deletes: Sequence[Item],
) -> None:
    """Write the fields in ``after`` (name, email, phone, RUT, custom; None removes one,
    the email and RUT with their lookups), with ``saves`` and ``deletes`` (its history
    entry, the name's search words) in one transaction; the name and the custom fields on
    condition they are still as in ``before``. ``LostRace`` when they are not."""
    tenant_id, client_id = client.tenant_id, client.client_id
    actions: list[Any] = [Client.updated_at.set(at)]
    condition = Client.PK.exists()
    if "name" in after:
        actions.append(Client.name.set(after["name"]))
        condition &= _unchanged(Client.name, before["name"])
    if "email" in after:
        actions += email_actions(tenant_id, client_id, after["email"])
    if "rut" in after:
        actions += rut_actions(tenant_id, client_id, after["rut"])
    if "phone" in after:
        phone = after["phone"]
        actions.append(Client.phone.set(phone) if phone else Client.phone.remove())
    if "custom" in after:
        actions.append(Client.custom.set(after["custom"]))
        condition &= _unchanged(Client.custom, before["custom"])
    try:
        with transaction() as write:
            write.update(Client(client.PK, client.SK), actions=actions, condition=condition)
            for item in saves:
                write.save(item)
            for item in deletes:
                write.delete(item)
    except TransactWriteError as exc:
        if lost_race(exc):
            raise LostRace(f"client {client_id}") from exc
        raise


def index_name_words(client: Client, words: list[SearchWord]) -> bool:
    """Write the client's name ``words`` while the client still has the name they come
    from; False when it does not (an edit of the name came first, with its own words)."""
    try:
        with transaction() as write:
            write.condition_check(
                Client, client.PK, client.SK, condition=Client.name == client.name
            )
            for word in words:
                write.save(word)
    except TransactWriteError as exc:
        if not lost_race(exc):
            raise
        return False
    return True


def set_email_if_none(client: Client, email: str) -> bool:
    """The client's email (with its lookup) unless it has one; False when it has."""
    try:
        Client(client.PK, client.SK).update(
            actions=email_actions(client.tenant_id, client.client_id, email),
            condition=Client.PK.exists() & Client.email.does_not_exist(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True
