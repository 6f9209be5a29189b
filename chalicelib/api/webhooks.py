"""Provider webhooks: verified at once, queued with their raw body, answered 200.

A bad or missing signature is a 401 and nothing is queued. Parsing happens in the
inbound consumer, so a provider never waits on our database.
"""

from __future__ import annotations

import uuid
from typing import Any

from chalice import Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib import aws
from chalicelib.channels import email, meta, twitter
from chalicelib.channels.events import WebhookEnvelope
from chalicelib.clock import now
from chalicelib.http.errors import BadRequest, Forbidden, ServiceUnavailable, Unauthorized
from chalicelib.http.routing import Call, Resource, parse_json_body
from chalicelib.settings import get_settings

resource = Resource(__name__, "webhooks")

#: SQS takes 256 KiB; larger bodies wait in S3 and the queue carries their key.
SQS_BODY_LIMIT = 200 * 1024
ANY_CONTENT = ("application/json", "text/plain", "application/x-www-form-urlencoded")


class MetaChallenge(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    mode: str = Field("", alias="hub.mode")
    verify_token: str = Field("", alias="hub.verify_token")
    challenge: str = Field("", alias="hub.challenge", max_length=200)


class CrcChallenge(BaseModel):
    model_config = ConfigDict(extra="ignore")

    crc_token: str = Field(min_length=1, max_length=200)


class Received(BaseModel):
    received: bool = True


def enqueue(provider: str, call: Call) -> None:
    """Put the raw body on the inbound queue (or in S3 when too large for SQS)."""
    raw = call.raw_body.decode("utf-8", errors="replace")
    envelope = WebhookEnvelope(provider=provider, received_at=now(), body=raw)
    message = envelope.model_dump_json()
    # the limit applies to what SQS receives: the envelope, whose JSON escapes the body
    # (quotes, backslashes, non-ASCII as is) — not to the raw body alone
    if len(message.encode()) > SQS_BODY_LIMIT:
        key = f"inbound/raw/{provider}/{uuid.uuid4().hex}"
        aws.client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=call.raw_body)
        message = envelope.model_copy(update={"body": "", "body_s3_key": key}).model_dump_json()
    aws.client("sqs").send_message(QueueUrl=aws.queue_url("inbound"), MessageBody=message)


def require_json_object(call: Call) -> None:
    """A signed body that is no JSON object (or nests too deep to read) is refused at once,
    with the reason: no consumer could ever read it, so it is never queued."""
    if not isinstance(parse_json_body(call.raw_body), dict):
        raise BadRequest("The body is not a JSON object.", code="invalid_json")


def _secret(value: Any, name: str) -> str:
    if value is None:
        raise ServiceUnavailable(f"{name} is not configured, so these webhooks cannot be verified.")
    return str(value.get_secret_value())


@resource.route(
    "/webhooks/meta",
    summary="Meta's verification handshake (hub.challenge).",
    query=MetaChallenge,
    public=True,
    produces="text/plain",
    errors=(403, 503),
)
def meta_handshake(call: Call) -> Response:
    token = _secret(get_settings().meta_verify_token, "META_VERIFY_TOKEN")
    params = {"hub.mode": call.query.mode, "hub.verify_token": call.query.verify_token,
              "hub.challenge": call.query.challenge}  # fmt: skip
    challenge = meta.verification_challenge(params, token)
    if challenge is None:
        raise Forbidden("The verify token does not match.", code="bad_verify_token")
    return Response(body=challenge, status_code=200, headers={"Content-Type": "text/plain"})


@resource.route(
    "/webhooks/meta",
    "POST",
    summary="WhatsApp, Messenger and Instagram events (X-Hub-Signature-256).",
    response=Received,
    public=True,
    content_types=ANY_CONTENT,
    errors=(401, 503),
)
def meta_events(call: Call) -> Received:
    secret = _secret(get_settings().meta_app_secret, "META_APP_SECRET")
    if not meta.verify_signature(call.raw_body, call.headers.get("x-hub-signature-256"), secret):
        raise Unauthorized(
            "The X-Hub-Signature-256 signature is missing or wrong.", code="bad_signature"
        )
    require_json_object(call)
    enqueue("meta", call)
    return Received()


@resource.route(
    "/webhooks/twitter",
    summary="X Account Activity CRC check (response_token).",
    query=CrcChallenge,
    response=dict,
    public=True,
    errors=(503,),
)
def twitter_crc(call: Call) -> dict[str, str]:
    secret = _secret(get_settings().twitter_consumer_secret, "TWITTER_CONSUMER_SECRET")
    return twitter.crc_response(call.query.crc_token, secret)


@resource.route(
    "/webhooks/twitter",
    "POST",
    summary="X direct messages and mentions (x-twitter-webhooks-signature).",
    response=Received,
    public=True,
    content_types=ANY_CONTENT,
    errors=(401, 503),
)
def twitter_events(call: Call) -> Received:
    secret = _secret(get_settings().twitter_consumer_secret, "TWITTER_CONSUMER_SECRET")
    header = call.headers.get("x-twitter-webhooks-signature")
    if not twitter.verify_signature(call.raw_body, header, secret):
        raise Unauthorized(
            "The x-twitter-webhooks-signature is missing or wrong.", code="bad_signature"
        )
    require_json_object(call)
    enqueue("twitter", call)
    return Received()


@resource.route(
    "/webhooks/email",
    "POST",
    summary="Inbound email: SES receipt notifications delivered by SNS (signed).",
    response=Received,
    public=True,
    content_types=ANY_CONTENT,
    errors=(401, 503),
)
def email_events(call: Call) -> Received:
    import logging
    import urllib.request

    message = parse_json_body(call.raw_body)
    if not isinstance(message, dict) or not email.sns_message_is_trusted(message):
        raise Unauthorized("The SNS signature is missing or wrong.", code="bad_signature")
    kind = message.get("Type")
    if kind == "SubscriptionConfirmation":
        url = email.subscription_confirm_url(message)
        if url is None:
            raise BadRequest("The SubscribeURL is not an SNS address.", code="bad_subscribe_url")
        try:
            with urllib.request.urlopen(url, timeout=5):  # an https SNS URL, checked above
                pass
        except OSError:
            logging.getLogger(__name__).warning(
                "SNS subscription not confirmed yet; SNS will retry"
            )
            raise ServiceUnavailable(
                "Could not confirm the SNS subscription; SNS will retry."
            ) from None
    elif kind == "Notification":
        enqueue("ses", call)
    return Received()
