"""Email replies through moto's SES: the raw MIME that leaves, threading included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import aws
from chalicelib.channels.outbound import (
    OutboundAttachment,
    OutboundRequest,
    SendError,
    send,
)
from chalicelib.settings import get_settings, reset_settings

INBOX = "soporte@acme.cl"
CLIENT = "ana.perez@example.com"
PARENT = "CAF7x-qW2=abc123@mail.gmail.com"
ROOT = "<CAF7x-root-0001@mail.gmail.com>"
PDF = b"%PDF-1.4 factura A-1042\n%%EOF\n"


@pytest.fixture
def var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("ATIENDE_VAR", str(tmp_path))
    reset_settings()
    yield tmp_path
    reset_settings()


@pytest.fixture
def verified(var: Path) -> Path:
    aws.client("ses").verify_email_identity(EmailAddress=INBOX)
    return var


def reply(**changes: Any) -> OutboundRequest:
    base = OutboundRequest(
        message_id="msg_mail_01",
        channel_type="email",
        account_id=INBOX,
        identifiers={"address": INBOX, "display_name": "Soporte Acme Ñuñoa"},
        credentials={},
        recipient_id=CLIENT,
        text="Hola Ana,\n\nTu pedido <A-1042> sale hoy.\nSaludos",
        reply_to=PARENT,
        subject="Problema con mi pedido",
        references=(ROOT,),
    )
    return replace(base, **changes)


def sent_raw() -> tuple[Any, EmailMessage]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region]
    sent = backend.sent_messages[-1]
    parsed = BytesParser(policy=policy.default).parsebytes(sent.raw_data.encode())
    return sent, cast(EmailMessage, parsed)


def test_a_threaded_reply_with_both_bodies_and_a_file(verified: Path) -> None:
    key = "t/tn_1/attachments/factura.pdf"
    aws.client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=PDF)
    invoice = OutboundAttachment(url="https://presigned.example/factura.pdf",
                                 content_type="application/pdf", filename="factura.pdf",
                                 size=len(PDF), key=key)  # fmt: skip

    result = send(reply(attachments=(invoice,)))

    sent, mime = sent_raw()
    assert result.provider_message_id == f"{sent.id}@email.amazonses.com"
    assert result.extra == {"ses_message_id": sent.id}
    assert sent.source == INBOX
    assert str(mime["From"]) == f"Soporte Acme Ñuñoa <{INBOX}>"
    assert mime["From"].addresses[0].addr_spec == INBOX
    assert str(mime["To"]) == CLIENT
    assert str(mime["Subject"]) == "Re: Problema con mi pedido"
    assert str(mime["In-Reply-To"]) == f"<{PARENT}>"
    assert str(mime["References"]).split() == [ROOT, f"<{PARENT}>"]
    assert str(mime["Message-ID"]).endswith("@acme.cl>")
    assert mime["Date"] is not None
    assert mime.get_content_type() == "multipart/mixed"
    plain = mime.get_body(("plain",))
    html = mime.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == reply().text
    assert "<p>Hola Ana,</p><p>Tu pedido &lt;A-1042&gt; sale hoy.<br>Saludos</p>" in str(
        html.get_content()
    )
    [attached] = list(mime.iter_attachments())
    assert attached.get_filename() == "factura.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == PDF


def test_no_re_re_and_a_new_thread_keeps_its_subject(verified: Path) -> None:
    send(reply(subject="RE: Problema con mi pedido"))
    assert str(sent_raw()[1]["Subject"]) == "RE: Problema con mi pedido"

    send(reply(message_id="msg_mail_02", reply_to=None, references=(), subject="Tu pedido"))
    _, mime = sent_raw()
    assert str(mime["Subject"]) == "Tu pedido"
    assert mime["In-Reply-To"] is None and mime["References"] is None


def test_outbox_and_eml_keep_what_was_sent(verified: Path) -> None:
    send(reply())

    [recorded] = list((verified / "outbox").glob("*-msg_mail_01-1.json"))
    entry = json.loads(recorded.read_text())
    assert entry["method"] == "SendRawEmail"
    assert entry["headers"] == {"Source": INBOX, "Destinations": CLIENT}
    assert f"In-Reply-To: <{PARENT}>" in entry["body"]
    [eml] = list((verified / "mail").glob("*-msg_mail_01.eml"))
    assert b"Subject: Re: Problema con mi pedido" in eml.read_bytes()


def test_an_unverified_inbox_is_refused_for_good(var: Path) -> None:
    with pytest.raises(SendError) as caught:
        send(reply())
    assert not caught.value.retryable
    assert "MessageRejected" in caught.value.reason


def test_a_file_missing_from_s3_is_refused_for_good(verified: Path) -> None:
    lost = OutboundAttachment(url="https://presigned.example/x.pdf",
                              content_type="application/pdf", filename="x.pdf", size=1,
                              key="t/tn_1/attachments/missing.pdf")  # fmt: skip
    with pytest.raises(SendError) as caught:
        send(reply(attachments=(lost,)))
    assert not caught.value.retryable
    assert ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region].sent_messages == []
