"""The tests' own shape (docs/testing.md): one support package, imported as a package.

- no test reaches into ``sys.path`` (``tests`` is a package: ``from tests.support... import``);
- the shared fixtures (``world``, ``signup``, ``admin``, ``tenant``) and ``Desk`` are defined
  once, in tests/support/, and nowhere else under tests/;
- no test module imports another test module (what two share lives in tests/support/);
- ``pytest_plugins`` is only in tests/conftest.py (pytest refuses it elsewhere);
- provider payloads come from tests/fixtures/: no webhook body (Meta's ``object``/``entry``,
  X's ``for_user_id``, SNS's ``Type``/``MessageId``) is written as a dict in a test module.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SUPPORT = TESTS / "support"
SHARED_FIXTURES = ("world", "signup", "admin", "tenant")
#: keys that together make a provider's webhook body
WEBHOOK_KEYS = ({"object", "entry"}, {"for_user_id"}, {"Type", "MessageId"})


def modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(TESTS.rglob("*.py"))
    ]


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(TESTS.parent)}:{getattr(node, 'lineno', 0)}"


def test_no_test_changes_sys_path() -> None:
    found = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "path"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                found.append(where(path, node))
    assert found == [], f"sys.path is changed (import from tests.support instead): {found}"


def test_the_shared_fixtures_and_the_desk_are_defined_once_in_the_support_package() -> None:
    defined: dict[str, list[str]] = {name: [] for name in (*SHARED_FIXTURES, "Desk")}
    for path, tree in modules():
        for node in tree.body:  # module level: a fixture or a class of the module
            if isinstance(node, ast.FunctionDef) and node.name in SHARED_FIXTURES:
                defined[node.name].append(where(path, node))
            if isinstance(node, ast.ClassDef) and node.name == "Desk":
                defined["Desk"].append(where(path, node))
    for name, places in defined.items():
        assert len(places) == 1, f"{name} is defined {len(places)} times: {places}"
        assert places[0].startswith("tests/support/"), (name, places)


def test_no_test_module_imports_another() -> None:
    found = [
        where(path, node)
        for path, tree in modules()
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[-1].startswith("test_")
        )
        or (
            isinstance(node, ast.Import)
            and any(a.name.split(".")[-1].startswith("test_") for a in node.names)
        )
    ]
    assert found == [], f"a test module is imported (move what is shared to tests/support): {found}"


def test_pytest_plugins_only_in_the_top_conftest() -> None:
    holders = [
        where(path, node)
        for path, tree in modules()
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets)
    ]
    assert len(holders) == 1 and holders[0].startswith("tests/conftest.py:"), holders


def test_no_webhook_body_is_written_inline() -> None:
    found = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if any(shape <= keys for shape in WEBHOOK_KEYS):
                found.append(where(path, node))
    assert found == [], f"provider bodies belong in tests/fixtures/ (payload(...)): {found}"


def test_every_fixture_file_is_valid_json() -> None:
    for path in sorted((TESTS / "fixtures").rglob("*.json")):
        json.loads(path.read_text(encoding="utf-8"))


def test_every_payload_named_in_a_test_exists() -> None:
    """``payload("meta/x.json")`` and ``fixture_text(...)`` name files that are there."""
    missing = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("payload", "fixture_text", "fixture_bytes", "fixture_path")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and not (TESTS / "fixtures" / node.args[0].value).is_file()
            ):
                missing.append((where(path, node), node.args[0].value))
    assert missing == [], missing
