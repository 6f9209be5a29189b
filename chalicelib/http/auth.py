"""Bearer-token authentication and the role check every non-public route goes through."""

from __future__ import annotations

from chalicelib.domain.accounts.access import ACTIONS
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.sessions import authenticate
from chalicelib.http.errors import Forbidden


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if that is what it holds."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authorize(authorization: str, action: str) -> Principal:
    """The caller, if their role allows ``action``; 401 or 403 otherwise."""
    principal = authenticate(bearer_token(authorization))
    if not principal.can(action):
        raise Forbidden(
            f"Your role ({principal.role}) does not allow this: {ACTIONS[action].description.lower()}.",
            code="forbidden",
            details={"action": action, "role": principal.role},
        )
    return principal
