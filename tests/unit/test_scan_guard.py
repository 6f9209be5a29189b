"""The test session's Scan guard (tests/conftest.py): no code path may scan the table."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from chalicelib.store import keys
from chalicelib.store.platform import JobHeartbeat


@pytest.fixture
def conftest(request: pytest.FixtureRequest) -> Any:
    """tests/conftest.py as pytest loaded it (``import conftest`` may find another one)."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    for plugin in request.config.pluginmanager.get_plugins():
        file = getattr(plugin, "__file__", None)
        if file and Path(file).resolve() == path:
            return plugin
    raise LookupError(f"{path} is not loaded")


def test_a_scan_through_pynamodb_is_refused_and_recorded(conftest):
    with pytest.raises(conftest.ScanForbidden, match="must never scan"):
        list(JobHeartbeat.scan())

    recorded = list(conftest.SCANS)
    conftest.SCANS.clear()  # this test scanned on purpose: keep the autouse guard quiet
    assert recorded == [JobHeartbeat.Meta.table_name]


def test_a_scan_the_code_swallowed_still_fails_the_test(conftest):
    guard = conftest._no_scan_in_test.__wrapped__()  # the autouse fixture's own body
    next(guard)  # set-up: the test starts with no scan recorded
    with contextlib.suppress(Exception):  # code under test that hides the error
        list(JobHeartbeat.scan())
    recorded = list(conftest.SCANS)
    assert recorded == [JobHeartbeat.Meta.table_name]

    with pytest.raises(pytest.fail.Exception, match="issued a DynamoDB Scan"):
        next(guard)  # tear-down

    assert not conftest.SCANS  # the guard cleared it, so this test itself passes


def test_queries_pass_the_guard(conftest):
    guard = conftest._no_scan_in_test.__wrapped__()
    next(guard)
    list(JobHeartbeat.query(keys.platform_pk()))

    with pytest.raises(StopIteration):  # tear-down ends without failing
        next(guard)
