"""Inbound email: SES receives the mail, an SNS action posts it to our webhook.

Two jobs live here:

* trusting the post: ``verify_sns_message`` checks the SNS signature as the SNS
  developer guide ("Verifying the signatures of Amazon SNS messages") describes, and
  ``subscription_confirm_url`` gives the URL that confirms the topic subscription;
* reading the mail: ``parse_ses_notification`` turns the SES "Received" notification
  (whose ``content`` is the raw MIME, UTF8 or BASE64 as the receipt rule says) into one
  ``InboundMessage``. Attachments are stored while parsing, because the SNS payload is
  the only copy of their bytes we will ever get.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import mimetypes
import re
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message, MIMEPart
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chalicelib import aws
from chalicelib.channels.events import Attachment, InboundEvent, InboundMessage, MalformedPayload
from chalicelib.clock import now
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)

#: ``store_attachment(key_hint, data, content_type, filename) -> s3 key``
AttachmentStore = Callable[[str, bytes, str, str], str]
CertificateFetcher = Callable[[str], bytes]
AttachmentKind = Literal["image", "audio", "video", "document", "sticker", "location", "file"]

# --- SNS: who sent this? ------------------------------------------------------------

#: SNS signs from ``sns.<region>.amazonaws.com`` (``.amazonaws.com.cn`` in China).
_SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?")
#: The fields signed, in byte order, per message Type (SNS developer guide).
_SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
#: A Notification is signed with its Subject only when it has one.
_OPTIONAL_FIELDS = frozenset({"Subject"})
_SIGNATURE_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "1": hashes.SHA1,  # SHA1withRSA, the topics' default
    "2": hashes.SHA256,  # SHA256withRSA
}

_CERTIFICATES: dict[str, bytes] = {}
_CERTIFICATE_CACHE_SIZE = 16
_MAX_CERTIFICATE_BYTES = 64 * 1024


def is_sns_url(url: object, *, pem: bool = False) -> bool:
    """True for ``https://sns.<region>.amazonaws.com[.cn]/...`` (a ``.pem`` path if asked).

    Anything else could be an attacker's certificate or an attacker's "confirm" link.
    """
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
        return False
    if not _SNS_HOST.fullmatch(parts.hostname or ""):
        return False
    return not pem or parts.path.endswith(".pem")


def string_to_sign(message: Mapping[str, Any]) -> bytes | None:
    """The canonical text SNS signed: ``name\\nvalue\\n`` per field, ``None`` if it can't be built."""
    fields = _SIGNED_FIELDS.get(str(message.get("Type")))
    if fields is None:
        return None
    text = []
    for name in fields:
        value = message.get(name)
        if value is None and name in _OPTIONAL_FIELDS:
            continue
        if not isinstance(value, str):
            return None
        text.append(f"{name}\n{value}\n")
    return "".join(text).encode("utf-8")


def verify_sns_message(message: Mapping[str, Any], fetch_certificate: CertificateFetcher) -> bool:
    """True only when the message carries a valid SNS signature; any problem gives False.

    The certificate is fetched only from an SNS host, so a forged message cannot point
    us at a key of its own. The TopicArn is not checked here: the caller knows which
    topic it subscribed to.
    """
    try:
        return _verify(message, fetch_certificate)
    except Exception as error:  # a bad certificate, a bad signature, a failed fetch: all "no"
        log.info("SNS signature refused: %s", type(error).__name__)
        return False


def _verify(message: Mapping[str, Any], fetch_certificate: CertificateFetcher) -> bool:
    if not isinstance(message, Mapping):
        return False
    algorithm = _SIGNATURE_HASHES.get(str(message.get("SignatureVersion")))
    url = message.get("SigningCertURL")
    payload = string_to_sign(message)
    signature = message.get("Signature")
    if algorithm is None or payload is None or not isinstance(signature, str):
        return False
    if not is_sns_url(url, pem=True):
        return False
    raw_signature = base64.b64decode(signature, validate=True)
    certificate = x509.load_pem_x509_certificate(fetch_certificate(cast(str, url)))
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    key.verify(raw_signature, payload, padding.PKCS1v15(), algorithm())  # raises when forged
    return True


def default_certificate_fetcher(url: str) -> bytes:
    """Download a signing certificate (5 s timeout), remembered by URL.

    SNS names each certificate file after its key, so a URL never changes content and a
    warm Lambda verifies without a network round trip.
    """
    cached = _CERTIFICATES.get(url)
    if cached is not None:
        return cached
    if not is_sns_url(url, pem=True):
        raise ValueError("not an SNS certificate URL")
    with urllib.request.urlopen(url, timeout=5) as response:  # an https SNS host, checked above
        body = response.read(_MAX_CERTIFICATE_BYTES + 1)
    if len(body) > _MAX_CERTIFICATE_BYTES:
        raise ValueError("certificate too large")
    if len(_CERTIFICATES) >= _CERTIFICATE_CACHE_SIZE:
        _CERTIFICATES.clear()
    _CERTIFICATES[url] = body
    return body


def sns_message_is_trusted(
    message: Mapping[str, Any], fetch_certificate: CertificateFetcher = default_certificate_fetcher
) -> bool:
    """The webhook's check: a valid signature, or, only where ``accepts_unsigned_sns``
    (local stage, opted in), a message that carries no signature at all (curl-able
    inbound email). A wrong signature is refused everywhere."""
    if "Signature" not in message and get_settings().accepts_unsigned_sns:
        return True
    return verify_sns_message(message, fetch_certificate)


def subscription_confirm_url(message: Mapping[str, Any]) -> str | None:
    """The SubscribeURL of a SubscriptionConfirmation, only if it points at SNS itself.

    Visiting it is a GET the webhook makes on the message's say-so, so it must never
    be a URL of the sender's choosing.
    """
    if message.get("Type") != "SubscriptionConfirmation":
        return None
    url = message.get("SubscribeURL")
    return url if is_sns_url(url) else None


# --- SES: what was sent? --------------------------------------------------------------


def parse_ses_notification(
    message: Mapping[str, Any] | str | bytes, store_attachment: AttachmentStore
) -> list[InboundMessage]:
    """The email inside an SNS Notification of an SES "Received" notification.

    ``message`` is the SNS envelope, parsed or as posted. Attachments are stored through
    ``store_attachment`` under a content-addressed key, so a redelivery writes the same
    keys again instead of new copies. Raises ``MalformedPayload`` for anything that is
    not such a notification.
    """
    envelope = _json_object(message, "SNS message")
    if envelope.get("Type") != "Notification":
        raise MalformedPayload(f"SNS message of type {envelope.get('Type')!r}, not a Notification")
    ses = _json_object(envelope.get("Message"), "SES notification")
    if ses.get("notificationType") != "Received":
        raise MalformedPayload(f"SES notification {ses.get('notificationType')!r}, not Received")
    mail = _mapping(ses.get("mail"))
    receipt = _mapping(ses.get("receipt"))
    raw = _decode_content(ses.get("content"), _mapping(receipt.get("action")).get("encoding"))
    mime = cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(raw))

    sender = _first_address(mime, "From") or _plain_address(mail.get("source"))
    if sender is None:
        raise MalformedPayload("email without a sender address")
    account_id = _inbox_address(mime, mail, receipt)

    message_id = _first_id(_header(mime, "Message-ID"))
    in_reply_to = _first_id(_header(mime, "In-Reply-To"))
    references = _all_ids(_header(mime, "References"))
    provider_id = message_id or str(mail.get("messageId") or "")
    if not provider_id:
        raise MalformedPayload("email without a Message-ID nor an SES message id")

    extra = {"ses_message_id": str(mail.get("messageId") or "")}
    if message_id:
        extra["message_id"] = f"<{message_id}>"
    if in_reply_to:
        extra["in_reply_to"] = f"<{in_reply_to}>"
    if references:
        extra["references"] = " ".join(f"<{ref}>" for ref in references)
    auto = _auto_submitted(mime)
    if auto:
        extra["auto_submitted"] = auto  # auto-replies must not get auto-replies back (loops)

    return [
        InboundMessage(
            channel_type="email",
            account_id=account_id,
            provider_message_id=provider_id,
            sender_id=sender[0],
            sender_handle=sender[0],
            sender_name=sender[1],
            subject=_header(mime, "Subject"),
            text=_body_text(mime),
            sent_at=_received_at(mail, mime),
            attachments=_store_attachments(mime, store_attachment),
            reply_to_provider_id=in_reply_to,
            thread_key=(references[0] if references else None) or in_reply_to or provider_id,
            extra={name: value for name, value in extra.items() if value},
        )
    ]


def parse(body: str) -> list[InboundEvent]:
    """The inbound consumer's reader of a queued SES notification (its attachments are
    stored in S3 on the way)."""
    return list(parse_ses_notification(body, s3_attachment_store()))


def s3_attachment_store(bucket: str | None = None) -> AttachmentStore:
    """A store that writes each attachment to S3 at the key it is given.

    The keys (``inbound/email/<sha256>/<filename>``) depend on the bytes only, so an
    SQS or SNS redelivery overwrites the same object with the same bytes: no orphans.
    """

    def store(key_hint: str, data: bytes, content_type: str, filename: str) -> str:
        aws.client("s3").put_object(
            Bucket=bucket or get_settings().bucket,
            Key=key_hint,
            Body=data,
            ContentType=content_type,
        )
        return key_hint

    return store


def attachment_key(data: bytes, filename: str) -> str:
    return f"inbound/email/{hashlib.sha256(data).hexdigest()}/{_safe_filename(filename)}"


def attachment_kind(mime_type: str) -> AttachmentKind:
    """Attachment.kind from a MIME type: media by major type, office files as documents."""
    major, _, minor = mime_type.lower().partition("/")
    media = _MEDIA_KINDS.get(major)
    if media:
        return media
    if major == "text" or minor in _DOCUMENT_SUBTYPES or minor.startswith(_DOCUMENT_PREFIXES):
        return "document"
    return "file"


_MEDIA_KINDS: dict[str, AttachmentKind] = {"image": "image", "audio": "audio", "video": "video"}
_DOCUMENT_SUBTYPES = frozenset({"pdf", "msword", "rtf", "vnd.ms-excel", "vnd.ms-powerpoint"})
_DOCUMENT_PREFIXES = ("vnd.openxmlformats-officedocument.", "vnd.oasis.opendocument.")


def _json_object(value: object, what: str) -> Mapping[str, Any]:
    if isinstance(value, bytes | str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise MalformedPayload(f"{what} is not JSON") from error
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"{what} is not a JSON object")
    return value


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _decode_content(content: object, encoding: object) -> bytes:
    """The raw MIME: SES sends it as text (UTF8, the default) or as BASE64."""
    if not isinstance(content, str) or not content:
        raise MalformedPayload("SES notification without content (is the receipt action SNS?)")
    if str(encoding or "UTF8").upper().replace("-", "") == "BASE64":
        try:
            return base64.b64decode("".join(content.split()), validate=True)
        except binascii.Error as error:
            raise MalformedPayload("SES content is not valid BASE64") from error
    return content.encode("utf-8", errors="surrogateescape")


def _header(mime: Message, name: str) -> str | None:
    try:
        value = mime.get(name)
    except Exception:  # a header the email package cannot parse is a header we don't have
        return None
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _first_id(value: str | None) -> str | None:
    ids = _all_ids(value)
    return ids[0] if ids else None


def _all_ids(value: str | None) -> list[str]:
    """Message ids without their ``<>``; bare ids are tolerated (some clients send them)."""
    if not value:
        return []
    return re.findall(r"<([^<>\s]+)>", value) or [part for part in value.split() if "@" in part]


def _plain_address(value: object) -> tuple[str, str | None] | None:
    name, address = parseaddr(str(value or ""))
    return (address.lower(), name or None) if "@" in address else None


def _addresses(mime: Message, name: str) -> list[tuple[str, str | None]]:
    try:
        values = mime.get_all(name) or []
        found = [
            (address.addr_spec.lower(), address.display_name or None)
            for value in values
            for address in getattr(value, "addresses", ())
            if "@" in address.addr_spec
        ]
    except Exception:  # unparseable address header: fall back to the lenient parser
        found = []
        values = []
    if not found:
        for value in values:
            plain = _plain_address(value)
            if plain:
                found.append(plain)
    return found


def _first_address(mime: Message, name: str) -> tuple[str, str | None] | None:
    found = _addresses(mime, name)
    return found[0] if found else None


def _inbox_address(mime: Message, mail: Mapping[str, Any], receipt: Mapping[str, Any]) -> str:
    """Which of our inboxes got it: the envelope recipients the receipt rule matched
    (always ours, even when Bcc'd or forwarded), else the To/Cc/Delivered-To address
    that SES lists as a destination, else the first destination."""
    recipients = [str(r).lower() for r in receipt.get("recipients") or [] if "@" in str(r)]
    if recipients:
        return recipients[0]
    destination = [str(d).lower() for d in mail.get("destination") or [] if "@" in str(d)]
    for name in ("Delivered-To", "To", "Cc"):
        for address, _ in _addresses(mime, name):
            if address in destination:
                return address
    if destination:
        return destination[0]
    raise MalformedPayload("SES notification without a recipient")


def _received_at(mail: Mapping[str, Any], mime: Message) -> datetime:
    """When SES received it; the Date header (the sender's clock) only as a fallback."""
    received = mail.get("timestamp")
    if isinstance(received, str):
        try:
            return _aware(datetime.fromisoformat(received))
        except ValueError:
            pass
    date = mime.get("Date")
    stamp = getattr(date, "datetime", None)
    return _aware(stamp) if isinstance(stamp, datetime) else now()


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _auto_submitted(mime: Message) -> str | None:
    """RFC 3834 Auto-Submitted, or the older Precedence / X-Autoreply conventions."""
    auto = (_header(mime, "Auto-Submitted") or "").lower()
    if auto and auto != "no":
        return auto
    precedence = (_header(mime, "Precedence") or "").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return precedence
    return "auto-replied" if _header(mime, "X-Autoreply") else None


# --- bodies and attachments ------------------------------------------------------------


def _body_parts(mime: EmailMessage) -> tuple[MIMEPart | None, MIMEPart | None]:
    return mime.get_body(preferencelist=("plain",)), mime.get_body(preferencelist=("html",))


def _body_text(mime: EmailMessage) -> str:
    plain, html = _body_parts(mime)
    if plain is not None:
        text = _part_text(plain)
    elif html is not None:
        text = html_to_text(_part_text(html))
    else:
        text = ""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def _part_text(part: Message) -> str:
    try:
        content = cast(EmailMessage, part).get_content()
    except (LookupError, ValueError, AttributeError):  # unknown charset or broken encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _store_attachments(mime: EmailMessage, store: AttachmentStore) -> list[Attachment]:
    bodies = {id(part) for part in _body_parts(mime) if part is not None}
    attachments: list[Attachment] = []
    for part in _leaf_parts(mime):
        if id(part) in bodies or not _is_attachment(part):
            continue
        data = _part_bytes(part)
        if data is None:
            continue
        mime_type = part.get_content_type()
        name = _filename(part, len(attachments) + 1)
        key = store(attachment_key(data, name), data, mime_type, name)
        attachments.append(
            Attachment(
                kind=attachment_kind(mime_type),
                mime_type=mime_type,
                name=name,
                s3_key=key,
                size=len(data),
            )
        )
    return attachments


def _leaf_parts(part: Message) -> list[Message]:
    """Every non-multipart part; an attached email (message/rfc822) counts as one part."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        return [part]
    leaves: list[Message] = []
    for sub in cast(list[Message], part.get_payload()):
        leaves.extend(_leaf_parts(sub))
    return leaves


def _is_attachment(part: Message) -> bool:
    if part.get_content_disposition() == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() not in ("text", "multipart")  # e.g. inline cid: images


def _part_bytes(part: Message) -> bytes | None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            return cast(Message, inner[0]).as_bytes()
        return None
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None


def _filename(part: Message, number: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return name
    if part.get_content_type() == "message/rfc822":
        return f"message-{number}.eml"
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{number}{extension}"


def _safe_filename(name: str) -> str:
    """A filename usable as the last segment of an S3 key: no path, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if ch.isprintable() and ch not in '<>:"|?*#%' else "_" for ch in name)
    return name.strip(" .")[:150] or "attachment"


class _HtmlText(HTMLParser):
    """Readable text from an HTML-only email.

    Line-level blocks (``div``, ``li``, ``tr``) start a line, paragraph-level ones
    (``p``, headings, lists, quotes) leave a blank line, ``br`` always breaks: that is
    how Gmail's and Outlook's HTML reads when written as plain text. Links keep their URL.
    """

    _LINES = frozenset({"div", "li", "tr", "section", "article", "header", "footer", "dd", "dt"})
    _PARAGRAPHS = frozenset(
        {"p", "ul", "ol", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
    )
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._newlines = 2  # trailing newlines; "2" at the start: no leading blank lines
        self._skipping = 0
        self._href: str | None = None
        self._link_text: list[str] = []

    def _break(self, lines: int) -> None:
        if self._newlines < lines:
            self.out.append("\n" * (lines - self._newlines))
            self._newlines = lines

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "br":
            self.out.append("\n")
            self._newlines += 1
        elif tag in self._PARAGRAPHS:
            self._break(2)
        elif tag in self._LINES:
            self._break(1)
            if tag == "li":
                self._write("- ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._PARAGRAPHS:
            self._break(2)
        elif tag in self._LINES:
            self._break(1)
        elif tag == "a" and self._href:
            label = " ".join("".join(self._link_text).split())
            if self._href.startswith(("http://", "https://")) and self._href != label:
                self._write(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._href is not None:
            self._link_text.append(data)
        text = re.sub(r"\s+", " ", data)
        if text.strip():
            self._write(text)
        elif self._newlines == 0:
            self.out.append(" ")

    def _write(self, text: str) -> None:
        self.out.append(text)
        self._newlines = 0


def html_to_text(html: str) -> str:
    """Plain text of an HTML body (for emails that have no text/plain part)."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
