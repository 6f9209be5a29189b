"""A self-contained HTML page that renders the OpenAPI document for people."""

from __future__ import annotations

import html
import json
from typing import Any


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if ref:
        return str(ref).rsplit("/", 1)[-1]
    if schema.get("type") == "array" and "items" in schema:
        return f"list of {_schema_name(schema['items'])}"
    return str(schema.get("type", "object"))


def render_docs(document: dict[str, Any]) -> str:
    esc = html.escape
    rows: list[str] = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            params = ", ".join(
                f"{esc(p['name'])} ({esc(p['in'])}{', required' if p.get('required') else ''})"
                for p in op.get("parameters", [])
            )
            body = op.get("requestBody", {}).get("content", {})
            body_name = ", ".join(_schema_name(c["schema"]) for c in body.values())
            responses = []
            for status, resp in op["responses"].items():
                content = resp.get("content", {})
                shown = ", ".join(_schema_name(c["schema"]) for c in content.values())
                responses.append(f"{esc(status)}{(' ' + esc(shown)) if shown else ''}")
            access = "public" if "security" not in op else f"action {op.get('x-atiende-action')}"
            rows.append(
                f"<tr id='{esc(op['operationId'])}'><td class='m {esc(method)}'>{esc(method.upper())}</td>"
                f"<td><code>{esc(path)}</code><div>{esc(op.get('summary', ''))}</div></td>"
                f"<td>{params}</td><td>{esc(body_name)}</td><td>{'; '.join(responses)}</td>"
                f"<td>{esc(access)}</td></tr>"
            )
    schemas = "".join(
        f"<details id='schema-{esc(name)}'><summary>{esc(name)}</summary>"
        f"<pre>{esc(json.dumps(schema, indent=2, ensure_ascii=False))}</pre></details>"
        for name, schema in document["components"]["schemas"].items()
    )
    info = document["info"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(info["title"])}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;vertical-align:top;text-align:left}}
.m{{font-weight:bold;font-family:monospace}}.get{{color:#0a7}}.post{{color:#07c}}.put,.patch{{color:#c70}}.delete{{color:#c33}}
pre{{background:#f6f6f6;padding:.5rem;overflow:auto}}
</style></head><body>
<h1>{esc(info["title"])} <small>v{esc(info["version"])}</small></h1>
<p>{esc(info.get("description", ""))} Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Parameters</th><th>Body</th><th>Responses</th><th>Access</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2>Schemas</h2>{schemas}
</body></html>"""
