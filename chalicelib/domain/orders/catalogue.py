"""Sending a selection of the catalogue into a conversation (seed 002: "enviar catálogos").

The selection is an agent's answer like any other (:func:`replies.queue_reply`): the
same rules (the ticket seen and writable, WhatsApp's 24-hour window), stored queued in
the ticket's conversation, sent by the outbound worker exactly once. What is stored is
decided here, once; the worker sends it as it is (a product changed or deleted later
does not change a message already written):

* **WhatsApp with a Meta commerce catalogue** (the channel's ``commerce_catalog_id``)
  and every product with a SKU: one interactive ``product_list`` message, each product
  named by its SKU (``product_retailer_id``; it must be the product's id in the Meta
  catalogue), in one section. The conversation shows the formatted lines.
* **Otherwise** (WhatsApp without a catalogue id, a product without SKU, and every other
  channel): a formatted text, the ``text`` given then one line per product
  (``• name — price — SKU x``), plus each product's image as a file where the channel
  takes files (WhatsApp: an image message each, captioned with the product's line;
  Facebook and Instagram: image attachments; email: attached files). X direct messages
  and the web chat take text only.

Prices are written in the account's language (:func:`money.format_amount`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.channels.registry import provider
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Invalid
from chalicelib.domain.helpdesk.replies import (
    check_answerable,
    check_free_text_window,
    queue_reply,
)
from chalicelib.domain.helpdesk.tickets import load_ticket
from chalicelib.domain.orders.money import format_amount
from chalicelib.domain.orders.products import products_to_send
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, get_or_none
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Message
from chalicelib.store.products import Product

#: Meta's limits for a product list: 30 products, 10 sections (we use one)
MAX_PRODUCTS = 30
TEXT_MAX = 1024  # the product list's body, Meta's limit
HEADER_MAX = 60
SECTION_TITLE_MAX = 24
NAME_IN_LINE_MAX = 80

_WORDS = {
    "es": {"intro": "Te comparto estos productos:", "header": "Catálogo", "section": "Productos"},
    "pt": {"intro": "Compartilho estes produtos:", "header": "Catálogo", "section": "Produtos"},
    "en": {
        "intro": "Here are some products for you:",
        "header": "Catalogue",
        "section": "Products",
    },
}


def _words(locale: str) -> dict[str, str]:
    return _WORDS.get((locale or "es").split("-")[0].split("_")[0].lower(), _WORDS["es"])


def product_line(product: Product, locale: str) -> str:
    """``Polera — $9.990 — SKU POL-M``: how one product reads in a message."""
    name = product.name if len(product.name) <= NAME_IN_LINE_MAX else product.name[:79] + "…"
    line = f"{name} — {format_amount(int(product.price), product.currency, locale)}"
    return f"{line} — SKU {product.sku}" if product.sku else line


def formatted_text(products: Sequence[Product], text: str | None, locale: str) -> str:
    """The ``text`` given (or a short introduction) and one line per product."""
    intro = (text or "").strip() or _words(locale)["intro"]
    return intro + "\n\n" + "\n".join(f"• {product_line(p, locale)}" for p in products)


def product_list(
    catalog_id: str, products: Sequence[Product], text: str | None, locale: str
) -> dict[str, Any]:
    """WhatsApp's interactive ``product_list`` (Cloud API ``interactive`` object)."""
    words = _words(locale)
    return {
        "type": "product_list",
        "header": {"type": "text", "text": words["header"][:HEADER_MAX]},
        "body": {"text": ((text or "").strip() or words["intro"])[:TEXT_MAX]},
        "action": {
            "catalog_id": catalog_id,
            "sections": [
                {
                    "title": words["section"][:SECTION_TITLE_MAX],
                    "product_items": [{"product_retailer_id": p.sku} for p in products],
                }
            ],
        },
    }


def _images(products: Sequence[Product], locale: str) -> list[dict[str, Any]]:
    return [
        {"s3_key": p.image_key, "content_type": p.image_content_type or "image/jpeg",
         "filename": p.image_name or "image", "size": 0, "caption": product_line(p, locale)}
        for p in products if p.image_key
    ]  # fmt: skip


def send_selection(
    principal: Principal, number: int, product_ids: Sequence[str], text: str | None = None
) -> Message:
    """Queue a selection of active products as an answer on ticket ``number`` (one the
    caller may work); 400 naming unknown or inactive products or a text too long for
    the channel, 404 for a ticket not seen, 409 as a reply would get it."""
    ticket = load_ticket(principal, number, consistent=True)
    check_answerable(ticket, public=False)
    products = products_to_send(principal.tenant_id, product_ids)
    at = now()
    check_free_text_window(ticket, at)
    tenant = get_or_none(Tenant, keys.tenant_pk(principal.tenant_id), keys.tenant_sk())
    locale = str(getattr(tenant, "locale", None) or "es")
    channel = get_or_none(Channel, keys.tenant_pk(principal.tenant_id),
                          keys.channel_sk(ticket.channel_id))  # fmt: skip
    catalog_id = (channel.settings or {}).get("commerce_catalog_id") if channel else None
    body = formatted_text(products, text, locale)
    sent: dict[str, Any] = {"product_ids": [p.product_id for p in products]}
    extra: dict[str, Any] = {"catalogue": sent}
    files: list[dict[str, Any]] = []
    if ticket.channel_type == "whatsapp" and catalog_id and all(p.sku for p in products):
        sent["kind"] = "product_list"
        extra["interactive"] = product_list(str(catalog_id), products, text, locale)
    else:
        sent["kind"] = "text"
        # the longest text the channel takes in one message (Meta, X); longer is a 400
        limit = provider(ticket.channel_type).message_limit
        if len(body) > limit:
            raise Invalid(
                f"The message would be {len(body)} characters; {ticket.channel_type} takes "
                f"{limit}. Send fewer products or a shorter text.",
                code="catalogue_too_long",
                details=[{"loc": ["body", "product_ids"], "msg": f"at most {limit} characters",
                          "type": "too_long"}],
            )  # fmt: skip
        if provider(ticket.channel_type).sends_files:
            files = _images(products, locale)
    return queue_reply(principal, ticket, text=body, public=False, at=at, extra=extra,
                       attachments=files)  # fmt: skip
