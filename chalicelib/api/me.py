"""The signed-in user: profile, allowed actions, password."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib.api.auth import SessionOut, TenantRef, session_answer, session_out
from chalicelib.domain.accounts import sessions
from chalicelib.domain.accounts.access import ACTIONS
from chalicelib.domain.accounts.people import UserOut, change_own_password
from chalicelib.domain.accounts.tenants import get_tenant
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "me")


class MeOut(ResponseModel):
    user: UserOut
    tenant: TenantRef
    actions: list[str]


class PasswordChangeIn(RequestModel):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


@resource.route(
    "/v1/me",
    summary="Who I am, my company and what my role lets me do.",
    response=MeOut,
    action="me.read",
)
def get_me(call: Call) -> MeOut:
    tenant = get_tenant(call.principal.tenant_id)
    return MeOut(
        user=UserOut.of(call.principal.user),
        tenant=TenantRef.of(tenant),
        actions=sorted(a for a in ACTIONS if call.principal.can(a)),
    )


@resource.route(
    "/v1/me/password",
    "POST",
    summary="Change my password; every other session ends, this one is renewed.",
    body=PasswordChangeIn,
    response=SessionOut,
    action="me.read",
)
def change_my_password(call: Call) -> Any:
    body: PasswordChangeIn = call.body
    fresh = change_own_password(call.principal.user, body.current_password, body.new_password)
    # a console (X-Atiende-Session: cookie) gets the new refresh token in its cookie, which
    # replaces the ended session's; page script never sees it
    return session_answer(call, session_out(sessions.start_session(fresh, call.source_ip)))
