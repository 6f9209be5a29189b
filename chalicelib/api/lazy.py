"""The API's routes, declared at import and loaded on first use (cold start, issue 11).

Importing every resource module costs about 300 ms in a fresh interpreter (their
pydantic models, and the domain, store and PynamoDB behind them), which every Lambda
of this app (the API, and each queue, stream and schedule handler) would pay before
its first event. So ``app.py`` registers, from the table in ``route_table.py``, one
small view per route with the same path, method, name, media types and CORS as the
resource's own; on its first call the view imports that route's module (only that
one) and hands the request to the real view. A queue consumer never imports a route
module; the API function imports, per warm Lambda, the modules it is asked for.

``route_table.py`` is generated from the modules themselves (``make routes``, i.e.
``python -m chalicelib.api.lazy``), and ``tests/unit/http/test_lazy_routes.py`` fails
when it differs from what they declare. Weighed in docs/decisions.md ("Cold start").
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalice import Chalice, Response

from chalicelib.http.cors import cors_config

#: every resource module, in the order its blueprint is registered
MODULES = (
    "platform",
    "auth",
    "me",
    "users",
    "establishment",
    "departments",
    "agent_groups",
    "quick_replies",
    "custom_fields",
    "account_contacts",
    "channels",
    "channel_connections",
    "meta_channels",
    "webhooks",
    "stripe_webhooks",
    "chat",
    "assignments",
    "tickets",
    "ticket_activity",
    "bot",
    "tags",
    "templates",
    "integrations",
    "attachments",
    "columns",
    "clients",
    "search",
    "notifications",
    "changes",
    "billing",
    "analytics",
    "orders",
    "payments",
    "products",
    "reports",
)
PACKAGE = "chalicelib.api"
TABLE = Path(__file__).with_name("route_table.py")


def import_all() -> None:
    """Import every resource module: their routes are then all in ``routing.REGISTRY``
    (what the OpenAPI document is built from)."""
    for module in MODULES:
        importlib.import_module(f"{PACKAGE}.{module}")


class _Loaded(Chalice):
    """Where the modules' blueprints register their real views, once per process (Chalice
    consumes a blueprint's registrations). The request, the Lambda context and the log
    are those of the app serving the routes."""

    def __init__(self) -> None:
        self.front: Chalice | None = None
        super().__init__(app_name="atiende-routes")

    @property
    def current_request(self) -> Any:
        return self.front.current_request if self.front is not None else None

    @current_request.setter
    def current_request(self, value: Any) -> None:
        pass  # the serving app holds it

    @property
    def lambda_context(self) -> Any:
        return self.front.lambda_context if self.front is not None else None

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        pass


_LOADED = _Loaded()
_MODULE_ROUTES: dict[str, list[tuple[str, str]]] = {}  # module -> its (path, method)
_LOCK = threading.Lock()


def load(module: str) -> list[tuple[str, str]]:
    """Import one resource module and register its views (once); its (path, method)s."""
    done = _MODULE_ROUTES.get(module)
    if done is not None:
        return done
    with _LOCK:
        if module not in _MODULE_ROUTES:
            resource = importlib.import_module(f"{PACKAGE}.{module}").resource
            before = {(p, m) for p, methods in _LOADED.routes.items() for m in methods}
            _LOADED.register_blueprint(resource.blueprint)
            # sorted: the routes' dict keeps paths in the order any module first used them,
            # so the order seen here would depend on which modules a process loaded first
            _MODULE_ROUTES[module] = sorted(
                (p, m)
                for p, methods in _LOADED.routes.items()
                for m in methods
                if (p, m) not in before
            )
        return _MODULE_ROUTES[module]


def loaded_routes() -> dict[str, dict[str, Any]]:
    """Every route of every module, as Chalice holds them (path -> method -> RouteEntry)."""
    for module in MODULES:
        load(module)
    return _LOADED.routes


def view(module: str, path: str, method: str) -> Callable[..., Response]:
    load(module)
    return _LOADED.routes[path][method].view_function


def _first_use(module: str, path: str, method: str) -> Callable[..., Response]:
    def first_use(**params: str) -> Response:
        return view(module, path, method)(**params)

    return first_use


def install(app: Chalice, allow_origin: str | None) -> None:
    """Declare every route of ``route_table.ROUTES`` on ``app``, each importing its module
    on its first call."""
    from chalicelib.api.route_table import ROUTES

    _LOADED.front = app
    _LOADED.log = app.log
    cors = cors_config(allow_origin)
    for path, method, name, module, own_cors in ROUTES:
        handler = _first_use(module, path, method)
        handler.__name__ = name
        app.route(
            path,
            methods=[method],
            name=name,
            cors=False if own_cors else cors,
            content_types=["*/*"],  # every media type reaches the view, which checks it
        )(handler)


def declared_routes() -> list[tuple[str, str, str, str, bool]]:
    """(path, method, name, module, own_cors) of every route, read off the modules."""
    rows = []
    for module in MODULES:
        blueprint = importlib.import_module(f"{PACKAGE}.{module}").resource.blueprint
        own_cors = bool(getattr(blueprint, "answers_cors", False))
        for path, method in load(module):
            rows.append((path, method, _LOADED.routes[path][method].view_name, module, own_cors))
    return rows


def _row(path: str, method: str, name: str, module: str, own_cors: bool) -> str:
    return f'("{path}", "{method}", "{name}", "{module}", {own_cors})'


def render() -> str:
    lines = [
        '"""Every route of the API and the module that declares it. Generated by',
        "``make routes`` (``python -m chalicelib.api.lazy``) from the modules; do not edit.",
        '"""',
        "",
        "# fmt: off",
        "ROUTES: tuple[tuple[str, str, str, str, bool], ...] = (",
        *(f"    {_row(*row)}," for row in declared_routes()),
        ")",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    TABLE.write_text(render())
    print(f"wrote {TABLE}", file=sys.stderr)
