"""The Graph API calls of connecting Meta channels (docs/channels.md "Connecting Meta").

Facebook Login, the manual ("redirect") flow:

* the dialog: ``{META_LOGIN_BASE_URL}/{version}/dialog/oauth?client_id&redirect_uri&state
  &scope&response_type=code`` sends the browser back to ``redirect_uri?code&state``;
* ``GET {graph}/oauth/access_token?client_id&redirect_uri&client_secret&code``: the
  user token; ``GET {graph}/oauth/access_token?grant_type=fb_exchange_token&client_id
  &client_secret&fb_exchange_token``: its long-lived (60 days) twin, whose Page tokens
  never expire;
* ``GET {graph}/me/accounts?fields=id,name,access_token,instagram_business_account{id,
  username}&access_token``: the Pages the user manages (paged), each with its token;
* ``POST {graph}/{page-id}/subscribed_apps?subscribed_fields&access_token=<page token>``:
  the app gets the Page's webhooks.

WhatsApp: ``GET {graph}/{phone-number-id}?fields=display_phone_number,verified_name,
quality_rating`` and ``GET {graph}/{waba-id}/message_templates`` (paged), with the
system user's token as a bearer.

Tokens travel in query strings, as Graph wants: no URL here is ever logged. A refusal
raises :class:`GraphRefused` (Graph's message, never the request); no answer or a 5xx,
:class:`GraphDown`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from chalicelib.channels.provider_http import HttpCall, ProviderError, default_http, same_origin

#: what the Login dialog asks for: the Pages, their messages and comments, Instagram's
LOGIN_SCOPES = (
    "pages_show_list",
    "pages_manage_metadata",
    "pages_messaging",
    "pages_read_engagement",
    "pages_manage_engagement",
    "instagram_basic",
    "instagram_manage_messages",
    "instagram_manage_comments",
    "business_management",
)
#: the Page webhooks Atiende reads (chalicelib/channels/meta.py)
PAGE_FIELDS = ("messages", "messaging_postbacks", "message_echoes", "feed")
_MAX_PAGES = 20  # of a paged answer: 2000 Pages or templates at most


class GraphRefused(Exception):
    """Graph answered 4xx: ``message`` is Graph's own (no token in it), ``code`` its number."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


class GraphDown(Exception):
    """No answer, or a 5xx: try again later."""


def _call(
    http: HttpCall,
    method: str,
    url: str,
    params: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    try:
        status, body = http(method, url, dict(headers or {}), dict(params))
    except ProviderError as error:
        if error.status == 0 or error.status >= 500 or error.status == 429:
            raise GraphDown(f"Graph answered HTTP {error.status}") from None
        raise _refusal(error.status, error.body) from None
    if not 200 <= status < 300:
        raise GraphDown(f"Graph answered HTTP {status}")
    if not isinstance(body, dict):
        raise GraphDown("Graph's answer is not a JSON object")
    return body


def _refusal(status: int, raw: str) -> GraphRefused:
    import json

    try:
        error = json.loads(raw).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    message = error.get("message") if isinstance(error, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return GraphRefused(
        status, str(message or f"HTTP {status}")[:300], code if isinstance(code, int) else None
    )


def _paged(
    http: HttpCall, root: str, url: str, params: Mapping[str, str], headers: Mapping[str, str]
) -> Iterator[dict[str, Any]]:
    """Every item of ``data`` over the answer's ``paging.next`` links (kept on ``root``)."""
    answer = _call(http, "GET", url, params, headers)
    for _ in range(_MAX_PAGES):
        for item in answer.get("data") or []:
            if isinstance(item, dict):
                yield item
        following = (answer.get("paging") or {}).get("next")
        if not isinstance(following, str) or not following:
            return
        host = urlsplit(root)  # the link names the version itself
        answer = _call(http, "GET", same_origin(following, f"{host.scheme}://{host.netloc}"), {},
                       headers)  # fmt: skip


def dialog_url(login_base: str, version: str, app_id: str, redirect_uri: str, state: str) -> str:
    from urllib.parse import urlencode

    query = urlencode({
        "client_id": app_id, "redirect_uri": redirect_uri, "state": state,
        "scope": ",".join(LOGIN_SCOPES), "response_type": "code",
    })  # fmt: skip
    return f"{login_base.rstrip('/')}/{version}/dialog/oauth?{query}"


def user_token(
    root: str,
    app_id: str,
    secret: str,
    code: str,
    redirect_uri: str,
    *,
    http: HttpCall = default_http,
) -> str:
    """The long-lived user token of a dialog's ``code`` (two exchanges)."""
    short = _call(http, "GET", f"{root}/oauth/access_token", {
        "client_id": app_id, "redirect_uri": redirect_uri, "client_secret": secret, "code": code,
    })  # fmt: skip
    token = short.get("access_token")
    if not isinstance(token, str) or not token:
        raise GraphDown("Graph gave no access_token for the code")
    long = _call(http, "GET", f"{root}/oauth/access_token", {
        "grant_type": "fb_exchange_token", "client_id": app_id, "client_secret": secret,
        "fb_exchange_token": token,
    })  # fmt: skip
    lived = long.get("access_token")
    if not isinstance(lived, str) or not lived:
        raise GraphDown("Graph gave no long-lived access_token")
    return lived


def managed_pages(root: str, token: str, *, http: HttpCall = default_http) -> list[dict[str, Any]]:
    """``[{id, name, access_token, instagram: {id, username} | None}]`` of ``/me/accounts``."""
    fields = "id,name,access_token,instagram_business_account{id,username}"
    pages = []
    for item in _paged(http, root, f"{root}/me/accounts",
                       {"fields": fields, "limit": "100", "access_token": token}, {}):  # fmt: skip
        page_id, page_token = str(item.get("id") or ""), item.get("access_token")
        if not page_id.isdigit() or not isinstance(page_token, str) or not page_token:
            continue  # a Page the user may not act for gives no token
        account = item.get("instagram_business_account")
        instagram = None
        if isinstance(account, dict) and str(account.get("id") or "").isdigit():
            instagram = {"id": str(account["id"]), "username": str(account.get("username") or "")}
        pages.append({"id": page_id, "name": str(item.get("name") or page_id)[:200],
                      "access_token": page_token, "instagram": instagram})  # fmt: skip
    return pages


def subscribe_page(
    root: str, page_id: str, page_token: str, *, http: HttpCall = default_http
) -> None:
    """The app gets the Page's webhooks (and, through the Page, its Instagram account's)."""
    answer = _call(http, "POST", f"{root}/{quote(page_id, safe='')}/subscribed_apps", {
        "subscribed_fields": ",".join(PAGE_FIELDS), "access_token": page_token,
    })  # fmt: skip
    if answer.get("success") is not True:
        raise GraphDown("Graph did not confirm the subscription")


def phone_number(
    root: str, phone_number_id: str, token: str, *, http: HttpCall = default_http
) -> dict[str, str]:
    """``{display_phone_number, verified_name, quality_rating}`` of a WhatsApp number."""
    answer = _call(
        http,
        "GET",
        f"{root}/{quote(phone_number_id, safe='')}",
        {"fields": "display_phone_number,verified_name,quality_rating"},
        {"Authorization": f"Bearer {token}"},
    )
    return {
        "display_phone_number": str(answer.get("display_phone_number") or "")[:32],
        "verified_name": str(answer.get("verified_name") or "")[:200],
        "quality_rating": str(answer.get("quality_rating") or "")[:20],
    }


def message_templates(
    root: str, business_account_id: str, token: str, *, http: HttpCall = default_http
) -> list[dict[str, Any]]:
    """Every template of a WhatsApp Business Account, as Graph gives them."""
    return list(
        _paged(
            http,
            root,
            f"{root}/{quote(business_account_id, safe='')}/message_templates",
            {"fields": "name,language,status,category,components", "limit": "100"},
            {"Authorization": f"Bearer {token}"},
        )
    )
