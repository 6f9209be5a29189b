"""Email replies: a real MIME message, sent with SES ``SendRawEmail``.

The message comes from the channel's inbox (``"Display name" <address>``) to the client,
threads under the client's mail (``In-Reply-To`` the mail answered, ``References`` the
thread, ``Subject: Re: ...``), carries the text as ``text/plain`` and ``text/html``
alternatives and the files (read from S3) as attachments.

SES replaces our ``Message-ID`` with its own, ``<{MessageId}@{region}.amazonses.com>``
(``email.amazonses.com`` in us-east-1): that is the id the client's reply will quote,
so it is the provider message id returned. Locally the message is also recorded in the
outbox and kept as ``.eml`` in the mail folder (SPEC §9).
"""

from __future__ import annotations

import html
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from chalicelib import aws
from chalicelib.channels.outbound.model import (
    OutboundAttachment,
    OutboundRequest,
    SendError,
    SendResult,
)
from chalicelib.channels.outbound.transport import Exchange, required, retryable_status
from chalicelib.clock import now
from chalicelib.settings import get_settings

SES_MAX_BYTES = 10 * 1024 * 1024  # SendRawEmail's limit, attachments and encoding included
_REPLY_PREFIX = re.compile(r"^\s*(re|res|aw|sv)\s*:", re.IGNORECASE)
_RETRYABLE_SES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "ServiceUnavailable",
     "InternalFailure", "RequestTimeout"}
)  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def send(request: OutboundRequest, exchange: Exchange) -> SendResult:
    address = str(request.identifiers.get("address") or request.account_id)
    recipient = required(parseaddr(request.recipient_id)[1], "the client's email address")
    sender = _mailbox(request.identifiers.get("display_name"), address)
    message = build_message(request, sender, recipient)
    raw = message.as_bytes()
    if len(raw) > SES_MAX_BYTES:
        raise SendError("email: the message is larger than SES's 10 MB limit", retryable=False)
    exchange.record({
        "method": "SendRawEmail",
        "url": f"ses:{get_settings().region}",
        "headers": {"Source": address, "Destinations": recipient},
        "body": raw.decode("utf-8", errors="replace"),
    })  # fmt: skip
    _keep_eml(request.message_id, raw)
    ses_id = _send_raw(raw, address, recipient, exchange)
    return SendResult(f"{ses_id}@{ses_domain()}", extra={"ses_message_id": ses_id})


def build_message(request: OutboundRequest, sender: Address, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject_of(request)
    message["Date"] = format_datetime(now())
    message["Message-ID"] = make_msgid(
        idstring=_UNSAFE.sub("", request.message_id)[:64] or None, domain=sender.domain
    )
    parent = _msgid(request.reply_to)
    if parent:
        message["In-Reply-To"] = parent
    thread = _thread(request.references, parent)
    if thread:
        message["References"] = " ".join(thread)
    message.set_content(request.text, cte="quoted-printable")
    message.add_alternative(to_html(request.text), subtype="html", cte="quoted-printable")
    for item in request.attachments:
        _attach(message, item)
    return message


def subject_of(request: OutboundRequest) -> str:
    """``Re: <subject>`` when answering (never ``Re: Re:``); the subject as is otherwise."""
    subject = " ".join((request.subject or "").split())
    if (request.reply_to or request.references) and not _REPLY_PREFIX.match(subject):
        return f"Re: {subject}".rstrip()
    return subject


def to_html(text: str) -> str:
    """The text as HTML: escaped, blank lines make paragraphs, newlines make breaks."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    body = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'


def ses_domain() -> str:
    region = get_settings().region
    return "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"


def _mailbox(display_name: Any, address: str) -> Address:
    try:
        return Address(display_name=str(display_name or ""), addr_spec=address)
    except (ValueError, IndexError):
        raise SendError("email: the channel's address is not valid", retryable=False) from None


def _msgid(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return value if value.startswith("<") else f"<{value}>"


def _thread(references: tuple[str, ...], parent: str | None) -> list[str]:
    thread: list[str] = []
    for value in (*references, parent):
        msgid = _msgid(value)
        if msgid and msgid not in thread:
            thread.append(msgid)
    return thread


def _attach(message: EmailMessage, item: OutboundAttachment) -> None:
    maintype, _, subtype = item.content_type.lower().partition("/")
    if not (maintype and subtype):
        maintype, subtype = "application", "octet-stream"
    message.add_attachment(
        _s3_bytes(item), maintype=maintype, subtype=subtype, filename=item.filename
    )


def _s3_bytes(item: OutboundAttachment) -> bytes:
    from botocore.exceptions import BotoCoreError, ClientError

    if not item.key:
        raise SendError(f"email: attachment {item.filename!r} has no S3 key", retryable=False)
    try:
        stored = aws.client("s3").get_object(Bucket=get_settings().bucket, Key=item.key)
        return bytes(stored["Body"].read())
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code") or "")
        gone = code in ("NoSuchKey", "NoSuchBucket", "404", "AccessDenied")
        raise SendError(
            f"email: attachment {item.filename!r} could not be read from S3 ({code})",
            retryable=not gone,
        ) from None
    except BotoCoreError as exc:
        raise SendError(f"email: S3 unreachable ({type(exc).__name__})", retryable=True) from None


def _send_raw(raw: bytes, source: str, recipient: str, exchange: Exchange) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = aws.client("ses").send_raw_email(
            Source=source, Destinations=[recipient], RawMessage={"Data": raw}
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "")
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        raise SendError(
            f"email: SES {code}: {exchange.scrub(str(error.get('Message') or ''))}",
            retryable=code in _RETRYABLE_SES or retryable_status(status),
            status=status,
        ) from None
    except BotoCoreError as exc:
        raise SendError(f"email: SES unreachable ({type(exc).__name__})", retryable=True) from None
    return str(answer["MessageId"])


def _keep_eml(message_id: str, raw: bytes) -> None:
    """Locally, every email that would be sent is also a file a person can open."""
    mail_dir = get_settings().mail_dir
    if mail_dir is None:
        return
    mail_dir.mkdir(parents=True, exist_ok=True)
    (mail_dir / f"{now():%Y%m%dT%H%M%S}-{_UNSAFE.sub('_', message_id)}.eml").write_bytes(raw)
