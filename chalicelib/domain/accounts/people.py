"""Users of a tenant: signup, invitations, edits, deactivation, password changes."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field, field_validator
from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import now
from chalicelib.cursors import page_of
from chalicelib.domain.accounts import passwords, tokens
from chalicelib.domain.accounts.access import ROLES, Role, invalid_permissions
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.billing import limits
from chalicelib.domain.errors import Conflict, Gone, Invalid, NotFound
from chalicelib.ids import new_id
from chalicelib.mail import message as mail
from chalicelib.mail.templates import render
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import (
    EmailClaim,
    OneTimeToken,
    Tenant,
    User,
    epoch_seconds,
    get_or_none,
)
from chalicelib.store.base import LostRace, TransactItem, every_item, failed_conditions, transaction
from chalicelib.store.limits import SEATS, tenant_lost
from chalicelib.store.limits import count_change as counters_change

log = logging.getLogger(__name__)

Locale = Literal["es", "pt", "en"]
#: a user who has not accepted their invitation; the token-expiry job (jobs/tokens.py)
#: turns ``invited`` into ``invitation_expired`` once the invitation is past its 7 days
PENDING = ("invited", "invitation_expired")


class UserOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str
    role: Role
    permissions: list[str]
    departments: list[str]
    active: bool
    status: Literal["invited", "invitation_expired", "active", "deactivated"]
    invitation_expires_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        status: Any = user.status
        if not user.active:
            status = "deactivated"
        elif (
            status == "invited"
            and user.invitation_expires_at
            and user.invitation_expires_at <= now()
        ):
            status = "invitation_expired"
        return cls(
            id=user.user_id,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            role=user.role,
            permissions=list(user.permissions or []),
            departments=list(user.departments or []),
            active=bool(user.active),
            status=status,
            invitation_expires_at=user.invitation_expires_at if user.status in PENDING else None,
            created_at=user.created_at,
        )


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "permissions": list(user.permissions or []),
        "departments": list(user.departments or []),
        "active": bool(user.active),
    }


class PasswordField(BaseModel):
    password: str = Field(min_length=1, max_length=passwords.MAX_LENGTH)


def check_password_policy(password: str, email: str | None) -> None:
    problems = passwords.policy_problems(password, email)
    if problems:
        raise Invalid(
            "The password " + "; ".join(problems) + ".",
            code="validation_error",
            details=[
                {"loc": ["body", "password"], "msg": p, "type": "password_policy"} for p in problems
            ],
        )


def check_permissions(role: str, permissions: list[str]) -> None:
    wrong = invalid_permissions(role, permissions)
    if wrong:
        raise Invalid(
            f"The role {role} cannot carry: {', '.join(wrong)}.",
            code="validation_error",
            details=[
                {
                    "loc": ["body", "permissions"],
                    "msg": f"not allowed for {role}: {p}",
                    "type": "permission",
                }
                for p in wrong
            ],
        )


def email_taken() -> Conflict:
    return Conflict(
        "That email address already belongs to an Atiende user.",
        code="email_taken",
        details=[{"loc": ["body", "email"], "msg": "already in use", "type": "unique"}],
    )


def new_user(
    tenant_id: str,
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    permissions: list[str],
    departments: list[str],
    at: datetime,
    contact_id: str | None = None,
) -> User:
    user_id = new_id()
    return User(
        keys.tenant_pk(tenant_id),
        keys.user_sk(user_id),
        GSI1PK=keys.email_gsi(email),
        tenant_id=tenant_id,
        user_id=user_id,
        first_name=first_name,
        last_name=last_name,
        email=email.strip(),
        role=role,
        permissions=sorted(set(permissions)),
        departments=sorted(set(departments)),
        contact_id=contact_id,
        active=True,
        status="invited",
        created_at=at,
        updated_at=at,
    )


def email_claim(user: User) -> EmailClaim:
    return EmailClaim(
        keys.email_claim_pk(user.email),
        keys.email_claim_sk(),
        tenant_id=user.tenant_id,
        user_id=user.user_id,
    )


def _invitation(user: User, at: datetime) -> tuple[OneTimeToken, str]:
    raw = tokens.new_secret()
    valid_until = at + tokens.INVITATION_TTL
    token = OneTimeToken(
        keys.token_pk(tokens.digest(raw)),
        keys.token_sk(),
        purpose="invitation",
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        valid_until=valid_until,
        expires_at=epoch_seconds(valid_until) + 30 * 86400,
    )
    user.invitation_hash = tokens.digest(raw)
    user.invitation_expires_at = valid_until
    return token, raw


def _deadline(user: User) -> Any:
    """The invitation's deadline in the Due index, for the token-expiry job."""
    from chalicelib.store.deadlines import invitation_deadline

    assert user.invitation_expires_at is not None
    return invitation_deadline(user.tenant_id, user.user_id, user.invitation_expires_at)


def _send_invitation(user: User, tenant: Tenant, inviter: User | None, raw_token: str) -> bool:
    link = f"{get_settings().public_url}/invitations/accept?token={raw_token}"
    inviter_name = f"{inviter.first_name} {inviter.last_name}" if inviter else tenant.name
    email = render(
        "invitation",
        tenant.locale,
        [user.email],
        kind="general",
        tenant_id=tenant.tenant_id,
        inviter=inviter_name,
        company=tenant.name,
        first_name=user.first_name,
        link=link,
    )
    try:
        mail.enqueue(email)
        return True
    except Exception:
        log.exception("invitation email not queued", extra={"user_id": user.user_id})
        return False


def changed_meanwhile() -> Conflict:
    return Conflict(
        "This user was changed or deleted meanwhile; reload and try again.",
        code="changed_meanwhile",
    )


def invite_user(
    principal: Principal,
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    permissions: list[str],
    departments: list[str],
    contact_id: str | None = None,
) -> tuple[User, bool]:
    """Create a user (status invited) and email them a 7-day, single-use invitation."""
    check_permissions(role, permissions)
    from chalicelib.domain.accounts.settings_items import check_departments

    check_departments(principal.tenant_id, departments)
    at = now()
    user = new_user(
        principal.tenant_id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        permissions=permissions,
        departments=departments,
        at=at,
        contact_id=contact_id,
    )
    token, raw = _invitation(user, at)
    # read before the write: the plan's limit and the invitation's email both need it
    tenant = Tenant.get(keys.tenant_pk(principal.tenant_id), keys.tenant_sk())
    staff = limits.takes_seat(role)

    def attempt(counted: TransactItem) -> None:
        try:
            with transaction() as write:
                write.save(email_claim(user), condition=EmailClaim.PK.does_not_exist())
                write.save(user, condition=User.PK.does_not_exist())
                write.save(token, condition=OneTimeToken.PK.does_not_exist())
                write.save(_deadline(user))
                counted(write)
                write.save(
                    history_entry(
                        principal.tenant_id,
                        "user",
                        user.user_id,
                        principal.user_id,
                        "created",
                        at,
                        after=_snapshot(user),
                    )
                )
        except TransactWriteError as exc:
            if (keys.email_claim_pk(user.email), keys.email_claim_sk()) in failed_conditions(
                write, exc
            ):
                raise email_taken() from exc
            if staff and tenant_lost(write, exc, principal.tenant_id):
                raise LostRace(principal.tenant_id) from exc
            raise

    if staff:  # a staff user: within the plan's users, in the same write
        limits.one_more(tenant, "users", {"users": 1, SEATS: 1}, attempt)
    else:
        attempt(counters_change(principal.tenant_id, {"users": 1}, seats_known=False))
    return user, _send_invitation(user, tenant, principal.user, raw)


def find_user(tenant_id: str, user_id: str) -> User | None:
    """The company's user ``user_id``, or None."""
    return get_or_none(User, keys.tenant_pk(tenant_id), keys.user_sk(user_id))


def get_user(tenant_id: str, user_id: str) -> User:
    user = find_user(tenant_id, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def list_users(tenant_id: str, limit: int, cursor: dict[str, Any] | None) -> tuple[list[User], Any]:
    found = User.query(
        keys.tenant_pk(tenant_id),
        User.SK.startswith(keys.users_prefix()),
        limit=limit,
        last_evaluated_key=cursor,
    )
    return list(found), found.last_evaluated_key


def users_page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[User], str | None]:
    """One page of the company's users and the opaque cursor of the next."""
    return page_of(
        lambda last: list_users(tenant_id, limit, last), cursor, keys.tenant_pk(tenant_id)
    )


def email_in_use(email: str) -> bool:
    """Whether an Atiende user (of any company) already has this address."""
    return get_or_none(EmailClaim, keys.email_claim_pk(email), keys.email_claim_sk()) is not None


def staff_ids(tenant_id: str, user_ids: list[str]) -> set[str]:
    """Which of ``user_ids`` are users of the company who work conversations (not portal
    users): one BatchGet under the company's own partition, so another company's user id
    is simply not found."""
    if not user_ids:
        return set()
    users = User.batch_get([(keys.tenant_pk(tenant_id), keys.user_sk(u)) for u in user_ids])
    return {user.user_id for user in users if user.role != "account_contact"}


def _active_admins(tenant_id: str) -> list[User]:
    found = User.query(keys.tenant_pk(tenant_id), User.SK.startswith(keys.users_prefix()))
    return [u for u in found if u.role == "admin" and u.active]


def _guard_last_admin(user: User, *, losing_admin: bool) -> None:
    if losing_admin and user.role == "admin" and user.active:
        others = [u for u in _active_admins(user.tenant_id) if u.user_id != user.user_id]
        if not others:
            raise Conflict(
                "This is the company's last active administrator; make another user admin first.",
                code="last_admin",
            )


def update_user(principal: Principal, user_id: str, changes: dict[str, Any]) -> User:
    """Edit a user. A new role or email ends their live sessions."""
    user = get_user(principal.tenant_id, user_id)
    before = _snapshot(user)
    role = changes.get("role", user.role)
    permissions = changes.get("permissions", list(user.permissions or []))
    if "role" in changes and "permissions" not in changes:
        permissions = [p for p in permissions if p not in invalid_permissions(role, permissions)]
    check_permissions(role, permissions)
    if "departments" in changes:
        from chalicelib.domain.accounts.settings_items import check_departments

        check_departments(principal.tenant_id, changes["departments"])
    _guard_last_admin(user, losing_admin=role != "admin")
    at = now()
    actions: list[Any] = [User.updated_at.set(at)]
    for field in ("first_name", "last_name"):
        if field in changes:
            actions.append(getattr(User, field).set(changes[field]))
            setattr(user, field, changes[field])
    if "departments" in changes:
        user.departments = sorted(set(changes["departments"]))
        actions.append(User.departments.set(user.departments))
    user.permissions = sorted(set(permissions))
    actions.append(User.permissions.set(user.permissions))
    new_email = changes.get("email")
    email_changed = new_email is not None and new_email.strip().lower() != user.email.lower()
    revoke = role != user.role or email_changed
    old_email = user.email
    if email_changed:
        user.email = str(new_email).strip()
        actions += [User.email.set(user.email), User.GSI1PK.set(keys.email_gsi(user.email))]
    if revoke:
        actions.append(User.session_epoch.add(1))
    seat = int(limits.takes_seat(role)) - int(limits.takes_seat(user.role))
    unchanged = User.PK.exists()
    if seat:  # the seat moves as the role read says: only while it is still that role
        unchanged &= User.role == user.role
    user.role = role
    actions.append(User.role.set(role))

    def attempt(counted: TransactItem | None) -> None:
        try:
            with transaction() as write:
                if email_changed:
                    write.delete(EmailClaim(keys.email_claim_pk(old_email), keys.email_claim_sk()))
                    write.save(email_claim(user), condition=EmailClaim.PK.does_not_exist())
                write.update(User(user.PK, user.SK), actions=actions, condition=unchanged)
                if counted is not None:
                    counted(write)
                write.save(
                    history_entry(
                        principal.tenant_id,
                        "user",
                        user.user_id,
                        principal.user_id,
                        "updated",
                        at,
                        before=before,
                        after=_snapshot(user),
                    )
                )
        except TransactWriteError as exc:
            if email_changed and (
                keys.email_claim_pk(user.email),
                keys.email_claim_sk(),
            ) in failed_conditions(write, exc):
                raise email_taken() from exc
            if counted is not None and tenant_lost(write, exc, principal.tenant_id):
                raise LostRace(principal.tenant_id) from exc
            if seat and (user.PK, user.SK) in failed_conditions(write, exc):
                raise changed_meanwhile() from exc
            raise

    if seat > 0:  # a portal user made staff takes a seat, within the plan's users
        tenant = Tenant.get(keys.tenant_pk(principal.tenant_id), keys.tenant_sk())
        limits.one_more(tenant, "users", {SEATS: 1}, attempt)
    elif seat < 0:  # staff made a portal user gives theirs back
        limits.seats_change(principal.tenant_id, {SEATS: -1}, attempt)
    else:
        attempt(None)
    return get_user(principal.tenant_id, user_id)


def set_active(principal: Principal, user_id: str, active: bool) -> User:
    """Deactivate (login refused, live sessions end at once) or reactivate a user."""
    user = get_user(principal.tenant_id, user_id)
    if not active and user.user_id == principal.user_id:
        raise Conflict("You cannot deactivate yourself.", code="self_deactivation")
    if not active:
        _guard_last_admin(user, losing_admin=True)
    if bool(user.active) == active:
        return user
    at = now()
    actions = [User.active.set(active), User.updated_at.set(at), User.session_epoch.add(1)]
    with transaction() as write:
        write.update(User(user.PK, user.SK), actions=actions, condition=User.active == (not active))
        write.save(
            history_entry(
                principal.tenant_id,
                "user",
                user.user_id,
                principal.user_id,
                "reactivated" if active else "deactivated",
                at,
                before={"active": not active},
                after={"active": active},
            )
        )
    return get_user(principal.tenant_id, user_id)


def delete_user(principal: Principal, user_id: str) -> None:
    user = get_user(principal.tenant_id, user_id)
    if user.user_id == principal.user_id:
        raise Conflict("You cannot delete yourself.", code="self_deletion")
    _guard_last_admin(user, losing_admin=True)
    at = now()
    staff = limits.takes_seat(user.role)

    def attempt(counted: TransactItem) -> None:
        try:
            with transaction() as write:
                # the seat given back is the role's as read: only while it is still that role
                write.delete(User(user.PK, user.SK), condition=User.role == user.role)
                write.delete(EmailClaim(keys.email_claim_pk(user.email), keys.email_claim_sk()))
                counted(write)
                write.save(
                    history_entry(
                        principal.tenant_id,
                        "user",
                        user.user_id,
                        principal.user_id,
                        "deleted",
                        at,
                        before=_snapshot(user),
                    )
                )
        except TransactWriteError as exc:
            if staff and tenant_lost(write, exc, principal.tenant_id):
                raise LostRace(principal.tenant_id) from exc
            if (user.PK, user.SK) in failed_conditions(write, exc):
                raise changed_meanwhile() from exc
            raise

    if staff:  # a staff user's seat is free again
        limits.seats_change(principal.tenant_id, {"users": -1, SEATS: -1}, attempt)
    else:
        attempt(counters_change(principal.tenant_id, {"users": -1}, seats_known=False))
    _leave_agent_groups(principal, user.user_id)


def _leave_agent_groups(principal: Principal, user_id: str) -> None:
    """A deleted user leaves every agent group (each change recorded in its history)."""
    from chalicelib.domain.accounts.settings_items import AGENT_GROUPS

    groups = every_item(lambda cursor: AGENT_GROUPS.page(principal.tenant_id, 100, cursor))
    for group in list(groups):
        members = list(group.data.get("members") or [])
        if user_id in members:
            members.remove(user_id)
            AGENT_GROUPS.update(principal, group.item_id, {"members": members})


def resend_invitation(principal: Principal, user_id: str) -> tuple[User, bool]:
    """A new 7-day invitation; the previous link stops working."""
    user = get_user(principal.tenant_id, user_id)
    if user.status not in PENDING:
        raise Conflict("This user already accepted the invitation.", code="already_accepted")
    at = now()
    old_hash = user.invitation_hash
    token, raw = _invitation(user, at)
    with transaction() as write:
        if old_hash:
            write.update(
                OneTimeToken(keys.token_pk(old_hash), keys.token_sk()),
                actions=[OneTimeToken.superseded.set(True)],
                condition=OneTimeToken.PK.exists(),
            )
        write.save(token, condition=OneTimeToken.PK.does_not_exist())
        write.update(
            User(user.PK, user.SK),
            actions=[
                User.invitation_hash.set(user.invitation_hash),
                User.invitation_expires_at.set(user.invitation_expires_at),
                User.status.set("invited"),
                User.updated_at.set(at),
            ],
            condition=User.status.is_in(*PENDING),
        )
        write.save(_deadline(user))
        write.save(
            history_entry(
                principal.tenant_id,
                "user",
                user.user_id,
                principal.user_id,
                "invitation_resent",
                at,
            )
        )
    user.status = "invited"
    tenant = Tenant.get(keys.tenant_pk(principal.tenant_id), keys.tenant_sk())
    return user, _send_invitation(user, tenant, principal.user, raw)


def redeem_token(raw: str, purpose: str) -> OneTimeToken:
    """Find a one-time token: 400 if unknown, 409 if used, 410 if expired or replaced."""
    token = get_or_none(
        OneTimeToken, keys.token_pk(tokens.digest(raw)), keys.token_sk(), consistent=True
    )
    what = "invitation" if purpose == "invitation" else "password reset link"
    if token is None or token.purpose != purpose:
        raise Invalid(
            f"This {what} is not valid. Check that you copied the whole link.", code="invalid_token"
        )
    if token.used_at is not None:
        raise Conflict(f"This {what} was already used.", code="token_used")
    if token.superseded:
        raise Gone(
            f"This {what} was replaced by a newer one: use the link in the latest email.",
            code="token_superseded",
        )
    if token.valid_until <= now():
        if purpose == "invitation":
            raise Gone(
                "This invitation expired. Ask an administrator of your company to resend it "
                "(Users → Resend invitation).",
                code="token_expired",
            )
        raise Gone(
            "This password reset link expired (links last 1 hour). Ask for a new one with "
            "“Forgot password”.",
            code="token_expired",
        )
    return token


def _use_token(write: Any, token: OneTimeToken, at: datetime) -> None:
    write.update(
        token,
        actions=[OneTimeToken.used_at.set(at)],
        condition=OneTimeToken.used_at.does_not_exist(),
    )


def accept_invitation(raw: str, password: str) -> User:
    token = redeem_token(raw, "invitation")
    user = get_user(token.tenant_id, token.user_id)
    check_password_policy(password, user.email)
    at = now()
    try:
        with transaction() as write:
            _use_token(write, token, at)
            write.update(
                User(user.PK, user.SK),
                actions=[
                    User.password_hash.set(passwords.hash_password(password)),
                    User.status.set("active"),
                    User.invitation_hash.remove(),
                    User.updated_at.set(at),
                ],
                condition=(User.status == "invited")
                & (User.invitation_hash == token.PK.split("#", 1)[1]),
            )
            write.save(
                history_entry(
                    user.tenant_id, "user", user.user_id, user.user_id, "invitation_accepted", at
                )
            )
    except TransactWriteError as exc:
        raise Conflict("This invitation was already used.", code="token_used") from exc
    return get_user(token.tenant_id, token.user_id)


def change_password(user: User, new_password: str, at: datetime, write: Any) -> None:
    """Set a new password inside ``write``; every live session of the user ends."""
    check_password_policy(new_password, user.email)
    write.update(
        User(user.PK, user.SK),
        actions=[
            User.password_hash.set(passwords.hash_password(new_password)),
            User.session_epoch.add(1),
            User.updated_at.set(at),
        ],
        condition=User.PK.exists(),
    )
    write.save(
        history_entry(user.tenant_id, "user", user.user_id, user.user_id, "password_changed", at)
    )


def change_own_password(user: User, current_password: str, new_password: str) -> User:
    """A signed-in user's new password, once their current one is given: every session of
    theirs ends (the caller starts a fresh one). Returns the user as it now is."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise Invalid(
            "The current password is not right.",
            code="wrong_password",
            details=[{"loc": ["body", "current_password"], "msg": "not right", "type": "password"}],
        )
    with transaction() as write:
        change_password(user, new_password, now(), write)
    return get_user(user.tenant_id, user.user_id)


def valid_roles() -> tuple[str, ...]:
    return ROLES


class ProfileFields(BaseModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr

    @field_validator("first_name", "last_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
