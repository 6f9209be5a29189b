"""The chat widget's script (web/widget, docs/widget.md): its size budget, and how the
local front serves it to other sites."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devstack.ddb_local import free_port
from devstack.front import serve

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 30 * 1024


def test_the_widget_builds_within_30_kb_gzipped(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make deps installs it)")
    built = subprocess.run(
        [node, "web/widget/build.mjs", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    size = json.loads(built.stdout)
    assert size["budget"] == BUDGET
    assert 0 < size["gzipped"] <= BUDGET
    script = (tmp_path / "widget.js").read_text()
    # one self-contained classic script: no import, nothing fetched but the chat API
    assert not script.lstrip().startswith("import") and ' from"' not in script
    assert "/chat/v1/sessions" in script and "/chat/v1/messages" in script
    assert "/v1/" not in script.replace("/chat/v1/", "")
    # the console's build fails over the widget's budget too
    assert "WIDGET_BUDGET_BYTES" in (ROOT / "web" / "build.mjs").read_text()


def test_the_front_serves_the_widget_to_any_site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>Atiende</title>")
    (tmp_path / "widget.js").write_text("(()=>{})();\n")
    port = free_port()
    server = serve(port, free_port(), tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/widget.js", timeout=10) as answer:
            headers = answer.headers
            assert answer.read() == b"(()=>{})();\n"
        assert headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert headers["Cache-Control"].startswith("public, max-age=300")
        assert "Content-Security-Policy" not in headers  # the console's, not a script's
        (tmp_path / "widget.js").unlink()  # not built: a 404, never the console's page
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/widget.js", timeout=10)
        assert missing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
