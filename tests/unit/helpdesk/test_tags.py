"""Tags (SPEC §4): the tenant's list of ticket labels."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.helpdesk.tags import check_tags, fold, tag_ids_exist
from chalicelib.store.meter import measure
from tests.support.roles import every_role, roles_allowed, walk_routes_by_role


def create(world, token, name, **body):
    return world.call("POST", "/v1/tags", token, {"name": name, **body})


def names(response):
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


def test_a_tag_is_created_read_recoloured_renamed_and_deleted(world, admin):
    created = create(world, admin, "  Envío \t  urgente ", color="#ff8800")
    assert created.status_code == 201, created.json
    tag = created.json
    assert set(tag) == {"id", "name", "color", "created_at", "updated_at"}
    assert (tag["name"], tag["color"]) == ("Envío urgente", "#FF8800")
    assert world.call("GET", f"/v1/tags/{tag['id']}", admin).json == tag
    assert names(world.call("GET", "/v1/tags", admin)) == ["Envío urgente"]

    path = f"/v1/tags/{tag['id']}"
    renamed = world.call("PATCH", path, admin, {"name": "Despacho"})
    assert renamed.status_code == 200, renamed.json
    assert (renamed.json["name"], renamed.json["color"]) == ("Despacho", "#FF8800")
    uncoloured = world.call("PATCH", path, admin, {"color": ""})
    assert (uncoloured.json["name"], uncoloured.json["color"]) == ("Despacho", None)

    history = world.call("GET", path + "/history", admin).json["items"]
    assert [h["action"] for h in history] == ["updated", "updated", "created"]
    assert history[1]["before"]["name"] == "Envío urgente"
    assert history[1]["after"]["name"] == "Despacho"

    assert world.call("DELETE", path, admin).status_code == 204
    assert world.call("GET", path, admin).status_code == 404
    assert names(world.call("GET", "/v1/tags", admin)) == []


def test_names_are_unique_whatever_their_case_and_accents(world, admin):
    envio = create(world, admin, "Envío").json
    for taken in ("envio", "ENVÍO", " envío ", "Énvio", "ENVI\u0301O"):
        refused = create(world, admin, taken)
        assert refused.status_code == 409, taken
        error = refused.json["error"]
        assert error["code"] == "name_taken"
        assert error["details"] == [
            {"loc": ["body", "name"], "msg": "already in use", "type": "unique"}
        ]
    other = create(world, admin, "Reclamo").json
    clash = world.call("PATCH", f"/v1/tags/{other['id']}", admin, {"name": "ENVIO"})
    assert clash.status_code == 409
    # changing one's own name's case or accents is no clash
    recased = world.call("PATCH", f"/v1/tags/{envio['id']}", admin, {"name": "ENVIO"})
    assert recased.status_code == 200, recased.json
    assert recased.json["name"] == "ENVIO"
    assert world.call("DELETE", f"/v1/tags/{envio['id']}", admin).status_code == 204
    assert create(world, admin, "envío").status_code == 201  # the name is free again


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "    "}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "bell\x07"}, "name"),
        ({"name": "zero\u200bwidth"}, "name"),
        ({}, "name"),
        ({"name": "ok", "color": "red"}, "color"),
        ({"name": "ok", "color": "#12345"}, "color"),
        ({"name": "ok", "color": "#GGGGGG"}, "color"),
        ({"name": "ok", "colour": "#123456"}, "colour"),
    ],
)
def test_bad_tags_are_refused_with_the_field_named(world, admin, body, field):
    refused = world.call("POST", "/v1/tags", admin, body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["code"] == "validation_error"
    assert refused.json["error"]["details"][0]["loc"] == ["body", field]
    assert world.call("GET", "/v1/tags", admin).json["items"] == []


def test_fifty_characters_are_counted_as_people_count_them(world, admin):
    assert create(world, admin, "é" * 50).status_code == 201
    assert create(world, admin, "🏷️" * 25).status_code == 201  # two code points each
    assert create(world, admin, "a" * 50, color=None).status_code == 201


def test_the_picker_finds_tags_by_prefix_without_case_or_accents(world, admin):
    for name in ("Envío", "envoltorio", "Reclamo", "ENVIADO", "Éxito"):
        assert create(world, admin, name).status_code == 201
    for prefix in ("env", "ENV", "énv"):
        assert names(world.call("GET", f"/v1/tags?prefix={prefix}", admin)) == [
            "ENVIADO",
            "Envío",
            "envoltorio",
        ]
    assert names(world.call("GET", "/v1/tags?prefix=exi", admin)) == ["Éxito"]
    assert len(names(world.call("GET", "/v1/tags?prefix=", admin))) == 5


def test_every_role_as_the_access_table_says(world, admin):
    readers = {"admin", "supervisor", "agent", "analyst", "stakeholder"}
    assert roles_allowed("tags.read") == readers
    assert roles_allowed("tags.manage") == {"admin"}
    tokens = every_role(world, admin)
    tag = create(world, admin, "VIP").json
    walk_routes_by_role(
        world,
        tokens,
        "/v1/tags",
        tag["id"],
        create_body={"name": "Nuevo"},
        patch_body={"color": "#000000"},
        readers=readers,
        history_readers={"admin", "supervisor"},
    )


def test_another_tenant_neither_sees_nor_touches_the_tags(world, admin):
    tag = create(world, admin, "VIP", color="#FFD700").json
    other = world.signup(company="Otra", email="bea@otra.example.com")["access_token"]
    assert world.call("GET", "/v1/tags", other).json["items"] == []
    assert world.call("GET", "/v1/tags?prefix=v", other).json["items"] == []
    path = f"/v1/tags/{tag['id']}"
    assert world.call("GET", path, other).status_code == 404
    assert world.call("GET", path + "/history", other).status_code == 404
    assert world.call("PATCH", path, other, {"name": "Mío"}).status_code == 404
    assert world.call("DELETE", path, other).status_code == 404
    # the same name is free in another tenant
    assert create(world, other, "vip").status_code == 201
    assert world.call("GET", path, admin).json == tag


def test_ticket_edits_check_tag_ids_with_one_batch_read(world, signup, admin):
    tenant = signup["tenant"]["id"]
    mine = [create(world, admin, f"t{i}").json["id"] for i in range(3)]
    other = world.signup(company="Otra", email="bea@otra.example.com")
    theirs = create(world, other["access_token"], "ajena").json["id"]
    with measure() as meter:
        found = tag_ids_exist(tenant, [*mine, mine[0], theirs, "01nosuchtag0000000000000000"])
    assert found == set(mine)
    assert meter.requests == 1 and meter.count("BatchGetItem") == 1
    assert tag_ids_exist(tenant, []) == set()
    with pytest.raises(Invalid) as refused:
        check_tags(tenant, [mine[1], theirs])
    assert refused.value.details == [
        {"loc": ["body", "tags"], "msg": f"no tag {theirs}", "type": "reference"}
    ]
    check_tags(tenant, mine)


def test_folding_ignores_case_accents_and_spaces_but_keeps_signs():
    assert fold("  Envío   Urgente ") == "envio urgente"
    assert fold("STRASSE") == fold("straße")
    assert fold("C++") != fold("C#")
