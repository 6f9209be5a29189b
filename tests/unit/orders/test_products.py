"""The catalogue's products (/v1/products, docs/orders.md "The catalogue"): who may read and
manage them, what is refused, SKUs unique per account, search by name or SKU prefix,
the active filter, pages, images shown through presigned URLs."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import Invalid
from chalicelib.domain.orders.money import EXPONENTS, exponent, format_amount
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.products import Product, ProductSkuClaim
from tests.support.desk import Desk
from tests.support.world import World

POLERA = {"name": "Polera", "description": "Algodón", "price": 9990, "currency": "CLP",
          "sku": "POL-M"}  # fmt: skip


@pytest.fixture
def desk(world: World) -> Desk:
    return Desk(world)


def add(desk: Desk, who: str = "admin", **fields: Any) -> dict[str, Any]:
    created = desk.call("POST", "/v1/products", who, {**POLERA, **fields})
    assert created.status_code == 201, created.json
    return dict(created.json)


def names(page: Any) -> list[str]:
    assert page.status_code == 200, page.json
    return [p["name"] for p in page.json["items"]]


# --- money ---------------------------------------------------------------------------------
def test_amounts_read_as_clients_of_each_language_read_them():
    assert format_amount(15000, "CLP", "es") == "$15.000"
    assert format_amount(15000, "BRL", "pt-BR") == "R$ 150,00"
    assert format_amount(150000, "USD", "en") == "US$ 1,500.00"
    assert format_amount(150000, "USD", "es") == "US$ 1.500,00"
    assert format_amount(1234567, "PYG", "es") == "₲1.234.567"
    assert format_amount(5, "EUR", "es") == "€0,05"
    assert format_amount(1250, "CHF", "en") == "CHF 12.50"
    assert (exponent("CLP"), exponent("JPY"), exponent("BRL")) == (0, 0, 2)
    assert len(EXPONENTS) == 22


def test_an_unknown_currency_is_refused_by_name():
    with pytest.raises(Invalid) as refused:
        exponent("XXX")
    assert refused.value.code == "unknown_currency" and "XXX" in refused.value.message


# --- the routes ----------------------------------------------------------------------------
def test_an_admin_adds_a_product_and_everyone_of_the_orders_area_reads_it(desk):
    created = add(desk)
    assert created == {
        "id": created["id"], "name": "Polera", "description": "Algodón", "price": 9990,
        "currency": "CLP", "sku": "POL-M", "active": True, "image": None, "image_url": None,
        "image_url_expires_at": None, "created_at": created["created_at"],
        "updated_at": created["created_at"],
    }  # fmt: skip
    for role in ("supervisor", "agent", "stakeholder", "orders_admin"):
        assert names(desk.call("GET", "/v1/products", role)) == ["Polera"], role
        one = desk.call("GET", f"/v1/products/{created['id']}", role)
        assert one.status_code == 200 and one.json == created


@pytest.mark.parametrize(
    "role", ["supervisor", "agent", "stakeholder", "orders_admin", "analyst", "account_contact"]
)
def test_only_admins_and_supervisors_with_orders_payments_admin_manage_products(desk, role):
    action = "add, edit and remove products of the catalogue"
    product = add(desk)
    for method, path, body in (
        ("POST", "/v1/products", POLERA),
        ("PATCH", f"/v1/products/{product['id']}", {"price": 1}),
        ("DELETE", f"/v1/products/{product['id']}", None),
    ):
        refused = desk.call(method, path, role, body)
        assert refused.status_code == 403, (method, refused.json)
        assert refused.json["error"]["code"] == "forbidden"
        assert (
            refused.json["error"]["message"] == f"Your role ({role}) does not allow this: {action}."
        )
    assert desk.call("GET", f"/v1/products/{product['id']}", "admin").json["price"] == 9990


def test_analysts_and_account_contacts_do_not_see_the_catalogue(desk):
    add(desk)
    for role in ("analyst", "account_contact"):
        refused = desk.call("GET", "/v1/products", role)
        assert refused.status_code == 403
        assert refused.json["error"]["message"] == (
            f"Your role ({role}) does not allow this: see the catalogue of products."
        )


def test_a_supervisor_with_orders_payments_admin_manages_the_catalogue(desk):
    token = desk.world.user_with_role(desk.admin, "sofia@acme.example.com", "supervisor",
                                      permissions=["orders_payments_admin"])  # fmt: skip
    product = add(desk, token)
    changed = desk.call("PATCH", f"/v1/products/{product['id']}", token, {"price": 12990})
    assert changed.status_code == 200 and changed.json["price"] == 12990
    assert desk.call("DELETE", f"/v1/products/{product['id']}", token).status_code == 204
    assert desk.call("GET", f"/v1/products/{product['id']}", token).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 2001}, "description"),
        ({"price": -1}, "price"),
        ({"price": 10**12 + 1}, "price"),
        ({"price": 9.5}, "price"),
        ({"price": "9990"}, "price"),
        ({"currency": "clp"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"sku": "POL M"}, "sku"),
        ({"sku": "x" * 65}, "sku"),
        ({"total": 1}, "total"),
        (
            {
                "image": {
                    "s3_key": "uploads/other-tenant/a.png",
                    "name": "a.png",
                    "content_type": "image/png",
                }
            },
            "image",
        ),
        (
            {"image": {"s3_key": "UPLOAD", "name": "a.pdf", "content_type": "application/pdf"}},
            "image",
        ),
    ],
)
def test_every_field_is_checked_and_nothing_is_written(desk, fields, field):
    body = {**POLERA, **fields}
    if field == "image" and body["image"]["s3_key"] == "UPLOAD":
        body["image"]["s3_key"] = f"uploads/{desk.tenant}/2026/12/x/lista.pdf"
    refused = desk.call("POST", "/v1/products", "admin", body)
    assert refused.status_code == 400, refused.json
    assert field in str(refused.json["error"]), refused.json
    assert names(desk.call("GET", "/v1/products", "admin")) == []


def test_a_patch_is_checked_like_a_new_product(desk):
    product = add(desk)
    path = f"/v1/products/{product['id']}"
    for body in ({"price": -5}, {"name": None}, {"currency": "ZZZ"}, {"sku": "a b"}, {"id": "x"}):
        refused = desk.call("PATCH", path, "admin", body)
        assert refused.status_code == 400, (body, refused.json)
    assert desk.call("GET", path, "admin").json == product


def test_a_sku_is_unique_in_the_account_whatever_its_case(desk):
    first = add(desk)
    taken = desk.call("POST", "/v1/products", "admin", {**POLERA, "name": "Otra", "sku": "pol-m"})
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "sku_taken"
    assert taken.json["error"]["message"] == "Another product already has the SKU “pol-m”."
    other = add(desk, name="Gorro", sku="GOR-1")
    moved = desk.call("PATCH", f"/v1/products/{other['id']}", "admin", {"sku": "POL-M"})
    assert moved.status_code == 409 and moved.json["error"]["code"] == "sku_taken"
    # freed by a change of SKU, then by a removal
    assert (
        desk.call("PATCH", f"/v1/products/{first['id']}", "admin", {"sku": "POL-L"}).status_code
        == 200
    )
    assert (
        desk.call("PATCH", f"/v1/products/{other['id']}", "admin", {"sku": "POL-M"}).status_code
        == 200
    )
    assert desk.call("DELETE", f"/v1/products/{other['id']}", "admin").status_code == 204
    again = add(desk, name="Polera nueva", sku="pol-m")
    assert again["sku"] == "pol-m"


def test_a_sku_removed_or_recased_keeps_its_claim_right(desk):
    product = add(desk)
    path = f"/v1/products/{product['id']}"
    recased = desk.call("PATCH", path, "admin", {"sku": "pol-m"})
    assert recased.status_code == 200 and recased.json["sku"] == "pol-m"
    claim = ProductSkuClaim.get(keys.product_sku_claim_pk(desk.tenant, "POL-M"), "CLAIM")
    assert (claim.sku, claim.product_id) == ("pol-m", product["id"])
    removed = desk.call("PATCH", path, "admin", {"sku": None})
    assert removed.status_code == 200 and removed.json["sku"] is None
    assert ProductSkuClaim.count(keys.product_sku_claim_pk(desk.tenant, "POL-M")) == 0
    assert add(desk, name="Otra", sku="POL-M")["sku"] == "POL-M"


def test_another_accounts_products_are_not_found(desk, world):
    product = add(desk)
    other = Desk(world, company="Globex", domain="globex.example.com")
    path = f"/v1/products/{product['id']}"
    for method, body in (("GET", None), ("PATCH", {"price": 1}), ("DELETE", None)):
        missing = other.call(method, path, "admin", body)
        assert missing.status_code == 404, (method, missing.json)
        assert missing.json["error"]["message"] == "There is no such product."
    assert names(other.call("GET", "/v1/products?q=pol", "admin")) == []
    assert add(other, sku="POL-M")["sku"] == "POL-M"  # SKUs are unique per account only
    assert desk.call("GET", path, "admin").json == product


def test_search_by_name_or_sku_prefix_without_case_or_accents(desk):
    add(desk, name="Café molido", sku="CAF-250")
    add(desk, name="Polera", sku="POL-M")
    add(desk, name="Gorro de lana", sku="CAFE-GORRO")
    add(desk, name="Bufanda", sku=None)
    get = lambda q: names(desk.call("GET", f"/v1/products?q={q}", "agent"))  # noqa: E731
    assert get("cafe") == ["Café molido", "Gorro de lana"]  # a name, a SKU
    assert get("CAF-") == ["Café molido"]
    assert get("pol") == ["Polera"]
    assert get("bu") == ["Bufanda"]
    assert get("zz") == []
    assert names(desk.call("GET", "/v1/products", "agent")) == [
        "Bufanda", "Café molido", "Gorro de lana", "Polera"]  # fmt: skip


def test_the_active_filter_and_pages_in_name_order(desk):
    for n in range(7):
        add(desk, name=f"Producto {n}", sku=f"P-{n}", active=n % 3 != 0)
    seen, cursor = [], None
    while True:
        path = "/v1/products?active=true&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = desk.call("GET", path, "agent")
        seen += names(page)
        cursor = page.json["next_cursor"]
        if not cursor:
            break
    assert seen == ["Producto 1", "Producto 2", "Producto 4", "Producto 5"]
    inactive = names(desk.call("GET", "/v1/products?active=false", "agent"))
    assert inactive == ["Producto 0", "Producto 3", "Producto 6"]
    assert names(desk.call("GET", "/v1/products?active=false&q=producto%203", "agent")) == [
        "Producto 3"]  # fmt: skip
    # a cursor belongs to its list: another filter refuses it
    first = desk.call("GET", "/v1/products?active=true&limit=2", "agent").json["next_cursor"]
    wrong = desk.call("GET", f"/v1/products?active=false&limit=2&cursor={first}", "agent")
    assert wrong.status_code == 400 and wrong.json["error"]["code"] == "invalid_cursor"


def test_an_image_of_the_account_is_shown_through_an_hour_long_presigned_url(desk):
    key = f"uploads/{desk.tenant}/2026/12/abc/polera.png"
    product = add(desk, image={"s3_key": key, "name": "polera.png", "content_type": "image/png"})
    assert product["image"] == {"name": "polera.png", "content_type": "image/png"}
    link = urlsplit(product["image_url"])
    assert link.netloc == f"{get_settings().bucket}.s3.us-east-1.amazonaws.com"
    assert link.path == f"/{key}"
    assert parse_qs(link.query)["X-Amz-Expires"] == ["3600"]
    stored = Product.get(keys.products_pk(desk.tenant), keys.product_sk(product["id"]))
    assert (stored.image_key, stored.image_name, stored.image_content_type) == (
        key, "polera.png", "image/png")  # fmt: skip
    gone = desk.call("PATCH", f"/v1/products/{product['id']}", "admin", {"image": None})
    assert gone.json["image"] is None and gone.json["image_url"] is None


def test_an_unchanged_patch_writes_nothing_and_a_rename_moves_it_in_the_list(desk):
    product = add(desk)
    same = desk.call("PATCH", f"/v1/products/{product['id']}", "admin", {"price": 9990})
    assert same.json["updated_at"] == product["updated_at"]
    add(desk, name="Bufanda", sku="BUF")
    desk.call("PATCH", f"/v1/products/{product['id']}", "admin", {"name": "Abrigo"})
    assert names(desk.call("GET", "/v1/products", "admin")) == ["Abrigo", "Bufanda"]
    assert names(desk.call("GET", "/v1/products?q=pol", "admin")) == ["Abrigo"]  # by its SKU
    assert names(desk.call("GET", "/v1/products?q=abr", "admin")) == ["Abrigo"]


def test_unknown_ids_of_any_shape_are_not_found(desk):
    for product_id in ("nope", "x" * 300, "..%2F..", "01ABC"):
        assert desk.call("GET", f"/v1/products/{product_id}", "admin").status_code == 404


@pytest.mark.ddb_local  # DynamoDB's own transactions decide, with two writers at once
def test_two_products_added_at_once_with_one_sku_one_wins(desk):
    import threading

    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.orders.products import create_product

    principal = desk.principal("admin")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def add_one(name: str) -> None:
        start.wait()
        try:
            create_product(principal, {**POLERA, "name": name})
            outcomes.append("added")
        except Conflict as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=add_one, args=(n,)) for n in ("Polera A", "Polera B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["added", "sku_taken"]
    assert len(names(desk.call("GET", "/v1/products", "admin"))) == 1
