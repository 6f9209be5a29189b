"""The API's edge: an unknown path is a 404 and a method a path does not take is a 405,
both in the error format of SPEC §10, locally and on AWS.

API Gateway answers both itself with 403 ``{"message": "Missing Authentication Token"}``
(and ``chalice local`` imitates it, echoing the Authorization header), so the app
declares them as routes: every other method of each path answers 405 with ``Allow``,
and a greedy ``/{proxy+}`` (plus ``/``) answers 404. API Gateway prefers a declared path
over the greedy one. Gateway responses in the packaged template (infra/package.py) give
API Gateway's own errors (413, 429, ...) the same format.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response

from chalicelib.http.errors import AppError, MethodNotAllowed, NotFound

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NO_ROUTE = "There is no such route; the API's reference is at /docs."


def _request_id(app: Chalice) -> str:
    request = app.current_request
    context = (request.context if request is not None else None) or {}
    return str(context.get("requestId") or uuid.uuid4())


def _answer(app: Chalice, error: AppError) -> Callable[..., Response]:
    def view(**_: Any) -> Response:
        from chalicelib.http.routing import error_response  # off the cold start's path

        return error_response(error, _request_id(app))

    return view


def declare_edge_routes(app: Chalice) -> None:
    """After every blueprint is registered: 405 for each path's other methods, 404 elsewhere."""
    for index, (path, views) in enumerate(sorted(app.routes.items())):
        allowed = sorted(views)
        cors = next(iter(views.values())).cors
        # with CORS on, Chalice answers OPTIONS (the preflight) itself, here and on AWS
        others = [m for m in (*METHODS, *(() if cors else ("OPTIONS",))) if m not in views]
        if not others:
            continue
        refusal = MethodNotAllowed(
            f"{path} takes {', '.join(allowed)}, not this method.",
            details={"allowed": allowed},
            headers={"Allow": ", ".join(allowed)},
        )
        app.route(
            path,
            methods=others,
            name=f"method_not_allowed_{index}",
            cors=cors or False,
            content_types=["*/*"],
        )(_answer(app, refusal))
    unknown = NotFound(NO_ROUTE, code="no_route")
    for path, name in (("/", "no_route_root"), ("/{proxy+}", "no_route")):
        if path not in app.routes:
            app.route(path, methods=list(METHODS), name=name, content_types=["*/*"])(
                _answer(app, unknown)
            )
