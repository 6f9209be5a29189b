"""WhatsApp Cloud API: ``POST {graph}/{phone-number-id}/messages`` with a bearer token.

Every body is ``{"messaging_product": "whatsapp", "recipient_type": "individual", "to",
"type", <type>: {...}}``; the first one carries ``context: {"message_id": wamid}`` when
answering a specific message. Kinds sent:

* text: ``{"body", "preview_url": false}`` (no link previews of what agents paste);
* media by link: ``image`` / ``video`` / ``document`` (``{"link", "caption"}``, documents
  also ``filename``) and ``audio`` (``{"link"}``, no caption). The reply's text becomes
  the caption of its first file when that file takes one, else it goes first as text;
* template (outside the 24-hour window): ``{"name", "language": {"code"},
  "components": [{"type": "body", "parameters": [{"type": "text", "text"}]}]}``;
* interactive (a catalogue's ``product_list``: ``{"type", "header", "body", "action":
  {"catalog_id", "sections": [{"title", "product_items": [{"product_retailer_id"}]}]}}``),
  sent as the message stored it.

Files with a caption of their own (a catalogue's product images) each carry it; the
reply's text then goes first, as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from chalicelib.channels.outbound.meta_pages import graph, graph_error
from chalicelib.channels.outbound.model import OutboundAttachment, OutboundRequest, SendResult
from chalicelib.channels.outbound.transport import (
    Exchange,
    bearer,
    credential,
    dig,
    json_request,
    required,
    result_of,
)

_CAPTIONED = frozenset({"image", "video", "document"})


def send(request: OutboundRequest, exchange: Exchange) -> SendResult:
    root, live = graph()
    token = credential(request.credentials, "access_token")
    phone_number_id = str(request.identifiers.get("phone_number_id") or request.account_id)
    url = f"{root}/{quote(phone_number_id, safe='')}/messages"
    ids = []
    for index, content in enumerate(_contents(request)):
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": request.recipient_id,
            **content,
        }
        if index == 0 and request.reply_to:
            payload["context"] = {"message_id": request.reply_to}
        answer = exchange.call(
            json_request("POST", url, payload, headers=bearer(token), live=live), graph_error
        )
        ids.append(exchange.provider_id(answer, lambda body: dig(body, "messages", 0, "id")))
    return result_of(ids)


def _contents(request: OutboundRequest) -> list[dict[str, Any]]:
    if request.template is not None:
        return [_template(request.template)]
    if request.interactive is not None:
        return [{"type": "interactive", "interactive": dict(request.interactive)}]
    caption = request.text if request.text.strip() else ""
    first = _kind(request.attachments[0]) if request.attachments else None
    own_captions = any(item.caption for item in request.attachments)
    contents: list[dict[str, Any]] = []
    if caption and (first not in _CAPTIONED or own_captions):
        contents.append({"type": "text", "text": {"body": request.text, "preview_url": False}})
        caption = ""
    for index, item in enumerate(request.attachments):
        own = item.caption if _kind(item) in _CAPTIONED else ""
        contents.append(_media(item, own or (caption if index == 0 else "")))
    return contents


def _kind(item: OutboundAttachment) -> str:
    family = item.content_type.split("/", 1)[0].lower()
    return family if family in ("image", "video", "audio") else "document"


def _media(item: OutboundAttachment, caption: str) -> dict[str, Any]:
    kind = _kind(item)
    media: dict[str, Any] = {"link": item.url}
    if caption:
        media["caption"] = caption
    if kind == "document":
        media["filename"] = item.filename
    return {"type": kind, kind: media}


def _template(template: Mapping[str, Any]) -> dict[str, Any]:
    language = template.get("language")
    code = language.get("code") if isinstance(language, Mapping) else language
    body: dict[str, Any] = {
        "name": required(str(template.get("name") or ""), "the template's name"),
        "language": {"code": required(str(code or ""), "the template's language")},
    }
    parameters = template.get("parameters") or []
    if parameters:
        body["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in parameters]}
        ]
    return {"type": "template", "template": body}
