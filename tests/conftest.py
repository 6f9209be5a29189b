"""Test session setup.

moto is imported before any application module (PynamoDB and boto3 cache their
clients), every test runs inside ``mock_aws`` with the resources of
infra/resources.yaml, and any DynamoDB Scan fails the test that issued it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_VAR = Path(tempfile.mkdtemp(prefix="atiende-test-var-"))
os.environ.update(
    {
        "ATIENDE_STAGE": "test",
        "ATIENDE_FAST_PASSWORD_HASH": "true",
        "ATIENDE_VAR": str(_VAR),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
)
for _name in ("DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL", "ATIENDE_TABLE", "ATIENDE_BUCKET"):
    os.environ.pop(_name, None)

import botocore.client  # noqa: E402
import moto  # noqa: E402,F401  (before any model: PynamoDB caches its client)
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib import aws as aws_clients  # noqa: E402
from chalicelib.api.lazy import import_all  # noqa: E402
from chalicelib.clock import clock  # noqa: E402
from chalicelib.jobs import inbound  # noqa: E402
from chalicelib.settings import get_settings  # noqa: E402
from chalicelib.store import base as store_base  # noqa: E402
from tests.support import moto_speed  # noqa: E402

moto_speed.install()
from devstack.bootstrap import create_stack, create_table  # noqa: E402
from devstack.local_api import greedy_local_routes  # noqa: E402
from devstack.template import Resolver, load  # noqa: E402

greedy_local_routes()  # API Gateway's {proxy+}, as `make run` serves it
# app.py imports a route's module on its first call; tests that read routing.REGISTRY
# or the OpenAPI document need them all (tests/unit/http/test_lazy_routes.py: the lazy path)
import_all()

# The shared fixtures (world, signup, admin, tenant, ...) live in tests/support/ (docs/testing.md);
# pytest takes pytest_plugins only from this, the top-level conftest.
pytest_plugins = ["tests.support.world", "tests.support.stripe"]

# --- no Scan, ever ---------------------------------------------------------------
SCANS: list[str] = []
_original_make_api_call = botocore.client.BaseClient._make_api_call


class ScanForbidden(AssertionError):
    pass


def _guarded_make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    if operation_name == "Scan":
        SCANS.append(str(api_params.get("TableName")))
        raise ScanForbidden("DynamoDB Scan issued: the application must never scan the table")
    return _original_make_api_call(self, operation_name, api_params)


botocore.client.BaseClient._make_api_call = _guarded_make_api_call  # type: ignore[method-assign]

# --- one botocore loader -------------------------------------------------------------
# Every botocore session parses the service models and endpoint data again (the tests
# make sessions per test and per thread: moto, the stack's bootstrap, PynamoDB's
# per-thread sessions). One shared loader parses each file once per test process.
import botocore.loaders  # noqa: E402
import botocore.session  # noqa: E402

_LOADERS: dict[Any, Any] = {}
_create_loader = botocore.loaders.create_loader


def _shared_loader(search_path_string: Any = None) -> Any:
    if search_path_string not in _LOADERS:
        _LOADERS[search_path_string] = _create_loader(search_path_string)
    return _LOADERS[search_path_string]


botocore.session.create_loader = _shared_loader  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _no_scan_in_test() -> Iterator[None]:
    """Fails the test even when the code under test swallowed the ScanForbidden error."""
    SCANS.clear()
    yield
    if SCANS:
        found = list(SCANS)
        SCANS.clear()
        pytest.fail(f"the test issued a DynamoDB Scan on {found}")


# --- every status answered is declared --------------------------------------------------
@pytest.fixture(autouse=True)
def _only_declared_statuses() -> Iterator[None]:
    """Fails a test whose requests got a status their route does not declare in the
    OpenAPI document (``Route.error_statuses``): the document stays honest."""
    from chalicelib.http.routing import UNDECLARED

    UNDECLARED.clear()
    yield
    if UNDECLARED:
        found = sorted(set(UNDECLARED))
        UNDECLARED.clear()
        pytest.fail(f"statuses answered but not declared by their route: {found}")


# --- AWS ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def aws(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """moto for every AWS service; the table lives in moto unless the test asks for
    DynamoDB Local with ``@pytest.mark.ddb_local``."""
    settings = get_settings()
    with mock_aws():
        aws_clients.reset()
        # a new table: the channels a warm consumer remembered are gone. moto's table is
        # not safe across threads (a condition is checked, then written): there the
        # consumer takes its clients one after another; DynamoDB Local's take them side
        # by side, as in a Lambda
        inbound.forget()
        workers = inbound.WORKERS
        if not request.node.get_closest_marker("ddb_local"):
            inbound.WORKERS = 1
        created = create_stack(stage=settings.stage, bucket=settings.bucket, region=settings.region)
        if request.node.get_closest_marker("volume"):
            request.getfixturevalue("volume_ddb_local_table")
        elif request.node.get_closest_marker("ddb_local"):
            request.getfixturevalue("ddb_local_table")
        else:
            store_base.configure(table=settings.table, endpoint=None)
        yield created
    inbound.WORKERS = workers
    aws_clients.reset()


@pytest.fixture(scope="session")
def ddb_local_endpoint() -> Iterator[str]:
    """One in-memory DynamoDB Local for the whole test session."""
    from devstack import ddb_local

    port = ddb_local.free_port()
    process = ddb_local.start(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def ddb_local_table(ddb_local_endpoint: str) -> Iterator[str]:
    """A fresh table in DynamoDB Local, shaped as infra/resources.yaml says."""
    yield from _fresh_table(ddb_local_endpoint)


@pytest.fixture
def volume_ddb_local_table() -> Iterator[str]:
    """A table in a DynamoDB Local of its own, stopped after the test
    (``@pytest.mark.volume``): a budget test seeding tens of thousands of items slows
    every later write of a shared DynamoDB Local several times over (what a deleted
    table held is not all given back), so each gets a process that ends with it."""
    from devstack import ddb_local

    port = ddb_local.free_port()
    process = ddb_local.start(port)
    try:
        yield from _fresh_table(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _fresh_table(ddb_local_endpoint: str) -> Iterator[str]:
    import boto3

    settings = get_settings()
    name = f"atiende-test-{uuid.uuid4().hex[:8]}"
    props = Resolver(
        {"Stage": "test", "FilesBucketName": settings.bucket}, settings.region
    ).resolve(load()["Resources"]["Table"]["Properties"])
    props["TableName"] = name
    client = boto3.client("dynamodb", endpoint_url=ddb_local_endpoint, region_name=settings.region)
    create_table(client, props)
    store_base.configure(table=name, endpoint=ddb_local_endpoint)
    os.environ["DYNAMODB_ENDPOINT"] = ddb_local_endpoint
    try:
        yield name
    finally:
        os.environ.pop("DYNAMODB_ENDPOINT", None)
        client.delete_table(TableName=name)
        store_base.configure(table=settings.table, endpoint=None)


# --- time and the API ---------------------------------------------------------------
@pytest.fixture
def frozen_clock() -> Iterator[Any]:
    clock.freeze(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    yield clock
    clock.release()


@pytest.fixture
def api() -> Any:
    from chalice.test import Client

    import app

    # the test stage's environment (Chalice's test client applies the stage's variables)
    with Client(app.app, stage_name="test") as client:
        yield client.http


@pytest.fixture
def mailbox() -> Any:
    """The .eml files written during the test."""
    mail_dir = get_settings().mail_dir
    assert mail_dir is not None
    mail_dir.mkdir(parents=True, exist_ok=True)
    before = set(mail_dir.glob("*.eml"))

    def new_mail() -> list[Path]:
        return sorted(set(mail_dir.glob("*.eml")) - before)

    return new_mail
