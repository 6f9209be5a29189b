"""Account contacts (seed 004): email preferences, and portal access as an invited user."""

import pytest

from chalicelib.domain.accounts.recipients import EMAIL_KINDS, account_recipients
from tests.support.world import PASSWORD

PREFERENCE_KEYS = set(EMAIL_KINDS)


@pytest.fixture(autouse=True)
def _without_contacts(request):
    """A test that signs up (the shared ``signup`` or ``admin`` fixture) gets a company whose
    automatic first contact (its admin) was removed, so it starts without contacts."""
    if "signup" not in request.fixturenames:
        return
    world = request.getfixturevalue("world")
    created = request.getfixturevalue("signup")
    world.new_mail()  # the welcome email
    token = created["access_token"]
    [first] = world.call("GET", "/v1/account-contacts", token).json["items"]
    assert world.call("DELETE", f"/v1/account-contacts/{first['id']}", token).status_code == 204


def contact(email="carla@cliente.example.com", **body):
    return {"first_name": "Carla", "last_name": "Souza", "email": email, **body}


def create(world, token, **body):
    return world.call("POST", "/v1/account-contacts", token, contact(**body))


def login(world, email):
    return world.call("POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})


def test_a_contact_without_portal_access_only_gets_emails(world, admin):
    created = create(
        world,
        admin,
        company="Terceirizada Ltda",
        address="Rua das Flores, 12",
        neighbourhood="Centro",
        city="Curitiba",
        state="PR",
        postal_code="80010-000",
        country="Brasil",
        phone="+55 41 3333-4444",
        tax_id="12.345.678/0001-90",
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["neighbourhood"] == "Centro"
    assert body["portal_access"] is False
    assert body["portal_user_id"] is None
    assert body["email_preferences"] == {
        "general": True,
        "products": False,
        "channels": False,
        "billing": False,
        "support": False,
    }
    assert "tax_id" not in body
    [created_entry] = world.call("GET", f"/v1/account-contacts/{body['id']}/history", admin).json[
        "items"
    ]
    assert "tax_id" not in created_entry["after"]  # accepted, not stored
    assert world.new_mail() == []
    assert world.call("GET", "/v1/account-contacts", admin).json["items"] == [body]
    assert [u["role"] for u in world.call("GET", "/v1/users", admin).json["items"]] == ["admin"]


def test_a_portal_contact_is_invited_and_logs_in_as_an_account_contact(world, admin):
    created = create(world, admin, portal_access=True)
    assert created.status_code == 201, created.json
    user_id = created.json["portal_user_id"]
    assert user_id
    user = world.call("GET", f"/v1/users/{user_id}", admin).json
    assert (user["role"], user["status"], user["email"], user["first_name"]) == (
        "account_contact",
        "invited",
        "carla@cliente.example.com",
        "Carla",
    )

    [invitation] = world.new_mail()
    assert invitation["To"] == "carla@cliente.example.com"
    text = invitation.get_body(("plain",)).get_content()
    token = text.split("token=")[1].split()[0]
    accepted = world.call(
        "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.json
    portal = accepted.json["access_token"]
    assert accepted.json["user"]["role"] == "account_contact"

    # a portal sub-account sees and manages the contacts, nothing of the helpdesk
    assert [c["id"] for c in world.call("GET", "/v1/account-contacts", portal).json["items"]] == [
        created.json["id"]
    ]
    assert create(world, portal, email="dora@cliente.example.com").status_code == 201
    for path in ("/v1/users", "/v1/quick-replies", "/v1/establishment"):
        assert world.call("GET", path, portal).status_code == 403, path
    # nor can it remove its own access
    refused = world.call("DELETE", f"/v1/account-contacts/{created.json['id']}", portal)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "self_deletion"
    assert world.call("GET", f"/v1/account-contacts/{created.json['id']}", admin).status_code == 200


def test_portal_access_for_an_address_that_is_already_a_user_is_refused_and_leaves_nothing(
    world, admin
):
    world.invite(admin, "pat@acme.example.com", "agent")
    world.new_mail()
    for email in ("pat@acme.example.com", "PAT@acme.example.com", "ana@acme.example.com"):
        refused = create(world, admin, email=email, portal_access=True)
        assert refused.status_code == 409, email
        assert refused.json["error"]["code"] == "email_taken"
    assert world.call("GET", "/v1/account-contacts", admin).json["items"] == []
    assert len(world.call("GET", "/v1/users", admin).json["items"]) == 2
    assert world.new_mail() == []
    # without portal access a user's address is a fine contact
    assert create(world, admin, email="pat@acme.example.com").status_code == 201


def test_a_user_created_meanwhile_undoes_the_contact(world, admin, monkeypatch):
    """The address becomes a user between the check and the invitation: no contact stays."""
    from chalicelib.api import account_contacts

    world.invite(admin, "pat@acme.example.com", "agent")
    monkeypatch.setattr(account_contacts.people, "email_in_use", lambda email: False)
    refused = create(world, admin, email="pat@acme.example.com", portal_access=True)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "email_taken"
    assert world.call("GET", "/v1/account-contacts", admin).json["items"] == []
    assert create(world, admin, email="pat@acme.example.com").status_code == 201


def test_a_failed_link_removes_both_the_user_and_the_contact(world, admin, monkeypatch):
    from chalicelib.api import account_contacts
    from chalicelib.domain.errors import Conflict

    original = account_contacts.Kind.update

    def failing_update(self, principal, item_id, changes, validate=None):
        if "portal_user_id" in changes:
            raise Conflict("meanwhile", code="edit_conflict")
        return original(self, principal, item_id, changes, validate)

    monkeypatch.setattr(account_contacts.Kind, "update", failing_update)
    refused = create(world, admin, portal_access=True)
    assert refused.status_code == 409
    assert world.call("GET", "/v1/account-contacts", admin).json["items"] == []
    assert [u["role"] for u in world.call("GET", "/v1/users", admin).json["items"]] == ["admin"]


def test_turning_portal_access_on_off_and_on_again(world, admin):
    item = create(world, admin).json
    path = f"/v1/account-contacts/{item['id']}"

    on = world.call("PATCH", path, admin, {"portal_access": True})
    assert on.status_code == 200, on.json
    user_id = on.json["portal_user_id"]
    token = world.token_in_mail("carla@cliente.example.com")
    world.call("POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD})
    assert login(world, "carla@cliente.example.com").status_code == 200

    off = world.call("PATCH", path, admin, {"portal_access": False})
    assert off.status_code == 200
    assert off.json["portal_user_id"] == user_id
    assert world.call("GET", f"/v1/users/{user_id}", admin).json["status"] == "deactivated"
    refused = login(world, "carla@cliente.example.com")
    assert refused.json["error"]["code"] == "user_deactivated"

    again = world.call("PATCH", path, admin, {"portal_access": True})
    assert again.json["portal_user_id"] == user_id  # the same user, no new invitation
    assert world.call("GET", f"/v1/users/{user_id}", admin).json["status"] == "active"
    assert world.new_mail() == []
    assert login(world, "carla@cliente.example.com").status_code == 200


def test_turning_portal_access_on_for_a_users_address_is_refused(world, admin):
    world.invite(admin, "pat@acme.example.com", "agent")
    item = create(world, admin, email="pat@acme.example.com").json
    refused = world.call(
        "PATCH", f"/v1/account-contacts/{item['id']}", admin, {"portal_access": True}
    )
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "email_taken"
    after = world.call("GET", f"/v1/account-contacts/{item['id']}", admin).json
    assert (after["portal_access"], after["portal_user_id"]) == (False, None)


def test_the_portal_user_follows_the_contacts_name_and_email(world, admin):
    item = create(world, admin, portal_access=True).json
    path = f"/v1/account-contacts/{item['id']}"
    edited = world.call(
        "PATCH", path, admin, {"last_name": "Lima", "email": "carla.lima@cliente.example.com"}
    )
    assert edited.status_code == 200, edited.json
    user = world.call("GET", f"/v1/users/{item['portal_user_id']}", admin).json
    assert (user["last_name"], user["email"]) == ("Lima", "carla.lima@cliente.example.com")

    world.invite(admin, "pat@acme.example.com", "agent")
    taken = world.call("PATCH", path, admin, {"email": "pat@acme.example.com", "phone": "123"})
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "email_taken"
    assert world.call("GET", path, admin).json["email"] == "carla.lima@cliente.example.com"


def test_a_refused_contact_edit_leaves_the_portal_user_as_it_was(world, admin):
    create(world, admin, email="dora@cliente.example.com")
    item = create(world, admin, portal_access=True).json
    refused = world.call(
        "PATCH", f"/v1/account-contacts/{item['id']}", admin, {"email": "DORA@cliente.example.com"}
    )
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "name_taken"  # another contact's address
    user = world.call("GET", f"/v1/users/{item['portal_user_id']}", admin).json
    assert user["email"] == "carla@cliente.example.com"


def test_deleting_a_contact_deletes_its_portal_user(world, admin):
    item = create(world, admin, portal_access=True).json
    assert world.call("DELETE", f"/v1/account-contacts/{item['id']}", admin).status_code == 204
    assert world.call("GET", f"/v1/users/{item['portal_user_id']}", admin).status_code == 404
    assert world.call("GET", "/v1/account-contacts", admin).json["items"] == []
    # the address is free again
    assert create(world, admin, portal_access=True).status_code == 201


def test_emails_are_unique_among_contacts(world, admin):
    create(world, admin)
    taken = create(world, admin, email="CARLA@cliente.example.com")
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "name_taken"
    assert taken.json["error"]["details"][0]["loc"] == ["body", "email"]


def test_bad_input_is_refused(world, admin):
    for body in (
        contact(email="not-an-email"),
        contact(first_name=""),
        contact(colour="red"),
        contact(email_preferences={"billing": "often"}),
        contact(email_preferences={"marketing": True}),
        {"email": "x@cliente.example.com"},
    ):
        refused = world.call("POST", "/v1/account-contacts", admin, body)
        assert refused.status_code == 400, body
        assert refused.json["error"]["code"] == "validation_error"


def test_a_partial_preference_edit_keeps_the_others(world, admin):
    item = create(world, admin, email_preferences={"general": False, "support": True}).json
    assert item["email_preferences"] == {
        "general": False,
        "products": False,
        "channels": False,
        "billing": False,
        "support": True,
    }
    path = f"/v1/account-contacts/{item['id']}"
    edited = world.call(
        "PATCH", path, admin, {"email_preferences": {"billing": True}, "tax_id": "1"}
    )
    assert edited.json["email_preferences"] == {
        "general": False,
        "products": False,
        "channels": False,
        "billing": True,
        "support": True,
    }
    updated, _ = world.call("GET", f"{path}/history", admin).json["items"]
    assert updated["before"] == {
        "email_preferences": {**item["email_preferences"], "billing": False}
    }
    assert updated["after"] == {"email_preferences": edited.json["email_preferences"]}


def test_recipients_are_exactly_the_contacts_whose_preference_covers_the_kind(world, signup, admin):
    tenant = signup["tenant"]["id"]
    wants = {
        "geral@cliente.example.com": {},  # the default: general only
        "financeiro@cliente.example.com": {"general": False, "billing": True},
        "ti@cliente.example.com": {"general": False, "channels": True, "support": True},
        "compras@cliente.example.com": {"products": True, "billing": True},
        "ninguem@cliente.example.com": dict.fromkeys(PREFERENCE_KEYS, False),
    }
    for email, preferences in wants.items():
        assert create(world, admin, email=email, email_preferences=preferences).status_code == 201
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    create(
        world,
        other,
        email="outra@beta.example.com",
        email_preferences=dict.fromkeys(PREFERENCE_KEYS, True),
    )

    assert {kind: account_recipients(tenant, kind) for kind in EMAIL_KINDS} == {
        "general": ["compras@cliente.example.com", "geral@cliente.example.com"],
        "products": ["compras@cliente.example.com"],
        "channels": ["ti@cliente.example.com"],
        "billing": ["compras@cliente.example.com", "financeiro@cliente.example.com"],
        "support": ["ti@cliente.example.com"],
    }


def test_staff_other_than_admins_do_not_see_contacts(world, admin):
    item = create(world, admin).json
    supervisor = world.user_with_role(admin, "sue@acme.example.com", "supervisor")
    for method, path in (
        ("GET", "/v1/account-contacts"),
        ("GET", f"/v1/account-contacts/{item['id']}"),
        ("POST", "/v1/account-contacts"),
    ):
        refused = world.call(method, path, supervisor, contact() if method == "POST" else None)
        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "forbidden"
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    assert world.call("GET", f"/v1/account-contacts/{item['id']}", other).status_code == 404


def test_the_signing_up_admin_is_the_first_contact_for_every_kind_of_email(world):
    from chalicelib.domain.accounts.recipients import EMAIL_KINDS, account_recipients

    body = world.signup(email="ana@acme.example.com")
    contacts = world.call("GET", "/v1/account-contacts", body["access_token"]).json["items"]
    assert [c["email"] for c in contacts] == ["ana@acme.example.com"]
    assert all(contacts[0]["email_preferences"].values())
    for kind in EMAIL_KINDS:
        assert account_recipients(body["tenant"]["id"], kind) == ["ana@acme.example.com"]
