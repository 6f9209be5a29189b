"""Facebook Pages and Instagram: private messages and public comment replies.

Also the Graph API pieces WhatsApp shares (version, base URL, error codes).

* Private (Messenger and Instagram messaging, Messenger Platform "Send API"):
  ``POST {graph}/me/messages?access_token=<page token>`` with ``recipient.id`` (the PSID
  or IGSID), ``messaging_type: RESPONSE`` and ``message`` = ``{"text"}`` or
  ``{"attachment": {"type", "payload": {"url", "is_reusable": false}}}``. One message
  holds text or one attachment, so a reply with files is several requests. For
  Instagram the Page token's ``/me`` is the Page linked to the Instagram account.
* Public: a Page comment is answered with ``POST {graph}/{comment-id}/comments``, an
  Instagram comment with ``POST {graph}/{ig-comment-id}/replies``, both ``{"message"}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.channels.outbound.model import (
    OutboundAttachment,
    OutboundRequest,
    SendError,
    SendResult,
)
from chalicelib.channels.outbound.transport import (
    Exchange,
    HttpResponse,
    credential,
    dig,
    http_error,
    json_request,
    provider_base,
    required,
    result_of,
)

GRAPH_VERSION = "v21.0"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"

#: Graph error codes of rate limits (any HTTP status): 4 app, 17 user, 32 Page, 613 call
#: rate, 80001-80014 business use case; WhatsApp 130429 throughput, 131048 spam rate
#: limit, 131056 pair rate limit.
_THROTTLED = frozenset({4, 17, 32, 613, 130429, 131048, 131056, *range(80001, 80015)})
#: 102 and 190 invalid or expired token, 200-299 a permission missing: a person must act.
#: (Not 10: Messenger and Instagram also answer #10 to a message outside the 24-hour window.)
_REJECTED = frozenset({102, 190, *range(200, 300)})
_ATTACHMENT_TYPES = ("image", "video", "audio")


def graph() -> tuple[str, bool]:
    """``{base}/{version}`` of the Graph API and whether requests really go there."""
    base, live = provider_base("graph_api_base_url", DEFAULT_GRAPH_URL)
    return f"{base}/{GRAPH_VERSION}", live


def graph_error(response: HttpResponse, message: str) -> SendError:
    """Graph errors carry their meaning in ``error.code`` more than in the HTTP status."""
    error = response.body.get("error") if isinstance(response.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    transient = isinstance(error, dict) and error.get("is_transient") is True
    if isinstance(code, int) and not message.startswith(f"(#{code})"):
        message = f"(#{code}) {message}".strip()
    return http_error(
        response,
        message,
        retryable=True if code in _THROTTLED or transient else None,
        credentials_rejected=True if code in _REJECTED else None,
    )


def send_message(request: OutboundRequest, exchange: Exchange) -> SendResult:
    """A Messenger or Instagram direct message: its text, then one message per file."""
    root, live = graph()
    token = credential(request.credentials, "page_access_token")
    url = f"{root}/me/messages?{urlencode({'access_token': token})}"
    ids = []
    for message in _messages(request):
        payload = {
            "recipient": {"id": request.recipient_id},
            "messaging_type": "RESPONSE",
            "message": message,
        }
        response = exchange.call(json_request("POST", url, payload, live=live), graph_error)
        ids.append(exchange.provider_id(response, lambda body: dig(body, "message_id")))
    return result_of(ids)


def reply_to_comment(request: OutboundRequest, exchange: Exchange) -> SendResult:
    """A public answer under the client's comment (Page comment or Instagram comment)."""
    root, live = graph()
    token = credential(request.credentials, "page_access_token")
    comment = required(request.reply_to, "the id of the comment answered")
    edge = "replies" if request.channel_type == "instagram" else "comments"
    url = f"{root}/{quote(comment, safe='')}/{edge}?{urlencode({'access_token': token})}"
    response = exchange.call(
        json_request("POST", url, {"message": request.text}, live=live), graph_error
    )
    return result_of([exchange.provider_id(response, lambda body: dig(body, "id"))])


def _messages(request: OutboundRequest) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"text": request.text}] if request.text.strip() else []
    return messages + [{"attachment": _attachment(item)} for item in request.attachments]


def _attachment(item: OutboundAttachment) -> dict[str, Any]:
    kind = item.content_type.split("/", 1)[0].lower()
    return {
        "type": kind if kind in _ATTACHMENT_TYPES else "file",
        "payload": {"url": item.url, "is_reusable": False},
    }
