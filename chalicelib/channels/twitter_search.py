"""X keyword search, polled: ``GET /2/tweets/search/recent`` with ``since_id``.

This is the "polling" pattern of X's recent-search guide: ask for posts newer than the
newest one already seen, follow ``meta.next_token`` until it is absent, and remember
the newest id. Posts come newest first; we hand them over oldest first so tickets get
the conversation in order. The first poll has no id to start from, so it asks for the
last 24 hours only (``start_time``) instead of the whole 7-day window.
Reposts (``referenced_tweets`` of type ``retweeted``) are skipped: they repeat a post
the search already finds and would flood the inbox.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.channels.events import InboundMessage
from chalicelib.channels.provider_http import (
    HttpCall,
    bearer_token,
    default_http,
    get_json,
)
from chalicelib.clock import now
from chalicelib.settings import get_settings
from chalicelib.untrusted import is_ascii_number

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.x.com"
SEARCH_PATH = "/2/tweets/search/recent"
FIRST_POLL_WINDOW = timedelta(hours=24)
MAX_PAGES = 10  # 1,000 posts a poll; a busier query loses its middle, not its newest
PAGE_SIZE = "100"  # the endpoint's maximum
_SINCE_ID_LIMIT = timedelta(days=7) - timedelta(minutes=10)
_SNOWFLAKE_EPOCH_MS = 1288834974657
_FIELDS = {
    "expansions": "author_id",
    "user.fields": "username,name",
    "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets",
}


def poll(
    identifiers: Mapping[str, Any],
    credentials: Mapping[str, Any],
    account_id: str,
    cursor: str | None,
    base_url: str | None = None,
    http: HttpCall = default_http,
) -> tuple[list[InboundMessage], str | None]:
    """The channel's new posts (its descriptor's ``poll``): its keywords as one query,
    asked with its app-only bearer token; ``account_id`` (the channel's own id) keeps
    one client's posts apart per channel."""
    config = {"query": search_query(identifiers), "channel_key": account_id}
    return fetch_twitter_search(config, credentials, cursor, base_url, http)


_BARE_TERM = re.compile(r"^[#@$]?\w+$")


def search_query(identifiers: Mapping[str, Any]) -> str:
    """The X search query of a channel's keywords: any of them (a phrase is quoted),
    in its language if one is set, reposts left out (they would be read and billed,
    then skipped)."""
    terms = []
    for keyword in identifiers.get("keywords") or []:
        word = " ".join(str(keyword).replace('"', " ").split())
        if word:
            terms.append(word if _BARE_TERM.match(word) else f'"{word}"')
    if not terms:
        raise ValueError("twitter_search channel without keywords")
    query = " OR ".join(terms)
    if len(terms) > 1:
        query = f"({query})"
    if identifiers.get("language"):
        query += f" lang:{identifiers['language']}"
    return query + " -is:retweet"


def fetch_twitter_search(
    config: Mapping[str, Any],
    credentials: Mapping[str, Any],
    cursor: str | None,
    base_url: str | None = None,
    http: HttpCall = default_http,
) -> tuple[list[InboundMessage], str | None]:
    """Posts matching ``config["query"]`` newer than ``cursor`` (a post id), oldest first,
    and the next cursor (the newest id seen; unchanged when nothing new came).

    ``config["channel_key"]`` is the search channel's id, used as ``account_id``:
    a keyword search has no provider account of its own.
    """
    query = str(config.get("query") or "").strip()
    channel_key = str(config.get("channel_key") or "")
    if not query or not channel_key:
        raise ValueError("twitter_search channel needs config query and channel_key")
    url = (base_url or get_settings().twitter_api_base_url or DEFAULT_BASE_URL).rstrip("/")
    token = bearer_token(credentials)
    params = {"query": query, "max_results": PAGE_SIZE, **_FIELDS}
    if _usable_since_id(cursor):
        params["since_id"] = str(cursor)
    else:
        params["start_time"] = (now() - FIRST_POLL_WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")

    posts: list[Mapping[str, Any]] = []
    users: dict[str, Mapping[str, Any]] = {}
    for page in range(MAX_PAGES):
        body = get_json(http, url + SEARCH_PATH, token, params)
        posts.extend(item for item in body.get("data") or [] if isinstance(item, Mapping))
        for user in (body.get("includes") or {}).get("users") or []:
            if isinstance(user, Mapping) and user.get("id"):
                users[str(user["id"])] = user
        next_token = (body.get("meta") or {}).get("next_token")
        if not next_token:
            break
        if page == MAX_PAGES - 1:
            log.warning(
                "twitter_search: more than %d pages since %s; older ones skipped", MAX_PAGES, cursor
            )
        params = {**params, "next_token": str(next_token)}

    found = (_message(post, users, channel_key) for post in posts)
    unique = {message.provider_message_id: message for message in found if message}
    ordered = sorted(unique.values(), key=lambda message: int(message.provider_message_id))
    # skipped reposts count too: the next poll need not see them again
    ids = [int(post["id"]) for post in posts if is_ascii_number(str(post.get("id") or ""))]
    if cursor and is_ascii_number(cursor):
        ids.append(int(cursor))
    return ordered, str(max(ids)) if ids else cursor


def _usable_since_id(cursor: str | None) -> bool:
    """X refuses a ``since_id`` older than the 7 days recent search covers; a channel
    that was not polled for that long (paused, credentials refused) starts afresh."""
    if not cursor or not is_ascii_number(cursor):
        return False
    posted_ms = (int(cursor) >> 22) + _SNOWFLAKE_EPOCH_MS  # X ids carry their time
    return now().timestamp() * 1000 - posted_ms < _SINCE_ID_LIMIT.total_seconds() * 1000


def _message(
    post: Mapping[str, Any], users: Mapping[str, Mapping[str, Any]], channel_key: str
) -> InboundMessage | None:
    post_id, author_id = str(post.get("id") or ""), str(post.get("author_id") or "")
    if not is_ascii_number(post_id) or not author_id:
        log.warning("twitter_search: post without id or author skipped")
        return None
    references = {
        str(ref.get("type")): str(ref.get("id"))
        for ref in post.get("referenced_tweets") or []
        if isinstance(ref, Mapping)
    }
    if "retweeted" in references:
        return None  # a repost says nothing new to the help desk; the original is in the search
    author = users.get(author_id, {})
    username = author.get("username")
    extra = {"url": f"https://x.com/{username or 'i/web'}/status/{post_id}"}
    if post.get("in_reply_to_user_id"):
        extra["in_reply_to_user_id"] = str(post["in_reply_to_user_id"])
    return InboundMessage(
        channel_type="twitter_search",
        account_id=channel_key,
        provider_message_id=post_id,
        sender_id=author_id,
        sender_handle=f"@{username}" if username else None,
        sender_name=author.get("name"),
        text=html.unescape(str(post.get("text") or "")),  # X escapes & < > in post text
        public=True,
        sent_at=_created_at(post.get("created_at")),
        reply_to_provider_id=references.get("replied_to"),
        thread_key=str(post.get("conversation_id") or post_id),
        extra=extra,
    )


def _created_at(value: object) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return now()
