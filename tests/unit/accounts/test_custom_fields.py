"""Custom fields of clients and tickets: definitions through the API, values checked."""

import pytest

from chalicelib.domain.accounts.custom_fields import validate_values
from chalicelib.domain.errors import Invalid


def define(world, token, key, type="text", applies_to="client", **body):
    return world.call(
        "POST",
        "/v1/custom-fields",
        token,
        {
            "applies_to": applies_to,
            "key": key,
            "label": key.replace("_", " ").title(),
            "type": type,
            **body,
        },
    )


def test_a_field_is_defined_read_edited_and_deleted(world, admin):
    created = define(world, admin, "plan", "select", options=["Gold", "Silver"], required=True)
    assert created.status_code == 201, created.json
    field = created.json
    assert {k: field[k] for k in ("applies_to", "key", "label", "type", "options", "required")} == {
        "applies_to": "client",
        "key": "plan",
        "label": "Plan",
        "type": "select",
        "options": ["Gold", "Silver"],
        "required": True,
    }
    path = f"/v1/custom-fields/{field['id']}"
    assert world.call("GET", path, admin).json == field
    text = define(world, admin, "notes").json
    assert (text["options"], text["required"]) == ([], False)
    assert {i["key"] for i in world.call("GET", "/v1/custom-fields", admin).json["items"]} == {
        "plan",
        "notes",
    }

    edited = world.call(
        "PATCH", path, admin, {"label": "Plan contratado", "options": ["Gold", "Silver", "Bronze"]}
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["options"] == ["Gold", "Silver", "Bronze"]
    # sending the unchanged key and applies_to (a whole form) is fine
    same = world.call(
        "PATCH", path, admin, {"key": "plan", "applies_to": "client", "required": False}
    )
    assert same.status_code == 200
    assert same.json["required"] is False

    history = world.call("GET", f"{path}/history", admin).json["items"]
    assert [h["action"] for h in history] == ["updated", "updated", "created"]
    assert history[1]["before"] == {"label": "Plan", "options": ["Gold", "Silver"]}
    assert history[1]["after"] == {
        "label": "Plan contratado",
        "options": ["Gold", "Silver", "Bronze"],
    }

    assert world.call("DELETE", path, admin).status_code == 204
    assert world.call("GET", path, admin).status_code == 404


@pytest.mark.parametrize(
    "key", ["Plan", "1plan", "plan-b", "plan b", "_plan", "p" * 41, "", "plán"]
)
def test_keys_are_lower_snake_case(world, admin, key):
    refused = define(world, admin, key)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "validation_error"
    assert refused.json["error"]["details"][0]["loc"] == ["body", "key"]


def test_keys_are_unique_in_the_tenant(world, admin):
    define(world, admin, "cpf")
    taken = define(world, admin, "cpf", applies_to="ticket")
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "name_taken"
    assert taken.json["error"]["details"][0]["loc"] == ["body", "key"]
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    assert define(world, other, "cpf").status_code == 201


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "select"}, "a select field needs at least one option"),
        ({"type": "select", "options": []}, "a select field needs at least one option"),
        ({"type": "select", "options": ["Sí", "sí"]}, "options must be distinct"),
        ({"type": "text", "options": ["a"]}, "only a select field has options"),
        ({"type": "number", "options": ["1"]}, "only a select field has options"),
    ],
)
def test_options_belong_to_select_fields_only(world, admin, body, message):
    refused = define(world, admin, "f", **body)
    assert refused.status_code == 400
    error = refused.json["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == f"The options are not valid: {message}."
    assert error["details"][0]["loc"] == ["body", "options"]


def test_other_bad_definitions(world, admin):
    for body in (
        {"applies_to": "order"},
        {"type": "boolean"},
        {"label": ""},
        {"required": "maybe"},
        {"options": [""], "type": "select"},
        {"colour": "red"},
    ):
        assert define(world, admin, "f", **body).status_code == 400, body


def test_key_and_applies_to_cannot_change(world, admin):
    field = define(world, admin, "cpf").json
    path = f"/v1/custom-fields/{field['id']}"
    for change, loc in (({"key": "rut"}, "key"), ({"applies_to": "ticket"}, "applies_to")):
        refused = world.call("PATCH", path, admin, {"label": "X", **change})
        assert refused.status_code == 400
        assert refused.json["error"]["code"] == "validation_error"
        assert refused.json["error"]["details"] == [
            {"loc": ["body", loc], "msg": "cannot change", "type": "immutable"}
        ]
    unchanged = world.call("GET", path, admin).json
    assert (unchanged["key"], unchanged["applies_to"], unchanged["label"]) == (
        "cpf",
        "client",
        "Cpf",
    )


def test_changing_the_type_checks_the_options(world, admin):
    field = define(world, admin, "tier", "select", options=["A", "B"]).json
    path = f"/v1/custom-fields/{field['id']}"
    refused = world.call("PATCH", path, admin, {"type": "text"})
    assert refused.status_code == 400
    assert refused.json["error"]["details"][0]["type"] == "options_not_allowed"
    changed = world.call("PATCH", path, admin, {"type": "text", "options": []})
    assert changed.status_code == 200
    assert (changed.json["type"], changed.json["options"]) == ("text", [])
    back = world.call("PATCH", path, admin, {"type": "select"})
    assert back.status_code == 400
    assert back.json["error"]["details"][0]["type"] == "missing"


def test_agents_read_definitions_only_admins_define(world, admin):
    define(world, admin, "cpf")
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    assert [i["key"] for i in world.call("GET", "/v1/custom-fields", agent).json["items"]] == [
        "cpf"
    ]
    refused = define(world, agent, "rut")
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "forbidden"


def test_validate_values_checks_and_normalises(world, signup, admin):
    tenant = signup["tenant"]["id"]
    define(world, admin, "cpf", required=True)
    define(world, admin, "employees", "number")
    define(world, admin, "since", "date")
    define(world, admin, "plan", "select", options=["Gold", "Silver"])
    define(world, admin, "priority", "select", applies_to="ticket", options=["Alta"], required=True)

    clean = validate_values(
        tenant,
        "client",
        {
            "cpf": "  123.456.789-00 ",
            "employees": 12.5,
            "since": "2024-02-29",
            "plan": "gold",
        },
    )
    assert clean == {
        "cpf": "123.456.789-00",
        "employees": 12.5,
        "since": "2024-02-29",
        "plan": "Gold",
    }
    # optional fields may be missing, null or empty; they are left out
    assert validate_values(tenant, "client", {"cpf": "1", "employees": None, "plan": ""}) == {
        "cpf": "1"
    }
    assert validate_values(tenant, "client", {"cpf": "1", "employees": 3}) == {
        "cpf": "1",
        "employees": 3,
    }
    assert validate_values(tenant, "ticket", {"priority": "ALTA"}) == {"priority": "Alta"}

    with pytest.raises(Invalid) as refused:
        validate_values(
            tenant,
            "client",
            {
                "employees": "12",
                "since": "2024-02-30",
                "plan": "Bronze",
                "priority": "Alta",
                "colour": 1,
            },
        )
    error = refused.value
    assert error.code == "validation_error"
    assert (
        error.message
        == "Some custom fields are not valid: colour, cpf, employees, plan, priority, since."
    )
    assert sorted((d["loc"][-1], d["type"]) for d in error.details) == [
        ("colour", "extra_forbidden"),
        ("cpf", "missing"),
        ("employees", "number_type"),
        ("plan", "enum"),
        ("priority", "extra_forbidden"),
        ("since", "date_format"),
    ]
    assert all(d["loc"][:2] == ["body", "custom_fields"] for d in error.details)


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("employees", True, "number_type"),
        ("employees", float("nan"), "number_type"),
        ("since", "2024/01/01", "date_format"),
        ("since", "20240101", "date_format"),
        ("since", "2024-W01-1", "date_format"),
        ("since", 20240101, "date_format"),
        ("cpf", 123, "string_type"),
        ("cpf", "x" * 2001, "string_too_long"),
        ("plan", ["Gold"], "enum"),
    ],
)
def test_validate_values_refuses_wrong_types(world, signup, admin, key, value, kind):
    tenant = signup["tenant"]["id"]
    define(world, admin, "cpf")
    define(world, admin, "employees", "number")
    define(world, admin, "since", "date")
    define(world, admin, "plan", "select", options=["Gold"])
    with pytest.raises(Invalid) as refused:
        validate_values(tenant, "client", {key: value}, loc=["body", "fields"])
    assert [(d["loc"], d["type"]) for d in refused.value.details] == [
        (["body", "fields", key], kind)
    ]


def test_validate_values_reads_every_page_of_definitions(world, signup, admin, monkeypatch):
    from chalicelib.domain.accounts import custom_fields

    monkeypatch.setattr(custom_fields, "PAGE_SIZE", 2)
    tenant = signup["tenant"]["id"]
    for i in (0, 1, 2, 3, 104):
        define(world, admin, f"f{i:03d}")
    define(world, admin, "last", required=True)
    with pytest.raises(Invalid) as refused:
        validate_values(tenant, "client", {"f104": "x"})
    assert [d["loc"][-1] for d in refused.value.details] == ["last"]
    assert validate_values(tenant, "client", {"f000": "a", "f104": "b", "last": "c"}) == {
        "f000": "a",
        "f104": "b",
        "last": "c",
    }
