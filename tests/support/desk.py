"""The one ``Desk``: a tenant built through the API (its admin, a WhatsApp channel, people of
any role) with clients writing in, for the help-desk tests.

Clients write in two ways: through the real signed webhook and the inbound worker
(``client_writes``, ``status``: bodies from tests/fixtures/meta), or straight through ingest, the way the
inbound consumer calls it (``message`` for a new client indexed for search, ``write_in``
at fixed times). What the tests needed differently became parameters:

- ``every_role``: a signed-in user of every role made at once (else on first use);
- ``email_channel``: an email channel besides the WhatsApp one (``desk.email``);
- ``agent_serves``: the agent made on first use serves the channel (no auto-assignment);
- ``default_caller``: the role ``call`` uses when given no one (else no token at all).

``call``'s caller is a token or a role name (``"admin"``, ``"agent"``, ...,
``"outsider"``: an agent who does not serve the channel).
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import app
from chalicelib.channels.events import InboundMessage
from chalicelib.clock import clock, now
from chalicelib.domain.accounts.access import ROLES
from chalicelib.domain.accounts.sessions import authenticate
from chalicelib.domain.channels.service import get_channel
from chalicelib.domain.helpdesk.search import index_new_client
from chalicelib.domain.helpdesk.timeline import new_message_id
from chalicelib.domain.inbound.autoreply import queue_outbound
from chalicelib.domain.inbound.ingest import client_id_for, ingest_message
from chalicelib.store import keys
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Message, Ticket
from devstack.worker import deliver_once, sqs_consumers
from tests.support.plans import on_plan
from tests.support.table_stream import run_effects
from tests.support.webhooks import PHONE_NUMBER_ID, meta_headers, whatsapp_status, whatsapp_text
from tests.support.world import World

__all__ = [
    "ACCESS_TOKEN",
    "PHONE_NUMBER_ID",
    "START",
    "Desk",
    "World",
    "run_effects",
    "run_worker",
]
BUSINESS_ACCOUNT_ID = "102290129340398"
ACCESS_TOKEN = "EAAG-token-1234567890"
#: the time of the first message ``write_in`` stores (one minute more for each)
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CALLERS = (*ROLES, "outsider")
_messages = itertools.count(1)


def run_worker(name: str) -> None:
    """Drain a queue as its consumer would, with the effects of the table's changes
    before (a reply's send) and after (an ingested message's events)."""
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == name]
    run_effects()
    while deliver_once(source, handler, wait_seconds=0):
        run_effects()


def phone_of(domain: str) -> str:
    """A WhatsApp number of its own for each company (one provider account, one company)."""
    if domain == "acme.example.com":
        return PHONE_NUMBER_ID
    return f"1065403522{int(hashlib.sha256(domain.encode()).hexdigest(), 16) % 100000:05d}"


class Desk:
    """One tenant: its admin, a WhatsApp channel (and an email one), people on demand,
    clients writing in."""

    def __init__(
        self,
        world: World,
        company: str = "Acme",
        domain: str = "acme.example.com",
        locale: str = "es",
        phone_number_id: str | None = None,
        access_token: str = ACCESS_TOKEN,
        every_role: bool = False,
        email_channel: bool = False,
        agent_serves: bool = False,
        default_caller: str | None = None,
    ) -> None:
        self.world = world
        self.domain = domain
        self.agent_serves = agent_serves
        self.default_caller = default_caller
        signed = world.signup(company=company, email=f"ana@{domain}", locale=locale)
        self.admin: str = signed["access_token"]
        self.tenant: str = signed["tenant"]["id"]
        on_plan(self.tenant, "pro")  # a working desk: more users and numbers than Free allows
        self._tokens: dict[str, str] = {"admin": self.admin}
        self.ids: dict[str, str] = {}
        self.phone_number_id = phone_number_id or phone_of(domain)
        self.channel_id = self.connect("whatsapp", "Ventas", {
            "phone_number_id": self.phone_number_id, "business_account_id": BUSINESS_ACCOUNT_ID,
            "display_phone_number": "+56 9 1111 2222"}, {"access_token": access_token})  # fmt: skip
        self.whatsapp = self.channel_id
        self.email: str | None = None
        if email_channel:
            self.email = self.connect("email", "Soporte", {"address": f"soporte@{domain}"}, None)
        if every_role:
            for role in ROLES:
                self.id(role)
        self._n = 0  # client_writes
        self.sent = 0  # write_in, write_out

    # --- the API --------------------------------------------------------------------------
    def call(self, method: str, path: str, who: str | None = None, body: Any = None) -> Any:
        """``who``: a token, or a role whose user's token is used (``default_caller`` when
        None; no token at all when that is None too)."""
        who = who if who is not None else self.default_caller
        token = self.token(who) if who in CALLERS else who
        return self.world.call(method, path, token, body)

    def connect(self, kind: str, name: str, identifiers: dict, credentials: dict | None) -> str:
        body: dict[str, Any] = {"type": kind, "name": name, "identifiers": identifiers}
        if credentials:
            body["credentials"] = credentials
        created = self.world.call("POST", "/v1/channels", self.admin, body)
        assert created.status_code == 201, created.json
        return str(created.json["id"])

    # --- people ---------------------------------------------------------------------------
    def token(self, role: str) -> str:
        """A signed-in user of ``role``, made on first use (``outsider``: an agent who does
        not serve the channel; with ``agent_serves`` the agent serves it, without
        auto-assignment)."""
        if role not in self._tokens:
            email = (
                f"{'otro.agente' if role == 'outsider' else role.replace('_', '.')}@{self.domain}"
            )
            self._tokens[role] = self.world.user_with_role(
                self.admin, email, "agent" if role == "outsider" else role
            )
            if role == "agent" and self.agent_serves:
                table = self.world.call("PUT", "/v1/assignments", self.admin, {"agents": [
                    {"user_id": self.id("agent"), "auto_assign": False,
                     "channels": [self.channel_id]}]})  # fmt: skip
                assert table.status_code == 200, table.json
        return self._tokens[role]

    @property
    def tokens(self) -> dict[str, str]:
        """Every role of the access table."""
        return {role: self.token(role) for role in ROLES}

    def id(self, role: str) -> str:
        if role not in self.ids:
            self.ids[role] = self.me(self.token(role))["id"]
        return self.ids[role]

    def me(self, token: str) -> dict[str, Any]:
        return dict(self.world.call("GET", "/v1/me", token).json["user"])

    def login(self, email: str | None = None) -> str:
        """A fresh access token of the admin (or ``email``): they last 15 minutes, and some
        tests move the clock by hours."""
        from tests.support.world import PASSWORD

        signed = self.call("POST", "/v1/auth/login", "",
                           {"email": email or f"ana@{self.domain}", "password": PASSWORD})  # fmt: skip
        assert signed.status_code == 200, signed.json
        return str(signed.json["access_token"])

    def principal(self, role: str = "admin") -> Any:
        return authenticate(self.token(role))

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

    def serve(self, role: str, channels: list[str]) -> None:
        """The agent's row of the assignment table: these channels, no auto-assignment."""
        done = self.call("PUT", "/v1/assignments", self.admin, {"agents": [
            {"user_id": self.ids[role], "auto_assign": False, "channels": channels}]})  # fmt: skip
        assert done.status_code == 200, done.json

    # --- the channel and its tickets --------------------------------------------------------
    @property
    def channel(self) -> Channel:
        return get_channel(self.tenant, self.channel_id)

    def ticket(self, number: int) -> Ticket:
        return Ticket.get(keys.ticket_pk(self.tenant, number), keys.ticket_sk())

    def assign(self, number: int, role: str | None) -> None:
        user_id = self.ids[role] if role else None
        done = self.call("PUT", f"/v1/tickets/{number}/assignee", self.admin, {"user_id": user_id})
        assert done.status_code == 200, done.json

    def patch_ticket(self, number: int, **changes: Any) -> None:
        done = self.call("PATCH", f"/v1/tickets/{number}", self.admin, changes)
        assert done.status_code == 200, done.json

    def client_key(self, channel_id: str, sender: str) -> tuple[str, str]:
        return keys.client_pk(self.tenant, client_id_for(channel_id, sender)), keys.client_sk()

    def client_id(self, sender: str, channel: str | None = None) -> str:
        return client_id_for(channel or self.whatsapp, sender)

    # --- clients writing in through the signed webhook and the inbound worker ---------------
    def post_meta(self, body: bytes) -> None:
        """A signed Meta webhook, then the inbound worker."""
        response = self.world.api.post("/webhooks/meta", headers=meta_headers(body), body=body)
        assert response.status_code == 200
        run_worker("receive_inbound")

    def client_writes(
        self,
        sender: str = "56912345678",
        text: str = "Hola 📦",
        at: int | None = None,
        name: str = "María José",
        wamid: str | None = None,
    ) -> None:
        """A client's text message (sent ten minutes ago unless ``at``, a Unix time)."""
        self._n += 1
        timestamp = at if at is not None else int(now().timestamp()) - 600 + self._n
        message_id = wamid or f"wamid.{sender}.{self._n}"
        self.post_meta(
            whatsapp_text(sender, text, message_id, timestamp, name, self.phone_number_id)
        )

    def status(self, wamid: str, state: str, recipient: str = "56912345678") -> None:
        """WhatsApp's status of a message sent to ``recipient``."""
        timestamp = int(now().timestamp())
        self.post_meta(whatsapp_status(wamid, state, recipient, timestamp, self.phone_number_id))

    # --- clients writing in through ingest, as the inbound consumer calls it -----------------
    def message(self, sender: str, text: str = "hola", name: str | None = None,
                channel: str | None = None) -> int:  # fmt: skip
        """A client's message through ingest, one minute after the previous one (when the
        clock is frozen); a new client is indexed for search. The ticket's number."""
        if clock._frozen is not None:
            clock.advance(timedelta(minutes=1))
        found = get_channel(self.tenant, channel or self.whatsapp)
        outcome = ingest_message(found, InboundMessage(
            channel_type=found.channel_type, account_id=found.account_id,
            provider_message_id=f"m.{next(_messages)}", sender_id=sender, sender_name=name,
            text=text, sent_at=clock.now()))  # fmt: skip
        if outcome.new_client:
            index_new_client(Client.get(*self.client_key(found.channel_id, sender)))
        return outcome.ticket_number

    def write_in(self, text: str, sender: str = "56912345678", name: str = "María José") -> int:
        """A client's message sent at ``START`` plus a minute per message; the ticket it
        joined."""
        self.sent += 1
        event = InboundMessage(
            channel_type="whatsapp", account_id=self.channel.account_id,
            provider_message_id=f"wamid.{uuid.uuid4().hex}", sender_id=sender, sender_name=name,
            text=text, sent_at=START + timedelta(minutes=self.sent),
        )  # fmt: skip
        return ingest_message(self.channel, event).ticket_number

    def write_out(self, number: int, text: str) -> None:
        """An agent's answer stored in the ticket (as the replies module stores one)."""
        self.sent += 1
        at = START + timedelta(minutes=self.sent)
        message_id = new_message_id(at)
        Message(
            keys.ticket_pk(self.tenant, number), keys.message_sk(message_id),
            tenant_id=self.tenant, message_id=message_id, ticket_number=number,
            channel_id=self.channel_id, direction="out", author_id=self.id("admin"), text=text,
            status="sent", sent_at=at, stored_at=at,
        ).save()  # fmt: skip

    # --- replies ------------------------------------------------------------------------------
    def reply(
        self, text: str = "Tu pedido sale hoy.", reply_to: str | None = None, **changes: Any
    ) -> Message:
        """A reply in ticket 1, queued as the app queues replies (queue_outbound takes no
        reply_to: set after); the message's record on the table's stream puts it on the
        outbound queue."""
        message = queue_outbound(self.channel, 1, text, now(), **changes)
        if reply_to:
            message.update(actions=[Message.reply_to.set(reply_to)])
        run_effects()
        return message

    def reload(self, message: Message) -> Message:
        """The message as stored now (a consistent read)."""
        return Message.get(message.PK, message.SK, consistent_read=True)


# --- the tenant's bot, answering through the API ----------------------------------------------
def bot_signed(desk: Desk, hook_id: str, body: dict[str, Any], secret: str,
               stamp: int | None = None, tenant: str | None = None) -> dict[str, str]:  # fmt: skip
    """The headers of a bot's signed call (docs/integrations.md "The bot")."""
    import hashlib
    import hmac
    import json

    raw = json.dumps(body).encode()
    stamp_text = str(stamp if stamp is not None else int(now().timestamp()))
    mac = hmac.new(secret.encode(), stamp_text.encode() + b"." + raw, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Atiende-Tenant": tenant or desk.tenant,
        "X-Atiende-Integration": hook_id,
        "X-Atiende-Timestamp": stamp_text,
        "X-Atiende-Signature": "sha256=" + mac.hexdigest(),
    }
