"""The one table: a polymorphic PynamoDB base model every item type derives from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.settings import get_settings
from chalicelib.store import meter

meter.install()


class Item(Model):
    """An item of the Atiende table. ``kind`` says which model it is."""

    class Meta:
        table_name = get_settings().table
        host = get_settings().dynamodb_endpoint
        region = get_settings().region
        max_retry_attempts = 5
        base_backoff_ms = 25
        connect_timeout_seconds = 2
        read_timeout_seconds = 5

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute(attr_name="kind")
    #: epoch seconds; DynamoDB TTL deletes the item some time after (expiry is checked in code)
    expires_at = NumberAttribute(null=True)

    @classmethod
    def _get_connection(cls) -> Any:
        """PynamoDB gives every model class its own connection, and each one builds its
        own botocore session and DynamoDB client (parsing the service's model again:
        tens of milliseconds each, on the cold path). Every model of the table shares
        one client instead; botocore clients are safe to share between threads.

        A subclass would otherwise inherit its parent's connection (PynamoDB keeps it in
        a class attribute), and with it the parent's schema: once ``Item``'s own
        connection exists (a transaction), a model first used after it would query with
        no indexes ("Table ... has no index: GSI2"). So each class holds its own."""
        if "_connection" not in cls.__dict__:
            cls._connection = None
        fresh = cls._connection is None or cls._connection.table_name != cls.Meta.table_name
        table = super()._get_connection()
        if fresh:
            connection = table.connection
            key = (connection.host, connection.region)
            shared = _CLIENTS.get(key)
            if shared is None:
                _CLIENTS[key] = connection.client
            else:
                connection._client = shared
        return table

    def update_only(self, actions: list[Any], condition: Any = None) -> None:
        """UpdateItem without the item back (``ReturnValues=NONE``): PynamoDB's ``update``
        always asks for ``ALL_NEW``, which DynamoDB serializes and we parse. Raises
        ``UpdateError`` as ``update`` does; the model is left as it was."""
        hash_value, range_value = self._get_hash_range_key_serialized_values()
        self._get_connection().update_item(
            hash_value, range_key=range_value, actions=actions, condition=condition
        )


#: the DynamoDB client every model shares, per (endpoint, region)
_CLIENTS: dict[tuple[Any, Any], Any] = {}


def _all_models(cls: type[Model]) -> list[type[Model]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_models(sub))
    return found


def configure(*, table: str | None = None, endpoint: Any = ...) -> None:
    """Point every model at another table or endpoint (tests, the local stack)."""
    for model in _all_models(Item):
        if table is not None:
            model.Meta.table_name = table
        if endpoint is not ...:
            model.Meta.host = endpoint
        model._connection = None
    _CLIENTS.clear()


def transaction() -> Any:
    """A PynamoDB ``TransactWrite`` on the table's connection (all-or-nothing writes),
    with its client and retry settings."""
    from pynamodb.transactions import TransactWrite

    return TransactWrite(connection=Item._get_connection().connection)


def _key_of(operation: dict[str, Any]) -> tuple[str, str]:
    key = operation.get("Key") or operation.get("Item") or {}
    return key["PK"]["S"], key["SK"]["S"]


def _refusals(error: BaseException) -> set[str]:
    """Why DynamoDB refused a write: the codes of a cancelled transaction's reasons, or the
    error code of a single write, without the ``Exception`` suffix."""
    reasons = getattr(error, "cancellation_reasons", None) or []
    codes = {reason.code for reason in reasons if reason is not None and reason.code}
    cause = getattr(error, "cause_response_code", None)
    if isinstance(cause, str):
        codes.add(cause.removesuffix("Exception"))
    return codes


def condition_failed(error: BaseException) -> bool:
    """Whether a write (a Put, Update, Delete or a transaction) was refused because one of
    its conditions did not hold: the item is not as the writer read it."""
    return "ConditionalCheckFailed" in _refusals(error)


def lost_race(error: BaseException) -> bool:
    """Whether a write lost to another writer: a condition failed or a concurrent
    transaction held the item. Read again and decide again."""
    return bool(_refusals(error) & {"ConditionalCheckFailed", "TransactionConflict"})


def failed_conditions(write: Any, error: Exception) -> set[tuple[str, str]]:
    """Keys (PK, SK) of the items whose condition failed in a cancelled transaction.

    PynamoDB sends condition checks, then deletes, puts and updates, whatever order
    they were added in; DynamoDB's cancellation reasons follow that order.
    """
    ordered = [
        _key_of(op)
        for group in (
            write._condition_check_items,
            write._delete_items,
            write._put_items,
            write._update_items,
        )
        for op in group
    ]
    reasons = getattr(error, "cancellation_reasons", None) or []
    return {
        key
        for key, reason in zip(ordered, reasons, strict=False)
        if reason is not None and reason.code == "ConditionalCheckFailed"
    }


class AlreadyStored(Exception):
    """The item was written before (its key exists): a redelivery, a retry, a concurrent
    writer of the same thing. The store's answer to a conditional Put that was refused."""


class LostRace(Exception):
    """Another writer changed an item this write was conditioned on (or held it in a
    concurrent transaction): read again and decide again."""


#: adds one item (a conditional update, put or delete) to an open ``transaction()``; built
#: by the store, which owns its condition, and passed around by the domain as a value
TransactItem = Callable[[Any], None]


def put_once(item: Item) -> None:
    """Put ``item`` unless its key exists; ``AlreadyStored`` if it does."""
    from pynamodb.exceptions import PutError

    try:
        item.save(condition=type(item).PK.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise AlreadyStored(f"{item.PK} / {item.SK}") from exc
        raise


T = TypeVar("T")


def every_item(fetch_page: Callable[[Any], tuple[list[T], Any]]) -> Iterator[T]:
    """All items of a paged listing: ``fetch_page(cursor)`` returns (items, next cursor)."""
    cursor = None
    while True:
        items, cursor = fetch_page(cursor)
        yield from items
        if not cursor:
            return
