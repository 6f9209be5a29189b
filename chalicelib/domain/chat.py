"""The web chat widget's public side (SPEC §3): visitors, their tokens, their messages.

A visitor has no account and nothing is stored for them until they write. The visitor
token (a JWT signed with a key derived from ``ATIENDE_JWT_SECRET``, ``typ:
chat_visitor``, 24 hours) is the only credential and carries all a send needs: tenant,
channel, public key, visitor id, the name and email given, and the origin the session
was opened from. A message goes to the inbound queue like a provider's webhook, as a
``chat`` envelope (a JSON list of ``InboundMessage``); the consumer stores it exactly
once by ``<visitor id>:<client message id>``.

Costs: opening a session is 1 Query (channel by public key, GSI1) + 1 UpdateItem (the
IP's counter); a send is 1 GetItem (the channel: still connected?) + 3 UpdateItems (the visitor's and
the IP's counters, and the send's first time, so a retried send is the same message)
+ 1 SQS send; reading the
conversation is 1 GetItem (the client) + 1 Query (the ticket's partition).

Throttles are fixed windows: one counter item per (scope, value, window), raised by a
conditional UpdateItem (``hits < limit``) and removed by TTL. A refused request does not
count; the answer says when the window ends (``Retry-After``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter
from pynamodb.attributes import NumberAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from chalicelib import queues
from chalicelib.channels.events import InboundMessage, WebhookEnvelope
from chalicelib.clock import now
from chalicelib.domain.channels.service import find_connected
from chalicelib.domain.errors import Forbidden, Gone, NotFound, Throttled, Unavailable
from chalicelib.domain.helpdesk.timeline import compact, messages_page
from chalicelib.domain.inbound.ingest import client_id_for
from chalicelib.ids import new_id
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import Item, condition_failed
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Message

VISITOR_TOKEN_TTL = timedelta(hours=24)
TOKEN_TYPE = "chat_visitor"
ISSUER = "atiende"
#: the token binding of a channel that accepts any site (empty ``allowed_origins``)
ANY_ORIGIN = "*"

THROTTLE_WINDOW = 60  # seconds
SESSIONS_PER_IP = 10  # per window
MESSAGES_PER_VISITOR = 30
MESSAGES_PER_IP = 120  # several visitors behind one office NAT
CONVERSATION_PAGE = 100

_MESSAGES = TypeAdapter(list[InboundMessage])
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ChatSend(Item, discriminator="ChatSend"):
    """When a visitor's message (by its client message id) was first sent: a retried send
    gets the same time, so the consumer stores it under the same id (TTL'd)."""

    first_at = UTCDateTimeAttribute()


class ChatThrottle(Item, discriminator="ChatThrottle"):
    """Requests of one visitor or one source address in one window (TTL'd)."""

    hits = NumberAttribute(default=0)


@dataclass(frozen=True)
class Visitor:
    """What a verified visitor token says."""

    tenant_id: str
    channel_id: str
    public_key: str
    visitor_id: str
    origin: str  # the origin the session was opened from, or ANY_ORIGIN
    name: str | None
    email: str | None
    expires_at: datetime


@dataclass(frozen=True)
class IssuedVisitor:
    token: str
    visitor: Visitor
    expires_in: int


class InvalidVisitorToken(Exception):
    """A visitor token that is missing, forged, malformed or expired.

    ``genuine`` is set when only the expiry failed: the claims are ours and may be
    trusted for anything but access (e.g. whose site may read the 401)."""

    def __init__(self, reason: str, genuine: Visitor | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.genuine = genuine


# --- origins ----------------------------------------------------------------------------
def normalize_origin(value: str, *, assume_https: bool = False) -> str | None:
    """``scheme://host[:port]``, lower case, without a default port; None if not an origin.

    ``assume_https`` reads a bare host (``acme.example.com``) as ``https://acme.example.com``,
    for origins typed by an administrator; a browser's ``Origin`` header always has a
    scheme (and is ``null`` for opaque origins, which nothing matches)."""
    raw = value.strip().rstrip("/")
    if not raw or raw.lower() == "null":
        return None
    if "://" not in raw:
        if not assume_https:
            return None
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def origin_binding(channel: Channel, origin_header: str | None) -> str:
    """The origin a new session is bound to; 403 when the channel does not allow it.

    A channel without ``allowed_origins`` accepts any site (and any non-browser caller)."""
    allowed = {
        found
        for entry in (channel.identifiers or {}).get("allowed_origins") or []
        if (found := normalize_origin(str(entry), assume_https=True))
    }
    if not allowed:
        return ANY_ORIGIN
    origin = normalize_origin(origin_header or "")
    if origin is None:
        raise Forbidden(
            "This chat widget only answers the sites its company allowed, and the request "
            "names no site (Origin header).",
            code="origin_not_allowed",
        )
    if origin not in allowed:
        raise Forbidden(
            f"This chat widget is not allowed on {origin}. The company can add the site to "
            "the chat channel's allowed origins.",
            code="origin_not_allowed",
        )
    return origin


def origin_matches(binding: str, origin_header: str | None) -> bool:
    """Whether a request from this ``Origin`` may use a token bound to ``binding``."""
    if binding == ANY_ORIGIN:
        return True
    return normalize_origin(origin_header or "") == binding


# --- visitor tokens -----------------------------------------------------------------------
def _signing_key() -> bytes:
    """A key of its own, derived from the JWT secret: a visitor token can never pass for
    a user's access token, nor the other way round."""
    secret = get_settings().jwt_secret
    if secret is None:
        raise Unavailable("The chat widget is not configured: ATIENDE_JWT_SECRET is missing.")
    return hmac.new(
        secret.get_secret_value().encode(), b"atiende/chat-visitor-token/v1", hashlib.sha256
    ).digest()


def issue_token(visitor: Visitor, at: datetime) -> str:
    import jwt

    payload: dict[str, Any] = {
        "iss": ISSUER,
        "typ": TOKEN_TYPE,
        "sub": visitor.visitor_id,
        "tid": visitor.tenant_id,
        "cid": visitor.channel_id,
        "pk": visitor.public_key,
        "org": visitor.origin,
        "iat": int(at.timestamp()),
        "exp": int(visitor.expires_at.timestamp()),
    }
    if visitor.name:
        payload["name"] = visitor.name
    if visitor.email:
        payload["email"] = visitor.email
    return str(jwt.encode(payload, _signing_key(), algorithm="HS256"))


def read_token(token: str | None, at: datetime) -> Visitor:
    """Verify signature, issuer, type and expiry (against the app's clock)."""
    import jwt

    if not token:
        raise InvalidVisitorToken("this route needs the visitor token of a chat session")
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            _signing_key(),
            algorithms=["HS256"],
            issuer=ISSUER,
            options={
                "verify_exp": False,  # checked below against the app's clock
                "verify_iat": False,
                "require": ["exp", "sub", "tid", "cid", "pk", "org"],
            },
        )
        visitor = Visitor(
            tenant_id=str(payload["tid"]),
            channel_id=str(payload["cid"]),
            public_key=str(payload["pk"]),
            visitor_id=str(payload["sub"]),
            origin=str(payload["org"]),
            name=payload.get("name"),
            email=payload.get("email"),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidVisitorToken("the visitor token is not valid") from exc
    if payload.get("typ") != TOKEN_TYPE:
        raise InvalidVisitorToken("the token is not a chat visitor token")
    if visitor.expires_at <= at:
        raise InvalidVisitorToken("the visitor token has expired", genuine=visitor)
    return visitor


# --- throttles ----------------------------------------------------------------------------
def _hit(scope: str, value: str, limit: int, at: datetime, message: str) -> None:
    """Count one request in the current window; 429 once ``limit`` were counted."""
    epoch = int(at.timestamp())
    start = epoch - epoch % THROTTLE_WINDOW
    counter = ChatThrottle(keys.chat_throttle_pk(scope, value, start), keys.chat_throttle_sk())
    try:
        counter.update(
            actions=[
                ChatThrottle.hits.add(1),
                ChatThrottle.expires_at.set(start + 2 * THROTTLE_WINDOW),
            ],
            condition=ChatThrottle.hits.does_not_exist() | (ChatThrottle.hits < limit),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        raise Throttled(message, retry_after=start + THROTTLE_WINDOW - epoch) from exc


# --- sessions -----------------------------------------------------------------------------
def find_channel(public_key: str) -> Channel:
    channel = find_connected("chat", public_key)
    if channel is None:
        raise NotFound(
            "No connected chat channel has this public key. Copy the widget's snippet again "
            "from the chat channel's settings; the channel may have been disconnected.",
            code="unknown_public_key",
        )
    return channel


def site_name(channel: Channel) -> str:
    """What the widget's header says: the site's name, else the channel's."""
    return str((channel.identifiers or {}).get("site_name") or channel.name)


def throttle_sessions(source_ip: str, at: datetime) -> None:
    _hit("SESSIONS-IP", source_ip, SESSIONS_PER_IP, at,
         "Too many chat sessions were opened from this address. Wait before opening another.")  # fmt: skip


def open_session(
    channel: Channel, origin: str, name: str | None, email: str | None, at: datetime
) -> IssuedVisitor:
    """A new visitor of the channel, bound to ``origin``; nothing is stored."""
    visitor = Visitor(
        tenant_id=channel.tenant_id,
        channel_id=channel.channel_id,
        public_key=channel.account_id,
        visitor_id=new_id(),
        origin=origin,
        name=name,
        email=email,
        expires_at=at + VISITOR_TOKEN_TTL,
    )
    return IssuedVisitor(
        token=issue_token(visitor, at),
        visitor=visitor,
        expires_in=int(VISITOR_TOKEN_TTL.total_seconds()),
    )


# --- messages -----------------------------------------------------------------------------
def provider_message_id(visitor_id: str, client_message_id: str) -> str:
    return f"{visitor_id}:{client_message_id}"


def submit(visitor: Visitor, text: str, client_message_id: str, source_ip: str) -> InboundMessage:
    """Queue what the visitor wrote for the inbound consumer (stored once per client id).

    A channel disconnected since the token was issued takes nothing more (410): the
    consumer would drop the message, and the visitor would believe it was sent."""
    at = now()
    channel = get_or_none(
        Channel, keys.tenant_pk(visitor.tenant_id), keys.channel_sk(visitor.channel_id)
    )
    if channel is None or channel.status != "connected":
        raise Gone(
            "This chat is no longer available: the site disconnected it. "
            "Reach the company another way.",
            code="chat_disconnected",
        )
    _hit("MESSAGES-VISITOR", visitor.visitor_id, MESSAGES_PER_VISITOR, at,
         "You are sending messages too fast. Wait a moment before sending more.")  # fmt: skip
    _hit("MESSAGES-IP", source_ip, MESSAGES_PER_IP, at,
         "Too many chat messages come from this address. Wait a moment before sending more.")  # fmt: skip
    provider_id = provider_message_id(visitor.visitor_id, client_message_id)
    send = ChatSend(*keys.chat_send_key(visitor.channel_id, provider_id))
    send.update(actions=[ChatSend.first_at.set(ChatSend.first_at | at),
                         ChatSend.expires_at.set(int(at.timestamp()) + 7 * 86400)])  # fmt: skip
    message = InboundMessage(
        channel_type="chat",
        account_id=visitor.public_key,
        provider_message_id=provider_id,
        sender_id=visitor.visitor_id,
        sender_name=visitor.name,
        sender_handle=visitor.email,
        text=text,
        sent_at=send.first_at,
    )
    envelope = WebhookEnvelope(
        provider="chat", received_at=at, body=_MESSAGES.dump_json([message]).decode()
    )
    # at most 4,000 characters of text: always far below SQS's 256 KiB, no S3 claim check
    queues.send("inbound", envelope.model_dump_json())
    return message


def client_message_id_of(visitor_id: str, message: Message) -> str | None:
    """The widget's own id of a message it sent (to match its optimistic copy)."""
    prefix = f"{visitor_id}:"
    found = message.provider_message_id or ""
    if message.direction == "in" and found.startswith(prefix):
        return found[len(prefix) :]
    return None


def conversation(visitor: Visitor, after: datetime | None) -> list[Message]:
    """The visitor's messages and the answers, oldest first, sent after ``after``.

    The ticket is the client's open one or, once closed, its latest (the widget keeps
    showing the last conversation, closing words included); none before the first
    message was ingested. 1 GetItem + 1 Query."""
    client_id = client_id_for(visitor.channel_id, visitor.visitor_id)
    client = get_or_none(Client, keys.client_pk(visitor.tenant_id, client_id), keys.client_sk())
    if client is None:
        return []
    number = client.open_ticket
    if number is None and client.tickets:
        number = client.tickets[-1]
    if number is None:
        return []
    after_id = None
    if after is not None:
        if after.tzinfo is None:
            after = after.replace(tzinfo=UTC)
        after_id = compact(after)  # every message id starts with its time
    found = messages_page(visitor.tenant_id, int(number), CONVERSATION_PAGE, after=after_id)
    return [m for m in found if m.direction in ("in", "out") and m.channel_id == visitor.channel_id]
