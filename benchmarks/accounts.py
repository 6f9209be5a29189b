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


@operation("login")
def login(bench: Bench) -> Measured:
    """One Query (user by email) and one transaction (session + source throttle check).

    Most of its latency is Argon2id, on purpose."""
    from chalicelib.domain.accounts.sessions import login as sign_in

    _signed_up(bench, "login@bench.example.com")

    def call(i: int) -> None:
        sign_in("login@bench.example.com", PASSWORD, f"198.51.100.{i % 250}")

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
