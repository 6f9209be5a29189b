"""The fake Meta (Graph API and the Facebook Login dialog) of ``make run`` (devstack/fake_providers.py).

It answers every Graph call Atiende makes, under any version prefix (``/v21.0/...``):

* Facebook Login: the dialog ``GET /dialog/oauth`` (a consent page "Continuar como Ana"
  whose button goes back to ``redirect_uri?code&state``), ``GET /oauth/access_token``
  (a dialog's code, or ``grant_type=fb_exchange_token``), ``GET /me/accounts`` (two
  Pages, the first with an Instagram business account), ``POST /{page}/subscribed_apps``;
* ``GET /debug_token`` (a token that never expires; one with "expiring" in it, five days);
* the senders: ``POST /me/messages`` (Messenger, Instagram), ``POST /{comment}/comments``
  and ``/{comment}/replies``, ``POST /{phone-number-id}/messages`` (WhatsApp);
* WhatsApp's ``GET /{phone-number-id}`` and ``GET /{waba-id}/message_templates``.

Nothing is checked but the shape: any token works, any code is good except ``bad``.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import time
from collections import deque
from urllib.parse import urlencode

from devstack.fake_providers import Answer, Request

#: the base-URL settings ``make run`` points here (only once every call is answered)
SETTINGS: tuple[str, ...] = ("GRAPH_API_BASE_URL", "META_LOGIN_BASE_URL")

USER = "Ana"
PAGES = (
    {"id": "104857600000001", "name": "Café Aurora",
     "instagram_business_account": {"id": "17841400000000001", "username": "cafe.aurora"}},
    {"id": "104857600000002", "name": "Librería Sur"},
)  # fmt: skip
PHONE = {"display_phone_number": "+56 9 5555 0101", "verified_name": "Café Aurora",
         "quality_rating": "GREEN"}  # fmt: skip
TEMPLATES = (
    {"name": "pedido_listo", "language": "es", "status": "APPROVED", "category": "UTILITY",
     "components": [{"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} está listo."}]},
    {"name": "seguimiento", "language": "es", "status": "APPROVED", "category": "MARKETING",
     "components": [{"type": "HEADER", "format": "TEXT", "text": "Café Aurora"},
                    {"type": "BODY", "text": "¿Cómo te fue con tu compra, {{1}}?"}]},
    {"name": "order_ready", "language": "en_US", "status": "PENDING", "category": "UTILITY",
     "components": [{"type": "BODY", "text": "Hi {{1}}, your order is ready."}]},
)  # fmt: skip

#: the WhatsApp messages sent, newest last: ``GET /_fake/meta/whatsapp/sent`` (tests read
#: the wamid of a reply there, to post its status webhook)
SENT: deque[dict[str, str]] = deque(maxlen=500)
_LOCK = threading.Lock()

_VERSION = re.compile(r"^/v[0-9]+\.[0-9]+(?=/)")


def _error(status: int, message: str, code: int = 100) -> Answer:
    return Answer(status, {"error": {"message": message, "type": "OAuthException", "code": code,
                                     "fbtrace_id": "fake"}})  # fmt: skip


def _id() -> str:
    return str(secrets.randbelow(10**15) + 10**15)


def _dialog(request: Request) -> Answer:
    redirect, state = request.query.get("redirect_uri", ""), request.query.get("state", "")
    if not redirect.startswith(("http://", "https://")):
        return Answer(400, "<p>redirect_uri is missing</p>")
    join = "&" if "?" in redirect else "?"
    back = f"{redirect}{join}{urlencode({'code': 'fake-code-' + secrets.token_hex(6), 'state': state})}"
    cancel = f"{redirect}{join}{urlencode({'error': 'access_denied', 'state': state})}"
    page = f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Iniciar sesión con Facebook (fake)</title>
<style>body{{font-family:system-ui,sans-serif;background:#f0f2f5;display:grid;place-items:center;
min-height:100vh;margin:0}}main{{background:#fff;border-radius:8px;padding:32px;max-width:380px;
box-shadow:0 2px 12px #0002;text-align:center}}a{{display:block;margin-top:12px;padding:10px;
border-radius:6px;text-decoration:none}}.go{{background:#1877f2;color:#fff;font-weight:600}}
.no{{color:#385898}}</style></head><body><main>
<h1>Facebook (fake)</h1><p>Atiende quiere acceder a tus páginas de Facebook y cuentas de
Instagram.</p><a class="go" href="{html.escape(back)}">Continuar como {USER} (fake Facebook)</a>
<a class="no" href="{html.escape(cancel)}">Cancelar</a></main></body></html>"""
    return Answer(200, page)


def _accounts(request: Request) -> Answer:
    fields = request.query.get("fields", "")
    data = []
    for page in PAGES:
        item: dict[str, object] = {"id": page["id"], "name": page["name"],
                                   "access_token": f"fake-page-token-{page['id']}"}  # fmt: skip
        if "instagram_business_account" in fields and "instagram_business_account" in page:
            item["instagram_business_account"] = page["instagram_business_account"]
        data.append(item)
    return Answer(200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}})


def handle(request: Request) -> Answer | None:
    if request.path == "/_fake/meta/whatsapp/sent" and request.method == "GET":
        with _LOCK:
            return Answer(200, {"data": list(SENT)})
    path = _VERSION.sub("", request.path)
    method, query = request.method, request.query
    if path == "/dialog/oauth" and method == "GET":
        return _dialog(request)
    if path == "/oauth/access_token" and method == "GET":
        if query.get("grant_type") == "fb_exchange_token":
            if not query.get("fb_exchange_token"):
                return _error(400, "Missing fb_exchange_token")
            return Answer(200, {"access_token": "fake-long-user-token-" + secrets.token_hex(8),
                                "token_type": "bearer", "expires_in": 5183944})  # fmt: skip
        code = query.get("code", "")
        if not code or code == "bad":
            return _error(400, "Invalid verification code format.")
        return Answer(200, {"access_token": "fake-user-token-" + secrets.token_hex(8),
                            "token_type": "bearer", "expires_in": 5400})  # fmt: skip
    if path == "/me/accounts" and method == "GET":
        return _accounts(request)
    if path == "/debug_token" and method == "GET":
        # a token with "expiring" in it lasts five more days (to see the warning locally)
        expiring = "expiring" in query.get("input_token", "")
        expires_at = int(time.time()) + 5 * 86400 if expiring else 0
        return Answer(200, {"data": {"app_id": "local-meta-app-id", "type": "PAGE",
                                     "is_valid": True, "expires_at": expires_at,
                                     "data_access_expires_at": 0, "scopes": []}})  # fmt: skip
    if path == "/me/messages" and method == "POST":
        return Answer(200, {"recipient_id": "fake", "message_id": "m_" + secrets.token_hex(12)})
    parts = path.strip("/").split("/")
    if len(parts) == 2 and method == "POST":
        node, edge = parts
        if edge == "subscribed_apps":
            return Answer(200, {"success": True})
        if edge in ("comments", "replies"):
            return Answer(200, {"id": f"{node}_{_id()}"})
        if edge == "messages":
            to = ""
            try:
                body = request.json()
                to = str(body.get("to", "")) if isinstance(body, dict) else ""
            except ValueError:
                pass
            wamid = "wamid.FAKE" + secrets.token_hex(10)
            with _LOCK:
                SENT.append({"phone_number_id": node, "to": to, "id": wamid})
            return Answer(200, {"messaging_product": "whatsapp",
                                "contacts": [{"input": to, "wa_id": to}],
                                "messages": [{"id": wamid}]})  # fmt: skip
    if len(parts) == 2 and method == "GET" and parts[1] == "message_templates":
        return Answer(
            200, {"data": list(TEMPLATES), "paging": {"cursors": {"before": "a", "after": "b"}}}
        )
    if len(parts) == 1 and method == "GET" and parts[0].isdigit():
        return Answer(200, {**PHONE, "id": parts[0]})
    return None
