"""What finds a client: its name words, its email and its RUT (SPEC §4 "Search").

* **Name**: one :class:`SearchWord` item per word of the client's name
  (``search_terms.name_words``) at ``TENANT#t#WORD#<first two letters>`` /
  ``<word>#<client id>``, holding the name itself, so a search checks every query
  word without reading the client. A search reads one partition with
  ``begins_with(SK, word)``.
* **Email** and **RUT**: sparse keys on the Client item itself — ``GSI1PK =
  TENANT#t#CEMAIL#<email>`` while it has an email, ``GSI4PK = TENANT#t#RUT#<12345678-5>``
  while it has a RUT, each with the client id as sort key. One Query of the index
  returns the clients whole (every index projects ALL), with their ticket numbers.

:class:`ClientLookupKeys` names those four attributes and their indexes; the Client
model (store/helpdesk.py) does not declare them, so they are written through the
attributes named here and read back as Clients (unknown attributes are ignored).
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.store import keys
from chalicelib.store.base import Item
from chalicelib.store.helpdesk import Client, Ticket
from chalicelib.store.indexes import ClientIndex, LookupIndex


class SearchWord(Item, discriminator="SearchWord"):
    """One word of a client's name: written and removed with the name."""

    tenant_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    word = UnicodeAttribute()
    name = UnicodeAttribute()


class ClientLookupKeys(Item, discriminator="ClientLookupKeys"):
    """The lookup keys a Client item carries (never saved as an item of its own)."""

    #: its own connection, whose table description holds GSI1 and GSI4 (an inherited one
    #: describes the indexes registered when it was made)
    _connection = None

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_email = LookupIndex()
    GSI4PK = UnicodeAttribute(null=True)
    GSI4SK = UnicodeAttribute(null=True)
    by_rut = ClientIndex()


def word_item(tenant_id: str, client_id: str, word: str, name: str) -> SearchWord:
    return SearchWord(
        keys.search_word_pk(tenant_id, word),
        keys.search_word_sk(word, client_id),
        tenant_id=tenant_id,
        client_id=client_id,
        word=word,
        name=name,
    )


def words_starting(tenant_id: str, prefix: str, most: int) -> list[SearchWord]:
    """Index entries whose word starts with ``prefix`` (at least 2 characters), at most
    ``most`` of them, in word order."""
    return list(
        SearchWord.query(
            keys.search_word_pk(tenant_id, prefix),
            SearchWord.SK.startswith(prefix),
            limit=most,
            page_size=most,
        )
    )


def email_actions(tenant_id: str, client_id: str, email: str | None) -> list[Any]:
    """Update actions that set (or, with None, remove) a client's email and its lookup."""
    if email is None:
        return [
            Client.email.remove(),
            ClientLookupKeys.GSI1PK.remove(),
            ClientLookupKeys.GSI1SK.remove(),
        ]
    return [
        Client.email.set(email),
        ClientLookupKeys.GSI1PK.set(keys.client_email_lookup(tenant_id, email)),
        ClientLookupKeys.GSI1SK.set(client_id),
    ]


def rut_actions(tenant_id: str, client_id: str, rut: str | None) -> list[Any]:
    """Update actions that set (or remove) a client's RUT (canonical form) and its lookup."""
    if rut is None:
        return [
            Client.rut.remove(),
            ClientLookupKeys.GSI4PK.remove(),
            ClientLookupKeys.GSI4SK.remove(),
        ]
    return [
        Client.rut.set(rut),
        ClientLookupKeys.GSI4PK.set(keys.client_rut_lookup(tenant_id, rut)),
        ClientLookupKeys.GSI4SK.set(client_id),
    ]


def _clients_in(index: str, partition: str, most: int) -> list[Client]:
    page = ClientLookupKeys._get_connection().query(partition, index_name=index, limit=most)
    return [Client.from_raw_data(raw) for raw in page.get("Items", [])]


def clients_by_email(tenant_id: str, email: str, most: int) -> list[Client]:
    """The clients with this (normalised) address: one Query of GSI1."""
    return _clients_in("GSI1", keys.client_email_lookup(tenant_id, email), most)


def clients_by_rut(tenant_id: str, canonical_rut: str, most: int) -> list[Client]:
    """The clients with this RUT: one Query of GSI4."""
    return _clients_in("GSI4", keys.client_rut_lookup(tenant_id, canonical_rut), most)


def get_clients(tenant_id: str, client_ids: list[str]) -> list[Client]:
    """Clients by id: one BatchGetItem per 100."""
    if not client_ids:
        return []
    return list(
        Client.batch_get([(keys.client_pk(tenant_id, c), keys.client_sk()) for c in client_ids])
    )


def get_tickets(tenant_id: str, numbers: list[int]) -> list[Ticket]:
    """Tickets by number: one BatchGetItem per 100."""
    if not numbers:
        return []
    return list(
        Ticket.batch_get([(keys.ticket_pk(tenant_id, n), keys.ticket_sk()) for n in numbers])
    )


def get_ticket(tenant_id: str, number: int) -> Ticket | None:
    try:
        return Ticket.get(keys.ticket_pk(tenant_id, number), keys.ticket_sk())
    except DoesNotExist:
        return None


def get_client(tenant_id: str, client_id: str, consistent: bool = False) -> Client | None:
    try:
        return Client.get(
            keys.client_pk(tenant_id, client_id), keys.client_sk(), consistent_read=consistent
        )
    except DoesNotExist:
        return None
