"""Polled channels (X search, App Store, Google Play) against a real local HTTP server.

The server answers with the recorded provider responses in tests/fixtures/polled and
records every request, so the tests check what goes on the wire (paths, query, bearer
token) as well as what comes back (events oldest first, the cursor across polls).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.channels.app_store import fetch_app_store
from chalicelib.channels.events import InboundMessage
from chalicelib.channels.play_store import fetch_play_store
from chalicelib.channels.provider_http import ProviderError, default_http
from chalicelib.channels.twitter_search import fetch_twitter_search
from tests.support.fakes import FakeProvider, serving

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "polled"


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with serving(FakeProvider(FIXTURES)) as fake:
        yield fake


def ids(messages: list[InboundMessage]) -> list[str]:
    return [message.provider_message_id for message in messages]


# --- X recent search -------------------------------------------------------------------
SEARCH = "/2/tweets/search/recent"
X_CONFIG = {"query": '"acme envíos" OR #AcmeAyuda lang:es', "channel_key": "chn_search_01"}
X_TOKEN = {"bearer_token": "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid"}
X_FIELDS = {
    "expansions": "author_id",
    "user.fields": "username,name",
    "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets",
}
T1, T3, T4, T5 = (
    "2028370000000000101",
    "2028390000000000103",
    "2028400000000000104",
    "2028410000000000105",
)


def test_x_first_poll_reads_the_last_24_hours_oldest_first(
    provider: FakeProvider, frozen_clock: Any
) -> None:
    provider.queue(SEARCH, 200, "x_recent_search_page1.json")
    provider.queue(SEARCH, 200, "x_recent_search_page2.json")

    messages, cursor = fetch_twitter_search(X_CONFIG, X_TOKEN, None, provider.url)

    first, second = provider.requests
    assert (first.method, first.path) == ("GET", SEARCH)
    assert first.query == {
        "query": '"acme envíos" OR #AcmeAyuda lang:es',
        "max_results": "100",
        "start_time": "2026-03-01T12:00:00Z",  # the frozen clock (2026-03-02 12:00) - 24 h
        **X_FIELDS,
    }
    assert second.query == {
        **first.query,
        "next_token": "b26v89c19zqg8o3fr5j1ehvhdtt1cy7xvkbkodg4bb3wd",
    }
    assert {r.headers["authorization"] for r in provider.requests} == {
        "Bearer AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid"
    }
    assert ids(messages) == [T1, T3, T4]  # the repost (…102) is skipped
    assert cursor == T4
    assert messages[2] == InboundMessage(
        channel_type="twitter_search",
        account_id="chn_search_01",
        provider_message_id=T4,
        sender_id="927364518273645",
        sender_handle="@jorgebici",
        sender_name="Jorge 🚲",
        text="Actualizo: sigue sin llegar. #AcmeAyuda",
        public=True,
        sent_at=datetime(2026, 3, 2, 11, 40, 12, tzinfo=UTC),
        reply_to_provider_id=T1,
        thread_key=T1,
        extra={
            "url": f"https://x.com/jorgebici/status/{T4}",
            "in_reply_to_user_id": "927364518273645",
        },
    )
    assert messages[0].text.endswith("lleva 5 días & nada")  # X's &amp; unescaped
    assert (messages[1].sender_handle, messages[1].thread_key) == ("@marialopez_", T3)


def test_x_next_poll_asks_since_the_cursor_and_returns_only_newer_posts(
    provider: FakeProvider, frozen_clock: Any
) -> None:
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    messages, cursor = fetch_twitter_search(X_CONFIG, X_TOKEN, T4, provider.url)
    [request] = provider.requests
    assert request.query == {
        "query": X_CONFIG["query"],
        "max_results": "100",
        "since_id": T4,
        **X_FIELDS,
    }
    assert ids(messages) == [T5] and cursor == T5
    assert messages[0].reply_to_provider_id == T3

    provider.queue(SEARCH, 200, "x_recent_search_empty.json")
    messages, cursor = fetch_twitter_search(X_CONFIG, X_TOKEN, T5, provider.url)
    assert messages == [] and cursor == T5  # nothing new: the cursor stays
    assert provider.requests[-1].query["since_id"] == T5


def test_x_cursor_older_than_the_search_window_starts_afresh(
    provider: FakeProvider, frozen_clock: Any
) -> None:
    frozen_clock.advance(timedelta(days=8))  # X would answer 400 to such a since_id
    provider.queue(SEARCH, 200, "x_recent_search_since.json")
    messages, cursor = fetch_twitter_search(X_CONFIG, X_TOKEN, T4, provider.url)
    [request] = provider.requests
    assert "since_id" not in request.query
    assert request.query["start_time"] == "2026-03-09T12:00:00Z"
    assert ids(messages) == [T5] and cursor == T5


def test_x_cursor_moves_past_skipped_reposts(provider: FakeProvider, frozen_clock: Any) -> None:
    provider.queue(SEARCH, 200, "x_recent_search_page2.json")
    messages, cursor = fetch_twitter_search(X_CONFIG, X_TOKEN, None, provider.url)
    assert ids(messages) == [T1] and cursor == "2028380000000000102"


def test_x_first_poll_with_nothing_found_keeps_no_cursor(
    provider: FakeProvider, frozen_clock: Any
) -> None:
    provider.queue(SEARCH, 200, "x_recent_search_empty.json")
    assert fetch_twitter_search(X_CONFIG, X_TOKEN, None, provider.url) == ([], None)


def test_x_refused_token_raises_a_401_provider_error(provider: FakeProvider) -> None:
    provider.queue(SEARCH, 401, "x_unauthorized.json")
    with pytest.raises(ProviderError) as raised:
        fetch_twitter_search(X_CONFIG, X_TOKEN, T4, provider.url)
    assert raised.value.status == 401
    assert raised.value.credentials_rejected and not raised.value.retryable
    assert '"Unauthorized"' in raised.value.body


# --- App Store ---------------------------------------------------------------------------
REVIEWS = "/v1/apps/1234567890/customerReviews"
APP = {"app_id": "1234567890"}
APP_TOKEN = {"token": "eyJhbGciOiJFUzI1NiIsImtpZCI6IjJYOVI0SFhGMzQifQ.e30.sig"}
R2, R3, R4, R5, R6 = (f"00000028-b08c-0014-7c1e-{n:012d}" for n in (2, 3, 4, 5, 6))


def test_app_store_first_poll_reads_only_the_newest_page(provider: FakeProvider) -> None:
    provider.queue(REVIEWS, 200, "app_store_reviews_page1.json")
    provider.queue(REVIEWS, 200, "app_store_reviews_page2.json")  # must not be asked

    messages, cursor = fetch_app_store(APP, APP_TOKEN, None, provider.url)

    [request] = provider.requests
    assert (request.path, request.query) == (REVIEWS, {"sort": "-createdDate", "limit": "100"})
    assert request.headers["authorization"] == f"Bearer {APP_TOKEN['token']}"
    assert ids(messages) == [R4, R5] and cursor == "2026-03-02T03:12:45-08:00"
    assert messages[1] == InboundMessage(
        channel_type="app_store",
        account_id="1234567890",
        provider_message_id=R5,
        sender_id=f"review:{R5}",
        sender_name="Ana M",
        text="Desde la versión 3.2 la app se cierra nada más abrirla (iPhone 13).",
        subject="Se cierra al abrir",
        rating=1,
        public=True,
        sent_at=datetime(2026, 3, 2, 11, 12, 45, tzinfo=UTC),
        thread_key=R5,
        extra={"created_date": "2026-03-02T03:12:45-08:00", "territory": "ESP"},
    )


def test_app_store_follows_links_next_on_the_configured_host_down_to_the_cursor(
    provider: FakeProvider,
) -> None:
    provider.queue(REVIEWS, 200, "app_store_reviews_page1.json")
    provider.queue(REVIEWS, 200, "app_store_reviews_page2.json")

    messages, cursor = fetch_app_store(APP, APP_TOKEN, "2026-02-28T09:00:00-08:00", provider.url)

    first, second = provider.requests
    # links.next names api.appstoreconnect.apple.com: followed on our host, token included
    assert (second.path, second.query) == (
        REVIEWS,
        {"cursor": "Ag.AO2nXwE", "sort": "-createdDate", "limit": "100"},
    )
    assert second.headers["authorization"] == first.headers["authorization"]
    assert ids(messages) == [R4, R5]  # R3 is the cursor itself, R2 older
    assert cursor == "2026-03-02T03:12:45-08:00"


def test_app_store_second_poll_returns_only_newer_reviews(provider: FakeProvider) -> None:
    provider.queue(REVIEWS, 200, "app_store_reviews_page1.json")
    _, cursor = fetch_app_store(APP, APP_TOKEN, None, provider.url)
    provider.queue(REVIEWS, 200, "app_store_reviews_newer.json")
    provider.queue(REVIEWS, 200, "app_store_reviews_page2.json")  # must not be asked

    messages, cursor = fetch_app_store(APP, APP_TOKEN, cursor, provider.url)

    assert len(provider.requests) == 2  # the newest page reached the cursor: no paging
    assert ids(messages) == [R6] and cursor == "2026-03-02T09:30:00-08:00"
    assert (messages[0].rating, messages[0].subject) == (3, "No encuentro mis pedidos")

    provider.queue(REVIEWS, 200, "app_store_reviews_newer.json")
    assert fetch_app_store(APP, APP_TOKEN, cursor, provider.url) == ([], cursor)


def test_app_store_expired_token_raises_a_401_provider_error(provider: FakeProvider) -> None:
    provider.queue(REVIEWS, 401, "app_store_unauthorized.json")
    with pytest.raises(ProviderError) as raised:
        fetch_app_store(APP, APP_TOKEN, None, provider.url)
    assert raised.value.status == 401 and raised.value.credentials_rejected
    assert "NOT_AUTHORIZED" in raised.value.body


# --- Google Play ---------------------------------------------------------------------------
PLAY_REVIEWS = "/androidpublisher/v3/applications/com.acme.tienda/reviews"
PLAY = {"package_name": "com.acme.tienda"}
PLAY_TOKEN = {"access_token": "ya29.a0AfB_byC-play-token"}
P2, P3, P4, P5 = (f"gp:AOqpTOH{n}x9Zk2bQf7LmN0pRs4TuVwXyZ_{n}" for n in (2, 3, 4, 5))


def test_play_first_poll_reads_only_the_newest_page(provider: FakeProvider) -> None:
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_page1.json")
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_page2.json")  # must not be asked

    messages, cursor = fetch_play_store(PLAY, PLAY_TOKEN, None, provider.url)

    [request] = provider.requests
    assert (request.path, request.query) == (PLAY_REVIEWS, {"maxResults": "100"})
    assert request.headers["authorization"] == "Bearer ya29.a0AfB_byC-play-token"
    assert ids(messages) == [P3, P4] and cursor == "1772442300"
    assert messages[1] == InboundMessage(
        channel_type="play_store",
        account_id="com.acme.tienda",
        provider_message_id=P4,
        sender_id=f"review:{P4}",
        sender_name="Iñaki",
        text="Desde la última actualización tarda un minuto en abrir.",
        subject="Muy lenta",  # Play sends "title<TAB>body"
        rating=1,
        public=True,
        sent_at=datetime(2026, 3, 2, 9, 5, 0, 512000, tzinfo=UTC),
        thread_key=P4,
        extra={
            "last_modified": "1772442300",
            "reviewer_language": "es",
            "app_version_name": "3.2.0",
            "device": "a52q",
        },
    )
    assert (messages[0].subject, messages[0].text) == (None, "Bien en general")


def test_play_pages_with_the_token_down_to_the_cursor(provider: FakeProvider) -> None:
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_page1.json")
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_page2.json")

    messages, cursor = fetch_play_store(PLAY, PLAY_TOKEN, "1772221500", provider.url)

    first, second = provider.requests
    assert first.query == {"maxResults": "100"}
    assert second.query == {"maxResults": "100", "token": "CpgBCpUBAQDzmE1XQmV4cFZtdzNCb0hFM"}
    assert ids(messages) == [P3, P4]  # P2 is the cursor itself (its developer reply ignored)
    assert cursor == "1772442300"


def test_play_second_poll_returns_only_newer_reviews(provider: FakeProvider) -> None:
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_page1.json")
    _, cursor = fetch_play_store(PLAY, PLAY_TOKEN, None, provider.url)
    provider.queue(PLAY_REVIEWS, 200, "play_reviews_newer.json")

    messages, cursor = fetch_play_store(PLAY, PLAY_TOKEN, cursor, provider.url)

    assert len(provider.requests) == 2 and provider.unanswered() == []
    assert ids(messages) == [P5] and cursor == "1772452200"
    assert messages[0].extra["reviewer_language"] == "es_ES"


def test_play_refused_credentials_raise_a_401_provider_error(provider: FakeProvider) -> None:
    provider.queue(PLAY_REVIEWS, 401, "play_unauthorized.json")
    with pytest.raises(ProviderError) as raised:
        fetch_play_store(PLAY, PLAY_TOKEN, "1772442300", provider.url)
    assert raised.value.status == 401 and "UNAUTHENTICATED" in raised.value.body


# --- the HTTP call itself -------------------------------------------------------------------
def test_default_http_returns_status_and_json_and_encodes_params(provider: FakeProvider) -> None:
    provider.queue("/x", 200, b'{"ok": true}')
    status, body = default_http("GET", provider.url + "/x?a=1", {"X-Test": "1"}, {"q": "ñ & ?"})
    assert (status, body) == (200, {"ok": True})
    [request] = provider.requests
    assert request.query == {"a": "1", "q": "ñ & ?"}
    assert request.headers["x-test"] == "1" and request.headers["accept"] == "application/json"


def test_default_http_refuses_redirects_instead_of_forwarding_the_token(
    provider: FakeProvider,
) -> None:
    provider.queue("/moved", 302, b"{}", {"Location": provider.url + "/elsewhere"})
    with pytest.raises(ProviderError) as raised:
        default_http("GET", provider.url + "/moved", {"Authorization": "Bearer secret"})
    assert raised.value.status == 302
    assert [request.path for request in provider.requests] == ["/moved"]


def test_default_http_failures_are_provider_errors(provider: FakeProvider) -> None:
    provider.queue("/html", 200, b"<html>maintenance</html>")
    provider.queue("/down", 503, b'{"error": "unavailable"}')
    with pytest.raises(ProviderError) as not_json:
        default_http("GET", provider.url + "/html", {})
    with pytest.raises(ProviderError) as unavailable:
        default_http("GET", provider.url + "/down", {})
    assert unavailable.value.status == 503 and unavailable.value.retryable
    assert not_json.value.status == 200 and "not JSON" in not_json.value.body

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(ProviderError) as unreachable:
        default_http("GET", f"http://127.0.0.1:{port}/", {})
    assert unreachable.value.status == 0 and unreachable.value.retryable


def test_missing_credentials_count_as_refused_credentials(provider: FakeProvider) -> None:
    with pytest.raises(ProviderError) as raised:
        fetch_play_store(PLAY, {}, None, provider.url)
    assert raised.value.credentials_rejected and provider.requests == []


def test_fixture_files_are_json() -> None:
    for path in FIXTURES.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
