"""Plan limits (issue 14, docs/billing.md "Limits"): users, WhatsApp numbers and X accounts,
each the plan's plus its add-ons, enforced as a condition of the write that creates one
more -- two creations at once never pass it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest

from chalicelib.domain.billing import limits
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant
from chalicelib.store.meter import measure
from tests.support.plans import on_plan
from tests.support.world import PASSWORD

TOKEN = "EAAG-limits-token-1234567890"
USERS_ON_FREE = (
    "Your Adereso Helpdesk Free plan allows 3 users. Upgrade your plan or add extra users in "
    "Billing to add more."
)


# --- helpers -------------------------------------------------------------------------------
def tenant_item(tenant_id: str) -> Tenant:
    return Tenant.get(keys.tenant_pk(tenant_id), keys.tenant_sk(), consistent_read=True)


def counts(tenant_id: str) -> dict[str, Any]:
    return dict(tenant_item(tenant_id).counts.as_dict())


def invite(world, admin, email, role="agent"):
    return world.call("POST", "/v1/users", admin, {
        "first_name": "Pat", "last_name": "Lee", "email": email, "role": role})  # fmt: skip


def whatsapp(world, admin, n):
    return world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": f"Ventas {n}", "credentials": {"access_token": TOKEN},
        "identifiers": {"phone_number_id": f"10654035224{n:04d}", "business_account_id": "102290129340398",
                        "display_phone_number": "+56 9 1111 2222"}})  # fmt: skip


def twitter(world, admin, n):
    return world.call("POST", "/v1/channels", admin, {
        "type": "twitter", "name": f"X {n}", "identifiers": {"user_id": f"22449949{n:02d}", "screen_name": f"acme{n}"},
        "credentials": {"access_token": TOKEN, "access_token_secret": TOKEN}})  # fmt: skip


def twitter_search(world, admin, n):
    return world.call("POST", "/v1/channels", admin, {
        "type": "twitter_search", "name": f"Búsqueda {n}", "identifiers": {"keywords": [f"acme{n}"]},
        "credentials": {"bearer_token": TOKEN}})  # fmt: skip


def refused_by_plan(response, message: str, **details: Any) -> None:
    assert response.status_code == 402, response.json
    error = response.json["error"]
    assert error["code"] == "plan_limit"
    assert error["message"] == message
    assert error["details"] == details


def user_emails(world, admin) -> list[str]:
    return [u["email"] for u in world.call("GET", "/v1/users?limit=100", admin).json["items"]]


def full_free_tenant(world) -> tuple[str, str]:
    """A Free tenant with its 3 seats taken: the admin and two agents."""
    signed = world.signup()
    admin, tenant = signed["access_token"], signed["tenant"]["id"]
    for i in (1, 2):
        assert invite(world, admin, f"agent{i}@acme.example.com").status_code == 201
    return admin, tenant


# --- users ---------------------------------------------------------------------------------
def test_signup_takes_the_first_seat(world, signup, tenant):
    assert counts(tenant)["seats"] == 1
    assert limits.usage(tenant_item(tenant)) == {
        "users": 1, "twitter_accounts": 0, "whatsapp_numbers": 0}  # fmt: skip


def test_a_fourth_staff_user_on_free_is_refused_naming_the_limit_and_its_add_on(world):
    admin, tenant = full_free_tenant(world)
    refused = invite(world, admin, "fourth@acme.example.com", "supervisor")
    refused_by_plan(refused, USERS_ON_FREE, limit="users", allowed=3, in_use=3, plan="free",
                    addon="users")  # fmt: skip
    # nothing half-written: no user, the address still free, the counters as they were
    assert "fourth@acme.example.com" not in user_emails(world, admin)
    assert counts(tenant)["seats"] == 3 and counts(tenant)["users"] == 3
    on_plan(tenant, "lite")
    assert invite(world, admin, "fourth@acme.example.com", "supervisor").status_code == 201


def test_account_contacts_with_portal_access_take_no_seat(world):
    admin, tenant = full_free_tenant(world)
    contact = world.call("POST", "/v1/account-contacts", admin, {
        "first_name": "Carla", "last_name": "Cobros", "email": "carla@cliente.example.com",
        "portal_access": True})  # fmt: skip
    assert contact.status_code == 201, contact.json
    assert contact.json["portal_user_id"]
    portal = invite(world, admin, "pablo@cliente.example.com", "account_contact")
    assert portal.status_code == 201, portal.json
    assert counts(tenant)["seats"] == 3 and counts(tenant)["users"] == 5
    assert limits.usage(tenant_item(tenant))["users"] == 3
    refused_by_plan(invite(world, admin, "x@acme.example.com"), USERS_ON_FREE, limit="users",
                    allowed=3, in_use=3, plan="free", addon="users")  # fmt: skip
    # deleting a portal user gives back no seat
    gone = world.call("DELETE", f"/v1/users/{portal.json['user']['id']}", admin)
    assert gone.status_code == 204
    assert counts(tenant)["seats"] == 3 and counts(tenant)["users"] == 4


def test_deleting_a_staff_user_frees_the_seat_deactivating_does_not(world):
    admin, tenant = full_free_tenant(world)
    agent = next(u for u in world.call("GET", "/v1/users", admin).json["items"]
                 if u["email"] == "agent1@acme.example.com")  # fmt: skip
    off = world.call("POST", f"/v1/users/{agent['id']}/deactivate", admin)
    assert off.status_code == 200 and off.json["status"] == "deactivated"
    refused_by_plan(invite(world, admin, "new@acme.example.com"), USERS_ON_FREE, limit="users",
                    allowed=3, in_use=3, plan="free", addon="users")  # fmt: skip
    assert world.call("DELETE", f"/v1/users/{agent['id']}", admin).status_code == 204
    assert counts(tenant)["seats"] == 2
    assert invite(world, admin, "new@acme.example.com").status_code == 201
    assert counts(tenant)["seats"] == 3


def test_add_ons_raise_the_users_limit(world):
    admin, tenant = full_free_tenant(world)
    on_plan(tenant, "free", {"users": 2})
    assert invite(world, admin, "a@acme.example.com").status_code == 201
    assert invite(world, admin, "b@acme.example.com").status_code == 201
    refused_by_plan(
        invite(world, admin, "c@acme.example.com"),
        "Your Adereso Helpdesk Free plan allows 5 users. Upgrade your plan or add extra users "
        "in Billing to add more.",
        limit="users", allowed=5, in_use=5, plan="free", addon="users",
    )  # fmt: skip
    view = limits.limits_view(tenant_item(tenant))
    assert view["users"] == {"plan": 3, "addons": 2, "allowed": 5, "in_use": 5}


def test_a_portal_user_made_staff_needs_a_seat_and_staff_made_portal_gives_one_back(world):
    admin, tenant = full_free_tenant(world)
    portal = invite(world, admin, "pablo@cliente.example.com", "account_contact").json["user"]
    promoted = world.call("PATCH", f"/v1/users/{portal['id']}", admin, {"role": "agent"})
    refused_by_plan(promoted, USERS_ON_FREE, limit="users", allowed=3, in_use=3, plan="free",
                    addon="users")  # fmt: skip
    assert world.call("GET", f"/v1/users/{portal['id']}", admin).json["role"] == "account_contact"
    agent = next(u for u in world.call("GET", "/v1/users", admin).json["items"]
                 if u["email"] == "agent1@acme.example.com")  # fmt: skip
    demoted = world.call("PATCH", f"/v1/users/{agent['id']}", admin, {"role": "account_contact"})
    assert demoted.status_code == 200, demoted.json
    assert counts(tenant)["seats"] == 2
    promoted = world.call("PATCH", f"/v1/users/{portal['id']}", admin, {"role": "agent"})
    assert promoted.status_code == 200 and promoted.json["role"] == "agent"
    assert counts(tenant)["seats"] == 3
    # a change that keeps the user staff moves nothing
    renamed = world.call("PATCH", f"/v1/users/{portal['id']}", admin, {"role": "supervisor"})
    assert renamed.status_code == 200 and counts(tenant)["seats"] == 3


def test_a_tenant_written_before_the_seats_counter_gets_it_counted_once(world):
    admin, tenant = full_free_tenant(world)
    assert invite(world, admin, "p@cliente.example.com", "account_contact").status_code == 201
    Tenant(keys.tenant_pk(tenant), keys.tenant_sk()).update_only(
        actions=[Tenant.counts["seats"].remove()]
    )  # as the tenants of before
    assert "seats" not in counts(tenant)
    with measure() as first:
        refused = invite(world, admin, "x@acme.example.com")
    refused_by_plan(refused, USERS_ON_FREE, limit="users", allowed=3, in_use=3, plan="free",
                    addon="users")  # fmt: skip
    assert counts(tenant)["seats"] == 3  # the admin and two agents; not the portal user
    assert first.count("Query") == 1, first.summary()  # the tenant's users, counted once
    with measure() as second:
        refused_by_plan(invite(world, admin, "y@acme.example.com"), USERS_ON_FREE,
                        limit="users", allowed=3, in_use=3, plan="free", addon="users")  # fmt: skip
    assert second.count("Query") == 0, second.summary()


def test_deleting_a_user_of_a_tenant_without_the_counter_counts_it_first(world):
    admin, tenant = full_free_tenant(world)
    Tenant(keys.tenant_pk(tenant), keys.tenant_sk()).update_only(
        actions=[Tenant.counts["seats"].remove()]
    )
    agent = next(u for u in world.call("GET", "/v1/users", admin).json["items"]
                 if u["email"] == "agent1@acme.example.com")  # fmt: skip
    assert world.call("DELETE", f"/v1/users/{agent['id']}", admin).status_code == 204
    assert counts(tenant)["seats"] == 2  # counted 3, then the deleted one given back
    assert invite(world, admin, "new@acme.example.com").status_code == 201


def test_a_tenant_fallen_back_to_free_adds_no_one_and_is_told_what_to_remove(world):
    signed = world.signup()
    admin, tenant = signed["access_token"], signed["tenant"]["id"]
    on_plan(tenant, "pro")
    for i in range(4):
        assert invite(world, admin, f"agent{i}@acme.example.com").status_code == 201
    assert whatsapp(world, admin, 1).status_code == 201
    assert whatsapp(world, admin, 2).status_code == 201
    assert limits.over_limit(tenant_item(tenant)) == []
    # a downgrade below what is in use is known before it is made
    assert limits.over_limit(tenant_item(tenant), "free", {}) == [
        {"limit": "users", "allowed": 3, "in_use": 5, "remove": 2},
        {"limit": "whatsapp_numbers", "allowed": 1, "in_use": 2, "remove": 1},
    ]
    assert limits.over_limit(tenant_item(tenant), "free", {"users": 2, "whatsapp_numbers": 1}) == []
    on_plan(tenant, "free", {})  # the subscription ended
    refused_by_plan(invite(world, admin, "more@acme.example.com"), USERS_ON_FREE, limit="users",
                    allowed=3, in_use=5, plan="free", addon="users")  # fmt: skip
    assert limits.over_limit(tenant_item(tenant)) == [
        {"limit": "users", "allowed": 3, "in_use": 5, "remove": 2},
        {"limit": "whatsapp_numbers", "allowed": 1, "in_use": 2, "remove": 1},
    ]
    # portal users still come in: they take no seat
    assert invite(world, admin, "p@cliente.example.com", "account_contact").status_code == 201


# --- channels ------------------------------------------------------------------------------
WHATSAPP_ON_FREE = (
    "Your Adereso Helpdesk Free plan allows 1 WhatsApp numbers. Upgrade your plan or add "
    "WhatsApp Business numbers in Billing to add more."
)
TWITTER_ON_FREE = (
    "Your Adereso Helpdesk Free plan allows 1 Twitter accounts. Upgrade your plan or add extra "
    "Twitter accounts in Billing to add more."
)


def test_a_second_whatsapp_number_on_free_is_refused_until_an_add_on(world, admin, tenant):
    assert whatsapp(world, admin, 1).status_code == 201
    refused_by_plan(whatsapp(world, admin, 2), WHATSAPP_ON_FREE, limit="whatsapp_numbers",
                    allowed=1, in_use=1, plan="free", addon="whatsapp_numbers")  # fmt: skip
    assert counts(tenant)["channels:whatsapp"] == 1
    on_plan(tenant, "free", {"whatsapp_numbers": 1})
    assert whatsapp(world, admin, 2).status_code == 201
    assert limits.usage(tenant_item(tenant))["whatsapp_numbers"] == 2


def test_x_search_and_x_accounts_share_the_twitter_accounts_limit(world, admin, tenant):
    assert twitter_search(world, admin, 1).status_code == 201
    refused_by_plan(twitter(world, admin, 1), TWITTER_ON_FREE, limit="twitter_accounts",
                    allowed=1, in_use=1, plan="free", addon="twitter_accounts")  # fmt: skip
    refused_by_plan(twitter_search(world, admin, 2), TWITTER_ON_FREE, limit="twitter_accounts",
                    allowed=1, in_use=1, plan="free", addon="twitter_accounts")  # fmt: skip
    on_plan(tenant, "lite")
    assert twitter(world, admin, 1).status_code == 201
    assert twitter(world, admin, 2).status_code == 201
    refused_by_plan(
        twitter_search(world, admin, 3),
        "Your Adereso Helpdesk Lite plan allows 3 Twitter accounts. Upgrade your plan or add "
        "extra Twitter accounts in Billing to add more.",
        limit="twitter_accounts", allowed=3, in_use=3, plan="lite", addon="twitter_accounts",
    )  # fmt: skip
    # disconnecting frees the place
    search = next(c for c in world.call("GET", "/v1/channels", admin).json["items"]
                  if c["type"] == "twitter_search")  # fmt: skip
    assert world.call("DELETE", f"/v1/channels/{search['id']}", admin).status_code == 200
    assert twitter_search(world, admin, 3).status_code == 201


def test_channels_without_a_limit_are_not_counted_against_one(world, admin, tenant):
    for n in range(3):
        made = world.call("POST", "/v1/channels", admin, {
            "type": "email", "name": f"Soporte {n}",
            "identifiers": {"address": f"soporte{n}@acme.example.com"}})  # fmt: skip
        assert made.status_code == 201, made.json
    assert limits.usage(tenant_item(tenant)) == {
        "users": 1, "twitter_accounts": 0, "whatsapp_numbers": 0}  # fmt: skip


def test_the_x_login_is_refused_before_the_admin_is_sent_to_x(world, admin, monkeypatch):
    from chalicelib.settings import reset_settings
    from tests.support.fakes import FakeProvider, serving

    assert twitter_search(world, admin, 1).status_code == 201
    with serving(FakeProvider()) as x:
        monkeypatch.setenv("TWITTER_API_BASE_URL", x.url)
        reset_settings()
        try:
            started = world.call("POST", "/v1/channels/twitter/login", admin,
                                 {"callback_url": "http://127.0.0.1:8000/admin/channels/connect/twitter"})  # fmt: skip
            refused_by_plan(started, TWITTER_ON_FREE, limit="twitter_accounts", allowed=1,
                            in_use=1, plan="free", addon="twitter_accounts")  # fmt: skip
            assert x.requests == []
        finally:
            monkeypatch.delenv("TWITTER_API_BASE_URL")
            reset_settings()


# --- at the same moment --------------------------------------------------------------------
def at_once(*calls):
    """Run the calls side by side, released together."""
    gate = Barrier(len(calls))

    def run(call):
        gate.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.ddb_local  # a real engine: moto's table is not safe across threads
def test_two_invitations_for_the_last_seat_at_once_let_exactly_one_in(world):
    signed = world.signup()
    admin, tenant = signed["access_token"], signed["tenant"]["id"]
    assert invite(world, admin, "agent1@acme.example.com").status_code == 201
    results = at_once(lambda: invite(world, admin, "a@acme.example.com"),
                      lambda: invite(world, admin, "b@acme.example.com"))  # fmt: skip
    assert sorted(r.status_code for r in results) == [201, 402], [r.json for r in results]
    refused = next(r for r in results if r.status_code == 402)
    refused_by_plan(refused, USERS_ON_FREE, limit="users", allowed=3, in_use=3, plan="free",
                    addon="users")  # fmt: skip
    assert counts(tenant)["seats"] == 3 and len(user_emails(world, admin)) == 3


@pytest.mark.ddb_local
def test_two_invitations_at_once_on_a_tenant_without_the_counter_let_exactly_one_in(world):
    signed = world.signup()
    admin, tenant = signed["access_token"], signed["tenant"]["id"]
    assert invite(world, admin, "agent1@acme.example.com").status_code == 201
    Tenant(keys.tenant_pk(tenant), keys.tenant_sk()).update_only(
        actions=[Tenant.counts["seats"].remove()]
    )
    results = at_once(lambda: invite(world, admin, "a@acme.example.com"),
                      lambda: invite(world, admin, "b@acme.example.com"))  # fmt: skip
    assert sorted(r.status_code for r in results) == [201, 402], [r.json for r in results]
    assert counts(tenant)["seats"] == 3 and len(user_emails(world, admin)) == 3


@pytest.mark.ddb_local
def test_an_x_account_and_an_x_search_at_once_for_the_last_place_let_exactly_one_in(
    world, admin, tenant
):
    results = at_once(lambda: twitter(world, admin, 1), lambda: twitter_search(world, admin, 1))
    assert sorted(r.status_code for r in results) == [201, 402], [r.json for r in results]
    refused_by_plan(next(r for r in results if r.status_code == 402), TWITTER_ON_FREE,
                    limit="twitter_accounts", allowed=1, in_use=1, plan="free",
                    addon="twitter_accounts")  # fmt: skip
    found = counts(tenant)
    assert int(found.get("channels:twitter", 0)) + int(found.get("channels:twitter_search", 0)) == 1
    assert len(world.call("GET", "/v1/channels", admin).json["items"]) == 1


@pytest.mark.ddb_local
def test_two_whatsapp_numbers_at_once_with_two_places_both_get_in(world, admin, tenant):
    on_plan(tenant, "free", {"whatsapp_numbers": 1})
    results = at_once(lambda: whatsapp(world, admin, 1), lambda: whatsapp(world, admin, 2))
    assert [r.status_code for r in results] == [201, 201], [r.json for r in results]
    assert counts(tenant)["channels:whatsapp"] == 2
    refused_by_plan(
        whatsapp(world, admin, 3),
        "Your Adereso Helpdesk Free plan allows 2 WhatsApp numbers. Upgrade your plan or add "
        "WhatsApp Business numbers in Billing to add more.",
        limit="whatsapp_numbers", allowed=2, in_use=2, plan="free", addon="whatsapp_numbers",
    )  # fmt: skip


def test_the_invited_user_can_still_accept_and_sign_in(world):
    full_free_tenant(world)
    token = world.token_in_mail("agent1@acme.example.com")
    accepted = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.json
