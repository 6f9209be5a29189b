"""An agent's own presence (SPEC §4 "Agent presence"): set with ``PUT /v1/me/presence``
and read back with ``GET /v1/me/presence`` (the console's header shows it after a
reload); only roles that have a presence may read or set it."""

from __future__ import annotations

import pytest

from chalicelib.store.meter import measure
from tests.support.desk import Desk


@pytest.fixture
def desk(world):
    return Desk(world, agent_serves=True, default_caller="agent")


def test_an_agent_reads_back_the_presence_they_set(desk):
    assert desk.call("GET", "/v1/me/presence").json == {"presence": "offline"}  # never set
    for presence in ("online", "away", "offline", "away"):
        assert desk.call("PUT", "/v1/me/presence", body={"presence": presence}).status_code == 200
        with measure() as meter:
            read = desk.call("GET", "/v1/me/presence")
        assert read.status_code == 200, read.json
        assert read.json == {"presence": presence}
        # the session's one BatchGetItem, then one GetItem of the agent's row
        assert meter.summary()["by_operation"] == {"BatchGetItem": 1, "GetItem": 1}
    # each person has their own
    assert desk.call("GET", "/v1/me/presence", "supervisor").json == {"presence": "offline"}


def test_roles_without_a_presence_may_not_read_or_set_one(desk):
    for role in ("analyst", "orders_admin", "account_contact"):
        assert desk.call("GET", "/v1/me/presence", role).status_code == 403
        put = desk.call("PUT", "/v1/me/presence", role, {"presence": "online"})
        assert put.status_code == 403
