"""The fake X of ``make run`` (devstack/fake_x.py) answers every call Atiende makes to
``TWITTER_API_BASE_URL``: the OAuth 1.0a flow its authorize page completes, the Account
Activity subscription, direct messages and replies (the outbound adapter), the search
poll; and it refuses a request whose OAuth signature is wrong, as X does."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from chalicelib.channels import twitter_oauth
from chalicelib.channels.outbound.dispatch import send
from chalicelib.channels.outbound.model import OutboundRequest, SendError
from chalicelib.channels.twitter_search import poll
from chalicelib.settings import reset_settings
from devstack import fake_providers, fake_x

CALLBACK = "http://127.0.0.1:8000/admin/channels/connect/twitter"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = fake_providers.serve(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("TWITTER_API_BASE_URL", url)
    reset_settings()
    fake_x.reset()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        monkeypatch.delenv("TWITTER_API_BASE_URL")
        reset_settings()


class _Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def browse(url: str) -> tuple[int, str, str]:
    """GET as a browser would, without following the redirect: status, Location, page."""
    try:
        with urllib.request.build_opener(_Stop).open(url, timeout=5) as answer:
            return answer.status, "", answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location", ""), answer.read().decode()


def authorize(fake: str, handle: str = "acme_ayuda") -> dict[str, str]:
    """Request token, the authorize page and its button: what X sends back."""
    granted = twitter_oauth.request_token(CALLBACK)
    status, _, page = browse(twitter_oauth.authorize_url(granted.token))
    assert status == 200 and "Autorizar app (fake X)" in page
    status, location, _ = browse(
        f"{fake}/oauth/authorize/approve?oauth_token={granted.token}&screen_name={handle}"
    )
    assert status == 302 and location.startswith(CALLBACK + "?")
    back = dict(parse_qsl(urlsplit(location).query))
    assert back["oauth_token"] == granted.token
    return {**back, "secret": granted.secret}


def reply(grant: twitter_oauth.AccessGrant, **changes: object) -> OutboundRequest:
    request = OutboundRequest(
        message_id="msg_fake_x",
        channel_type="twitter",
        account_id=grant.user_id,
        identifiers={"user_id": grant.user_id, "screen_name": grant.screen_name},
        credentials={"access_token": grant.token, "access_token_secret": grant.secret},
        recipient_id="2244994945",
        text="Hola, ¿nos das tu número de pedido?",
    )
    return OutboundRequest(**{**request.__dict__, **changes})


def test_the_whole_flow_and_every_call_the_adapters_make(fake):
    back = authorize(fake)
    grant = twitter_oauth.access_token(back["oauth_token"], back["secret"], back["oauth_verifier"])
    assert grant.screen_name == "acme_ayuda" and grant.user_id.isdigit()
    assert len(grant.token) >= 10 and len(grant.secret) >= 10  # what TwitterSecrets asks

    assert twitter_oauth.is_subscribed(grant.token, grant.secret) is False
    twitter_oauth.subscribe(grant.token, grant.secret)
    assert twitter_oauth.is_subscribed(grant.token, grant.secret) is True

    dm = send(reply(grant))
    assert dm.provider_message_id and dm.provider_message_id.isdigit()
    public = send(reply(grant, public=True, reply_to="1445880000000000000", text="@ana hola"))
    assert public.provider_message_id and public.provider_message_id.isdigit()

    events, _cursor = poll({"keywords": ["acme"]}, {"bearer_token": "AAAA-local-bearer"},
                           "chan", None, fake)  # fmt: skip
    assert events == []


def test_a_verifier_works_once_and_only_for_its_token(fake):
    back = authorize(fake)
    with pytest.raises(twitter_oauth.ProviderError) as wrong:
        twitter_oauth.access_token(back["oauth_token"], back["secret"], "not-the-verifier")
    assert wrong.value.status == 401
    twitter_oauth.access_token(back["oauth_token"], back["secret"], back["oauth_verifier"])
    with pytest.raises(twitter_oauth.ProviderError):
        twitter_oauth.access_token(back["oauth_token"], back["secret"], back["oauth_verifier"])


def test_a_wrong_signature_is_refused_as_x_does(fake):
    back = authorize(fake)
    with pytest.raises(twitter_oauth.ProviderError) as refused:  # signed with a wrong secret
        twitter_oauth.access_token(back["oauth_token"], "not-the-secret", back["oauth_verifier"])
    assert refused.value.status == 401 and "Could not authenticate you" in refused.value.body
    grant = twitter_oauth.access_token(back["oauth_token"], back["secret"], back["oauth_verifier"])
    with pytest.raises(SendError) as failed:
        send(reply(grant, credentials={"access_token": grant.token,
                                       "access_token_secret": "wrong-secret-123"}))  # fmt: skip
    assert "401" in str(failed.value) or "authenticate" in str(failed.value)


def test_cancelling_at_x_sends_denied_back(fake):
    granted = twitter_oauth.request_token(CALLBACK)
    status, location, _ = browse(
        f"{fake}/oauth/authorize/approve?oauth_token={granted.token}&deny=1"
    )
    assert status == 302 and dict(parse_qsl(urlsplit(location).query)) == {"denied": granted.token}


def test_make_run_points_x_here():
    assert fake_x.SETTINGS == ("TWITTER_API_BASE_URL",)
    assert "TWITTER_API_BASE_URL" in fake_providers.base_url_settings()


def test_an_unsigned_post_is_refused_in_x_error_shape(fake):
    request = urllib.request.Request(f"{fake}/2/tweets", data=json.dumps({"text": "x"}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})  # fmt: skip
    status, _, body = _open(request)
    assert status == 401 and json.loads(body)["errors"][0]["code"] == 32


def _open(request: urllib.request.Request) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, "", answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, "", answer.read().decode()
