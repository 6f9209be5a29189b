"""Opaque, signed page cursors, for the edge and the domain alike.

A cursor is DynamoDB's LastEvaluatedKey, signed so a client cannot forge one that
points into another tenant's partition; the reader also checks that the cursor's
partition is the one it queries. The signature also covers the list the cursor was
made for (route, path and filters: :data:`current_listing`, which the edge sets for each
request), so a cursor of one list handed to another, or to the same list with other
filters, is refused: lists that share a partition (departments, tags, users...) would
otherwise start a query at a foreign key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from chalicelib.domain.errors import Invalid
from chalicelib.settings import get_settings

T = TypeVar("T")

#: Which list this request reads: its route, path and filters (set by chalicelib.http.routing
#: around each request). A page cursor is signed together with it.
current_listing: ContextVar[str] = ContextVar("current_listing", default="")


def _key() -> bytes:
    secret = get_settings().jwt_secret
    material = secret.get_secret_value() if secret else "unsigned"
    return hashlib.sha256(b"cursor:" + material.encode()).digest()


def _mac(payload: bytes) -> bytes:
    signed = current_listing.get().encode() + b"\0" + payload
    return hmac.new(_key(), signed, hashlib.sha256).digest()[:16]


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """The opaque cursor of the next page of the list this request reads."""
    if not last_key:
        return None
    payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(_mac(payload) + payload).decode().rstrip("=")


def decode_cursor(
    cursor: str | None, partition: str, partition_attribute: str = "PK"
) -> dict[str, Any] | None:
    """The LastEvaluatedKey behind ``cursor``; ``Invalid`` if forged or from another listing."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac, payload = raw[:16], raw[16:]
        valid = hmac.compare_digest(mac, _mac(payload))
        last_key: Any = json.loads(payload) if valid else {}
    except (ValueError, TypeError):
        last_key = {}
    if not isinstance(last_key, dict):
        last_key = {}
    found = last_key.get(partition_attribute)
    pk = found.get("S") if isinstance(found, dict) else None
    if not last_key or pk != partition:
        raise Invalid("The page cursor is not valid for this list.", code="invalid_cursor")
    return last_key


def page_of(
    fetch: Callable[[dict[str, Any] | None], tuple[list[T], dict[str, Any] | None]],
    cursor: str | None,
    partition: str,
    partition_attribute: str = "PK",
) -> tuple[list[T], str | None]:
    """One page of a list read from ``partition``: ``fetch`` reads from the key the
    ``cursor`` stands for and returns its items and LastEvaluatedKey; returns the items
    and the cursor of the next page (None on the last)."""
    items, last = fetch(decode_cursor(cursor, partition, partition_attribute))
    return items, encode_cursor(last)
