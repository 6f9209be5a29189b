"""The console in a real browser (issue 12): Playwright driving Debian's Chromium against
the real local stack — DynamoDB Local, moto, the API, the worker, the scheduler and the
console's front — started once per test session with ``python -m devstack.run`` on free
ports, exactly as ``make run`` starts it.

Every browser test module here is marked ``e2e`` and ``xdist_group("e2e")``, but with
pytest 9.2 and pytest-xdist 3.8 ``--dist loadgroup`` does not keep a group on one worker
(a four-test module marked alike is split too), so each worker may start its own stack
and a module's tests may run on both: each test stands on its own. Screenshots of each page go to
``var/screenshots/`` (desktop 1280x800 and phone 390 px).
"""

from __future__ import annotations

import fcntl
import functools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from devstack.ddb_local import free_port
from tests.support.console import CHROMIUM, MISSING_CHROMIUM, ROOT, Stack, answers

#: Variables of the unit tests' session that must not reach the stack.
NOT_FOR_THE_STACK = (
    "DYNAMODB_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "ATIENDE_STAGE",
    "ATIENDE_TABLE",
    "ATIENDE_BUCKET",
    "ATIENDE_PUBLIC_URL",
    "ATIENDE_CORS_ORIGIN",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: the console's tests (a browser and the local stack, or its source)"
    )
    # pytest-playwright 0.10's own base_url fixture, not ours
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # one build at a time: each xdist worker may start a stack, and two builds swapping
    # web/dist at once collide (ENOTEMPTY)
    with open(
        Path(tempfile.gettempdir()) / f"atiende-console-build-{os.getuid()}.lock", "w"
    ) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = subprocess.run(
            ["node", "web/build.mjs"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    assert built.returncode == 0, built.stdout + built.stderr
    var = tmp_path_factory.mktemp("console-stack") / "var"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_FOR_THE_STACK}
    env.update(
        ATIENDE_PORT=str(port),
        ATIENDE_API_PORT=str(free_port()),
        ATIENDE_DYNAMODB_PORT=str(ddb_port := free_port()),
        ATIENDE_MOTO_PORT=str(free_port()),
        ATIENDE_VAR=str(var),
        ATIENDE_FAKES_PORT=str(fakes_port := free_port()),
        # billing against the fake Stripe (devstack/fake_stripe.py start_for_stack): its
        # Stripe.js stand-in, webhooks to the front, the catalogue (test_console_billing.py)
        ATIENDE_FAKE_STRIPE="1",
        ATIENDE_FAKE_STRIPE_PORT=str(free_port()),
    )
    var.mkdir(parents=True)
    log = open(var.parent / "stack.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 150
        while not answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (var.parent / "stack.log").read_text(errors="replace")[-3000:]
                raise AssertionError(f"the local stack did not start:\n{tail}")
            time.sleep(0.5)
        yield Stack(url=url, var=var, fakes_url=f"http://127.0.0.1:{fakes_port}",
                    dynamodb_url=f"http://127.0.0.1:{ddb_port}")  # fmt: skip
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends: make run stops everything
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- the browser: pytest-playwright's fixtures, on Debian's Chromium, one per module ------
# Playwright's sync API keeps an asyncio loop running in the thread while it is started:
# started once per session (the plugin's scope), every later test of this xdist worker
# that calls asyncio.run() would fail. Per module, it stops with the last browser test.
@pytest.fixture(scope="module")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    started = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(started)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def browser_type(playwright: Any, browser_name: str) -> Any:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.is_file():
        pytest.fail(MISSING_CHROMIUM)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args: dict, browser_type: Any) -> Any:
    return lambda **options: browser_type.launch(**{**browser_type_launch_args, **options})


@pytest.fixture(scope="module")
def browser(launch_browser: Any) -> Iterator[Any]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def browser_context_args(stack: Stack) -> dict:
    return {
        "base_url": stack.url,
        "locale": "es-CL",
        "timezone_id": "America/Santiago",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture
def console(page: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page of the console (``page.goto("/login")`` is relative to the stack) that
    fails the test if the page's script throws.

    An admin without channels is greeted by the "Conecta tus canales" dialog once its
    channel list arrives, at a moment no test can wait for; it is answered "Ahora no"
    whenever it shows up in front of what a test does, unless the test is marked
    ``welcome`` (the tests of the dialog itself)."""
    # generous: the suite's other worker keeps the machine's cores busy meanwhile
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    if request.node.get_closest_marker("welcome") is None:
        page.add_locator_handler(
            page.get_by_role("dialog", name="Conecta tus canales"),
            lambda dialog: dialog.get_by_role("button", name="Ahora no").click(),
        )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"the page threw: {errors}"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[dict]:
    """A web server of another origin (another port) for the shop's page."""
    port = free_port()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"origin": f"http://127.0.0.1:{port}", "folder": tmp_path}
    finally:
        server.shutdown()
        server.server_close()
