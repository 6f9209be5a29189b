"""Bearer-token authentication and the role check every non-public route goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.accounts.access import ACTIONS
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.sessions import authenticate
from chalicelib.http.errors import Forbidden

if TYPE_CHECKING:
    from chalicelib.http.routing import Call


def bearer_token(call: Call) -> str | None:
    header = call.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authorize(call: Call) -> Principal:
    """The caller, if their role allows the route's action; 401 or 403 otherwise."""
    principal = authenticate(bearer_token(call))
    action = call.route.action
    assert action is not None
    if not principal.can(action):
        raise Forbidden(
            f"Your role ({principal.role}) does not allow this: {ACTIONS[action].description.lower()}.",
            code="forbidden",
            details={"action": action, "role": principal.role},
        )
    return principal
