"""The Stripe.js stand-in the fake Stripe serves at ``/v3/`` (filled in below)."""

from __future__ import annotations


def asset(path: str, origin: str) -> tuple[str, bytes] | None:
    return None
