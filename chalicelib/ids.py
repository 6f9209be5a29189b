"""Identifiers: ULID-style, so ids sort by creation time and never collide."""

from __future__ import annotations

import secrets

from chalicelib.clock import now

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _base32(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


def new_id() -> str:
    """26 characters: 10 of milliseconds since the epoch, 16 random."""
    millis = int(now().timestamp() * 1000)
    return _base32(millis, 10) + _base32(secrets.randbits(80), 16)
