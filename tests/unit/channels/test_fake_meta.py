"""The fake Meta of ``make run`` (devstack/fake_meta.py) answers every Graph call Atiende
makes — the Login flow, the WhatsApp check and templates, the token expiry and every
sender — so ``make run`` may point ``GRAPH_API_BASE_URL`` and ``META_LOGIN_BASE_URL``
at it without breaking a reply."""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.channels import meta_graph
from chalicelib.channels.outbound import OutboundAttachment, OutboundRequest, send
from chalicelib.channels.outbound.meta_pages import graph
from chalicelib.settings import reset_settings
from devstack import fake_meta
from devstack.fake_providers import base_url_settings, serve


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("GRAPH_API_BASE_URL", url)
    reset_settings()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        monkeypatch.delenv("GRAPH_API_BASE_URL")
        reset_settings()


def test_make_run_points_graph_and_the_login_dialog_at_the_fake():
    assert {"GRAPH_API_BASE_URL", "META_LOGIN_BASE_URL"} <= set(base_url_settings())


def test_the_login_flow_and_the_whatsapp_reads(fake):
    root, live = graph()
    assert live
    dialog = meta_graph.dialog_url(
        fake, "v21.0", "app", "http://c/admin/channels/connect/facebook", "st"
    )
    page = urllib.request.urlopen(dialog).read().decode()
    assert "Continuar como Ana (fake Facebook)" in page
    link = page.split('class="go" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    back = parse_qs(urlsplit(link).query)
    assert back["state"] == ["st"] and back["code"][0].startswith("fake-code-")

    token = meta_graph.user_token(root, "app", "secret", back["code"][0], "http://c/x")
    pages = meta_graph.managed_pages(root, token)
    assert [p["name"] for p in pages] == ["Café Aurora", "Librería Sur"]
    assert pages[0]["instagram"] == {"id": "17841400000000001", "username": "cafe.aurora"}
    meta_graph.subscribe_page(root, pages[0]["id"], pages[0]["access_token"])
    number = meta_graph.phone_number(root, "106540352242922", "token")
    assert number["quality_rating"] == "GREEN"
    assert len(meta_graph.message_templates(root, "102290129340398", "token")) == 3
    with pytest.raises(meta_graph.GraphRefused):
        meta_graph.user_token(root, "app", "secret", "bad", "http://c/x")


@pytest.mark.parametrize(
    ("channel_type", "public", "reply_to", "credentials"),
    [
        ("whatsapp", False, None, {"access_token": "EAAG-token-1234567890"}),
        ("facebook", False, None, {"page_access_token": "EAAG-token-1234567890"}),
        ("facebook", True, "123_456", {"page_access_token": "EAAG-token-1234567890"}),
        ("instagram", True, "17890000000", {"page_access_token": "EAAG-token-1234567890"}),
    ],
)
def test_every_sender_gets_an_answer_like_graphs(fake, channel_type, public, reply_to, credentials):
    request = OutboundRequest(
        message_id="01m9test", channel_type=channel_type, account_id="106540352242922",
        identifiers={"phone_number_id": "106540352242922"}, credentials=credentials,
        recipient_id="56911111111", text="Hola", public=public, reply_to=reply_to,
        attachments=(OutboundAttachment(url="https://files.example/a.pdf",
                                        content_type="application/pdf", filename="a.pdf",
                                        size=10),) if not public else (),
    )  # fmt: skip
    result = send(request)
    assert result.provider_message_id and not result.provider_message_id.startswith("local-")
    if channel_type == "whatsapp":
        sent = [m for m in fake_meta.SENT if m["to"] == "56911111111"]
        assert sent[-1]["id"] == result.provider_message_id
