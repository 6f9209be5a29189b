"""Connecting Meta channels the way Meta expects (docs/channels.md "Connecting Meta").

Facebook and Instagram: an admin opens Facebook Login's dialog (``start_login``: a
``state`` bound to the tenant and the admin, 10 minutes, used once); the dialog sends
the browser back with a ``code`` that ``finish_login`` exchanges for a long-lived user
token and the Pages the admin manages, kept 30 minutes in a ``MetaLogin`` item (the
tokens sealed with KMS, never returned); ``connect_page`` connects one of them through
the channels' own ``connect`` with the Page's token and subscribes the app to its
webhooks.

WhatsApp: ``check_whatsapp`` reads a number's display name and quality of Graph before
it is connected; ``sync_templates`` copies a WhatsApp Business Account's message
templates into the tenant's templates.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from chalicelib import crypto
from chalicelib.channels import meta_graph
from chalicelib.channels.meta_graph import GraphDown, GraphRefused
from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.channels import service
from chalicelib.domain.errors import Conflict, Gone, Invalid, NotFound, Unavailable
from chalicelib.ids import new_id
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import epoch_seconds
from chalicelib.store.channels import Channel, MetaLogin, meta_login, take_meta_login

STATE_LIFETIME = timedelta(minutes=10)
LOGIN_LIFETIME = timedelta(minutes=30)
REDIRECT_PATH = "/admin/channels/connect/"


def _offline() -> bool:
    """Locally without ``GRAPH_API_BASE_URL`` nothing leaves the machine (SPEC §9)."""
    from chalicelib.channels.outbound.meta_pages import graph  # the senders: not at import

    return not graph()[1]


def _graph_root() -> str:
    from chalicelib.channels.outbound.meta_pages import graph  # the senders: not at import

    root, live = graph()
    if not live:
        raise Unavailable(
            "Graph is not configured here: set GRAPH_API_BASE_URL (make run points it at "
            "the fake Graph).",
            code="graph_not_configured",
        )
    return root


def _app() -> tuple[str, str]:
    settings = get_settings()
    secret = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else ""
    if not settings.meta_app_id or not secret:
        raise Unavailable("META_APP_ID and META_APP_SECRET are not set.", code="meta_app_missing")
    return settings.meta_app_id, secret


@contextmanager
def _asking_graph(refused_code: str = "graph_refused") -> Iterator[None]:
    """Graph's refusals as 400 with its message; no answer as 503."""
    try:
        yield
    except GraphRefused as refusal:
        raise Invalid(f"Facebook refused: {refusal.message}", code=refused_code) from None
    except GraphDown:
        raise Unavailable(
            "Facebook is not answering right now; try again in a minute.",
            code="graph_unavailable",
        ) from None


def _own_origin(parts: Any) -> bool:
    """The console's own origin: the public URL's, the CORS origin's, or (locally) loopback."""
    settings = get_settings()
    origin = f"{parts.scheme}://{parts.netloc}"
    own = {
        f"{u.scheme}://{u.netloc}"
        for u in (urlsplit(settings.public_url), urlsplit(settings.cors_allow_origin or ""))
        if u.scheme and u.netloc
    }
    local = settings.is_local and parts.hostname in ("127.0.0.1", "localhost")
    return origin in own or local


def _check_redirect(redirect_uri: str) -> None:
    """Facebook sends the code to ``redirect_uri``: only a connect page of the console."""
    parts = urlsplit(redirect_uri)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or not parts.path.startswith(REDIRECT_PATH)
        or not _own_origin(parts)
    ):
        raise Invalid(
            "The redirect address must be a console page /admin/channels/connect/<type>.",
            code="validation_error",
            details=[{"loc": ["body", "redirect_uri"], "msg": "not a connect page", "type": "uri"}],
        )


def _context(tenant_id: str, login_id: str) -> dict[str, str]:
    return {"tenant": tenant_id, "meta_login": login_id}


def start_login(principal: Principal, redirect_uri: str) -> tuple[str, str]:
    """The Login dialog's URL and its ``state`` (stored, bound to the tenant and admin)."""
    from chalicelib.channels.outbound.meta_pages import GRAPH_VERSION

    _check_redirect(redirect_uri)
    app_id, _ = _app()
    _graph_root()
    state = secrets.token_urlsafe(24)
    MetaLogin(
        keys.tenant_pk(principal.tenant_id), keys.meta_login_sk(state),
        tenant_id=principal.tenant_id, user_id=principal.user_id, step="state",
        redirect_uri=redirect_uri, expires_at=epoch_seconds(now() + STATE_LIFETIME),
    ).save()  # fmt: skip
    base = get_settings().meta_login_base_url
    return meta_graph.dialog_url(base, GRAPH_VERSION, app_id, redirect_uri, state), state


def _live(item: MetaLogin | None, principal: Principal, step: str) -> MetaLogin:
    if (
        item is None
        or item.step != step
        or item.user_id != principal.user_id
        or (item.expires_at or 0) <= epoch_seconds(now())
    ):
        what = "sign-in with Facebook" if step == "state" else "list of Facebook Pages"
        raise Gone(
            f"This {what} expired or was already used; start again with “Connect with Facebook”.",
            code="login_expired",
        )
    return item


def _connected(channel_type: str, account: str | None) -> bool:
    return bool(account) and service.find_connected(channel_type, str(account)) is not None


def pages_view(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Pages as shown: no token, and whether each is connected already (anywhere)."""
    return [
        {
            "id": page["id"],
            "name": page["name"],
            "instagram": page["instagram"],
            "connected": {
                "facebook": _connected("facebook", page["id"]),
                "instagram": _connected("instagram", (page["instagram"] or {}).get("id")),
            },
        }
        for page in pages
    ]


def finish_login(
    principal: Principal, code: str, state: str, redirect_uri: str
) -> tuple[str, list[dict[str, Any]]]:
    """Exchange the dialog's ``code``; keep the tokens sealed; the Pages, without them."""
    _live(meta_login(principal.tenant_id, state), principal, "state")  # theirs, in time
    started = _live(take_meta_login(principal.tenant_id, state), principal, "state")  # once
    if started.redirect_uri != redirect_uri:
        raise Invalid("The redirect address differs from the one the login started with.",
                      code="login_refused")  # fmt: skip
    app_id, secret = _app()
    root = _graph_root()
    with _asking_graph("login_refused"):
        token = meta_graph.user_token(root, app_id, secret, code, redirect_uri)
        pages = meta_graph.managed_pages(root, token)
    login_id = new_id()
    tokens = {"user": token, "pages": {page["id"]: page["access_token"] for page in pages}}
    public = [{key: page[key] for key in ("id", "name", "instagram")} for page in pages]
    MetaLogin(
        keys.tenant_pk(principal.tenant_id), keys.meta_login_sk(login_id),
        tenant_id=principal.tenant_id, user_id=principal.user_id, step="done",
        redirect_uri=redirect_uri, pages=public,
        sealed_tokens=crypto.seal(tokens, _context(principal.tenant_id, login_id)),
        expires_at=epoch_seconds(now() + LOGIN_LIFETIME),
    ).save()  # fmt: skip
    return login_id, pages_view(public)


def connect_page(
    principal: Principal, login_id: str, page_id: str, channel_type: str, name: str | None
) -> Channel:
    """Connect one Page (Facebook) or its Instagram account, and subscribe the app to it."""
    login = _live(meta_login(principal.tenant_id, login_id), principal, "done")
    page = next((p for p in login.pages or [] if p["id"] == page_id), None)
    if page is None:
        raise NotFound("That Page is not among those this Facebook user manages.")
    instagram = page.get("instagram")
    if channel_type == "instagram" and not instagram:
        raise Invalid(
            f"The Page “{page['name']}” has no Instagram business account linked.",
            code="no_instagram_account",
        )
    account = instagram["id"] if channel_type == "instagram" else page_id
    if _connected(channel_type, account):
        label = "Instagram account" if channel_type == "instagram" else "Facebook Page"
        raise Conflict(f"This {label} is already connected to Atiende.", code="channel_taken")
    tokens = crypto.open_sealed(login.sealed_tokens or "", _context(principal.tenant_id, login_id))
    page_token = tokens["pages"].get(page_id)
    if not page_token:
        raise NotFound("That Page is not among those this Facebook user manages.")
    with _asking_graph():
        meta_graph.subscribe_page(_graph_root(), page_id, page_token)
    if channel_type == "instagram":
        identifiers = {"instagram_account_id": instagram["id"], "page_id": page_id,
                       "username": instagram.get("username") or ""}  # fmt: skip
        title = name or (f"@{instagram['username']}" if instagram.get("username") else page["name"])
    else:
        identifiers = {"page_id": page_id, "page_name": page["name"]}
        title = name or page["name"]
    return service.connect(
        principal, channel_type, title[:100], identifiers,  # type: ignore[arg-type]
        {"page_access_token": page_token}, None,
    )  # fmt: skip


def check_whatsapp(phone_number_id: str, access_token: str) -> dict[str, str]:
    """What Graph says of a WhatsApp number (its display number, name and quality);
    offline (local, Graph not configured), nothing known."""
    if _offline():
        return {"display_phone_number": "", "verified_name": "", "quality_rating": "UNKNOWN"}
    with _asking_graph("whatsapp_refused"):
        return meta_graph.phone_number(_graph_root(), phone_number_id, access_token)


# --- templates ------------------------------------------------------------------------------
_STATUSES = {"APPROVED": "approved", "PENDING": "pending", "IN_APPEAL": "pending",
             "REJECTED": "rejected"}  # fmt: skip
_CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")


def _template_of(found: dict[str, Any], channel_id: str) -> dict[str, Any] | None:
    """Graph's template as Atiende keeps it; None for those Atiende cannot send (paused,
    disabled, no body, named parameters, too long)."""
    from chalicelib.domain.helpdesk.templates import BODY_MAX, parameter_count

    status = _STATUSES.get(str(found.get("status") or "").upper())
    category = str(found.get("category") or "").upper()
    body = next((c.get("text") for c in found.get("components") or []
                 if isinstance(c, dict) and str(c.get("type")).upper() == "BODY"), None)  # fmt: skip
    name, language = str(found.get("name") or ""), str(found.get("language") or "")
    if status is None or category not in _CATEGORIES or not isinstance(body, str) or \
            not body or len(body) > BODY_MAX:  # fmt: skip
        return None
    try:
        parameter_count(body)
    except ValueError:
        return None
    import re

    from chalicelib.domain.helpdesk.templates import LANGUAGE_PATTERN, NAME_PATTERN

    if not re.match(NAME_PATTERN, name) or not re.match(LANGUAGE_PATTERN, language):
        return None
    return {"name": name, "language": language, "category": category, "body": body,
            "channel_id": channel_id, "status": status}  # fmt: skip


def sync_templates(principal: Principal, channel_id: str) -> dict[str, int]:
    """The channel's templates made equal to its WhatsApp Business Account's: created,
    updated and removed counts (a second run in a row: all zero)."""
    from chalicelib.domain.helpdesk.templates import TEMPLATES, template_fields, unique_key

    channel = service.get_channel(principal.tenant_id, channel_id)
    if channel.channel_type != "whatsapp":
        raise Invalid("Templates are synced from WhatsApp channels only.", code="not_whatsapp")
    if channel.status != "connected":
        raise Conflict("This channel is disconnected; connect the account again.",
                       code="disconnected")  # fmt: skip
    if _offline():  # local, Graph not configured: nothing to read
        return {"created": 0, "updated": 0, "removed": 0}
    token = service.credentials_of(channel).get("access_token") or ""
    with _asking_graph("whatsapp_refused"):
        found = meta_graph.message_templates(
            _graph_root(), str(channel.identifiers["business_account_id"]), token
        )
    wanted: dict[str, dict[str, Any]] = {}
    for given in found:
        template = _template_of(given, channel_id)
        if template is not None:
            wanted[unique_key(template["name"], template["language"])] = template
    existing: dict[Any, Any] = {}
    cursor = None
    while True:
        items, cursor = TEMPLATES.listing(principal.tenant_id, 100, cursor)
        for item in items:
            existing[item.data.get("key")] = item
        if not cursor:
            break
    counts = {"created": 0, "updated": 0, "removed": 0}
    for key, template in wanted.items():
        current = existing.get(key)
        if current is None:
            TEMPLATES.create(principal, template_fields(template))
            counts["created"] += 1
        elif current.data.get("channel_id") in (None, "", channel_id):
            fields = template_fields(template)
            if any(current.data.get(k) != v for k, v in fields.items()):
                TEMPLATES.update(principal, current.item_id, fields)
                counts["updated"] += 1
    for key, current in existing.items():
        if current.data.get("channel_id") == channel_id and key not in wanted:
            TEMPLATES.delete(principal, current.item_id)
            counts["removed"] += 1
    return counts
