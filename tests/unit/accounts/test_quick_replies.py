"""Quick replies and the "/" picker."""

import pytest


def create(world, token, shortcut, text="Hola, ¿en qué te ayudo?", **body):
    return world.call(
        "POST", "/v1/quick-replies", token, {"shortcut": shortcut, "text": text, **body}
    )


def shortcuts(response):
    assert response.status_code == 200, response.json
    return [item["shortcut"] for item in response.json["items"]]


def test_a_reply_is_created_without_its_slash_and_keeps_emoji(world, signup, admin):
    tenant = signup["tenant"]["id"]
    text = "¡Hola! 👋🏽 Gracias por escribir 👨‍👩‍👧 — ¿cómo podemos ayudarte?"
    attachment = {
        "name": "Catálogo.pdf",
        "content_type": "application/pdf",
        "s3_key": f"uploads/{tenant}/catalogo.pdf",
    }
    created = create(world, admin, "/Saludo", text, attachments=[attachment])
    assert created.status_code == 201, created.json
    reply = created.json
    assert reply["shortcut"] == "Saludo"
    assert reply["text"] == text
    assert reply["attachments"] == [attachment]
    assert world.call("GET", f"/v1/quick-replies/{reply['id']}", admin).json == reply

    edited = world.call(
        "PATCH",
        f"/v1/quick-replies/{reply['id']}",
        admin,
        {"shortcut": "/saludo-2", "attachments": []},
    )
    assert edited.status_code == 200, edited.json
    assert (edited.json["shortcut"], edited.json["attachments"], edited.json["text"]) == (
        "saludo-2",
        [],
        text,
    )


@pytest.mark.parametrize(
    "shortcut", ["hola mundo", "", "/", "//hola", "ho!a", "a" * 41, "ho#la", "ho.la"]
)
def test_bad_shortcuts_are_refused(world, admin, shortcut):
    refused = create(world, admin, shortcut)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "validation_error"
    assert refused.json["error"]["details"][0]["loc"] == ["body", "shortcut"]


@pytest.mark.parametrize("shortcut", ["a" * 40, "/" + "b" * 40, "saudação", "no_2-x", "Ñandú"])
def test_good_shortcuts(world, admin, shortcut):
    created = create(world, admin, shortcut)
    assert created.status_code == 201, created.json
    assert created.json["shortcut"] == shortcut.removeprefix("/")


def test_text_length_counts_characters_not_bytes(world, admin):
    assert create(world, admin, "max", "😀" * 4096).status_code == 201
    for text in ("😀" * 4097, "", "   "):
        refused = create(world, admin, "x", text)
        assert refused.status_code == 400
        assert refused.json["error"]["details"][0]["loc"] == ["body", "text"]


def test_attachments_must_be_this_tenants_uploads(world, signup, admin):
    tenant = signup["tenant"]["id"]

    def attach(key, **extra):
        return {"name": "a.pdf", "content_type": "application/pdf", "s3_key": key, **extra}

    for key in (
        "uploads/another-tenant/a.pdf",
        f"uploads/{tenant}/",
        f"uploads/{tenant}/../x/a.pdf",
        f"files/{tenant}/a.pdf",
    ):
        refused = create(
            world, admin, "doc", attachments=[attach(f"uploads/{tenant}/ok.pdf"), attach(key)]
        )
        assert refused.status_code == 400, key
        error = refused.json["error"]
        assert error["code"] == "validation_error"
        assert error["message"] == "Attach only files uploaded to this account."
        assert error["details"] == [
            {
                "loc": ["body", "attachments", 1, "s3_key"],
                "msg": f"must start with uploads/{tenant}/",
                "type": "s3_key",
            }
        ]
    too_many = create(
        world, admin, "doc", attachments=[attach(f"uploads/{tenant}/{i}") for i in range(11)]
    )
    assert too_many.status_code == 400
    assert too_many.json["error"]["details"][0]["loc"] == ["body", "attachments"]
    for bad in (
        attach(f"uploads/{tenant}/a", size=3),
        attach(f"uploads/{tenant}/a", content_type="pdf"),
        {"name": "a.pdf", "s3_key": f"uploads/{tenant}/a"},
    ):
        assert create(world, admin, "doc", attachments=[bad]).status_code == 400, bad
    assert world.call("GET", "/v1/quick-replies", admin).json["items"] == []


def test_shortcuts_are_unique_whatever_the_case(world, admin):
    hola = create(world, admin, "Hola").json
    for taken in ("hola", "/HOLA"):
        refused = create(world, admin, taken)
        assert refused.status_code == 409
        assert refused.json["error"]["code"] == "name_taken"
        assert refused.json["error"]["details"][0]["loc"] == ["body", "shortcut"]
    chau = create(world, admin, "chau").json
    renamed = world.call("PATCH", f"/v1/quick-replies/{chau['id']}", admin, {"shortcut": "/hOLA"})
    assert renamed.status_code == 409
    # a change of case of one's own shortcut is no conflict
    recased = world.call("PATCH", f"/v1/quick-replies/{hola['id']}", admin, {"shortcut": "HOLA"})
    assert recased.status_code == 200
    assert recased.json["shortcut"] == "HOLA"


def test_the_picker_finds_by_prefix_in_shortcut_order_whatever_the_case(world, admin):
    for shortcut in ("hoy", "Horario", "adios", "hola", "ho-ho", "HOLANDA", "pedido"):
        assert create(world, admin, shortcut).status_code == 201
    expected = ["ho-ho", "hola", "HOLANDA", "Horario", "hoy"]
    for prefix in ("ho", "HO", "/ho", "/Ho"):
        assert shortcuts(world.call("GET", f"/v1/quick-replies?prefix={prefix}", admin)) == expected
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=hola", admin)) == [
        "hola",
        "HOLANDA",
    ]
    limited = world.call("GET", "/v1/quick-replies?prefix=ho&limit=2", admin)
    assert shortcuts(limited) == ["ho-ho", "hola"]
    assert limited.json["next_cursor"] is None
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=zz", admin)) == []
    # just "/" typed: everything, alphabetically
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=/", admin)) == [
        "adios",
        "ho-ho",
        "hola",
        "HOLANDA",
        "Horario",
        "hoy",
        "pedido",
    ]
    bad = world.call("GET", "/v1/quick-replies?prefix=ho%20la", admin)
    assert bad.status_code == 400
    assert bad.json["error"]["details"][0]["loc"] == ["query", "prefix"]


def test_the_picker_follows_renames_and_deletions(world, admin):
    hola = create(world, admin, "hola").json
    create(world, admin, "horario")
    world.call("PATCH", f"/v1/quick-replies/{hola['id']}", admin, {"shortcut": "saludo"})
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=ho", admin)) == ["horario"]
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=sa", admin)) == ["saludo"]
    world.call("DELETE", f"/v1/quick-replies/{hola['id']}", admin)
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=sa", admin)) == []
    assert create(world, admin, "hola").status_code == 201


def test_the_picker_shows_only_the_callers_tenant(world, admin):
    create(world, admin, "hola")
    other = world.signup(company="Beta", email="bea@beta.example.com")["access_token"]
    create(world, other, "hoja")
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=ho", other)) == ["hoja"]


def test_the_list_pages_without_a_prefix(world, admin):
    for shortcut in ("a", "b", "c"):
        create(world, admin, shortcut)
    first = world.call("GET", "/v1/quick-replies?limit=2", admin)
    assert len(first.json["items"]) == 2
    assert first.json["next_cursor"]
    rest = world.call("GET", f"/v1/quick-replies?limit=2&cursor={first.json['next_cursor']}", admin)
    seen = shortcuts(first) + shortcuts(rest)
    assert sorted(seen) == ["a", "b", "c"]
    forged = world.call("GET", "/v1/quick-replies?cursor=abc", admin)
    assert forged.status_code == 400
    assert forged.json["error"]["code"] == "invalid_cursor"


def test_the_account_summary_counts_quick_replies(world, admin):
    ids = [create(world, admin, s).json["id"] for s in ("uno", "dos", "tres")]
    summary = world.call("GET", "/v1/account/summary", admin).json["quick_replies"]
    assert summary["count"] == 3
    assert sorted(item["name"] for item in summary["first"]) == ["dos", "tres", "uno"]
    world.call("DELETE", f"/v1/quick-replies/{ids[0]}", admin)
    assert create(world, admin, "dos").status_code == 409  # a refused create counts nothing
    world.call("PATCH", f"/v1/quick-replies/{ids[1]}", admin, {"text": "otra"})
    summary = world.call("GET", "/v1/account/summary", admin).json["quick_replies"]
    assert summary["count"] == 2


def test_history_shows_before_and_after(world, admin):
    reply = create(world, admin, "hola", "Hola").json
    world.call("PATCH", f"/v1/quick-replies/{reply['id']}", admin, {"text": "Hola 👋"})
    updated, created = world.call("GET", f"/v1/quick-replies/{reply['id']}/history", admin).json[
        "items"
    ]
    assert created["action"] == "created"
    assert created["after"] == {"shortcut": "hola", "text": "Hola", "attachments": []}
    assert (updated["action"], updated["before"], updated["after"]) == (
        "updated",
        {"text": "Hola"},
        {"text": "Hola 👋"},
    )


def test_agents_use_the_picker_but_only_admins_manage(world, admin):
    reply = create(world, admin, "hola").json
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")
    assert shortcuts(world.call("GET", "/v1/quick-replies?prefix=h", agent)) == ["hola"]
    refused = create(world, agent, "mio")
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "forbidden"
    assert world.call("DELETE", f"/v1/quick-replies/{reply['id']}", agent).status_code == 403
    analyst = world.user_with_role(admin, "al@acme.example.com", "analyst")
    assert world.call("GET", "/v1/quick-replies?prefix=h", analyst).status_code == 403
