"""Provider payloads from tests/fixtures/<provider>/: the shapes the providers document,
loaded fresh for each use, with the few fields a test changes set by path.

    payload("meta/whatsapp_text.json", {WA + "messages.0.text.body": "hola"})

A path is the keys and list indices down to a field, joined by dots; setting a path whose
last key is missing adds it. ``fixture_text`` and ``fixture_bytes`` give a file as it is
(the signed bodies and the .eml messages are checked byte for byte).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: the value of the first change of the first entry of a Meta webhook
WA = "entry.0.changes.0.value."


def fixture_path(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        raise FileNotFoundError(f"no fixture tests/fixtures/{name}")
    return path


def fixture_text(name: str) -> str:
    return fixture_path(name).read_text(encoding="utf-8")


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


@cache
def _parsed(name: str) -> Any:
    return json.loads(fixture_text(name))


def payload(name: str, changes: dict[str, Any] | None = None) -> Any:
    """The JSON of tests/fixtures/``name`` (a copy of its own), with ``changes`` set: each
    key a dotted path, each value what goes there."""
    document = copy.deepcopy(_parsed(name))
    for path, value in (changes or {}).items():
        set_path(document, path, value)
    return document


def set_path(document: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def encoded(document: Any) -> bytes:
    """A JSON body as a provider posts it."""
    return json.dumps(document).encode()
