"""Login throttling gives no account oracle and locks nobody out (SPEC §2, issue 10):
an unknown address costs and answers exactly what a known one does, and the counters
back off per (address, source), per address and per source (docs/accounts.md)."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from chalice.local import LambdaEventConverter

from chalicelib.store.meter import measure
from tests.support.world import PASSWORD

WRONG = "wrong password!"
KNOWN = "ana@acme.example.com"
UNKNOWN = "nadie@acme.example.com"


@pytest.fixture
def attempt(world, monkeypatch):
    """A login through the API from one source address."""

    def attempt(email: str, password: str = WRONG, source: str = "198.51.100.1"):
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", source)
        return world.call("POST", "/v1/auth/login", body={"email": email, "password": password})

    return attempt


@pytest.fixture
def verifications(monkeypatch):
    """How many Argon2 verifications were run."""
    counted = []
    original = PasswordHasher.verify

    def verify(self, stored, password):
        counted.append(1)
        return original(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return counted


def _answer(response) -> tuple[int, str | None]:
    return response.status_code, response.headers.get("Retry-After")


def _work(attempt, verifications, email: str, source: str):
    """The answer of one attempt, its Argon2 verifications and its DynamoDB requests by
    operation with their items and capacity units."""
    verifications.clear()
    with measure() as meter:
        response = attempt(email, source=source)
    requests = {
        op: (c.requests, c.items, c.read_units, c.write_units) for op, c in meter.operations.items()
    }
    return _answer(response), len(verifications), requests


def test_a_known_and_an_unknown_address_cost_the_same_work(
    world, attempt, verifications, frozen_clock
):
    world.signup(email=KNOWN)
    known = _work(attempt, verifications, KNOWN, "198.51.100.1")
    unknown = _work(attempt, verifications, UNKNOWN, "198.51.100.2")
    assert known == unknown
    answer, argon2_runs, requests = known
    assert answer == (401, None) and argon2_runs == 1
    assert set(requests) == {"Query", "TransactWriteItems"}
    # and once both are blocked: still one verification, and the same requests
    for _ in range(5):  # now 6 each: blocked
        attempt(KNOWN, source="198.51.100.1")
        attempt(UNKNOWN, source="198.51.100.2")
    known = _work(attempt, verifications, KNOWN, "198.51.100.1")
    unknown = _work(attempt, verifications, UNKNOWN, "198.51.100.2")
    assert known == unknown
    answer, argon2_runs, requests = known
    assert answer == (429, "30") and argon2_runs == 1
    assert set(requests) == {"Query", "TransactWriteItems", "BatchGetItem"}


def _attack(attempt, email: str, source: str, frozen_clock, rounds: int) -> list:
    """Wrong passwords as fast as allowed: on a 429 try again at once, then wait it out."""
    answers = []
    for _ in range(rounds):
        answer = _answer(attempt(email, source=source))
        answers.append(answer)
        if answer[0] == 429:
            answers.append(_answer(attempt(email, source=source)))
            frozen_clock.advance(timedelta(seconds=int(answer[1])))
    return answers


def test_an_unknown_address_is_throttled_exactly_like_a_known_one(world, attempt, frozen_clock):
    world.signup(email=KNOWN)
    known = _attack(attempt, KNOWN, "198.51.100.1", frozen_clock, rounds=20)
    unknown = _attack(attempt, UNKNOWN, "198.51.100.2", frozen_clock, rounds=20)
    assert known == unknown
    assert (429, "30") in known and (429, "900") in known


def test_counters_start_again_after_an_hour_without_failures(world, attempt, frozen_clock):
    world.signup(email=KNOWN)
    assert [attempt(KNOWN).status_code for _ in range(8)] == [401] * 6 + [429] * 2
    frozen_clock.advance(timedelta(minutes=59))
    assert attempt(KNOWN).status_code == 401  # the 7th failure: a 60 s block
    assert _answer(attempt(KNOWN)) == (429, "60")
    frozen_clock.advance(timedelta(hours=1))
    assert [attempt(KNOWN).status_code for _ in range(7)] == [401] * 6 + [429]


def test_an_attacker_source_slows_the_victim_elsewhere_by_a_minute_at_most(
    world, attempt, frozen_clock
):
    world.signup(email=KNOWN)
    # hours of guessing the victim's password from one source, as fast as allowed
    guessed = 0
    while guessed < 23:  # 20 free for the address, then blocks of 30 s and 60 s (the cap)
        answer = _answer(attempt(KNOWN, source="203.0.113.66"))
        if answer[0] == 401:
            guessed += 1
        else:
            frozen_clock.advance(timedelta(seconds=int(answer[1])))
    # the address now backs off for every source, but for a minute at most
    victim = _answer(attempt(KNOWN, PASSWORD, source="192.0.2.10"))
    assert victim == (429, "60")
    for _ in range(10):  # guessing on during the block does not extend it
        assert attempt(KNOWN, source="203.0.113.77").status_code == 429
    frozen_clock.advance(timedelta(seconds=60))
    assert attempt(KNOWN, PASSWORD, source="192.0.2.10").status_code == 200


def test_one_attacker_source_alone_does_not_slow_the_victim_at_first(world, attempt):
    world.signup(email=KNOWN)
    answers = [attempt(KNOWN, source="203.0.113.66").status_code for _ in range(30)]
    assert answers == [401] * 6 + [429] * 24
    assert attempt(KNOWN, PASSWORD, source="192.0.2.10").status_code == 200


def test_a_deactivated_users_password_is_throttled_like_any_other(world, attempt, frozen_clock):
    admin = world.signup(email=KNOWN)["access_token"]
    pat = world.invite(admin, "pat@acme.example.com", "agent")
    token = world.token_in_mail("pat@acme.example.com")
    world.call("POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD})
    world.call("POST", f"/v1/users/{pat['id']}/deactivate", admin)
    assert [attempt("pat@acme.example.com").status_code for _ in range(6)] == [401] * 6
    assert _answer(attempt("pat@acme.example.com", PASSWORD)) == (429, "30")
    frozen_clock.advance(timedelta(seconds=30))
    refused = attempt("pat@acme.example.com", PASSWORD)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "user_deactivated"
    # the right password is no failure: the 7th wrong one still blocks for 60 s, not 120
    assert attempt("pat@acme.example.com").status_code == 401
    assert _answer(attempt("pat@acme.example.com")) == (429, "60")
