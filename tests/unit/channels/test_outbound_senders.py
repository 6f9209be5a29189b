"""Outbound senders against a real local HTTP server standing in for every provider.

The provider base URL settings point at the fake (as the local stack can), so each test
checks what really goes on the wire: method, path, query, Authorization scheme and the
exact JSON body, plus how answers and refusals come back (``SendResult`` /
``SendError``) and what the local outbox keeps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chalicelib.channels.outbound import (
    HttpRequest,
    HttpResponse,
    OutboundAttachment,
    OutboundRequest,
    SendError,
    send,
)
from chalicelib.settings import reset_settings
from tests.support.fakes import FakeProvider, Seen, serving
from tests.support.payloads import payload

BASE_URL_SETTINGS = (
    "GRAPH_API_BASE_URL",
    "TWITTER_API_BASE_URL",
    "APP_STORE_API_BASE_URL",
    "PLAY_API_BASE_URL",
)
WA_TOKEN = "EAAGm0PX4ZCpsBAwa-planted-whatsapp-token"
PAGE_TOKEN = "EAAJpLanted-page-token-0b7f3c"
X_TOKEN = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
X_TOKEN_SECRET = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
X_CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog"
X_CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
PLAY_ACCESS = "ya29.a0AfB_byC-planted-play-token"
PHONE_ID = "106540352242922"
WAMID = "wamid.HBgLNTY5ODc2NTQzMjEVAgASGBQzQTdGNUJEQzE2NkI0RkE3QjY5MAA="
REVIEW = "00000028-b08c-0014-7c1e-000000000004"
PLAY_REVIEW = "gp:AOqpTOH4x9Zk2bQf7LmN0pRs4TuVwXyZ_4"
PHOTO = OutboundAttachment(
    url="https://files.example/presigned/photo.jpg?X-Amz-Signature=abc",
    content_type="image/jpeg",
    filename="foto.jpg",
    size=1234,
    key="t/tenant/attachments/photo.jpg",
)
INVOICE = OutboundAttachment(
    url="https://files.example/presigned/factura.pdf?X-Amz-Signature=def",
    content_type="application/pdf",
    filename="factura.pdf",
    size=5678,
)
VOICE = OutboundAttachment(
    url="https://files.example/presigned/nota.ogg", content_type="audio/ogg",
    filename="nota.ogg", size=99,
)  # fmt: skip


# --- the fake provider ------------------------------------------------------------------------
@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeProvider]:
    """The fake, configured as every provider's base URL; the outbox in ``tmp_path``."""
    with serving(FakeProvider()) as fake:
        for name in BASE_URL_SETTINGS:
            monkeypatch.setenv(name, fake.url)
        monkeypatch.setenv("TWITTER_CONSUMER_SECRET", X_CONSUMER_SECRET)
        monkeypatch.setenv("ATIENDE_VAR", str(tmp_path))
        reset_settings()
        try:
            yield fake
        finally:
            reset_settings()  # the next get_settings() reads the environment monkeypatch restores


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No provider base URL configured (``make run`` on a laptop): the outbox folder."""
    for name in BASE_URL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATIENDE_VAR", str(tmp_path))
    reset_settings()
    yield tmp_path / "outbox"
    reset_settings()


# --- channels ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: Any) -> str:
    return str(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    )


def whatsapp(**changes: Any) -> OutboundRequest:
    base = OutboundRequest(
        message_id="msg_wa_01",
        channel_type="whatsapp",
        account_id=PHONE_ID,
        identifiers={
            "phone_number_id": PHONE_ID,
            "business_account_id": "102290129340398",
            "display_phone_number": "+56 9 1234 5678",
        },
        credentials={"access_token": WA_TOKEN},
        recipient_id="56987654321",
        text="Hola Ana, tu pedido sale hoy.",
    )
    return replace(base, **changes)


def facebook(**changes: Any) -> OutboundRequest:
    base = OutboundRequest(
        message_id="msg_fb_01",
        channel_type="facebook",
        account_id="1029384756",
        identifiers={"page_id": "1029384756", "page_name": "Acme"},
        credentials={"page_access_token": PAGE_TOKEN},
        recipient_id="6543210987654321",
        text="¡Gracias por escribirnos!",
    )
    return replace(base, **changes)


def instagram(**changes: Any) -> OutboundRequest:
    base = OutboundRequest(
        message_id="msg_ig_01",
        channel_type="instagram",
        account_id="17841400000000001",
        identifiers={"instagram_account_id": "17841400000000001", "page_id": "1029384756"},
        credentials={"page_access_token": PAGE_TOKEN},
        recipient_id="1254477355491776",
        text="Te escribimos por DM 🙂",
    )
    return replace(base, **changes)


def twitter(**changes: Any) -> OutboundRequest:
    base = OutboundRequest(
        message_id="msg_x_01",
        channel_type="twitter",
        account_id="1470000000000000001",
        identifiers={"user_id": "1470000000000000001", "screen_name": "AcmeAyuda"},
        credentials={
            "access_token": X_TOKEN,
            "access_token_secret": X_TOKEN_SECRET,
            "consumer_key": X_CONSUMER_KEY,
        },
        recipient_id="2244994945",
        text="Hola, ¿nos das tu número de pedido?",
    )
    return replace(base, **changes)


def app_store(key: Any, **changes: Any) -> OutboundRequest:
    base = OutboundRequest(
        message_id="msg_as_01",
        channel_type="app_store",
        account_id="1234567890",
        identifiers={"app_id": "1234567890"},
        credentials={
            "issuer_id": "57246542-96fe-1a63-e053-0824d011072a",
            "key_id": "2X9R4HXF34",
            "private_key": pem(key),
        },
        recipient_id=f"review:{REVIEW}",
        text="Gracias por tu reseña, ya lo corregimos en la 2.3.",
        public=True,
    )
    return replace(base, **changes)


def play_store(key: Any, **changes: Any) -> OutboundRequest:
    account = {"type": "service_account", "project_id": "acme-tienda",
               "private_key_id": "8f2b1c", "private_key": pem(key),
               "client_email": "atiende@acme-tienda.iam.gserviceaccount.com"}  # fmt: skip
    base = OutboundRequest(
        message_id="msg_gp_01",
        channel_type="play_store",
        account_id="com.acme.tienda",
        identifiers={"package_name": "com.acme.tienda"},
        credentials={"service_account_json": json.dumps(account)},
        recipient_id=f"review:{PLAY_REVIEW}",
        text="¡Gracias! Escríbenos a soporte@acme.cl.",
        public=True,
        reply_to=PLAY_REVIEW,
    )
    return replace(base, **changes)


def outbox_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


# --- WhatsApp ------------------------------------------------------------------------------------
WA_PATH = f"/v21.0/{PHONE_ID}/messages"


def wa_sent(wamid: str) -> dict[str, Any]:
    """The Graph API's answer to a send (to 56987654321)."""
    return dict(payload("graph/message_sent.json", {"messages.0.id": wamid}))


def test_whatsapp_text_reply_in_context(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 200, wa_sent("wamid.OUT1"))

    result = send(whatsapp(reply_to=WAMID))

    assert result.provider_message_id == "wamid.OUT1"
    assert result.status == "sent"
    [seen] = provider.requests
    assert (seen.method, seen.path, seen.query) == ("POST", WA_PATH, {})
    assert seen.headers["authorization"] == f"Bearer {WA_TOKEN}"
    assert seen.headers["content-type"] == "application/json"
    assert seen.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "56987654321",
        "type": "text",
        "text": {"body": "Hola Ana, tu pedido sale hoy.", "preview_url": False},
        "context": {"message_id": WAMID},
    }


def test_whatsapp_files_by_link_the_text_as_first_caption(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 200, wa_sent("wamid.OUT1"))
    provider.queue(WA_PATH, 200, wa_sent("wamid.OUT2"))

    result = send(whatsapp(attachments=(PHOTO, INVOICE)))

    assert result.provider_message_id == "wamid.OUT1"
    assert result.extra == {"provider_message_ids": "wamid.OUT1 wamid.OUT2"}
    image, document = (seen.json for seen in provider.requests)
    assert image["type"] == "image"
    assert image["image"] == {"link": PHOTO.url, "caption": "Hola Ana, tu pedido sale hoy."}
    assert document["type"] == "document"
    assert document["document"] == {"link": INVOICE.url, "filename": "factura.pdf"}
    assert "context" not in image


def test_whatsapp_text_goes_first_when_the_file_takes_no_caption(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 200, wa_sent("wamid.OUT1"))
    provider.queue(WA_PATH, 200, wa_sent("wamid.OUT2"))

    send(whatsapp(attachments=(VOICE,), reply_to=WAMID))

    text, audio = (seen.json for seen in provider.requests)
    assert text["type"] == "text" and text["context"] == {"message_id": WAMID}
    assert audio == {"messaging_product": "whatsapp", "recipient_type": "individual",
                     "to": "56987654321", "type": "audio", "audio": {"link": VOICE.url}}  # fmt: skip


def test_whatsapp_template_with_body_parameters(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 200, wa_sent("wamid.TPL"))
    template = {"name": "pedido_en_camino", "language": "es_CL", "parameters": ["Ana", "A-1042"]}

    result = send(whatsapp(template=template, text="Hola Ana, tu pedido A-1042 va en camino"))

    assert result.provider_message_id == "wamid.TPL"
    [seen] = provider.requests
    assert seen.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "56987654321",
        "type": "template",
        "template": {
            "name": "pedido_en_camino",
            "language": {"code": "es_CL"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ana"},
                        {"type": "text", "text": "A-1042"},
                    ],
                }
            ],
        },
    }


# --- Messenger, Instagram, comments ------------------------------------------------------------
SEND_API = "/v21.0/me/messages"


def test_messenger_text_then_attachment(provider: FakeProvider) -> None:
    provider.queue(SEND_API, 200, payload("graph/send_api_sent.json"))  # m_1
    provider.queue(SEND_API, 200, payload("graph/send_api_sent.json", {"message_id": "m_2"}))

    result = send(facebook(attachments=(PHOTO,)))

    assert result.provider_message_id == "m_1"
    text, photo = provider.requests
    for seen in (text, photo):
        assert (seen.method, seen.path) == ("POST", SEND_API)
        assert seen.query == {"access_token": PAGE_TOKEN}
        assert "authorization" not in seen.headers
    assert text.json == {"recipient": {"id": "6543210987654321"}, "messaging_type": "RESPONSE",
                         "message": {"text": "¡Gracias por escribirnos!"}}  # fmt: skip
    assert photo.json["message"] == {
        "attachment": {"type": "image", "payload": {"url": PHOTO.url, "is_reusable": False}}
    }


def test_instagram_direct_message_uses_the_send_api(provider: FakeProvider) -> None:
    for message_id in ("aWdf", "aWdg"):
        provider.queue(SEND_API, 200, payload("graph/send_api_sent.json", {
            "recipient_id": "1254477355491776", "message_id": message_id}))  # fmt: skip

    result = send(instagram(attachments=(INVOICE,)))

    assert result.provider_message_id == "aWdf"
    text, document = provider.requests
    assert text.json == {"recipient": {"id": "1254477355491776"}, "messaging_type": "RESPONSE",
                         "message": {"text": "Te escribimos por DM 🙂"}}  # fmt: skip
    assert document.json["message"]["attachment"]["type"] == "file"


def test_facebook_comment_reply(provider: FakeProvider) -> None:
    path = "/v21.0/1029384756_998877/comments"
    provider.queue(path, 200, {"id": "1029384756_998877_111"})

    result = send(facebook(public=True, reply_to="1029384756_998877", text="¡Te escribimos!"))

    assert result.provider_message_id == "1029384756_998877_111"
    [seen] = provider.requests
    assert (seen.method, seen.path, seen.query) == ("POST", path, {"access_token": PAGE_TOKEN})
    assert seen.json == {"message": "¡Te escribimos!"}


def test_instagram_comment_reply(provider: FakeProvider) -> None:
    path = "/v21.0/17870913679156914/replies"
    provider.queue(path, 200, {"id": "17873440459141021"})

    result = send(instagram(public=True, reply_to="17870913679156914", text="Gracias 💜"))

    assert result.provider_message_id == "17873440459141021"
    [seen] = provider.requests
    assert (seen.path, seen.query, seen.json) == (
        path, {"access_token": PAGE_TOKEN}, {"message": "Gracias 💜"})  # fmt: skip


def test_a_public_reply_needs_the_comment(provider: FakeProvider) -> None:
    with pytest.raises(SendError) as caught:
        send(facebook(public=True))
    assert not caught.value.retryable
    assert provider.requests == []


# --- X -----------------------------------------------------------------------------------------------
def oauth_fields(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def assert_signed(seen: Seen, url: str) -> None:
    """Recompute the HMAC-SHA1 signature the way X does (RFC 5849 §3.4)."""
    fields = oauth_fields(seen.headers["authorization"])
    assert fields["oauth_consumer_key"] == X_CONSUMER_KEY
    assert fields["oauth_token"] == X_TOKEN
    assert fields["oauth_signature_method"] == "HMAC-SHA1"
    assert fields["oauth_version"] == "1.0"
    params = {k: v for k, v in fields.items() if k != "oauth_signature"}

    def enc(value: str) -> str:
        return quote(value, safe="~")

    normalized = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    base = f"{seen.method}&{enc(url)}&{enc(normalized)}"
    key = f"{enc(X_CONSUMER_SECRET)}&{enc(X_TOKEN_SECRET)}".encode()
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    assert fields["oauth_signature"] == expected


def test_x_direct_message(provider: FakeProvider) -> None:
    path = "/2/dm_conversations/with/2244994945/messages"
    provider.queue(path, 201, payload("x_api/dm_sent.json"))

    result = send(twitter())

    assert result.provider_message_id == "1582838736424411137"
    [seen] = provider.requests
    assert (seen.method, seen.path, seen.query) == ("POST", path, {})
    assert seen.json == {"text": "Hola, ¿nos das tu número de pedido?"}
    assert_signed(seen, provider.url + path)


def test_x_public_reply(provider: FakeProvider) -> None:
    provider.queue("/2/tweets", 201, payload("x_api/tweet_created.json"))

    result = send(twitter(public=True, reply_to="1445880000000000000", text="@ana te escribimos"))

    assert result.provider_message_id == "1445880548472328192"
    [seen] = provider.requests
    assert seen.json == {"text": "@ana te escribimos",
                         "reply": {"in_reply_to_tweet_id": "1445880000000000000"}}  # fmt: skip
    assert_signed(seen, provider.url + "/2/tweets")


def test_x_search_channel_cannot_answer(provider: FakeProvider) -> None:
    search = twitter(channel_type="twitter_search", credentials={"bearer_token": "AAAA-bearer"},
                     public=True, reply_to="1445880000000000000")  # fmt: skip

    with pytest.raises(SendError) as caught:
        send(search)

    assert not caught.value.retryable
    assert "user access token" in caught.value.reason
    assert provider.requests == []


def test_x_forbidden_dm_is_not_a_credentials_problem(provider: FakeProvider) -> None:
    path = "/2/dm_conversations/with/2244994945/messages"
    provider.queue(path, 403, payload("x_api/error_dm_not_permitted.json"))
    provider.queue(path, 403, payload("x_api/error_client_forbidden.json"))

    with pytest.raises(SendError) as refused:
        send(twitter())
    with pytest.raises(SendError) as unenrolled:
        send(twitter())

    assert "not permitted to send a DM" in refused.value.reason
    assert not refused.value.retryable and not refused.value.credentials_rejected
    assert unenrolled.value.credentials_rejected


# --- the stores --------------------------------------------------------------------------------------
def test_app_store_review_response(provider: FakeProvider, ec_key: Any) -> None:
    provider.queue(
        "/v1/customerReviewResponses", 201, payload("app_store/review_response_created.json")
    )

    result = send(app_store(ec_key))

    assert result.provider_message_id == "6f1d0e2a-resp"
    [seen] = provider.requests
    assert (seen.method, seen.path, seen.query) == ("POST", "/v1/customerReviewResponses", {})
    assert seen.json == {"data": {
        "type": "customerReviewResponses",
        "attributes": {"responseBody": "Gracias por tu reseña, ya lo corregimos en la 2.3."},
        "relationships": {"review": {"data": {"type": "customerReviews", "id": REVIEW}}}}}  # fmt: skip
    scheme, token = seen.headers["authorization"].split(" ", 1)
    assert scheme == "Bearer"
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "2X9R4HXF34", "typ": "JWT"}
    claims = jwt.decode(token, ec_key.public_key(), algorithms=["ES256"],
                        audience="appstoreconnect-v1")  # fmt: skip
    assert claims["iss"] == "57246542-96fe-1a63-e053-0824d011072a"
    assert claims["exp"] - claims["iat"] <= 20 * 60


def test_play_store_review_reply(provider: FakeProvider, rsa_key: Any) -> None:
    path = f"/androidpublisher/v3/applications/com.acme.tienda/reviews/{PLAY_REVIEW}:reply"
    provider.queue("/token", 200, payload("google/token.json", {"access_token": PLAY_ACCESS}))
    provider.queue(path, 200, payload("google_play/reply.json"))

    result = send(play_store(rsa_key))

    assert result.provider_message_id == f"reply:{PLAY_REVIEW}"
    grant, reply = provider.requests
    assert grant.form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert (reply.method, reply.path, reply.query) == ("POST", path, {})
    assert reply.headers["authorization"] == f"Bearer {PLAY_ACCESS}"
    assert reply.json == {"replyText": "¡Gracias! Escríbenos a soporte@acme.cl."}


def test_a_review_is_never_answered_in_private(provider: FakeProvider, ec_key: Any) -> None:
    with pytest.raises(SendError) as caught:
        send(app_store(ec_key, public=False))
    assert not caught.value.retryable
    assert provider.requests == []


def test_chat_is_sent_once_stored(provider: FakeProvider) -> None:
    chat = OutboundRequest(message_id="msg_chat_01", channel_type="chat", account_id="pk_abc",
                           identifiers={"site_name": "Acme"}, credentials={},
                           recipient_id="vs_01", text="¡Hola!")  # fmt: skip

    assert send(chat).provider_message_id == "msg_chat_01"
    assert provider.requests == []


# --- refusals and failures ---------------------------------------------------------------------------
def test_rate_limit_is_retryable_after_the_providers_delay(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 429, payload("graph/error_rate_limit_hit.json"),
                   {"Retry-After": "30"})  # fmt: skip

    with pytest.raises(SendError) as caught:
        send(whatsapp())

    error = caught.value
    assert (error.retryable, error.status, error.retry_after) == (True, 429, 30.0)
    assert "Rate limit hit" in error.reason


def test_retry_after_as_an_http_date_and_xs_reset(
    provider: FakeProvider, frozen_clock: Any
) -> None:
    provider.queue(WA_PATH, 503, b"upstream down", {"Retry-After": "Mon, 02 Mar 2026 12:01:30 GMT"})
    reset = int((frozen_clock.now() + timedelta(seconds=120)).timestamp())
    provider.queue("/2/tweets", 429, payload("x_api/error_too_many_requests.json"),
                   {"x-rate-limit-reset": str(reset)})  # fmt: skip

    with pytest.raises(SendError) as meta:
        send(whatsapp())
    with pytest.raises(SendError) as x:
        send(twitter(public=True, reply_to="1445880000000000000"))

    assert (meta.value.retryable, meta.value.retry_after) == (True, 90.0)
    assert "upstream down" in meta.value.reason
    assert (x.value.retryable, x.value.retry_after) == (True, 120.0)


def test_server_error_without_delay(provider: FakeProvider) -> None:
    provider.queue(SEND_API, 500, payload("graph/error_unknown_transient.json"))

    with pytest.raises(SendError) as caught:
        send(facebook())

    assert (caught.value.retryable, caught.value.retry_after) == (True, None)


def test_meta_refusals_keep_the_providers_message(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 400, payload("graph/error_reengagement.json"))
    provider.queue(WA_PATH, 401, payload("graph/error_token_expired.json"))
    provider.queue(WA_PATH, 400, payload("graph/error_app_request_limit.json"))

    with pytest.raises(SendError) as window:
        send(whatsapp())
    with pytest.raises(SendError) as expired:
        send(whatsapp())
    with pytest.raises(SendError) as throttled:
        send(whatsapp())

    assert not window.value.retryable and window.value.status == 400
    assert "Re-engagement message" in window.value.reason
    assert "more than 24 hours" in window.value.reason
    assert not window.value.credentials_rejected
    assert not expired.value.retryable and expired.value.credentials_rejected
    assert "Session has expired" in expired.value.reason
    assert throttled.value.retryable


def test_outside_the_messenger_window_is_not_a_credentials_problem(provider: FakeProvider) -> None:
    provider.queue(SEND_API, 400, payload("graph/error_outside_window.json"))

    with pytest.raises(SendError) as caught:
        send(facebook())

    assert not caught.value.retryable and not caught.value.credentials_rejected
    assert "outside of allowed window" in caught.value.reason


def test_store_refusals_keep_the_providers_message(
    provider: FakeProvider, ec_key: Any, rsa_key: Any
) -> None:
    provider.queue(
        "/v1/customerReviewResponses", 409, payload("app_store/error_response_too_long.json")
    )
    provider.queue("/token", 200, {"access_token": PLAY_ACCESS})
    provider.queue(
        f"/androidpublisher/v3/applications/com.acme.tienda/reviews/{PLAY_REVIEW}:reply",
        400,
        payload("google_play/error_reply_too_long.json"),
    )

    with pytest.raises(SendError) as apple:
        send(app_store(ec_key))
    with pytest.raises(SendError) as google:
        send(play_store(rsa_key))

    assert not apple.value.retryable and apple.value.status == 409
    assert "exceeds the maximum length" in apple.value.reason
    assert not google.value.retryable and "Reply text is too long." in google.value.reason


def test_refused_service_account_is_a_credentials_problem(
    provider: FakeProvider, rsa_key: Any
) -> None:
    provider.queue("/token", 400, payload("google/token_invalid_grant.json"))

    with pytest.raises(SendError) as caught:
        send(play_store(rsa_key))

    assert caught.value.credentials_rejected and not caught.value.retryable
    assert [seen.path for seen in provider.requests] == ["/token"]


def test_network_failure_is_retryable(provider: FakeProvider, monkeypatch: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("GRAPH_API_BASE_URL", f"http://127.0.0.1:{closed}")
    reset_settings()

    with pytest.raises(SendError) as caught:
        send(facebook())

    assert (caught.value.retryable, caught.value.status) == (True, 0)
    assert PAGE_TOKEN not in caught.value.reason


def test_redirects_are_not_followed(provider: FakeProvider) -> None:
    provider.queue(WA_PATH, 302, b"", {"Location": f"{provider.url}/elsewhere"})

    with pytest.raises(SendError) as caught:
        send(whatsapp())

    assert caught.value.status == 302 and not caught.value.retryable
    assert [seen.path for seen in provider.requests] == [WA_PATH]


def test_an_echoed_token_never_reaches_the_error(provider: FakeProvider) -> None:
    provider.queue(SEND_API, 400, {"error": {
        "message": f"Invalid OAuth access token - Cannot parse access token {PAGE_TOKEN}",
        "code": 190}})  # fmt: skip

    with pytest.raises(SendError) as caught:
        send(facebook())

    assert PAGE_TOKEN not in str(caught.value) and PAGE_TOKEN not in repr(caught.value)
    assert "***" in caught.value.reason
    assert caught.value.credentials_rejected


def test_attachments_only_go_in_private(provider: FakeProvider) -> None:
    with pytest.raises(SendError):
        send(facebook(public=True, reply_to="1029384756_998877", attachments=(PHOTO,)))
    with pytest.raises(SendError):
        send(whatsapp(text="   "))
    assert provider.requests == []


# --- the outbox ---------------------------------------------------------------------------------------
def test_every_request_is_recorded_with_its_secrets_redacted(
    provider: FakeProvider, tmp_path: Path, ec_key: Any, rsa_key: Any
) -> None:
    provider.queue(SEND_API, 200, {"message_id": "m_1"})
    provider.queue(SEND_API, 200, {"message_id": "m_2"})
    provider.queue(WA_PATH, 200, wa_sent("wamid.OUT1"))
    provider.queue("/2/dm_conversations/with/2244994945/messages", 201, {"data": {
        "dm_event_id": "1"}})  # fmt: skip
    provider.queue("/v1/customerReviewResponses", 201, {"data": {"id": "r1"}})
    provider.queue("/token", 200, {"access_token": PLAY_ACCESS})
    provider.queue(f"/androidpublisher/v3/applications/com.acme.tienda/reviews/{PLAY_REVIEW}:reply",
                   200, {"result": {}})  # fmt: skip

    send(facebook(attachments=(PHOTO,)))
    send(whatsapp())
    send(twitter())
    send(app_store(ec_key))
    send(play_store(rsa_key))

    files = outbox_files(tmp_path / "outbox")
    names = [re.sub(r"^\d{8}T\d{6}\.\d{6}Z-", "", path.name) for path in files]
    assert sorted(names) == sorted(["msg_fb_01-1.json", "msg_fb_01-2.json", "msg_wa_01-1.json",
                                    "msg_x_01-1.json", "msg_as_01-1.json", "msg_gp_01-1.json"])  # fmt: skip
    everything = "\n".join(path.read_text() for path in files)
    for secret in (PAGE_TOKEN, WA_TOKEN, X_TOKEN, X_TOKEN_SECRET, X_CONSUMER_SECRET, PLAY_ACCESS):
        assert secret not in everything
    first_fb = json.loads(next(p for p in files if p.name.endswith("msg_fb_01-1.json")).read_text())
    assert first_fb["method"] == "POST"
    assert first_fb["url"] == f"{provider.url}/v21.0/me/messages?access_token=***"
    assert first_fb["body"] == {"recipient": {"id": "6543210987654321"},
                                "messaging_type": "RESPONSE",
                                "message": {"text": "¡Gracias por escribirnos!"}}  # fmt: skip
    assert first_fb["sent"] is True
    wa = json.loads(next(p for p in files if "msg_wa_01" in p.name).read_text())
    assert wa["headers"]["Authorization"] == "***"
    assert wa["body"]["text"]["body"] == "Hola Ana, tu pedido sale hoy."
    apple = json.loads(next(p for p in files if "msg_as_01" in p.name).read_text())
    assert apple["headers"]["Authorization"] == "***"
    assert "eyJ" not in json.dumps(apple)  # no JWT at all


def test_offline_nothing_is_sent_and_success_is_synthetic(
    offline: Path, ec_key: Any, rsa_key: Any
) -> None:
    results = [
        send(whatsapp()),
        send(facebook(attachments=(PHOTO,))),
        send(twitter(credentials={"access_token": X_TOKEN, "access_token_secret": X_TOKEN_SECRET})),
        send(app_store(ec_key)),
        send(play_store(rsa_key)),  # no token request either: nothing would carry it
    ]

    assert [r.provider_message_id for r in results] == [
        "local-msg_wa_01", "local-msg_fb_01", "local-msg_x_01", "local-msg_as_01",
        "local-msg_gp_01"]  # fmt: skip
    assert results[1].extra == {"provider_message_ids": "local-msg_fb_01 local-msg_fb_01-2"}
    recorded = [json.loads(path.read_text()) for path in outbox_files(offline)]
    assert len(recorded) == 6
    assert all(entry["sent"] is False for entry in recorded)
    wa = next(entry for entry in recorded if entry["message_id"] == "msg_wa_01")
    assert wa["url"] == f"https://graph.facebook.com/v21.0/{PHONE_ID}/messages"
    x = next(entry for entry in recorded if entry["message_id"] == "msg_x_01")
    assert x["url"] == "https://api.x.com/2/dm_conversations/with/2244994945/messages"


def test_an_injected_transport_carries_every_request(offline: Path) -> None:
    carried: list[HttpRequest] = []

    def transport(request: HttpRequest) -> HttpResponse:
        carried.append(request)
        return HttpResponse(200, {"messages": [{"id": "wamid.FAKE"}]})

    result = send(whatsapp(), transport=transport)

    assert result.provider_message_id == "wamid.FAKE"
    [request] = carried
    assert request.live is False  # GRAPH_API_BASE_URL unset: the default transport would not send
    assert request.headers["Authorization"] == f"Bearer {WA_TOKEN}"
    assert json.loads(request.body)["to"] == "56987654321"


def test_deployed_stages_always_send_to_the_real_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in BASE_URL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATIENDE_STAGE", "prod")
    reset_settings()
    carried: list[HttpRequest] = []

    def transport(request: HttpRequest) -> HttpResponse:
        carried.append(request)
        return HttpResponse(200, {"recipient_id": "6543210987654321", "message_id": "m_1"})

    try:
        result = send(facebook(), transport=transport)
    finally:
        reset_settings()

    assert result.provider_message_id == "m_1"
    [request] = carried
    assert request.live is True
    assert request.url == f"https://graph.facebook.com/v21.0/me/messages?access_token={PAGE_TOKEN}"
