"""Agent groups: a name, a description and members who are users of the same tenant."""


def create(world, token, **body):
    return world.call("POST", "/v1/agent-groups", token, {"name": "Ventas", **body})


def test_a_group_is_created_read_listed_edited_and_deleted(world, admin):
    pat = world.invite(admin, "pat@acme.example.com", "agent")["id"]
    lu = world.invite(admin, "lu@acme.example.com", "supervisor")["id"]
    created = create(world, admin, description="Equipo comercial", members=[lu, pat, lu])
    assert created.status_code == 201, created.json
    group = created.json
    assert group["name"] == "Ventas"
    assert group["description"] == "Equipo comercial"
    assert group["members"] == [lu, pat]  # duplicates dropped, order kept
    assert set(group) == {"id", "name", "description", "members", "created_at", "updated_at"}

    path = f"/v1/agent-groups/{group['id']}"
    assert world.call("GET", path, admin).json == group
    assert world.call("GET", "/v1/agent-groups", admin).json == {
        "items": [group],
        "next_cursor": None,
    }

    edited = world.call("PATCH", path, admin, {"name": "Ventas B2B", "members": [pat]})
    assert edited.status_code == 200, edited.json
    assert edited.json["name"] == "Ventas B2B"
    assert edited.json["members"] == [pat]
    assert edited.json["description"] == "Equipo comercial"

    assert world.call("DELETE", path, admin).status_code == 204
    missing = world.call("GET", path, admin)
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    assert world.call("GET", "/v1/agent-groups", admin).json["items"] == []


def test_history_records_creation_and_each_change(world, admin):
    pat = world.invite(admin, "pat@acme.example.com", "agent")["id"]
    group = create(world, admin).json
    world.call("PATCH", f"/v1/agent-groups/{group['id']}", admin, {"members": [pat]})
    history = world.call("GET", f"/v1/agent-groups/{group['id']}/history", admin)
    assert history.status_code == 200
    updated, created = history.json["items"]
    assert created["action"] == "created"
    assert created["after"] == {"name": "Ventas", "description": "", "members": []}
    assert updated["action"] == "updated"
    assert updated["before"] == {"members": []}
    assert updated["after"] == {"members": [pat]}


def test_unknown_members_are_refused_by_name(world, admin):
    pat = world.invite(admin, "pat@acme.example.com", "agent")["id"]
    refused = create(world, admin, members=[pat, "nobody1", "nobody2"])
    assert refused.status_code == 400
    error = refused.json["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "Not users of the help desk: nobody1, nobody2."
    assert [d["msg"] for d in error["details"]] == ["no user nobody1", "no user nobody2"]
    assert {tuple(d["loc"]) for d in error["details"]} == {("body", "members")}
    assert world.call("GET", "/v1/agent-groups", admin).json["items"] == []


def test_a_user_of_another_tenant_cannot_be_a_member(world, admin):
    other_admin = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    stranger = world.invite(other_admin, "sam@beta.example.com", "agent")["id"]
    refused = create(world, admin, members=[stranger])
    assert refused.status_code == 400
    assert refused.json["error"]["message"] == f"Not users of the help desk: {stranger}."

    group = create(world, admin).json
    patched = world.call("PATCH", f"/v1/agent-groups/{group['id']}", admin, {"members": [stranger]})
    assert patched.status_code == 400
    assert world.call("GET", f"/v1/agent-groups/{group['id']}", admin).json["members"] == []


def test_at_most_200_members(world, admin):
    refused = create(world, admin, members=[f"u{i}" for i in range(201)])
    assert refused.status_code == 400
    [detail] = refused.json["error"]["details"]
    assert detail["loc"] == ["body", "members"]
    assert detail["type"] == "too_long"


def test_names_are_unique_in_the_tenant_whatever_the_case(world, admin):
    first = create(world, admin).json
    taken = create(world, admin, name="VENTAS")
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "name_taken"
    assert taken.json["error"]["details"][0]["loc"] == ["body", "name"]

    soporte = create(world, admin, name="Soporte").json
    renamed = world.call("PATCH", f"/v1/agent-groups/{soporte['id']}", admin, {"name": "ventas"})
    assert renamed.status_code == 409
    assert renamed.json["error"]["code"] == "name_taken"

    # renaming frees the old name; another tenant may use any name
    world.call("PATCH", f"/v1/agent-groups/{first['id']}", admin, {"name": "Ventas 2"})
    assert create(world, admin).status_code == 201
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    assert create(world, other).status_code == 201


def test_bad_input_is_refused(world, admin):
    for body in (
        {"name": ""},
        {"name": "x" * 101},
        {"name": "A", "colour": "red"},
        {"name": "A", "members": "pat"},
        {"description": "no name"},
    ):
        refused = world.call("POST", "/v1/agent-groups", admin, body)
        assert refused.status_code == 400, body
        assert refused.json["error"]["code"] == "validation_error"


def test_roles_and_tenants(world, admin):
    group = create(world, admin).json
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    assert world.call("GET", "/v1/agent-groups", agent).status_code == 200
    for method, path in (
        ("POST", "/v1/agent-groups"),
        ("PATCH", f"/v1/agent-groups/{group['id']}"),
        ("DELETE", f"/v1/agent-groups/{group['id']}"),
    ):
        refused = world.call(method, path, agent, {"name": "X"} if method != "DELETE" else None)
        assert refused.status_code == 403, (method, path)
        assert refused.json["error"]["code"] == "forbidden"
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    assert world.call("GET", f"/v1/agent-groups/{group['id']}", other).status_code == 404
    assert world.call("GET", "/v1/agent-groups", other).json["items"] == []


def test_a_deleted_user_leaves_their_groups_and_portal_users_cannot_join(world):
    admin = world.signup()["access_token"]
    pat = world.invite(admin, "pat@acme.example.com", "agent")
    lu = world.invite(admin, "lu@acme.example.com", "agent")
    group = world.call(
        "POST", "/v1/agent-groups", admin, {"name": "Noche", "members": [pat["id"], lu["id"]]}
    ).json
    assert world.call("DELETE", f"/v1/users/{pat['id']}", admin).status_code == 204
    assert world.call("GET", f"/v1/agent-groups/{group['id']}", admin).json["members"] == [lu["id"]]
    edited = world.call(
        "PATCH", f"/v1/agent-groups/{group['id']}", admin, {"description": "turno noche"}
    )
    assert edited.status_code == 200
    portal = world.invite(admin, "carla@acme.example.com", "account_contact")
    refused = world.call(
        "PATCH", f"/v1/agent-groups/{group['id']}", admin, {"members": [lu["id"], portal["id"]]}
    )
    assert refused.status_code == 400 and portal["id"] in refused.json["error"]["message"]
