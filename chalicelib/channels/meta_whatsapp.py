"""WhatsApp Cloud API webhooks (``object: "whatsapp_business_account"``) as events.

The shape, from Meta's "messages webhook reference" (text, image, reaction, button,
interactive, location, status, ...): ``entry[].changes[]`` with ``field: "messages"``;
``value.metadata.phone_number_id`` names our number (the channel's account id),
``value.contacts[]`` carries the senders' profile names, ``value.messages[]`` what
clients wrote and ``value.statuses[]`` what became of the messages we sent.
Timestamps are epoch seconds as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.channels.events import Attachment, InboundEvent, InboundMessage, StatusUpdate
from chalicelib.channels.provider_json import (
    AttachmentKind,
    DeliveryStatus,
    JSONObject,
    obj,
    objects,
    opt_obj,
    required_id,
    stable_id,
    string,
    timestamp,
)
from chalicelib.clock import now

_MEDIA: dict[str, AttachmentKind] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "document": "document",
    "sticker": "sticker",
}
# "played" (a voice message was listened to) implies it was read; other values
# ("deleted", "warning", ...) say nothing a ticket shows, so they are skipped.
_STATUSES: dict[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "read",
    "failed": "failed",
}


@dataclass
class _Content:
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


def parse_entries(entries: list[JSONObject]) -> list[InboundEvent]:
    """Every message and status of a WhatsApp webhook body, in delivery order."""
    events: list[InboundEvent] = []
    for entry in entries:
        for change in objects(entry.get("changes"), "entry.changes"):
            if change.get("field") != "messages":
                continue  # template, quality and account updates are not conversations
            events.extend(_parse_value(obj(change.get("value"), "change.value")))
    return events


def _parse_value(value: JSONObject) -> list[InboundEvent]:
    messages = objects(value.get("messages"), "value.messages")
    statuses = objects(value.get("statuses"), "value.statuses")
    if not messages and not statuses:
        return []
    metadata = obj(value.get("metadata"), "value.metadata")
    account_id = required_id(metadata.get("phone_number_id"), "metadata.phone_number_id")
    names = _contact_names(objects(value.get("contacts"), "value.contacts"))
    events: list[InboundEvent] = []
    for message in messages:
        parsed = _message(message, account_id, names)
        if parsed is not None:
            events.append(parsed)
    for status in statuses:
        update = _status(status, account_id)
        if update is not None:
            events.append(update)
    return events


def _contact_names(contacts: list[JSONObject]) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in contacts:
        wa_id = string(contact.get("wa_id"))
        name = string(opt_obj(contact.get("profile"), "contact.profile").get("name"))
        if wa_id and name:
            names[wa_id.lstrip("+")] = name  # ``from`` and ``wa_id`` may differ by the "+"
    return names


def _message(message: JSONObject, account_id: str, names: dict[str, str]) -> InboundMessage | None:
    """One client message; None for a removed reaction (nothing to show)."""
    sender = required_id(message.get("from"), "message.from")
    wamid = required_id(message.get("id"), "message.id")
    kind = string(message.get("type")) or "unknown"
    context = opt_obj(message.get("context"), "message.context")
    base: dict[str, Any] = {
        "channel_type": "whatsapp",
        "account_id": account_id,
        "provider_message_id": wamid,
        "sender_id": sender,
        "sender_name": names.get(sender.lstrip("+")),
        "sender_handle": "+" + sender.lstrip("+"),
        "sent_at": timestamp(message.get("timestamp")) or now(),
        "reply_to_provider_id": string(context.get("id")) or None,  # absent when forwarded
    }
    if kind == "reaction":
        reaction = obj(message.get("reaction"), "message.reaction")
        target = required_id(reaction.get("message_id"), "reaction.message_id")
        emoji = string(reaction.get("emoji"))
        if not emoji:
            return None  # the client removed a reaction: the model has no "unreact"
        # Meta gives the reaction its own wamid, but Messenger reactions have none: one
        # rule for both (reacted message + sender + emoji) keeps redeliveries deduplicated.
        base["provider_message_id"] = stable_id("reaction", target, sender, emoji)
        base["reply_to_provider_id"] = target
        return InboundMessage(**base, reaction=emoji)
    content = _content(kind, message)
    return InboundMessage(
        **base, text=content.text, attachments=content.attachments, extra=content.extra
    )


def _content(kind: str, message: JSONObject) -> _Content:
    if kind == "contacts":  # the one type whose body is a list
        return _Content(text=_contact_cards(message.get("contacts")))
    body = opt_obj(message.get(kind), f"message.{kind}") if kind in message else {}
    if kind == "text":
        return _Content(text=string(body.get("body")) or "")
    if kind in _MEDIA:
        attachment = Attachment(
            kind=_MEDIA[kind],
            mime_type=string(body.get("mime_type")),
            name=string(body.get("filename")),
            url=string(body.get("url")),
            provider_media_id=string(body.get("id")),
        )
        return _Content(text=string(body.get("caption")) or "", attachments=[attachment])
    if kind == "location":
        return _location(body)
    if kind == "interactive":
        return _interactive(body)
    if kind == "button":  # a quick-reply button of a template message
        extra = {"button_payload": payload} if (payload := string(body.get("payload"))) else {}
        return _Content(text=string(body.get("text")) or "", extra=extra)
    return _unsupported(kind, message)


def _location(body: JSONObject) -> _Content:
    """A shared place: coordinates in ``extra`` (the attachment model has no fields for them)."""
    name, address = string(body.get("name")), string(body.get("address"))
    latitude, longitude = body.get("latitude"), body.get("longitude")
    where = ", ".join(part for part in (name, address) if part)
    extra: dict[str, str] = {}
    if isinstance(latitude, int | float) and isinstance(longitude, int | float):
        extra = {"latitude": str(latitude), "longitude": str(longitude)}
        where = f"{where} ({latitude}, {longitude})".strip()
    attachment = Attachment(kind="location", name=name or address)
    return _Content(text=f"[location] {where}".strip(), attachments=[attachment], extra=extra)


def _interactive(body: JSONObject) -> _Content:
    """A tap on a reply button or list row (the title is what the client saw and chose),
    or a WhatsApp Flow's answer (``nfm_reply``, kept as JSON for automations)."""
    reply_type = string(body.get("type")) or "unknown"
    reply = opt_obj(body.get(reply_type), f"interactive.{reply_type}")
    extra: dict[str, str] = {"interactive_type": reply_type}
    if reply_id := string(reply.get("id")):
        extra["reply_id"] = reply_id
    if reply_type == "nfm_reply":
        if response := string(reply.get("response_json")):
            extra["response_json"] = response
        return _Content(text=string(reply.get("body")) or "[form response]", extra=extra)
    title = string(reply.get("title"))
    if not title:
        return _Content(text=f"[unsupported message type: interactive/{reply_type}]", extra=extra)
    return _Content(text=title, extra=extra)


def _contact_cards(value: Any) -> str:
    lines = []
    for card in objects(value, "message.contacts"):
        name = string(opt_obj(card.get("name"), "contact.name").get("formatted_name")) or ""
        phones = [
            phone
            for entry in objects(card.get("phones"), "contact.phones")
            if (phone := string(entry.get("phone")))
        ]
        lines.append(" ".join(part for part in (name, ", ".join(phones)) if part))
    return "\n".join(f"[contact] {line}".strip() for line in lines) or "[contact]"


def _unsupported(kind: str, message: JSONObject) -> _Content:
    """Kept, not dropped: the agent sees that the client sent something, and what kind."""
    extra: dict[str, str] = {}
    errors = objects(message.get("errors"), "message.errors")
    if errors and (error := _error_text(errors[0])):
        extra["error"] = error
    return _Content(text=f"[unsupported message type: {kind}]", extra=extra)


def _status(status: JSONObject, account_id: str) -> StatusUpdate | None:
    state = _STATUSES.get(string(status.get("status")) or "")
    if state is None:
        return None
    errors = objects(status.get("errors"), "status.errors")
    return StatusUpdate(
        channel_type="whatsapp",
        account_id=account_id,
        provider_message_id=required_id(status.get("id"), "status.id"),
        status=state,
        at=timestamp(status.get("timestamp")) or now(),
        error=_error_text(errors[0]) if errors else None,
    )


def _error_text(error: JSONObject) -> str | None:
    """``131049: This message was not delivered ... (details)`` from an ``errors[]`` item."""
    code = string(error.get("code"))
    title = string(error.get("title")) or string(error.get("message"))
    details = string(opt_obj(error.get("error_data"), "error.error_data").get("details"))
    details = details or string(error.get("details"))
    text = ": ".join(part for part in (code, title) if part)
    if details and details != title:
        text = f"{text} ({details})" if text else details
    return text or None
