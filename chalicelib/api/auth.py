"""Signup, sessions, invitations and password recovery.

A browser console asks for its session in a cookie (header ``X-Atiende-Session: cookie``):
the refresh token then travels only in an HttpOnly, Secure, SameSite=Strict cookie scoped
to ``/v1/auth`` and the JSON's ``refresh_token`` is empty, so page script never sees it.
API clients keep the JSON flow (docs/decisions.md, "The console's session").
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from chalice import Response
from pydantic import BaseModel, EmailStr, Field

from chalicelib.domain.accounts import people, recovery, sessions, tenants
from chalicelib.domain.accounts.people import UserOut
from chalicelib.domain.accounts.tokens import REFRESH_TOKEN_TTL
from chalicelib.http.errors import Forbidden, Unauthorized
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel, json_response
from chalicelib.settings import get_settings

resource = Resource(__name__, "auth")


class SignupIn(RequestModel):
    company_name: str = Field(min_length=1, max_length=200)
    locale: Literal["es", "pt", "en"] = "es"
    timezone: str = Field("America/Santiago", min_length=1, max_length=64)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class TenantRef(BaseModel):
    id: str
    name: str
    plan: str
    locale: str
    timezone: str

    @classmethod
    def of(cls, tenant: Any) -> TenantRef:
        return cls(id=tenant.tenant_id, name=tenant.name, plan=tenant.plan,
                   locale=tenant.locale, timezone=tenant.timezone)  # fmt: skip


class SessionOut(ResponseModel):
    access_token: str
    refresh_token: str = Field(
        description="The rotating refresh token; empty when the request asked for the "
        "session cookie (X-Atiende-Session: cookie), which then carries it."
    )
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    user: UserOut


class SignupOut(SessionOut):
    tenant: TenantRef


class LoginIn(RequestModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class RefreshIn(RequestModel):
    refresh_token: str | None = Field(
        None,
        min_length=1,
        max_length=400,
        description="Absent: the session cookie's token (with X-Atiende-Session: cookie).",
    )


class ResetIn(RequestModel):
    email: EmailStr


class AcceptedOut(ResponseModel):
    message: str


class TokenPasswordIn(RequestModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=128)


#: The console's refresh-token cookie (SPEC §11): only the auth routes ever receive it.
REFRESH_COOKIE = "atiende_refresh"
COOKIE_PATH = "/v1/auth"
#: The header a browser console sends to get (and use) the cookie. A cross-site form cannot
#: set it, and a cross-site script cannot send it without a CORS preflight we never allow.
SESSION_HEADER = "x-atiende-session"


def _cookie(value: str, max_age: int) -> str:
    return (
        f"{REFRESH_COOKIE}={value}; Max-Age={max_age}; Path={COOKIE_PATH}; "
        "HttpOnly; Secure; SameSite=Strict"
    )


CLEARED_COOKIE = _cookie("", 0)


def wants_cookie(call: Call) -> bool:
    """Whether the caller is a browser console asking for its session in the cookie."""
    return call.headers.get(SESSION_HEADER, "").strip().lower() == "cookie"


def _same_site_origin(call: Call) -> bool:
    """A browser's Origin, when it sends one, is the console's own: the public URL, the
    allowed CORS origin, or the host the request was sent to."""
    origin = call.headers.get("origin")
    if origin is None:
        return True
    settings = get_settings()
    own = {_origin_of(settings.public_url), _origin_of(settings.cors_allow_origin or "")}
    host = call.headers.get("host", "")
    own |= {f"http://{host}", f"https://{host}"} if host else set()
    return origin.rstrip("/") in own - {""}


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def cookie_token(call: Call) -> str:
    """The refresh token of the session cookie, for a same-site console only."""
    if not wants_cookie(call):
        raise Unauthorized(
            "No refresh token: send it in the body (or, from the console, the session cookie "
            "with X-Atiende-Session: cookie).",
            code="invalid_token",
        )
    if not _same_site_origin(call):
        raise Forbidden(
            "A session cookie is only accepted from the console's own origin.",
            code="cross_site",
            headers={"Set-Cookie": CLEARED_COOKIE},
        )
    for part in call.headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == REFRESH_COOKIE and value:
            return value
    raise Unauthorized("The session has ended. Sign in again.", code="invalid_token")


def session_answer(call: Call, out: SessionOut, status: int = 200) -> Any:
    """The session as the caller asked for it: JSON only, or the refresh token in the
    cookie and not in the JSON."""
    if not wants_cookie(call):
        return out
    token = out.refresh_token
    out.refresh_token = ""
    max_age = int(REFRESH_TOKEN_TTL.total_seconds())
    return json_response(
        out.model_dump(mode="json"), status, {"Set-Cookie": _cookie(token, max_age)}
    )


def session_out(issued: sessions.IssuedSession) -> SessionOut:
    return SessionOut(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
        user=UserOut.of(issued.user),
    )


def _validate_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from chalicelib.http.errors import BadRequest

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(
            f"Unknown timezone “{name}”; use an IANA name such as America/Santiago.",
            code="validation_error",
            details=[{"loc": ["body", "timezone"], "msg": "unknown timezone", "type": "timezone"}],
        ) from exc


@resource.route(
    "/v1/signup",
    "POST",
    summary="Create a company on the Free plan and its first admin.",
    body=SignupIn,
    response=SignupOut,
    status=201,
    public=True,
    errors=(409,),
)
def signup(call: Call) -> Any:
    body: SignupIn = call.body
    _validate_timezone(body.timezone)
    tenant, admin = tenants.signup(
        company_name=body.company_name,
        locale=body.locale,
        timezone=body.timezone,
        first_name=body.first_name,
        last_name=body.last_name,
        email=str(body.email),
        password=body.password,
    )
    issued = sessions.start_session(admin, call.source_ip)
    out = session_out(issued)
    return session_answer(
        call,
        SignupOut(
            **out.model_dump(),
            tenant=TenantRef.of(tenant),
        ),
        201,
    )


@resource.route(
    "/v1/auth/login",
    "POST",
    summary="Sign in with email and password.",
    body=LoginIn,
    response=SessionOut,
    public=True,
    errors=(401, 403, 429),
)
def login(call: Call) -> Any:
    issued = sessions.login(str(call.body.email), call.body.password, call.source_ip)
    return session_answer(call, session_out(issued))


@resource.route(
    "/v1/auth/refresh",
    "POST",
    summary="Trade a refresh token (the body's, or the console's cookie) for new tokens "
    "(rotation).",
    body=RefreshIn,
    response=SessionOut,
    public=True,
    errors=(401, 403),
)
def refresh(call: Call) -> Any:
    if call.body.refresh_token is not None:
        return session_out(sessions.refresh(call.body.refresh_token))
    # a refused cookie (ended, rotated, expired) stays in the browser, useless: the next
    # login replaces it, a logout clears it
    return session_answer(call, session_out(sessions.refresh(cookie_token(call))))


@resource.route(
    "/v1/auth/logout",
    "POST",
    summary="End the current session (and clear the console's session cookie).",
    status=204,
    action="me.read",
)
def logout(call: Call) -> Response:
    sessions.logout(call.principal)
    return Response(body="", status_code=204, headers={"Set-Cookie": CLEARED_COOKIE})


@resource.route(
    "/v1/auth/password-reset",
    "POST",
    summary="Email a password reset link (always 202: no account enumeration).",
    body=ResetIn,
    response=AcceptedOut,
    status=202,
    public=True,
)
def password_reset(call: Call) -> AcceptedOut:
    recovery.request_reset(str(call.body.email))
    return AcceptedOut(
        message="If that address belongs to an Atiende user, a reset link is on its way."
    )


@resource.route(
    "/v1/auth/password-reset/confirm",
    "POST",
    summary="Choose a new password with the emailed token; ends every session.",
    body=TokenPasswordIn,
    response=SessionOut,
    public=True,
    errors=(409, 410),
)
def password_reset_confirm(call: Call) -> Any:
    user = recovery.confirm_reset(call.body.token, call.body.password)
    return session_answer(call, session_out(sessions.start_session(user, call.source_ip)))


@resource.route(
    "/v1/auth/invitations/accept",
    "POST",
    summary="Accept an invitation: choose a password and sign in.",
    body=TokenPasswordIn,
    response=SessionOut,
    public=True,
    errors=(409, 410),
)
def accept_invitation(call: Call) -> Any:
    user = people.accept_invitation(call.body.token, call.body.password)
    return session_answer(call, session_out(sessions.start_session(user, call.source_ip)))
