"""Users, roles and the invitation flow (SPEC §2, seeds 000-002)."""

from datetime import timedelta

from tests.support.plans import on_plan
from tests.support.world import PASSWORD


def admin_of(world, email="ana@acme.example.com", company="Acme"):
    return world.signup(company=company, email=email)["access_token"]


def test_an_invited_agent_accepts_logs_in_and_is_refused_admin_routes(world):
    admin = admin_of(world)
    world.new_mail()  # the welcome email
    invited = world.invite(
        admin, "pat@acme.example.com", "agent", permissions=["conversation_dispenser"]
    )
    assert invited["status"] == "invited"
    [invitation] = world.new_mail()
    assert invitation["To"] == "pat@acme.example.com"
    assert invitation["Subject"] == "Ana Admin te invitó a Acme en Atiende"
    assert invitation.get_body(("html",)) is not None
    text = invitation.get_body(("plain",)).get_content()
    token = text.split("token=")[1].split()[0]
    accepted = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200
    agent = world.call(
        "POST", "/v1/auth/login", body={"email": "pat@acme.example.com", "password": PASSWORD}
    ).json["access_token"]
    assert world.call("GET", "/v1/me", agent).json["user"]["permissions"] == [
        "conversation_dispenser"
    ]
    for method, path in [
        ("GET", "/v1/users"),
        ("POST", "/v1/users"),
        ("GET", "/v1/establishment"),
        ("PATCH", "/v1/establishment"),
        ("POST", "/v1/departments"),
    ]:
        refused = world.call(method, path, agent, {} if method != "GET" else None)
        assert refused.status_code == 403, (method, path)
        assert refused.json["error"]["code"] == "forbidden"


def test_an_invitation_works_once(world):
    admin = admin_of(world)
    world.invite(admin, "pat@acme.example.com", "agent")
    token = world.token_in_mail("pat@acme.example.com")
    first = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
    )
    assert first.status_code == 200
    again = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "token_used"


def test_an_invitation_expires_after_seven_days_and_can_be_resent(world, frozen_clock):
    admin = admin_of(world)
    user = world.invite(admin, "pat@acme.example.com", "agent")
    old_token = world.token_in_mail("pat@acme.example.com")
    frozen_clock.advance(timedelta(days=7, seconds=1))
    # admin session renewed after the week
    admin = world.call(
        "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
    ).json["access_token"]
    expired = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": old_token, "password": PASSWORD}
    )
    assert expired.status_code == 410
    assert "Resend invitation" in expired.json["error"]["message"]
    listed = world.call("GET", f"/v1/users/{user['id']}", admin).json
    assert listed["status"] == "invitation_expired"
    resent = world.call("POST", f"/v1/users/{user['id']}/resend-invitation", admin)
    assert resent.status_code == 200 and resent.json["invitation_sent"]
    new_token = world.token_in_mail("pat@acme.example.com")
    assert (
        world.call(
            "POST", "/v1/auth/invitations/accept", body={"token": old_token, "password": PASSWORD}
        ).status_code
        == 410
    )
    assert (
        world.call(
            "POST", "/v1/auth/invitations/accept", body={"token": new_token, "password": PASSWORD}
        ).status_code
        == 200
    )
    assert world.call("POST", f"/v1/users/{user['id']}/resend-invitation", admin).status_code == 409


def test_a_forged_invitation_token_is_a_400(world):
    admin_of(world)
    forged = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": "made-up-token", "password": PASSWORD}
    )
    assert forged.status_code == 400 and forged.json["error"]["code"] == "invalid_token"


def test_the_invitation_speaks_the_tenant_language(world):
    admin = world.signup(company="Loja", email="zeca@loja.example.com", locale="en")["access_token"]
    world.new_mail()
    world.invite(admin, "pat@loja.example.com", "agent")
    [invitation] = world.new_mail()
    assert invitation["Subject"] == "Ana Admin invited you to Loja on Atiende"


def test_user_emails_are_unique_across_tenants(world):
    admin_a = admin_of(world, "ana@a.example.com", "A")
    admin_b = admin_of(world, "bea@b.example.com", "B")
    world.invite(admin_a, "pat@example.com", "agent")
    clash = world.call(
        "POST",
        "/v1/users",
        admin_b,
        {"first_name": "P", "last_name": "Q", "email": "PAT@example.com", "role": "agent"},
    )
    assert clash.status_code == 409 and clash.json["error"]["code"] == "email_taken"


def test_a_permission_the_role_cannot_carry_is_refused(world):
    admin = admin_of(world)
    response = world.call(
        "POST",
        "/v1/users",
        admin,
        {
            "first_name": "P",
            "last_name": "Q",
            "email": "pat@acme.example.com",
            "role": "analyst",
            "permissions": ["conversation_dispenser"],
        },
    )
    assert response.status_code == 400
    assert "analyst cannot carry: conversation_dispenser" in response.json["error"]["message"]
    unknown_role = world.call(
        "POST",
        "/v1/users",
        admin,
        {"first_name": "P", "last_name": "Q", "email": "pat@acme.example.com", "role": "boss"},
    )
    assert unknown_role.status_code == 400
    unknown_department = world.call(
        "POST",
        "/v1/users",
        admin,
        {
            "first_name": "P",
            "last_name": "Q",
            "email": "pat@acme.example.com",
            "role": "agent",
            "departments": ["nope"],
        },
    )
    assert unknown_department.status_code == 400
    assert world.call("GET", "/v1/users", admin).json["items"][0]["email"] == "ana@acme.example.com"
    assert len(world.call("GET", "/v1/users", admin).json["items"]) == 1  # nothing half-written


def test_deactivating_a_user_refuses_login_and_ends_live_sessions(world):
    admin = admin_of(world)
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    user_id = world.call("GET", "/v1/me", agent).json["user"]["id"]
    deactivated = world.call("POST", f"/v1/users/{user_id}/deactivate", admin)
    assert deactivated.status_code == 200 and deactivated.json["status"] == "deactivated"
    assert world.call("GET", "/v1/me", agent).status_code == 401
    login = world.call(
        "POST", "/v1/auth/login", body={"email": "pat@acme.example.com", "password": PASSWORD}
    )
    assert login.status_code == 403 and login.json["error"]["code"] == "user_deactivated"
    assert world.call("POST", f"/v1/users/{user_id}/reactivate", admin).json["status"] == "active"
    assert (
        world.call(
            "POST", "/v1/auth/login", body={"email": "pat@acme.example.com", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_changing_a_role_ends_the_users_sessions(world):
    admin = admin_of(world)
    agent = world.user_with_role(
        admin, "pat@acme.example.com", "agent", permissions=["transfer_conversations"]
    )
    user_id = world.call("GET", "/v1/me", agent).json["user"]["id"]
    patched = world.call("PATCH", f"/v1/users/{user_id}", admin, {"role": "supervisor"})
    assert patched.status_code == 200
    assert patched.json["role"] == "supervisor"
    assert patched.json["permissions"] == []  # agent-only permissions dropped with the role
    assert world.call("GET", "/v1/me", agent).status_code == 401
    renamed = world.call("PATCH", f"/v1/users/{user_id}", admin, {"first_name": "Patricia"})
    assert renamed.json["first_name"] == "Patricia"


def test_the_last_admin_cannot_be_removed_or_demoted(world):
    admin = admin_of(world)
    me = world.call("GET", "/v1/me", admin).json["user"]["id"]
    assert world.call("POST", f"/v1/users/{me}/deactivate", admin).status_code == 409
    assert world.call("DELETE", f"/v1/users/{me}", admin).status_code == 409
    demoted = world.call("PATCH", f"/v1/users/{me}", admin, {"role": "agent"})
    assert demoted.status_code == 409 and demoted.json["error"]["code"] == "last_admin"


def test_deleting_a_user_frees_the_email_and_records_history(world):
    admin = admin_of(world)
    user = world.invite(admin, "pat@acme.example.com", "agent")
    assert world.call("DELETE", f"/v1/users/{user['id']}", admin).status_code == 204
    assert world.call("GET", f"/v1/users/{user['id']}", admin).status_code == 404
    again = world.invite(admin, "pat@acme.example.com", "analyst")
    history = world.call("GET", f"/v1/users/{again['id']}/history", admin).json["items"]
    assert [h["action"] for h in history] == ["created"]
    assert history[0]["actor_id"] == world.call("GET", "/v1/me", admin).json["user"]["id"]


def test_user_edits_are_in_the_history_with_before_and_after(world):
    admin = admin_of(world)
    user = world.invite(admin, "pat@acme.example.com", "agent")
    world.call("PATCH", f"/v1/users/{user['id']}", admin, {"last_name": "Pérez", "role": "analyst"})
    latest = world.call("GET", f"/v1/users/{user['id']}/history", admin).json["items"][0]
    assert latest["action"] == "updated"
    assert latest["before"] == {"last_name": "Agent", "role": "agent"}
    assert latest["after"] == {"last_name": "Pérez", "role": "analyst"}


def test_users_are_listed_in_pages_with_an_opaque_cursor(world):
    signed_up = world.signup()
    on_plan(signed_up["tenant"]["id"], "lite")  # five users: more than Free allows
    admin = signed_up["access_token"]
    for i in range(4):
        world.invite(admin, f"user{i}@acme.example.com", "agent")
    first = world.call("GET", "/v1/users?limit=2", admin).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = world.call("GET", f"/v1/users?limit=2&cursor={first['next_cursor']}", admin).json
    third = world.call("GET", f"/v1/users?limit=2&cursor={second['next_cursor']}", admin).json
    emails = [u["email"] for page in (first, second, third) for u in page["items"]]
    assert len(emails) == len(set(emails)) == 5
    tampered = first["next_cursor"][:-3] + "AAA"
    assert world.call("GET", f"/v1/users?cursor={tampered}", admin).status_code == 400


def test_a_cursor_from_another_tenant_is_refused(world):
    signed_up = world.signup(company="A", email="ana@a.example.com")
    on_plan(signed_up["tenant"]["id"], "lite")  # four users: more than Free allows
    admin_a = signed_up["access_token"]
    admin_b = admin_of(world, "bea@b.example.com", "B")
    for i in range(3):
        world.invite(admin_a, f"u{i}@a.example.com", "agent")
    cursor = world.call("GET", "/v1/users?limit=1", admin_a).json["next_cursor"]
    refused = world.call("GET", f"/v1/users?cursor={cursor}", admin_b)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_cursor"
