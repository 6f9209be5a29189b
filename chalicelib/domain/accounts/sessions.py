"""Login, refresh-token rotation, logout and the per-request token check (SPEC §2).

Costs (the cost meter shows them): a login is 1 query (user by email) + 1 transaction
(session put + the three login counters' checks), a failed one 1 query + 1 transaction
(the three counters counted), known address or not (login_throttle.py); a refresh is
1 transaction (user still valid + session rotated); a token check is 1 BatchGet (user +
session).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import now
from chalicelib.domain.accounts import login_throttle, passwords, tokens
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.ids import new_id
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import Session, User, epoch_seconds
from chalicelib.store.base import Item, failed_conditions, transaction

log = logging.getLogger(__name__)

WRONG_CREDENTIALS = "The email or the password is not right."


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def _jwt_secret() -> str:
    secret = get_settings().jwt_secret
    if secret is None:
        from chalicelib.domain.errors import Unavailable

        raise Unavailable("Sign-in is not configured: ATIENDE_JWT_SECRET is missing.")
    return secret.get_secret_value()


def find_user_by_email(email: str) -> User | None:
    for user in User.by_email.query(keys.email_gsi(email), limit=1):
        return user
    return None


def _new_session(user: User, at: datetime, source_ip: str | None) -> tuple[Session, str]:
    secret = tokens.new_secret()
    session_id = new_id()
    session = Session(
        keys.session_pk(user.tenant_id, user.user_id),
        keys.session_sk(session_id),
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        session_id=session_id,
        token_hash=tokens.digest(secret),
        created_at=at,
        last_used_at=at,
        source_ip=source_ip,
        expires_at=epoch_seconds(at + tokens.REFRESH_TOKEN_TTL),
    )
    return session, secret


def _issue(user: User, session_id: str, secret: str, at: datetime) -> IssuedSession:
    epoch = int(user.session_epoch)
    claims = tokens.AccessClaims(user.tenant_id, user.user_id, session_id, epoch)
    refresh = tokens.RefreshToken(user.tenant_id, user.user_id, session_id, epoch, secret)
    return IssuedSession(
        access_token=tokens.issue_access_token(claims, _jwt_secret(), at),
        refresh_token=str(refresh),
        expires_in=int(tokens.ACCESS_TOKEN_TTL.total_seconds()),
        user=user,
    )


def start_session(user: User, source_ip: str | None, *, extra: Any = None) -> IssuedSession:
    """Open a session for a user already verified (signup, invitation, reset): 1 write."""
    at = now()
    session, secret = _new_session(user, at, source_ip)
    session.save(condition=Session.PK.does_not_exist())
    return _issue(user, session.session_id, secret, at)


def login(email: str, password: str, source_ip: str) -> IssuedSession:
    """Sign in. A known and an unknown address take the same path: one Argon2
    verification, the same requests, the same counters (no account oracle)."""
    at = now()
    user = find_user_by_email(email)
    verified = passwords.verify_password(user.password_hash if user else None, password)
    attempt = login_throttle.SignInAttempt.of(email, source_ip, at)
    if user is None or not verified:
        attempt.count_wrong_password()
        raise Unauthenticated(WRONG_CREDENTIALS, code="invalid_credentials")
    if not user.active:
        attempt.refuse_if_blocked()
        raise Forbidden(
            "This user is deactivated. Ask an administrator of your company to reactivate it.",
            code="user_deactivated",
        )
    session, secret = _new_session(user, at, source_ip)

    def open_session(write: Any) -> None:
        write.save(session, condition=Session.PK.does_not_exist())
        if passwords.needs_rehash(str(user.password_hash)):
            write.update(
                User(user.PK, user.SK),
                actions=[User.password_hash.set(passwords.hash_password(password))],
            )

    attempt.admit(open_session)
    return _issue(user, session.session_id, secret, at)


def refresh(raw_token: str) -> IssuedSession:
    """Rotate a refresh token. A token used twice revokes its whole session."""
    at = now()
    try:
        presented = tokens.RefreshToken.parse(raw_token)
    except tokens.InvalidToken as exc:
        raise Unauthenticated("The refresh token is not valid.", code="invalid_token") from exc
    new_secret = tokens.new_secret()
    session_key = (
        keys.session_pk(presented.tenant_id, presented.user_id),
        keys.session_sk(presented.session_id),
    )
    try:
        with transaction() as write:
            write.condition_check(
                User,
                keys.tenant_pk(presented.tenant_id),
                keys.user_sk(presented.user_id),
                condition=(User.active == True) & (User.session_epoch == presented.epoch),  # noqa: E712
            )
            write.update(
                Session(*session_key),
                actions=[
                    Session.token_hash.set(tokens.digest(new_secret)),
                    Session.last_used_at.set(at),
                    Session.expires_at.set(epoch_seconds(at + tokens.REFRESH_TOKEN_TTL)),
                ],
                condition=(Session.token_hash == presented.hash)
                & (Session.revoked == False)  # noqa: E712
                & (Session.expires_at > epoch_seconds(at)),
            )
    except TransactWriteError as exc:
        failed = failed_conditions(write, exc)
        if (keys.tenant_pk(presented.tenant_id), keys.user_sk(presented.user_id)) in failed:
            raise Unauthenticated(
                "This session has ended. Sign in again.", code="session_revoked"
            ) from exc
        if session_key in failed:
            _revoke_if_reused(session_key, presented, at)
            raise Unauthenticated(
                "This refresh token is not valid any more. Sign in again.", code="invalid_token"
            ) from exc
        raise
    user = User.get(keys.tenant_pk(presented.tenant_id), keys.user_sk(presented.user_id))
    return _issue(user, presented.session_id, new_secret, at)


def _revoke_if_reused(
    session_key: tuple[str, str], presented: tokens.RefreshToken, at: datetime
) -> None:
    """A well-formed token for a live session whose hash is not current was used before:
    someone holds a stolen copy, so the whole session (token family) ends."""
    from chalicelib.store.accounts import get_or_none

    session = get_or_none(Session, *session_key)
    if session is None or session.revoked or session.token_hash == presented.hash:
        return
    if session.expires_at is not None and session.expires_at <= epoch_seconds(at):
        return
    session.update(actions=[Session.revoked.set(True)])
    log.warning(
        "refresh token reuse: session revoked",
        extra={
            "tenant_id": session.tenant_id,
            "user_id": session.user_id,
            "session_id": session.session_id,
        },
    )


def logout(principal: Principal) -> None:
    Session(
        keys.session_pk(principal.tenant_id, principal.user_id),
        keys.session_sk(principal.session_id),
    ).update(actions=[Session.revoked.set(True)])


def authenticate(bearer: str | None) -> Principal:
    """Check an access token: signature, expiry, and (1 BatchGet) that the user is still
    active with the same session epoch and the session was not logged out."""
    if not bearer:
        raise Unauthenticated("Sign in first: this route needs a bearer access token.")
    at = now()
    try:
        claims = tokens.read_access_token(bearer, _jwt_secret(), at)
    except tokens.InvalidToken as exc:
        raise Unauthenticated(
            f"The access token is not valid: {exc}.", code="invalid_token"
        ) from exc
    user_key = (keys.tenant_pk(claims.tenant_id), keys.user_sk(claims.user_id))
    session_key = (
        keys.session_pk(claims.tenant_id, claims.user_id),
        keys.session_sk(claims.session_id),
    )
    found = {(item.PK, item.SK): item for item in Item.batch_get([user_key, session_key])}
    user, session = found.get(user_key), found.get(session_key)
    if (
        not isinstance(user, User)
        or not isinstance(session, Session)
        or not user.active
        or int(user.session_epoch) != claims.epoch
        or session.revoked
    ):
        raise Unauthenticated("This session has ended. Sign in again.", code="session_revoked")
    return Principal(
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        role=user.role,
        permissions=frozenset(str(p) for p in user.permissions or []),
        session_id=claims.session_id,
        user=user,
    )
