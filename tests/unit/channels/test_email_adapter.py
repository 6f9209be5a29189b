"""Inbound email through SES -> SNS: signature checks, subscription, and the MIME parse.

SNS messages are signed here with a throwaway RSA key and a self-signed certificate,
served by an injected ``fetch_certificate`` (no network in tests). The string to sign
is rebuilt in this file from the SNS developer guide, independently of the adapter.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from chalicelib import aws
from chalicelib.channels import email as adapter
from chalicelib.channels.events import Attachment, InboundMessage, MalformedPayload
from chalicelib.settings import get_settings, reset_settings
from tests.support.payloads import FIXTURES as ALL_FIXTURES
from tests.support.payloads import payload

FIXTURES = ALL_FIXTURES / "ses"
CERT_URL = (
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
    "9c6465fa7f48f5cacd23014631ec1136.pem"
)


def fixture(name: str) -> dict[str, Any]:
    return dict(payload(f"ses/{name}"))


# --- signing, as SNS does ------------------------------------------------------------
def make_key_and_certificate() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    today = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(today - timedelta(days=1))
        .not_valid_after(today + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def sns_key() -> tuple[rsa.RSAPrivateKey, bytes]:
    return make_key_and_certificate()


def signed_text(message: dict[str, Any]) -> bytes:
    """The SNS developer guide's string to sign, written out for each message type."""
    if message["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{name}\n{message[name]}\n" for name in names if name in message).encode()


def sign(message: dict[str, Any], key: rsa.RSAPrivateKey, version: str = "1") -> dict[str, Any]:
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(signed_text(message), padding.PKCS1v15(), algorithm)
    return {
        **message,
        "SignatureVersion": version,
        "Signature": base64.b64encode(signature).decode(),
    }


class Fetcher:
    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.pem


@pytest.fixture
def fetcher(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> Fetcher:
    return Fetcher(sns_key[1])


# --- signatures ----------------------------------------------------------------------
def test_the_string_to_sign_is_the_documented_one() -> None:
    # the Notification example of "Verifying the signatures of Amazon SNS messages"
    message = payload("sns/documented_notification.json")
    assert adapter.string_to_sign(message) == (
        b"Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\n"
        b"Subject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\n"
        b"TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\n"
        b"Type\nNotification\n"
    )
    del message["Subject"]
    assert b"Subject" not in (adapter.string_to_sign(message) or b"")
    assert adapter.string_to_sign({**message, "Type": "Something"}) is None


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize(
    "name",
    [
        "subscription_confirmation.json",
        "notification_first_message.json",
        "notification_first_message_base64.json",
        "notification_reply.json",
    ],
)
def test_signatures_v1_and_v2_are_accepted(
    name: str, version: str, sns_key: Any, fetcher: Fetcher
) -> None:
    message = sign(fixture(name), sns_key[0], version)
    assert adapter.verify_sns_message(message, fetcher) is True
    assert fetcher.urls == [CERT_URL]


def test_an_unsubscribe_confirmation_is_verified_like_a_subscription(
    sns_key: Any, fetcher: Fetcher
) -> None:
    message = {**fixture("subscription_confirmation.json"), "Type": "UnsubscribeConfirmation"}
    assert adapter.verify_sns_message(sign(message, sns_key[0], "2"), fetcher) is True


@pytest.mark.parametrize(
    "field, value",
    [
        ("Message", '{"notificationType":"Received","content":"forged"}'),
        ("MessageId", "00000000-0000-0000-0000-000000000000"),
        ("Subject", "Something else"),
        ("Timestamp", "2026-03-03T10:15:42.540Z"),
        ("TopicArn", "arn:aws:sns:us-east-1:666666666666:attacker"),
        ("Type", "SubscriptionConfirmation"),
        ("SignatureVersion", "2"),  # SHA1 signature presented as SHA256
    ],
)
def test_a_tampered_message_is_refused(
    field: str, value: str, sns_key: Any, fetcher: Fetcher
) -> None:
    message = sign(fixture("notification_first_message.json"), sns_key[0], "1")
    assert adapter.verify_sns_message(message, fetcher) is True
    message[field] = value
    assert adapter.verify_sns_message(message, fetcher) is False


def test_dropping_the_signed_subject_is_refused(sns_key: Any, fetcher: Fetcher) -> None:
    message = sign(fixture("notification_reply.json"), sns_key[0], "2")
    del message["Subject"]
    assert adapter.verify_sns_message(message, fetcher) is False


def test_a_signature_by_another_key_is_refused(fetcher: Fetcher) -> None:
    other_key, _ = make_key_and_certificate()
    message = sign(fixture("notification_reply.json"), other_key, "2")
    assert adapter.verify_sns_message(message, fetcher) is False


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns-us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://s3.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem",
        "https://attacker@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-abc.pem",
        "",
        None,
    ],
)
def test_a_certificate_off_the_sns_hosts_is_never_fetched(
    url: str | None, sns_key: Any, fetcher: Fetcher
) -> None:
    # SigningCertURL is not part of the signed text: the host rule alone protects us here
    message = {**sign(fixture("notification_reply.json"), sns_key[0], "1"), "SigningCertURL": url}
    assert adapter.verify_sns_message(message, fetcher) is False
    assert fetcher.urls == []


def test_the_china_partition_certificate_host_is_accepted(sns_key: Any, fetcher: Fetcher) -> None:
    url = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem"
    message = {**sign(fixture("notification_reply.json"), sns_key[0], "2"), "SigningCertURL": url}
    assert adapter.verify_sns_message(message, fetcher) is True
    assert fetcher.urls == [url]


@pytest.mark.parametrize(
    "change",
    [
        {"SignatureVersion": "3"},
        {"SignatureVersion": None},
        {"Signature": None},
        {"Signature": "not base64 at all!"},
        {"Message": None},
        {"Type": "Announcement"},
    ],
)
def test_incomplete_or_unknown_messages_are_refused(
    change: dict[str, Any], sns_key: Any, fetcher: Fetcher
) -> None:
    message = {**sign(fixture("notification_reply.json"), sns_key[0], "1"), **change}
    assert adapter.verify_sns_message(message, fetcher) is False


def test_a_failing_or_broken_certificate_fetch_is_a_refusal(sns_key: Any) -> None:
    message = sign(fixture("notification_reply.json"), sns_key[0], "1")

    def unreachable(url: str) -> bytes:
        raise TimeoutError("no answer")

    assert adapter.verify_sns_message(message, unreachable) is False
    assert adapter.verify_sns_message(message, lambda url: b"<html>not a cert</html>") is False
    assert adapter.verify_sns_message("not a dict", Fetcher(sns_key[1])) is False  # type: ignore[arg-type]


def test_the_default_fetcher_downloads_each_certificate_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[tuple[str, float]] = []

    class Response:
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def read(self, size: int) -> bytes:
            return b"-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"

    def urlopen(url: str, timeout: float) -> Response:
        opened.append((url, timeout))
        return Response()

    monkeypatch.setattr(adapter, "_CERTIFICATES", {})
    monkeypatch.setattr(adapter.urllib.request, "urlopen", urlopen)
    first = adapter.default_certificate_fetcher(CERT_URL)
    assert adapter.default_certificate_fetcher(CERT_URL) == first
    assert opened == [(CERT_URL, 5)]
    with pytest.raises(ValueError):
        adapter.default_certificate_fetcher("https://evil.example/cert.pem")
    assert len(opened) == 1


@pytest.fixture
def unsigned_sns_allowed(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ATIENDE_SNS_ALLOW_UNSIGNED", "true")
    reset_settings()
    yield
    monkeypatch.delenv("ATIENDE_SNS_ALLOW_UNSIGNED")
    reset_settings()


def test_unsigned_messages_are_refused_unless_the_local_stage_opts_in(
    sns_key: Any, fetcher: Fetcher, request: pytest.FixtureRequest
) -> None:
    unsigned = {k: v for k, v in fixture("notification_reply.json").items() if k != "Signature"}
    assert adapter.sns_message_is_trusted(unsigned, fetcher) is False
    request.getfixturevalue("unsigned_sns_allowed")
    assert get_settings().accepts_unsigned_sns
    assert adapter.sns_message_is_trusted(unsigned, fetcher) is True
    forged = {**unsigned, "Signature": base64.b64encode(b"x" * 256).decode()}
    assert adapter.sns_message_is_trusted(forged, fetcher) is False
    assert adapter.sns_message_is_trusted(sign(unsigned, sns_key[0]), fetcher) is True


def test_the_subscribe_url_is_given_only_when_it_points_at_sns() -> None:
    confirmation = fixture("subscription_confirmation.json")
    assert adapter.subscription_confirm_url(confirmation) == confirmation["SubscribeURL"]
    assert confirmation["SubscribeURL"].startswith(
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&"
    )
    for url in (
        "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "https://evil.example/?Action=ConfirmSubscription",
        "https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription",
        None,
    ):
        assert adapter.subscription_confirm_url({**confirmation, "SubscribeURL": url}) is None
    assert adapter.subscription_confirm_url(fixture("notification_reply.json")) is None


# --- the email -----------------------------------------------------------------------
class MemoryStore:
    """store_attachment that keeps the bytes by key, like S3 would."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str, str]] = {}
        self.calls: list[str] = []

    def __call__(self, key_hint: str, data: bytes, content_type: str, filename: str) -> str:
        self.calls.append(key_hint)
        self.objects[key_hint] = (data, content_type, filename)
        return key_hint


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"\n", b"\r\n")


def pdf_of_first_message() -> bytes:
    """The attachment's bytes, read from the .eml's base64 block (not through the adapter)."""
    text = (FIXTURES / "first_message.eml").read_text()
    block = text.split("X-Attachment-Id: f_m7q2x1k80\n\n", 1)[1].split("\n--", 1)[0]
    return base64.b64decode("".join(block.split()))


def with_ses(envelope: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The envelope with its SES notification changed (``None`` removes a key)."""
    ses = json.loads(envelope["Message"])
    for path, value in changes.items():
        target = ses
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return {**envelope, "Message": json.dumps(ses)}


def notification_for(raw: bytes, **changes: Any) -> dict[str, Any]:
    return with_ses(fixture("notification_reply.json"), content=raw.decode(), **changes)


def test_the_fixtures_carry_the_eml_files_as_ses_sends_them() -> None:
    utf8 = json.loads(fixture("notification_first_message.json")["Message"])
    b64 = json.loads(fixture("notification_first_message_base64.json")["Message"])
    reply = json.loads(fixture("notification_reply.json")["Message"])
    assert utf8["content"].encode() == eml("first_message.eml")
    assert base64.b64decode(b64["content"]) == eml("first_message.eml")
    assert reply["content"].encode() == eml("reply.eml")
    assert (utf8["receipt"]["action"]["encoding"], b64["receipt"]["action"]["encoding"]) == (
        "UTF8",
        "BASE64",
    )


def test_a_new_email_becomes_one_message_with_its_pdf_stored() -> None:
    store = MemoryStore()
    [message] = adapter.parse_ses_notification(fixture("notification_first_message.json"), store)
    pdf = pdf_of_first_message()
    key = f"inbound/email/{hashlib.sha256(pdf).hexdigest()}/factura-1042.pdf"
    assert message == InboundMessage(
        channel_type="email",
        account_id="support@acme.example",
        provider_message_id="CAF1qX9vOrder1042@mail.example.com",
        sender_id="maria.lopez@example.com",
        sender_handle="maria.lopez@example.com",
        sender_name="María López",
        subject="Pedido #1042 no llegó",
        text=(
            "Hola,\n\nHice el pedido #1042 el lunes y todavía no llegó.\n"
            "Adjunto la factura.\n\nGracias,\nMaría"
        ),
        sent_at=datetime(2026, 3, 2, 10, 15, 42, 123000, tzinfo=UTC),
        attachments=[
            Attachment(
                kind="document",
                mime_type="application/pdf",
                name="factura-1042.pdf",
                s3_key=key,
                size=len(pdf),
            )
        ],
        reply_to_provider_id=None,
        thread_key="CAF1qX9vOrder1042@mail.example.com",
        extra={
            "message_id": "<CAF1qX9vOrder1042@mail.example.com>",
            "ses_message_id": "3mks7gd0q1j1ahc6hkm8gq6d2ijtbpsd3mue2o01",
        },
    )
    assert store.objects == {key: (pdf, "application/pdf", "factura-1042.pdf")}
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")


def test_a_redelivery_stores_the_attachment_under_the_same_key() -> None:
    store = MemoryStore()
    first = adapter.parse_ses_notification(fixture("notification_first_message.json"), store)
    again = adapter.parse_ses_notification(fixture("notification_first_message.json"), store)
    assert first == again
    assert len(store.objects) == 1
    assert store.calls == [first[0].attachments[0].s3_key] * 2


def test_base64_content_parses_to_the_same_message() -> None:
    utf8 = adapter.parse_ses_notification(fixture("notification_first_message.json"), MemoryStore())
    b64 = adapter.parse_ses_notification(
        fixture("notification_first_message_base64.json"), MemoryStore()
    )
    assert b64 == utf8


def test_the_raw_posted_body_is_accepted_too() -> None:
    body = (FIXTURES / "notification_reply.json").read_text(encoding="utf-8")
    assert adapter.parse_ses_notification(body, MemoryStore()) == adapter.parse_ses_notification(
        fixture("notification_reply.json"), MemoryStore()
    )


def test_a_reply_carries_the_threading_headers() -> None:
    store = MemoryStore()
    [message] = adapter.parse_ses_notification(fixture("notification_reply.json"), store)
    assert message.provider_message_id == "CAF1qX9vOrder1042Reply2@mail.example.com"
    assert message.reply_to_provider_id == "0100018e0a1b2c3d-ticket-17-reply-1@acme.example"
    assert message.thread_key == "CAF1qX9vOrder1042@mail.example.com"  # the thread's root
    assert message.extra == {
        "message_id": "<CAF1qX9vOrder1042Reply2@mail.example.com>",
        "in_reply_to": "<0100018e0a1b2c3d-ticket-17-reply-1@acme.example>",
        "references": (
            "<CAF1qX9vOrder1042@mail.example.com> <0100018e0a1b2c3d-ticket-17-reply-1@acme.example>"
        ),
        "ses_message_id": "9f0ks2l5q0v3jrm8c1n4e7b6a2d5g8h1j4k7m0p3",
    }
    assert message.subject == "Re: Pedido #1042 no llegó"
    assert message.text.startswith("Perfecto, muchas gracias. El número de seguimiento funciona.")
    assert message.text.endswith("> Hola María, tu pedido salió ayer. Seguimiento: ES123456789.")
    assert message.attachments == [] and store.calls == []
    assert message.sent_at == datetime(2026, 3, 2, 12, 40, 4, 8000, tzinfo=UTC)


def test_thread_key_falls_back_to_in_reply_to_then_to_the_own_id() -> None:
    mail = EmailMessage()
    mail["From"] = "ana@example.com"
    mail["To"] = "support@acme.example"
    mail["Message-ID"] = "<own@example.com>"
    mail["In-Reply-To"] = "<parent@acme.example>"
    mail.set_content("hola")
    [message] = adapter.parse_ses_notification(notification_for(mail.as_bytes()), MemoryStore())
    assert (message.thread_key, message.reply_to_provider_id) == (
        "parent@acme.example",
        "parent@acme.example",
    )
    del mail["In-Reply-To"]
    [message] = adapter.parse_ses_notification(notification_for(mail.as_bytes()), MemoryStore())
    assert (message.thread_key, message.reply_to_provider_id) == ("own@example.com", None)
    del mail["Message-ID"]
    [message] = adapter.parse_ses_notification(notification_for(mail.as_bytes()), MemoryStore())
    assert message.provider_message_id == "9f0ks2l5q0v3jrm8c1n4e7b6a2d5g8h1j4k7m0p3"  # SES's id


def test_an_html_only_email_is_read_as_text_and_its_inline_image_kept() -> None:
    mail = EmailMessage()
    mail["From"] = '"Tienda Ñandú" <Pedidos@Nandu.example>'
    mail["To"] = "support@acme.example"
    mail["Subject"] = "Factura"
    mail["Message-ID"] = "<html-only@nandu.example>"
    mail.set_content(
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>Hola&nbsp;equipo,</p><p>El pedido <b>#77</b> est&aacute; "
        '<a href="https://nandu.example/p/77">aqu&iacute;</a>.</p>'
        '<ul><li>Uno</li><li>Dos</li></ul><img src="cid:logo"></body></html>',
        subtype="html",
    )
    mail.add_related(b"\x89PNG\r\n\x1a\nfake", maintype="image", subtype="png", cid="<logo>")
    store = MemoryStore()
    [message] = adapter.parse_ses_notification(notification_for(mail.as_bytes()), store)
    assert message.text == (
        "Hola equipo,\n\nEl pedido #77 está aquí (https://nandu.example/p/77).\n\n- Uno\n- Dos"
    )
    assert (message.sender_id, message.sender_name) == ("pedidos@nandu.example", "Tienda Ñandú")
    [image] = message.attachments
    assert (image.kind, image.mime_type, image.name, image.size) == (
        "image",
        "image/png",
        "attachment-1.png",
        12,
    )
    assert store.objects[image.s3_key or ""][0] == b"\x89PNG\r\n\x1a\nfake"


def test_gmail_html_reads_like_its_plain_text_part() -> None:
    mime = message_from_bytes(eml("first_message.eml"), policy=policy.default)
    assert isinstance(mime, EmailMessage)
    plain, html = mime.get_body(("plain",)), mime.get_body(("html",))
    assert plain is not None and html is not None
    assert (
        adapter.html_to_text(html.get_content())
        == plain.get_content().replace("\r\n", "\n").strip()
    )


def test_attachment_names_are_made_safe_for_the_key_and_kept_for_display() -> None:
    mail = EmailMessage()
    mail["From"] = "ana@example.com"
    mail["To"] = "support@acme.example"
    mail.set_content("ver adjuntos")
    mail.add_attachment(
        b"a,b\n1,2\n", maintype="text", subtype="csv", filename="../../etc/ventas #3.csv"
    )
    mail.add_attachment(b"\x00\x01", maintype="application", subtype="octet-stream")
    store = MemoryStore()
    [message] = adapter.parse_ses_notification(notification_for(mail.as_bytes()), store)
    csv, blob = message.attachments
    digest = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert csv.name == "../../etc/ventas #3.csv" and csv.kind == "document"
    assert csv.s3_key == f"inbound/email/{digest}/ventas _3.csv"
    assert blob.kind == "file" and blob.name == "attachment-2.bin"


def test_the_inbox_comes_from_the_headers_when_the_receipt_names_no_recipient() -> None:
    mail = EmailMessage()
    mail["From"] = "ana@example.com"
    mail["Delivered-To"] = "Ventas@Acme.example"
    mail["To"] = "Jorge <jorge@example.com>, Ventas <Ventas@Acme.example>"
    mail.set_content("hola")
    notification = notification_for(
        mail.as_bytes(),
        receipt__recipients=None,
        mail__destination=["jorge@example.com", "Ventas@Acme.example"],
    )
    [message] = adapter.parse_ses_notification(notification, MemoryStore())
    assert message.account_id == "ventas@acme.example"  # Delivered-To wins over To's order
    del mail["Delivered-To"]
    notification = notification_for(
        mail.as_bytes(), receipt__recipients=None, mail__destination=["Ventas@Acme.example"]
    )
    [message] = adapter.parse_ses_notification(notification, MemoryStore())
    assert message.account_id == "ventas@acme.example"  # the To address SES lists


def test_auto_replies_are_flagged() -> None:
    mail = EmailMessage()
    mail["From"] = "ana@example.com"
    mail["To"] = "support@acme.example"
    mail["Auto-Submitted"] = "auto-replied"
    mail.set_content("Estoy de vacaciones")
    [message] = adapter.parse_ses_notification(notification_for(mail.as_bytes()), MemoryStore())
    assert message.extra["auto_submitted"] == "auto-replied"


def test_attachments_land_in_s3_once_whatever_the_redeliveries() -> None:
    store = adapter.s3_attachment_store()
    [message] = adapter.parse_ses_notification(fixture("notification_first_message.json"), store)
    adapter.parse_ses_notification(fixture("notification_first_message_base64.json"), store)
    s3 = aws.client("s3")
    bucket = get_settings().bucket
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="inbound/email/")
    [attachment] = message.attachments
    assert [item["Key"] for item in listed["Contents"]] == [attachment.s3_key]
    stored = s3.get_object(Bucket=bucket, Key=attachment.s3_key)
    assert stored["ContentType"] == "application/pdf"
    assert stored["Body"].read() == pdf_of_first_message()


def malformed_cases() -> list[Any]:
    reply = fixture("notification_reply.json")
    return [
        pytest.param("this is not json", id="body not JSON"),
        pytest.param("[1, 2]", id="body not an object"),
        pytest.param(fixture("subscription_confirmation.json"), id="not a Notification"),
        pytest.param({**reply, "Message": "plain text"}, id="Message not JSON"),
        pytest.param({**reply, "Message": "[]"}, id="Message not an object"),
        pytest.param(with_ses(reply, notificationType="Bounce"), id="not Received"),
        pytest.param(with_ses(reply, content=None), id="no content"),
        pytest.param(with_ses(reply, content=""), id="empty content"),
        pytest.param(
            with_ses(reply, content="%%% not base64 %%%", receipt__action__encoding="BASE64"),
            id="bad BASE64",
        ),
        pytest.param(
            with_ses(
                reply,
                content="Subject: no sender\r\n\r\nhola\r\n",
                mail__source=None,
            ),
            id="no sender",
        ),
        pytest.param(
            with_ses(
                reply,
                content="From: a@example.com\r\n\r\nhola\r\n",
                receipt__recipients=None,
                mail__destination=None,
            ),
            id="no recipient",
        ),
    ]


@pytest.mark.parametrize("payload", malformed_cases())
def test_malformed_payloads_raise(payload: Any) -> None:
    store = MemoryStore()
    with pytest.raises(MalformedPayload):
        adapter.parse_ses_notification(copy.deepcopy(payload), store)
    assert store.calls == []
