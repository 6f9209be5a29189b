"""Access tokens (signed JWTs), rotating refresh tokens and one-time tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.untrusted import is_ascii_number

ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=30)
INVITATION_TTL = timedelta(days=7)
PASSWORD_RESET_TTL = timedelta(hours=1)
ISSUER = "atiende"


class InvalidToken(Exception):
    """A token that is forged, malformed or expired."""


@dataclass(frozen=True)
class AccessClaims:
    tenant_id: str
    user_id: str
    session_id: str
    epoch: int


def issue_access_token(claims: AccessClaims, secret: str, at: datetime) -> str:
    import jwt

    payload = {
        "iss": ISSUER,
        "typ": "access",
        "sub": claims.user_id,
        "tid": claims.tenant_id,
        "sid": claims.session_id,
        "ep": claims.epoch,
        "iat": int(at.timestamp()),
        "exp": int((at + ACCESS_TOKEN_TTL).timestamp()),
    }
    return str(jwt.encode(payload, secret, algorithm="HS256"))


def read_access_token(token: str, secret: str, at: datetime) -> AccessClaims:
    """Verify signature, issuer, type and expiry against the given time."""
    import jwt

    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            # times are checked below against our clock (tests move it), not the system time
            options={
                "verify_exp": False,
                "verify_iat": False,
                "require": ["exp", "iat", "sub", "tid", "sid"],
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken("the access token is not valid") from exc
    if payload.get("typ") != "access":
        raise InvalidToken("not an access token")
    if int(payload["exp"]) <= int(at.timestamp()):
        raise InvalidToken("the access token has expired")
    return AccessClaims(
        tenant_id=str(payload["tid"]),
        user_id=str(payload["sub"]),
        session_id=str(payload["sid"]),
        epoch=int(payload.get("ep", 0)),
    )


def digest(secret_part: str) -> str:
    return hashlib.sha256(secret_part.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class RefreshToken:
    """``rt1.<tenant>.<user>.<session>.<epoch>.<secret>``: the ids find the session
    without a lookup; only the secret's hash is stored."""

    tenant_id: str
    user_id: str
    session_id: str
    epoch: int
    secret: str

    def __str__(self) -> str:
        return ".".join(
            ["rt1", self.tenant_id, self.user_id, self.session_id, str(self.epoch), self.secret]
        )

    @property
    def hash(self) -> str:
        return digest(self.secret)

    @classmethod
    def parse(cls, raw: str) -> RefreshToken:
        parts = raw.split(".")
        if len(parts) != 6 or parts[0] != "rt1" or not is_ascii_number(parts[4]):
            raise InvalidToken("the refresh token is not valid")
        return cls(parts[1], parts[2], parts[3], int(parts[4]), parts[5])
