"""Sign-in throttling: failed logins counted per (address, source), per address and per
source, each backing off on its own rule; no lock on any user (docs/accounts.md,
"Failed logins"; docs/data-model.md, A10-A13).

A sign-in attempt meets three counters (``LoginThrottle`` items). ``sessions.login``
asks this module, for one attempt, to:

- ``count_wrong_password``: count the failure on all three counters, or on none when
  one blocks (429): 1 transaction; when a counter blocks, 1 BatchGet more to say how
  long; when one restarts after an hour idle, 1 BatchGet and the transaction again;
- ``admit``: run the new session's writes in one transaction with the checks that no
  counter blocks, clearing the pair counter (429 when one blocks: 1 BatchGet more);
- ``refuse_if_blocked``: the same checks alone, for a right password that opens no
  session (a deactivated user).

A block is derived from a counter's count and its last failure's time, so counting
needs no read first, and the conditions that no counter blocks ride in the writes.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial, reduce
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.errors import Throttled
from chalicelib.store import keys
from chalicelib.store.accounts import LoginThrottle, epoch_seconds
from chalicelib.store.base import failed_conditions, lost_race, transaction

Key = tuple[str, str]


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

    def block_ends(self, counter: LoginThrottle | None) -> datetime | None:
        """When the counter as read stops blocking (in the past if it does not block)."""
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
#: transactions cancelled by a concurrent one are sent again this many times in all
CONFLICT_ATTEMPTS = 3
assert all(rule.cap < RESET_AFTER for rule in (PAIR, ADDRESS, SOURCE))


@dataclass(frozen=True)
class Counter:
    rule: Backoff
    key: Key


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
class SignInAttempt:
    """One login attempt at ``at``, and the counters it meets."""

    counters: list[Counter]
    at: datetime

    @classmethod
    def of(cls, email: str, source_ip: str, at: datetime) -> SignInAttempt:
        return cls(login_counters(email, source_ip), at)

    def count_wrong_password(self) -> None:
        """Count a failed login on every counter, or on none when one of them blocks (429,
        and the block is not extended): 1 transaction, known address or not."""
        restart: frozenset[Key] = frozenset()
        for _ in range(CONFLICT_ATTEMPTS):
            failed = _transact(partial(self._count_all, restart=restart))
            if not failed:
                return
            found = self._read()
            self._refuse_if_blocked(found)
            idle = {key for key in failed if _idle(found.get(key), self.at)}
            restart = (restart - failed) | idle
        # the counters kept changing under us: a burst of attempts
        raise _wait(self.at, self.at)

    def admit(self, writes: Callable[[Any], None]) -> None:
        """A right password: run ``writes`` (the new session's, whose own conditions
        cannot fail) in one transaction with the checks that no counter blocks; a success
        also clears its pair counter. 429 when a counter blocks."""

        def open_session(write: Any) -> None:
            writes(write)
            self._not_blocked(write, clear_pair=True)

        if _transact(open_session):
            # only a counter's condition can fail: blocked
            self._refuse_if_blocked(self._read())
            raise _wait(self.at, self.at)  # the block ended in between; try again

    def refuse_if_blocked(self) -> None:
        """429 when a counter blocks, counting nothing (a right password that opens no
        session): 1 transaction of condition checks; 1 BatchGet more when one fails."""
        if _transact(lambda write: self._not_blocked(write, clear_pair=False)):
            self._refuse_if_blocked(self._read())

    def _not_blocked(self, write: Any, *, clear_pair: bool) -> None:
        """Add to ``write`` that no counter blocks; a success also clears its pair counter
        (a conditional Delete: nothing to do when there is none)."""
        for counter in self.counters:
            not_blocked = ~counter.rule.blocked(self.at)
            if clear_pair and counter.rule is PAIR:
                write.delete(LoginThrottle(*counter.key), condition=not_blocked)
            else:
                write.condition_check(LoginThrottle, *counter.key, condition=not_blocked)

    def _count_all(self, write: Any, restart: frozenset[Key]) -> None:
        for counter in self.counters:
            _count(write, counter, self.at, restart=counter.key in restart)

    def _read(self) -> dict[Key, LoginThrottle]:
        found = LoginThrottle.batch_get([c.key for c in self.counters], consistent_read=True)
        return {(item.PK, item.SK): item for item in found}

    def _refuse_if_blocked(self, found: dict[Key, LoginThrottle]) -> None:
        """429 with Retry-After: the seconds until the longest of the blocks ends."""
        ends = [c.rule.block_ends(found.get(c.key)) for c in self.counters]
        until = max((end for end in ends if end is not None and end > self.at), default=None)
        if until is not None:
            raise _wait(until, self.at)


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


def _idle(counter: LoginThrottle | None, at: datetime) -> bool:
    return counter is not None and (
        counter.last_failure_at is None or counter.last_failure_at <= at - RESET_AFTER
    )


def _transact(build: Callable[[Any], None]) -> set[Key]:
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
            if not lost_race(exc):  # a concurrent transaction: try again
                raise
            if attempt == CONFLICT_ATTEMPTS - 1:
                raise Throttled(
                    "Too many sign-in attempts at once. Try again in a moment.", retry_after=1
                ) from exc
    raise AssertionError("unreachable")


def _wait(until: datetime, at: datetime) -> Throttled:
    seconds = math.ceil((until - at).total_seconds())
    return Throttled(
        "Too many failed sign-in attempts. Wait before trying again.", retry_after=seconds
    )
