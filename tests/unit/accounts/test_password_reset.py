"""Password recovery: always 202, one-hour single-use token, sessions end."""

from datetime import timedelta

from tests.support.world import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def test_reset_answers_202_for_known_and_unknown_addresses_alike(world):
    world.signup(email="ana@acme.example.com")
    world.new_mail()
    known = world.call("POST", "/v1/auth/password-reset", body={"email": "ana@acme.example.com"})
    unknown = world.call(
        "POST", "/v1/auth/password-reset", body={"email": "nobody@acme.example.com"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json
    mails = world.new_mail()
    assert [m["To"] for m in mails] == ["ana@acme.example.com"]
    assert mails[0]["Subject"] == "Recupera tu contraseña de Atiende"


def test_the_reset_link_sets_a_new_password_once_and_ends_old_sessions(world):
    old = world.signup(email="ana@acme.example.com")
    world.call("POST", "/v1/auth/password-reset", body={"email": "ana@acme.example.com"})
    token = world.token_in_mail("ana@acme.example.com")
    weak = world.call(
        "POST", "/v1/auth/password-reset/confirm", body={"token": token, "password": "short"}
    )
    assert weak.status_code == 400
    done = world.call(
        "POST", "/v1/auth/password-reset/confirm", body={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 200
    assert world.call("GET", "/v1/me", old["access_token"]).status_code == 401
    assert (
        world.call(
            "POST", "/v1/auth/refresh", body={"refresh_token": old["refresh_token"]}
        ).status_code
        == 401
    )
    assert (
        world.call(
            "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
        ).status_code
        == 401
    )
    assert (
        world.call(
            "POST",
            "/v1/auth/login",
            body={"email": "ana@acme.example.com", "password": NEW_PASSWORD},
        ).status_code
        == 200
    )
    reused = world.call(
        "POST",
        "/v1/auth/password-reset/confirm",
        body={"token": token, "password": "yet another passphrase"},
    )
    assert reused.status_code == 409


def test_a_reset_link_expires_after_one_hour(world, frozen_clock):
    world.signup(email="ana@acme.example.com")
    world.call("POST", "/v1/auth/password-reset", body={"email": "ana@acme.example.com"})
    token = world.token_in_mail("ana@acme.example.com")
    frozen_clock.advance(timedelta(hours=1, seconds=1))
    expired = world.call(
        "POST", "/v1/auth/password-reset/confirm", body={"token": token, "password": NEW_PASSWORD}
    )
    assert expired.status_code == 410 and "expired" in expired.json["error"]["message"]


def test_a_deactivated_user_gets_no_reset_email(world):
    admin = world.signup(email="ana@acme.example.com")["access_token"]
    world.user_with_role(admin, "pat@acme.example.com", "agent")
    user_id = world.call("GET", "/v1/users", admin).json["items"][1]["id"]
    world.call("POST", f"/v1/users/{user_id}/deactivate", admin)
    world.new_mail()
    world.call("POST", "/v1/auth/password-reset", body={"email": "pat@acme.example.com"})
    assert world.new_mail() == []


def test_an_invitation_token_is_not_a_reset_token(world):
    admin = world.signup(email="ana@acme.example.com")["access_token"]
    world.invite(admin, "pat@acme.example.com", "agent")
    token = world.token_in_mail("pat@acme.example.com")
    wrong = world.call(
        "POST", "/v1/auth/password-reset/confirm", body={"token": token, "password": NEW_PASSWORD}
    )
    assert wrong.status_code == 400
