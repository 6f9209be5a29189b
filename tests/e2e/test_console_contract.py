"""The console's source against the API and itself, without a browser: every call it
makes is an operation of /v1/openapi.json (so a renamed route, query parameter or body
field breaks the build, not the page), its three languages have the same texts, and the
bundle stays in its budget."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "web" / "src"
METHODS = "GET|POST|PUT|PATCH|DELETE"
#: api('METHOD', '/v1/...', {...}) and the session's own send('POST', '/v1/auth/refresh', ...)
CALL = re.compile(
    rf"\b(?:api|send)\(\s*'(?P<method>{METHODS})'\s*,\s*(?P<q>['`])(?P<path>/v1/[^'`]*)(?P=q)"
    r"(?:\s*,\s*(?P<body>\{[^{}]*\}))?"
)
#: the admin pages' GET helpers (web/src/admin/kit.js): useResource('/v1/...'),
#: readAll('/v1/...'), and an item's history path handed to its "Historial" (HistoryButton)
READ = re.compile(
    r"\b(?:useResource|readAll)\(\s*(?P<q>['`])(?P<path>/v1/[^'`]*)(?P=q)"
    r"|(?P<q2>['`])(?P<path2>/v1/[^'`]*/history)(?P=q2)"
)
ANY_API_PATH = re.compile(r"(['`])(/v1/[^'`]*)\1")
BUDGET = 150 * 1024

# with the browser tests: its build replaces the web/dist their stack serves
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(SOURCE.rglob("*.js"))}


def calls() -> list[tuple[str, str, str, str | None]]:
    found = []
    for path, text in sources().items():
        for match in CALL.finditer(text):
            where = f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
            found.append((where, match["method"], match["path"], match["body"]))
        for match in READ.finditer(text):
            where = f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
            found.append((where, "GET", match["path"] or match["path2"], None))
    return found


def document() -> dict:
    import app  # noqa: F401  (registers every route)
    from chalicelib.http.openapi import openapi_document

    return openapi_document()


def operation(doc: dict, method: str, path: str) -> dict | None:
    """The documented operation a console path (``${...}`` for a value) stands for."""
    concrete = re.sub(r"\$\{[^}]*\}", "VALUE", path.split("?", 1)[0])
    for template, operations in doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, concrete) and method.lower() in operations:
            return operations[method.lower()]
    return None


def schema_of(doc: dict, op: dict) -> dict:
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]


def test_every_api_call_of_the_console_is_a_documented_operation():
    doc = document()
    found = calls()
    assert len(found) >= 10, found  # the parser still sees the calls
    for where, method, path, body in found:
        op = operation(doc, method, path)
        assert op is not None, f"{where}: {method} {path} is not in /v1/openapi.json"
        if "?" in path:
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            for pair in path.split("?", 1)[1].split("&"):
                name = pair.split("=", 1)[0]
                assert name in names, f"{where}: {method} {path}: no query parameter {name!r}"
        if body and body.strip("{} \n"):
            fields = set(schema_of(doc, op)["properties"])
            keys = re.findall(r"(?:^|[{,])\s*(\w+)\s*(?=[:,}])", body)
            assert keys, f"{where}: could not read the body {body}"
            unknown = set(keys) - fields
            assert not unknown, f"{where}: {method} {path} takes no {sorted(unknown)}"


def test_the_console_names_no_api_path_outside_a_checked_call():
    checked = {path for _, _, path, _ in calls()}
    for path, text in sources().items():
        for match in ANY_API_PATH.finditer(text):
            assert match[2] in checked, f"{path.relative_to(ROOT)}: {match[2]} is not in api(...)"


def catalogs() -> dict[str, dict[str, str]]:
    """Each language's texts: its base catalog and every area's (``<area>.<code>.js``),
    as web/src/i18n.js merges them."""
    folder = ROOT / "web" / "src" / "i18n"
    files = {
        code: [f"./web/src/i18n/{code}.js"]
        + [f"./web/src/i18n/{p.name}" for p in sorted(folder.glob(f"*.{code}.js"))]
        for code in ("es", "pt", "en")
    }
    script = (
        f"const files = {json.dumps(files)};"
        "const out = {};"
        "for (const [code, paths] of Object.entries(files)) {"
        "  out[code] = {};"
        "  for (const path of paths) Object.assign(out[code], (await import(path)).default);"
        "}"
        "console.log(JSON.stringify(out));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_every_area_catalog_is_merged_by_the_console():
    """The first bundle's catalogs by i18n.js; the administration areas' by the chunk that
    brings their pages (web/src/admin/all.js, loaded by web/src/admin/load.js), the orders
    and analytics areas' by their own (web/src/orders/all.js, web/src/analytics/all.js)."""
    merged = (ROOT / "web" / "src" / "i18n.js").read_text()
    admin = (ROOT / "web" / "src" / "admin" / "all.js").read_text()
    orders = (ROOT / "web" / "src" / "orders" / "all.js").read_text()
    analytics = (ROOT / "web" / "src" / "analytics" / "all.js").read_text()
    for path in (ROOT / "web" / "src" / "i18n").glob("*.*.js"):
        if path.name.startswith("admin-"):
            assert f"'../i18n/{path.name}'" in admin, f"{path.name} is not imported by admin/all.js"
        elif path.name.startswith("orders."):
            # the orders area's chunk (web/src/orders/load.js)
            assert f"'../i18n/{path.name}'" in orders, (
                f"{path.name} is not imported by orders/all.js"
            )
        elif path.name.startswith("analytics."):
            # the analytics area's chunk (web/src/analytics/load.js)
            assert f"'../i18n/{path.name}'" in analytics, (
                f"{path.name} is not imported by analytics/all.js"
            )
        else:
            assert f"'./i18n/{path.name}'" in merged, f"{path.name} is not imported by i18n.js"


def test_every_lazy_admin_screen_is_in_the_chunk():
    admin = (ROOT / "web" / "src" / "admin" / "all.js").read_text()
    exported = set(re.findall(r"^  (\w+),$", admin.split("export const SCREENS", 1)[1], re.M))
    assert exported and all(name.endswith("Screen") for name in exported), exported
    for area in (ROOT / "web" / "src" / "admin" / "areas").glob("*.js"):
        text = area.read_text()
        assert not re.search(r"lazy\([^)]*\)\(", text), f"{area.name}: lazy(...)(...)"
        for name in re.findall(r"lazy\('(\w+)'\)", text):
            assert name in exported, f"{area.name}: {name} is not in admin/all.js's SCREENS"


def test_every_lazy_analytics_screen_is_in_its_chunk():
    """web/src/analytics/pages.js names its screens by their names in the chunk's SCREENS."""
    chunk = (ROOT / "web" / "src" / "analytics" / "all.js").read_text()
    screens = set(re.findall(r"\w+", chunk.split("export const SCREENS", 1)[1].split("}", 1)[0]))
    pages = (ROOT / "web" / "src" / "analytics" / "pages.js").read_text()
    named = re.findall(r"lazyAnalytics\('(\w+)'\)", pages)
    assert len(named) == 3, named
    assert set(named) <= screens, sorted(set(named) - screens)


def test_spanish_portuguese_and_english_have_every_text_the_console_uses():
    found = catalogs()
    es = found["es"]
    for code in ("pt", "en"):
        assert set(found[code]) == set(es), (
            code,
            sorted(set(es) ^ set(found[code])),
        )
        assert all(text.strip() for text in found[code].values()), code
    text = "\n".join(sources().values())
    used = set(re.findall(r"\bt\(\s*'([\w.]+)'", text))
    assert used, "the parser still sees the texts"
    assert not used - set(es), sorted(used - set(es))
    for prefix in re.findall(r"\bt\(\s*`([\w.]+)\.\$\{", text):
        assert any(key.startswith(prefix + ".") for key in es), prefix


def test_the_bundle_builds_within_its_budget():
    done = subprocess.run(
        ["node", "web/build.mjs"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    build = json.loads((ROOT / "web" / "dist" / "build.json").read_text())
    assert build["gzipped"]["total"] <= BUDGET, build
    index = (ROOT / "web" / "dist" / "index.html").read_text()
    assert "<script>" not in index and "style=" not in index  # the CSP allows no inline code
    assert build["js"] in index and build["css"] in index


#: The operations of /v1/openapi.json that no console page calls, each on purpose (issue 13:
#: every route an admin uses has a page). The reason is one of: "webhook" (a provider
#: calls it), "widget" (the chat widget's public API, web/widget/), "bot" (the tenant's bot
#: signs it), "platform" (machines and the docs), "api" (an API client's route, named why).
NOT_FROM_THE_CONSOLE: dict[tuple[str, str], str] = {
    ("GET", "/webhooks/meta"): "webhook: Meta's subscription handshake",
    ("POST", "/webhooks/meta"): "webhook: Meta's signed events (Facebook, Instagram, WhatsApp)",
    ("GET", "/webhooks/twitter"): "webhook: X's CRC check",
    ("POST", "/webhooks/twitter"): "webhook: X's Account Activity events",
    ("POST", "/webhooks/email"): "webhook: SES receiving through SNS",
    ("POST", "/webhooks/stripe"): "webhook: Stripe's signed events (subscriptions, invoices)",
    ("POST", "/chat/v1/sessions"): "widget: the chat widget opens a visitor session",
    ("POST", "/chat/v1/messages"): "widget: the chat widget sends a visitor's message",
    ("GET", "/chat/v1/messages"): "widget: the chat widget reads the conversation",
    ("POST", "/v1/bot/tickets/{number}/messages"): "bot: signed with the bot webhook's secret",
    ("GET", "/docs"): "platform: the API's reference, linked from the console's footer",
    ("GET", "/v1/openapi.json"): "platform: the API's description (the docs page reads it)",
    ("GET", "/v1/columns/{column_id}"): "api: one column; the board reads the list",
    ("GET", "/v1/account-contacts/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/agent-groups/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/custom-fields/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/departments/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/quick-replies/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/tags/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/templates/{item_id}"): "api: one item; its page reads the list",
    ("GET", "/v1/products/{product_id}"): "api: one product; the catalogue page reads the list",
    (
        "GET",
        "/v1/tickets/{number}/comments/{comment_id}",
    ): "api: one comment; the ticket view reads the list",
    (
        "PATCH",
        "/v1/tickets/{number}/comments/{comment_id}",
    ): "api: always 405, comments are never edited",
    (
        "PUT",
        "/v1/tickets/{number}/comments/{comment_id}",
    ): "api: always 405, comments are never edited",
    (
        "DELETE",
        "/v1/tickets/{number}/comments/{comment_id}",
    ): "api: always 405, comments are never deleted",
    ("GET", "/v1/orders/{number}/payments"): "api: an order's payments; its page reads the order",
    (
        "GET",
        "/v1/clients/{client_id}/orders",
    ): "api: a client's orders; the orders list filters by client",
}


def console_operations(doc: dict) -> set[tuple[str, str]]:
    """(method, template) of every documented operation some api() call of the console hits."""
    hit = set()
    for _where, method, path, _body in calls():
        concrete = re.sub(r"\$\{[^}]*\}", "VALUE", path.split("?", 1)[0])
        for template, operations in doc["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, concrete) and method.lower() in operations:
                hit.add((method, template))
    return hit


def test_every_operation_no_console_page_calls_is_listed_with_its_reason():
    doc = document()
    every = {
        (method.upper(), template)
        for template, operations in doc["paths"].items()
        for method in operations
        if method.upper() in METHODS.split("|")
    }
    uncalled = every - console_operations(doc)
    unexplained = sorted(uncalled - set(NOT_FROM_THE_CONSOLE))
    assert not unexplained, (
        f"no console page calls these; give each a page or a reason: {unexplained}"
    )
    stale = sorted(set(NOT_FROM_THE_CONSOLE) - uncalled)
    assert not stale, f"listed as not called, but a page calls them (or they are gone): {stale}"
    assert all(
        reason.split(":")[0] in {"webhook", "widget", "bot", "platform", "api"}
        for reason in NOT_FROM_THE_CONSOLE.values()
    )
