"""The fake X (OAuth 1.0a and the API) of ``make run`` (devstack/fake_providers.py).

It answers every call Atiende makes to ``TWITTER_API_BASE_URL``, in X's shapes:

* the 3-legged OAuth flow: ``POST /oauth/request_token``, the ``GET /oauth/authorize``
  page ("Autorizar app (fake X)"), ``POST /oauth/access_token``;
* the Account Activity subscription: ``POST``/``GET
  /2/account_activity/webhooks/{id}/subscriptions/all``;
* the replies (chalicelib/channels/outbound/twitter.py): ``POST
  /2/dm_conversations/with/{user}/messages``, ``POST /2/tweets``;
* the keyword search poll (chalicelib/channels/twitter_search.py): ``GET
  /2/tweets/search/recent``, always empty.

OAuth 1.0a requests are checked as X does: a wrong signature is a 401 in X's error
shape, which catches signing bugs locally. The consumer secret is the one Atiende uses
(``TWITTER_CONSUMER_SECRET``, local default). Tokens the fake did not issue (a channel
connected by pasting tokens) are taken on trust: their secret is unknown here.
State lives in memory: restarting ``make run`` forgets it.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from chalicelib.channels.outbound.twitter import sign, signature_base
from chalicelib.settings import get_settings
from devstack.fake_providers import Answer, Request

#: the base-URL settings ``make run`` points here (only once every call is answered)
SETTINGS: tuple[str, ...] = ("TWITTER_API_BASE_URL",)

_SUBSCRIPTIONS = re.compile(r"^/2/account_activity/webhooks/([^/]+)/subscriptions/all$")
_DM = re.compile(r"^/2/dm_conversations/with/([0-9]+)/messages$")
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class _Pending:
    secret: str
    callback: str
    verifier: str = ""
    user_id: str = ""
    screen_name: str = ""


@dataclass
class _Account:
    secret: str
    user_id: str
    screen_name: str
    subscribed: bool = False


_lock = threading.Lock()
_pending: dict[str, _Pending] = {}  # request token -> its state
_accounts: dict[str, _Account] = {}  # access token -> the account


def reset() -> None:
    """Forget every token (tests)."""
    with _lock:
        _pending.clear()
        _accounts.clear()


def handle(request: Request) -> Answer | None:
    path = request.path
    if path == "/oauth/request_token" and request.method == "POST":
        return _request_token(request)
    if path == "/oauth/authorize" and request.method == "GET":
        return _authorize_page(request)
    if path == "/oauth/authorize/approve" and request.method == "GET":
        return _approve(request)
    if path == "/oauth/access_token" and request.method == "POST":
        return _access_token(request)
    if (match := _SUBSCRIPTIONS.match(path)) and request.method in ("GET", "POST"):
        return _subscription(request, match.group(1))
    if (match := _DM.match(path)) and request.method == "POST":
        return _signed(request) or Answer(201, {"data": {
            "dm_conversation_id": f"{match.group(1)}-{_account_id(request)}",
            "dm_event_id": _snowflake()}})  # fmt: skip
    if path == "/2/tweets" and request.method == "POST":
        body = request.json()
        text = body.get("text", "") if isinstance(body, dict) else ""
        return _signed(request) or Answer(201, {"data": {"id": _snowflake(), "text": text}})
    if path == "/2/tweets/search/recent" and request.method == "GET":
        return Answer(200, {"meta": {"result_count": 0}})
    return None


# --- OAuth 1.0a --------------------------------------------------------------------------
def _oauth_fields(request: Request) -> dict[str, str]:
    header = request.headers.get("authorization", "")
    if not header.startswith("OAuth "):
        return {}
    return {k: unquote(v) for k, v in re.findall(r'([\w]+)="([^"]*)"', header)}


def _check(request: Request, token_secret: str) -> Answer | None:
    """None when the request is signed with the consumer secret and ``token_secret``."""
    fields = _oauth_fields(request)
    signature = fields.pop("oauth_signature", "")
    if not signature or fields.get("oauth_signature_method") != "HMAC-SHA1":
        return _unauthorized("Missing or malformed OAuth Authorization header")
    url = f"http://{request.headers.get('host', '')}{request.path}"
    params = [*request.query.items(), *fields.items()]
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params += request.form.items()
    consumer = get_settings().twitter_consumer_secret
    expected = sign(
        signature_base(request.method, url, params),
        consumer.get_secret_value() if consumer else "",
        token_secret,
    )
    if not secrets.compare_digest(expected, signature):
        return _unauthorized("Could not authenticate you.")
    return None


def _signed(request: Request) -> Answer | None:
    """Check a call made in an account's name (its access token)."""
    token = _oauth_fields(request).get("oauth_token", "")
    with _lock:
        account = _accounts.get(token)
    if account is None:
        return None if token else _unauthorized("Missing oauth_token")
    return _check(request, account.secret)


def _request_token(request: Request) -> Answer:
    callback = _oauth_fields(request).get("oauth_callback", "")
    if refused := _check(request, ""):
        return refused
    if not callback.startswith(("http://", "https://")):
        return _unauthorized("Callback URL not approved for this client application.")
    token, secret = _token(), _token()
    with _lock:
        _pending[token] = _Pending(secret, callback)
    return Answer(200, urlencode({"oauth_token": token, "oauth_token_secret": secret,
                                  "oauth_callback_confirmed": "true"}), _FORM)  # fmt: skip


def _authorize_page(request: Request) -> Answer:
    token = request.query.get("oauth_token", "")
    with _lock:
        pending = _pending.get(token)
    if pending is None:
        return Answer(400, _page("Este enlace de autorización no es válido o ya se usó.", ""))
    handle = f"cliente_{secrets.randbelow(9000) + 1000}"
    form = f"""<form method="get" action="/oauth/authorize/approve">
      <input type="hidden" name="oauth_token" value="{html.escape(token)}">
      <p><label for="handle">Cuenta de X que autoriza</label><br>
      <input id="handle" name="screen_name" value="{handle}" required pattern="[A-Za-z0-9_]{{1,15}}"></p>
      <p>La aplicación podrá leer y enviar tus mensajes directos y publicar respuestas.</p>
      <p><button type="submit">Autorizar app (fake X)</button>
      <button type="submit" name="deny" value="1" formnovalidate>Cancelar</button></p>
    </form>"""
    return Answer(200, _page("¿Autorizar a Atiende a usar tu cuenta?", form))


def _approve(request: Request) -> Answer:
    token = request.query.get("oauth_token", "")
    with _lock:
        pending = _pending.get(token)
        if pending is None:
            return Answer(400, _page("Este enlace de autorización no es válido o ya se usó.", ""))
        if request.query.get("deny"):
            _pending.pop(token, None)
            query = urlencode({"denied": token})
        else:
            pending.verifier = _token(20)
            pending.user_id = str(10**17 + secrets.randbelow(9 * 10**17))
            pending.screen_name = request.query.get("screen_name") or "cliente_fake"
            query = urlencode({"oauth_token": token, "oauth_verifier": pending.verifier})
    join = "&" if "?" in pending.callback else "?"
    return Answer(302, "", {"Location": f"{pending.callback}{join}{query}"})


def _access_token(request: Request) -> Answer:
    fields = _oauth_fields(request)
    token = fields.get("oauth_token", "")
    verifier = fields.get("oauth_verifier") or request.form.get("oauth_verifier", "")
    with _lock:
        pending = _pending.get(token)
    if pending is None:
        return _unauthorized("Invalid request token.")
    if refused := _check(request, pending.secret):
        return refused
    if not pending.verifier or verifier != pending.verifier:
        return _unauthorized(
            "Error processing your OAuth request: Invalid oauth_verifier parameter"
        )
    access, secret = f"{pending.user_id}-{_token(30)}", _token(40)
    with _lock:
        _pending.pop(token, None)
        _accounts[access] = _Account(secret, pending.user_id, pending.screen_name)
    return Answer(200, urlencode({"oauth_token": access, "oauth_token_secret": secret,
                                  "user_id": pending.user_id,
                                  "screen_name": pending.screen_name}), _FORM)  # fmt: skip


def _subscription(request: Request, webhook_id: str) -> Answer:
    token = _oauth_fields(request).get("oauth_token", "")
    with _lock:
        account = _accounts.get(token)
    if account is None:
        return _unauthorized("Unknown or missing user access token")
    if refused := _check(request, account.secret):
        return refused
    if request.method == "POST":
        account.subscribed = True
    return Answer(200, {"data": {"subscribed": account.subscribed}})


# --- small pieces -----------------------------------------------------------------------------
def _account_id(request: Request) -> str:
    token = _oauth_fields(request).get("oauth_token", "")
    return token.partition("-")[0] or "0"


def _token(length: int = 32) -> str:
    return secrets.token_urlsafe(length)[:length]


def _snowflake() -> str:
    return str(10**18 + secrets.randbelow(9 * 10**18))


def _unauthorized(message: str) -> Answer:
    return Answer(401, {"errors": [{"code": 32, "message": message}]})


def _page(title: str, content: str) -> str:
    return f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>X (fake) — Autorizar</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}}
button{{font:inherit;padding:.5rem 1rem;border-radius:999px;border:1px solid #0f1419;margin-right:.5rem}}
button[type=submit]:first-of-type{{background:#0f1419;color:#fff}}
input{{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}}</style></head>
<body><p><strong>X</strong> · servidor falso de <code>make run</code></p>
<h1>{html.escape(title)}</h1>{content}</body></html>"""
