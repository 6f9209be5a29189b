"""The web chat widget's public API (SPEC §3), called from customers' sites.

No user session: ``POST /chat/v1/sessions`` trades the channel's public key for a
visitor token, which the message routes take as ``Authorization: Bearer``.

CORS is decided per request, not by the app-wide ``CORSConfig``: a preflight is
answered for any site (it carries neither the public key nor the token), and the
real answer names the caller's ``Origin`` in ``Access-Control-Allow-Origin`` only when
the channel allows that site (session) or the token was issued to it (messages).
The visitor token is checked before the body, so a stranger learns nothing from a 400.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Literal

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import EmailStr, Field

from chalicelib.clock import now
from chalicelib.domain import chat
from chalicelib.http.errors import ANSWERED, AppError, Forbidden, Unauthorized
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel, error_response

SESSIONS = "/chat/v1/sessions"
MESSAGES = "/chat/v1/messages"
#: routes that take a visitor token
TOKEN_PATHS = frozenset({MESSAGES})

#: the origin whose pages may read this response (set per request)
_granted: ContextVar[str | None] = ContextVar("chat_granted_origin", default=None)
#: the visitor whose token the request carries (set per request)
_visitor: ContextVar[chat.Visitor | None] = ContextVar("chat_visitor", default=None)


def _header(request: Request, name: str) -> str | None:
    headers: Any = request.headers or {}
    value = headers.get(name)
    return str(value) if value else None


def _bearer(request: Request) -> str | None:
    scheme, _, token = (_header(request, "authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _request_id(request: Request) -> str:
    return str((request.context or {}).get("requestId") or uuid.uuid4())


def _with_cors(response: Response, origin: str | None) -> Response:
    granted = _granted.get()
    headers = {**(response.headers or {}), "Vary": "Origin"}
    if origin and granted is not None and chat.origin_matches(granted, origin):
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = "Retry-After, X-Request-Id"
    response.headers = headers
    return response


class WidgetBlueprint(Blueprint):
    """A blueprint whose routes answer CORS per request and check the visitor token
    first. ``Resource.route`` registers through it unchanged (routing.py is not touched):
    its static ``cors=`` is replaced, and each path gets its own OPTIONS route."""

    answers_cors = True  # read by chalicelib.api.lazy: its routes take no static CORS

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._preflighted: set[str] = set()

    def route(self, path: str, **kwargs: Any) -> Callable[..., Any]:
        # a static CORSConfig would also make API Gateway answer OPTIONS with a mock
        kwargs["cors"] = False
        register = super().route(path, **kwargs)
        if path not in self._preflighted:
            self._preflighted.add(path)
            name = "chat_preflight_" + path.strip("/").replace("/", "_")
            super().route(path, methods=["OPTIONS"], name=name, cors=False, content_types=["*/*"])(
                self._preflight
            )

        def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
            def widget_view(**params: str) -> Response:
                return self._serve(view, path, params)

            widget_view.__name__ = view.__name__
            return register(widget_view)

        return decorate

    def _preflight(self, **_params: str) -> Response:
        """Any site may ask; the real request is answered only for allowed ones."""
        headers: dict[str, Any] = {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }
        origin = _header(self.current_request, "origin")
        if origin:
            headers["Access-Control-Allow-Origin"] = origin
        return Response(body="", status_code=204, headers=headers)

    def _serve(self, view: Callable[..., Response], path: str, params: dict[str, str]) -> Response:
        request = self.current_request
        origin = _header(request, "origin")
        granted, visitor = _granted.set(None), _visitor.set(None)
        try:
            if path in TOKEN_PATHS:
                try:
                    _visitor.set(_authenticate(request, origin))
                except ANSWERED as exc:
                    return _with_cors(error_response(exc, _request_id(request)), origin)
            return _with_cors(view(**params), origin)
        finally:
            _granted.reset(granted)
            _visitor.reset(visitor)


def _authenticate(request: Request, origin: str | None) -> chat.Visitor:
    try:
        visitor = chat.read_token(_bearer(request), now())
    except chat.InvalidVisitorToken as exc:
        if exc.genuine is not None:  # expired, but ours: its site may read the 401
            _granted.set(exc.genuine.origin)
        raise Unauthorized(
            f"The visitor token is not valid: {exc.reason}. Open a new chat session.",
            code="invalid_visitor_token",
        ) from exc
    # a caller that names no site is not a browser: the token alone decides
    if origin is not None and not chat.origin_matches(visitor.origin, origin):
        raise Forbidden("This visitor token was issued to another site.", code="origin_not_allowed")
    _granted.set(visitor.origin)
    return visitor


def current_visitor() -> chat.Visitor:
    visitor = _visitor.get()
    if visitor is None:  # a token route not listed in TOKEN_PATHS
        raise AppError("The chat route was called without its visitor check.")
    return visitor


resource = Resource(__name__, "chat")
resource.blueprint = WidgetBlueprint(__name__)


class ChatSessionIn(RequestModel):
    public_key: str = Field(min_length=1, max_length=100)
    name: str | None = Field(None, min_length=1, max_length=100)
    email: EmailStr | None = None


class ChatSessionOut(ResponseModel):
    visitor_token: str
    visitor_id: str
    expires_in: int
    #: the site's name as the company typed it (the widget's header)
    site_name: str | None = None


class ChatMessageIn(RequestModel):
    text: str = Field(min_length=1, max_length=4000)
    #: chosen by the widget (e.g. a UUID) so that a retried send is stored once
    client_message_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class ChatAccepted(ResponseModel):
    accepted: bool = True


class ChatConversationQuery(RequestModel):
    after: datetime | None = None


class ChatMessageOut(ResponseModel):
    id: str
    direction: Literal["in", "out"]
    text: str
    sent_at: datetime
    status: str | None = None  # outbound: queued | sent | delivered | read | failed
    client_message_id: str | None = None  # inbound: the widget's own id


@resource.route(
    SESSIONS,
    "POST",
    summary="Chat widget: open a visitor session with the channel's public key.",
    body=ChatSessionIn,
    response=ChatSessionOut,
    status=201,
    public=True,
    errors=(403, 404, 429),
)
def open_session(call: Call) -> ChatSessionOut:
    at = now()
    channel = chat.find_channel(call.body.public_key)
    binding = chat.origin_binding(channel, call.headers.get("origin"))
    _granted.set(binding)  # from here on, the site may read the answer (even a 429)
    chat.throttle_sessions(call.source_ip, at)
    issued = chat.open_session(channel, binding, call.body.name, call.body.email, at)
    return ChatSessionOut(
        visitor_token=issued.token,
        visitor_id=issued.visitor.visitor_id,
        expires_in=issued.expires_in,
        site_name=chat.site_name(channel),
    )


@resource.route(
    MESSAGES,
    "POST",
    summary="Chat widget: send the visitor's message (Authorization: Bearer <visitor token>).",
    body=ChatMessageIn,
    response=ChatAccepted,
    status=202,
    public=True,
    errors=(401, 403, 410, 429),
)
def send_message(call: Call) -> ChatAccepted:
    chat.submit(current_visitor(), call.body.text, call.body.client_message_id, call.source_ip)
    return ChatAccepted()


@resource.route(
    MESSAGES,
    summary="Chat widget: the visitor's conversation, oldest first, after a time.",
    query=ChatConversationQuery,
    response=list[ChatMessageOut],
    public=True,
    errors=(401, 403),
)
def read_messages(call: Call) -> list[ChatMessageOut]:
    visitor = current_visitor()
    return [
        ChatMessageOut(
            id=m.message_id,
            direction=m.direction,
            text=m.text,
            sent_at=m.sent_at,
            status=m.status if m.direction == "out" else None,
            client_message_id=chat.client_message_id_of(visitor.visitor_id, m),
        )
        for m in chat.conversation(visitor, call.query.after)
    ]
