"""Login, refresh-token rotation, logout and the per-request token check (SPEC §2).

Costs (the cost meter shows them): a login is 1 query (user by email) + 1 transaction
(session put + the three login throttles' checks), a failed one 1 query + 1 transaction
(the three throttles counted), known address or not; a refresh is 1 transaction (user
still valid + session rotated); a token check is 1 BatchGet (user + session).
"""

from __future__ import annotations

import hashlib
import logging
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial, reduce
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import now
from chalicelib.domain.accounts import passwords, tokens
from chalicelib.domain.accounts.principal import Principal
from chalicelib.http.errors import Forbidden, TooManyRequests, Unauthorized
from chalicelib.ids import new_id
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import LoginThrottle, Session, User, epoch_seconds
from chalicelib.store.base import Item, failed_conditions, transaction

log = logging.getLogger(__name__)

WRONG_CREDENTIALS = "The email or the password is not right."


@dataclass(frozen=True)
class Backoff:
    """The rule of one failed-login counter: some failures are free, then each counted
    failure blocks the counter for ``first_block``, doubling per failure up to ``cap``."""

    scope: str
    free_failures: int
    first_block: timedelta
    cap: timedelta

    def block_after(self, failures: int) -> timedelta:
        """How long the counter is blocked once it has counted ``failures``."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return timedelta(0)
        return min(self.first_block * 2 ** min(beyond - 1, 32), self.cap)

    def blocked(self, at: datetime) -> Any:
        """DynamoDB condition: the counter blocks at ``at``. For each step of the backoff
        (the delays only grow), it has reached that step and failed within its delay."""
        steps, failures = [], self.free_failures + 1
        while True:
            block = self.block_after(failures)
            steps.append(
                (LoginThrottle.failures >= failures) & (LoginThrottle.last_failure_at > at - block)
            )
            if block >= self.cap:
                return reduce(operator.or_, steps)
            failures += 1

    def blocked_until(self, counter: LoginThrottle | None) -> datetime | None:
        if counter is None or counter.last_failure_at is None:
            return None
        return counter.last_failure_at + self.block_after(int(counter.failures))


#: OWASP's Authentication Cheat Sheet: throttle rather than lock, by source and by
#: account, the same for addresses with and without an account (docs/accounts.md).
PAIR = Backoff("PAIR", 5, timedelta(seconds=30), timedelta(minutes=15))
ADDRESS = Backoff("ADDRESS", 20, timedelta(seconds=30), timedelta(minutes=1))
SOURCE = Backoff("SOURCE", 20, timedelta(seconds=30), timedelta(minutes=15))
#: a counter starts again from zero after this long without a counted failure
RESET_AFTER = timedelta(hours=1)
CONFLICT_ATTEMPTS = 3
assert all(rule.cap < RESET_AFTER for rule in (PAIR, ADDRESS, SOURCE))


@dataclass(frozen=True)
class Counter:
    rule: Backoff
    key: tuple[str, str]


def login_counters(email: str, source_ip: str) -> list[Counter]:
    """The three counters a login attempt meets. The address is keyed by a digest, never
    in clear, whether or not anybody has it."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    sk = keys.throttle_sk()
    return [
        Counter(PAIR, (keys.throttle_pk(PAIR.scope, address, source_ip), sk)),
        Counter(ADDRESS, (keys.throttle_pk(ADDRESS.scope, address), sk)),
        Counter(SOURCE, (keys.throttle_pk(SOURCE.scope, source_ip), sk)),
    ]


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def _jwt_secret() -> str:
    secret = get_settings().jwt_secret
    if secret is None:
        from chalicelib.http.errors import ServiceUnavailable

        raise ServiceUnavailable("Sign-in is not configured: ATIENDE_JWT_SECRET is missing.")
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


# --- login throttling ---------------------------------------------------------------------
def _transact(build: Callable[[Any], None]) -> set[tuple[str, str]]:
    """Run the transaction ``build`` fills in; returns the keys whose condition failed
    (empty when it went through). Retried when a concurrent transaction cancelled it."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            with transaction() as write:
                build(write)
            return set()
        except TransactWriteError as exc:
            failed = failed_conditions(write, exc)
            if failed:
                return failed
            reasons = getattr(exc, "cancellation_reasons", None) or []
            if not any(r is not None and r.code == "TransactionConflict" for r in reasons):
                raise
            if attempt == CONFLICT_ATTEMPTS - 1:
                raise TooManyRequests(
                    "Too many sign-in attempts at once. Try again in a moment.", retry_after=1
                ) from exc
    raise AssertionError("unreachable")


def _admit(write: Any, counters: list[Counter], at: datetime, *, clear_pair: bool) -> None:
    """Add to ``write`` that no counter blocks; a success also clears its pair counter
    (a conditional Delete: nothing to do when there is none)."""
    for counter in counters:
        not_blocked = ~counter.rule.blocked(at)
        if clear_pair and counter.rule is PAIR:
            write.delete(LoginThrottle(*counter.key), condition=not_blocked)
        else:
            write.condition_check(LoginThrottle, *counter.key, condition=not_blocked)


def _count(write: Any, counter: Counter, at: datetime, *, restart: bool) -> None:
    """Add one failure to ``counter`` in ``write``; a counter idle for RESET_AFTER
    restarts at 1 (DynamoDB's TTL on ``expires_at`` only cleans up, some time later)."""
    recent = LoginThrottle.last_failure_at > at - RESET_AFTER
    tally: Any
    if restart:
        tally, condition = LoginThrottle.failures.set(1), ~recent
    else:
        tally = LoginThrottle.failures.add(1)
        condition = ~counter.rule.blocked(at) & (LoginThrottle.PK.does_not_exist() | recent)
    write.update(
        LoginThrottle(*counter.key),
        actions=[
            LoginThrottle.kind.set(LoginThrottle),
            tally,
            LoginThrottle.last_failure_at.set(at),
            LoginThrottle.expires_at.set(epoch_seconds(at + RESET_AFTER)),
        ],
        condition=condition,
    )


def _read(counters: list[Counter]) -> dict[tuple[str, str], LoginThrottle]:
    found = LoginThrottle.batch_get([c.key for c in counters], consistent_read=True)
    return {(item.PK, item.SK): item for item in found}


def _refuse_if_blocked(
    counters: list[Counter], found: dict[tuple[str, str], LoginThrottle], at: datetime
) -> None:
    ends = [c.rule.blocked_until(found.get(c.key)) for c in counters]
    until = max((end for end in ends if end is not None and end > at), default=None)
    if until is not None:
        raise _throttled(until, at)


def _count_failure(counters: list[Counter], at: datetime) -> None:
    """Count a failed login on every counter, or on none when one of them blocks (429,
    and the block is not extended): 1 transaction, known address or not."""
    restart: frozenset[tuple[str, str]] = frozenset()
    for _ in range(CONFLICT_ATTEMPTS):
        failed = _transact(partial(_count_all, counters=counters, at=at, restart=restart))
        if not failed:
            return
        found = _read(counters)
        _refuse_if_blocked(counters, found, at)
        idle = {key for key in failed if _idle(found.get(key), at)}
        restart = (restart - failed) | idle
    raise _throttled(at, at)  # the counters kept changing under us: a burst of attempts


def _count_all(
    write: Any, *, counters: list[Counter], at: datetime, restart: frozenset[tuple[str, str]]
) -> None:
    for counter in counters:
        _count(write, counter, at, restart=counter.key in restart)


def _idle(counter: LoginThrottle | None, at: datetime) -> bool:
    return counter is not None and (
        counter.last_failure_at is None or counter.last_failure_at <= at - RESET_AFTER
    )


def _throttled(until: datetime, at: datetime) -> TooManyRequests:
    seconds = math.ceil((until - at).total_seconds())
    return TooManyRequests(
        "Too many failed sign-in attempts. Wait before trying again.", retry_after=seconds
    )


def login(email: str, password: str, source_ip: str) -> IssuedSession:
    """Sign in. A known and an unknown address take the same path: one Argon2
    verification, the same requests, the same counters (no account oracle)."""
    at = now()
    user = find_user_by_email(email)
    verified = passwords.verify_password(user.password_hash if user else None, password)
    counters = login_counters(email, source_ip)
    if user is None or not verified:
        _count_failure(counters, at)
        raise Unauthorized(WRONG_CREDENTIALS, code="invalid_credentials")
    if not user.active:
        if _transact(lambda write: _admit(write, counters, at, clear_pair=False)):
            _refuse_if_blocked(counters, _read(counters), at)
        raise Forbidden(
            "This user is deactivated. Ask an administrator of your company to reactivate it.",
            code="user_deactivated",
        )
    session, secret = _new_session(user, at, source_ip)

    def open_session(write: Any) -> None:
        write.save(session, condition=Session.PK.does_not_exist())
        _admit(write, counters, at, clear_pair=True)
        if passwords.needs_rehash(str(user.password_hash)):
            write.update(
                User(user.PK, user.SK),
                actions=[User.password_hash.set(passwords.hash_password(password))],
            )

    if _transact(open_session):
        # only a counter's condition can fail (the session id is new): blocked
        _refuse_if_blocked(counters, _read(counters), at)
        raise _throttled(at, at)  # the block ended in between; try again
    return _issue(user, session.session_id, secret, at)


def refresh(raw_token: str) -> IssuedSession:
    """Rotate a refresh token. A token used twice revokes its whole session."""
    at = now()
    try:
        presented = tokens.RefreshToken.parse(raw_token)
    except tokens.InvalidToken as exc:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token") from exc
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
            raise Unauthorized(
                "This session has ended. Sign in again.", code="session_revoked"
            ) from exc
        if session_key in failed:
            _revoke_if_reused(session_key, presented, at)
            raise Unauthorized(
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
        raise Unauthorized("Sign in first: this route needs a bearer access token.")
    at = now()
    try:
        claims = tokens.read_access_token(bearer, _jwt_secret(), at)
    except tokens.InvalidToken as exc:
        raise Unauthorized(f"The access token is not valid: {exc}.", code="invalid_token") from exc
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
        raise Unauthorized("This session has ended. Sign in again.", code="session_revoked")
    return Principal(
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        role=user.role,
        permissions=frozenset(str(p) for p in user.permissions or []),
        session_id=claims.session_id,
        user=user,
    )
