"""The browser console's session (SPEC §11, issue 12): the refresh token lives in an
HttpOnly, Secure, SameSite=Strict cookie scoped to /v1/auth that page script never reads;
API clients keep the JSON flow."""

from __future__ import annotations

from tests.support.world import PASSWORD

CONSOLE = {"X-Atiende-Session": "cookie"}
ORIGIN = "http://127.0.0.1:8000"  # the test stage's public URL


def cookie_of(response) -> str:
    header = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
    assert header, response.headers
    return header


def token_in(set_cookie: str) -> str:
    name, _, rest = set_cookie.partition("=")
    assert name == "atiende_refresh"
    return rest.split(";", 1)[0]


def console_login(world, origin: str = ORIGIN):
    return world.call(
        "POST",
        "/v1/auth/login",
        body={"email": "ana@acme.example.com", "password": PASSWORD},
        headers={**CONSOLE, "Origin": origin},
    )


def refresh_with_cookie(world, token: str, **headers: str):
    return world.call(
        "POST",
        "/v1/auth/refresh",
        headers={**CONSOLE, "Origin": ORIGIN, "Cookie": f"atiende_refresh={token}", **headers},
    )


def test_the_console_gets_its_refresh_token_only_in_a_strict_http_only_cookie(world):
    world.signup()
    login = console_login(world)
    assert login.status_code == 200
    assert login.json["refresh_token"] == ""  # page script never sees it
    cookie = cookie_of(login)
    attributes = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
    assert {"HttpOnly", "Secure", "SameSite", "Path", "Max-Age"} <= attributes
    assert "SameSite=Strict" in cookie and "Path=/v1/auth;" in cookie
    assert "Max-Age=2592000" in cookie  # the refresh token's 30 days
    assert token_in(cookie).startswith("rt")
    assert world.call("GET", "/v1/me", login.json["access_token"]).status_code == 200


def test_signup_reset_and_invitation_give_the_console_the_cookie_too(world):
    signup = world.call(
        "POST",
        "/v1/signup",
        body={
            "company_name": "Acme",
            "first_name": "Ana",
            "last_name": "Admin",
            "email": "ana@acme.example.com",
            "password": PASSWORD,
        },
        headers=CONSOLE,
    )
    assert signup.status_code == 201 and signup.json["refresh_token"] == ""
    assert token_in(cookie_of(signup))
    admin = signup.json["access_token"]
    world.invite(admin, "pat@acme.example.com", "agent")
    accepted = world.call(
        "POST",
        "/v1/auth/invitations/accept",
        body={"token": world.token_in_mail("pat@acme.example.com"), "password": PASSWORD},
        headers=CONSOLE,
    )
    assert accepted.status_code == 200 and accepted.json["refresh_token"] == ""
    assert token_in(cookie_of(accepted))
    world.call("POST", "/v1/auth/password-reset", body={"email": "ana@acme.example.com"})
    reset = world.call(
        "POST",
        "/v1/auth/password-reset/confirm",
        body={"token": world.token_in_mail("ana@acme.example.com"), "password": PASSWORD + "!"},
        headers=CONSOLE,
    )
    assert reset.status_code == 200 and reset.json["refresh_token"] == ""
    assert token_in(cookie_of(reset))


def test_a_password_change_from_the_console_renews_the_cookie_not_the_body(world):
    world.signup()
    login = console_login(world)
    old = token_in(cookie_of(login))
    changed = world.call(
        "POST",
        "/v1/me/password",
        login.json["access_token"],
        {"current_password": PASSWORD, "new_password": "a much better passphrase"},
        headers={**CONSOLE, "Origin": ORIGIN},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["refresh_token"] == ""  # page script never sees it
    cookie = cookie_of(changed)
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie
    assert "Path=/v1/auth;" in cookie and "Max-Age=2592000" in cookie
    new = token_in(cookie)
    assert new.startswith("rt") and new != old
    assert world.call("GET", "/v1/me", changed.json["access_token"]).status_code == 200
    # the change ended the session the old cookie held; the new cookie renews
    assert refresh_with_cookie(world, old).status_code == 401
    assert refresh_with_cookie(world, new).status_code == 200


def test_a_password_change_by_an_api_client_keeps_the_json_flow(world):
    session = world.signup()
    changed = world.call(
        "POST",
        "/v1/me/password",
        session["access_token"],
        {"current_password": PASSWORD, "new_password": "a much better passphrase"},
    )
    assert changed.status_code == 200
    assert changed.json["refresh_token"].startswith("rt")
    assert "Set-Cookie" not in changed.headers and "set-cookie" not in changed.headers
    renewed = world.call(
        "POST", "/v1/auth/refresh", body={"refresh_token": changed.json["refresh_token"]}
    )
    assert renewed.status_code == 200 and renewed.json["refresh_token"]


def test_refresh_by_cookie_rotates_it_and_a_reused_cookie_ends_the_session(world):
    world.signup()
    first = token_in(cookie_of(console_login(world)))
    rotated = refresh_with_cookie(world, first)
    assert rotated.status_code == 200, rotated.json
    assert rotated.json["refresh_token"] == ""
    second = token_in(cookie_of(rotated))
    assert second != first
    assert world.call("GET", "/v1/me", rotated.json["access_token"]).status_code == 200
    assert refresh_with_cookie(world, first).status_code == 401
    assert refresh_with_cookie(world, second).status_code == 401


def test_a_cross_site_refresh_is_refused_and_no_header_means_no_cookie_use(world):
    world.signup()
    token = token_in(cookie_of(console_login(world)))
    evil = refresh_with_cookie(world, token, Origin="https://evil.example.com")
    assert evil.status_code == 403
    assert evil.json["error"]["code"] == "cross_site"
    # a plain form post cannot send the console's header: the cookie is not even read
    plain = world.call(
        "POST",
        "/v1/auth/refresh",
        headers={"Origin": ORIGIN, "Cookie": f"atiende_refresh={token}"},
    )
    assert plain.status_code == 401
    assert plain.json["error"]["code"] == "invalid_token"
    # the refused attempts left the session alone
    assert refresh_with_cookie(world, token).status_code == 200


def test_a_refresh_without_any_token_is_a_401(world):
    assert world.call("POST", "/v1/auth/refresh", body={}).status_code == 401
    assert world.call("POST", "/v1/auth/refresh", headers=CONSOLE).status_code == 401


def test_logout_ends_the_session_and_clears_the_cookie(world):
    world.signup()
    login = console_login(world)
    token = token_in(cookie_of(login))
    out = world.call("POST", "/v1/auth/logout", login.json["access_token"], headers=CONSOLE)
    assert out.status_code == 204
    cleared = cookie_of(out)
    assert token_in(cleared) == "" and "Max-Age=0" in cleared and "Path=/v1/auth;" in cleared
    assert refresh_with_cookie(world, token).status_code == 401


def test_api_clients_keep_the_json_flow_without_a_cookie(world):
    session = world.signup()
    assert session["refresh_token"]
    login = world.call(
        "POST", "/v1/auth/login", body={"email": "ana@acme.example.com", "password": PASSWORD}
    )
    assert login.json["refresh_token"] and "Set-Cookie" not in login.headers
    rotated = world.call(
        "POST", "/v1/auth/refresh", body={"refresh_token": login.json["refresh_token"]}
    )
    assert rotated.status_code == 200 and rotated.json["refresh_token"]
