"""The polling job (SPEC §3, §5): polled channels read every few minutes, never a Scan.

Channels are connected through the admin API; a real local HTTP server plays X, App
Store Connect and Google Play (with the recorded answers of tests/fixtures/polled) and
records every request, so the tests can tell when the job did NOT call a provider.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import app
from chalicelib import aws as aws_clients
from chalicelib.channels.twitter_search import search_query
from chalicelib.clock import iso
from chalicelib.jobs import polling
from chalicelib.jobs.scheduled import SCHEDULED_JOBS
from chalicelib.settings import reset_settings
from chalicelib.store import keys, meter
from chalicelib.store.channels import Channel, poll_due_keys
from chalicelib.store.platform import last_heartbeats
from devstack.scheduler import fire, scheduled_handlers
from devstack.worker import deliver_once, sqs_consumers
from tests.support.fakes import FakeProvider, serving
from tests.support.payloads import payload
from tests.support.table_stream import run_effects
from tests.support.tickets_read import messages_of, open_tickets

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "polled"

SEARCH = "/2/tweets/search/recent"
REVIEWS = "/v1/apps/1234567890/customerReviews"
PLAY_REVIEWS = "/androidpublisher/v3/applications/com.acme.tienda/reviews"
X_BEARER = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid"
PLAY_ACCESS = "ya29.a0AfB_byC-play-token"
T1, T3, T4, T5 = (
    "2028370000000000101",
    "2028390000000000103",
    "2028400000000000104",
    "2028410000000000105",
)
R4, R5, R6 = (f"00000028-b08c-0014-7c1e-{n:012d}" for n in (4, 5, 6))
P3, P4, P5 = (f"gp:AOqpTOH{n}x9Zk2bQf7LmN0pRs4TuVwXyZ_{n}" for n in (3, 4, 5))


# --- the fake providers -------------------------------------------------------------------
@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    """The fake, configured as every polled provider's base URL (as the local stack does)."""
    with serving(FakeProvider(FIXTURES)) as fake:
        for name in ("TWITTER_API_BASE_URL", "APP_STORE_API_BASE_URL", "PLAY_API_BASE_URL"):
            monkeypatch.setenv(name, fake.url)
        reset_settings()
        try:
            yield fake
        finally:
            reset_settings()  # the next get_settings() reads the environment monkeypatch restores


# --- keys the stores' credentials carry ------------------------------------------------------
@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


# --- the world --------------------------------------------------------------------------------
def connect(
    world: Any, admin: str, channel_type: str, identifiers: dict, credentials: dict
) -> dict:
    created = world.call("POST", "/v1/channels", admin, {
        "type": channel_type, "name": f"Acme {channel_type}", "identifiers": identifiers,
        "credentials": credentials})  # fmt: skip
    assert created.status_code == 201, created.json
    return created.json


def connect_search(world: Any, admin: str) -> dict:
    return connect(
        world,
        admin,
        "twitter_search",
        {"keywords": ["acme envíos", "#AcmeAyuda"], "language": "es"},
        {"bearer_token": X_BEARER},
    )


def connect_app_store(world: Any, admin: str, key: Any) -> dict:
    credentials = {"issuer_id": "57246542-96fe-1a63-e053-0824d011072a", "key_id": "2X9R4HXF34",
                   "private_key": pem(key)}  # fmt: skip
    return connect(world, admin, "app_store", {"app_id": "1234567890"}, credentials)


def connect_play(world: Any, admin: str, key: Any) -> dict:
    account = {"type": "service_account", "project_id": "acme-tienda",
               "private_key_id": "8f2b1c", "private_key": pem(key),
               "client_email": "atiende@acme-tienda.iam.gserviceaccount.com",
               "token_uri": "https://attacker.example.com/token"}  # fmt: skip
    return connect(
        world,
        admin,
        "play_store",
        {"package_name": "com.acme.tienda"},
        {"service_account_json": json.dumps(account)},
    )


def tenant_of(world: Any, admin: str) -> str:
    return str(world.call("GET", "/v1/me", admin).json["tenant"]["id"])


def stored(tenant: str, channel: dict) -> Channel:
    return Channel.get(keys.tenant_pk(tenant), keys.channel_sk(channel["id"]), consistent_read=True)


def run_inbound_worker() -> None:
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "receive_inbound"]
    while deliver_once(source, handler, wait_seconds=0):
        pass
    run_effects()  # what the stored messages cause (jobs/effects.py)


def inbound_depth() -> int:
    attributes = aws_clients.client("sqs").get_queue_attributes(
        QueueUrl=aws_clients.queue_url("inbound"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def messages_by_ticket(tenant: str) -> dict[int, list[str]]:
    """Open tickets (by number) with the provider ids of their messages, in order."""
    return {
        ticket.number: [str(m.provider_message_id) for m in messages_of(tenant, ticket.number)]
        for ticket in open_tickets(tenant)
    }


def provider_ids(tenant: str) -> list[str]:
    return sorted(i for ids in messages_by_ticket(tenant).values() for i in ids)


# --- X keyword search --------------------------------------------------------------------------
def test_a_search_channel_is_polled_into_tickets_once_and_then_every_two_minutes(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    channel = connect_search(world, admin)
    tenant = tenant_of(world, admin)
    provider.queue(SEARCH, 200, "x_recent_search_page1.json")
    provider.queue(SEARCH, 200, "x_recent_search_page2.json")

    assert polling.poll_due_channels() == {"due": 1, "polled": 1}

    first, second = provider.requests
    assert first.query["query"] == '("acme envíos" OR #AcmeAyuda) lang:es -is:retweet'
    assert first.query["start_time"] == "2026-03-01T12:00:00Z"  # first poll: the last 24 h
    assert second.query["next_token"] == "b26v89c19zqg8o3fr5j1ehvhdtt1cy7xvkbkodg4bb3wd"
    assert {r.headers["authorization"] for r in provider.requests} == {f"Bearer {X_BEARER}"}
    assert inbound_depth() == 1  # one envelope for the whole poll
    run_inbound_worker()
    # T1 and T4 are one author's (one ticket), T3 another's; the repost was skipped
    assert sorted(messages_by_ticket(tenant).values()) == [[T1, T4], [T3]]
    saved = stored(tenant, channel)
    assert saved.poll_cursor == T4 and saved.poll_error is None
    assert saved.DueSK == f"{iso(frozen_clock.now() + timedelta(minutes=2))}#{channel['id']}"
    assert saved.polled_at == frozen_clock.now()

    # before the interval: nothing is due, no provider is asked
    assert polling.poll_due_channels() == {"due": 0}
    frozen_clock.advance(timedelta(minutes=1, seconds=59))
    assert polling.poll_due_channels() == {"due": 0}
    assert len(provider.requests) == 2

    # at the interval: only what came after the cursor
    frozen_clock.advance(timedelta(seconds=1))
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}
    assert provider.requests[-1].query["since_id"] == T4
    run_inbound_worker()
    assert sorted(messages_by_ticket(tenant).values()) == [[T1, T4], [T3, T5]]
    assert stored(tenant, channel).poll_cursor == T5

    # nothing new: no envelope, the cursor stays, the next poll is planned
    frozen_clock.advance(timedelta(minutes=2))
    provider.queue(SEARCH, 200, "x_recent_search_empty.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}
    assert inbound_depth() == 0
    assert stored(tenant, channel).poll_cursor == T5
    assert provider.unanswered() == []


def test_two_overlapping_runs_advance_the_channel_once(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    channel = connect_search(world, admin)
    tenant = tenant_of(world, admin)
    provider.queue(SEARCH, 200, "x_recent_search_since.json")  # answers run B (asks first)
    provider.queue(SEARCH, 200, "x_recent_search_page2.json")  # answers run A
    overlapping: dict[str, Any] = {}

    def slow_provider(*args: Any, **kwargs: Any) -> Any:
        if not overlapping:  # while run A waits for X, run B polls the same channel
            overlapping["B"] = polling.poll_due_channels()
        return polling.default_http(*args, **kwargs)

    run_a = polling.poll_due_channels(http=slow_provider)

    assert overlapping["B"] == {"due": 1, "polled": 1}
    assert run_a == {"due": 1, "lost": 1}  # its cursor was no longer the one it read
    saved = stored(tenant, channel)
    assert saved.poll_cursor == T5  # B's, not overwritten by A's older one (…102)
    assert saved.DueSK == f"{iso(frozen_clock.now() + timedelta(minutes=2))}#{channel['id']}"
    run_inbound_worker()
    assert provider_ids(tenant) == sorted([T1, T5])  # each stored once

    frozen_clock.advance(timedelta(minutes=2))
    provider.queue(SEARCH, 200, "x_recent_search_empty.json")
    polling.poll_due_channels()
    assert provider.requests[-1].query["since_id"] == T5


def test_a_redelivered_poll_stores_each_post_once(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    """A run that enqueued its events but died before saving the cursor polls the same
    posts again: ingest drops them by provider id."""
    channel = connect_search(world, admin)
    tenant = tenant_of(world, admin)
    for _ in range(2):
        provider.queue(SEARCH, 200, "x_recent_search_since.json")
    polling._enqueue(polling._fetch(stored(tenant, channel), polling.default_http)[0])
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}
    run_inbound_worker()
    assert messages_by_ticket(tenant) == {1: [T5]}


def test_a_poll_too_large_for_sqs_waits_in_s3(
    world: Any,
    admin: str,
    provider: FakeProvider,
    frozen_clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connect_search(world, admin)
    tenant = tenant_of(world, admin)
    monkeypatch.setattr(polling, "SQS_BODY_LIMIT", 1024)
    provider.queue(SEARCH, 200, "x_recent_search_page1.json")
    provider.queue(SEARCH, 200, "x_recent_search_page2.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}
    [queued] = aws_clients.client("sqs").receive_message(
        QueueUrl=aws_clients.queue_url("inbound"), VisibilityTimeout=0
    )["Messages"]
    envelope = json.loads(queued["Body"])
    assert envelope["provider"] == "poll" and envelope["body"] == ""
    assert envelope["body_s3_key"].startswith("inbound/raw/poll/")
    run_inbound_worker()
    assert provider_ids(tenant) == sorted([T1, T3, T4])


# --- App Store and Google Play -------------------------------------------------------------------
def test_store_channels_mint_their_tokens_and_are_polled_every_fifteen_minutes(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any, ec_key: Any, rsa_key: Any
) -> None:
    connect_app_store(world, admin, ec_key)
    connect_play(world, admin, rsa_key)
    tenant = tenant_of(world, admin)
    provider.queue(REVIEWS, 200, "app_store_reviews_page1.json")
    provider.queue("/token", 200, payload("google/token.json", {"access_token": PLAY_ACCESS}))
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_page1.json")

    assert polling.poll_due_channels() == {"due": 2, "polled": 2}

    # App Store: an ES256 JWT signed with the channel's key, short-lived
    [apple] = provider.to(REVIEWS)
    token = apple.headers["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, ec_key.public_key(), algorithms=["ES256"],
                        audience="appstoreconnect-v1", options={"verify_exp": False})  # fmt: skip
    assert claims["iss"] == "57246542-96fe-1a63-e053-0824d011072a"
    assert claims["exp"] - claims["iat"] <= 20 * 60
    assert jwt.get_unverified_header(token)["kid"] == "2X9R4HXF34"
    # Google: the service account's assertion goes to the configured host, never to the
    # token_uri the uploaded JSON names; the access token it gives reads the reviews
    [grant] = provider.to("/token")
    assert grant.method == "POST"
    assert grant.form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assertion = jwt.decode(grant.form["assertion"], rsa_key.public_key(), algorithms=["RS256"],
                           audience=f"{provider.url}/token", options={"verify_exp": False})  # fmt: skip
    assert assertion["iss"] == "atiende@acme-tienda.iam.gserviceaccount.com"
    assert assertion["scope"] == "https://www.googleapis.com/auth/androidpublisher"
    [play] = provider.to(PLAY_REVIEWS)
    assert play.headers["authorization"] == f"Bearer {PLAY_ACCESS}"

    run_inbound_worker()
    assert provider_ids(tenant) == sorted([R4, R5, P3, P4])
    assert len(messages_by_ticket(tenant)) == 4  # one reviewer, one ticket

    frozen_clock.advance(timedelta(minutes=14))
    assert polling.poll_due_channels() == {"due": 0}
    assert len(provider.requests) == 3

    frozen_clock.advance(timedelta(minutes=1))
    provider.queue(REVIEWS, 200, "app_store_reviews_newer.json")
    provider.queue("/token", 200, {"access_token": PLAY_ACCESS})
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_newer.json")
    assert polling.poll_due_channels() == {"due": 2, "polled": 2}
    run_inbound_worker()
    assert provider_ids(tenant) == sorted([R4, R5, R6, P3, P4, P5])
    assert provider.unanswered() == []


# --- failures ------------------------------------------------------------------------------------
def test_refused_credentials_are_recorded_retried_hourly_and_do_not_stop_other_channels(
    world: Any,
    admin: str,
    provider: FakeProvider,
    frozen_clock: Any,
    ec_key: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    search = connect_search(world, admin)
    connect_app_store(world, admin, ec_key)
    tenant = tenant_of(world, admin)
    provider.queue(SEARCH, 401, "x_unauthorized.json")
    provider.queue(REVIEWS, 200, "app_store_reviews_page1.json")

    assert polling.poll_due_channels() == {"due": 2, "refused": 1, "polled": 1}

    saved = stored(tenant, search)
    assert saved.poll_error is not None and saved.poll_error.startswith("credentials_rejected")
    assert "401" in saved.poll_error and X_BEARER not in saved.poll_error
    assert saved.poll_cursor is None
    assert saved.DueSK == f"{iso(frozen_clock.now() + timedelta(hours=1))}#{search['id']}"
    hooked = [r for r in caplog.records if "credentials were refused" in r.getMessage()]
    assert len(hooked) == 1 and hooked[0].channel == search["id"]
    assert X_BEARER not in caplog.text
    run_inbound_worker()
    assert provider_ids(tenant) == sorted([R4, R5])  # the App Store channel went on

    # refused again an hour later: retried, but the hook is not called again
    frozen_clock.advance(timedelta(minutes=59))
    provider.queue(REVIEWS, 200, "app_store_reviews_newer.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}  # only the App Store
    assert len(provider.to(SEARCH)) == 1
    frozen_clock.advance(timedelta(minutes=1))
    provider.queue(SEARCH, 403, "x_unauthorized.json")
    assert polling.poll_due_channels() == {"due": 1, "refused": 1}
    assert len([r for r in caplog.records if "credentials were refused" in r.getMessage()]) == 1

    # the credentials work again (replaced): the error is cleared
    frozen_clock.advance(timedelta(hours=1))
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    provider.queue(REVIEWS, 200, "app_store_reviews_newer.json")  # due again as well
    assert polling.poll_due_channels() == {"due": 2, "polled": 2}
    saved = stored(tenant, search)
    assert saved.poll_error is None and saved.poll_error_at is None and saved.poll_cursor == T5


def test_a_provider_having_a_bad_minute_is_asked_again_at_the_normal_interval(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    search = connect_search(world, admin)
    tenant = tenant_of(world, admin)
    provider.queue(SEARCH, 503, b'{"title": "Service Unavailable"}')
    assert polling.poll_due_channels() == {"due": 1, "retry": 1}
    saved = stored(tenant, search)
    assert saved.poll_error is None and saved.poll_cursor is None
    assert saved.DueSK == f"{iso(frozen_clock.now() + timedelta(minutes=2))}#{search['id']}"
    assert inbound_depth() == 0

    frozen_clock.advance(timedelta(minutes=2))
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}
    assert "start_time" in provider.requests[-1].query  # still the first poll


def test_a_store_key_that_cannot_sign_is_a_refused_credential_without_a_request(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    credentials = {"issuer_id": "57246542-96fe-1a63", "key_id": "2X9R4HXF34",
                   "private_key": "-----BEGIN PRIVATE KEY-----not a key at all-----END"}  # fmt: skip
    channel = connect(world, admin, "app_store", {"app_id": "1234567890"}, credentials)
    assert polling.poll_due_channels() == {"due": 1, "refused": 1}
    assert provider.requests == []
    error = stored(tenant_of(world, admin), channel).poll_error
    assert error is not None and error.startswith("credentials_rejected")
    assert "not a key" not in error


def test_a_refused_play_service_account_is_a_refused_credential(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any, rsa_key: Any
) -> None:
    channel = connect_play(world, admin, rsa_key)
    provider.queue("/token", 400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
    assert polling.poll_due_channels() == {"due": 1, "refused": 1}
    assert provider.to(PLAY_REVIEWS) == []
    error = stored(tenant_of(world, admin), channel).poll_error
    assert error is not None and error.startswith("credentials_rejected")


# --- lifecycle and cost ------------------------------------------------------------------------
def test_a_disconnected_channel_is_no_longer_polled(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    channel = connect_search(world, admin)
    tenant = tenant_of(world, admin)
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}

    gone = world.call("DELETE", f"/v1/channels/{channel['id']}", admin)
    assert gone.status_code == 200, gone.json
    saved = stored(tenant, channel)
    assert saved.DuePK is None and saved.DueSK is None

    frozen_clock.advance(timedelta(hours=2))
    assert polling.poll_due_channels() == {"due": 0}
    assert len(provider.requests) == 1


def test_only_polled_types_are_put_in_the_due_index(world: Any, admin: str) -> None:
    chat = connect(world, admin, "chat", {"site_name": "acme.example.com"}, {})
    saved = stored(tenant_of(world, admin), chat)
    assert saved.DuePK is None and saved.DueSK is None


def seed_waiting_channels(tenant: str, count: int, due_at: Any) -> None:
    """Channels whose next poll is later (written directly: a plan allows few)."""
    for n in range(count):
        channel_id = f"seeded{n:04d}"
        due_pk, due_sk = poll_due_keys(channel_id, due_at)
        Channel(keys.tenant_pk(tenant), keys.channel_sk(channel_id), tenant_id=tenant,
                channel_id=channel_id, channel_type="app_store", name=f"App {n}",
                account_id=f"9{n:09d}", identifiers={"app_id": f"9{n:09d}"},
                created_at=due_at, updated_at=due_at, DuePK=due_pk, DueSK=due_sk).save()  # fmt: skip


def test_the_job_reads_only_due_channels_however_many_wait(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    connect_search(world, admin)
    tenant = tenant_of(world, admin)
    later = frozen_clock.now() + timedelta(hours=1)
    costs = []
    for waiting in (3, 30):
        if costs:
            frozen_clock.advance(timedelta(minutes=2))  # the search channel is due again
        seed_waiting_channels(tenant, waiting, later)  # the first 3 are rewritten, 27 added
        provider.queue(SEARCH, 200, "x_recent_search_empty.json")
        with meter.measure() as cost:
            assert polling.poll_due_channels() == {"due": 1, "polled": 1}
        costs.append(cost.summary())
    assert costs[0] == costs[1]
    # one Query per shard of the Due index, one conditional update of the due channel
    assert costs[0]["by_operation"] == {"Query": 8, "UpdateItem": 1}

    with meter.measure() as idle:
        frozen_clock.advance(timedelta(seconds=30))
        assert polling.poll_due_channels() == {"due": 0}
    assert idle.summary()["by_operation"] == {"Query": 8}


def test_the_scheduled_handler_polls_and_records_its_run(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    assert "poll_channels" in SCHEDULED_JOBS
    connect_search(world, admin)
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    [(source, handler)] = [(s, h) for s, h in scheduled_handlers(app) if s.name == "poll_channels"]
    fire(source, handler)
    assert len(provider.requests) == 1 and inbound_depth() == 1
    assert last_heartbeats()["poll_channels"] == frozen_clock.now()


# --- the search query ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("identifiers", "query"),
    [
        ({"keywords": ["acme"]}, "acme -is:retweet"),
        ({"keywords": ["acme", "#acmeayuda", "@acme_cl"]}, "(acme OR #acmeayuda OR @acme_cl) -is:retweet"),
        ({"keywords": ["acme envíos"], "language": "es"}, '"acme envíos" lang:es -is:retweet'),
        ({"keywords": ['say "hi"  there', "e-commerce"]}, '("say hi there" OR "e-commerce") -is:retweet'),
    ],
)  # fmt: skip
def test_search_query_of_the_channel_keywords(identifiers: dict, query: str) -> None:
    assert search_query(identifiers) == query


def test_replacing_refused_credentials_polls_at_once_and_the_error_shows_until_then(
    world: Any, admin: str, provider: FakeProvider, frozen_clock: Any
) -> None:
    search = connect_search(world, admin)
    tenant = tenant_of(world, admin)
    provider.queue(SEARCH, 401, "x_unauthorized.json")
    assert polling.poll_due_channels() == {"due": 1, "refused": 1}
    shown = world.call("GET", f"/v1/channels/{search['id']}", admin).json
    assert shown["poll_error"].startswith("credentials_rejected") and shown["poll_error_at"]

    replaced = world.call("PATCH", f"/v1/channels/{search['id']}", admin,
                          {"credentials": {"bearer_token": "AAAA-new-bearer-token-0987654321"}})  # fmt: skip
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["poll_error"] is None  # not waiting an hour for the retry
    saved = stored(tenant, search)
    assert saved.DueSK == f"{iso(frozen_clock.now())}#{search['id']}"
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    assert polling.poll_due_channels() == {"due": 1, "polled": 1}
