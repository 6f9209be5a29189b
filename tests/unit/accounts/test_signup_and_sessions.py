"""Signup, login, refresh rotation, logout and the token check (SPEC §2)."""

from datetime import timedelta

import jwt
from chalice.local import LambdaEventConverter

from chalicelib.settings import get_settings
from tests.support.world import PASSWORD


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


def _login(world, email: str, password: str = "wrong password") -> tuple[int, str | None]:
    response = world.call("POST", "/v1/auth/login", body={"email": email, "password": password})
    return response.status_code, response.headers.get("Retry-After")


def test_repeated_failures_back_off_doubling_up_to_fifteen_minutes_with_retry_after(
    world, frozen_clock
):
    world.signup(email="ana@acme.example.com")
    # 5 failures are free; the 6th is answered and blocks this address from this source
    assert [_login(world, "ana@acme.example.com") for _ in range(6)] == [(401, None)] * 6
    for block in (30, 60, 120, 240, 480, 900, 900):
        # while blocked: refused and not counted (the wait does not grow), even the
        # right password
        for password in ("wrong password", PASSWORD, "wrong password"):
            assert _login(world, "ana@acme.example.com", password) == (429, str(block))
        frozen_clock.advance(timedelta(seconds=block - 1))
        assert _login(world, "ana@acme.example.com", PASSWORD) == (429, "1")
        frozen_clock.advance(timedelta(seconds=1))
        assert _login(world, "ana@acme.example.com") == (401, None)  # counted: doubles
    frozen_clock.advance(timedelta(minutes=15))
    assert _login(world, "ana@acme.example.com", PASSWORD)[0] == 200
    # a success clears this source's count for the address: 5 free failures again
    assert [_login(world, "ana@acme.example.com") for _ in range(6)] == [(401, None)] * 6
    assert _login(world, "ana@acme.example.com") == (429, "30")


def test_one_source_guessing_many_accounts_is_throttled(world, frozen_clock, monkeypatch):
    world.signup(email="ana@acme.example.com")
    guesses = [_login(world, f"guess{i}@acme.example.com") for i in range(21)]
    assert guesses == [(401, None)] * 21  # 20 free; the 21st blocks the source
    assert _login(world, "guess99@acme.example.com") == (429, "30")
    # every address from this source waits, the right password too
    assert _login(world, "ana@acme.example.com", PASSWORD) == (429, "30")
    frozen_clock.advance(timedelta(seconds=30))
    assert _login(world, "guess21@acme.example.com") == (401, None)
    assert _login(world, "guess22@acme.example.com") == (429, "60")
    # another source is not concerned
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "192.0.2.10")
    assert _login(world, "ana@acme.example.com", PASSWORD)[0] == 200
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "127.0.0.1")
    frozen_clock.advance(timedelta(seconds=60))
    assert _login(world, "ana@acme.example.com", PASSWORD)[0] == 200


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
