"""Accounts hot paths (SPEC §2): login, refresh and the per-request token check."""

from __future__ import annotations

import json

from benchmarks.harness import Bench, Measured, operation

PASSWORD = "correct horse battery"


def _signed_up(bench: Bench, email: str) -> dict:
    response = bench.api.post(
        "/v1/signup",
        headers={"Content-Type": "application/json"},
        body=json.dumps(
            {
                "company_name": "Bench",
                "first_name": "Ana",
                "last_name": "Admin",
                "email": email,
                "password": PASSWORD,
            }
        ),
    )
    if response.status_code != 201:
        raise RuntimeError(f"signup answered {response.status_code}: {response.body}")
    return json.loads(response.body)


def _source(i: int) -> str:
    """A source address of its own for iteration ``i``: no counter of another run met."""
    return f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"


@operation("login")
def login(bench: Bench) -> Measured:
    """One Query (user by email) and one transaction of 4 items, 8 WCU: the session's Put,
    the pair counter's conditional Delete and the address and source counters' checks
    that none blocks (docs/data-model.md, A11).

    Most of its latency is Argon2id, on purpose."""
    from chalicelib.domain.accounts.sessions import login as sign_in

    _signed_up(bench, "login@bench.example.com")

    def call(i: int) -> None:
        sign_in("login@bench.example.com", PASSWORD, _source(i))

    return call


@operation("login, wrong password")
def login_failed(bench: Bench) -> Measured:
    """One Query (user by email) and one transaction of 3 Updates, 6 WCU: the failure
    counted on the pair, address and source counters (A12). Each run has its own address,
    unknown (a known one costs the same; DynamoDB Local reports the Query that finds
    nothing at 0 RCU), and its own source, so nothing blocks."""
    from chalicelib.domain.accounts.sessions import login as sign_in
    from chalicelib.domain.errors import Unauthenticated

    _signed_up(bench, "failed@bench.example.com")

    def call(i: int) -> None:
        try:
            sign_in(f"failed{i}@bench.example.com", "wrong password!", _source(i))
        except Unauthenticated:
            return
        raise RuntimeError("a wrong password signed in")

    return call


@operation("login while blocked")
def login_blocked(bench: Bench) -> Measured:
    """One Query (user by email), one transaction cancelled by the blocking counter's
    condition and one strong BatchGet of the three counters for Retry-After (A13): 1 RCU
    per counter found, so 1 here, where only the pair counter exists.

    The pair counter is set blocked for its longest delay (15 min) before the runs."""
    from chalicelib.clock import now
    from chalicelib.domain.accounts import login_throttle
    from chalicelib.domain.accounts.sessions import login as sign_in
    from chalicelib.domain.errors import Throttled
    from chalicelib.store.accounts import LoginThrottle, epoch_seconds

    email, source = "blocked@bench.example.com", "192.0.2.1"
    _signed_up(bench, email)
    pair = login_throttle.login_counters(email, source)[0]
    at = now()
    LoginThrottle(
        *pair.key,
        failures=pair.rule.free_failures + 20,
        last_failure_at=at,
        expires_at=epoch_seconds(at + login_throttle.RESET_AFTER),
    ).save()

    def call(_: int) -> None:
        try:
            sign_in(email, PASSWORD, source)
        except Throttled:
            return
        raise RuntimeError("a blocked login signed in")

    return call


@operation("refresh token rotation")
def refresh(bench: Bench) -> Measured:
    from chalicelib.domain.accounts.sessions import refresh as rotate

    token = [_signed_up(bench, "refresh@bench.example.com")["refresh_token"]]

    def call(_: int) -> None:
        token[0] = rotate(token[0]).refresh_token

    return call


@operation("token check (every request)")
def token_check(bench: Bench) -> Measured:
    from chalicelib.domain.accounts.sessions import authenticate

    access = _signed_up(bench, "check@bench.example.com")["access_token"]

    def call(_: int) -> None:
        authenticate(access)

    return call
