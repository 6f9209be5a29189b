"""Search (SPEC §4): tickets by number, by client name, email or RUT.

* **number**: one GetItem of the ticket, one of its client.
* **email**, **RUT**: one Query of the client lookup index (GSI1 / GSI4), which returns
  the clients with their ticket numbers, then one BatchGetItem of their latest tickets.
* **name**: one Query of the name index for the longest query word (``begins_with``; at
  most :data:`WORD_READ` entries), keeping the clients whose name has every query word
  as a word prefix (``search_terms.matches``), then a BatchGetItem of those clients and
  one of their latest tickets.

At most :data:`MAX_TICKETS` tickets come back, newest activity first: each found
client's latest ticket first, then their earlier ones. An agent gets only the tickets
SPEC §2 lets them see (filtered after the read: they may get fewer).

:func:`index_new_client` is what makes a new client findable (the inbound consumer calls
it once per new client); a PATCH of the client keeps the same keys current.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Invalid
from chalicelib.domain.helpdesk.search_terms import (
    InvalidRut,
    matches,
    name_query,
    name_words,
    normalize_email,
    parse_rut,
)
from chalicelib.domain.helpdesk.visibility import agent_channels, may_see
from chalicelib.store import clients
from chalicelib.store.helpdesk import Client, Ticket
from chalicelib.store.search import (
    clients_by_email,
    clients_by_rut,
    get_client,
    get_clients,
    get_ticket,
    get_tickets,
    word_item,
    words_starting,
)

MAX_TICKETS = 25
MAX_CLIENTS = 25
#: name-index entries one search reads at most (a word prefix shared by more clients
#: than this finds only the first ones, in word order: type more of the name)
WORD_READ = 500


@dataclass
class Hit:
    ticket: Ticket
    client: Client | None


def _invalid(field: str, message: str, kind: str = "value_error") -> Invalid:
    return Invalid(
        f"The {field} search is not valid: {message}.",
        code="validation_error",
        details=[{"loc": ["query", field], "msg": message, "type": kind}],
    )


def search_tickets(
    principal: Principal,
    *,
    number: int | None = None,
    name: str | None = None,
    email: str | None = None,
    rut: str | None = None,
) -> list[Hit]:
    """Tickets found by exactly one of the criteria, newest activity first."""
    tenant_id = principal.tenant_id
    if number is not None:
        ticket = get_ticket(tenant_id, number)
        if ticket is None or not may_see(principal, ticket):
            return []
        return [Hit(ticket, get_client(tenant_id, ticket.client_id))]
    if email is not None:
        try:
            address = normalize_email(email)
        except ValueError as exc:
            raise _invalid("email", str(exc)) from exc
        return _tickets_of(principal, clients_by_email(tenant_id, address, MAX_CLIENTS))
    if rut is not None:
        try:
            canonical = parse_rut(rut).canonical
        except InvalidRut as exc:
            kind = "rut_check_digit" if exc.expected_check else "rut_format"
            raise _invalid("rut", str(exc), kind) from exc
        return _tickets_of(principal, clients_by_rut(tenant_id, canonical, MAX_CLIENTS))
    if name is not None:
        try:
            words = name_query(name)
        except ValueError as exc:
            raise _invalid("name", str(exc)) from exc
        return _tickets_of(principal, _clients_named(tenant_id, words))
    raise _invalid("number", "give one of number, name, email or rut", "missing")


def _clients_named(tenant_id: str, words: list[str]) -> list[Client]:
    """Clients whose name has every query word as a prefix of one of its words."""
    probe = max(words, key=len)  # the longest word reads the fewest entries
    found: list[str] = []
    for entry in words_starting(tenant_id, probe, WORD_READ):
        if entry.client_id not in found and matches(words, name_words(entry.name)):
            found.append(entry.client_id)
            if len(found) == MAX_CLIENTS:
                break
    return get_clients(tenant_id, found)


def _tickets_of(principal: Principal, clients: list[Client]) -> list[Hit]:
    """The clients' latest tickets (each client's newest first), as the caller may see them."""
    ranked: list[tuple[int, int, Client]] = []
    for client in clients:
        numbers = sorted({int(str(n)) for n in client.tickets or []}, reverse=True)
        ranked += [(rank, -n, client) for rank, n in enumerate(numbers)]
    ranked.sort(key=lambda r: (r[0], r[1]))
    chosen = {-negative: client for _, negative, client in ranked[:MAX_TICKETS]}
    tickets = get_tickets(principal.tenant_id, list(chosen))
    channels: list[str] | None = None
    if principal.role == "agent" and any(t.assignee_id is None for t in tickets):
        channels = agent_channels(principal)
    hits = [Hit(t, chosen.get(int(t.number))) for t in tickets if may_see(principal, t, channels)]
    hits.sort(key=lambda h: (h.ticket.last_activity_at, h.ticket.number), reverse=True)
    return hits


def index_new_client(client: Client) -> None:
    """Make a new client findable: its name's search words and, for an email channel's
    client, its address as the client's email (unless someone set one already).

    Idempotent (the same words are written again; the email only where there is none).
    The words are written only while the client still has the name they come from: an
    edit of the name that came first has written its own words."""
    words = name_words(client.name or "")
    if words:
        clients.index_name_words(client, [
            word_item(client.tenant_id, client.client_id, word, client.name or "") for word in words
        ])  # fmt: skip
    address = _sender_address(client)
    if address is not None:
        clients.set_email_if_none(client, address)


def _sender_address(client: Client) -> str | None:
    if client.channel_type != "email" or client.email:
        return None
    try:
        return normalize_email(client.sender_id)
    except ValueError:
        return None
