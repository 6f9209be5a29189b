"""Notifications for the people of a tenant (SPEC §5, issue 6): what happened to a ticket
that concerns them — an SLA breach, an assignment, a mention in a comment, an
escalation — with an unread count, and an email on SLA breaches to those who ask.

Each notification is one user's item; writing it and counting it unread is one
transaction, guarded so a retried notification (same id) is neither stored nor counted
twice (``store/notifications.py``). The texts are in the tenant's language; ``kind``
and ``data`` let a client render its own.

The ``notify_*`` functions are called after the change they report was written: they
never raise into their caller (a failed notification is logged, the change stands).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from chalicelib.clock import now, timezone_of
from chalicelib.cursors import decode_cursor, encode_cursor
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Invalid
from chalicelib.domain.helpdesk.timeline import compact
from chalicelib.store import keys
from chalicelib.store import notifications as store
from chalicelib.store.accounts import Tenant, User, get_or_none
from chalicelib.store.helpdesk import Comment, Ticket

log = logging.getLogger(__name__)

NotificationKind = Literal["sla_breach", "assigned", "mention", "escalated"]
#: roles told about every SLA breach and escalation of their tenant, besides the assignee
OVERSEERS = ("admin", "supervisor")
SNIPPET = 120

_PHRASES: dict[str, dict[str, str]] = {
    "sla_breach": {
        "es": "Ticket #{number}: venció el plazo de {what}.",
        "pt": "Ticket #{number}: o prazo de {what} venceu.",
        "en": "Ticket #{number}: the {what} deadline passed.",
    },
    "assigned_by": {
        "es": "{by} te asignó el ticket #{number}.",
        "pt": "{by} atribuiu a você o ticket #{number}.",
        "en": "{by} assigned ticket #{number} to you.",
    },
    "assigned": {
        "es": "Se te asignó el ticket #{number}.",
        "pt": "O ticket #{number} foi atribuído a você.",
        "en": "Ticket #{number} was assigned to you.",
    },
    "mention": {
        "es": "{by} te mencionó en el ticket #{number}: “{snippet}”",
        "pt": "{by} mencionou você no ticket #{number}: “{snippet}”",
        "en": "{by} mentioned you on ticket #{number}: “{snippet}”",
    },
    "escalated": {
        "es": "{by} escaló el ticket #{number} a {to}.",
        "pt": "{by} escalou o ticket #{number} para {to}.",
        "en": "{by} escalated ticket #{number} to {to}.",
    },
}
_DEADLINES = {
    "es": {"first_response": "primera respuesta", "resolution": "resolución", "and": " y "},
    "pt": {"first_response": "primeira resposta", "resolution": "resolução", "and": " e "},
    "en": {"first_response": "first response", "resolution": "resolution", "and": " and "},
}


def say(locale: str, phrase: str, **values: Any) -> str:
    """A phrase in the tenant's language (Spanish when unknown)."""
    variants = _PHRASES[phrase]
    return (variants.get(locale) or variants["es"]).format(**values)


def deadline_names(locale: str, kinds: Iterable[str]) -> str:
    words = _DEADLINES.get(locale) or _DEADLINES["es"]
    return words["and"].join(words[kind] for kind in kinds)


# --- writing -------------------------------------------------------------------------------
def notification_id(at: datetime, dedupe: str | None = None) -> str:
    """Sorts by time; the same ``dedupe`` at the same time gives the same id."""
    tail = hashlib.sha256(dedupe.encode()).hexdigest()[:12] if dedupe else secrets.token_hex(6)
    return f"{compact(at)}-{tail}"


def notify(
    tenant_id: str,
    user_ids: Iterable[str | None],
    kind: NotificationKind,
    ticket_number: int | None,
    text: str,
    data: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
    dedupe: str | None = None,
) -> list[str]:
    """Write one unread notification per user (each once, empty ids skipped); returns the
    users who got a new one. With ``dedupe`` (and the same ``at``) a repeated call
    writes nothing: the ids are derived from it."""
    when = at or now()
    written = []
    for user_id in dict.fromkeys(u for u in user_ids if u):
        notification_key = notification_id(when, f"{dedupe}#{user_id}" if dedupe else None)
        item = store.Notification(
            keys.notifications_pk(tenant_id, user_id),
            keys.notification_sk(notification_key),
            tenant_id=tenant_id,
            user_id=user_id,
            notification_id=notification_key,
            category=kind,
            ticket_number=ticket_number,
            text=text,
            data=dict(data or {}),
            created_at=when,
        )
        if store.add_notification(item):
            written.append(user_id)
    return written


@dataclass
class Directory:
    """A tenant's language, name, timezone and people, read once per tenant and reused (the
    SLA sweep settles many tickets of a tenant in one run)."""

    tenants: dict[str, Tenant | None] = field(default_factory=dict)
    people: dict[str, list[User]] = field(default_factory=dict)
    # the sweep's threads share one directory: each tenant is read once, not once each
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def tenant(self, tenant_id: str) -> Tenant | None:
        with self._lock:
            if tenant_id not in self.tenants:
                self.tenants[tenant_id] = get_or_none(
                    Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk()
                )
            return self.tenants[tenant_id]

    def locale(self, tenant_id: str) -> str:
        tenant = self.tenant(tenant_id)
        return str(tenant.locale) if tenant else "es"

    def users(self, tenant_id: str) -> list[User]:
        """The tenant's active, signed-up users (one Query, paged past 1 MB)."""
        with self._lock:
            if tenant_id not in self.people:
                found = User.query(
                    keys.tenant_pk(tenant_id), User.SK.startswith(keys.users_prefix())
                )
                self.people[tenant_id] = [u for u in found if u.active and u.status == "active"]
            return self.people[tenant_id]

    def user(self, tenant_id: str, user_id: str | None) -> User | None:
        return next((u for u in self.users(tenant_id) if u.user_id == user_id), None)

    def overseers(self, tenant_id: str) -> list[User]:
        return [u for u in self.users(tenant_id) if u.role in OVERSEERS]


def _name(user: User | None) -> str:
    if user is None:
        return "Atiende"
    return " ".join(p for p in (user.first_name, user.last_name) if p) or user.email


def _guarded(what: str, ticket: Ticket, work: Any) -> None:
    try:
        work()
    except Exception:
        log.exception(
            "notification not written",
            extra={"what": what, "tenant": ticket.tenant_id, "ticket": int(ticket.number)},
        )


# --- what the help desk calls ----------------------------------------------------------------
def notify_assigned(ticket: Ticket, by: str | None) -> None:
    """Tell the ticket's (new) assignee, unless they took it themselves. ``by``: who
    assigned it (None for an automatic assignment)."""
    assignee = ticket.assignee_id
    if not assignee or assignee == by:
        return

    def work() -> None:
        directory = Directory()
        locale = directory.locale(ticket.tenant_id)
        number = int(ticket.number)
        if by:
            text = say(locale, "assigned_by", by=_name(directory.user(ticket.tenant_id, by)),
                       number=number)  # fmt: skip
        else:
            text = say(locale, "assigned", number=number)
        notify(ticket.tenant_id, [assignee], "assigned", number, text, {"by": by})

    _guarded("assigned", ticket, work)


def notify_new_ticket(ticket: Ticket) -> list[str]:
    """Tell a new ticket's assignee (an automatic assignment) that it is theirs, once: the
    notification's id derives from the ticket, so telling again writes nothing. Raises
    when it cannot be written (the table's stream consumer retries it)."""
    if not ticket.assignee_id:
        return []
    number = int(ticket.number)
    text = say(Directory().locale(ticket.tenant_id), "assigned", number=number)
    return notify(ticket.tenant_id, [ticket.assignee_id], "assigned", number, text, {"by": None},
                  at=ticket.created_at, dedupe=f"opened#{number}")  # fmt: skip


def notify_mentioned(ticket: Ticket, comment: Comment) -> None:
    """Tell the users mentioned in an internal comment — those who may see the ticket
    (the note quotes it); the author is not told of their own mention."""
    mentioned = [str(u) for u in (comment.mentions or []) if u and u != comment.author_id]
    if not mentioned:
        return

    def work() -> None:
        from chalicelib.domain.helpdesk.visibility import may_see

        directory = Directory()
        locale = directory.locale(ticket.tenant_id)
        readers: list[str] = []
        for user_id in mentioned:
            user = directory.user(ticket.tenant_id, user_id)
            if user is None:
                continue
            principal = Principal(ticket.tenant_id, user.user_id, user.role,
                                  frozenset(str(p) for p in user.permissions or []), "", user)  # fmt: skip
            if may_see(principal, ticket):
                readers.append(user_id)
        text = comment.text if len(comment.text) <= SNIPPET else comment.text[: SNIPPET - 1] + "…"
        author = _name(directory.user(ticket.tenant_id, comment.author_id))
        notify(ticket.tenant_id, readers, "mention", int(ticket.number),
               say(locale, "mention", by=author, number=int(ticket.number), snippet=text),
               {"comment_id": comment.comment_id, "by": comment.author_id},
               dedupe=f"mention#{comment.comment_id}", at=comment.created_at)  # fmt: skip

    _guarded("mention", ticket, work)


def notify_escalated(ticket: Ticket, by: str | None) -> None:
    """Tell the assignee, the supervisors and the admins that the ticket was escalated
    (it is read-only now); not the person who escalated it."""

    def work() -> None:
        directory = Directory()
        locale = directory.locale(ticket.tenant_id)
        audience = [ticket.assignee_id, *(u.user_id for u in directory.overseers(ticket.tenant_id))]
        text = say(locale, "escalated", by=_name(directory.user(ticket.tenant_id, by)),
                   number=int(ticket.number), to=ticket.escalated_to or "")  # fmt: skip
        notify(ticket.tenant_id, [u for u in audience if u != by], "escalated",
               int(ticket.number), text, {"by": by, "to": ticket.escalated_to})  # fmt: skip

    _guarded("escalated", ticket, work)


def notify_sla_breach(
    ticket: Ticket, kinds: tuple[str, ...], at: datetime, directory: Directory | None = None
) -> list[str]:
    """Tell the assignee, the supervisors and the admins that the ticket missed its
    deadlines ``kinds`` (recorded at ``at``), and email those who asked for it. Returns
    who was notified; a repeated call for the same breach writes nothing."""
    directory = directory or Directory()
    notified: list[str] = []

    def work() -> None:
        tenant_id, number = ticket.tenant_id, int(ticket.number)
        locale = directory.locale(tenant_id)
        audience = [ticket.assignee_id, *(u.user_id for u in directory.overseers(tenant_id))]
        text = say(locale, "sla_breach", number=number, what=deadline_names(locale, kinds))
        sla = dict(ticket.sla or {})
        data = {"deadlines": list(kinds), **{f"{k}_due": sla.get(f"{k}_due") for k in kinds}}
        notified.extend(notify(tenant_id, audience, "sla_breach", number, text, data, at=at,
                               dedupe=f"sla#{number}#{'+'.join(kinds)}"))  # fmt: skip
        _email_breach(ticket, kinds, notified, directory)

    _guarded("sla_breach", ticket, work)
    return notified


def _email_breach(
    ticket: Ticket, kinds: tuple[str, ...], user_ids: list[str], directory: Directory
) -> None:
    """One email per notified user whose settings ask for it, through the mail queue."""
    if not user_ids:
        return
    from chalicelib.mail import message as mail
    from chalicelib.mail.templates import render
    from chalicelib.settings import get_settings

    wanted = store.settings_of(ticket.tenant_id, user_ids)
    tenant = directory.tenant(ticket.tenant_id)
    locale = directory.locale(ticket.tenant_id)
    zone = timezone_of(tenant.timezone if tenant else None)
    sla = dict(ticket.sla or {})
    due = min(datetime.fromisoformat(sla[f"{k}_due"]) for k in kinds if sla.get(f"{k}_due"))
    for user_id in user_ids:
        settings = wanted.get(user_id)
        user = directory.user(ticket.tenant_id, user_id)
        if settings is None or not settings.email_on_sla_breach or user is None:
            continue
        mail.enqueue(render(
            "sla_breach", locale, [user.email], kind="sla", tenant_id=ticket.tenant_id,
            first_name=user.first_name, number=int(ticket.number),
            what=deadline_names(locale, kinds), company=tenant.name if tenant else "",
            due=due.astimezone(zone).strftime("%Y-%m-%d %H:%M"), timezone=zone.key,
            link=f"{get_settings().public_url}/tickets/{int(ticket.number)}",
        ))  # fmt: skip


# --- reading and marking (the API) --------------------------------------------------------------
@dataclass(frozen=True)
class NotificationPage:
    items: list[store.Notification]
    next_cursor: str | None
    unread_count: int


def _last_read(principal: Principal, unread_only: bool, cursor: str | None) -> Any:
    """The key a page starts after: a cursor of this user's listing (the unread one is
    keyed by the unread index), or ``Invalid``."""
    mine = keys.notifications_pk(principal.tenant_id, principal.user_id)
    if unread_only:
        partition = keys.unread_notifications_pk(principal.tenant_id, principal.user_id)
        last = decode_cursor(cursor, partition, partition_attribute="GSI3PK")
        expected = {"PK", "SK", "GSI3PK", "GSI3SK"}
    else:
        last = decode_cursor(cursor, mine)
        expected = {"PK", "SK"}
    if last is not None and (set(last) != expected or last["PK"].get("S") != mine):
        raise Invalid("The page cursor is not valid for this list.", code="invalid_cursor")
    return last


def notifications_page(
    principal: Principal, *, unread_only: bool, limit: int, cursor: str | None
) -> NotificationPage:
    """The caller's notifications, newest first, the opaque cursor of the next page and
    how many are unread."""
    items, last = store.page(principal.tenant_id, principal.user_id, unread_only=unread_only,
                             limit=limit, cursor=_last_read(principal, unread_only, cursor))  # fmt: skip
    unread = store.unread_count(principal.tenant_id, principal.user_id)
    return NotificationPage(items, encode_cursor(last), unread)


#: "mark all read" works through at most this many rounds of 99 per call
MARK_ALL_ROUNDS = 20


def mark_read(principal: Principal, ids: list[str] | None) -> int:
    """Mark the caller's notifications ``ids`` read (unknown, foreign or already read ids
    are ignored), or every unread one when ``ids`` is None. Returns how many changed."""
    tenant_id, user_id, at = principal.tenant_id, principal.user_id, now()
    marked = 0
    if ids is not None:
        for _ in range(3):  # a chunk that lost a race is read again
            pending = store.unread_ones(tenant_id, user_id, ids)
            if not pending:
                break
            marked += store.mark_read(tenant_id, user_id, pending, at)
        return marked
    for _ in range(MARK_ALL_ROUNDS):
        pending = store.oldest_unread(tenant_id, user_id, store.MARK_CHUNK)
        if not pending:
            break
        marked += store.mark_read(tenant_id, user_id, pending, at)
    return marked


def unread_count(principal: Principal) -> int:
    return store.unread_count(principal.tenant_id, principal.user_id)


def email_on_sla_breach(principal: Principal) -> bool:
    found = store.get_settings(principal.tenant_id, principal.user_id)
    return bool(found.email_on_sla_breach) if found else False


def set_email_on_sla_breach(principal: Principal, enabled: bool) -> bool:
    store.save_settings(principal.tenant_id, principal.user_id, enabled, now())
    return enabled
