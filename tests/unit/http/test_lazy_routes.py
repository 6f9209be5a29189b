"""app.py declares every route from chalicelib/api/route_table.py and imports a route's
module on its first call (cold start: docs/decisions.md). Counted, never timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chalicelib.api import lazy
from chalicelib.api.route_table import ROUTES
from chalicelib.http.cors import cors_config

ROOT = Path(__file__).resolve().parents[3]

#: what a Lambda of this app may import before its first event (beyond chalice, boto3, pydantic)
HEAVY = (
    "chalicelib.api.",  # but lazy and route_table
    "chalicelib.store",
    "chalicelib.jobs",
    "chalicelib.channels",
    "chalicelib.domain.",  # but errors
    "chalicelib.http.routing",
    "pynamodb",
    "email_validator",
    "cryptography",
    "jwt",
    "argon2",
)
LIGHT = {
    "chalicelib.api",  # the packages (empty)
    "chalicelib.domain",
    "chalicelib.api.lazy",
    "chalicelib.api.route_table",
    "chalicelib.domain.errors",
}


def _run(code: str) -> dict:
    env = {**os.environ, "ATIENDE_STAGE": "test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_route_table_is_what_the_modules_declare() -> None:
    assert list(ROUTES) == lazy.declared_routes(), "the route table is stale: run `make routes`"


def test_each_route_is_declared_as_its_module_declares_it() -> None:
    """Path, method, name, media types and CORS: what chalice package and local read."""
    import app

    eager = lazy.loaded_routes()  # what the modules' own blueprints register
    lazy_routes = app.app.routes
    assert sum(len(methods) for methods in eager.values()) == len(ROUTES)
    for path, methods in eager.items():
        for method, entry in methods.items():
            declared = lazy_routes[path][method]
            assert declared.view_name == entry.view_name
            assert declared.content_types == entry.content_types == ["*/*"]
            assert declared.cors == entry.cors
            assert declared.view_args == entry.view_args


def test_the_cors_of_the_table_follows_the_setting() -> None:
    config = cors_config("https://console.example")
    assert not isinstance(config, bool)
    assert config.allow_origin == "https://console.example"
    assert cors_config(None) is False
    own = {module for _, _, _, module, own_cors in ROUTES if own_cors}
    assert own == {"chat"}  # the widget answers CORS per request


def test_importing_the_app_imports_no_route_module_nor_what_they_need() -> None:
    loaded = _run(
        "import sys, json, app; print(json.dumps(sorted(sys.modules)))",
    )
    heavy = [
        name
        for name in loaded
        if name not in LIGHT and any(name == h.rstrip(".") or name.startswith(h) for h in HEAVY)
    ]
    assert heavy == []


def test_a_first_call_imports_its_own_module_only() -> None:
    loaded = _run(
        "import sys, json, app\n"
        "from chalice.test import Client\n"
        "with Client(app.app, stage_name='test') as client:\n"
        "    answer = client.http.get('/v1/updates')\n"
        "assert answer.status_code == 200, answer.body\n"
        "assert json.loads(answer.body), answer.body\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('chalicelib.api.'))))",
    )
    assert set(loaded) == {
        "chalicelib.api.lazy",
        "chalicelib.api.route_table",
        "chalicelib.api.platform",
    }
