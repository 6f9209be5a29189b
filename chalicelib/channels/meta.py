"""Meta webhooks: WhatsApp Cloud API, Messenger, Instagram and Page comments.

One app, one endpoint protocol (Meta's "Getting Started with Webhooks"):

* the verification GET carries ``hub.mode=subscribe``, ``hub.verify_token`` (the token we
  chose when subscribing) and ``hub.challenge``, which we echo back as the body;
* every POST carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body,
  keyed with the app secret>``; it must be checked on the bytes as received, before
  any JSON parsing (re-serialising changes spacing and escapes, so the HMAC too);
* the body's ``object`` names the product: ``whatsapp_business_account``, ``page``
  (Messenger and Page feed) or ``instagram``.

The parsing itself lives in :mod:`meta_whatsapp` and :mod:`meta_pages`.
"""

from __future__ import annotations

import hashlib
import hmac
import string as _chars

from chalicelib.channels import meta_pages, meta_whatsapp
from chalicelib.channels.events import InboundMessage, MalformedPayload, StatusUpdate
from chalicelib.channels.provider_json import load_object, objects

SIGNATURE_HEADER = "X-Hub-Signature-256"
_HEX = frozenset(_chars.hexdigits)


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """True when ``header`` is ``sha256=<hex>`` and matches the body's HMAC with the secret.

    A missing or garbled header, another algorithm or an unset secret is refused: a
    channel without its app secret must not accept whatever is posted to it.
    """
    if not header or not app_secret:
        return False
    algorithm, _, digest = header.strip().partition("=")
    digest = digest.strip().lower()
    if algorithm.strip().lower() != "sha256" or len(digest) != 64 or not _HEX.issuperset(digest):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)


def verification_challenge(params: dict[str, str], verify_token: str) -> str | None:
    """The ``hub.challenge`` to answer a subscription check with, or None to refuse it (403)."""
    mode = params.get("hub.mode")
    token = params.get("hub.verify_token") or ""
    challenge = params.get("hub.challenge")
    if mode != "subscribe" or not verify_token or not challenge:
        return None
    if not hmac.compare_digest(token.encode("utf-8"), verify_token.encode("utf-8")):
        return None
    return challenge


def parse(body: str) -> list[InboundMessage | StatusUpdate]:
    """The messages and delivery statuses of a Meta webhook body, in delivery order.

    Raises :class:`MalformedPayload` for a body that can never parse: not JSON, not an
    object, no ``entry`` list, an unknown ``object`` or an event missing its ids.
    """
    payload = load_object(body)
    kind = payload.get("object")
    if payload.get("entry") is None:
        raise MalformedPayload("Meta webhook body has no entry")
    entries = objects(payload["entry"], "entry")
    if kind == "whatsapp_business_account":
        return meta_whatsapp.parse_entries(entries)
    if kind == "page":
        return meta_pages.parse_entries(entries, "facebook")
    if kind == "instagram":
        return meta_pages.parse_entries(entries, "instagram")
    raise MalformedPayload(f"unknown Meta webhook object {kind!r}")
