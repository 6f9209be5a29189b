"""The catalogue's products (seed 002): what a tenant sells, picked into order lines and
sent into conversations.

A product has a name (1 to 200), a description (≤ 2000), a price in the currency's minor
unit (0 to 10^12, :mod:`.money`), a currency of the table, an optional SKU (unique in the
tenant whatever its case: Meta's ``product_retailer_id`` when the catalogue goes out as
a WhatsApp product list), an optional image (an upload of the tenant: JPEG or PNG, what
WhatsApp's image messages take) and whether it is active (only active products are
sent). The layout is docs/data-model.md "Products".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from chalicelib.clock import now
from chalicelib.cursors import page_of
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, Invalid, NotFound
from chalicelib.domain.orders import money
from chalicelib.domain.uploads import is_own_upload, upload_area
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store import products as store
from chalicelib.store.base import LostRace
from chalicelib.store.products import Product, SkuTaken

NAME_MAX = 200
DESCRIPTION_MAX = 2000
PRICE_MAX = 10**12
SKU = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: an id as :func:`chalicelib.ids.new_id` makes them; anything else is no product
PRODUCT_ID = re.compile(r"[0-9A-Za-z]{1,40}")
#: what WhatsApp's image messages take (the strictest channel a product's image goes to)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
#: the fields a product has, as the API names them (``image`` is ``{s3_key, name, content_type}``)
FIELDS = ("name", "description", "price", "currency", "sku", "active", "image")


def _invalid(field: str, message: str, kind: str) -> Invalid:
    return Invalid(
        message,
        code="validation_error",
        details=[{"loc": ["body", field], "msg": message, "type": kind}],
    )


def _checked(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The product's stored fields from the API's (whole, after a patch is merged), or 400."""
    name = str(data.get("name") or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise _invalid("name", f"a name of 1 to {NAME_MAX} characters", "name")
    description = str(data.get("description") or "")
    if len(description) > DESCRIPTION_MAX:
        raise _invalid("description", f"at most {DESCRIPTION_MAX} characters", "description")
    price = data.get("price")
    if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= PRICE_MAX:
        raise _invalid("price", "an integer of the currency's minor unit, 0 to 10^12", "price")
    currency = str(data.get("currency") or "")
    money.exponent(currency)  # 400 unknown_currency
    sku = data.get("sku") or None
    if sku is not None and not SKU.fullmatch(str(sku)):
        raise _invalid("sku", "1 to 64 letters, digits, “.”, “_” or “-”", "sku")
    image = data.get("image") or None
    fields: dict[str, Any] = {
        "name": name,
        "description": description,
        "price": price,
        "currency": currency,
        "sku": sku,
        "active": bool(data.get("active", True)),
        "image_key": None,
        "image_name": None,
        "image_content_type": None,
    }
    if image is not None:
        if not is_own_upload(tenant_id, str(image.get("s3_key") or "")):
            raise Invalid(
                "The image must be a file uploaded to this account.",
                code="validation_error",
                details=[{"loc": ["body", "image", "s3_key"],
                          "msg": f"must start with {upload_area(tenant_id)}", "type": "s3_key"}],
            )  # fmt: skip
        if image.get("content_type") not in IMAGE_TYPES:
            raise _invalid("image", "a JPEG or PNG image", "content_type")
        fields.update(image_key=image["s3_key"], image_name=image.get("name") or "image",
                      image_content_type=image["content_type"])  # fmt: skip
    return fields


def as_input(product: Product) -> dict[str, Any]:
    """A stored product in the API's field names (what a patch is merged into)."""
    image = None
    if product.image_key:
        image = {"s3_key": product.image_key, "name": product.image_name,
                 "content_type": product.image_content_type}  # fmt: skip
    return {
        "name": product.name, "description": product.description or "",
        "price": int(product.price), "currency": product.currency, "sku": product.sku,
        "active": bool(product.active), "image": image,
    }  # fmt: skip


def _sku_taken(sku: str) -> Conflict:
    return Conflict(
        f"Another product already has the SKU “{sku}”.",
        code="sku_taken",
        details=[{"loc": ["body", "sku"], "msg": "already in use", "type": "unique"}],
    )


def get_product(tenant_id: str, product_id: str) -> Product:
    """The tenant's product; 404 for an unknown id or another tenant's."""
    product = store.get_product(tenant_id, product_id) if PRODUCT_ID.fullmatch(product_id) else None
    if product is None:
        raise NotFound("There is no such product.")
    return product


def create_product(principal: Principal, data: dict[str, Any]) -> Product:
    """Add a product; 409 ``sku_taken`` when another product has its SKU."""
    product = store.new_product(
        principal.tenant_id, new_id(), now(), **_checked(principal.tenant_id, data)
    )
    try:
        store.add(product)
    except SkuTaken as taken:
        raise _sku_taken(taken.sku) from taken
    return product


def update_product(principal: Principal, product_id: str, changes: dict[str, Any]) -> Product:
    """Change the fields named in ``changes`` (``sku`` or ``image`` None removes them);
    409 for a taken SKU or a product changed by someone else since it was read."""
    current = get_product(principal.tenant_id, product_id)
    fields = _checked(principal.tenant_id, {**as_input(current), **changes})
    unchanged = {name: getattr(current, name) for name in fields}
    unchanged["price"] = int(current.price)
    if fields == unchanged:
        return current
    changed = store.new_product(principal.tenant_id, product_id, now(), **fields)
    changed.created_at = current.created_at
    try:
        store.replace(current, changed)
    except SkuTaken as taken:
        raise _sku_taken(taken.sku) from taken
    except LostRace as lost:
        raise Conflict(
            "The product changed meanwhile; reload it and try again.", code="edit_conflict"
        ) from lost
    return changed


def delete_product(principal: Principal, product_id: str) -> None:
    """Remove a product (orders keep their lines as they were written)."""
    current = get_product(principal.tenant_id, product_id)
    try:
        store.remove(current)
    except LostRace as lost:
        raise Conflict(
            "The product changed meanwhile; reload it and try again.", code="edit_conflict"
        ) from lost


def list_products(
    tenant_id: str,
    *,
    limit: int,
    cursor: str | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> tuple[list[Product], str | None]:
    """Products in name order, a page and the next page's cursor. With ``q``: the first
    ``limit`` whose name (no case, no accents) or SKU (no case) starts with it, by name,
    without a cursor (a picker's search, like quick replies' ``prefix``)."""
    if q:
        named, _ = store.by_name(tenant_id, limit=limit, prefix=q, active=active)
        found = {p.product_id: p for p in named}
        by_sku = [i for i in store.by_sku_prefix(tenant_id, q, limit) if i not in found]
        for product in store.products_by_id(tenant_id, by_sku).values():
            if active is None or bool(product.active) == active:
                found[product.product_id] = product
        ordered = sorted(found.values(), key=lambda p: (keys.folded(p.name), p.product_id))
        return ordered[:limit], None
    return page_of(
        lambda after: store.by_name(tenant_id, limit=limit, after=after, active=active),
        cursor,
        keys.product_name_pk(tenant_id),
        store.LIST_PARTITION,
    )


def products_to_send(tenant_id: str, product_ids: Iterable[str]) -> list[Product]:
    """The products of a selection, in the order given; 400 naming every id that is not
    an active product of the tenant."""
    ids = list(product_ids)
    found = store.products_by_id(tenant_id, [i for i in ids if PRODUCT_ID.fullmatch(i)])
    unknown = [i for i in ids if i not in found]
    inactive = [i for i in ids if i in found and not found[i].active]
    if unknown or inactive:
        parts = []
        if unknown:
            parts.append("no such product: " + ", ".join(unknown))
        if inactive:
            parts.append("inactive: " + ", ".join(f"{found[i].name} ({i})" for i in inactive))
        raise Invalid(
            "These products cannot be sent (" + "; ".join(parts) + ").",
            code="products_not_sendable",
            details=[
                {"loc": ["body", "product_ids", ids.index(i)], "msg": why, "type": kind}
                for i, why, kind in [(i, "no such product", "unknown") for i in unknown]
                + [(i, "the product is inactive", "inactive") for i in inactive]
            ],
        )
    return [found[i] for i in ids]
