"""A tenant with a WhatsApp channel, people, and clients writing in through the real
signed webhook and the inbound worker (tests of the help desk build on it)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import app
from chalicelib.clock import now
from chalicelib.settings import get_settings
from devstack.worker import deliver_once, sqs_consumers
from tests.support.table_stream import run_effects
from tests.support.world import World

__all__ = ["Desk", "World", "run_effects", "run_worker", "signed", "whatsapp_text"]
PHONE_NUMBER_ID = "106540352242922"


def signed(body: bytes) -> dict[str, str]:
    secret = get_settings().meta_app_secret.get_secret_value().encode()
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def whatsapp_text(
    message_id: str, sender: str, text: str, timestamp: int, name: str = "María José"
) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "56911112222", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
            "messages": [{"from": sender, "id": message_id, "timestamp": str(timestamp), "type": "text",
                          "text": {"body": text}}]}}]}]}).encode()  # fmt: skip


def run_worker(name: str) -> None:
    """Drain a queue as its consumer would, with the effects of the table's changes
    before (a reply's send) and after (an ingested message's events)."""
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == name]
    run_effects()
    while deliver_once(source, handler, wait_seconds=0):
        run_effects()


class Desk:
    def __init__(self, world: World) -> None:
        self.world = world
        self.admin = world.signup()["access_token"]
        self.tenant = self.call("GET", "/v1/me", self.admin).json["tenant"]["id"]
        created = self.call("POST", "/v1/channels", self.admin, {
            "type": "whatsapp", "name": "Ventas", "credentials": {"access_token": "EAAG-token-1234567890"},
            "identifiers": {"phone_number_id": PHONE_NUMBER_ID, "business_account_id": "102290129340398",
                            "display_phone_number": "+56 9 1111 2222"}})  # fmt: skip
        assert created.status_code == 201, created.json
        self.channel_id = created.json["id"]
        self._n = 0

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
        return self.world.call(method, path, token, body)

    def person(self, email: str, role: str, online: bool = False, **extra: Any) -> tuple[str, str]:
        """(token, user id); agents get the channel in the assignment table."""
        token = self.world.user_with_role(self.admin, email, role, **extra)
        user_id = self.call("GET", "/v1/me", token).json["user"]["id"]
        if role in ("agent", "stakeholder", "supervisor", "admin"):
            table = self.call("PUT", "/v1/assignments", self.admin, {"agents": [
                {"user_id": user_id, "auto_assign": online, "channels": [self.channel_id]}]})  # fmt: skip
            assert table.status_code == 200, table.json
        if online:
            assert (
                self.call("PUT", "/v1/me/presence", token, {"presence": "online"}).status_code
                == 200
            )
        return token, user_id

    def client_writes(self, sender: str = "56912345678", text: str = "Hola 📦", at: int | None = None,
                      name: str = "María José") -> None:  # fmt: skip
        self._n += 1
        timestamp = at if at is not None else int(now().timestamp()) - 600 + self._n
        body = whatsapp_text(f"wamid.{sender}.{self._n}", sender, text, timestamp, name)
        assert (
            self.world.api.post("/webhooks/meta", headers=signed(body), body=body).status_code
            == 200
        )
        run_worker("receive_inbound")
