"""Token expiry (SPEC §5): invitations past their 7 days are marked expired by a scheduled
job that reads only the due deadlines; every one-time token carries its TTL."""

from __future__ import annotations

from datetime import timedelta

import app
from chalicelib.domain.accounts import tokens as token_rules
from chalicelib.jobs import tokens
from chalicelib.jobs.scheduled import SCHEDULED_JOBS
from chalicelib.store import keys
from chalicelib.store.accounts import OneTimeToken, User, epoch_seconds
from chalicelib.store.deadlines import InvitationDeadline
from devstack.scheduler import scheduled_handlers
from tests.support.world import PASSWORD


def login(world, email="ana@acme.example.com"):
    signed = world.call("POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
    assert signed.status_code == 200, signed.json
    return signed.json["access_token"]


def stored_user(tenant_id, user_id):
    return User.get(keys.tenant_pk(tenant_id), keys.user_sk(user_id), consistent_read=True)


def test_an_expired_invitation_is_marked_and_can_be_resent(world, frozen_clock):
    admin = world.signup()["access_token"]
    tenant = world.call("GET", "/v1/me", admin).json["tenant"]["id"]
    invited = world.invite(admin, "pat@acme.example.com", "agent")
    world.token_in_mail("pat@acme.example.com")

    frozen_clock.advance(token_rules.INVITATION_TTL - timedelta(seconds=1))
    assert tokens.expire_invitations() == {}
    frozen_clock.advance(timedelta(seconds=2))
    assert tokens.expire_invitations() == {"expired": 1}
    assert tokens.expire_invitations() == {}  # marked once
    assert stored_user(tenant, invited["id"]).status == "invitation_expired"

    admin = login(world)
    listed = world.call("GET", "/v1/users", admin).json["items"]
    [pat] = [u for u in listed if u["id"] == invited["id"]]
    assert pat["status"] == "invitation_expired" and pat["invitation_expires_at"]
    history = world.call("GET", f"/v1/users/{invited['id']}/history", admin).json["items"]
    assert history[0]["action"] == "invitation_expired" and history[0]["actor_id"] is None

    resent = world.call("POST", f"/v1/users/{invited['id']}/resend-invitation", admin)
    assert resent.status_code == 200, resent.json
    assert resent.json["user"]["status"] == "invited"
    token = world.token_in_mail("pat@acme.example.com")
    accepted = world.call("POST", "/v1/auth/invitations/accept",
                          body={"token": token, "password": PASSWORD})  # fmt: skip
    assert accepted.status_code == 200, accepted.json
    # the new invitation's deadline comes and finds it accepted: it just goes away
    frozen_clock.advance(token_rules.INVITATION_TTL + timedelta(minutes=1))
    assert tokens.expire_invitations() == {"stale": 1}
    assert stored_user(tenant, invited["id"]).status == "active"
    assert list(InvitationDeadline.query(keys.tenant_pk(tenant))) == []


def test_a_resend_before_expiry_moves_the_deadline(world, frozen_clock):
    admin = world.signup()["access_token"]
    tenant = world.call("GET", "/v1/me", admin).json["tenant"]["id"]
    invited = world.invite(admin, "pat@acme.example.com", "agent")
    frozen_clock.advance(timedelta(days=6))
    admin = login(world)
    assert (
        world.call("POST", f"/v1/users/{invited['id']}/resend-invitation", admin).status_code == 200
    )
    frozen_clock.advance(timedelta(days=2))
    assert tokens.expire_invitations() == {}  # the first week is over, not the new one
    assert stored_user(tenant, invited["id"]).status == "invited"
    frozen_clock.advance(timedelta(days=5, seconds=1))
    assert tokens.expire_invitations() == {"expired": 1}


def test_one_time_tokens_carry_their_ttl(world, frozen_clock):
    admin = world.signup()["access_token"]
    world.invite(admin, "pat@acme.example.com", "agent")
    invitation = OneTimeToken.get(keys.token_pk(token_rules.digest(
        world.token_in_mail("pat@acme.example.com"))), keys.token_sk())  # fmt: skip
    assert invitation.expires_at >= epoch_seconds(invitation.valid_until)
    world.new_mail()
    assert world.call("POST", "/v1/auth/password-reset",
                      body={"email": "ana@acme.example.com"}).status_code == 202  # fmt: skip
    reset = OneTimeToken.get(keys.token_pk(token_rules.digest(
        world.token_in_mail("ana@acme.example.com"))), keys.token_sk())  # fmt: skip
    assert reset.purpose == "password_reset"
    assert reset.valid_until == frozen_clock.now() + token_rules.PASSWORD_RESET_TTL
    assert reset.expires_at >= epoch_seconds(reset.valid_until)


def test_dynamodb_ttl_removes_the_dead_items(world, frozen_clock):
    """The table's TTL attribute is the one the items carry: one-time tokens, invitation
    deadlines (a deadline nobody settled) and read notifications set ``expires_at``."""
    import boto3

    from chalicelib.settings import get_settings

    settings = get_settings()
    described = boto3.client("dynamodb", region_name=settings.region).describe_time_to_live(
        TableName=settings.table
    )["TimeToLiveDescription"]
    assert described["AttributeName"] == "expires_at"
    assert described["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    assert (
        OneTimeToken.expires_at.attr_name == InvitationDeadline.expires_at.attr_name == "expires_at"
    )

    admin = world.signup()["access_token"]
    tenant = world.call("GET", "/v1/me", admin).json["tenant"]["id"]
    world.invite(admin, "pat@acme.example.com", "agent")
    [deadline] = InvitationDeadline.query(keys.tenant_pk(tenant))
    assert deadline.due_at == frozen_clock.now() + token_rules.INVITATION_TTL
    assert deadline.expires_at > epoch_seconds(deadline.due_at)


def test_the_token_job_is_scheduled_and_watched():
    assert "token_expiry" in SCHEDULED_JOBS and "sla_sweep" in SCHEDULED_JOBS
    names = {source.name for source, _ in scheduled_handlers(app)}
    assert {"token_expiry", "sla_sweep"} <= names
