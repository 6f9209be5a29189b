"""Password recovery ("Recordar contraseña").

The route only queues the request, so it answers 202 in the same time whether or
not the address belongs to anyone; the mail worker looks the user up, creates the
1-hour single-use token and sends the email.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel
from pynamodb.exceptions import TransactWriteError

from chalicelib import queues
from chalicelib.clock import now
from chalicelib.domain.accounts import tokens
from chalicelib.domain.accounts.people import change_password, get_user, redeem_token
from chalicelib.domain.accounts.recipients import may_receive
from chalicelib.domain.accounts.sessions import find_user_by_email
from chalicelib.domain.errors import Conflict
from chalicelib.mail import message as mail
from chalicelib.mail.templates import render
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import OneTimeToken, Tenant, User, epoch_seconds
from chalicelib.store.base import transaction

log = logging.getLogger(__name__)


class PasswordResetRequest(BaseModel):
    """A queued "forgot password" request (the mail queue carries it)."""

    type: Literal["password_reset_request"] = "password_reset_request"
    email: str


def request_reset(email: str) -> None:
    queues.send("mail", PasswordResetRequest(email=email.strip()).model_dump_json())


def process_reset_request(request: PasswordResetRequest) -> bool:
    """Create the token and send the email, if the address is an active user's."""
    user = find_user_by_email(request.email)
    if user is None or not user.active or user.status != "active":
        log.info("password reset for an unknown or inactive address ignored")
        return False
    tenant = Tenant.get(keys.tenant_pk(user.tenant_id), keys.tenant_sk())
    if not may_receive(user, "general"):
        log.info(
            "password reset not sent: the contact opted out of general emails",
            extra={"user_id": user.user_id},
        )
        return False
    at = now()
    raw = tokens.new_secret()
    valid_until = at + tokens.PASSWORD_RESET_TTL
    OneTimeToken(
        keys.token_pk(tokens.digest(raw)),
        keys.token_sk(),
        purpose="password_reset",
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        valid_until=valid_until,
        expires_at=epoch_seconds(valid_until) + 86400,
    ).save(condition=OneTimeToken.PK.does_not_exist())
    link = f"{get_settings().public_url}/password-reset?token={raw}"
    mail.deliver(
        render(
            "password_reset",
            tenant.locale,
            [user.email],
            kind="general",
            tenant_id=user.tenant_id,
            first_name=user.first_name,
            link=link,
        )
    )
    return True


def confirm_reset(raw: str, new_password: str) -> User:
    token = redeem_token(raw, "password_reset")
    user = get_user(token.tenant_id, token.user_id)
    at = now()
    try:
        with transaction() as write:
            write.update(
                token,
                actions=[OneTimeToken.used_at.set(at)],
                condition=OneTimeToken.used_at.does_not_exist(),
            )
            change_password(user, new_password, at, write)
    except TransactWriteError as exc:
        raise Conflict("This password reset link was already used.", code="token_used") from exc
    return get_user(token.tenant_id, token.user_id)
