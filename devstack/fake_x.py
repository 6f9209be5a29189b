"""The fake X (OAuth 1.0a and the API) of ``make run`` (devstack/fake_providers.py)."""

from __future__ import annotations

from devstack.fake_providers import Answer, Request

#: the base-URL settings ``make run`` points here (only once every call is answered)
SETTINGS: tuple[str, ...] = ()


def handle(request: Request) -> Answer | None:
    return None
