"""Signup, sessions, invitations and password recovery."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from chalicelib.domain.accounts import people, recovery, sessions, tenants
from chalicelib.domain.accounts.people import UserOut
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

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


class SessionOut(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    user: UserOut


class SignupOut(SessionOut):
    tenant: TenantRef


class LoginIn(RequestModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class RefreshIn(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=400)


class ResetIn(RequestModel):
    email: EmailStr


class AcceptedOut(ResponseModel):
    message: str


class TokenPasswordIn(RequestModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=128)


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
def signup(call: Call) -> SignupOut:
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
    return SignupOut(
        **out.model_dump(),
        tenant=TenantRef(
            id=tenant.tenant_id,
            name=tenant.name,
            plan=tenant.plan,
            locale=tenant.locale,
            timezone=tenant.timezone,
        ),
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
def login(call: Call) -> SessionOut:
    return session_out(sessions.login(str(call.body.email), call.body.password, call.source_ip))


@resource.route(
    "/v1/auth/refresh",
    "POST",
    summary="Trade a refresh token for new tokens (rotation).",
    body=RefreshIn,
    response=SessionOut,
    public=True,
    errors=(401,),
)
def refresh(call: Call) -> SessionOut:
    return session_out(sessions.refresh(call.body.refresh_token))


@resource.route(
    "/v1/auth/logout", "POST", summary="End the current session.", status=204, action="me.read"
)
def logout(call: Call) -> None:
    sessions.logout(call.principal)


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
def password_reset_confirm(call: Call) -> SessionOut:
    user = recovery.confirm_reset(call.body.token, call.body.password)
    return session_out(sessions.start_session(user, call.source_ip))


@resource.route(
    "/v1/auth/invitations/accept",
    "POST",
    summary="Accept an invitation: choose a password and sign in.",
    body=TokenPasswordIn,
    response=SessionOut,
    public=True,
    errors=(409, 410),
)
def accept_invitation(call: Call) -> SessionOut:
    user = people.accept_invitation(call.body.token, call.body.password)
    return session_out(sessions.start_session(user, call.source_ip))
