import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))
from accounts_world import World


@pytest.fixture
def world(api: Any, mailbox: Any) -> World:
    return World(api, mailbox)


@pytest.fixture
def admin(world: World) -> str:
    return world.signup()["access_token"]
