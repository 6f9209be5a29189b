"""Cold import of ``app.py`` against the floor of its framework (chalice, boto3, pydantic).

A Lambda cold start pays for every module ``app.py`` imports. Each measurement is a
fresh interpreter; the runs of the three commands are interleaved, and the median
is taken. Import time = median wall time of ``python -c "<imports>"`` minus the
median of ``python -c pass`` (the interpreter's own start). One unmeasured run of
each first compiles the bytecode, so that is not counted. ``-X importtime`` then
names the modules ``app.py`` adds beyond the floor.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from devstack.template import ROOT

COMMANDS = {
    "interpreter": "pass",
    "floor": "import chalice, boto3, pydantic",
    "app": "import app",
    # what the API function's first call to a ticket route adds (chalicelib/api/lazy.py)
    "first_call": "import app; from chalicelib.api import lazy; lazy.load('tickets')",
    # every route module: what importing app.py cost before the routes were lazy
    "every_route": "import app; from chalicelib.api import lazy; lazy.loaded_routes()",
}
#: the goal of issue 11: ``import app`` at most the floor plus this
GOAL_OVER_FLOOR_MS = 100.0
TOP = 10


def _wall_seconds(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def _importtime(code: str, env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """module -> (self us, cumulative us), from ``python -X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    modules: dict[str, tuple[int, int]] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        cells = line[len("import time:") :].split("|")
        if len(cells) != 3 or not cells[0].strip().isdigit():
            continue  # the header line
        modules[cells[2].strip()] = (int(cells[0]), int(cells[1]))
    return modules


def _median_importtime(code: str, env: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    samples = [_importtime(code, env) for _ in range(runs)]
    names = set().union(*samples)
    return {
        name: (
            statistics.median(s[name][0] for s in samples if name in s),
            statistics.median(s[name][1] for s in samples if name in s),
        )
        for name in names
    }


def measure(env: dict[str, str], runs: int = 7) -> dict[str, Any]:
    for code in COMMANDS.values():  # compile bytecode, warm the file cache
        _wall_seconds(code, env)
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, code in COMMANDS.items():
            walls[name].append(_wall_seconds(code, env))
    median = {name: statistics.median(values) for name, values in walls.items()}
    app_ms = (median["app"] - median["interpreter"]) * 1000
    floor_ms = (median["floor"] - median["interpreter"]) * 1000
    first_call_ms = (median["first_call"] - median["interpreter"]) * 1000
    every_route_ms = (median["every_route"] - median["interpreter"]) * 1000

    importtime_runs = max(1, min(runs, 3))
    app_modules = _median_importtime(COMMANDS["app"], env, importtime_runs)
    floor_modules = _median_importtime(COMMANDS["floor"], env, importtime_runs)
    added = {name: t for name, t in app_modules.items() if name not in floor_modules}
    by_package: dict[str, float] = {}
    for name, (self_us, _) in added.items():
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0.0) + self_us
    heaviest = sorted(added.items(), key=lambda item: item[1][0], reverse=True)[:TOP]
    return {
        "method": (
            f"median wall time of {runs} fresh `python -c` processes per command, interleaved, "
            "minus the median of `python -c pass`; bytecode compiled by an unmeasured run first. "
            f"Module breakdown: median of {importtime_runs} `python -X importtime` runs."
        ),
        "runs": runs,
        "interpreter_ms": round(median["interpreter"] * 1000, 1),
        "floor_ms": round(floor_ms, 1),
        "app_ms": round(app_ms, 1),
        "ratio": round(app_ms / floor_ms, 2) if floor_ms > 0 else None,
        "over_floor_ms": round(app_ms - floor_ms, 1),
        "goal_over_floor_ms": GOAL_OVER_FLOOR_MS,
        "within_goal": app_ms - floor_ms <= GOAL_OVER_FLOOR_MS,
        "first_call_ms": round(first_call_ms, 1),
        "every_route_ms": round(every_route_ms, 1),
        "floor_modules": len(floor_modules),
        "app_modules": len(app_modules),
        "added_modules": len(added),
        "floor_modules_app_skips": sorted(
            name
            for name in floor_modules
            if name not in app_modules and "." not in name and not name.startswith("_")
        ),
        "added_by_package_ms": {
            package: round(us / 1000, 1)
            for package, us in sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)
        },
        "heaviest_added": [
            {"module": name, "self_ms": round(s / 1000, 1), "cumulative_ms": round(c / 1000, 1)}
            for name, (s, c) in heaviest
        ],
    }


def format_report(result: dict[str, Any]) -> str:
    ratio = f"{result['ratio']:.2f}x" if result["ratio"] is not None else "n/a"
    lines = [
        "Cold import (fresh interpreter each time)",
        f"  floor  import chalice, boto3, pydantic  {result['floor_ms']:7.1f} ms",
        f"  app    import app                       {result['app_ms']:7.1f} ms   "
        f"({ratio} the floor, floor + {result['over_floor_ms']:.1f} ms; goal: floor + "
        f"{result['goal_over_floor_ms']:.0f} ms: {'met' if result['within_goal'] else 'NOT MET'})",
        f"  then   the first call to a ticket route {result['first_call_ms']:7.1f} ms   "
        "(imports chalicelib.api.tickets and what it needs, once per warm API function)",
        f"  every  route module imported            {result['every_route_ms']:7.1f} ms   "
        "(what import app cost when it imported them all)",
        f"  (interpreter start alone: {result['interpreter_ms']:.1f} ms, subtracted from both)",
        f"  method: {result['method']}",
        f"  app imports {result['app_modules']} modules, {result['added_modules']} beyond the floor"
        + (
            f"; of the floor's top-level modules it does not import: "
            f"{', '.join(result['floor_modules_app_skips'])}"
            if result["floor_modules_app_skips"]
            else ""
        ),
        "",
        f"  heaviest {len(result['heaviest_added'])} modules app.py adds beyond the floor "
        "(-X importtime, self time):",
    ]
    width = max((len(m["module"]) for m in result["heaviest_added"]), default=10)
    lines.append(f"    {'module'.ljust(width)}  {'self ms':>8}  {'cumul. ms':>9}")
    for module in result["heaviest_added"]:
        lines.append(
            f"    {module['module'].ljust(width)}  {module['self_ms']:8.1f}  "
            f"{module['cumulative_ms']:9.1f}"
        )
    packages = list(result["added_by_package_ms"].items())[:8]
    lines.append(
        "  added self time by package: "
        + ", ".join(f"{package} {ms:.1f} ms" for package, ms in packages)
    )
    return "\n".join(lines)
