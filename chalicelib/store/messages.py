"""Messages in their ticket's partition: stored once, found by the provider's id once
sent, moved only forward through their delivery states, copied by a merge."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.store import keys
from chalicelib.store.base import (
    AlreadyStored,
    condition_failed,
    failed_conditions,
    transaction,
)
from chalicelib.store.base import (
    put_once as _put_once,
)
from chalicelib.store.helpdesk import BotAnswer, Message


def put_once(message: Message) -> None:
    """Store the message unless its id is stored in its ticket (``AlreadyStored``): an
    inbound message's id derives from its provider id, so a redelivery is refused by
    DynamoDB itself."""
    _put_once(message)


def find_sent(channel_id: str, provider_message_id: str) -> Message | None:
    """A sent outbound message by the provider's id (GSI1, written when it was sent)."""
    lookup = keys.provider_message_lookup(channel_id, provider_message_id)
    return next(iter(Message.by_provider_id.query(lookup, limit=1)), None)


def advance_status(
    message: Message, status: str, error: str | None, *, from_status: Collection[str]
) -> bool:
    """Set an outbound message's delivery status (and error) if it exists, is outbound and
    its status is one of ``from_status`` (never backwards); False otherwise."""
    actions: list[Any] = [Message.status.set(status)]
    if error:
        actions.append(Message.status_error.set(error))
    try:
        Message(message.PK, message.SK).update(
            actions=actions,
            condition=Message.PK.exists()
            & Message.direction.__eq__("out")
            & Message.status.is_in(*from_status),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def put_answer_once(claim: BotAnswer, message: Message) -> None:
    """Store the bot's answer with its claim (the bot's own id for it), in one
    transaction: ``AlreadyStored`` when the claim exists (the same answer again)."""
    try:
        with transaction() as write:
            write.save(claim, condition=BotAnswer.PK.does_not_exist())
            write.save(message, condition=Message.PK.does_not_exist())
    except TransactWriteError as exc:
        if (claim.PK, claim.SK) in failed_conditions(write, exc):
            raise AlreadyStored(f"{claim.PK} / {claim.SK}") from exc
        raise


#: what a merge's copy of a message does not take: its keys, its provider-id lookup (the
#: status updates find the original) and a stuck-send mark (the original is the one sent)
NOT_COPIED = ("PK", "SK", "GSI1PK", "GSI1SK", "DuePK", "DueSK", "kind")


def put_copies(tenant_id: str, source: int, target: int, messages: Iterable[Message]) -> int:
    """Each of ``messages`` (of ticket ``source``) also in ``target``'s partition, marked
    as merged, under the same id: copying again writes the same items. Returns how many."""
    copied = 0
    with Message.batch_write() as batch:
        for message in messages:
            copy = Message(keys.ticket_pk(tenant_id, target), keys.message_sk(message.message_id),
                           **{name: getattr(message, name)
                              for name in Message.get_attributes() if name not in NOT_COPIED})  # fmt: skip
            copy.ticket_number = target
            copy.merged_from = source
            batch.save(copy)
            copied += 1
    return copied
