"""System email: what is sent, how it is queued and how it is delivered.

Every email goes through the ``mail`` queue, so a failing SES call is retried and,
in the end, dead-lettered rather than lost. Locally (stage ``local``/``test``) the
message is written to ``var/mail/<id>.eml`` instead of being sent.
"""

from __future__ import annotations

import logging
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from pydantic import BaseModel, Field

from chalicelib import aws, queues
from chalicelib.clock import now
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)


class OutgoingEmail(BaseModel):
    """One email to send; ``id`` makes a redelivered queue message harmless locally."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    to: list[str] = Field(min_length=1)
    subject: str
    text: str
    html: str | None = None
    kind: str = "general"
    tenant_id: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = {}


def to_mime(email: OutgoingEmail) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(email.to)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now())
    message["Message-ID"] = make_msgid(idstring=email.id, domain="atiende.local")
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    for name, value in email.headers.items():
        message[name] = value
    # 8bit keeps links readable in the .eml files (SES accepts 8BITMIME)
    message.set_content(email.text, cte="8bit")
    if email.html:
        message.add_alternative(email.html, subtype="html", cte="8bit")
    return message


def enqueue(email: OutgoingEmail) -> None:
    """Put the email on the mail queue; the mail worker sends it."""
    queues.send("mail", email.model_dump_json())


def deliver(email: OutgoingEmail) -> str:
    """Send now (SES) or keep as a file (local). Returns where it went."""
    mime = to_mime(email)
    mail_dir = get_settings().mail_dir
    if mail_dir is not None:
        mail_dir.mkdir(parents=True, exist_ok=True)
        path = Path(mail_dir) / f"{now().strftime('%Y%m%dT%H%M%S')}-{email.id}.eml"
        existing = list(Path(mail_dir).glob(f"*-{email.id}.eml"))
        if existing:
            return str(existing[0])
        path.write_bytes(mime.as_bytes())
        log.info("email kept locally", extra={"email_id": email.id, "kind": email.kind})
        return str(path)
    response = aws.client("ses").send_raw_email(RawMessage={"Data": mime.as_bytes()})
    log.info("email sent", extra={"email_id": email.id, "kind": email.kind})
    return str(response["MessageId"])
