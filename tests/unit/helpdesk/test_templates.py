"""WhatsApp message templates (SPEC §4): the tenant's list, and rendering one for a reply."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.helpdesk.templates import parameter_count, render_template
from tests.support.roles import every_role, roles_allowed, walk_routes_by_role

BODY = "Hola {{1}}, tu pedido {{2}} llegará el {{3}}."


def create(world, token, name="pedido_en_camino", language="es", **body):
    return world.call(
        "POST",
        "/v1/templates",
        token,
        {"name": name, "language": language, "category": "UTILITY", "body": BODY, **body},
    )


def connect(world, token, channel_type="whatsapp", number="106540352249876"):
    bodies = {
        "whatsapp": {
            "type": "whatsapp",
            "name": "Ventas",
            "credentials": {"access_token": "EAAG-token-1234567890"},
            "identifiers": {
                "phone_number_id": number,
                "business_account_id": "102290129340398",
                "display_phone_number": "+56 9 1111 2222",
            },
        },
        "email": {
            "type": "email",
            "name": "Soporte",
            "identifiers": {"address": f"soporte{number}@acme.example.com"},
        },
    }
    created = world.call("POST", "/v1/channels", token, bodies[channel_type])
    assert created.status_code == 201, created.json
    return created.json["id"]


def test_a_template_keeps_its_fields_and_counts_its_parameters(world, admin):
    created = create(world, admin)
    assert created.status_code == 201, created.json
    template = created.json
    assert {k: v for k, v in template.items() if k not in ("id", "created_at", "updated_at")} == {
        "name": "pedido_en_camino",
        "language": "es",
        "category": "UTILITY",
        "body": BODY,
        "parameter_count": 3,
        "channel_id": None,
        "status": "approved",
    }
    path = f"/v1/templates/{template['id']}"
    assert world.call("GET", path, admin).json == template
    edited = world.call("PATCH", path, admin, {"body": "Hola {{1}}", "status": "pending"})
    assert edited.status_code == 200, edited.json
    assert (edited.json["parameter_count"], edited.json["status"]) == (1, "pending")
    assert edited.json["name"] == "pedido_en_camino"
    history = world.call("GET", path + "/history", admin).json["items"]
    assert [h["action"] for h in history] == ["updated", "created"]
    assert world.call("DELETE", path, admin).status_code == 204
    assert world.call("GET", "/v1/templates", admin).json["items"] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Gracias por escribir.", 0),
        ("Hola {{1}}", 1),
        ("{{2}} antes que {{1}}", 2),
        ("{{1}} y otra vez {{1}}", 1),
        ("".join(f"{{{{{n}}}}} " for n in range(1, 13)), 12),
    ],
)
def test_parameters_are_counted_from_the_body(body, expected):
    assert parameter_count(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "Hola {{1}} y {{3}}",
        "Hola {{2}}",
        "Hola {{0}}",
        "Hola {{nombre}}",
        "Hola {{ 1 }}",
        "Hola {{1}",
        "Hola }}1{{",
        "Hola {{01}}",
        "",
        "x" * 1025,
    ],
)
def test_bad_bodies_are_refused(world, admin, body):
    refused = create(world, admin, body=body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["details"][0]["loc"] == ["body", "body"]


def test_the_gap_in_the_parameters_is_named(world, admin):
    refused = create(world, admin, body="Hola {{1}}, {{4}}")
    assert "missing {{2}}, {{3}}" in refused.json["error"]["details"][0]["msg"]


@pytest.mark.parametrize(
    ("field", "value", "good"),
    [
        ("name", "a" * 512, True),
        ("name", "promo_2026", True),
        ("name", "a" * 513, False),
        ("name", "Promo", False),
        ("name", "promo-2026", False),
        ("name", "promo navidad", False),
        ("name", "", False),
        ("language", "es", True),
        ("language", "es_MX", True),
        ("language", "pt_BR", True),
        ("language", "en_US", True),
        ("language", "fil", True),
        ("language", "es-MX", False),
        ("language", "es_mx", False),
        ("language", "ES", False),
        ("language", "spanish", False),
        ("category", "MARKETING", True),
        ("category", "AUTHENTICATION", True),
        ("category", "utility", False),
        ("category", "SERVICE", False),
        ("status", "rejected", True),
        ("status", "approved", True),
        ("status", "draft", False),
    ],
)
def test_fields_follow_metas_rules(world, admin, field, value, good):
    response = create(world, admin, **{field: value})
    assert response.status_code == (201 if good else 400), response.json
    if not good:
        assert response.json["error"]["details"][0]["loc"] == ["body", field]


def test_a_name_is_unique_per_language(world, admin):
    es = create(world, admin).json
    assert create(world, admin, language="pt_BR").status_code == 201
    mx = create(world, admin, language="es_MX").json
    refused = create(world, admin, category="MARKETING")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "name_taken"
    assert [d["loc"] for d in refused.json["error"]["details"]] == [
        ["body", "name"],
        ["body", "language"],
    ]
    clash = world.call("PATCH", f"/v1/templates/{mx['id']}", admin, {"language": "es"})
    assert clash.status_code == 409
    renamed = world.call("PATCH", f"/v1/templates/{es['id']}", admin, {"name": "pedido_v2"})
    assert renamed.status_code == 200
    assert create(world, admin).status_code == 201  # the old (name, language) is free


def test_a_template_names_only_a_whatsapp_channel_of_the_account(world, admin):
    whatsapp = connect(world, admin)
    email = connect(world, admin, "email")
    created = create(world, admin, channel_id=whatsapp)
    assert created.status_code == 201, created.json
    assert created.json["channel_id"] == whatsapp
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    theirs = connect(world, other, number="999999999999999")
    for channel_id, why in (
        (email, "not a WhatsApp channel"),
        (theirs, "no such channel"),
        ("01nosuchchannel00000000000", "no such channel"),
    ):
        refused = create(world, admin, name="otro", channel_id=channel_id)
        assert refused.status_code == 400, refused.json
        assert refused.json["error"]["details"] == [
            {"loc": ["body", "channel_id"], "msg": why, "type": "reference"}
        ]
    path = f"/v1/templates/{created.json['id']}"
    assert world.call("PATCH", path, admin, {"channel_id": email}).status_code == 400
    unlinked = world.call("PATCH", path, admin, {"channel_id": ""})
    assert unlinked.status_code == 200 and unlinked.json["channel_id"] is None


def test_an_approved_template_renders_with_its_parameters(world, admin, tenant):
    create(world, admin)
    template, text = render_template(tenant, "pedido_en_camino", "es", ["Ana", "#123", "{{2}}"])
    assert text == "Hola Ana, tu pedido #123 llegará el {{2}}."
    assert (template["name"], template["language"], template["parameter_count"]) == (
        "pedido_en_camino",
        "es",
        3,
    )


@pytest.mark.parametrize(
    ("name", "language", "parameters", "code", "message"),
    [
        ("no_existe", "es", [], "unknown_template", "no WhatsApp template “no_existe”"),
        ("pedido_en_camino", "pt_BR", ["a", "b", "c"], "unknown_template", "language “pt_BR”"),
        ("borrador", "es", ["a", "b", "c"], "template_not_approved", "is pending, not approved"),
        ("pedido_en_camino", "es", ["a", "b"], "template_parameters", "takes 3 parameters; 2"),
        ("pedido_en_camino", "es", ["a", "b", "c", "d"], "template_parameters", "; 4 given"),
        ("pedido_en_camino", "es", ["a", " ", "c"], "template_parameters", "{{2}} is not valid"),
        ("pedido_en_camino", "es", ["a\nb", "b", "c"], "template_parameters", "new lines"),
    ],
)
def test_rendering_refuses_what_whatsapp_would_refuse(
    world, admin, tenant, name, language, parameters, code, message
):
    create(world, admin)
    create(world, admin, name="borrador", status="pending")
    with pytest.raises(Invalid) as refused:
        render_template(tenant, name, language, parameters)
    assert refused.value.code == code
    assert message in refused.value.message


def test_another_tenants_template_is_unknown(world, admin):
    create(world, admin)
    other = world.signup(company="Otra", email="bea@otra.example.com")
    with pytest.raises(Invalid) as refused:
        render_template(other["tenant"]["id"], "pedido_en_camino", "es", ["a", "b", "c"])
    assert refused.value.code == "unknown_template"


def test_the_list_pages_and_filters_by_name_prefix(world, admin):
    for name in ("pedido_listo", "promo", "pedido_en_camino", "bienvenida"):
        assert create(world, admin, name=name).status_code == 201
    found = world.call("GET", "/v1/templates?prefix=pedido", admin).json["items"]
    assert [t["name"] for t in found] == ["pedido_en_camino", "pedido_listo"]
    first = world.call("GET", "/v1/templates?limit=3", admin).json
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = world.call("GET", f"/v1/templates?limit=3&cursor={first['next_cursor']}", admin).json
    assert len(rest["items"]) == 1


def test_every_role_as_the_access_table_says(world, admin):
    readers = {"admin", "supervisor", "agent", "stakeholder"}
    assert roles_allowed("templates.read") == readers
    assert roles_allowed("templates.manage") == {"admin"}
    tokens = every_role(world, admin)
    template = create(world, admin).json
    walk_routes_by_role(
        world,
        tokens,
        "/v1/templates",
        template["id"],
        create_body={"name": "otra", "language": "es", "category": "MARKETING", "body": "Hola"},
        patch_body={"status": "rejected"},
        readers=readers,
        history_readers={"admin", "supervisor"},
    )


def test_another_tenant_neither_sees_nor_touches_the_templates(world, admin):
    template = create(world, admin).json
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    assert world.call("GET", "/v1/templates", other).json["items"] == []
    assert world.call("GET", "/v1/templates?prefix=", other).json["items"] == []
    path = f"/v1/templates/{template['id']}"
    for method, body in (("GET", None), ("PATCH", {"status": "rejected"}), ("DELETE", None)):
        assert world.call(method, path, other, body).status_code == 404, method
    assert world.call("GET", path + "/history", other).status_code == 404
    assert create(world, other).status_code == 201  # same (name, language), other tenant
    assert world.call("GET", path, admin).json == template
