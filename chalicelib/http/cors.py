"""The CORS of the API's routes (all but the chat widget's, which answers its own)."""

from __future__ import annotations

from chalice import CORSConfig


def cors_config(allow_origin: str | None) -> bool | CORSConfig:
    """``CORS_ALLOW_ORIGIN`` as Chalice's route option: off when it is not set."""
    if not allow_origin:
        return False
    return CORSConfig(
        allow_origin=allow_origin,
        allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
        expose_headers=["X-Request-Id", "Retry-After"],
        max_age=600,
    )
