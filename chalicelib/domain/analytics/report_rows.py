"""A report's rows (docs/analytics.md "Reports"), made one at a time from the report
index: one paged Query of the index, then the tickets (or the orders and payments) of
each 100 entries in one BatchGetItem, with the names they point at read in batches and
kept for the rest of the job. Nothing holds more than 100 rows at once.

The durations and SLA outcomes come from ``metrics`` (durations(), sla_outcome()), the
functions the counters use, so a report says what the dashboard says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from chalicelib.domain.accounts.settings_items import DEPARTMENTS
from chalicelib.domain.analytics import metrics
from chalicelib.domain.analytics.report_files import NO_VALUE, Cell, word
from chalicelib.domain.errors import NotFound
from chalicelib.domain.helpdesk.tags import TAGS
from chalicelib.store import analytics as index
from chalicelib.store import reports as store

BATCH = 100
#: names kept per job: beyond this many clients the cache starts again (a 100 000-row
#: report's clients would otherwise all stay in memory)
NAMES_KEPT = 5_000


@dataclass(frozen=True)
class Filters:
    """What a report lists: the days (local dates, inclusive) and the optional filters."""

    first_day: str
    last_day: str
    agent: str | None = None
    channel: str | None = None
    status: str | None = None


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def person_name(user: Any) -> str:
    return f"{user.first_name} {user.last_name}".strip()


def client_name(client: Any) -> str:
    return str(client.name or client.handle or client.phone or client.email or "")


@dataclass
class ChannelFacts:
    name: str
    type: str
    schedule: Any


class Lookups:
    """The names a job's rows show, read in batches and kept for the job."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._users: dict[str, str] = {}
        self._clients: dict[str, str] = {}
        self._channels: dict[str, ChannelFacts] = {}
        self._settings: dict[tuple[str, str], str] = {}

    def load_users(self, user_ids: Iterable[str | None]) -> None:
        missing = {u for u in user_ids if u and u not in self._users}
        for chunk in _chunks(sorted(missing), BATCH):
            found = store.users(self.tenant_id, chunk)
            for user_id in chunk:
                self._users[user_id] = person_name(found[user_id]) if user_id in found else ""

    def user(self, user_id: str | None) -> str:
        return self._users.get(user_id, "") if user_id else ""

    def load_clients(self, client_ids: Iterable[str | None]) -> None:
        missing = {c for c in client_ids if c and c not in self._clients}
        if len(self._clients) + len(missing) > NAMES_KEPT:
            self._clients.clear()
        for chunk in _chunks(sorted(missing), BATCH):
            found = store.clients(self.tenant_id, chunk)
            for client_id in chunk:
                self._clients[client_id] = (
                    client_name(found[client_id]) if client_id in found else ""
                )

    def client(self, client_id: str | None) -> str:
        return self._clients.get(client_id, "") if client_id else ""

    def channel(self, channel_id: str | None) -> ChannelFacts:
        """A channel's name, type and business hours (a removed channel: no name, always open)."""
        from chalicelib.domain.channels.service import get_channel

        if not channel_id:
            return ChannelFacts("", "", metrics.ALWAYS_OPEN)
        if channel_id not in self._channels:
            try:
                found = get_channel(self.tenant_id, channel_id)
                facts = ChannelFacts(
                    found.name, found.channel_type, metrics.schedule_of(found.settings)
                )
            except NotFound:
                facts = ChannelFacts("", "", metrics.ALWAYS_OPEN)
            self._channels[channel_id] = facts
        return self._channels[channel_id]

    def setting_name(self, kind: Any, item_id: str | None) -> str:
        """A department's or tag's name (settings_items.Kind), read once per job."""
        if not item_id:
            return ""
        key = (kind.entity, item_id)
        if key not in self._settings:
            try:
                self._settings[key] = str(kind.get(self.tenant_id, item_id).data.get("name") or "")
            except NotFound:
                self._settings[key] = ""
        return self._settings[key]


def _seconds(duration: metrics.Duration | None, clock: str) -> float | None:
    return None if duration is None else round(getattr(duration, clock), 1)


def _sla(ticket: Any, kind: str, locale: str | None) -> str:
    outcome = metrics.sla_outcome(ticket, kind)
    return word(outcome, locale) if outcome else NO_VALUE


def conversation_row(
    ticket: Any, names: Lookups, timezone: str | None, locale: str | None
) -> list[Cell]:
    """One ticket as the conversations report shows it (the columns of report_files)."""
    channel = names.channel(ticket.channel_id)
    took = metrics.durations(ticket, channel.schedule)
    answered = ticket.first_fr or (ticket.first_response_at if not ticket.reopened_at else None)
    closed = ticket.closed_at if ticket.status == "closed" else None
    tags = ", ".join(n for n in (names.setting_name(TAGS, t) for t in ticket.tags or []) if n)
    return [
        int(ticket.number), metrics.local_time(ticket.created_at, timezone), channel.name,
        ticket.channel_type, names.client(ticket.client_id), names.user(ticket.assignee_id),
        word(ticket.status, locale), names.setting_name(DEPARTMENTS, ticket.department_id), tags,
        metrics.local_time(answered, timezone),
        _seconds(took.first_response, "calendar"), _seconds(took.first_response, "business"),
        _seconds(took.first_response_reopened, "calendar"),
        _seconds(took.first_response_reopened, "business"),
        _seconds(took.first_resolution, "calendar"), _seconds(took.first_resolution, "business"),
        metrics.local_time(closed, timezone),
        _seconds(took.full_resolution, "calendar"), _seconds(took.full_resolution, "business"),
        int(ticket.reopens or 0),
        _sla(ticket, "first_response", locale), _sla(ticket, "resolution", locale),
        word(ticket.sentiment_start, locale), word(ticket.sentiment_end, locale),
    ]  # fmt: skip


def _ticket_wanted(ticket: Any, filters: Filters) -> bool:
    return (
        (filters.agent is None or ticket.assignee_id == filters.agent)
        and (filters.channel is None or ticket.channel_id == filters.channel)
        and (filters.status is None or ticket.status == filters.status)
    )


def conversation_rows(
    tenant_id: str, filters: Filters, timezone: str | None, locale: str | None
) -> Iterator[list[Cell]]:
    """The conversations report's rows: each ticket created in the range, in the order of
    the index (by day, then number), filtered by agent, channel and status."""
    names = Lookups(tenant_id)
    entries = index.index_entries(tenant_id, "tickets", filters.first_day, filters.last_day)
    for chunk in _chunks(entries, BATCH):
        found = store.tickets(tenant_id, [int(e.number) for e in chunk])
        tickets = [found[int(e.number)] for e in chunk if int(e.number) in found]
        tickets = [t for t in tickets if _ticket_wanted(t, filters)]
        names.load_users(t.assignee_id for t in tickets)
        names.load_clients(t.client_id for t in tickets)
        for ticket in tickets:
            yield conversation_row(ticket, names, timezone, locale)


def major_units(amount: int | float, currency: str) -> Decimal:
    """Minor units as the currency writes them: ``15000`` BRL is ``150.00``."""
    from chalicelib.domain.orders.money import EXPONENTS

    decimals = EXPONENTS.get(currency, 2)
    return Decimal(int(amount)).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def payment_row(order: Any, payment: Any, names: Lookups, timezone: str | None,
                locale: str | None) -> list[Cell]:  # fmt: skip
    """One payment (and its order) as the payments report shows it."""
    return [
        int(order.number), metrics.local_time(order.created_at, timezone),
        order.client_name or names.client(order.client_id), names.channel(order.channel_id).name,
        order.agent_name or names.user(order.agent_id), payment.payment_id,
        major_units(payment.amount, payment.currency), payment.currency,
        word(payment.method, locale), payment.reference or "", payment.paid_on,
        metrics.local_time(payment.recorded_at, timezone),
        payment.recorded_by_name or names.user(payment.recorded_by),
        word(payment.status, locale),
        (payment.settled_by_name or names.user(payment.settled_by)) if payment.settled_by else "",
        metrics.local_time(payment.settled_at, timezone), payment.rejection_reason or "",
    ]  # fmt: skip


def _payment_wanted(order: Any, payment: Any, filters: Filters) -> bool:
    return (
        (filters.agent is None or order.agent_id == filters.agent)
        and (filters.channel is None or order.channel_id == filters.channel)
        and (filters.status is None or payment.status == filters.status)
    )


def payment_rows(
    tenant_id: str, filters: Filters, timezone: str | None, locale: str | None
) -> Iterator[list[Cell]]:
    """The payments report's rows: each payment recorded in the range, in the order of
    the index (by day, then order number), filtered by the order's agent and channel and
    the payment's status."""
    names = Lookups(tenant_id)
    entries = index.index_entries(tenant_id, "payments", filters.first_day, filters.last_day)
    for chunk in _chunks(entries, BATCH):
        pairs = [(int(e.number), str(e.payment_id)) for e in chunk if e.payment_id]
        orders = store.orders(tenant_id, [n for n, _ in pairs])
        paid = store.payments(tenant_id, pairs)
        rows = [(orders[n], paid[p]) for n, p in pairs if n in orders and p in paid]
        rows = [(o, p) for o, p in rows if _payment_wanted(o, p, filters)]
        names.load_users([o.agent_id for o, _ in rows if not o.agent_name]
                         + [p.recorded_by for _, p in rows if not p.recorded_by_name]
                         + [p.settled_by for _, p in rows if p.settled_by and not p.settled_by_name])  # fmt: skip
        names.load_clients(o.client_id for o, _ in rows if not o.client_name)
        for order, payment in rows:
            yield payment_row(order, payment, names, timezone, locale)


ROWS = {"conversations": conversation_rows, "payments": payment_rows}
