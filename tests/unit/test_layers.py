"""The layers' fences that import contracts cannot express (the contracts themselves:
``[tool.importlinter]`` in pyproject.toml, run by ``make lint``).

``chalicelib/api`` parses, calls the domain and shapes the answer: it never writes an
item itself. A write on a PynamoDB model is ``item.save(...)``, ``item.update(actions=...)``,
``item.delete()`` or a ``transaction()``; the domain's own ``update``/``delete`` functions
take what to change and are not writes of the API. And no module imports itself through
others, in whatever packages they are.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "chalicelib" / "api"


def writes_in(source: str) -> list[str]:
    """Each item write in ``source``: ``<line>: <what>``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg for k in node.keywords}
        if (
            name in ("transaction", "batch_write", "save")
            or (name == "update" and "actions" in keywords)
            or (name == "delete" and not node.args and keywords <= {"condition"})
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


@pytest.mark.parametrize("module", sorted(API.glob("*.py")), ids=lambda p: p.name)
def test_the_api_writes_no_item_itself(module):
    assert writes_in(module.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "Ticket(pk, sk).update(actions=[Ticket.status.set('open')])",
        "ticket.save(condition=Ticket.PK.does_not_exist())",
        "item.delete()",
        "with transaction() as write:\n    pass",
    ],
)
def test_the_fence_sees_a_write(source):
    assert writes_in(source)


@pytest.mark.parametrize(
    "source",
    ["kind.update(principal, item_id, changes)", "kind.delete(principal, item_id)", "d.update(x)"],
)
def test_the_fence_lets_the_domain_be_called(source):
    assert writes_in(source) == []


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or through others
    (Tarjan's strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(imports.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    graph = grimp.build_graph("chalicelib", cache_dir=None)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert cycles(imports) == []


def test_the_cycle_check_finds_a_cycle_through_a_third_module():
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(imports) == [["a", "b", "c"]]
