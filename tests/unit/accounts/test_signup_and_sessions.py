"""Signup, login, refresh rotation, logout and the token check (SPEC §2)."""

from datetime import timedelta

import jwt
from accounts_world import PASSWORD

from chalicelib.settings import get_settings


def test_signup_creates_a_free_tenant_and_its_admin_with_a_session(world):
    body = world.signup(company="Café Ñandú", locale="pt")
    assert body["tenant"]["plan"] == "free"
    assert body["tenant"]["locale"] == "pt"
    assert body["user"]["role"] == "admin" and body["user"]["status"] == "active"
    me = world.call("GET", "/v1/me", body["access_token"])
    assert me.status_code == 200
    assert me.json["tenant"]["name"] == "Café Ñandú"
    assert "users.manage" in me.json["actions"]
    [welcome] = world.new_mail()
    assert welcome["Subject"] == "Boas-vindas ao Atiende, Café Ñandú"


def test_signup_refuses_a_taken_email_whatever_its_case(world):
    world.signup(email="ana@acme.example.com")
    again = world.call(
        "POST",
        "/v1/signup",
        body={
            "company_name": "Other",
            "first_name": "A",
            "last_name": "B",
            "email": "ANA@Acme.Example.com",
            "password": PASSWORD,
        },
    )
    assert again.status_code == 409
    assert again.json["error"]["code"] == "email_taken"


def test_signup_validates_its_fields(world):
    response = world.call(
        "POST",
        "/v1/signup",
        body={
            "company_name": "",
            "locale": "fr",
            "timezone": "Mars/Olympus",
            "first_name": "A",
            "last_name": "B",
            "email": "not-an-email",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 400
    fields = {d["loc"][-1] for d in response.json["error"]["details"]}
    assert fields == {"company_name", "locale", "email"}
    bad_zone = world.call(
        "POST",
        "/v1/signup",
        body={
            "company_name": "X",
            "timezone": "Mars/Olympus",
            "first_name": "A",
            "last_name": "B",
            "email": "x@example.com",
            "password": PASSWORD,
        },
    )
    assert bad_zone.status_code == 400 and "timezone" in bad_zone.json["error"]["message"]


def test_weak_passwords_are_refused_with_the_reason(world):
    response = world.call(
        "POST",
        "/v1/signup",
        body={
            "company_name": "X",
            "first_name": "A",
            "last_name": "B",
            "email": "maria.jose@example.com",
            "password": "maria.jose2026",
        },
    )
    assert response.status_code == 400
    assert "must not contain your email address" in response.json["error"]["message"]
    short = world.call(
        "POST",
        "/v1/signup",
        body={
            "company_name": "X",
            "first_name": "A",
            "last_name": "B",
            "email": "x@example.com",
            "password": "short",
        },
    )
    assert "at least 10 characters" in short.json["error"]["message"]


def test_login_gives_tokens_and_wrong_credentials_get_one_message(world):
    world.signup(email="ana@acme.example.com")
    ok = world.call(
        "POST", "/v1/auth/login", body={"email": "Ana@acme.example.com", "password": PASSWORD}
    )
    assert ok.status_code == 200
    assert ok.json["token_type"] == "Bearer" and ok.json["expires_in"] == 900
    wrong_password = world.call(
        "POST",
        "/v1/auth/login",
        body={"email": "ana@acme.example.com", "password": "nope nope nope"},
    )
    unknown = world.call(
        "POST",
        "/v1/auth/login",
        body={"email": "nobody@acme.example.com", "password": "nope nope nope"},
    )
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json["error"]["message"] == unknown.json["error"]["message"]


def test_repeated_failures_lock_the_account_with_retry_after(world, frozen_clock):
    world.signup(email="ana@acme.example.com")
    for _ in range(4):
        assert (
            world.call(
                "POST",
                "/v1/auth/login",
                body={"email": "ana@acme.example.com", "password": "wrong password"},
            ).status_code
            == 401
        )
    fifth = world.call(
        "POST",
        "/v1/auth/login",
        body={"email": "ana@acme.example.com", "password": "wrong password"},
    )
    assert fifth.status_code == 429
    assert 850 <= int(fifth.headers["Retry-After"]) <= 901
    # even the right password waits out the lock
    locked = world.call(
        "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
    frozen_clock.advance(timedelta(minutes=16))
    assert (
        world.call(
            "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_one_source_guessing_many_accounts_is_throttled(world, frozen_clock):
    world.signup(email="ana@acme.example.com")
    statuses = [
        world.call(
            "POST",
            "/v1/auth/login",
            body={"email": f"guess{i}@acme.example.com", "password": "wrong password"},
        ).status_code
        for i in range(20)
    ]
    assert statuses[:19] == [401] * 19 and statuses[19] == 429
    blocked = world.call(
        "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
    )
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    frozen_clock.advance(timedelta(minutes=16))
    assert (
        world.call(
            "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(world):
    first = world.signup()
    rotated = world.call("POST", "/v1/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    assert rotated.json["refresh_token"] != first["refresh_token"]
    assert world.call("GET", "/v1/me", rotated.json["access_token"]).status_code == 200
    # the old one again: somebody copied it; the whole session ends
    reused = world.call("POST", "/v1/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert (
        world.call(
            "POST", "/v1/auth/refresh", body={"refresh_token": rotated.json["refresh_token"]}
        ).status_code
        == 401
    )
    assert world.call("GET", "/v1/me", rotated.json["access_token"]).status_code == 401


def test_forged_and_malformed_tokens_are_refused(world):
    session = world.signup()
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "not-our-secret-but-long-enough-for-hs256", algorithm="HS256")
    assert world.call("GET", "/v1/me", forged).status_code == 401
    assert world.call("GET", "/v1/me", "garbage").status_code == 401
    assert world.call("GET", "/v1/me").status_code == 401
    refresh = session["refresh_token"].rsplit(".", 1)[0] + ".forgedsecret"
    assert (
        world.call("POST", "/v1/auth/refresh", body={"refresh_token": refresh}).status_code == 401
    )
    assert (
        world.call("POST", "/v1/auth/refresh", body={"refresh_token": "rt1.x"}).status_code == 401
    )


def test_access_tokens_expire_after_fifteen_minutes(world, frozen_clock):
    session = world.signup()
    frozen_clock.advance(timedelta(minutes=14, seconds=59))
    assert world.call("GET", "/v1/me", session["access_token"]).status_code == 200
    frozen_clock.advance(timedelta(seconds=2))
    expired = world.call("GET", "/v1/me", session["access_token"])
    assert expired.status_code == 401 and "expired" in expired.json["error"]["message"]
    assert (
        world.call(
            "POST", "/v1/auth/refresh", body={"refresh_token": session["refresh_token"]}
        ).status_code
        == 200
    )


def test_refresh_tokens_expire_after_thirty_days(world, frozen_clock):
    session = world.signup()
    frozen_clock.advance(timedelta(days=30, seconds=1))
    assert (
        world.call(
            "POST", "/v1/auth/refresh", body={"refresh_token": session["refresh_token"]}
        ).status_code
        == 401
    )


def test_logout_ends_the_session_at_once(world):
    session = world.signup()
    assert world.call("POST", "/v1/auth/logout", session["access_token"]).status_code == 204
    assert world.call("GET", "/v1/me", session["access_token"]).status_code == 401
    assert (
        world.call(
            "POST", "/v1/auth/refresh", body={"refresh_token": session["refresh_token"]}
        ).status_code
        == 401
    )


def test_changing_my_password_ends_my_other_sessions(world):
    first = world.signup(email="ana@acme.example.com")
    other = world.call(
        "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
    ).json
    changed = world.call(
        "POST",
        "/v1/me/password",
        first["access_token"],
        {"current_password": PASSWORD, "new_password": "a much better passphrase"},
    )
    assert changed.status_code == 200
    assert world.call("GET", "/v1/me", other["access_token"]).status_code == 401
    assert world.call("GET", "/v1/me", first["access_token"]).status_code == 401
    assert world.call("GET", "/v1/me", changed.json["access_token"]).status_code == 200
    wrong = world.call(
        "POST",
        "/v1/me/password",
        changed.json["access_token"],
        {"current_password": "not it at all", "new_password": "another good passphrase"},
    )
    assert wrong.status_code == 400 and wrong.json["error"]["code"] == "wrong_password"


def test_no_secret_appears_in_responses_or_logs(world, caplog, capsys):
    session = world.signup()
    secret = get_settings().jwt_secret.get_secret_value()
    me = world.call("GET", "/v1/me", session["access_token"])
    users = world.call("GET", "/v1/users", session["access_token"])
    shown = me.body.decode() + users.body.decode() + caplog.text + capsys.readouterr().out
    assert secret not in shown
    assert PASSWORD not in shown
    assert "argon2" not in shown and "password_hash" not in shown
