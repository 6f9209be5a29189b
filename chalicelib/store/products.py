"""The catalogue's products in the table (docs/data-model.md "Products").

A product lives at ``PK = TENANT#t#PRODUCTS``, ``SK = PRODUCT#<id>``, listed by folded
name on GSI3 (``TENANT#t#NAME#PRODUCT``). A product with a SKU has a claim item
(``TENANT#t#UNIQUE#PRODUCT_SKU#<sku lower>``) written in the same transaction, which
keeps the SKU unique in the tenant and is itself listed by SKU on GSI3
(``TENANT#t#NAME#PRODUCT_SKU``) for the SKU prefix search.

Every write is one transaction with its conditions: a new product and a new claim must
not exist (a taken SKU is :class:`SkuTaken`), a change is conditioned on the product's
``updated_at`` as it was read (:class:`LostRace` when someone changed it meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import TransactWriteError

from chalicelib.store import keys
from chalicelib.store.base import Item, LostRace, failed_conditions, lost_race, transaction
from chalicelib.store.indexes import FacetIndex


class Product(Item, discriminator="Product"):
    """A product of the tenant's catalogue. ``price`` is in the currency's minor unit."""

    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    by_name = FacetIndex()

    tenant_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    price = NumberAttribute()
    currency = UnicodeAttribute()
    sku = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    image_key = UnicodeAttribute(null=True)  # an upload of the tenant (uploads/<tenant>/...)
    image_name = UnicodeAttribute(null=True)
    image_content_type = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ProductSkuClaim(Item, discriminator="ProductSkuClaim"):
    """Keeps a SKU unique among the tenant's products; listed by SKU for the prefix search."""

    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    by_sku = FacetIndex()

    tenant_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute()


#: the attribute a page of :func:`by_name` is read by (a cursor names its partition)
LIST_PARTITION = "GSI3PK"


class SkuTaken(Exception):
    """Another product of the tenant has this SKU (whatever its case)."""

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.sku = sku


def new_product(tenant_id: str, product_id: str, at: datetime, **fields: Any) -> Product:
    """A product not yet written, its index keys set from its name."""
    product = Product(
        keys.products_pk(tenant_id),
        keys.product_sk(product_id),
        tenant_id=tenant_id,
        product_id=product_id,
        created_at=at,
        updated_at=at,
        **fields,
    )
    _index(product)
    return product


def _index(product: Product) -> None:
    product.GSI3PK = keys.product_name_pk(product.tenant_id)
    product.GSI3SK = keys.product_name_sk(product.name, product.product_id)


def _claim(product: Product) -> ProductSkuClaim:
    assert product.sku
    return ProductSkuClaim(
        keys.product_sku_claim_pk(product.tenant_id, product.sku),
        keys.unique_name_sk(),
        tenant_id=product.tenant_id,
        product_id=product.product_id,
        sku=product.sku,
        GSI3PK=keys.product_sku_pk(product.tenant_id),
        GSI3SK=keys.product_sku_sk(product.sku, product.product_id),
    )


def _claim_key(product: Product) -> tuple[str, str]:
    assert product.sku
    return keys.product_sku_claim_pk(product.tenant_id, product.sku), keys.unique_name_sk()


def get_product(tenant_id: str, product_id: str, consistent: bool = False) -> Product | None:
    """The tenant's product, or None (another tenant's id finds nothing: the key is the tenant's)."""
    try:
        return Product.get(
            keys.products_pk(tenant_id), keys.product_sk(product_id), consistent_read=consistent
        )
    except Product.DoesNotExist:
        return None


def products_by_id(tenant_id: str, product_ids: Iterable[str]) -> dict[str, Product]:
    """The tenant's products among ``product_ids`` (one BatchGetItem per 100), by id."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    found = Product.batch_get([(keys.products_pk(tenant_id), keys.product_sk(i)) for i in wanted])
    return {p.product_id: p for p in found if isinstance(p, Product)}


def add(product: Product, attempts: int = 3) -> None:
    """Write a new product and its SKU claim; :class:`SkuTaken` when the SKU is another's.

    Two writers claiming one SKU at once: DynamoDB may cancel one transaction for the
    other's (``TransactionConflict``) before either condition is read; it is tried again,
    and then finds the claim taken."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction() as write:
                if product.sku:
                    write.save(_claim(product), condition=ProductSkuClaim.PK.does_not_exist())
                write.save(product, condition=Product.PK.does_not_exist())
            return
        except TransactWriteError as exc:
            if product.sku and _claim_key(product) in failed_conditions(write, exc):
                raise SkuTaken(product.sku) from exc
            if attempt == attempts or not lost_race(exc):
                raise


def replace(current: Product, changed: Product) -> None:
    """Write ``changed`` over ``current`` (as read), moving the SKU claim when the SKU
    changed. :class:`SkuTaken` for a SKU of another product, :class:`LostRace` when the
    product was changed or deleted since it was read."""
    _index(changed)
    old = (current.sku or "").lower()
    new = (changed.sku or "").lower()
    try:
        with transaction() as write:
            if new and new != old:
                write.save(_claim(changed), condition=ProductSkuClaim.PK.does_not_exist())
            elif new and current.sku != changed.sku:  # same SKU, other case: rewrite the claim
                write.save(
                    _claim(changed), condition=ProductSkuClaim.product_id == current.product_id
                )
            if old and new != old:
                write.delete(
                    _claim(current), condition=ProductSkuClaim.product_id == current.product_id
                )
            write.save(changed, condition=Product.updated_at == current.updated_at)
    except TransactWriteError as exc:
        failed = failed_conditions(write, exc)
        if new and new != old and _claim_key(changed) in failed:
            raise SkuTaken(str(changed.sku)) from exc
        if failed or lost_race(exc):
            raise LostRace(f"{current.PK} / {current.SK}") from exc
        raise


def remove(product: Product) -> None:
    """Delete the product and its SKU claim; :class:`LostRace` if it changed or went meanwhile."""
    try:
        with transaction() as write:
            write.delete(product, condition=Product.updated_at == product.updated_at)
            if product.sku:
                write.delete(
                    _claim(product), condition=ProductSkuClaim.product_id == product.product_id
                )
    except TransactWriteError as exc:
        if lost_race(exc):
            raise LostRace(f"{product.PK} / {product.SK}") from exc
        raise


def _index_key(product: Product) -> dict[str, Any]:
    """The LastEvaluatedKey of the name index that resumes right after ``product``."""
    return {
        name: {"S": str(value)}
        for name, value in (
            ("PK", product.PK),
            ("SK", product.SK),
            ("GSI3PK", product.GSI3PK),
            ("GSI3SK", product.GSI3SK),
        )
    }


def by_name(
    tenant_id: str,
    *,
    limit: int,
    after: dict[str, Any] | None = None,
    prefix: str = "",
    active: bool | None = None,
    max_reads: int = 10,
) -> tuple[list[Product], dict[str, Any] | None]:
    """Products in name order (folded: no case, no accents), from ``after`` on; only those
    whose name starts with ``prefix`` and, when ``active`` is given, in that state.

    The state is a filter on the index: the page is read on until it holds ``limit``
    products (at most ``max_reads`` Queries, so a catalogue of mostly inactive products
    costs bounded reads and answers a shorter page with its cursor)."""
    condition = Product.GSI3SK.startswith(keys.folded(prefix)) if prefix else None
    wanted = None if active is None else Product.active == active
    found: list[Product] = []
    last = after
    for _ in range(max_reads):
        page = Product.by_name.query(
            keys.product_name_pk(tenant_id),
            condition,
            filter_condition=wanted,
            limit=limit - len(found) if wanted is None else limit,
            last_evaluated_key=last,
        )
        for product in page:
            found.append(product)
            if len(found) == limit:
                return found, _index_key(product)
        last = page.last_evaluated_key
        if not last:
            return found, None
    return found, last


def by_sku_prefix(tenant_id: str, prefix: str, limit: int) -> list[str]:
    """Ids of the products whose SKU starts with ``prefix`` (any case), in SKU order."""
    claims = ProductSkuClaim.by_sku.query(
        keys.product_sku_pk(tenant_id),
        ProductSkuClaim.GSI3SK.startswith(prefix.strip().lower()),
        limit=limit,
    )
    return [claim.product_id for claim in claims]
