"""The catalogue (docs/orders.md "The catalogue"): products, and a selection of them sent
into a conversation.

Prices are integers of the currency's minor unit (CLP ``15000`` is $15.000, BRL ``15000``
is R$ 150,00); an image is a JPEG or PNG uploaded through ``POST /v1/attachments``,
shown through a presigned GET valid for an hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, model_validator

from chalicelib import aws
from chalicelib.clock import now
from chalicelib.domain.helpdesk.tickets import parse_number
from chalicelib.domain.orders import catalogue
from chalicelib.domain.orders import products as domain
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.helpdesk import Message
from chalicelib.store.products import Product

resource = Resource(__name__, "products")

IMAGE_URL_SECONDS = 60 * 60
SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"


class ImageIn(RequestModel):
    s3_key: str = Field(min_length=1, max_length=1024, description="from POST /v1/attachments")
    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=127, description="image/jpeg or image/png")


class ProductIn(RequestModel):
    name: str = Field(min_length=1, max_length=domain.NAME_MAX)
    description: str = Field("", max_length=domain.DESCRIPTION_MAX)
    price: int = Field(ge=0, le=domain.PRICE_MAX, strict=True, description="minor units")
    currency: str = Field(pattern=CURRENCY_PATTERN, description="ISO 4217, of the accepted list")
    sku: str | None = Field(None, pattern=SKU_PATTERN, description="unique in the account")
    active: bool = True
    image: ImageIn | None = None


class ProductPatch(RequestModel):
    """Only the fields given change; ``sku`` or ``image`` null removes them."""

    name: str | None = Field(None, min_length=1, max_length=domain.NAME_MAX)
    description: str | None = Field(None, max_length=domain.DESCRIPTION_MAX)
    price: int | None = Field(None, ge=0, le=domain.PRICE_MAX, strict=True)
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN)
    sku: str | None = Field(None, pattern=SKU_PATTERN)
    active: bool | None = None
    image: ImageIn | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ProductPatch:
        nulled = [
            name
            for name in ("name", "description", "price", "currency", "active")
            if name in self.model_fields_set and getattr(self, name) is None
        ]
        if nulled:
            raise ValueError(f"{', '.join(nulled)} cannot be null (leave it out to keep it)")
        return self


class ImageOut(ResponseModel):
    name: str
    content_type: str


class ProductOut(ResponseModel):
    id: str
    name: str
    description: str
    price: int
    currency: str
    sku: str | None
    active: bool
    image: ImageOut | None
    image_url: str | None = Field(description="a presigned GET of the image, valid for an hour")
    image_url_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ProductPage(ResponseModel):
    items: list[ProductOut]
    next_cursor: str | None


class ProductQuery(PageQuery):
    """With ``q``: the first ``limit`` products whose name or SKU starts with it, no cursor."""

    q: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = None


def product_out(product: Product) -> ProductOut:
    image = url = expires = None
    if product.image_key:
        image = ImageOut(name=product.image_name or "image",
                         content_type=product.image_content_type or "image/jpeg")  # fmt: skip
        url = aws.presigned_get(product.image_key, IMAGE_URL_SECONDS)
        expires = now() + timedelta(seconds=IMAGE_URL_SECONDS)
    return ProductOut(
        id=product.product_id, name=product.name, description=product.description or "",
        price=int(product.price), currency=product.currency, sku=product.sku,
        active=bool(product.active), image=image, image_url=url, image_url_expires_at=expires,
        created_at=product.created_at, updated_at=product.updated_at,
    )  # fmt: skip


@resource.route(
    "/v1/products",
    summary="The catalogue, by name; q searches names and SKUs by prefix.",
    query=ProductQuery,
    response=ProductPage,
    action="products.read",
)
def list_products(call: Call) -> ProductPage:
    query: ProductQuery = call.query
    items, next_cursor = domain.list_products(
        call.principal.tenant_id, limit=query.limit, cursor=query.cursor, q=query.q,
        active=query.active,
    )  # fmt: skip
    return ProductPage(items=[product_out(p) for p in items], next_cursor=next_cursor)


@resource.route(
    "/v1/products",
    "POST",
    summary="Add a product to the catalogue.",
    body=ProductIn,
    response=ProductOut,
    status=201,
    action="products.manage",
    errors=(409,),  # a SKU already used
)
def create_product(call: Call) -> ProductOut:
    data = call.body.model_dump(mode="json")
    return product_out(domain.create_product(call.principal, data))


@resource.route(
    "/v1/products/{product_id}",
    summary="One product.",
    response=ProductOut,
    action="products.read",
)
def get_product(call: Call, product_id: str) -> ProductOut:
    return product_out(domain.get_product(call.principal.tenant_id, product_id))


@resource.route(
    "/v1/products/{product_id}",
    "PATCH",
    summary="Change a product.",
    body=ProductPatch,
    response=ProductOut,
    action="products.manage",
    errors=(409,),  # a SKU already used, or changed meanwhile
)
def edit_product(call: Call, product_id: str) -> ProductOut:
    changes = call.body.model_dump(mode="json", exclude_unset=True)
    return product_out(domain.update_product(call.principal, product_id, changes))


@resource.route(
    "/v1/products/{product_id}",
    "DELETE",
    summary="Remove a product (orders keep their lines).",
    status=204,
    action="products.manage",
    errors=(409,),
)
def delete_product(call: Call, product_id: str) -> None:
    domain.delete_product(call.principal, product_id)


# --- sending a selection -------------------------------------------------------------------
class CatalogueIn(RequestModel):
    product_ids: list[str] = Field(min_length=1, max_length=catalogue.MAX_PRODUCTS)
    text: str | None = Field(None, max_length=catalogue.TEXT_MAX)

    @model_validator(mode="after")
    def _distinct(self) -> CatalogueIn:
        if len(set(self.product_ids)) != len(self.product_ids):
            raise ValueError("product_ids: each product once")
        return self


class CatalogueOut(ResponseModel):
    id: str
    direction: str
    author_id: str | None
    text: str
    public: bool
    status: str | None
    attachments: list[dict[str, Any]]
    sent_at: datetime
    kind: str = Field(description="product_list (WhatsApp's interactive message) or text")
    product_ids: list[str]


@resource.route(
    "/v1/tickets/{number}/catalogue",
    "POST",
    summary="Send products into the conversation: stored queued, sent by the outbound worker.",
    body=CatalogueIn,
    response=CatalogueOut,
    status=202,
    action="catalogue.send",
    errors=(409,),  # a closed or read-only ticket, WhatsApp's window closed
)
def send_catalogue(call: Call, number: str) -> CatalogueOut:
    body: CatalogueIn = call.body
    message: Message = catalogue.send_selection(
        call.principal, parse_number(number), body.product_ids, body.text
    )
    sent = dict((message.extra or {}).get("catalogue") or {})
    return CatalogueOut(
        id=message.message_id, direction=message.direction, author_id=message.author_id,
        text=message.text, public=bool(message.public), status=message.status,
        attachments=list(message.attachments or []), sent_at=message.sent_at,
        kind=str(sent.get("kind") or "text"), product_ids=list(sent.get("product_ids") or []),
    )  # fmt: skip
