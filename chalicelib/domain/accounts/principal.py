"""Who is calling: the authenticated user of one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    user_id: str
    role: str
    permissions: frozenset[str]
    session_id: str
    user: Any  # the store's User item, read during authentication

    def can(self, action: str) -> bool:
        from chalicelib.domain.accounts.access import can

        return can(self.role, self.permissions, action)
