"""The tenant's users (admins, supervisors, agents, ...)."""

from __future__ import annotations

from pydantic import EmailStr, Field

from chalicelib.api.settings_crud import HistoryPage, history_page
from chalicelib.domain.accounts import people
from chalicelib.domain.accounts.access import Role
from chalicelib.domain.accounts.people import UserOut
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "users")


class UserIn(RequestModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    role: Role
    permissions: list[str] = Field(default_factory=list, max_length=20)
    departments: list[str] = Field(default_factory=list, max_length=50)


class UserPatch(RequestModel):
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    email: EmailStr | None = None
    role: Role | None = None
    permissions: list[str] | None = Field(None, max_length=20)
    departments: list[str] | None = Field(None, max_length=50)


class CreatedUserOut(ResponseModel):
    user: UserOut
    invitation_sent: bool


class UserPage(ResponseModel):
    items: list[UserOut]
    next_cursor: str | None


@resource.route(
    "/v1/users",
    summary="List the company's users.",
    query=PageQuery,
    response=UserPage,
    action="users.read",
)
def list_users(call: Call) -> UserPage:
    users, next_cursor = people.users_page(
        call.principal.tenant_id, call.query.limit, call.query.cursor
    )
    return UserPage(items=[UserOut.of(u) for u in users], next_cursor=next_cursor)


@resource.route(
    "/v1/users",
    "POST",
    summary="Create a user and email them an invitation.",
    body=UserIn,
    response=CreatedUserOut,
    status=201,
    action="users.manage",
    errors=(402, 409),
)
def create_user(call: Call) -> CreatedUserOut:
    body: UserIn = call.body
    user, sent = people.invite_user(
        call.principal,
        first_name=body.first_name,
        last_name=body.last_name,
        email=str(body.email),
        role=body.role,
        permissions=body.permissions,
        departments=body.departments,
    )
    return CreatedUserOut(user=UserOut.of(user), invitation_sent=sent)


@resource.route("/v1/users/{user_id}", summary="One user.", response=UserOut, action="users.read")
def get_user(call: Call, user_id: str) -> UserOut:
    return UserOut.of(people.get_user(call.principal.tenant_id, user_id))


@resource.route(
    "/v1/users/{user_id}",
    "PATCH",
    summary="Edit a user; a new role or email ends their sessions.",
    body=UserPatch,
    response=UserOut,
    action="users.manage",
    errors=(402, 409),
)
def patch_user(call: Call, user_id: str) -> UserOut:
    changes = call.body.model_dump(exclude_unset=True, exclude_none=True)
    if "email" in changes:
        changes["email"] = str(changes["email"])
    return UserOut.of(people.update_user(call.principal, user_id, changes))


@resource.route(
    "/v1/users/{user_id}",
    "DELETE",
    summary="Delete a user.",
    status=204,
    action="users.manage",
    errors=(409,),
)
def delete_user(call: Call, user_id: str) -> None:
    people.delete_user(call.principal, user_id)


@resource.route(
    "/v1/users/{user_id}/deactivate",
    "POST",
    summary="Deactivate a user: sign-in refused, live sessions end.",
    response=UserOut,
    action="users.manage",
    errors=(409,),
)
def deactivate_user(call: Call, user_id: str) -> UserOut:
    return UserOut.of(people.set_active(call.principal, user_id, False))


@resource.route(
    "/v1/users/{user_id}/reactivate",
    "POST",
    summary="Reactivate a user.",
    response=UserOut,
    action="users.manage",
)
def reactivate_user(call: Call, user_id: str) -> UserOut:
    return UserOut.of(people.set_active(call.principal, user_id, True))


@resource.route(
    "/v1/users/{user_id}/resend-invitation",
    "POST",
    summary="Send a new 7-day invitation; the previous link stops working.",
    response=CreatedUserOut,
    action="users.manage",
    errors=(409,),
)
def resend_invitation(call: Call, user_id: str) -> CreatedUserOut:
    user, sent = people.resend_invitation(call.principal, user_id)
    return CreatedUserOut(user=UserOut.of(user), invitation_sent=sent)


@resource.route(
    "/v1/users/{user_id}/history",
    summary="Who changed this user, and how.",
    query=PageQuery,
    response=HistoryPage,
    action="history.read",
)
def user_history(call: Call, user_id: str) -> HistoryPage:
    people.get_user(call.principal.tenant_id, user_id)
    return history_page(call, "user", user_id)
