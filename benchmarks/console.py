"""The agent console (issue 12, item 11): the gzipped bundle against its 150 KB budget, and
the time to first paint of the board for a signed-in user, on the local stack.

The console is built (``node web/build.mjs``, which writes ``web/dist/build.json`` with
the gzipped sizes). Then, with Playwright and Debian's Chromium, the whole local stack is
started as ``make run`` starts it (``python -m devstack.run`` on free ports, in a
temporary ``var``), a company is signed up with a WhatsApp number, a column and
:data:`TICKETS` tickets opened by a signed webhook, and the board is opened
:data:`RUNS` times in each of two ways:

- **first visit**: a new browser context (an empty cache) holding only the session
  cookie, as after signing in: ``/`` downloads the bundle, renews the session by the
  cookie, reads ``/v1/me`` and the columns, and draws the board;
- **return visit**: the same page loaded again in that context (the hashed assets come
  from the browser's cache).

Each load reports First Contentful Paint (the Performance API's ``first-contentful-paint``
entry), the moment the board's heading ("Mesón de ayuda") is in the page and the moment
its first ticket card is, each in ms from the navigation's start (the element's time
is taken in the first animation frame after it was added: the frame that paints it).
Medians are printed, with the slowest run.

Without Chromium (``ATIENDE_CHROMIUM``, default ``/usr/bin/chromium``), Playwright, Java or
Node, the paint is skipped with a line saying why; the bundle size is still reported
when Node can build it. ``make bench`` never fails for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.harness import Bench, extra
from devstack.template import ROOT

BUDGET_BYTES = 150 * 1024
CHROMIUM = Path(os.environ.get("ATIENDE_CHROMIUM", "/usr/bin/chromium"))
#: loads of the board per way (first visit, return visit); the median is reported
RUNS = 7
#: tickets on the board's one column (its first page shows 20)
TICKETS = 20
#: the local stack's Meta app secret (chalicelib/settings.py LOCAL_DEFAULTS)
META_APP_SECRET = "local-meta-app-secret"
PASSWORD = "caballo correcto batería"
BOARD_HEADING = "Mesón de ayuda"
#: Variables of the bench's own process that must not reach the stack it starts.
NOT_FOR_THE_STACK = (
    "ATIENDE_STAGE",
    "ATIENDE_VAR",
    "ATIENDE_TABLE",
    "ATIENDE_BUCKET",
    "ATIENDE_QUEUE_PREFIX",
    "ATIENDE_KMS_KEY",
    "ATIENDE_PUBLIC_URL",
    "ATIENDE_CORS_ORIGIN",
    "DYNAMODB_ENDPOINT",
    "AWS_ENDPOINT_URL",
)

#: Runs in the page before its own script: notes when the board's heading and its first
#: card are added to the document, in the frame after (the one that paints them).
WATCH_THE_BOARD = """
(() => {
  const seen = {};
  window.__atiendeBench = seen;
  const note = (name) => {
    if (seen[name] !== undefined || seen[name + '_pending']) return;
    seen[name + '_pending'] = true;
    requestAnimationFrame(() => { seen[name] = performance.now(); });
  };
  const look = () => {
    const heading = document.querySelector('h1');
    if (heading && heading.textContent.trim() === HEADING) note('heading');
    if (document.querySelector('article[aria-label^="Ticket #"]')) note('card');
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
})();
""".replace("HEADING", json.dumps(BOARD_HEADING))


# --- the bundle ---------------------------------------------------------------------------
class BuildFailed(RuntimeError):
    """``node web/build.mjs`` wrote no build."""


def build_console() -> dict[str, Any]:
    """``node web/build.mjs`` (one build at a time: the browser tests build it too);
    returns web/dist/build.json. A build over the budget fails, but is written: its
    sizes are returned all the same (and reported as over)."""
    report = ROOT / "web" / "dist" / "build.json"
    lock_path = Path(tempfile.gettempdir()) / f"atiende-console-build-{os.getuid()}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.time()
        built = subprocess.run(
            ["node", "web/build.mjs"], cwd=ROOT, capture_output=True, text=True, timeout=180
        )
        fresh = report.is_file() and report.stat().st_mtime >= started - 1
    if built.returncode != 0 and not fresh:
        raise BuildFailed((built.stdout + built.stderr).strip().splitlines()[-1:] or ["?"])
    return json.loads(report.read_text())


def bundle_text(build: dict[str, Any]) -> str:
    sizes = build["gzipped"]

    def kb(n: float) -> str:
        return f"{n / 1024:.1f} KB"

    verdict = "within" if sizes["total"] <= BUDGET_BYTES else "OVER"
    return (
        f"  bundle    {kb(sizes['total'])} gzipped ({Path(build['js']).name} {kb(sizes['js'])} + "
        f"{Path(build['css']).name} {kb(sizes['css'])}): {verdict} the {kb(BUDGET_BYTES)} budget"
    )


# --- the stack ----------------------------------------------------------------------------
def _call(url: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    request = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
        return response, (json.loads(raw) if raw else None)


def _answers(url: str) -> bool:
    try:
        _, status = _call(url, "GET", "/v1/status")
        with urllib.request.urlopen(url + "/", timeout=5) as page:
            return status["status"] == "ok" and b'id="app"' in page.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError, ValueError):
        return False


@contextlib.contextmanager
def local_stack(var: Path) -> Iterator[str]:
    """``python -m devstack.run`` on free ports with its data in ``var``; yields its URL."""
    from devstack.ddb_local import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_FOR_THE_STACK}
    env.update(
        ATIENDE_PORT=str(port),
        ATIENDE_API_PORT=str(free_port()),
        ATIENDE_DYNAMODB_PORT=str(free_port()),
        ATIENDE_MOTO_PORT=str(free_port()),
        ATIENDE_VAR=str(var),
        ATIENDE_LOG_LEVEL="WARNING",
    )
    var.mkdir(parents=True, exist_ok=True)
    log_path = var.parent / "stack.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"the local stack did not start:\n{tail}")
                time.sleep(0.5)
            yield url
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C: devstack.run stops its children
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def seed_board(url: str) -> str:
    """A company with a WhatsApp number, one column of it and :data:`TICKETS` tickets;
    returns its admin's email."""
    email = f"ana.{uuid.uuid4().hex[:8]}@bench.example.com"
    _, session = _call(url, "POST", "/v1/signup", {
        "company_name": "Ferretería Los Andes", "first_name": "Ana", "last_name": "Pérez",
        "email": email, "password": PASSWORD, "locale": "es", "timezone": "America/Santiago",
    })  # fmt: skip
    bearer = {"Authorization": f"Bearer {session['access_token']}"}
    phone = str(10**14 + int(uuid.uuid4().int % 10**14))
    _, channel = _call(url, "POST", "/v1/channels", {
        "type": "whatsapp", "name": "Ventas",
        "identifiers": {"phone_number_id": phone, "business_account_id": "102290129340398",
                        "display_phone_number": "+56 9 1111 2222"},
        "credentials": {"access_token": "EAAG-any-local-token"},
    }, **bearer)  # fmt: skip
    _, column = _call(url, "POST", "/v1/columns", {
        "name": "WhatsApp ventas",
        "filters": {"channel_types": ["whatsapp"], "channel_ids": [channel["id"]], "assignee": "any"},
    }, **bearer)  # fmt: skip

    stamp = str(int(time.time()))
    changes = [
        {"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "56911112222", "phone_number_id": phone},
            "contacts": [{"profile": {"name": f"Cliente {n}"}, "wa_id": f"5699{n:07d}"}],
            "messages": [{"from": f"5699{n:07d}", "id": f"wamid.bench.{phone}.{n}",
                          "timestamp": stamp, "type": "text",
                          "text": {"body": f"Hola, ¿llegó mi pedido {n}?"}}],
        }}
        for n in range(TICKETS)
    ]  # fmt: skip
    body = json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "102290129340398", "changes": changes}]}).encode()  # fmt: skip
    signature = "sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url + "/webhooks/meta",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    with urllib.request.urlopen(request, timeout=30):
        pass
    deadline = time.monotonic() + 90  # the worker ingests asynchronously
    while time.monotonic() < deadline:
        _, items = _call(url, "GET", f"/v1/columns/{column['id']}/items?limit=50", **bearer)
        if len(items["items"]) >= TICKETS:
            return email
        time.sleep(0.5)
    raise RuntimeError(f"the worker did not open {TICKETS} tickets within 90 s")


def session_cookie(url: str, email: str) -> dict[str, Any]:
    """A console login's refresh cookie, as the browser would keep it."""
    response, _ = _call(url, "POST", "/v1/auth/login", {"email": email, "password": PASSWORD},
                        **{"X-Atiende-Session": "cookie", "Origin": url})  # fmt: skip
    token = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    return {"name": "atiende_refresh", "value": token, "domain": "127.0.0.1", "path": "/v1/auth",
            "httpOnly": True, "secure": True, "sameSite": "Strict"}  # fmt: skip


# --- the browser --------------------------------------------------------------------------
def _one_load(page: Any, reload: bool) -> dict[str, Any]:
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto("/", wait_until="commit")
    page.wait_for_function("() => window.__atiendeBench && window.__atiendeBench.heading")
    with contextlib.suppress(Exception):  # the cards follow their column's read
        page.wait_for_function("() => window.__atiendeBench.card", timeout=10_000, polling=50)
    return page.evaluate(
        r"""() => {
          const [paint] = performance.getEntriesByName('first-contentful-paint');
          const seen = window.__atiendeBench;
          // what the page fetched before its first card: [path, start, end], ids as {id}
          const until = seen.card ?? seen.heading;
          const requests = performance.getEntriesByType('resource')
            .filter((e) => e.startTime <= until)
            .map((e) => [new URL(e.name).pathname.replace(/\/[0-9a-z]{20,}/g, '/{id}'),
                         e.startTime, e.responseEnd]);
          return { fcp: paint ? paint.startTime : null,
                   heading: seen.heading ?? null, card: seen.card ?? null, requests };
        }"""
    )


def measure_paint(url: str, email: str, runs: int) -> dict[str, list[dict[str, Any]]]:
    from playwright.sync_api import sync_playwright

    loads: dict[str, list[dict[str, Any]]] = {"first": [], "return": []}
    # started and stopped here: its sync API keeps an asyncio loop in this thread meanwhile
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            for _ in range(runs):
                context = browser.new_context(
                    base_url=url,
                    locale="es-CL",
                    timezone_id="America/Santiago",
                    viewport={"width": 1280, "height": 800},
                )
                try:
                    context.add_cookies([session_cookie(url, email)])
                    context.add_init_script(WATCH_THE_BOARD)
                    page = context.new_page()
                    page.set_default_timeout(30_000)
                    loads["first"].append(_one_load(page, reload=False))
                    loads["return"].append(_one_load(page, reload=True))
                finally:
                    context.close()
        finally:
            browser.close()
    return loads


def waterfall(loads: list[dict[str, Any]]) -> list[list[Any]]:
    """Each path fetched before the first card (its first fetch in a load): the median
    start and end, in ms, in the order of their start."""
    seen: dict[str, list[tuple[float, float]]] = {}
    for load in loads:
        firsts: dict[str, tuple[float, float]] = {}
        for path, start, end in load["requests"]:
            firsts.setdefault(path, (start, end))
        for path, times in firsts.items():
            seen.setdefault(path, []).append(times)
    rows = [
        [
            path,
            round(statistics.median(s for s, _ in times)),
            round(statistics.median(e for _, e in times)),
        ]
        for path, times in seen.items()
        if len(times) * 2 > len(loads)  # fetched in most loads
    ]
    return sorted(rows, key=lambda row: (row[1], row[2]))


def summarize(loads: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"waterfall": waterfall(loads)}
    for name in ("fcp", "heading", "card"):
        values = [load[name] for load in loads if load[name] is not None]
        summary[name] = (
            {
                "median": round(statistics.median(values), 1),
                "max": round(max(values), 1),
                "runs": len(values),
            }
            if values
            else None
        )
    return summary


def paint_text(summaries: dict[str, dict[str, Any]], runs: int) -> str:
    lines = [f"  the board of a signed-in user, {TICKETS} tickets in one column, {runs} loads each, "
             "ms from navigation start, median (slowest):"]  # fmt: skip
    labels = {"first": "first visit (empty cache)", "return": "return visit (cached)"}
    for way, summary in summaries.items():

        def cell(name: str, summary: dict[str, Any] = summary) -> str:
            found = summary[name]
            return "not seen" if found is None else f"{found['median']:6.0f} ({found['max']:.0f})"

        lines.append(
            f"  {labels[way]:<26} first paint {cell('fcp')}   heading {cell('heading')}   "
            f"first card {cell('card')}"
        )
    for way, summary in summaries.items():
        lines.append(f"  {way} visit, what the page fetched before its first card (median ms):")
        lines += [f"    {start:5d} → {end:5d}  {path}" for path, start, end in summary["waterfall"]]
    return "\n".join(lines)


def why_no_browser() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium is not at {CHROMIUM} (sudo apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make deps installs it)"
    from devstack import ddb_local

    try:
        ddb_local.java_major_version()
        ddb_local.jar_dir()
    except ddb_local.MissingPrerequisite as exc:
        return str(exc)
    return None


@extra("console: bundle and the board's first paint")
def console_paint(bench: Bench) -> dict[str, Any]:
    """The gzipped bundle against its budget, then the board's paint (skipped, saying why,
    when a browser cannot run here)."""
    del bench  # the console runs against a stack of its own, not the bench's table
    if shutil.which("node") is None:
        return {"text": "  skipped: Node.js is not installed (make deps needs it)"}
    try:
        build = build_console()
    except BuildFailed as exc:
        return {"text": f"  skipped: node web/build.mjs failed: {exc.args[0][0]}"}
    result: dict[str, Any] = {
        "gzipped_bytes": build["gzipped"],
        "budget_bytes": BUDGET_BYTES,
        "within_budget": build["gzipped"]["total"] <= BUDGET_BYTES,
    }
    text = [bundle_text(build)]
    missing = why_no_browser()
    if missing:
        text.append(f"  first paint: skipped, {missing}")
        return {**result, "paint": None, "text": "\n".join(text)}
    try:
        with (
            tempfile.TemporaryDirectory(prefix="atiende-bench-console-") as tmp,
            local_stack(Path(tmp) / "var") as url,
        ):
            email = seed_board(url)
            loads = measure_paint(url, email, RUNS)
    except Exception as exc:  # the stack or the browser: said, and the other measures go on
        text.append(f"  first paint: failed, {type(exc).__name__}: {str(exc)[:500]}")
        return {**result, "paint": None, "text": "\n".join(text)}
    summaries = {way: summarize(found) for way, found in loads.items()}
    text.append(paint_text(summaries, RUNS))
    return {**result, "paint": {"runs": RUNS, "tickets": TICKETS, **summaries},
            "text": "\n".join(text)}  # fmt: skip
