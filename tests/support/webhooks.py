"""Signed provider webhooks, computed as each provider documents it.

- Meta (WhatsApp, Messenger, Instagram): ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256>``
  of the raw body with the app secret (``meta_signature``, ``meta_headers``);
- X (account activity): ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256>`` with
  the consumer secret (``x_signature``), also the CRC answer's token.

``whatsapp_text`` and ``whatsapp_status`` are WhatsApp bodies made from tests/fixtures/meta.
The secrets default to the test stage's settings, the ones the app checks against.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from chalicelib.settings import get_settings
from tests.support.payloads import WA, encoded, payload

#: the WhatsApp number the tests connect unless they say another
PHONE_NUMBER_ID = "106540352242922"


def meta_signature(body: bytes, secret: str | None = None) -> str:
    """sha256=<hex HMAC-SHA256(app secret, body)>, as Meta documents it."""
    key = secret if secret is not None else get_settings().meta_app_secret.get_secret_value()
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def meta_headers(body: bytes, secret: str | None = None) -> dict[str, str]:
    """The headers of a signed Meta webhook POST."""
    return {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)}


def x_signature(secret: str, message: bytes) -> str:
    """sha256=<base64 HMAC-SHA256>, as X's "Securing webhooks" guide computes it."""
    digest = hmac.new(secret.encode(), msg=message, digestmod=hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


# --- WhatsApp bodies, from tests/fixtures/meta ---------------------------------------------
def whatsapp_text(
    sender: str,
    text: str,
    message_id: str,
    timestamp: int | str,
    name: str = "María José",
    phone_number_id: str = PHONE_NUMBER_ID,
) -> bytes:
    """A client's text message to this number (meta/whatsapp_text.json)."""
    return encoded(payload("meta/whatsapp_text.json", {
        WA + "metadata.phone_number_id": phone_number_id,
        WA + "contacts.0.profile.name": name, WA + "contacts.0.wa_id": sender,
        WA + "messages.0.from": sender, WA + "messages.0.id": message_id,
        WA + "messages.0.timestamp": str(timestamp), WA + "messages.0.text.body": text}))  # fmt: skip


def whatsapp_status(
    wamid: str,
    state: str,
    recipient: str,
    timestamp: int | str,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> bytes:
    """WhatsApp's status of a message this number sent (meta/whatsapp_status_delivered.json)."""
    return encoded(payload("meta/whatsapp_status_delivered.json", {
        WA + "metadata.phone_number_id": phone_number_id,
        WA + "statuses.0.id": wamid, WA + "statuses.0.status": state,
        WA + "statuses.0.recipient_id": recipient,
        WA + "statuses.0.timestamp": str(timestamp)}))  # fmt: skip
