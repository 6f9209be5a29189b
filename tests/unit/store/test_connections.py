"""Each model class holds its own PynamoDB connection (and so its own schema), sharing
one DynamoDB client: a model first used after ``Item``'s connection exists (a
transaction) must still know its indexes."""

from __future__ import annotations

from chalicelib.store.base import Item, transaction
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Ticket


def _as_never_used(*models: type) -> None:
    for model in models:
        if "_connection" in model.__dict__:
            delattr(model, "_connection")  # as in a fresh process: the class has none
    Item._connection = None


def test_a_model_first_used_after_a_transaction_queries_its_own_indexes():
    _as_never_used(Ticket, Channel)
    transaction()  # takes Item's connection, as every transaction does
    assert Item.__dict__.get("_connection") is not None  # the transaction's
    # a query of GSI2 (a board's queue), then GSI1 (a channel by account): both known
    assert list(Ticket.by_queue.query("T#nobody#Q#none", limit=1)) == []
    assert list(Channel.by_account.query("CH#whatsapp#none", limit=1)) == []
    assert Ticket._get_connection() is not Item._get_connection()
    assert Ticket._get_connection().connection.client is Item._get_connection().connection.client
