"""A tenant world built through the API, as a person would (used by the accounts tests)."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from typing import Any

import app
from devstack.worker import deliver_once, sqs_consumers

PASSWORD = "correct horse battery"


class World:
    """Drives the API of one test: signs up tenants, invites users, reads mail."""

    def __init__(self, api: Any, mailbox: Any) -> None:
        self.api = api
        self.mailbox = mailbox
        self._seen: set[str] = set()

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        raw = json.dumps(body) if body is not None else None
        response = getattr(self.api, method.lower())(path, headers=all_headers, body=raw)
        response.json = json.loads(response.body) if response.body else None
        return response

    def signup(
        self, company: str = "Acme", email: str = "ana@acme.example.com", locale: str = "es"
    ) -> dict:
        response = self.call(
            "POST",
            "/v1/signup",
            body={
                "company_name": company,
                "locale": locale,
                "timezone": "America/Santiago",
                "first_name": "Ana",
                "last_name": "Admin",
                "email": email,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.json
        return response.json

    def run_mail_worker(self) -> None:
        [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "send_mail"]
        while deliver_once(source, handler, wait_seconds=0):
            pass

    def new_mail(self) -> list[Any]:
        self.run_mail_worker()
        fresh = [p for p in self.mailbox() if str(p) not in self._seen]
        self._seen.update(str(p) for p in fresh)
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in fresh]

    def token_in_mail(self, to: str) -> str:
        for message in self.new_mail():
            if to in message["To"]:
                found = re.search(
                    r"token=([A-Za-z0-9_\-]+)", message.get_body(("plain",)).get_content()
                )
                if found:
                    return found.group(1)
        raise AssertionError(f"no email with a token to {to}")

    def invite(self, admin_token: str, email: str, role: str, **extra: Any) -> dict:
        response = self.call(
            "POST",
            "/v1/users",
            admin_token,
            {
                "first_name": "Pat",
                "last_name": role.title(),
                "email": email,
                "role": role,
                **extra,
            },
        )
        assert response.status_code == 201, response.json
        return response.json["user"]

    def user_with_role(self, admin_token: str, email: str, role: str, **extra: Any) -> str:
        """Invite, accept, return the new user's access token."""
        self.invite(admin_token, email, role, **extra)
        token = self.token_in_mail(email)
        accepted = self.call(
            "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
        )
        assert accepted.status_code == 200, accepted.json
        return accepted.json["access_token"]
