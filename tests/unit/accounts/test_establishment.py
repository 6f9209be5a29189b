"""The establishment and the account summary (seed 000)."""


def test_the_admin_edits_company_and_fiscal_data_and_history_keeps_it(world):
    admin = world.signup(company="Acme")["access_token"]
    patched = world.call(
        "PATCH",
        "/v1/establishment",
        admin,
        {
            "address": "Av. Providencia 1234, Santiago",
            "timezone": "America/Sao_Paulo",
            "fiscal": {
                "legal_name": "Acme SpA",
                "tax_id": "76.123.456-0",
                "purchase_order": "OC-99",
            },
        },
    )
    assert patched.status_code == 200
    assert patched.json["fiscal"]["legal_name"] == "Acme SpA"
    again = world.call(
        "PATCH", "/v1/establishment", admin, {"fiscal": {"billing_address": "Casilla 1"}}
    )
    assert again.json["fiscal"]["legal_name"] == "Acme SpA"  # other fiscal fields kept
    assert again.json["fiscal"]["billing_address"] == "Casilla 1"
    shown = world.call("GET", "/v1/establishment", admin).json
    assert shown["timezone"] == "America/Sao_Paulo" and shown["name"] == "Acme"


def test_establishment_edits_are_validated(world):
    admin = world.signup()["access_token"]
    assert world.call("PATCH", "/v1/establishment", admin, {"locale": "fr"}).status_code == 400
    assert (
        world.call("PATCH", "/v1/establishment", admin, {"timezone": "Nowhere/Land"}).status_code
        == 400
    )
    assert (
        world.call("PATCH", "/v1/establishment", admin, {"fiscal": {"vat": "1"}}).status_code == 400
    )
    assert (
        world.call("PATCH", "/v1/establishment", admin, {"admin_email": "nope"}).status_code == 400
    )


def test_the_account_summary_counts_and_shows_the_first_items(world):
    admin = world.signup()["access_token"]
    world.invite(admin, "pat@acme.example.com", "agent")
    for name in ("Ventas", "Soporte"):
        world.call("POST", "/v1/departments", admin, {"name": name})
    summary = world.call("GET", "/v1/account/summary", admin).json
    assert summary["users"]["count"] == 2
    assert summary["departments"]["count"] == 2
    assert {d["name"] for d in summary["departments"]["first"]} == {"Ventas", "Soporte"}
    assert summary["channels"] == {"count": 0, "first": []}
    department = summary["departments"]["first"][0]["id"]
    world.call("DELETE", f"/v1/departments/{department}", admin)
    assert world.call("GET", "/v1/account/summary", admin).json["departments"]["count"] == 1


def test_the_account_summary_names_each_channels_type_and_state(world):
    admin = world.signup()["access_token"]
    created = world.call(
        "POST",
        "/v1/channels",
        admin,
        {
            "type": "whatsapp",
            "name": "Ventas",
            "identifiers": {
                "phone_number_id": "109876543210987",
                "business_account_id": "102290129340398",
                "display_phone_number": "+56 9 1111 2222",
            },
            "credentials": {"access_token": "EAAG-any-local-token"},
        },
    )
    assert created.status_code == 201, created.json
    channels = world.call("GET", "/v1/account/summary", admin).json["channels"]
    assert channels["count"] == 1
    assert channels["first"] == [
        {
            "id": created.json["id"],
            "name": "Ventas",
            "type": "whatsapp",
            "status": created.json["status"],
        }
    ]


def test_department_names_are_unique_in_a_tenant_but_not_across(world):
    admin_a = world.signup(company="A", email="a@a.example.com")["access_token"]
    admin_b = world.signup(company="B", email="b@b.example.com")["access_token"]
    assert world.call("POST", "/v1/departments", admin_a, {"name": "Ventas"}).status_code == 201
    clash = world.call("POST", "/v1/departments", admin_a, {"name": "VENTAS"})
    assert clash.status_code == 409 and clash.json["error"]["code"] == "name_taken"
    assert world.call("POST", "/v1/departments", admin_b, {"name": "Ventas"}).status_code == 201


def test_a_department_rename_frees_the_old_name(world):
    admin = world.signup()["access_token"]
    sales = world.call("POST", "/v1/departments", admin, {"name": "Ventas"}).json
    support = world.call("POST", "/v1/departments", admin, {"name": "Soporte"}).json
    assert (
        world.call(
            "PATCH", f"/v1/departments/{support['id']}", admin, {"name": "ventas"}
        ).status_code
        == 409
    )
    renamed = world.call("PATCH", f"/v1/departments/{sales['id']}", admin, {"name": "Comercial"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Comercial"
    assert world.call("POST", "/v1/departments", admin, {"name": "Ventas"}).status_code == 201
    history = world.call("GET", f"/v1/departments/{sales['id']}/history", admin).json["items"]
    assert [h["action"] for h in history] == ["updated", "created"]
    assert history[0]["before"] == {"name": "Ventas"} and history[0]["after"] == {
        "name": "Comercial"
    }
