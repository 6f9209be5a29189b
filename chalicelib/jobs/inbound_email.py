"""Inbound email: the SES notification inside an SNS message, attachments kept in S3."""

from __future__ import annotations

from chalicelib.channels.email import parse_ses_notification, s3_attachment_store
from chalicelib.channels.events import InboundEvent


def parse_email(body: str) -> list[InboundEvent]:
    return list(parse_ses_notification(body, s3_attachment_store()))
