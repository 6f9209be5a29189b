"""The outbound queue's consumer: queued replies and auto-replies go out through their provider.

Each SQS record is ``{"type": "send_message", "tenant_id", "ticket_number", "message_id"}``,
put there by the table's stream consumer when the message is stored queued
(``jobs/effects.message_queued``; the effects sweep puts it there again if that failed);
the message itself waits in its ticket's partition with status ``queued``. For each record:

1. The message is read (consistent read). Sent, delivered, read or failed: nothing to do
   (SQS delivers at least once, and a message may have been queued twice).
2. The send is **claimed** before anything goes out: one conditional UpdateItem moves the
   message from ``queued`` to ``sending``, adds one to ``attempts`` and takes a lease of
   :data:`LEASE_SECONDS`. Of two deliveries of the same record (even at the same
   instant) only one wins; the other finds the message sent, or being sent. A message
   left ``sending`` by a worker that died mid-send may be claimed again once its lease
   has expired, so the crash is retried, not lost (the provider may then get that one
   message twice: nothing else can tell whether the dead worker's request arrived).
   While a lease is alive the record is retried after it: the record that holds the
   lease comes back too if its worker dies, so on its last receive a duplicate record
   simply lets go.
3. The ticket, the client and the channel (with its decrypted credentials) are read. A
   disconnected or missing channel fails the message at once, with a clear reason.
4. The provider request is built (``channels.outbound``): the recipient is the client's
   id on the channel (its address for email); files get presigned S3 GET URLs valid for
   an hour; email gets the thread's subject, ``References`` and, by default, answers the
   client's latest mail.
5. The answer is recorded with one conditional UpdateItem (condition: still ``sending``):

   * sent: status ``sent``, the provider's message id, ``GSI1PK`` = the provider-id
     lookup (so the provider's delivery and read receipts find the message), send time;
   * a refusal that trying again cannot fix: status ``failed`` with the provider's
     reason; refused credentials also alert the channel's people
     (``domain.channels.alerts``);
   * a temporary failure (rate limit, outage, no answer): back to ``queued`` with
     ``status_error`` = ``retrying: <reason>``, and the record alone is reported in
     ``batchItemFailures``. Its visibility timeout is set to the provider's
     ``Retry-After`` when it gave one, else grows with the attempts:
     ``min(900, 2**attempts * 10)`` seconds (20 s, 40 s, 80 s, 160 s). On the last
     attempt the queue allows (:data:`MAX_RECEIVES`, the queue's ``maxReceiveCount``) the
     message is marked ``failed`` with the last reason instead: a person sees it on the
     message; nothing is silently lost in the dead-letter queue.

The records of a batch run side by side (one thread each), but the records of one ticket
one after the other, in queue order, so a ticket's replies are not reordered by the
batch. Any other error (a throttled table, a bug) fails the record: it is retried and,
after ``maxReceiveCount`` receives, kept in the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from chalicelib import aws
from chalicelib.channels.outbound import (
    OutboundAttachment,
    OutboundRequest,
    SendError,
    SendResult,
    dispatch,
)
from chalicelib.clock import now
from chalicelib.domain.channels import alerts
from chalicelib.domain.helpdesk.timeline import message_key
from chalicelib.jobs.queue_batch import process_batch_concurrently
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import condition_failed
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Message, Ticket

log = logging.getLogger(__name__)

#: the outbound queue's ``maxReceiveCount`` in infra/resources.yaml (a test keeps them equal)
MAX_RECEIVES = 5
#: how long a claimed send is its worker's: well over one Lambda run (30 s), under the
#: queue's visibility timeout (180 s), so a crashed run's message is free when it returns
LEASE_SECONDS = 120
BACKOFF_MAX_SECONDS = 900
VISIBILITY_MAX_SECONDS = 12 * 60 * 60  # SQS's limit
#: presigned GET URLs handed to providers (they fetch the file when sending, or soon after)
ATTACHMENT_URL_SECONDS = 60 * 60
#: email threads: how many messages are read, how many Message-IDs go in References
THREAD_READ = 50
THREAD_REFERENCES = 20
DONE = frozenset({"sent", "delivered", "read", "failed"})

#: The claim's lease: epoch seconds until which a ``sending`` message is its worker's.
#: An attribute of the item that the Message model does not declare (only this module
#: reads it); it is removed when the send is settled.
SEND_LEASE = NumberAttribute(null=True, attr_name="send_lease_until")


class SendMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    tenant_id: str
    ticket_number: int
    message_id: str


class LeaseHeld(Exception):
    """Another worker is sending this message right now: look again after its lease."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the message is being sent by another worker ({seconds:.0f} s left)")
        self.seconds = seconds


class RetryLater(Exception):
    """The send failed for now; SQS delivers the record again (the reason is on the message)."""


@dataclass(frozen=True)
class Attempt:
    """One record's try at one message."""

    message: Message
    receive_count: int
    receipt_handle: str

    @property
    def where(self) -> dict[str, Any]:
        return {
            "tenant_id": self.message.tenant_id,
            "ticket_number": int(self.message.ticket_number),
            "message_id": self.message.message_id,
            "channel_id": self.message.channel_id,
            "attempt": int(self.message.attempts or 0),
            "receive_count": self.receive_count,
        }

    @property
    def last(self) -> bool:
        """No later delivery will come: the queue dead-letters the record after this one."""
        return max(int(self.message.attempts or 0), self.receive_count) >= MAX_RECEIVES


# --- the batch ------------------------------------------------------------------------------------
def handle(event: Any) -> dict[str, Any]:
    """Send a Chalice ``SQSEvent``'s messages; report the failed records for retry."""
    locks: dict[tuple[str, int], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def run(record: Any) -> None:
        body = read_body(record)
        # records of one ticket in queue order: a lock is FIFO and taken before any await
        async with locks[(body.tenant_id, body.ticket_number)]:
            await asyncio.to_thread(handle_record, record, body)

    return process_batch_concurrently(event, run)


def read_body(record: Any) -> SendMessage:
    try:
        body = SendMessage.model_validate_json(record.body)
        if body.type != "send_message":
            raise ValueError(f"unknown message type {body.type!r}")
        return body
    except (ValidationError, ValueError) as exc:
        log.error(
            "outbound message cannot be read; it will be retried, then dead-lettered",
            extra={"sqs_message_id": record.message_id, "reason": str(exc)[:500]},
        )
        raise


def handle_record(record: Any, body: SendMessage | None = None) -> None:
    """Send one queued message; raise to have SQS deliver the record again."""
    body = body or read_body(record)
    receive_count = int(record.attributes.approximate_receive_count or 1)
    where = {"tenant_id": body.tenant_id, "ticket_number": body.ticket_number,
             "message_id": body.message_id, "receive_count": receive_count}  # fmt: skip
    key = message_key(body.tenant_id, body.ticket_number, body.message_id)
    message = get_or_none(Message, *key, consistent=True)
    if message is None or message.direction != "out":
        log.warning("no outbound message for this record; dropped", extra=where)
        return
    if message.status in DONE:
        log.info("message already settled; redelivery ignored",
                 extra={**where, "status": message.status})  # fmt: skip
        return
    try:
        if not claim(message):
            log.info("message settled meanwhile; record dropped", extra=where)
            return
    except LeaseHeld as held:
        if receive_count >= MAX_RECEIVES:
            log.warning("message held by another worker on this record's last receive; the "
                        "holder's own record retries it", extra=where)  # fmt: skip
            return
        log.info("message being sent by another worker; checked again later", extra=where)
        delay(record.receipt_handle, math.ceil(held.seconds) + 1, where)
        raise
    attempt = Attempt(message, receive_count, record.receipt_handle)
    try:
        result = send(message)
    except SendError as error:
        settle_failure(attempt, error)
        return
    except Exception as exc:  # a bug, a throttled table, KMS down: retried like an outage
        log.exception("sending failed unexpectedly", extra=attempt.where)
        settle_failure(attempt, SendError(f"internal error ({type(exc).__name__})", retryable=True))
        return
    record_sent(attempt, result)


# --- claiming -------------------------------------------------------------------------------------
def claim(message: Message) -> bool:
    """``queued`` (or ``sending`` under an expired lease) -> ``sending``, attempts + 1.

    Refreshes ``message`` with what was written and returns True. False when the message
    was settled meanwhile; :class:`LeaseHeld` when another worker is sending it."""
    at = now().timestamp()
    expired = SEND_LEASE < at  # noqa: SIM300  (a DynamoDB condition, not a comparison)
    try:
        message.update(
            actions=[
                Message.status.set("sending"),
                Message.attempts.add(1),
                SEND_LEASE.set(at + LEASE_SECONDS),
            ],
            condition=Message.PK.exists()
            & (
                (Message.status == "queued")
                | ((Message.status == "sending") & (SEND_LEASE.does_not_exist() | expired))
            ),
        )
        return True
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
    # the lease is not a model attribute: read it (and the status) from the raw item
    found = Message._get_connection().get_item(
        message.PK, message.SK, consistent_read=True,
        attributes_to_get=["status", "send_lease_until"],
    ).get("Item") or {}  # fmt: skip
    status = found.get("status", {}).get("S")
    if status != "sending":
        return False  # sent, failed or gone since it was read (queued again: a new record)
    lease = float(found.get("send_lease_until", {}).get("N") or 0)
    raise LeaseHeld(max(0.0, lease - at))


# --- building the request -------------------------------------------------------------------------
class Refused(SendError):
    """A message that can never be sent as it is (no channel, a foreign file, ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


def send(message: Message) -> SendResult:
    """Build the provider request for a claimed message and send it."""
    tenant_id, number = message.tenant_id, int(message.ticket_number)
    ticket = get_or_none(Ticket, keys.ticket_pk(tenant_id, number), keys.ticket_sk())
    if ticket is None:
        raise Refused(f"ticket {number} does not exist")
    channel = get_or_none(Channel, keys.tenant_pk(tenant_id),
                          keys.channel_sk(message.channel_id or ticket.channel_id))  # fmt: skip
    if channel is None:
        raise Refused("the channel was deleted")
    if channel.status != "connected":
        raise Refused(f"the channel “{channel.name}” is disconnected; connect it again and resend")
    client = get_or_none(Client, keys.client_pk(tenant_id, ticket.client_id), keys.client_sk())
    if client is None:
        raise Refused("the ticket's client does not exist")
    from chalicelib.domain.channels.service import credentials_of

    extra = dict(message.extra or {})
    request = OutboundRequest(
        message_id=message.message_id,
        channel_type=channel.channel_type,
        account_id=channel.account_id,
        identifiers=dict(channel.identifiers or {}),
        credentials=credentials_of(channel),
        recipient_id=_recipient(channel, client),
        text=message.text or "",
        public=bool(message.public),
        reply_to=message.reply_to,
        attachments=tuple(_attachments(message, extra)),
        template=extra.get("template") or None,
        interactive=extra.get("interactive") or None,
    )
    if channel.channel_type == "email":
        request = _with_email_thread(request, message)
    try:
        return dispatch.send(request)
    except SendError as error:
        if error.credentials_rejected and not error.retryable:
            alerts.notify_credentials_rejected(channel, error.reason)
        raise


def _recipient(channel: Channel, client: Client) -> str:
    if channel.channel_type == "email":
        return client.email or client.sender_id
    return client.sender_id


def _attachments(message: Message, extra: dict[str, Any]) -> list[OutboundAttachment]:
    """The reply's files (``extra.attachments``: s3_key, content_type, filename, size),
    each with a presigned GET URL; only files uploaded to the message's own tenant."""
    from chalicelib.aws import presigned_get
    from chalicelib.domain.uploads import is_own_upload

    listed = extra.get("attachments")
    if listed is None:  # older replies kept them on the message itself
        listed = [a for a in message.attachments or [] if isinstance(a, dict) and a.get("s3_key")]
    files = []
    for index, item in enumerate(listed or []):
        key = str(item.get("s3_key") or "") if isinstance(item, dict) else ""
        if not is_own_upload(message.tenant_id, key):
            raise Refused(f"attachment {index + 1} is not a file uploaded to this account")
        files.append(
            OutboundAttachment(
                url=presigned_get(key, ATTACHMENT_URL_SECONDS),
                content_type=str(item.get("content_type") or "application/octet-stream"),
                filename=str(item.get("filename") or item.get("name") or key.rsplit("/", 1)[-1]),
                size=int(item.get("size") or 0),
                key=key,
                caption=str(item.get("caption") or ""),
            )
        )
    return files


def _with_email_thread(request: OutboundRequest, message: Message) -> OutboundRequest:
    """Subject, References and In-Reply-To from the ticket's latest messages: one Query.

    The subject is the first client mail's among the :data:`THREAD_READ` latest messages
    (the ticket's very first for any ticket that short; a longer one's oldest read mail
    subject is already "Re: ..." of it). References: the Message-IDs of the last
    :data:`THREAD_REFERENCES` mails. A reply that names no mail answers the client's latest.
    """
    from dataclasses import replace

    latest = list(
        Message.query(
            keys.ticket_pk(message.tenant_id, int(message.ticket_number)),
            Message.SK.between(keys.messages_prefix(), keys.MESSAGES_END),
            scan_index_forward=False,
            limit=THREAD_READ,
        )
    )
    mails = [m for m in latest if m.message_id != message.message_id and m.provider_message_id]
    inbound = [m for m in mails if m.direction == "in"]
    subject = next((m.subject for m in reversed(inbound) if m.subject), None)
    references = tuple(m.provider_message_id for m in reversed(mails[:THREAD_REFERENCES]))
    reply_to = request.reply_to or (inbound[0].provider_message_id if inbound else None)
    return replace(
        request,
        subject=subject or message.subject,
        references=references,
        reply_to=reply_to,
    )


# --- recording the outcome ------------------------------------------------------------------------
def record_sent(attempt: Attempt, result: SendResult) -> None:
    message = attempt.message
    provider_id = result.provider_message_id or message.message_id
    actions: list[Any] = [
        Message.status.set("sent"),
        Message.provider_message_id.set(provider_id),
        Message.GSI1PK.set(keys.provider_message_lookup(message.channel_id, provider_id)),
        Message.GSI1SK.set("MSG"),
        Message.sent_at.set(now()),
        Message.status_error.remove(),
        SEND_LEASE.remove(),
    ]
    if result.extra:
        actions.append(Message.extra.set({**(message.extra or {}), "provider": dict(result.extra)}))
    if not _settle(message, actions):
        log.error("message sent but its status changed meanwhile (a lease expired mid-send?)",
                  extra={**attempt.where, "provider_message_id": provider_id})  # fmt: skip
        return
    log.info("message sent", extra={**attempt.where, "provider_message_id": provider_id})


def settle_failure(attempt: Attempt, error: SendError) -> None:
    """Failed for good, or back to the queue for another try (then raises RetryLater)."""
    message, where = attempt.message, {**attempt.where, "reason": error.reason}
    if not error.retryable or attempt.last:
        failed = (
            error.reason
            if not error.retryable
            else f"gave up after {message.attempts} attempts: {error.reason}"
        )
        if _settle(message, [Message.status.set("failed"), Message.status_error.set(failed[:1000]),
                             SEND_LEASE.remove()]):  # fmt: skip
            log.warning("message failed; not retried", extra={**where, "status": error.status})
        return
    if not _settle(message, [Message.status.set("queued"),
                             Message.status_error.set(f"retrying: {error.reason}"[:1000]),
                             SEND_LEASE.remove()]):  # fmt: skip
        return  # settled by another worker meanwhile: nothing to retry
    seconds = (
        math.ceil(error.retry_after)
        if error.retry_after is not None
        else backoff_seconds(int(message.attempts or 1))
    )
    delay(attempt.receipt_handle, seconds, where)
    log.warning("message not sent; SQS will retry it", extra={**where, "in_seconds": seconds})
    raise RetryLater(error.reason)


def backoff_seconds(attempts: int) -> int:
    """How long a record waits after its ``attempts``-th failed try: 20 s, 40 s, 80 s, ..."""
    return min(BACKOFF_MAX_SECONDS, 2 ** min(attempts, 16) * 10)


def delay(receipt_handle: str, seconds: int, where: dict[str, Any]) -> None:
    """Make the record visible again in ``seconds`` (instead of the queue's default)."""
    from botocore.exceptions import BotoCoreError, ClientError

    seconds = max(0, min(VISIBILITY_MAX_SECONDS, int(seconds)))
    try:
        aws.client("sqs").change_message_visibility(
            QueueUrl=aws.queue_url("outbound"),
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=seconds,
        )
    except (BotoCoreError, ClientError) as exc:  # the queue's own timeout applies instead
        log.warning("record's visibility not changed",
                    extra={**where, "error": type(exc).__name__})  # fmt: skip


def _settle(message: Message, actions: list[Any]) -> bool:
    """Apply ``actions`` if the message is still ``sending``; False when it is not."""
    try:
        message.update(actions=actions, condition=Message.status == "sending")
        return True
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
