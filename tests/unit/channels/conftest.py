from typing import Any

import pytest

from tests.support.world import World


@pytest.fixture
def world(api: Any, mailbox: Any) -> World:
    return World(api, mailbox)


@pytest.fixture
def admin(world: World) -> str:
    return world.signup()["access_token"]
