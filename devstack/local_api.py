"""``chalice local`` with API Gateway's greedy ``{proxy+}`` paths, as ``make run`` starts it.

    python -m devstack.local_api local --stage local --port 8000

Chalice's local gateway matches a route segment by segment, so the app's catch-all
``/{proxy+}`` (chalicelib/http/edge.py) would only catch one-segment paths, and any other
unknown path would get chalice's imitation of API Gateway's 403. The tests use the same
matcher (tests/conftest.py).
"""

from __future__ import annotations

import sys
from typing import Any


def greedy_local_routes() -> None:
    """Teach ``chalice local`` (and Chalice's test client) API Gateway's greedy
    ``{proxy+}``: a path of any depth that no declared route matches goes to it."""
    from chalice import local

    if getattr(local.RouteMatcher, "_atiende_greedy", False):
        return
    exact = local.RouteMatcher.match_route

    def match_route(self: Any, url: str) -> Any:
        try:
            return exact(self, url)
        except ValueError:
            from urllib.parse import parse_qs, urlparse

            parsed = urlparse(url)
            for route_url in self.route_urls:
                prefix = route_url.removesuffix("/{proxy+}")
                if route_url.endswith("/{proxy+}") and parsed.path.startswith(prefix + "/"):
                    rest = parsed.path[len(prefix) + 1 :]
                    query = parse_qs(parsed.query, keep_blank_values=True)
                    return local.MatchResult(route_url, {"proxy": rest}, query)
            raise

    local.RouteMatcher.match_route = match_route  # type: ignore[method-assign]
    local.RouteMatcher._atiende_greedy = True  # type: ignore[attr-defined]


if __name__ == "__main__":
    from chalice.cli import main

    greedy_local_routes()
    sys.exit(main())
