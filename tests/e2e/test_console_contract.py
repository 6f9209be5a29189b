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
#: readAll('/v1/...') and <HistoryButton path=${`/v1/.../history`} />
READ = re.compile(
    r"\b(?:useResource|readAll)\(\s*(?P<q>['`])(?P<path>/v1/[^'`]*)(?P=q)"
    r"|\bpath=\$\{\s*(?P<q2>['`])(?P<path2>/v1/[^'`]*)(?P=q2)\s*\}"
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
    brings their pages (web/src/admin/all.js, loaded by web/src/admin/load.js)."""
    merged = (ROOT / "web" / "src" / "i18n.js").read_text()
    admin = (ROOT / "web" / "src" / "admin" / "all.js").read_text()
    for path in (ROOT / "web" / "src" / "i18n").glob("*.*.js"):
        if path.name.startswith("admin-"):
            assert f"'../i18n/{path.name}'" in admin, f"{path.name} is not imported by admin/all.js"
        else:
            assert f"'./i18n/{path.name}'" in merged, f"{path.name} is not imported by i18n.js"


def test_every_lazy_admin_screen_is_in_the_chunk():
    admin = (ROOT / "web" / "src" / "admin" / "all.js").read_text()
    exported = set(re.findall(r"^  (\w+),$", admin.split("export const SCREENS", 1)[1], re.M))
    for area in (ROOT / "web" / "src" / "admin" / "areas").glob("*.js"):
        for name in re.findall(r"lazy\('(\w+)'\)", area.read_text()):
            assert name in exported, f"{area.name}: {name} is not in admin/all.js's SCREENS"


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
