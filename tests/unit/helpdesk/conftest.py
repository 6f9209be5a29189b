"""Fixtures the help-desk tests share: the API world and a signed-up account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.roles import World


@pytest.fixture
def world(api: Any, mailbox: Any) -> World:
    return World(api, mailbox)


@pytest.fixture
def signup(world: World) -> dict[str, Any]:
    """A new account: the signup answer (the admin's tokens, the tenant)."""
    return world.signup()


@pytest.fixture
def admin(signup: dict[str, Any]) -> str:
    """The signed-up admin's access token."""
    return str(signup["access_token"])


@pytest.fixture
def tenant(signup: dict[str, Any]) -> str:
    return str(signup["tenant"]["id"])
