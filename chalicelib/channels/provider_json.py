"""Reading a provider's webhook JSON defensively, shared by the channel adapters.

A webhook body comes from outside: a ``KeyError`` or ``TypeError`` deep inside an adapter
would look like a transient failure and be retried for nothing. These helpers turn every
shape error into :class:`MalformedPayload` (dead-lettered at once, kept for inspection),
and read optional fields leniently, since providers add, drop and retype fields over time.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from chalicelib.channels.events import MalformedPayload
from chalicelib.untrusted import load_json

JSONObject = dict[str, Any]
AttachmentKind = Literal["image", "audio", "video", "document", "sticker", "location", "file"]
DeliveryStatus = Literal["sent", "delivered", "read", "failed"]

# Epoch values above this are milliseconds: 1e11 seconds is the year 5138, 1e11 ms is 1973.
_MILLISECONDS_FROM = 100_000_000_000
_TWITTER_DATE = "%a %b %d %H:%M:%S %z %Y"  # "Wed Oct 10 20:19:24 +0000 2018"


def load_object(body: str | bytes) -> JSONObject:
    """The body as a JSON object; anything else (bad JSON, an array, a number) is malformed."""
    try:
        payload = load_json(body)
    except (ValueError, TypeError) as exc:  # bad JSON, bad UTF-8 and too deep: ValueErrors
        raise MalformedPayload(f"body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise MalformedPayload(f"body is a JSON {type(payload).__name__}, not an object")
    return payload


def obj(value: Any, where: str) -> JSONObject:
    """A required JSON object."""
    if not isinstance(value, dict):
        raise MalformedPayload(f"{where} must be an object, got {type(value).__name__}")
    return value


def opt_obj(value: Any, where: str) -> JSONObject:
    """An optional JSON object: absent (or null) reads as empty, any other type is malformed."""
    return {} if value is None else obj(value, where)


def objects(value: Any, where: str) -> list[JSONObject]:
    """An optional list of JSON objects: absent reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPayload(f"{where} must be a list, got {type(value).__name__}")
    return [obj(item, f"{where}[{index}]") for index, item in enumerate(value)]


def string(value: Any) -> str | None:
    """A text or numeric field as text; providers send ids both ways (``"123"`` and ``123``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def required_id(value: Any, where: str) -> str:
    """An identifier the event cannot do without (message id, sender id, account id)."""
    text = string(value)
    if not text:
        raise MalformedPayload(f"{where} is missing")
    return text


def timestamp(value: Any) -> datetime | None:
    """A provider time as an aware UTC datetime, or None when absent or unreadable.

    Accepts epoch seconds or milliseconds (number or numeric string: WhatsApp sends
    ``"1749416383"``, Messenger ``1458692752478``), ISO 8601 (``2018-12-26T13:00:17+0000``)
    and Twitter's ``Wed Oct 10 20:19:24 +0000 2018``.
    """
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            return _from_epoch(float(value))
        if isinstance(value, str):
            text = value.strip()
            try:
                return _from_epoch(float(text))
            except ValueError:
                pass
            for parse in (datetime.fromisoformat, _twitter_date):
                try:
                    return _aware(parse(text))
                except ValueError:
                    continue
    except (OverflowError, OSError, ValueError):
        return None
    return None


def stable_id(prefix: str, *parts: str) -> str:
    """A deterministic id for an event the provider gives none (a reaction, a postback).

    Redeliveries carry the same parts, so they produce the same id and deduplicate.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}:{digest[:40]}"


def _from_epoch(seconds: float) -> datetime:
    if abs(seconds) >= _MILLISECONDS_FROM:
        seconds /= 1000
    return datetime.fromtimestamp(seconds, UTC)


def _twitter_date(text: str) -> datetime:
    return datetime.strptime(text, _TWITTER_DATE)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
